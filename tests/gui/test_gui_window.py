"""The window analyses a song in a worker and every view draws it on one time axis."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from chordview.decode import Segment
from chordview.theory import musician
from chordview.vocab import PITCH_CLASSES, QUALITIES


def test_analysis_fills_every_lane(window, song, open_song):
    session = open_song(window, song)
    a = session.analysis
    n = a.n_frames
    assert n > 0 and window.session is session
    lanes = window.timeline.lanes
    assert lanes["cqt"].image.image.shape == (n, 216)
    # CQT frame i is centred on i hops, so it spans [i - 1/2, i + 1/2) hops
    rect = lanes["cqt"].image.mapRectToParent(lanes["cqt"].image.boundingRect())
    assert rect.left() == pytest.approx(-0.5 * a.hop_length / a.sr)
    assert rect.width() == pytest.approx(session.frames_end)
    widths = {"pitch": 12, "root": 13, "bass": 13, "tag": len(session.tag_order)}
    for name, width in widths.items():
        assert lanes[name].image.image.shape == (n, width), name
        rect = lanes[name].image.mapRectToParent(lanes[name].image.boundingRect())
        # output frame i spans [i + 1/2, i + 3/2) hops, where the decoded chords put it
        assert rect.left() == pytest.approx(0.5 * a.hop_length / a.sr)
        assert rect.width() == pytest.approx(session.frames_end)
        assert rect.height() == pytest.approx(width)
    assert session.row_labels["pitch"] == list(PITCH_CLASSES)
    assert session.row_labels["root"] == [*PITCH_CLASSES, "N"]
    # compact chord-tag lane: the classes that reach 5% somewhere, plus N, in grid order
    probs, names = a.outputs["chord_tag"], a.vocabulary["chord_tag"]
    tags = session.row_labels["tag"]
    active = {names[i] for i in np.flatnonzero(probs.max(axis=0) >= 0.05)} | {"N"}
    best = {names[i] for i in np.unique(probs.argmax(axis=1))}  # the frame-wise winners
    assert set(tags) == active | best and len(tags) < 170
    grid = [f"{r}:{q}" for r in PITCH_CLASSES for q in QUALITIES] + ["N", "X"]
    assert tags == [t for t in grid if t in set(tags)]
    _assert_tag_lane_matches_head(session)
    # View > Chord tag: all 170 classes, 12 roots x 14 qualities, then N and X
    window.all_tags_action.trigger()
    tags = session.row_labels["tag"]
    assert lanes["tag"].image.image.shape == (n, 170)
    assert tags[:14] == [f"C:{q}" for q in QUALITIES]
    assert tags[14] == "C#:maj" and tags[-2:] == ["N", "X"]
    _assert_tag_lane_matches_head(session)
    window.all_tags_action.trigger()
    assert lanes["tag"].image.image.shape == (n, len(active | best))
    assert window.timeline.chords.segments == a.segments
    assert window.export_menu.isEnabled()
    assert "tiny" in window.transport.model_label.full_text  # "tiny · CPU"


def _assert_tag_lane_matches_head(session) -> None:
    """Each row of the tag lane is its class's column of the head output, unchanged."""
    a = session.analysis
    for row, name in enumerate(session.row_labels["tag"]):
        column = a.outputs["chord_tag"][:, a.vocabulary["chord_tag"].index(name)]
        np.testing.assert_array_equal(session.lanes["tag"][:, row], column)


def _scene_point(window, lane: str, t: float) -> QPointF:
    box = window.timeline.lanes[lane].box
    y_mid = box.viewRect().center().y()
    return box.mapViewToScene(QPointF(t, y_mid))


@pytest.mark.parametrize("lane", ["cqt", "tag", "chords"])
def test_click_seeks_and_every_cursor_moves(window, song, open_song, qtbot, lane):
    open_song(window, song)
    scene = _scene_point(window, lane, 5.0)
    view_pos = window.timeline.mapFromScene(scene)
    qtbot.mouseClick(window.timeline.viewport(), Qt.MouseButton.LeftButton, pos=view_pos)
    qtbot.waitUntil(lambda: abs(window.time - 5.0) < 0.1, timeout=2000)
    for name, view in window.timeline.lanes.items():
        assert view.cursor == pytest.approx(window.time), name
    assert window.player.position == pytest.approx(window.time, abs=1 / 44100)


def test_hover_names_time_chord_and_top_tags(window, song, open_song):
    session = open_song(window, song)
    window.timeline._on_mouse_moved(_scene_point(window, "tag", 3.0))
    text = window.hover.text()
    assert text.lstrip().startswith("3.0") or " 2.9" in text or " 3.0" in text
    assert "top tags:" in text and text.count(",") >= 2
    label = session.segment_at(3.0).label  # the musician's name in the key, then Harte
    assert f"chord {musician(label, key=session.key)} ({label}, " in text
    assert "root" in text and "bass" in text and "[chord tag" in text


def test_keys_step_by_chord_and_jump_to_ends(window, song, open_song, qtbot):
    session = open_song(window, song)
    session.analysis.segments = [
        Segment(0.0, 2.0, "C:maj", 0.9),
        Segment(2.0, 4.0, "F:maj", 0.8),
        Segment(4.0, 6.0, "G:maj", 0.7),
        Segment(6.0, 8.0, "C:maj", 0.9),
    ]
    window.setFocus()
    steps = [
        (Qt.Key.Key_Right, 2.0),
        (Qt.Key.Key_Right, 4.0),
        (Qt.Key.Key_Left, 2.0),
        (Qt.Key.Key_End, session.duration),
        (Qt.Key.Key_Home, 0.0),
    ]
    for key, expected in steps:
        qtbot.keyClick(window, key)
        assert window.time == pytest.approx(expected), key
        assert window.timeline.lanes["pitch"].cursor == pytest.approx(expected)


def test_drag_selection_sets_the_loop(window, song, open_song):
    open_song(window, song)
    window.timeline.regionSelected.emit(1.0, 2.5, False)
    assert window.loop is None  # still dragging
    window.timeline.regionSelected.emit(1.0, 2.5, True)
    assert window.loop == (1.0, 2.5)
    assert window.player.loop == pytest.approx((1.0, 2.5), abs=1e-4)
    assert window.time == pytest.approx(1.0)
    assert window.timeline.lanes["bass"].region.isVisible()
    window.set_loop(None)
    assert window.player.loop is None and not window.timeline.lanes["bass"].region.isVisible()


def test_recent_files_and_drop(window, song, open_song, qtbot, tmp_path):
    from PySide6.QtCore import QMimeData, QUrl
    from PySide6.QtGui import QDropEvent

    open_song(window, song)
    assert window.recent.paths()[0] == str(song.resolve())
    actions = [a for a in window.recent.menu.actions() if song.name in a.text()]
    assert actions
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(song))])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    with qtbot.waitSignal(window.sessionReady, timeout=60_000):
        window.dropEvent(event)


def test_recent_files_survive_a_restart(window, song, open_song, qtbot, tmp_path):
    """The list reaches the settings file (written off the GUI thread) and a new process reads it."""
    import subprocess
    import sys

    open_song(window, song)
    ini = tmp_path / "settings.ini"
    qtbot.waitUntil(lambda: ini.exists() and song.name in ini.read_text(), timeout=5000)
    code = (
        "import sys; from PySide6.QtCore import QSettings; "
        "v = QSettings(sys.argv[1], QSettings.Format.IniFormat).value('recent'); "
        "print(v if isinstance(v, str) else v[0])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(ini)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert out.stdout.strip() == str(song.resolve())
