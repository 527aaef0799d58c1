"""Chord diagrams as widgets: a guitar chord box and two octaves of a piano keyboard.

Both draw what :mod:`chordview.diagrams` computes for a Harte label and nothing else;
``set_chord(label, key=...)`` changes the chord (``None``, ``'N'`` or ``'X'`` draws an empty
diagram).
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from chordview.diagrams import GuitarShape, guitar_shape, piano_keys
from chordview.theory import Key, musician

INK = QColor("#d8d8d8")
FAINT = QColor("#6a6c74")
DOT = QColor("#f2f2f2")
LIT = QColor("#f0a830")
BASS = QColor("#e8503c")
#: Frets a guitar diagram shows.
FRETS_SHOWN = 5


class _Diagram(QWidget):
    """A fixed-size diagram of one chord, with the chord's name over it (optional)."""

    SIZE = QSize(100, 100)

    def __init__(self, parent: QWidget | None = None, *, named: bool = True):
        super().__init__(parent)
        self.label: str | None = None
        self.key: Key | None = None
        self.named = named
        self.setFixedSize(self.SIZE)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def set_chord(self, label: str | None, *, key: Key | None = None) -> None:
        """Draw the chord of Harte label ``label`` (None: nothing), named as spelled in ``key``."""
        if (label, key) != (self.label, self.key):
            self.label, self.key = label, key
            self._chord_changed()
            self.update()

    def _chord_changed(self) -> None:
        """Recompute what is drawn (subclasses)."""

    @property
    def name(self) -> str:
        """The chord's name for musicians, spelled in the key ('' with no chord)."""
        return musician(self.label, key=self.key) if self.label else ""

    def _draw_name(self, painter: QPainter, height: float) -> None:
        font = QFont(self.font())
        font.setPointSizeF(8.5)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(INK)
        painter.drawText(
            QRectF(0, 0, self.width(), height), Qt.AlignmentFlag.AlignCenter, self.name
        )


class GuitarDiagram(_Diagram):
    """A guitar chord box: six strings (low E left), five frets from the shape's base fret, dots
    with finger numbers, the barre, ``x`` and ``o`` over muted and open strings.

    Attributes
    ----------
    shape : GuitarShape or None
        The shape drawn (None with no chord).
    """

    SIZE = QSize(112, 136)

    def __init__(self, parent: QWidget | None = None, *, named: bool = True):
        self.shape: GuitarShape | None = None
        super().__init__(parent, named=named)

    def _chord_changed(self) -> None:
        self.shape = guitar_shape(self.label) if self.label else None

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt naming
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        top = 16.0 if self.named else 0.0
        if self.named:
            self._draw_name(painter, top)
        left, right = 22.0, self.width() - 8.0
        grid_top, bottom = top + 14.0, self.height() - 4.0
        dx = (right - left) / 5
        dy = (bottom - grid_top) / FRETS_SHOWN
        shape = self.shape
        painter.setPen(QPen(INK if shape else FAINT, 1))
        for i in range(6):
            x = left + i * dx
            painter.drawLine(QPointF(x, grid_top), QPointF(x, bottom))
        for j in range(FRETS_SHOWN + 1):
            y = grid_top + j * dy
            painter.drawLine(QPointF(left, y), QPointF(right, y))
        if shape is None:
            return
        small = QFont(self.font())
        small.setPointSizeF(7)
        painter.setFont(small)
        if shape.base_fret == 1:  # the nut
            painter.setPen(QPen(INK, 3))
            painter.drawLine(QPointF(left, grid_top), QPointF(right, grid_top))
        else:
            painter.setPen(INK)
            painter.drawText(
                QRectF(0, grid_top, left - 4, dy),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                f"{shape.base_fret}fr",
            )
        radius = min(dx, dy) * 0.42
        painter.setPen(QPen(INK, 1.2))
        for s, fret in enumerate(shape.frets):  # x and o over the strings
            x = left + s * dx
            c = QPointF(x, grid_top - 7)
            if fret == 0:
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawEllipse(c, 3.2, 3.2)
            elif fret < 0:
                painter.drawLine(c + QPointF(-3, -3), c + QPointF(3, 3))
                painter.drawLine(c + QPointF(-3, 3), c + QPointF(3, -3))
        barre = shape.barre
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(DOT)
        if barre is not None:
            y = grid_top + (barre.fret - shape.base_fret + 0.5) * dy
            painter.drawRoundedRect(
                QRectF(
                    left + barre.first * dx - radius,
                    y - radius,
                    (barre.last - barre.first) * dx + 2 * radius,
                    2 * radius,
                ),
                radius,
                radius,
            )
        for s, (fret, finger) in enumerate(zip(shape.frets, shape.fingers, strict=True)):
            if fret <= 0:
                continue
            c = QPointF(left + s * dx, grid_top + (fret - shape.base_fret + 0.5) * dy)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(DOT)
            painter.drawEllipse(c, radius, radius)
            if finger:
                painter.setPen(QColor("#111111"))
                painter.drawText(
                    QRectF(c.x() - radius, c.y() - radius, 2 * radius, 2 * radius),
                    Qt.AlignmentFlag.AlignCenter,
                    str(finger),
                )


