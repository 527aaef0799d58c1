"""The decoded chord track: one box per segment, shaded by confidence, labelled when it fits."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen

from chordview.theory import Key, musician, pitch_class

_NO_CHORD = QColor("#5a5a5a")
#: The chord lane's background, which a box of low confidence fades into.
_BACKGROUND = QColor("#15161a")
#: Label colours: the one with more contrast against its box is used.
DARK_TEXT, LIGHT_TEXT = QColor("#000000"), QColor("#ffffff")
#: Least contrast ratio of a label against its box (WCAG 2 AA asks 4.5 for normal text; a margin).
MIN_CONTRAST = 5.0


def relative_luminance(colour: QColor) -> float:
    """WCAG 2 relative luminance of an opaque colour (0 black .. 1 white)."""

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * linear(colour.redF())
        + 0.7152 * linear(colour.greenF())
        + 0.0722 * linear(colour.blueF())
    )


def contrast(a: QColor, b: QColor) -> float:
    """WCAG 2 contrast ratio of two opaque colours (1 .. 21)."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)))
    return (lb + 0.05) / (la + 0.05)


def label_colour(box: QColor) -> QColor:
    """Black or white, whichever reads better on ``box``."""
    return DARK_TEXT if contrast(DARK_TEXT, box) >= contrast(LIGHT_TEXT, box) else LIGHT_TEXT


def segment_colour(label: str, confidence: float) -> QColor:
    """Opaque box colour: hue from the chord's root (circle of fifths), faded into the lane's
    background as its confidence falls, and moved out of the middle greys where neither black
    nor white labels would meet :data:`MIN_CONTRAST`."""
    colour = _hue(label)
    alpha = (60 + 195 * min(max(confidence, 0.0), 1.0)) / 255
    mixed = [
        alpha * c + (1 - alpha) * b
        for c, b in zip(colour.getRgbF()[:3], _BACKGROUND.getRgbF()[:3], strict=True)
    ]
    box = QColor.fromRgbF(*mixed)
    # Brighter boxes get lighter, darker ones darker, until one of the labels reads on them.
    step = 1.05 if relative_luminance(box) > 0.179 else 0.95
    for _ in range(40):
        if max(contrast(DARK_TEXT, box), contrast(LIGHT_TEXT, box)) >= MIN_CONTRAST:
            break
        box = QColor.fromRgbF(*(min(1.0, c * step) for c in box.getRgbF()[:3]))
    return box


def _hue(label: str) -> QColor:
    """The chord's colour at full confidence."""
    root = label.split(":")[0].split("/")[0]
    if label in ("N", "X") or not root:
        colour = QColor(_NO_CHORD)
    else:
        try:
            pc = pitch_class(root)
        except (KeyError, IndexError):
            colour = QColor(_NO_CHORD)
        else:
            hue = ((pc * 7) % 12) * 30  # neighbours on the circle of fifths get neighbouring hues
            colour = QColor.fromHsv(hue, 150, 220)
    return colour


def short_labels(label: str, *, notation: str = "musician", key: Key | None = None) -> list[str]:
    """Ever shorter ways to write a chord, each naming the same chord: the full name, without
    its bass, then (in musician notation) with compact symbols. ``'F#:min7/b7'`` ->
    ``['F#m7/E', 'F#m7']``; ``'B:hdim7'`` -> ``['Bm7b5', 'Bø7']``; ``'E:dim7'`` -> ``['Edim7',
    'E°7']``. The chord track shows the longest that fits its box, or nothing (the hover bar
    still names it): never a bare root, which would name another chord.

    Parameters
    ----------
    label : str
        Harte label.
    notation : {'musician', 'harte'}
        Musician notation spelled in ``key`` (``Bb/D``), or Harte labels (``A#:maj/3``).
    key : Key, optional
        The song's key, for spelling.
    """
    if notation == "harte":
        out = [label, label.partition("/")[0]]
    else:
        out = [
            musician(label, key=key),
            musician(label, key=key, bass=False),
            musician(label, key=key, bass=False, compact=True),
        ]
    return list(dict.fromkeys(out))


