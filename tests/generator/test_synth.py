"""Tests for the FluidSynth song renderer (held-out TimGM6mb soundfont only)."""

from __future__ import annotations

import os
from dataclasses import replace
from importlib.resources import files

import mir_eval
import numpy as np
import pytest

pytest.importorskip("fluidsynth")

from chordview.generator import synth  # noqa: E402
from chordview.generator.band import Band, Part  # noqa: E402
from chordview.generator.groove import Feel  # noqa: E402

SF = str(files("pretty_midi") / "TimGM6mb.sf2")
SR = 22050


@pytest.fixture(scope="module")
def song():
    return synth.render_song(4, seed=11, soundfont=SF, sr=SR, duration=12.0)


def test_heldout_soundfont_is_not_trained_on():
    assert synth.TRAIN_SOUNDFONTS, "no training soundfont installed"
    real = [os.path.realpath(p) for p in synth.TRAIN_SOUNDFONTS]
    assert all("timgm6mb" not in p.lower() for p in real) and len(set(real)) == len(real)
    assert synth.HELDOUT_SOUNDFONT().endswith("TimGM6mb.sf2")


def test_render_song_is_deterministic(song):
    y, events = song
    y2, events2 = synth.render_song(4, seed=11, soundfont=SF, sr=SR, duration=12.0)
    assert events == events2 and y.tobytes() == y2.tobytes()
    y3, events3 = synth.render_song(5, seed=11, soundfont=SF, sr=SR, duration=12.0)
    y4, events4 = synth.render_song(4, seed=12, soundfont=SF, sr=SR, duration=12.0)
    assert not np.array_equal(y, y3) and not np.array_equal(y, y4)
    assert events3 != events and events4 != events
    assert y.dtype == np.float32 and y.shape == (12 * SR,)
    assert np.all(np.isfinite(y))
    assert 10 ** (-13.5 / 20) < np.abs(y).max() <= 10 ** (-0.9 / 20)
    assert events == synth.song_events(4, seed=11, duration=12.0)  # labels without audio


def test_events_tile_the_duration(song):
    _, events = song
    assert events[0].start == 0.0
    for a, b in zip(events[:-1], events[1:], strict=True):
        assert b.start == pytest.approx(a.start + a.duration, abs=1e-9)
        assert a.duration > 0
    assert events[-1].start + events[-1].duration == pytest.approx(12.0, abs=1e-9)


def test_audio_has_energy_where_chords_play(song):
    y, events = song
    for ev in events:
        a, b = int(ev.start * SR), int((ev.start + ev.duration) * SR)
        if ev.label != "N" and b - a > SR // 10:
            assert np.sqrt(np.mean(y[a:b] ** 2)) > 1e-3, ev


def _bands():
    solo = Band.solo(0)
    bass = Part(33, style="roots", low=28, pattern=(0.0, 1.0, 2.0, 3.0))
    with_bass = Band(comp=Part(0, low=52, center=64.0), bass=bass)
    plain = tuple((name, 0.0) for name in ("passing", "neighbour", "suspension", "restrike"))
    organ = Band.chorale(np.random.default_rng(0))
    organ = replace(
        organ,
        voices=tuple(replace(v, program=19, reverb=0, chorus=0, level=0.0) for v in organ.voices),
        ornaments=plain,
        n_kinds=(1.0, 0.0, 0.0),
    )  # N is silence, as for the other bands
    return {"solo piano": solo, "piano and bass": with_bass, "four-part organ": organ}


def _dominant(mean: np.ndarray, tones: set[int]) -> bool:
    """The strongest pitch classes are chord tones (all but the weakest tone, which a partial of
    the bass may outweigh) and every chord tone is stronger than the median other pitch class."""
    order = [int(p) for p in np.argsort(mean)[::-1]]
    others = [mean[p] for p in range(12) if p not in tones]
    return set(order[: len(tones) - 1]) <= tones and min(mean[list(tones)]) > np.median(others)


