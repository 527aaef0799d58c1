"""Four-part writing: voicings, voice leading, where non-chord tones may fall, and the texture draw."""

from __future__ import annotations

import mir_eval
import numpy as np
import pytest

from chordview.generator.arrange import BASS, COMP, COMP2, DRUMS, PAD
from chordview.generator.band import Band
from chordview.generator.chorale import RANGES, voice
from chordview.generator.synth import song_texture
from chordview.generator.voicing import OMITTABLE_FIFTH
from chordview.theory import QUALITY_SEMITONES
from tests.generator.songs import arranged

EPS = 1e-9
VOICES = (BASS, COMP, COMP2, PAD)


class _Chord:
    def __init__(self, root: int, quality: str, bass_degree: int = 0):
        self.root, self.quality = root, quality
        self.tones = tuple(QUALITY_SEMITONES[quality])
        self.bass = (root + self.tones[bass_degree]) % 12


@pytest.fixture(scope="module", params=["chorale", "hymn"])
def sung(request):
    """30 four-part songs, to band-song harmony (``chorale``) or chorale harmony (``hymn``)."""
    choir = lambda rng, _bpb: Band.chorale(rng)  # noqa: E731
    return [arranged(i, seed=33, band=choir, texture=request.param) for i in range(30)]


@pytest.mark.parametrize("quality", sorted(QUALITY_SEMITONES))
def test_every_voicing_sounds_the_chord_in_range_with_its_bass(quality):
    rng = np.random.default_rng(0)
    prev = None
    for k in range(48):
        chord = _Chord(k % 12, quality, bass_degree=(k // 12) % len(QUALITY_SEMITONES[quality]))
        keys = voice(chord, prev, rng)
        pcs = {(chord.root + t) % 12 for t in chord.tones}
        assert len(keys) == 4 and list(keys) == sorted(set(keys))
        assert all(lo <= key <= hi for key, (lo, hi) in zip(keys, RANGES, strict=True)), keys
        assert keys[0] % 12 == chord.bass and {key % 12 for key in keys} <= pcs
        fifth = (chord.root + 7) % 12
        missing = pcs - {key % 12 for key in keys}
        assert not missing or (missing == {fifth} and quality in OMITTABLE_FIFTH), (quality, keys)
        prev = keys


def test_voices_move_smoothly_without_parallel_fifths_or_octaves():
    rng = np.random.default_rng(1)
    moves, parallels, prev = [], 0, None
    chords = [
        _Chord(int(r), str(q))
        for r, q in zip(
            rng.integers(0, 12, 300),
            rng.choice(["maj", "min", "7", "min7", "dim"], 300),
            strict=True,
        )
    ]
    for c in chords:
        keys = voice(c, prev, rng)
        if prev is not None:
            moves += [abs(a - b) for a, b in zip(keys[1:], prev[1:], strict=True)]
            for i in range(4):
                for j in range(i + 1, 4):
                    same = (keys[j] - keys[i]) % 12 == (prev[j] - prev[i]) % 12
                    parallel = (keys[i] - prev[i]) * (keys[j] - prev[j]) > 0
                    parallels += same and parallel and (keys[j] - keys[i]) % 12 in (0, 7)
        prev = keys
    # random roots leap by up to a tritone: the upper voices still move about a third or less
    assert np.mean(moves) < 3.0 and parallels < 0.05 * len(chords), (np.mean(moves), parallels)


def test_four_part_songs_follow_the_label_rule(sung):
    counts = {"passing or neighbour": 0, "suspension": 0}
    for events, time_map, band, score in sung:
        assert set(score.programs) == set(VOICES) and len(band.voices) == 4
        assert not any(n[2] == DRUMS for n in score.notes)
        tol = 0.06 / time_map.spb  # humanised timing, in beats
        for ev in events:
            end = ev.start + ev.duration
            notes = sorted(n for n in score.notes if ev.start - EPS <= n[0] < end)
            if ev.label == "N":
                assert not notes
                continue
            assert all(n[1] <= end + EPS for n in notes)  # released by the event's end
            root, bitmap, bass = mir_eval.chord.encode(ev.label)
            tones = {(root + j) % 12 for j in np.flatnonzero(bitmap)}
            bass_notes = [n for n in notes if n[2] == BASS]
            assert bass_notes[0][3] % 12 == (root + bass) % 12, ev.label
            assert bass_notes[0][0] < ev.start + 0.1
            b0, b1 = time_map.beat(ev.start), time_map.beat(end)
            for t0, t1, chan, key, _ in notes:
                if key % 12 in tones:
                    continue
                if time_map.beat(t0) >= b1 - 0.5 - tol:  # the last half-beat: passing, neighbour
                    counts["passing or neighbour"] += 1
                    if chan == BASS:  # the bass leaves the label's bass only in longer chords
                        assert b1 - b0 >= 2 - tol, (ev.label, b1 - b0)
                else:  # held over from the previous chord for at most a beat
                    assert time_map.beat(t0) < b0 + tol, ev.label
                    assert time_map.beat(t1) <= b0 + 1 + tol, ev.label
                    counts["suspension"] += 1
    assert counts["passing or neighbour"] > 50 and counts["suspension"] > 10, counts


def test_each_voice_sings_at_its_own_level(sung):
    """The drawn balance reaches the notes: louder voices have higher velocities."""
    drawn, heard = [], []
    for _, _, band, score in sung:
        levels = np.array([p.level for p in band.voices])
        mean = np.array([np.mean([n[4] for n in score.notes if n[2] == c]) for c in VOICES])
        drawn += list(levels - levels.mean())
        heard += list(mean - mean.mean())
    r = np.corrcoef(drawn, heard)[0, 1]
    assert r > 0.6, r


def test_a_chord_four_voices_cannot_sound_is_refused():
    c = _Chord(0, "dim7")
    c.bass = 2  # C:dim7/2: five pitch classes
    with pytest.raises(ValueError, match="no four-part voicing"):
        voice(c, None, np.random.default_rng(0))


def test_ensembles_vary(sung):
    programs = [tuple(p.program for p in band.voices) for _, _, band, _ in sung]
    assert len({p for voices in programs for p in voices}) > 12
    assert 3 < sum(len(set(p)) == 1 for p in programs) < len(programs) - 3


def test_the_texture_draw_keeps_band_songs_unchanged():
    none = [song_texture(i, seed=1, chorale=0.0) for i in range(400)]
    quarter = [song_texture(i, seed=1, chorale=0.25) for i in range(400)]
    half = [song_texture(i, seed=1, chorale=0.5) for i in range(400)]
    assert set(none) == {"band"} and 70 < quarter.count("chorale") < 130
    # raising the fraction only turns more songs into chorales
    assert all(h == "chorale" for q, h in zip(quarter, half, strict=True) if q == "chorale")