class ChordTrackItem(pg.GraphicsObject):
    """Paints segments in data coordinates (x: seconds, y: 0..1) and their labels in pixels."""

    def __init__(self):
        super().__init__()
        self.segments = []
        self.key, self.notation = None, "musician"
        self.current: int | None = None
        self._bounds = QRectF(0, 0, 1, 1)
        self._font = QFont()
        self._font.setPointSize(8)

    def set_segments(self, segments, *, key: Key | None = None, notation: str = "musician") -> None:
        """Replace the segments (``Segment`` objects with start, end, label, confidence); their
        labels are written in ``notation``, spelled in ``key``."""
        self.prepareGeometryChange()
        self.segments = list(segments)
        self.key, self.notation = key, notation
        self.current = None
        end = max((s.end for s in self.segments), default=1.0)
        self._bounds = QRectF(0, 0, end, 1)
        self.update()

    def set_current(self, index: int | None) -> None:
        """Outline segment ``index`` (the chord under the playhead), or none."""
        if index != self.current:
            self.current = index
            self.update()

    def boundingRect(self) -> QRectF:
        return self._bounds

    def labels(self, x0: float, x1: float, transform, text_width) -> list[tuple]:
        """What the track writes between ``x0`` and ``x1`` seconds: ``(segment, start, end,
        text)``, each label centred in the part of its box that shows (a box cut by the view's
        edge is labelled in its visible part), the longest of :func:`short_labels` that fits
        (``text_width(text)`` in pixels; ``transform`` maps seconds to pixels); boxes too narrow
        for any are left out."""
        out = []
        for seg in self.segments:
            start, end = max(seg.start, x0), min(seg.end, x1)
            if end <= start:
                continue
            width = transform.mapRect(QRectF(start, 0.0, end - start, 1.0)).width()
            labels = short_labels(seg.label, notation=self.notation, key=self.key)
            text = next((t for t in labels if text_width(t) + 4 <= width), None)
            if text is not None:
                out.append((seg, start, end, text))
        return out

    def paint(self, painter: QPainter, *_args) -> None:
        view = self.getViewBox()
        x0, x1 = view.viewRange()[0] if view is not None else (0.0, self._bounds.width())
        transform = painter.transform()
        painter.setPen(Qt.PenStyle.NoPen)
        visible = [s for s in self.segments if s.end > x0 and s.start < x1]
        for seg in visible:
            painter.setBrush(QBrush(segment_colour(seg.label, seg.confidence)))
            painter.drawRect(QRectF(seg.start, 0.08, seg.end - seg.start, 0.84))
        # Labels in device pixels, so text is not stretched by the plot's scaling.
        painter.save()
        painter.resetTransform()
        painter.setFont(self._font)
        metrics = painter.fontMetrics()
        edge = QPen(QColor("#15161a"))
        for seg in visible:
            rect = transform.mapRect(QRectF(seg.start, 0.0, seg.end - seg.start, 1.0))
            painter.setPen(edge)
            painter.drawLine(rect.topLeft(), rect.bottomLeft())
        for seg, start, end, text in self.labels(x0, x1, transform, metrics.horizontalAdvance):
            rect = transform.mapRect(QRectF(start, 0.0, end - start, 1.0))
            painter.setPen(label_colour(segment_colour(seg.label, seg.confidence)))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        if self.current is not None and 0 <= self.current < len(self.segments):
            seg = self.segments[self.current]
            rect = transform.mapRect(QRectF(seg.start, 0.08, seg.end - seg.start, 0.84))
            painter.setPen(QPen(QColor("#ffffff"), 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(rect.adjusted(1, 1, -1, -1))
        painter.restore()
