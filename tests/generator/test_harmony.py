"""Tests for the progression generator: vocabulary, class balance, inversions, rhythm, timing."""

from __future__ import annotations

import mir_eval
import numpy as np
import pytest

from chordview.generator import harmony
from chordview.generator.balance import stats
from chordview.generator.groove import TimeMap
from chordview.generator.harmony import INVERSIONS, MIN_QUALITY_SHARE, song_spans
from chordview.generator.synth import random_progression, song_events
from chordview.theory import QUALITIES

N_SONGS = 200


@pytest.fixture(scope="module")
def songs():
    return [song_events(i, seed=7, duration=30.0) for i in range(N_SONGS)]


@pytest.fixture(scope="module")
def balance(songs):
    return stats(songs)


def test_every_quality_holds_its_minimum_share_of_chord_time(balance):
    assert list(balance.quality) == list(QUALITIES)  # nothing outside the vocabulary
    low = {q: round(v, 4) for q, v in balance.quality.items() if v < MIN_QUALITY_SHARE}
    assert not low, f"under {MIN_QUALITY_SHARE:.1%}: {low}\n{balance.table()}"
    assert max(balance.quality.values()) < 0.3  # no quality swamps the others


def test_no_chord_inversions_and_all_roots_occur(balance, songs):
    assert 0.02 < balance.no_chord < 0.15
    assert 0.08 < balance.inversion < 0.35
    assert min(balance.root.values()) > 0.04  # all 12 roots, none rare
    assert sum(any(e.label == "N" for e in s) for s in songs) > N_SONGS // 4
    assert abs(sum(balance.quality.values()) - 1) < 1e-9


def test_labels_are_valid_3567s_chords_with_unambiguous_inversions(songs):
    import pumpp

    task = pumpp.task.ChordTagTransformer(vocab="3567s", sr=44100, hop_length=4096)
    allowed = {q: {d for d, _, _ in inv} for q, inv in INVERSIONS.items()}
    labels = {e.label for s in songs for e in s}
    mir_eval.chord.validate(sorted(labels), sorted(labels))
    for label in labels:
        assert task.simplify(label) != "X", label
        if label == "N":
            continue
        quality, _, bass = label.split(":")[1].partition("/")
        assert quality in QUALITIES
        assert not bass or bass in allowed.get(quality, set()), label


def test_events_tile_the_song_and_harmonic_rhythm_spans_half_a_beat_to_two_bars(songs):
    for events in songs:
        assert events[0].start == 0.0
        for a, b in zip(events[:-1], events[1:], strict=True):
            assert b.start == pytest.approx(a.start + a.duration, abs=1e-9)
        assert events[-1].start + events[-1].duration == pytest.approx(30.0, abs=1e-9)
    beats = []
    for i in range(60):
        rng = np.random.default_rng([3, i])
        spans = song_spans(rng, n_beats=64, beats_per_bar=4)
        assert spans[0].beat == 0 and spans[-1].beat + spans[-1].beats == 64
        beats += [s.beats for s in spans[:-1] if s.label != "N"]
    assert min(beats) == 0.5 and max(beats) == 8.0
    assert all(2 * b == int(2 * b) for b in beats)  # on the half-beat grid
    assert {0.5, 1.0, 2.0, 4.0, 8.0} <= set(beats)


def test_generation_is_deterministic_and_seeded(songs):
    assert song_events(3, seed=7, duration=30.0) == songs[3]
    assert song_events(3, seed=8, duration=30.0) != songs[3]
    a = random_progression(np.random.default_rng(1), n_chords=16, tempo=100.0)
    b = random_progression(np.random.default_rng(1), n_chords=16, tempo=100.0)
    assert a == b and len(a) == 16
    assert a[0].start == 0.0 and all(e.duration > 0 for e in a)


def test_secondary_dominants_and_modulations_appear():
    """Chords outside the song's opening key: applied dominants, borrowed chords, new keys."""
    outside = 0
    for i in range(40):
        spans = song_spans(np.random.default_rng([9, i]), n_beats=96)
        pcs = set()
        for s in spans:
            if s.label != "N":
                root, bitmap, _ = mir_eval.chord.encode(s.label)
                pcs |= {(root + k) % 12 for k in np.flatnonzero(bitmap)}
        outside += len(pcs) > 8  # more than one diatonic collection (+ leading tone)
    assert outside > 30


def test_spelling_follows_the_key():
    assert harmony.spell(10, (5, "major")) == "Bb"  # F major
    assert harmony.spell(6, (7, "major")) == "F#"  # G major
    assert harmony.spell(3, (0, "minor")) == "Eb"  # C minor
    assert harmony.chord_label(7, "7", key=(0, "major"), bass="b7") == "G:7/b7"


@pytest.mark.parametrize("swing", [0.0, 0.1, 1 / 6])
def test_time_map_swings_off_beats_and_round_trips(swing):
    tm = TimeMap(120.0, swing)
    beats = np.arange(0, 8, 0.25)
    assert np.allclose(tm.beat(tm.time(beats)), beats)
    assert tm.time(3.0) == pytest.approx(1.5)  # whole beats stay put
    assert tm.time(0.5) == pytest.approx((0.5 + swing) * 0.5)
    assert np.all(np.diff(tm.time(beats)) > 0)
