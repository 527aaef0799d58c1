"""A stereo song plays in stereo (the analysis hears its mono mix); a mono song still plays."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import chord_signal
from tests.gui.conftest import SR
from tests.gui.test_transport import tap


@pytest.fixture
def left_only(tmp_path):
    """Four seconds of a chord on the left channel, silence on the right."""
    import soundfile as sf

    y = chord_signal([48, 52, 55, 60], seconds=4.0)
    path = tmp_path / "left.wav"
    sf.write(path, np.stack([y, np.zeros_like(y)], axis=1), SR, subtype="PCM_16")
    return path


def _play(window, qtbot, blocks: int = 4) -> np.ndarray:
    """Play until the callback has handed over ``blocks`` blocks; the output as (n, channels)."""
    played = tap(window.player)
    window.toggle_play()
    assert window.player.playing
    qtbot.waitUntil(lambda: len(played) >= blocks, timeout=5000)
    window.toggle_play()
    return np.concatenate([out for _, out in played])


def test_a_stereo_file_plays_left_and_right_apart(pulse, make_window, left_only, open_song, qtbot):
    window = make_window()
    session = open_song(window, left_only)
    assert session.y.shape == (4 * SR, 2)
    assert window.player.channels == 2
    out = _play(window, qtbot)
    assert out.shape[1] == 2  # a 2-channel stream
    left, right = out[:, 0], out[:, 1]
    assert np.sqrt(np.mean(left**2)) > 0.05
    assert np.abs(right).max() == 0.0
    # the analysis heard the mono mix: the chord, at half the level, not silence
    assert session.segments and session.analysis.duration == pytest.approx(4.0, abs=1e-3)


def test_a_mono_file_still_plays(pulse, make_window, song, open_song, qtbot):
    window = make_window()
    session = open_song(window, song)
    assert session.y.ndim == 1 and window.player.channels == 1
    out = _play(window, qtbot)
    assert out.shape[1] == 1 and np.sqrt(np.mean(out**2)) > 0.05
