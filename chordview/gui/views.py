"""The time-aligned views: CQT, head lanes and the decoded chord track, on one linked time axis.

Every view is a :class:`Lane` (a pyqtgraph ``PlotItem`` with an ``InfiniteLine`` playhead and a
loop-region item) that draws a :class:`~chordview.gui.session.Session` and implements ``seek(t)``.
Images are placed with ``setRect`` in seconds. CQT frame ``i`` is centred on ``i * hop / sr`` (the
CQT's analysis window is centred there), so it covers ``[i - 1/2, i + 1/2) * hop / sr`` and an
onset shows where the playhead hears it; output frame ``i`` of the heads describes the chord at
the end of feature frame ``i``'s span, so it covers ``[i + 1/2, i + 3/2) * hop / sr`` (see
:mod:`chordview.contract`) and a lane's colour changes where the decoded chord track changes.
:class:`Timeline` stacks the
lanes, links their x axes and turns mouse gestures into seek / loop-selection / hover signals.
Views only read the session: which chord-tag rows it holds is the controller's choice.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont

from chordview.theory import PITCH_CLASSES, QUALITIES, is_note, musician, pitch_class

from .chords import ChordTrackItem
from .session import TITLES

LEFT_AXIS_WIDTH = 64
PLAYHEAD_PEN = pg.mkPen("#ff4040", width=2)
PROB_CMAP = "viridis"
CQT_CMAP = "magma"
#: Seconds across the detailed view when a song opens (the whole song when it is shorter).
OPENING_SPAN = 30.0


def note_name(midi: int) -> str:
    """``60 -> 'C4'``."""
    return f"{PITCH_CLASSES[midi % 12]}{midi // 12 - 1}"


class TimeViewBox(pg.ViewBox):
    """Left click seeks, left drag selects a loop region; wheel zooms time, right drag pans."""

    def __init__(self, timeline: Timeline, lane: str):
        super().__init__(enableMenu=False)
        self.timeline, self.lane = timeline, lane
        self.setMouseEnabled(x=True, y=False)
        self._drag_start: float | None = None

    def mouseClickEvent(self, ev):
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            self.timeline.seekRequested.emit(float(self.mapSceneToView(ev.scenePos()).x()))
        else:
            super().mouseClickEvent(ev)

    def mouseDragEvent(self, ev, axis=None):
        if (
            ev.button() != Qt.MouseButton.LeftButton
            or ev.modifiers() & Qt.KeyboardModifier.ShiftModifier
        ):
            if ev.button() == Qt.MouseButton.RightButton:  # right drag pans in time
                ev.accept()
                delta = (
                    self.mapSceneToView(ev.lastScenePos()).x()
                    - self.mapSceneToView(ev.scenePos()).x()
                )
                self.translateBy(x=delta)
                return
            return super().mouseDragEvent(ev, axis)
        ev.accept()
        t = float(self.mapSceneToView(ev.scenePos()).x())
        if ev.isStart():
            self._drag_start = float(self.mapSceneToView(ev.buttonDownScenePos()).x())
        if self._drag_start is None:
            return
        a, b = sorted((self._drag_start, t))
        self.timeline.regionSelected.emit(a, b, bool(ev.isFinish()))
        if ev.isFinish():
            self._drag_start = None


class RowAxis(pg.AxisItem):
    """A left axis that labels as many rows as fit and never draws two labels on top of each
    other: major labels first, then every minor one with room (pyqtgraph alone drops a whole
    level of labels once they would fill a fifth of the axis, and draws every major label even
    where rows are too thin for them)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setStyle(textFillLimits=[(0, float("inf"))])  # the overlap test below decides

    def generateDrawSpecs(self, p):  # noqa: N802 - Qt/pyqtgraph naming
        specs = super().generateDrawSpecs(p)
        if specs is None:
            return None
        axis, ticks, texts = specs
        kept: list = []
        for rect, flags, text in texts:
            if not any(rect.intersects(other) for other, _, _ in kept):
                kept.append((rect, flags, text))
        return axis, ticks, kept


