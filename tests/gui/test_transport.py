"""The transport bar drives the real player on a PulseAudio null sink."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from chordview.gui.transport import VOLUME_KEY, clock

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def playing_window(pulse, make_window, song, open_song):
    window = make_window()
    assert window.player.available, window.player.problem
    open_song(window, song)
    yield window
    window.player.stop()


def tap(player) -> list[tuple[int, np.ndarray]]:
    """Record each block the audio callback hands the device, with the sample it started at."""
    blocks, callback = [], player._callback

    def tapped(outdata, frames, time_info, status):
        start = player._pos
        callback(outdata, frames, time_info, status)
        blocks.append((start, outdata.copy()))

    player._callback = tapped  # the next stream calls this
    return blocks


def test_clock_cuts_tenths_and_counts_minutes():
    assert clock(0.0) == "0:00.0"
    assert clock(3.25) == "0:03.2"
    assert clock(59.96) == "0:59.9"  # not '0:60.0'
    assert clock(65.37) == "1:05.3"
    assert clock(600.0) == "10:00.0"
    assert clock(float("nan")) == "0:00.0"


def test_no_song_or_no_output_disables_the_buttons(make_window, song, open_song, monkeypatch):
    from chordview.gui import player

    bar = make_window().transport
    assert not bar.play_button.isEnabled() and not bar.stop_button.isEnabled()
    assert not bar.loop_button.isEnabled()
    assert "open a song" in bar.play_button.toolTip()
    monkeypatch.setattr(player, "output_problem", lambda: "playback disabled: no audio output")
    window = make_window()
    open_song(window, song)
    bar = window.transport
    assert not bar.play_button.isEnabled() and not bar.stop_button.isEnabled()
    assert "no audio output" in bar.play_button.toolTip()
    assert bar.loop_button.isEnabled()  # a loop still shades the timeline and seeks


def test_play_pause_and_stop_drive_the_player(playing_window, qtbot):
    window = playing_window
    bar, player = window.transport, window.player
    assert bar.play_button.isEnabled() and bar.stop_button.isEnabled()
    qtbot.mouseClick(bar.play_button, LEFT)
    assert player.playing and bar.play_button.accessibleName() == "Pause"
    qtbot.waitUntil(lambda: window.time > 0.5, timeout=5000)
    qtbot.mouseClick(bar.play_button, LEFT)
    assert not player.playing and bar.play_button.accessibleName() == "Play"
    paused = window.time
    qtbot.wait(200)
    assert window.time == paused > 0.5
    qtbot.mouseClick(bar.play_button, LEFT)
    qtbot.waitUntil(lambda: window.time > paused + 0.2, timeout=5000)
    qtbot.mouseClick(bar.stop_button, LEFT)  # stop while playing: paused, back at the start
    assert not player.playing and window.time == 0.0 and player.position == 0.0
    window.set_loop((2.0, 3.0))
    window.seek(2.6)
    qtbot.mouseClick(bar.stop_button, LEFT)  # with a loop: back to its start
    assert window.time == pytest.approx(2.0, abs=1e-3)


def test_position_label_follows_the_time(playing_window, qtbot):
    window = playing_window
    bar = window.transport
    duration = clock(window.session.duration)
    assert bar.position.text() == f"0:00.0 / {duration}"
    window.seek(3.25)
    assert bar.position.text() == f"0:03.2 / {duration}"
    window.toggle_play()
    qtbot.waitUntil(lambda: window.time > 3.8, timeout=5000)
    window.toggle_play()
    assert bar.position.text() == f"{clock(window.time)} / {duration}"
    assert bar.position.text() != f"0:03.2 / {duration}"


def test_volume_scales_the_output_smoothly_and_is_remembered(playing_window, qtbot, make_window):
    window = playing_window
    bar, player = window.transport, window.player
    assert bar.volume.value() == 100 and player.volume == 1.0
    y = player._y
    blocks = tap(player)
    window.seek(0.5)
    window.toggle_play()
    qtbot.waitUntil(lambda: len(blocks) >= 4, timeout=5000)
    bar.volume.setValue(25)  # what dragging the slider does
    assert player.volume == 0.25
    n = len(blocks)
    qtbot.waitUntil(lambda: len(blocks) >= n + 4, timeout=5000)
    window.toggle_play()
    gains, where, played = [], [], 0  # output over signal, where the signal is not faint
    for start, out in blocks:
        ref = y[start : start + len(out), 0]
        loud = np.flatnonzero(np.abs(ref) > 0.02)
        gains.append(out[loud, 0] / ref[loud])
        where.append(played + loud)  # sample index in what the device played
        played += len(out)
    assert np.allclose(gains[1], 1.0, atol=1e-5)
    assert np.allclose(gains[-1], 0.25, atol=1e-5)
    trace, at = np.concatenate(gains), np.concatenate(where)
    assert trace.min() == pytest.approx(0.25, abs=1e-5)
    # no click: the gain glides (the whole range in 30 ms at most), it never jumps
    step = 1 / (0.03 * player.sr)
    assert (np.abs(np.diff(trace)) <= np.diff(at) * step + 1e-5).all()
    assert ((trace > 0.26) & (trace < 0.99)).sum() > 100  # a ramp of several hundred samples
    qtbot.waitUntil(lambda: window.settings.value(VOLUME_KEY, type=float) == 0.25, timeout=3000)
    again = make_window()  # the same settings file: the next window starts at 25 %
    assert again.transport.volume.value() == 25 and again.player.volume == 0.25


def test_loop_toggle_shows_start_and_end(playing_window, qtbot, song, open_song):
    window = playing_window
    bar = window.transport
    assert bar.loop_label.text() == "no loop" and not bar.loop_button.isChecked()
    window.set_loop((1.0, 2.5))  # a dragged region ends here
    assert bar.loop_button.isChecked() and bar.loop_label.isEnabled()
    assert bar.loop_label.text() == "0:01.0–0:02.5"
    qtbot.mouseClick(bar.loop_button, LEFT)  # off: the player no longer loops
    assert window.loop is None and window.player.loop is None
    assert bar.loop_label.text() == "0:01.0–0:02.5" and not bar.loop_label.isEnabled()
    qtbot.mouseClick(bar.loop_button, LEFT)  # on again: the same region
    assert window.loop == (1.0, 2.5)
    assert window.player.loop == pytest.approx((1.0, 2.5), abs=1e-4)
    assert bar.loop_button.isChecked() and window.time == pytest.approx(1.0, abs=1e-3)
    open_song(window, song)  # a new song forgets the loop
    assert bar.loop_label.text() == "no loop" and not bar.loop_button.isChecked()
    window.seek(3.0)
    qtbot.mouseClick(bar.loop_button, LEFT)  # no region chosen: the chord under the playhead
    seg = window.session.segment_at(3.0)
    assert window.loop == (pytest.approx(seg.start), pytest.approx(seg.end))
    assert bar.loop_label.text() == f"{clock(seg.start)}–{clock(seg.end)}"


def test_model_and_device_follow_the_controller(playing_window, tiny_bundle):
    window = playing_window
    label = window.transport.model_label
    device = window.session.analysis.model["device"]
    assert label.full_text == f"{tiny_bundle.name} · {device}"
    window.controller.model = "cr2"
    assert label.full_text == f"cr2 · {device}"
    window.controller.model = str(tiny_bundle)
    window.controller.set_fast(True)  # re-analyses with the tiny model, in one pass
    assert label.full_text == f"{tiny_bundle.name} (fast) · {device}"
