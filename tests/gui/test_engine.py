"""The engine process: results, failures, a stuck or dead child, cancellation, shared audio."""

from __future__ import annotations

import glob
import os
import signal
import threading
import time

import numpy as np
import pytest

from chordview.errors import Cancelled, ChordviewError
from chordview.gui.engine import CANCEL_GRACE, Engine, map_audio


@pytest.fixture
def eng():
    engine = Engine()
    yield engine
    engine.shutdown()


def _analyse(engine, path, model, **kwargs):
    args = {"path": str(path), "model": str(model), "device": "cpu", "playback_sr": 44100}
    return engine.run("analyse", args, **kwargs)


@pytest.fixture(scope="module")
def long_song(tmp_path_factory):
    """Ten minutes of audio: a child killed or frozen at its first progress is still decoding it,
    so it cannot have sent its result already (with an 8-second song it sometimes had)."""
    import soundfile as sf

    path = tmp_path_factory.mktemp("long") / "long.wav"
    noise = np.random.default_rng(0).integers(-3000, 3000, 600 * 22050, dtype=np.int16)
    sf.write(path, noise, 22050, subtype="PCM_16")
    return path


def _shared_files(eng) -> set[str]:
    """The shared audio files of this engine's child (other runs' engines are not ours)."""
    return set(glob.glob(f"/dev/shm/chordview-audio-{eng.pid}-*"))


def test_analysis_comes_back_with_its_audio(eng, song, tiny_bundle):
    stages = []
    result = _analyse(eng, song, tiny_bundle, progress=lambda s, f: stages.append(s))
    session = result["session"]
    y = map_audio(result["audio"], result["n_samples"])
    assert session.analysis.n_frames > 0 and session.y is None
    assert len(y) == pytest.approx(8 * 44100, abs=1) and np.abs(y).max() > 0.01
    assert {"audio", "features", "network", "decode"} <= set(stages)
    assert _shared_files(eng) == set()  # the file's name is gone once mapped
    assert eng.alive and eng.pid != os.getpid()


def test_a_user_error_is_its_one_line_message(eng, tiny_bundle, tmp_path):
    bad = tmp_path / "broken.wav"
    bad.write_bytes(b"RIFF\x10\x00\x00\x00WAVEfmt garbage" * 10)
    with pytest.raises(ChordviewError, match="broken.wav"):
        _analyse(eng, bad, tiny_bundle)
    assert eng.alive  # the engine carries on


def test_a_stuck_engine_is_killed_on_cancel_and_restarted(
    eng, song, tiny_bundle, long_song, witness
):
    _analyse(eng, song, tiny_bundle)  # warm
    pid = eng.pid
    cancel = threading.Event()
    started = []

    def progress(stage, fraction):
        if not started:
            started.append(time.monotonic())
            os.kill(pid, signal.SIGSTOP)  # frozen mid-analysis: it can never answer
            cancel.set()

    with pytest.raises(Cancelled):
        _analyse(eng, long_song, tiny_bundle, progress=progress, is_cancelled=cancel.is_set)
    took = time.monotonic() - started[0]
    own = took - witness.overlap(started[0], started[0] + took)  # minus machine-wide stalls
    assert own < CANCEL_GRACE + 0.4, (took, own, witness.stop())
    assert not eng.alive
    result = _analyse(eng, song, tiny_bundle)  # a fresh engine serves the next request
    map_audio(result["audio"], result["n_samples"])
    assert eng.pid != pid


def test_a_dead_engine_is_a_clear_error_and_comes_back(eng, song, tiny_bundle, long_song):
    _analyse(eng, song, tiny_bundle)
    pid = eng.pid
    killed = []

    def progress(stage, fraction):
        if not killed:
            killed.append(stage)
            os.kill(pid, signal.SIGKILL)

    with pytest.raises(ChordviewError, match="stopped unexpectedly"):
        _analyse(eng, long_song, tiny_bundle, progress=progress)
    assert killed == ["audio"]
    result = _analyse(eng, song, tiny_bundle)
    map_audio(result["audio"], result["n_samples"])
    assert eng.pid != pid


def test_a_job_cancelled_before_it_starts_is_skipped(eng, song, tiny_bundle):
    eng.warm(model=tiny_bundle, device="cpu")  # the engine is busy with this first
    with pytest.raises(Cancelled):
        _analyse(eng, song, tiny_bundle, is_cancelled=lambda: True)
    result = _analyse(eng, song, tiny_bundle)  # stale replies are drained, not mistaken
    assert result["session"].analysis.path == song
    map_audio(result["audio"], result["n_samples"])
    assert _shared_files(eng) == set()


def test_a_killed_childs_shared_audio_is_removed(eng, song, tiny_bundle):
    """A child killed (on cancel, or by the system) while handing audio over leaves its file in
    memory-backed storage; the parent removes it when it reaps the child, and a new engine
    removes what engines of earlier runs left."""
    _analyse(eng, song, tiny_bundle)
    pid = eng.pid
    left = f"/dev/shm/chordview-audio-{pid}-abcdefgh.f32"  # as a child killed mid-handover leaves
    with open(left, "wb") as f:
        f.write(b"\0" * 4096)
    os.kill(pid, signal.SIGKILL)
    for _ in range(500):  # until the system has ended it
        if not eng.alive:
            break
        time.sleep(0.01)
    result = _analyse(eng, song, tiny_bundle)  # reaps the dead child, starts a new one
    map_audio(result["audio"], result["n_samples"])
    assert not os.path.exists(left)
    orphan = "/dev/shm/chordview-audio-999999999-abcdefgh.f32"  # an engine long gone
    with open(orphan, "wb") as f:
        f.write(b"\0")
    from chordview.gui.engine import remove_shared_audio

    assert orphan in remove_shared_audio()
    assert not os.path.exists(orphan)
