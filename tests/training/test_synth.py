"""Tests for the FluidSynth training-data renderer (held-out TimGM6mb soundfont only)."""

from __future__ import annotations

from importlib.resources import files

import numpy as np
import pytest

pytest.importorskip("fluidsynth")

from chordview.training import synth  # noqa: E402

SF = str(files("pretty_midi") / "TimGM6mb.sf2")
SR = 22050
QUALITIES = {"maj", "min", "dim", "aug", "maj6", "min6", "7", "maj7", "min7", "dim7", "hdim7",
             "minmaj7", "sus2", "sus4"}  # fmt: skip


@pytest.fixture(scope="module")
def song():
    return synth.render_song(4, seed=11, soundfont=SF, sr=SR, duration=12.0)


def _progressions(n=40):
    for i in range(n):
        rng = np.random.default_rng([5, i])
        yield synth.random_progression(rng, n_chords=24, tempo=float(rng.uniform(70, 160)))


def test_heldout_soundfont_is_not_trained_on():
    assert all("TimGM6mb" not in p for p in synth.TRAIN_SOUNDFONTS)
    assert synth.HELDOUT_SOUNDFONT().endswith("TimGM6mb.sf2")


def test_render_song_is_deterministic(song):
    y, events = song
    y2, events2 = synth.render_song(4, seed=11, soundfont=SF, sr=SR, duration=12.0)
    assert events == events2
    assert np.array_equal(y, y2)
    y3, _ = synth.render_song(5, seed=11, soundfont=SF, sr=SR, duration=12.0)
    assert not np.array_equal(y, y3)
    assert y.dtype == np.float32 and y.shape == (12 * SR,)
    assert 10 ** (-13.5 / 20) < np.abs(y).max() <= 10 ** (-0.9 / 20)


def test_events_tile_the_duration(song):
    _, events = song
    assert events[0].start == 0.0
    for a, b in zip(events[:-1], events[1:], strict=True):
        assert b.start == pytest.approx(a.start + a.duration, abs=1e-9)
        assert a.duration > 0
    assert events[-1].start + events[-1].duration == pytest.approx(12.0, abs=1e-9)


def test_labels_are_valid_and_in_the_3567s_vocabulary():
    import jams
    import mir_eval
    import pumpp

    task = pumpp.task.ChordTagTransformer(vocab="3567s", sr=44100, hop_length=4096)
    seen, n_chords, n_inv = set(), 0, 0
    for events in _progressions():
        mir_eval.chord.validate([e.label for e in events], [e.label for e in events])
        for ev in events:
            assert task.simplify(ev.label) != "X", ev.label
            if ev.label != "N":
                n_chords += 1
                n_inv += "/" in ev.label
                seen.add(ev.label.split(":")[1].split("/")[0])
        jam = synth.events_to_jams(events, duration=events[-1].start + events[-1].duration)
        ann = jam.search(namespace="chord")[0]
        tags = task.transform_annotation(ann, ann.duration)["chord"].argmax(axis=1)
        classes = task.encoder.classes_[tags]
        assert "X" not in set(classes)
        assert isinstance(jam, jams.JAMS)
    assert seen == QUALITIES
    assert 0.15 < n_inv / n_chords < 0.35


def test_jams_validates(song):
    _, events = song
    jam = synth.events_to_jams(events, duration=12.0)
    jam.validate()
    values = [obs.value for obs in jam.annotations[0].data]
    assert values == [ev.label for ev in events]


def test_audio_has_energy_where_chords_play(song):
    y, events = song
    for ev in events:
        a, b = int(ev.start * SR), int((ev.start + ev.duration) * SR)
        if ev.label != "N" and b - a > SR // 10:
            assert np.sqrt(np.mean(y[a:b] ** 2)) > 1e-3, ev


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_inversion_bass_is_lowest_chroma(seed):
    import librosa

    labels = ["C:maj/3", "G:7/b7", "A:min/5", "F:maj7/7", "D:hdim7/b5", "Bb:min6/b3"]
    events = [synth.ChordEvent(lab, 2.0 * i, 2.0) for i, lab in enumerate(labels)]
    y = synth.render_events(events, soundfont=SF, sr=SR, seed=seed, tempo=120.0)
    assert y.shape == (12 * SR,) and np.abs(y).max() <= 1.0
    hop = 512
    cqt = np.abs(librosa.cqt(y, sr=SR, hop_length=hop, fmin=librosa.midi_to_hz(24), n_bins=17))
    expected = {"C:maj/3": 4, "G:7/b7": 5, "A:min/5": 4, "F:maj7/7": 4, "D:hdim7/b5": 8,
                "Bb:min6/b3": 1}  # fmt: skip
    for ev in events:
        a = int((ev.start + 0.1) * SR / hop)
        b = int((ev.start + ev.duration - 0.1) * SR / hop)
        lowest = 24 + int(cqt[:, a:b].sum(axis=1).argmax())
        assert lowest % 12 == expected[ev.label], (ev.label, lowest)


def test_render_dataset_writes_and_resumes(tmp_path):
    import jams
    import soundfile as sf

    calls = []
    paths = synth.render_dataset(tmp_path, n_songs=2, seed=3, soundfonts=[SF], duration=3.0,
                                 sr=SR, workers=1, start=7, progress=lambda d, t: calls.append(d))  # fmt: skip
    assert [p.name for p in paths] == ["song_00007.flac", "song_00008.flac"]
    assert calls == [1, 2]
    for p in paths:
        info = sf.info(str(p))
        assert (info.samplerate, info.subtype, info.frames) == (SR, "PCM_16", 3 * SR)
        jams.load(str(p.with_suffix(".jams"))).validate()
    assert not list(tmp_path.glob("*.tmp*"))
    mtimes = [p.stat().st_mtime_ns for p in paths]
    calls.clear()
    again = synth.render_dataset(tmp_path, n_songs=2, seed=3, soundfonts=[SF], duration=3.0,
                                 sr=SR, workers=1, start=7, progress=lambda d, t: calls.append(d))  # fmt: skip
    assert again == paths and calls == []
    assert [p.stat().st_mtime_ns for p in paths] == mtimes


def test_cli_renders_and_summarises(tmp_path, capsys):
    argv = [str(tmp_path), "--songs", "1", "--seed", "2", "--duration", "2", "--workers", "1",
            "--soundfont", SF, "--sr", str(SR)]  # fmt: skip
    assert synth.main(argv) == 0
    out = capsys.readouterr().out
    assert "1 songs" in out and (tmp_path / "song_00000.jams").exists()
