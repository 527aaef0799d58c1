"""Long songs stay readable: the overview strip, the opening zoom, following the playhead.

A 10-minute session is built from a synthetic analysis (no audio is analysed): chords of 2-4 s,
silent audio for the player.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QFontMetrics, QMouseEvent
from PySide6.QtWidgets import QApplication

from chordview.analysis import Analysis
from chordview.bundle import default_vocabulary
from chordview.decode import Segment
from chordview.gui.chords import short_labels
from chordview.gui.session import Session
from chordview.gui.views import OPENING_SPAN

SR, HOP = 44100, 4096
#: A I-vi-IV-V loop in C with a seventh and an inversion.
LOOP = ("C:maj", "A:min7", "F:maj/3", "G:7")


def long_session(seconds: float = 600.0, *, seed: int = 0) -> Session:
    """A session of ``seconds`` of silent audio whose chords last 2-4 s each."""
    rng = np.random.default_rng(seed)
    vocab = default_vocabulary()
    n = int(seconds * SR / HOP)
    outputs = {}
    for head, names in vocab.items():
        p = rng.random((n, len(names)), dtype=np.float32)
        outputs[head] = p / p.sum(axis=1, keepdims=True)
    segments, t, i = [], 0.0, 0
    while t < seconds:
        end = min(seconds, t + float(rng.uniform(2.0, 4.0)))
        segments.append(Segment(t, end, LOOP[i % len(LOOP)], 0.9))
        t, i = end, i + 1
    analysis = Analysis(
        outputs=outputs,
        cqt=rng.uniform(-80, 0, (n, 216)).astype(np.float32),
        segments=segments,
        sr=SR,
        hop_length=HOP,
        duration=seconds,
        model={"name": "synthetic", "device": "CPU"},
        vocabulary=vocab,
        timings={"network": 1.0},
        path=Path("long.wav"),
    )
    return Session.from_analysis(analysis, y=np.zeros(int(seconds * SR), np.float32), sr=SR)


@pytest.fixture(scope="module")
def ten_minutes() -> Session:
    return long_session()


def show_session(window, session: Session, qtbot) -> None:
    """Make ``session`` the window's current song, as a finished analysis does."""
    c = window.controller
    c.path, c.session = Path("long.wav"), session
    c.player.set_audio(session.y, session.sr)
    c.sessionChanged.emit(session)
    c.seek(0.0)
    qtbot.wait(20)


def visible(window) -> tuple[float, float]:
    x0, x1 = window.timeline.lanes["cqt"].plot.viewRange()[0]
    return float(x0), float(x1)


def test_a_long_song_opens_at_a_readable_zoom(window, ten_minutes, qtbot):
    show_session(window, ten_minutes, qtbot)
    x0, x1 = visible(window)
    assert x0 == pytest.approx(0.0, abs=0.01)
    assert x1 - x0 == pytest.approx(OPENING_SPAN, rel=0.05)
    # most chord boxes in view are wide enough for a label (not crushed into slivers)
    track = window.timeline.chords
    box = window.timeline.lanes["chords"].box
    px_per_s = box.width() / (x1 - x0)
    metrics = QFontMetrics(track._font)
    shown = [s for s in ten_minutes.segments if s.end > x0 and s.start < x1]
    labelled = [
        s
        for s in shown
        if any(
            metrics.horizontalAdvance(t) + 4 <= (min(s.end, x1) - max(s.start, x0)) * px_per_s
            for t in short_labels(s.label)
        )
    ]
    assert len(shown) >= 8
    assert len(labelled) >= 0.8 * len(shown), (len(labelled), len(shown))
    # the overview holds the whole song, with the window on the visible range
    ov = window.overview
    assert len(ov.strip.segments) == len(ten_minutes.segments)
    assert ov.getPlotItem().viewRange()[0][1] == pytest.approx(600.0, rel=0.01)
    assert ov.visible == pytest.approx((x0, x1), abs=0.05)


def test_a_short_song_opens_whole(window, song, open_song):
    session = open_song(window, song)
    x0, x1 = visible(window)
    assert (x0, x1) == pytest.approx((0.0, session.frames_end), abs=0.01)


def _drag(widget, points) -> None:
    """A left-button drag through ``points`` (widget pixels), as real mouse events."""
    viewport = widget.viewport()
    buttons = Qt.MouseButton.LeftButton
    none = Qt.KeyboardModifier.NoModifier
    first, *rest = points
    kinds = [(QEvent.Type.MouseButtonPress, first)]
    kinds += [(QEvent.Type.MouseMove, p) for p in rest]
    kinds += [(QEvent.Type.MouseButtonRelease, rest[-1])]
    for kind, p in kinds:
        pos = QPointF(p)
        held = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseButtonRelease else buttons
        event = QMouseEvent(kind, pos, viewport.mapToGlobal(pos), buttons, held, none)
        QApplication.sendEvent(viewport, event)
        QApplication.processEvents()


def _pixel(overview, t: float) -> QPointF:
    scene = overview.box.mapViewToScene(QPointF(t, 0.5))
    return QPointF(overview.mapFromScene(scene))


def test_dragging_the_overview_window_pans_the_timeline(window, ten_minutes, qtbot):
    show_session(window, ten_minutes, qtbot)
    ov = window.overview
    start = _pixel(ov, 15.0)  # the middle of the window over [0, 30]
    target = _pixel(ov, 315.0)
    steps = [start + (target - start) * (k / 10) for k in range(11)]
    _drag(ov, steps)
    x0, x1 = visible(window)
    assert x0 == pytest.approx(300.0, abs=8.0)
    assert x1 - x0 == pytest.approx(OPENING_SPAN, rel=0.05)  # panned, not zoomed
    assert ov.visible == pytest.approx((x0, x1), abs=0.05)


def test_the_timeline_range_moves_the_overview_window(window, ten_minutes, qtbot):
    show_session(window, ten_minutes, qtbot)
    window.timeline.lanes["cqt"].plot.setXRange(200.0, 260.0, padding=0)
    assert window.overview.visible == pytest.approx((200.0, 260.0), abs=0.05)
    window.timeline.show_all()
    assert window.overview.visible == pytest.approx((0.0, ten_minutes.frames_end), abs=0.05)


def test_the_overview_shows_the_playhead_and_a_click_seeks(window, ten_minutes, qtbot):
    show_session(window, ten_minutes, qtbot)
    window.seek(123.0)
    assert window.overview.playhead.value() == pytest.approx(123.0)
    qtbot.mouseClick(
        window.overview.viewport(),
        Qt.MouseButton.LeftButton,
        pos=_pixel(window.overview, 450.0).toPoint(),
    )
    qtbot.waitUntil(lambda: abs(window.time - 450.0) < 3.0, timeout=2000)
    assert window.overview.playhead.value() == pytest.approx(window.time)


def test_the_view_follows_the_playhead_while_playing(pulse, make_window, ten_minutes, qtbot):
    window = make_window()
    assert window.player.available, window.player.problem
    show_session(window, ten_minutes, qtbot)
    window.seek(26.0)
    assert visible(window)[0] == pytest.approx(0.0, abs=0.01)
    window.toggle_play()
    try:
        qtbot.waitUntil(lambda: window.time > 28.0, timeout=15000)
    finally:
        window.player.stop()
    x0, x1 = visible(window)
    assert x0 < window.time < x1 and x0 > 20.0, (x0, x1, window.time)
    assert x1 - x0 == pytest.approx(OPENING_SPAN, rel=0.05)
    assert window.overview.visible == pytest.approx((x0, x1), abs=0.05)
