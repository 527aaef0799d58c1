"""The chorale plan (``hymn``): harmonic rhythm, vocabulary, inversions and cadences of four-part
chorale harmony, and how it enters the data sets."""

from __future__ import annotations

import hashlib
import json
from collections import Counter

import mir_eval
import numpy as np
import pytest

from chordview.generator.chorale import voice
from chordview.generator.harmony import _Chord
from chordview.generator.hymn import TEMPO, _decorate, _phrase, hymn_spans
from chordview.generator.synth import (
    HELDOUT_SOUNDFONT,
    plan_song,
    render_dataset,
    song_events,
    song_texture,
)
from chordview.theory import QUALITY_SEMITONES

N_SONGS = 300
CHORALE_QUALITIES = {"maj", "min", "dim", "7", "min7", "hdim7", "dim7", "maj7"}


def _parse(label: str):
    quality_bass = label.split(":")[1]
    quality, _, bass = quality_bass.partition("/")
    return label.split(":")[0], quality, bass


@pytest.fixture(scope="module")
def songs():
    return [
        hymn_spans(np.random.default_rng([9, i]), n_beats=40.0, beats_per_bar=int(3 + (i % 5 > 0)))
        for i in range(N_SONGS)
    ]


def test_spans_tile_the_song_on_the_half_beat_grid(songs):
    for spans in songs:
        assert spans[0].beat == 0 and sum(s.beats for s in spans) == pytest.approx(40.0)
        for a, b in zip(spans, spans[1:], strict=False):
            assert b.beat == pytest.approx(a.beat + a.beats)
        assert all(s.beats > 0 and (2 * s.beat) % 1 == 0 for s in spans)
        assert all(s.label != "N" for s in spans[1:])  # silence may only open the song


def test_only_triads_and_common_sevenths_sound(songs):
    labels = [s.label for spans in songs for s in spans if s.label != "N"]
    qualities = Counter(_parse(label)[1] for label in labels)
    assert set(qualities) <= CHORALE_QUALITIES
    triads = sum(qualities[q] for q in ("maj", "min", "dim"))
    assert 0.6 < triads / len(labels) < 0.85, qualities  # mostly triads
    assert qualities["7"] / len(labels) > 0.08 and qualities["min7"] + qualities["hdim7"] > 0
    for label in labels:
        mir_eval.chord.encode(label)  # valid Harte


def test_harmonic_rhythm_is_a_chord_a_beat_with_held_cadences(songs):
    lengths = Counter(s.beats for spans in songs for s in spans[:-1] if s.label != "N")
    total = sum(lengths.values())
    assert lengths[1.0] / total > 0.45 and lengths[0.5] / total > 0.1
    assert sum(n for b, n in lengths.items() if b >= 2) / total > 0.1  # fermatas and held chords
    assert max(lengths) <= 4


def test_inversions_follow_common_practice(songs):
    spans = [s for song in songs for s in song if s.label != "N"]
    triads = [_parse(s.label) for s in spans if _parse(s.label)[1] in ("maj", "min")]
    first = sum(bass in ("3", "b3") for _, _, bass in triads) / len(triads)
    assert 0.2 < first < 0.45, first
    dims = [_parse(s.label) for s in spans if _parse(s.label)[1] == "dim"]
    assert sum(bass == "b3" for _, _, bass in dims) / len(dims) > 0.6  # vii°6 and ii°6
    # ii6/5 is written as in an analysis (D:min7/b3), never as an added-sixth chord
    assert any(_parse(s.label)[1:] == ("min7", "b3") for s in spans)
    # a six-four is cadential: the tonic over the dominant's bass, then the dominant on that bass
    for song in songs:
        for a, b in zip(song, song[1:], strict=False):
            root, quality, bass = _parse(a.label) if a.label != "N" else (None, None, None)
            if quality in ("maj", "min") and bass == "5":
                r_a = mir_eval.chord.encode(a.label)[0]
                r_b, _, bass_b = mir_eval.chord.encode(b.label)
                assert r_b == (r_a + 7) % 12 and bass_b == 0, (a.label, b.label)


def test_cadences_hold_their_last_chord_on_a_strong_beat(songs):
    for i, spans in enumerate(songs):
        strong = 2 if 3 + (i % 5 > 0) == 4 else 3
        for s in spans:
            if s.beats >= 3:  # only a cadence's held chord lasts three beats or more
                assert s.beat % strong == 0, (i, s)
    rng = np.random.default_rng(4)
    for _ in range(500):
        key = (int(rng.integers(12)), "major" if rng.random() < 0.5 else "minor")
        phrase = _phrase(rng, key, 4, start=float(rng.integers(0, 8)), last=False)
        final = _decorate(rng, phrase)[-1]  # held, never split into V - V7
        assert final.fixed and final.beats >= 2 and final.quality in ("maj", "min"), final
        assert (final.root - key[0]) % 12 in (0, 7, 8, 9)  # I, V (half), VI / vi (deceptive)