@pytest.mark.parametrize(
    ("name", "index"),
    [("solo piano", 0), ("solo piano", 1), ("piano and bass", 2), ("four-part organ", 3)],
)
def test_labels_are_exact_in_chroma_and_bass(name, index):
    """No effects: chord tones dominate each segment's chroma (one clean instrument) and the
    lowest note is the label's bass."""
    import librosa

    plan = synth.plan_song(index, seed=5, duration=16.0)
    tm = plan.time_map
    y = synth.render_events(
        plan.events,
        soundfont=SF,
        sr=SR,
        seed=1,
        tempo=tm.tempo,
        beats_per_bar=plan.beats_per_bar,
        swing=tm.swing,
        band=_bands()[name],
        feel=Feel(),
    )
    hop, low = 512, 26  # lowest CQT bin: D1
    chroma = librosa.feature.chroma_cqt(y=y, sr=SR, hop_length=hop)
    cqt = np.abs(librosa.cqt(y, sr=SR, hop_length=hop, fmin=librosa.midi_to_hz(low), n_bins=22))
    checked, previous, shifted = 0, None, []
    for ev in plan.events:
        a = int((ev.start + 0.06) * SR / hop)  # skip the attack and the release into the next
        b = int((ev.start + ev.duration - 0.1) * SR / hop)
        if b - a < 3:
            previous = None
            continue
        if ev.label == "N":  # silence once the last chord's release has died away
            quiet = y[int((ev.start + 0.5) * SR) : b * hop]
            assert len(quiet) == 0 or np.sqrt(np.mean(quiet**2)) < 0.01
            previous = None
            continue
        root, bitmap, bass = mir_eval.chord.encode(ev.label)
        tones = {(root + k) % 12 for k in np.flatnonzero(bitmap)}
        mean = chroma[:, a:b].mean(axis=1)
        if name != "piano and bass":
            assert _dominant(mean, tones), (ev.label, np.round(mean / mean.max(), 2))
            # (voice-led chords share tones: the shift check is for the piano's close voicings)
            if name == "solo piano" and previous is not None and previous != tones:
                shifted.append(_dominant(mean, previous))
        lowest = low + int(cqt[:, a:b].sum(axis=1).argmax())
        assert lowest % 12 == (root + bass) % 12, (ev.label, lowest)
        checked, previous = checked + 1, tones
    assert checked >= 5
    assert sum(shifted) <= len(shifted) // 3  # the check fails labels shifted by one chord


def test_rendered_song_and_jams_validate(tmp_path):
    import jams
    import soundfile as sf

    calls = []
    kw = {"n_songs": 2, "seed": 3, "soundfonts": [SF], "duration": 3.0, "sr": SR, "workers": 1}
    paths = synth.render_dataset(tmp_path, start=7, progress=lambda d, t: calls.append(d), **kw)
    assert [p.name for p in paths] == ["song_00007.flac", "song_00008.flac"]
    assert calls == [1, 2]
    for p in paths:
        info = sf.info(str(p))
        assert (info.samplerate, info.subtype, info.frames) == (SR, "PCM_16", 3 * SR)
        jam = jams.load(str(p.with_suffix(".jams")))  # validates against the chord namespace
        ann = jam.search(namespace="chord")[0]
        labels = [o.value for o in ann.data]
        mir_eval.chord.validate(labels, labels)
        assert labels == [
            e.label for e in synth.song_events(int(p.stem[-5:]), seed=3, duration=3.0)
        ]
        assert ann.sandbox["generator"] == 2 and ann.sandbox["soundfont"] == "TimGM6mb.sf2"
    assert not list(tmp_path.glob("*.tmp*"))
    mtimes = [p.stat().st_mtime_ns for p in paths]
    calls.clear()
    again = synth.render_dataset(tmp_path, start=7, progress=lambda d, t: calls.append(d), **kw)
    assert again == paths and calls == []
    assert [p.stat().st_mtime_ns for p in paths] == mtimes