class Lane:
    """One view: a plot with a playhead and a loop region; ``seek(t)`` moves the playhead."""

    def __init__(self, timeline: Timeline, name: str, title: str):
        self.name = name
        self.box = TimeViewBox(timeline, name)
        self.plot = pg.PlotItem(viewBox=self.box, axisItems={"left": RowAxis("left")})
        self.plot.hideButtons()
        self.plot.setMenuEnabled(False)
        left = self.plot.getAxis("left")
        left.setWidth(LEFT_AXIS_WIDTH)
        left.setLabel(title)
        left.setStyle(tickLength=-3)
        self.plot.getAxis("bottom").setStyle(showValues=False, tickLength=-3)
        self.playhead = pg.InfiniteLine(0.0, angle=90, pen=PLAYHEAD_PEN, movable=False)
        self.playhead.setZValue(20)
        self.region = pg.LinearRegionItem(
            (0, 0), movable=False, brush=QColor(255, 255, 255, 45), pen=pg.mkPen("#ffffff80")
        )
        self.region.setZValue(15)
        self.region.hide()
        self.plot.addItem(self.playhead, ignoreBounds=True)
        self.plot.addItem(self.region, ignoreBounds=True)
        self.image: pg.ImageItem | None = None
        self.separators: list[pg.InfiniteLine] = []

    def seek(self, t: float) -> None:
        """Move the playhead to ``t`` seconds."""
        self.playhead.setValue(t)

    @property
    def cursor(self) -> float:
        """Playhead position in seconds."""
        return float(self.playhead.value())

    def show_region(self, region: tuple[float, float] | None) -> None:
        """Shade the loop region (None hides it)."""
        if region is None:
            self.region.hide()
        else:
            self.region.setRegion(region)
            self.region.show()

    def set_image(
        self,
        data: np.ndarray,
        *,
        duration: float,
        y0: float,
        height: float,
        levels,
        cmap,
        x0: float = 0.0,
    ):
        """Draw ``data`` ``(n_frames, n_rows)`` over ``[x0, x0 + duration] x [y0, y0 + height]``;
        the view stays within ``[0, duration]``."""
        if self.image is None:
            self.image = pg.ImageItem(axisOrder="col-major", autoDownsample=True)
            self.plot.addItem(self.image)
        self.image.setImage(data, levels=levels, autoLevels=False)
        self.image.setColorMap(pg.colormap.get(cmap))
        self.image.setRect(QRectF(x0, y0, duration, height))
        self.plot.setLimits(xMin=0, xMax=max(duration, 1e-3), yMin=y0, yMax=y0 + height)
        self.plot.setYRange(y0, y0 + height, padding=0)

    def set_row_ticks(self, labels: list[tuple[float, str]], minor: list[tuple[float, str]] = ()):
        """Label rows on the left axis (major ticks always shown, minor when there is room)."""
        self.plot.getAxis("left").setTicks([list(labels), list(minor)])