def test_applied_chords_resolve_to_the_chord_they_lead_to():
    rng = np.random.default_rng(5)
    converted = 0
    for _ in range(400):
        key = (int(rng.integers(12)), "major")
        degrees = [int(d) for d in rng.choice([0, 2, 4, 5, 7, 9], 8)]
        chords = [
            _Chord((key[0] + d) % 12, "min" if d in (2, 4, 9) else "maj", 1.0, key) for d in degrees
        ]
        before = {id(c): (c.root, c.quality) for c in chords}
        out = _decorate(rng, chords)  # the same chords, some changed, plus the V7 of any V - V7
        assert [c for c in out if id(c) in before] == chords
        for c, nxt in zip(out, out[1:], strict=False):
            if id(c) in before and (c.root, c.quality) != before[id(c)]:
                converted += 1
                step = (nxt.root - c.root) % 12
                assert step == (5 if c.quality == "7" else 1), (c, nxt)
    assert converted > 200


def test_six_fours_are_there_and_sevenths_resolve(songs):
    moves = {"7": Counter(), "dim7": Counter()}
    six_fours = 0
    for spans in songs:
        for a, b in zip(spans, spans[1:], strict=False):
            if a.label == "N":
                continue
            _, quality, bass = _parse(a.label)
            six_fours += quality in ("maj", "min") and bass == "5"
            if quality in moves:
                step = (mir_eval.chord.encode(b.label)[0] - mir_eval.chord.encode(a.label)[0]) % 12
                moves[quality][step] += 1
    assert six_fours > 0.4 * len(songs)
    assert moves["7"][5] / sum(moves["7"].values()) > 0.7  # down a fifth
    assert moves["dim7"][1] / sum(moves["dim7"].values()) > 0.7  # up a semitone


def test_every_chorale_label_has_a_four_part_voicing(songs):
    class Chord:
        def __init__(self, label):
            root, bitmap, bass = mir_eval.chord.encode(label)
            self.root, self.quality = root, _parse(label)[1]
            self.tones = QUALITY_SEMITONES[self.quality]
            self.bass = (root + bass) % 12

    for label in {s.label for song in songs for s in song if s.label != "N"}:
        voice(Chord(label), None, np.random.default_rng(0))  # raises if none fits


def test_hymn_songs_are_slow_and_straight_and_band_songs_unchanged():
    for i in range(40):
        plan = plan_song(i, seed=3, duration=20.0, texture="hymn")
        assert TEMPO[0] <= plan.time_map.tempo <= TEMPO[1] and plan.time_map.swing == 0
    # the labels of band songs as the generator wrote them before the hymn plan (56576eb)
    labels = [
        [(e.label, round(e.start, 6)) for e in song_events(i, seed=3, duration=20.0)]
        for i in range(8)
    ]
    assert hashlib.sha256(json.dumps(labels).encode()).hexdigest()[:16] == "de5027a45e047526"
    plain = [song_texture(i, seed=1, chorale=0.25) for i in range(200)]
    hymn = [song_texture(i, seed=1, chorale=0.25, hymn=True) for i in range(200)]
    assert [t == "band" for t in plain] == [t == "band" for t in hymn]
    assert set(hymn) == {"band", "hymn"}


def test_switching_hymn_on_rerenders_only_the_four_part_songs(tmp_path):
    font = [HELDOUT_SOUNDFONT()]
    common = {
        "n_songs": 4,
        "seed": 2,
        "soundfonts": font,
        "duration": 6.0,
        "workers": 1,
        "chorale": 0.5,
    }
    textures = [song_texture(i, seed=2, chorale=0.5) for i in range(4)]
    assert set(textures) == {"band", "chorale"}  # the seed gives both kinds
    paths = render_dataset(tmp_path, **common)
    before = {p.name: p.stat().st_mtime_ns for p in paths}
    render_dataset(tmp_path, **common, hymn=True)
    for p, texture in zip(paths, textures, strict=True):
        sandbox = json.loads(p.with_suffix(".jams").read_text())["annotations"][0]["sandbox"]
        assert sandbox["texture"] == ("hymn" if texture == "chorale" else "band")
        assert (p.stat().st_mtime_ns == before[p.name]) == (texture == "band")