def test_songs_of_another_seed_or_an_older_generator_are_rendered_again(tmp_path):
    import json

    def labels(path):
        ann = json.loads(path.with_suffix(".jams").read_text())["annotations"][0]
        return ann["sandbox"]["seed"], [obs["value"] for obs in ann["data"]]

    kw = {"n_songs": 2, "soundfonts": [SF], "duration": 3.0, "sr": SR, "workers": 1}
    paths = synth.render_dataset(tmp_path, seed=3, **kw)
    # song 0 as an older generator wrote it: one label differs from what is planned now
    jpath = paths[0].with_suffix(".jams")
    jam = json.loads(jpath.read_text())
    first = jam["annotations"][0]["data"][0]
    first["value"] = "D:maj" if first["value"] != "D:maj" else "E:maj"
    jpath.write_text(json.dumps(jam))
    before = [p.stat().st_mtime_ns for p in paths]
    synth.render_dataset(tmp_path, seed=3, **kw)
    assert [p.stat().st_mtime_ns != t for p, t in zip(paths, before, strict=True)] == [True, False]
    assert labels(paths[0]) == (3, [e.label for e in synth.song_events(0, seed=3, duration=3.0)])

    # the same folder asked for another data set: nothing of the old one is kept
    synth.render_dataset(tmp_path, seed=5, **kw)
    for i, p in enumerate(paths):
        assert labels(p) == (5, [e.label for e in synth.song_events(i, seed=5, duration=3.0)])
    before = [p.stat().st_mtime_ns for p in paths]
    synth.render_dataset(tmp_path, seed=5, **kw)  # now current: skipped
    assert [p.stat().st_mtime_ns for p in paths] == before


def test_raising_the_chorale_fraction_re_renders_only_the_new_chorales(tmp_path):
    import jams

    kw = {"n_songs": 6, "seed": 8, "soundfonts": [SF], "duration": 2.0, "sr": SR, "workers": 1}
    paths = synth.render_dataset(tmp_path, chorale=0.0, **kw)
    before = [p.stat().st_mtime_ns for p in paths]
    synth.render_dataset(tmp_path, chorale=0.5, **kw)
    textures = [synth.song_texture(i, seed=8, chorale=0.5) for i in range(6)]
    assert 0 < textures.count("chorale") < 6  # seed 8 draws both kinds
    for p, t0, texture in zip(paths, before, textures, strict=True):
        ann = jams.load(str(p.with_suffix(".jams"))).search(namespace="chord")[0]
        assert ann.sandbox["texture"] == texture
        assert (p.stat().st_mtime_ns != t0) == (texture == "chorale"), p.name


def test_parallel_rendering_gives_the_same_files(tmp_path):
    import soundfile as sf

    kw = {"n_songs": 2, "seed": 4, "soundfonts": [SF], "duration": 2.0, "sr": SR}
    one = synth.render_dataset(tmp_path / "one", workers=1, **kw)
    two = synth.render_dataset(tmp_path / "two", workers=2, **kw)
    for a, b in zip(one, two, strict=True):
        assert np.array_equal(sf.read(str(a))[0], sf.read(str(b))[0])
        assert a.with_suffix(".jams").read_text() == b.with_suffix(".jams").read_text()


def test_cli_renders_and_summarises(tmp_path, capsys):
    argv = [
        str(tmp_path),
        "--songs",
        "1",
        "--seed",
        "2",
        "--duration",
        "2",
        "--workers",
        "1",
        "--soundfont",
        SF,
        "--sr",
        str(SR),
    ]
    assert synth.main(argv) == 0
    out = capsys.readouterr().out
    assert "1 songs" in out and (tmp_path / "song_00000.jams").exists()
    assert "quality" in out and "hdim7" in out  # the class-balance table
