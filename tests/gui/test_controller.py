"""The app controller without a window: its signals, what a failed or cancelled load keeps, and
views that only read the session they draw."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture
def controller(qtbot, tiny_bundle, tmp_path):
    """An :class:`AppController` on the tiny model, with private settings and no window."""
    from PySide6.QtCore import QSettings

    from chordview.gui.launch import application

    application()
    from chordview.gui.controller import AppController

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    c = AppController(model=str(tiny_bundle), settings=settings)
    notices = []
    c.notice.connect(lambda *m: notices.append(m))
    c.notices = notices
    yield c
    c.shutdown()
    c.deleteLater()
    qtbot.wait(10)


def _load(qtbot, controller, path):
    with qtbot.waitSignal(controller.sessionChanged, timeout=90_000) as blocker:
        assert controller.open_file(path)
    return blocker.args[0]


def _rows(session) -> dict:
    """What a view could change: the rows and images of every lane."""
    return {
        "order": None if session.tag_order is None else session.tag_order.tolist(),
        "labels": {k: list(v) for k, v in session.row_labels.items()},
        "lanes": {k: v.copy() for k, v in session.lanes.items()},
        "present": set(session.tag_present),
        "compact": session.tag_compact,
    }


def _assert_same(a: dict, b: dict) -> None:
    assert a["order"] == b["order"] and a["labels"] == b["labels"]
    assert a["present"] == b["present"] and a["compact"] == b["compact"]
    assert a["lanes"].keys() == b["lanes"].keys()
    for name in a["lanes"]:
        np.testing.assert_array_equal(a["lanes"][name], b["lanes"][name])


def test_state_changes_emit_their_signals(controller, qtbot, song, tiny_bundle):
    c = controller
    with qtbot.waitSignal(c.modelChanged) as blocker:
        c.model = "unet"
    assert blocker.args == ["unet"] and c.model == "unet"
    c.model = str(tiny_bundle)
    with qtbot.assertNotEmitted(c.analysisStarted), qtbot.waitSignal(c.fastChanged) as blocker:
        c.set_fast(True)  # no song yet: remembered, nothing to analyse
    assert blocker.args == [True] and c.settings.value("analysis/fast", type=bool)
    with qtbot.assertNotEmitted(c.fastChanged):
        c.set_fast(True)
    c.set_fast(False)
    c.seek(3.0)  # no song: nothing moves
    assert c.time == 0.0

    started = []
    c.analysisStarted.connect(started.append)
    running = []
    c.runningChanged.connect(running.append)
    times = []
    c.timeChanged.connect(times.append)
    session = _load(qtbot, c, song)
    assert started == [song] and running == [True, False] and c.runner is None
    assert c.session is session and c.path == song and times[-1] == 0.0
    with qtbot.waitSignal(c.timeChanged) as blocker:
        c.seek(2.5)
    assert blocker.args == [pytest.approx(2.5)] and c.time == pytest.approx(2.5)
    c.seek(-4.0)
    assert c.time == 0.0
    c.seek_end()
    assert c.time == pytest.approx(session.duration)

    with qtbot.waitSignal(c.loopChanged) as blocker:
        c.set_loop((1.0, 2.0))
    assert blocker.args == [(1.0, 2.0)] and c.player.loop == pytest.approx((1.0, 2.0), abs=1e-4)
    selections = []
    c.selectionChanged.connect(selections.append)
    with qtbot.assertNotEmitted(c.loopChanged):
        c.select_region(-1.0, 1.5, finished=False)  # still dragging: only the shading moves
    assert selections == [(0.0, 1.5)] and c.loop == (1.0, 2.0)
    with qtbot.waitSignal(c.loopChanged) as blocker:
        c.select_region(0.5, 1.5, finished=True)
    assert c.loop == (0.5, 1.5) and c.time == pytest.approx(0.5)
    with qtbot.waitSignal(c.loopChanged) as blocker:
        c.select_region(1.0, 1.01, finished=True)  # a click-sized drag clears the loop
    assert blocker.args == [None] and c.loop is None and c.player.loop is None

    with qtbot.waitSignal(c.tagRowsChanged):
        c.set_tag_compact(False)
    assert len(session.row_labels["tag"]) == 170 and not session.tag_compact
    with qtbot.assertNotEmitted(c.tagRowsChanged):
        c.set_tag_compact(False)
    c.set_tag_compact(True)
    assert session.tag_compact

    with qtbot.waitSignal(c.modelChanged), qtbot.waitSignal(c.sessionChanged, timeout=90_000):
        c.select_model(str(tiny_bundle))  # a new model re-analyses the song
    assert c.session is not session and c.path == song


def test_a_new_session_gets_the_chosen_tag_rows(controller, qtbot, song):
    controller.set_tag_compact(False)  # chosen before any song
    session = _load(qtbot, controller, song)
    assert len(session.row_labels["tag"]) == 170


def test_a_failed_load_keeps_the_previous_song(controller, qtbot, song, tmp_path):
    c = controller
    session = _load(qtbot, c, song)
    bad = tmp_path / "broken.wav"
    bad.write_bytes(b"RIFF\x10\x00\x00\x00WAVEfmt garbage" * 10)
    with qtbot.waitSignal(c.analysisFailed, timeout=60_000) as blocker:
        assert c.open_file(bad)
        assert c.pending == bad and c.path == song  # analysing: not current yet
    assert "broken.wav" in blocker.args[0]
    assert c.path == song and c.session is session and c.pending is None
    with qtbot.waitSignal(c.sessionChanged, timeout=90_000):
        c.start_analysis()  # "the current song" is still the good one
    assert c.path == song


def test_a_missing_file_is_a_notice_and_changes_nothing(controller, qtbot, song, tmp_path):
    c = controller
    session = _load(qtbot, c, song)
    with qtbot.assertNotEmitted(c.analysisStarted):
        assert not c.open_file(tmp_path / "nope.wav")
    assert c.notices[-1][1] == "Open" and "no such file" in c.notices[-1][2]
    assert c.path == song and c.session is session and c.runner is None


def test_a_cancelled_load_keeps_the_previous_song(controller, qtbot, song, make_song):
    c = controller
    session = _load(qtbot, c, song)
    long = make_song(repeats=4)
    running = []
    c.runningChanged.connect(running.append)
    with qtbot.waitSignal(c.analysisCancelled, timeout=30_000):
        c.open_file(long)
        c.cancel_analysis()
    assert c.path == song and c.session is session and c.runner is None and c.pending is None
    assert running == [True, False]
    qtbot.wait(200)
    assert c.session is session


def test_a_replaced_load_delivers_only_the_newest(controller, qtbot, song, make_song):
    c = controller
    _load(qtbot, c, song)
    long = make_song(repeats=4)
    sessions = []
    c.sessionChanged.connect(sessions.append)
    with qtbot.waitSignal(c.sessionChanged, timeout=90_000):
        c.open_file(long)
        c.open_file(song)  # the first is cancelled, the second delivers
    qtbot.wait(300)
    assert len(sessions) == 1 and c.path == song and c.session is sessions[0]


def test_views_never_change_the_session_they_draw(controller, qtbot, song):
    from chordview.gui.views import Timeline

    session = _load(qtbot, controller, song)
    for compact in (False, True):
        controller.set_tag_compact(compact)
        before = _rows(session)
        timeline = Timeline()
        timeline.set_session(session)
        timeline.seek(2.0)
        timeline.show_all()
        timeline.draw_lane("tag")
        _assert_same(before, _rows(session))
        assert timeline.lanes["tag"].image.image.shape[1] == len(session.row_labels["tag"])
        timeline.close()


def test_lane_titles_live_in_one_place():
    from chordview.gui.session import LANES, TITLES
    from chordview.gui.views import Timeline

    assert Timeline.ORDER == tuple(TITLES)
    assert not hasattr(Timeline, "TITLES")
    assert {name: title for name, (_, title) in LANES.items()} == {k: TITLES[k] for k in LANES}


def test_the_window_keeps_its_title_after_a_failed_load(window, song, open_song, qtbot, tmp_path):
    open_song(window, song)
    title = window.windowTitle()
    assert title.startswith(song.name)
    bad = tmp_path / "broken.wav"
    bad.write_bytes(b"RIFF\x10\x00\x00\x00WAVEfmt garbage" * 10)
    with qtbot.waitSignal(window.analysisFailed, timeout=60_000):
        window.open_file(bad)
        assert window.windowTitle() == title  # analysing: still the old song
    assert window.windowTitle() == title and window.path == song
    assert window.controller.session is window.session is window.timeline.session