class Timeline(pg.GraphicsLayoutWidget):
    """All lanes stacked on one time axis.

    Signals
    -------
    seekRequested(float)
        A click asked to move the cursor to a time (seconds).
    regionSelected(float, float, bool)
        A drag selected ``[start, end]`` seconds; the flag is True when the drag ended.
    hovered(float, str, object)
        Time, lane name and row index (-1 where a lane has no rows) under the pointer.
    """

    seekRequested = Signal(float)
    regionSelected = Signal(float, float, bool)
    hovered = Signal(float, str, int)

    ORDER = tuple(TITLES)
    STRETCH = {"cqt": 13, "pitch": 13, "root": 13, "bass": 13, "tag": 25, "chords": 5}

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setBackground("#15161a")
        self.ci.setSpacing(2)
        self.ci.setContentsMargins(4, 4, 8, 4)
        self.session = None
        self.notation = "musician"
        self.follow = True
        self.lanes: dict[str, Lane] = {}
        for row, name in enumerate(self.ORDER):
            lane = Lane(self, name, TITLES[name])
            self.lanes[name] = lane
            self.ci.addItem(lane.plot, row=row, col=0)
            self.ci.layout.setRowStretchFactor(row, self.STRETCH[name])
            if name != "cqt":
                lane.plot.setXLink(self.lanes["cqt"].plot)
        for name in self.ORDER[:-1]:  # one time axis, under the chord track: less to paint
            self.lanes[name].plot.hideAxis("bottom")
        bottom = self.lanes["chords"].plot.getAxis("bottom")
        bottom.setStyle(showValues=True)
        bottom.setLabel("time (s)")  # always seconds: no SI prefix (ms, ks) however it zooms
        bottom.enableAutoSIPrefix(False)
        self.colorbar = pg.ColorBarItem(
            values=(-80, 0),
            colorMap=pg.colormap.get(CQT_CMAP),
            label="dB",
            width=14,
            interactive=False,
            colorMapMenu=False,
        )
        self.ci.addItem(self.colorbar, row=0, col=1)
        self.prob_bar = pg.ColorBarItem(
            values=(0, 1),
            colorMap=pg.colormap.get(PROB_CMAP),
            label="probability",
            width=14,
            interactive=False,
            colorMapMenu=False,
        )
        self.ci.addItem(self.prob_bar, row=1, col=1, rowspan=4)
        self.chords = ChordTrackItem()
        chord_plot = self.lanes["chords"].plot
        chord_plot.addItem(self.chords)
        chord_plot.getAxis("left").setTicks([[]])
        chord_plot.setYRange(0, 1, padding=0)
        self.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self._style_axes()

    def _style_axes(self) -> None:
        font, small = QFont(), QFont()
        font.setPointSize(8)
        small.setPointSize(7)  # 12-13 row labels must fit lanes of ~10 px per row
        for name, lane in self.lanes.items():
            for side in ("left", "bottom"):
                axis = lane.plot.getAxis(side)
                axis.setTickFont(small if side == "left" and name != "cqt" else font)
                axis.setTextPen("#c8c8c8")
                axis.setPen("#606060")

    # -- data ----------------------------------------------------------------------------------
    def set_session(self, session) -> None:
        """Draw a session's CQT, lanes and chords (the rows it holds), and show its first
        :data:`OPENING_SPAN` seconds (chords wide enough to name); the session is only read."""
        self.session = session
        a = session.analysis
        end = session.frames_end
        grid = a.grid
        levels = session.levels
        n_bins = a.cqt.shape[1]
        midi0 = grid.midi_min  # the lowest bin's centre
        half = 0.5 / grid.bins_per_semitone
        cqt_lane = self.lanes["cqt"]
        cqt_lane.set_image(
            a.cqt,
            duration=end,
            y0=midi0 - half,
            height=n_bins / grid.bins_per_semitone,
            levels=levels,
            cmap=CQT_CMAP,
            x0=session.cqt_offset,
        )
        top = int(midi0 + n_bins / grid.bins_per_semitone)
        cqt_lane.set_row_ticks(
            [(m, note_name(m)) for m in range(int(midi0), top + 1, 12)],
            [(m, note_name(m)) for m in range(int(midi0), top + 1) if m % 12 in (4, 7)],
        )
        self.colorbar.setLevels(levels)
        low, high = levels  # ticks every 20 dB, none at the bar's ends where text is cut
        steps = range(int(high) // 20 * 20, int(low), -20)
        self.colorbar.axis.setTicks([[(v, str(v)) for v in steps if low + 4 < v <= high]])
        self.colorbar.setImageItem(cqt_lane.image)
        for name in ("pitch", "root", "bass", "tag"):
            self.draw_lane(name)
        self.chords.set_segments(session.segments, key=session.key, notation=self.notation)
        self.lanes["chords"].plot.setLimits(xMin=0, xMax=max(end, 1e-3))
        self.lanes["cqt"].plot.setXRange(0, min(end, OPENING_SPAN), padding=0)
        for lane in self.lanes.values():
            lane.seek(0.0)
            lane.show_region(None)

    def draw_lane(self, name: str) -> None:
        """(Re)draw one head lane from the session (after the controller chose its rows, too)."""
        session = self.session
        data = session.lanes[name]
        self.lanes[name].set_image(
            data,
            duration=session.frames_end,
            y0=0.0,
            height=data.shape[1],
            levels=(0.0, 1.0),
            cmap=PROB_CMAP,
            x0=session.output_offset,
        )
        self._label_rows(name, session.row_labels[name])

    def chord_name(self, label: str) -> str:
        """A chord as this view writes it: for musicians, spelled in the song's key, or Harte."""
        if self.notation == "harte" or self.session is None:
            return label
        return musician(label, key=self.session.key)

    def note_name(self, name: str) -> str:
        """A pitch class as this view writes it: spelled in the song's key for musicians (Bb in
        F major, not A#), as the model names it otherwise; ``N`` stays."""
        if self.notation == "harte" or self.session is None or not is_note(name):
            return name
        return self.session.key.spell(pitch_class(name))

    def set_notation(self, notation: str) -> None:
        """Write chord names in ``notation`` (``'musician'`` or ``'harte'``) from now on."""
        self.notation = notation
        if self.session is not None:
            self.chords.set_segments(self.session.segments, key=self.session.key, notation=notation)
            for lane in ("pitch", "root", "bass", "tag"):
                self._label_rows(lane, self.session.row_labels[lane])

    def _label_rows(self, name: str, labels: list[str]) -> None:
        lane = self.lanes[name]
        for line in lane.separators or []:
            lane.plot.removeItem(line)
        lane.separators = []
        ticks = [(i + 0.5, lab) for i, lab in enumerate(labels)]
        if name != "tag":  # naturals and N always labelled; the others when there is room
            lane.set_row_ticks(
                [(y, self.note_name(lab)) for y, lab in ticks if lab in "CDEFGAB"],
                [(y, self.note_name(lab)) for y, lab in ticks if lab not in "CDEFGAB"],
            )
            return
        if self.session.tag_compact:  # the chords that win frames always; the rest with room
            present = self.session.tag_present
            lane.set_row_ticks(
                [(y, self.chord_name(lab)) for y, lab in ticks if lab in present],
                [(y, self.chord_name(lab)) for y, lab in ticks if lab not in present],
            )
            roots = [lab.split(":")[0] for lab in labels]
            edges = [i for i in range(1, len(roots)) if roots[i] != roots[i - 1]]
        else:
            n_q = len(QUALITIES)
            groups = [
                (r * n_q + n_q / 2, PITCH_CLASSES[r]) for r in range(12) if r * n_q < len(labels)
            ]
            extra = [t for t in ticks if t[1] in ("N", "X")]
            lane.set_row_ticks(groups + extra[:1], extra[1:])
            edges = [r * n_q for r in range(1, 13)]
        for edge in edges:  # separators between root groups
            line = pg.InfiniteLine(edge, angle=0, pen=pg.mkPen("#ffffff30", width=1))
            lane.plot.addItem(line, ignoreBounds=True)
            lane.separators.append(line)

    # -- time ----------------------------------------------------------------------------------
    def seek(self, t: float) -> None:
        """Move every playhead to ``t``; in follow mode keep it in view."""
        for lane in self.lanes.values():
            lane.seek(t)
        if self.follow and self.session is not None:
            x0, x1 = self.lanes["cqt"].plot.viewRange()[0]
            width = x1 - x0
            if t < x0 or t > x0 + 0.9 * width:
                start = min(max(0.0, t - 0.1 * width), max(0.0, self.session.frames_end - width))
                self.lanes["cqt"].plot.setXRange(start, start + width, padding=0)

    def show_region(self, region: tuple[float, float] | None) -> None:
        """Shade the loop region in every lane."""
        for lane in self.lanes.values():
            lane.show_region(region)

    def zoom(self, factor: float) -> None:
        """Zoom the time axis around the playhead (factor < 1 zooms in)."""
        plot = self.lanes["cqt"].plot
        x0, x1 = plot.viewRange()[0]
        c = self.lanes["cqt"].cursor
        plot.setXRange(c - (c - x0) * factor, c + (x1 - c) * factor, padding=0)

    def show_all(self) -> None:
        """Show the whole song."""
        if self.session is not None:
            self.lanes["cqt"].plot.setXRange(0, self.session.frames_end, padding=0)

    def _on_mouse_moved(self, pos: QPointF) -> None:
        for name, lane in self.lanes.items():
            if lane.box.sceneBoundingRect().contains(pos):
                p = lane.box.mapSceneToView(pos)
                row = -1
                if name == "cqt" and self.session is not None:
                    row = int(self.session.analysis.grid.midi_to_bin(p.y()))
                elif name in ("pitch", "root", "bass", "tag"):
                    row = int(np.floor(p.y()))
                self.hovered.emit(float(p.x()), name, row)
                return
