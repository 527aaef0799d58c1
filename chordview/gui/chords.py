"""The decoded chord track: one box per segment, shaded by confidence, labelled when it fits."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen

from chordview.decode import pitch_class
from chordview.vocab import PITCH_CLASSES

_NO_CHORD = QColor("#5a5a5a")


def segment_colour(label: str, confidence: float) -> QColor:
    """Hue from the chord's root (circle of fifths), opacity from its confidence."""
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
    colour.setAlpha(int(60 + 195 * min(max(confidence, 0.0), 1.0)))
    return colour


_SYMBOLS = {"maj": "", "min": "m", "dim": "dim", "aug": "+", "maj6": "6", "min6": "m6", "7": "7",
            "maj7": "maj7", "min7": "m7", "dim7": "dim7", "hdim7": "m7b5", "minmaj7": "m(maj7)",
            "sus2": "sus2", "sus4": "sus4"}  # fmt: skip


def short_labels(label: str) -> list[str]:
    """Ever shorter ways to write a Harte label: ``'F#:min7/b7'`` -> full, ``'F#m7/b7'``, ``'F#m7'``,
    ``'F#'``. The chord track shows the longest that fits its box."""
    if label in ("N", "X") or ":" not in label:
        return [label]
    root, _, rest = label.partition(":")
    quality, _, bass = rest.partition("/")
    symbol = root + _SYMBOLS.get(quality, quality)
    out = [label, symbol + (f"/{_bass_note(root, bass)}" if bass else ""), symbol, root]
    return list(dict.fromkeys(out))


def _bass_note(root: str, degree: str) -> str:
    """Note name of a Harte bass degree: ``('D', '3') -> 'F#'`` (the degree itself if unknown)."""
    from mir_eval.chord import scale_degree_to_semitone

    try:
        return PITCH_CLASSES[(pitch_class(root) + scale_degree_to_semitone(degree)) % 12]
    except Exception:  # an unusual spelling: show it as written
        return degree


class ChordTrackItem(pg.GraphicsObject):
    """Paints segments in data coordinates (x: seconds, y: 0..1) and their labels in pixels."""

    def __init__(self):
        super().__init__()
        self.segments = []
        self._bounds = QRectF(0, 0, 1, 1)
        self._font = QFont()
        self._font.setPointSize(8)

    def set_segments(self, segments) -> None:
        """Replace the segments (``Segment`` objects with start, end, label, confidence)."""
        self.prepareGeometryChange()
        self.segments = list(segments)
        end = max((s.end for s in self.segments), default=1.0)
        self._bounds = QRectF(0, 0, end, 1)
        self.update()

    def boundingRect(self) -> QRectF:
        return self._bounds

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
            text = next((t for t in short_labels(seg.label)
                         if metrics.horizontalAdvance(t) + 4 <= rect.width()), None)  # fmt: skip
            if text is not None:
                painter.setPen(QColor("#101010" if seg.confidence > 0.35 else "#e8e8e8"))
                painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()
