"""Now playing: the chord under the playhead in large type, the next one and the time until it,
and the guitar and piano diagrams of both.

:class:`NowPlaying` is a view: it follows the controller's ``sessionChanged`` and
``timeChanged`` and only reads the session. It changes chord exactly where the playhead crosses a
segment boundary, and says which segment is current through :attr:`NowPlaying.currentChanged`
(the chord track outlines it).
"""

from __future__ import annotations

from bisect import bisect_right

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from chordview.theory import musician

from .diagrams import GuitarDiagram, PianoDiagram

#: Height of the row with and without the diagrams, in pixels.
HEIGHT, HEIGHT_WITHOUT_DIAGRAMS = 150, 64
_STYLE = """
NowPlaying { background: #1d1e23; border-bottom: 1px solid #2c2d33; }
QLabel { color: #e8e8e8; }
QLabel#caption { color: #9a9ca4; font-size: 8pt; }
"""


def _label(text: str, *, size: float | None = None, bold: bool = False, name: str = "") -> QLabel:
    label = QLabel(text)
    if name:
        label.setObjectName(name)
    if size is not None:
        font = QFont()
        font.setPointSizeF(size)
        font.setBold(bold)
        label.setFont(font)
    return label


class _Chord(QWidget):
    """One chord: a caption, its name, a piano under it and a guitar box beside it."""

    def __init__(self, caption: str, *, size: float, parent: QWidget | None = None):
        super().__init__(parent)
        self.caption = _label(caption, name="caption")
        self.name = _label("–", size=size, bold=True)
        self.name.setMinimumWidth(150)
        self.piano = PianoDiagram(self)
        self.guitar = GuitarDiagram(self)
        self.text = text = QVBoxLayout()
        text.setSpacing(2)
        text.addWidget(self.caption)
        text.addWidget(self.name)
        text.addStretch(1)
        text.addWidget(self.piano)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(10)
        row.addLayout(text)
        row.addWidget(self.guitar, 0, Qt.AlignmentFlag.AlignVCenter)

    def show_chord(self, label: str | None, key) -> None:
        self.name.setText(musician(label, key=key) if label else "–")
        self.piano.set_chord(label, key=key)
        self.guitar.set_chord(label, key=key)


class NowPlaying(QFrame):
    """The current and the next chord, for playing along.

    Parameters
    ----------
    controller : AppController
        Its ``sessionChanged`` and ``timeChanged`` drive this view.
    parent : QWidget, optional

    Attributes
    ----------
    index : int or None
        The segment under the playhead (None before the first, after the last, in a gap).
    next_index : int or None
        The first segment starting after the playhead.

    Signals
    -------
    currentChanged(object)
        The segment under the playhead changed: its index, or None.
    """

    currentChanged = Signal(object)

    def __init__(self, controller, parent: QWidget | None = None):
        super().__init__(parent)
        self.setStyleSheet(_STYLE)
        self.session = None
        self.index: int | None = None
        self.next_index: int | None = None
        self._starts: list[float] = []
        self.current = _Chord("NOW", size=26, parent=self)
        self.next = _Chord("NEXT", size=16, parent=self)
        self.until = _label("", size=10)
        self.next.text.insertWidget(2, self.until)
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 4, 12, 4)
        row.setSpacing(28)
        row.addWidget(self.current)
        row.addWidget(self.next)
        row.addStretch(1)
        self.diagrams_visible = True
        self.setFixedHeight(HEIGHT)
        controller.sessionChanged.connect(self.set_session)
        controller.timeChanged.connect(self.seek)

    @property
    def key(self):
        """The session's key (spelling), or None."""
        return self.session.key if self.session is not None else None

    def set_session(self, session) -> None:
        """Follow a new session (the playhead's time comes next, by ``seek``)."""
        self.session = session
        self._starts = [s.start for s in session.segments]
        self.index = self.next_index = None
        self.current.show_chord(None, None)
        self.next.show_chord(None, None)
        self.until.setText("")
        self.currentChanged.emit(None)

    def set_diagrams_visible(self, on: bool) -> None:
        """Show or hide the guitar and piano diagrams (the row shrinks without them)."""
        self.diagrams_visible = bool(on)
        for chord in (self.current, self.next):
            chord.piano.setVisible(self.diagrams_visible)
            chord.guitar.setVisible(self.diagrams_visible)
        self.setFixedHeight(HEIGHT if self.diagrams_visible else HEIGHT_WITHOUT_DIAGRAMS)

    def seek(self, t: float) -> None:
        """Show the chord sounding at ``t`` seconds, the next one and the time until it."""
        if self.session is None:
            return
        segments = self.session.segments
        following = bisect_right(self._starts, t)
        index = following - 1 if following and t < segments[following - 1].end else None
        next_index = following if following < len(segments) else None
        if index != self.index:
            self.index = index
            self.current.show_chord(segments[index].label if index is not None else None, self.key)
            self.currentChanged.emit(index)
        if next_index != self.next_index:
            self.next_index = next_index
            label = segments[next_index].label if next_index is not None else None
            self.next.show_chord(label, self.key)
        if next_index is None:
            self.until.setText("end of song" if segments else "")
        else:
            self.until.setText(f"in {segments[next_index].start - t:.1f} s")