#: White keys' pitch classes, and black keys' pitch classes with the white key they follow.
_WHITE = (0, 2, 4, 5, 7, 9, 11)
_BLACK = {1: 0, 3: 1, 6: 3, 8: 4, 10: 5}


class PianoDiagram(_Diagram):
    """Two octaves of a keyboard from C: the chord in close position over its bass, the bass
    key marked.

    Attributes
    ----------
    lit : list of int
        Keys drawn lit, 0 = the first C (0-23).
    bass_key : int or None
        The bass key (among ``lit``).
    """

    SIZE = QSize(169, 52)

    def __init__(self, parent: QWidget | None = None, *, named: bool = False):
        self.lit: list[int] = []
        self.bass_key: int | None = None
        super().__init__(parent, named=named)

    def _chord_changed(self) -> None:
        pcs, bass = piano_keys(self.label) if self.label else (frozenset(), None)
        if bass is None:
            self.lit, self.bass_key = [], None
            return
        self.bass_key = bass
        self.lit = sorted({bass} | {bass + (pc - bass) % 12 for pc in pcs})

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt naming
        painter = QPainter(self)
        top = 14.0 if self.named else 0.0
        if self.named:
            self._draw_name(painter, top)
        width = (self.width() - 1) / 14
        height = self.height() - top - 1
        lit = set(self.lit)

        def fill(key: int, plain: QColor) -> QColor:
            return BASS if key == self.bass_key else LIT if key in lit else plain

        painter.setPen(QPen(QColor("#202020"), 1))
        for octave in range(2):
            for i, pc in enumerate(_WHITE):
                key = 12 * octave + pc
                painter.setBrush(fill(key, QColor("#f4f4f4")))
                painter.drawRect(QRectF((7 * octave + i) * width, top, width, height))
        for octave in range(2):
            for pc, after in _BLACK.items():
                key = 12 * octave + pc
                x = (7 * octave + after + 1) * width - width * 0.32
                painter.setBrush(fill(key, QColor("#1a1a1a")))
                painter.drawRect(QRectF(x, top, width * 0.64, height * 0.6))
        if self.bass_key is not None:  # a dot on the bass key too: not by colour alone
            pc = self.bass_key % 12
            octave = self.bass_key // 12
            if pc in _WHITE:
                x, y = (7 * octave + _WHITE.index(pc) + 0.5) * width, top + height * 0.82
            else:
                x, y = (7 * octave + _BLACK[pc] + 1) * width, top + height * 0.45
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor("#111111") if pc in _WHITE else QColor("#ffffff"))
            painter.drawEllipse(QPointF(x, y), 2.5, 2.5)
