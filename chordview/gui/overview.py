"""The overview strip: the whole song in ~40 px above the detailed view.

It shows every chord box in its colour (:func:`~chordview.gui.chords.segment_colour`, no labels),
the playhead, and the detailed view's visible range as a window that can be dragged: dragging it
(or its edges) pans (or zooms) the :class:`~chordview.gui.views.Timeline`, and every change of the
timeline's range moves it. A click outside the window seeks there. Like every view it only reads
the session; it follows the controller's ``sessionChanged`` and ``timeChanged`` signals.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter

from .chords import segment_colour
from .views import LEFT_AXIS_WIDTH, PLAYHEAD_PEN

#: Height of the strip in pixels.
HEIGHT = 40


class ColourStripItem(pg.GraphicsObject):
    """Chord boxes as bare colours, in data coordinates (x: seconds, y: 0..1)."""

    def __init__(self):
        super().__init__()
        self.segments: list = []
        self._bounds = QRectF(0, 0, 1, 1)

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
        painter.setPen(Qt.PenStyle.NoPen)
        for seg in self.segments:
            painter.setBrush(QBrush(segment_colour(seg.label, seg.confidence)))
            painter.drawRect(QRectF(seg.start, 0.0, seg.end - seg.start, 1.0))


class OverviewBox(pg.ViewBox):
    """No mouse zoom or pan of the strip itself; a left click asks to seek."""

    def __init__(self, overview: Overview):
        super().__init__(enableMenu=False)
        self.overview = overview
        self.setMouseEnabled(x=False, y=False)

    def mouseClickEvent(self, ev):
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            self.overview.controller.seek(float(self.mapSceneToView(ev.scenePos()).x()))
        else:
            super().mouseClickEvent(ev)

    def mouseDragEvent(self, ev, axis=None):
        ev.ignore()

    def wheelEvent(self, ev, axis=None):
        ev.ignore()


class Overview(pg.PlotWidget):
    """The whole song in a thin strip, with the detailed view's range as a draggable window.

    Parameters
    ----------
    controller : AppController
        Its ``sessionChanged`` and ``timeChanged`` signals drive the strip; a click seeks it.
    parent : QWidget, optional

    Attributes
    ----------
    strip : ColourStripItem
        The chord colours.
    playhead : pg.InfiniteLine
        The cursor, in seconds.
    window : pg.LinearRegionItem
        The detailed view's visible range, in seconds (see :meth:`link`).
    """

    def __init__(self, controller, parent=None):
        self.box = OverviewBox(self)
        super().__init__(parent, background="#15161a", viewBox=self.box)
        self.controller = controller
        self.timeline = None
        self._moving = False  # set while the window follows the timeline (not a user drag)
        self.setFixedHeight(HEIGHT)
        plot = self.getPlotItem()
        plot.hideButtons()
        plot.setMenuEnabled(False)
        plot.hideAxis("bottom")
        left = plot.getAxis("left")
        left.setWidth(LEFT_AXIS_WIDTH)
        left.setStyle(showValues=False, tickLength=0)
        left.setPen("#606060")
        left.setLabel("song")
        left.setTextPen("#c8c8c8")
        plot.setContentsMargins(4, 2, 8, 2)  # the right margin follows the lanes (see link)
        self.strip = ColourStripItem()
        plot.addItem(self.strip)
        self.playhead = pg.InfiniteLine(0.0, angle=90, pen=PLAYHEAD_PEN, movable=False)
        self.playhead.setZValue(20)
        plot.addItem(self.playhead, ignoreBounds=True)
        self.window = pg.LinearRegionItem(
            (0.0, 1.0),
            movable=True,
            brush=QColor(255, 255, 255, 30),
            hoverBrush=QColor(255, 255, 255, 70),
            pen=pg.mkPen("#ffffff", width=2),
        )
        self.window.setZValue(15)
        plot.addItem(self.window, ignoreBounds=True)
        self.shades = []  # the song outside the window, dimmed
        for _ in range(2):
            shade = pg.LinearRegionItem(
                (0.0, 0.0), movable=False, brush=QColor(0, 0, 0, 140), pen=pg.mkPen(None)
            )
            shade.setZValue(14)
            plot.addItem(shade, ignoreBounds=True)
            self.shades.append(shade)
        plot.setYRange(0, 1, padding=0)
        self.window.sigRegionChanged.connect(self._on_window_dragged)
        controller.sessionChanged.connect(self.set_session)
        controller.timeChanged.connect(self.seek)

    # -- data ----------------------------------------------------------------------------------
    def set_session(self, session) -> None:
        """Draw the whole song's chords (the session is only read)."""
        end = max(session.frames_end, session.duration, 1e-3)
        self.strip.set_segments(session.segments)
        self.box.setLimits(xMin=0, xMax=end)
        self.setXRange(0, end, padding=0)
        self.window.setBounds((0, end))
        self.seek(0.0)
        if self.timeline is not None:
            self.show_range(*self._timeline_range())

    def seek(self, t: float) -> None:
        """Move the playhead to ``t`` seconds."""
        self.playhead.setValue(t)

    # -- the detailed view's range -------------------------------------------------------------
    def link(self, timeline) -> None:
        """Keep the window on ``timeline``'s visible range, and pan ``timeline`` when dragged."""
        self.timeline = timeline
        timeline.lanes["cqt"].plot.sigXRangeChanged.connect(
            lambda *_: self.show_range(*self._timeline_range())
        )
        timeline.lanes["cqt"].box.sigResized.connect(self._align)

    def _align(self, *_args) -> None:
        """End the strip where the lanes end (the colour bars sit right of them)."""
        box = self.timeline.lanes["cqt"].box
        right = self.timeline.width() - box.sceneBoundingRect().right()
        self.getPlotItem().setContentsMargins(4, 2, max(0.0, right), 2)

    def _timeline_range(self) -> tuple[float, float]:
        x0, x1 = self.timeline.lanes["cqt"].plot.viewRange()[0]
        return float(x0), float(x1)

    def show_range(self, x0: float, x1: float) -> None:
        """Place the window over ``[x0, x1]`` seconds (the timeline's range)."""
        self._moving = True
        try:
            self.window.setRegion((x0, x1))
        finally:
            self._moving = False
        self._shade()

    def _shade(self) -> None:
        x0, x1 = self.visible
        end = self.getPlotItem().viewRange()[0][1]
        self.shades[0].setRegion((0.0, x0))
        self.shades[1].setRegion((x1, max(end, x1)))

    @property
    def visible(self) -> tuple[float, float]:
        """The window's range in seconds."""
        x0, x1 = self.window.getRegion()
        return float(x0), float(x1)

    def _on_window_dragged(self) -> None:
        if self._moving or self.timeline is None:
            return
        self._shade()
        x0, x1 = self.visible
        if x1 - x0 > 1e-3:
            self.timeline.lanes["cqt"].plot.setXRange(x0, x1, padding=0)
