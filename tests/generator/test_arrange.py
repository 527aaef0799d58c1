"""Tests of the label rule on arranged scores (no audio): notes sit inside their chords, etc."""

from __future__ import annotations

import mir_eval
import numpy as np
import pytest

from chordview.generator import voicing
from chordview.generator.arrange import BASS, COMP, COMP2, DRUMS, MELODY, PAD
from chordview.generator.band import Band
from chordview.theory import QUALITY_SEMITONES
from tests.generator.songs import arranged as arranged_song

EPS = 1e-9


def _arranged(i: int, *, band: Band | None = None):
    def draw(rng, bpb):
        return band if band is not None else Band.random(rng, beats_per_bar=bpb)

    return arranged_song(i, seed=21, band=draw)


@pytest.fixture(scope="module")
def arranged():
    return [_arranged(i) for i in range(40)]


def _inside(events, t0, t1):
    for e in events:
        if e.start - EPS <= t0 and t1 <= e.start + e.duration + EPS:
            return e
    return None


@pytest.mark.parametrize("i", range(40))
def test_notes_follow_the_label_rule(i, arranged):
    events, time_map, band, score = arranged[i]
    pitched = [n for n in score.notes if n[2] != DRUMS]
    assert pitched
    by_event: dict[int, list] = {}
    for t0, t1, chan, key, vel in pitched:
        assert 0 <= key <= 127 and 1 <= vel <= 127 and t1 > t0
        ev = _inside(events, t0, t1)
        assert ev is not None and ev.label != "N", (t0, t1, chan, key)
        by_event.setdefault(events.index(ev), []).append((t0, t1, chan, key))
    for k, notes in by_event.items():
        ev = events[k]
        root, bitmap, bass = mir_eval.chord.encode(ev.label)
        tones = {(root + j) % 12 for j in np.flatnonzero(bitmap)}
        bass_pc = (root + bass) % 12
        harmony = [n for n in notes if n[2] in (COMP, COMP2, PAD)]
        assert {n[3] % 12 for n in harmony} <= tones, ev.label
        bass_notes = sorted(n for n in notes if n[2] == BASS)
        if band.bass is not None and bass_notes:
            assert bass_notes[0][3] % 12 == bass_pc, ev.label  # first bass note = label's bass
            first_at = [n for n in harmony if n[0] < bass_notes[0][1]]
            assert all(n[3] > bass_notes[0][3] for n in first_at)  # harmony sits above the bass
            end = ev.start + ev.duration
            for t0, _, _, key in bass_notes:
                if key % 12 not in tones:  # approach note: only in the last beat
                    assert t0 >= end - time_map.spb * 1.01 - 0.03, ev.label
        elif band.bass is None:  # the comping part's left hand plays the bass, below the rest
            assert min(harmony, key=lambda n: n[3])[3] % 12 == bass_pc, ev.label
    for t0, t1 in score.noise:
        assert _inside(events, t0, t1).label == "N"


def test_bands_are_varied_and_n_stretches_vary(arranged):
    bands = [a[2] for a in arranged]
    assert len({b.comp.program for b in bands}) > 15
    assert len({b.comp.style for b in bands}) == 4
    assert len({b.comp.voicing for b in bands}) == len(voicing.VOICINGS)
    assert sum(b.bass is None for b in bands) > 0 and sum(b.drums is None for b in bands) > 0
    assert (
        sum(b.melody is not None for b in bands) > 5 and sum(b.pad is not None for b in bands) > 5
    )
    kinds = set()
    for events, _, _, score in arranged:
        for e in events:
            if e.label != "N":
                continue
            t = e.start + e.duration / 2
            drums = any(
                n[2] == DRUMS and e.start <= n[0] < e.start + e.duration for n in score.notes
            )
            noise = any(a <= t < b for a, b in score.noise)
            kinds.add("noise" if noise else "drums" if drums else "silence")
    assert kinds == {"silence", "drums", "noise"}


def test_melody_has_non_chord_tones_and_bass_has_approach_notes(arranged):
    non_chord = {MELODY: 0, BASS: 0}
    for events, _, _, score in arranged:
        for t0, t1, chan, key, _ in score.notes:
            if chan in non_chord:
                ev = _inside(events, t0, t1)
                root, bitmap, _ = mir_eval.chord.encode(ev.label)
                non_chord[chan] += (key - root) % 12 not in set(np.flatnonzero(bitmap))
    assert non_chord[MELODY] > 20 and non_chord[BASS] > 5


def test_solo_band_is_one_clean_instrument():
    events, _, _, score = _arranged(2, band=Band.solo(0))
    assert set(score.programs) == {COMP} and score.noise == []
    assert {n[2] for n in score.notes} == {COMP}


@pytest.mark.parametrize("kind", voicing.VOICINGS)
def test_voicings_sound_chord_tones_only(kind):
    rng = np.random.default_rng(0)
    for quality, intervals in QUALITY_SEMITONES.items():
        for root in range(12):
            for omit in (False, True):
                tones = voicing.chord_tones(intervals, quality=quality, omit_fifth=omit)
                bass = (root + intervals[1]) % 12 if root % 3 == 0 else root
                keys = voicing.voice(
                    kind, root_pc=root, tones=tones, bass_pc=bass, low=48, center=62.0, rng=rng
                )
                pcs = {(root + t) % 12 for t in tones}
                if kind == "shell" and quality in voicing.OMITTABLE_FIFTH:
                    pcs.discard((root + 7) % 12)  # root, third and seventh
                assert {k % 12 for k in keys} == pcs, (kind, quality, root, keys)
                assert keys == sorted(set(keys)) and keys[-1] - keys[0] <= 36
                if kind != "guitar":
                    assert keys[0] >= 48


def test_fifths_are_omitted_only_where_the_label_survives():
    for quality, intervals in QUALITY_SEMITONES.items():
        tones = voicing.chord_tones(intervals, quality=quality, omit_fifth=True)
        assert (7 in tones or 7 not in intervals) == (quality not in voicing.OMITTABLE_FIFTH)
        assert len(tones) >= 3


def test_guitar_shapes_are_playable():
    strings = (40, 45, 50, 55, 59, 64)
    for quality in ("maj", "min", "7", "min7", "dim7", "sus4", "maj6", "hdim7"):
        for root in range(12):
            pcs = frozenset((root + t) % 12 for t in QUALITY_SEMITONES[quality])
            shapes = voicing.guitar_shapes(pcs, pcs, root)
            assert shapes, (quality, root)
            for shape in shapes[:10]:
                fretted = [f for f in shape if f > 0]
                assert not fretted or max(fretted) - min(fretted) <= 3
                notes = [s + f for s, f in zip(strings, shape, strict=True) if f >= 0]
                assert notes[0] % 12 == root and {n % 12 for n in notes} == pcs
