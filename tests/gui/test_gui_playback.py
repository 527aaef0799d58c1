"""Playback through a real PulseAudio null sink: the cursor follows the audio clock."""

from __future__ import annotations

import time

import pytest


@pytest.fixture
def playing_window(pulse, make_window, song, open_song):
    window = make_window()
    assert window.player.available, window.player.problem
    open_song(window, song)
    yield window
    window.player.stop()


@pytest.mark.gui_timing  # quarantined: flaky on 2 cores (see pyproject markers)
def test_cursor_follows_samples_consumed(playing_window, qtbot):
    window = playing_window
    window.toggle_play()
    assert window.player.playing
    # a loaded machine may hold the sink back for a moment before it starts consuming
    qtbot.waitUntil(lambda: window.player.samples_consumed > 0.2 * window.player.sr, timeout=5000)
    start = window.time
    gaps, t_end = [], time.monotonic() + 3.0
    while time.monotonic() < t_end:
        qtbot.wait(50)
        consumed = window.player.samples_consumed / window.player.sr
        gaps.append(abs(window.timeline.lanes["cqt"].cursor - consumed))
    window.toggle_play()
    assert not window.player.playing
    # the display samples the audio clock every 15 ms: never more than 50 ms behind it
    assert max(gaps) < 0.05, max(gaps)
    # the audio clock advanced (by less than the wall time when the loaded CPU starves the sink)
    assert 0.5 < window.time - start < 3.5, (start, window.time)
    for name, lane in window.timeline.lanes.items():
        assert lane.cursor == pytest.approx(window.player.position, abs=1e-6), name


@pytest.mark.gui_timing  # quarantined: flaky on 2 cores (see pyproject markers)
def test_loop_wraps(playing_window, qtbot):
    window = playing_window
    window.set_loop((1.0, 1.4))
    window.seek(1.0)
    with qtbot.waitSignal(window.player.wrapped, timeout=3000):
        window.toggle_play()
    positions = []
    for _ in range(20):
        qtbot.wait(30)
        positions.append(window.time)
    window.toggle_play()
    assert min(positions) >= 1.0 - 1e-6 and max(positions) <= 1.4 + 1e-6


@pytest.mark.gui_timing  # quarantined: flaky on 2 cores (see pyproject markers)
def test_space_plays_and_pauses(playing_window, qtbot):
    window = playing_window
    window.setFocus()
    qtbot.keyClick(window, " ")
    assert window.player.playing
    qtbot.waitUntil(lambda: window.time > 0.2, timeout=3000)
    qtbot.keyClick(window, " ")
    assert not window.player.playing
    paused_at = window.time
    qtbot.wait(200)
    assert window.time == paused_at


def test_no_output_device_disables_playback(make_window, song, open_song, monkeypatch, messages):
    from chordview.gui import player

    monkeypatch.setattr(player, "output_problem", lambda: "playback disabled: no audio output")
    window = make_window()
    assert not window.player.available and not window.play_action.isEnabled()
    assert "playback disabled" in window.statusBar().currentMessage()
    open_song(window, song)
    window.toggle_play()  # a no-op that explains itself
    assert not window.player.playing
    assert messages and "no audio output" in messages[-1][2]
    window.seek(2.0)  # everything else works
    assert window.timeline.lanes["root"].cursor == pytest.approx(2.0)
