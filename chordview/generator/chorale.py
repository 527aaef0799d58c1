"""Four-part writing (bass, tenor, alto, soprano) of a chord progression, as in a chorale.

Each chord is voiced by a search over all four-voice spacings of its tones in the voices' ranges:
the bass sings the label's bass, the four voices together sound every essential tone (an
omittable fifth may give way to a doubled tone, see :data:`chordview.generator.voicing.
OMITTABLE_FIFTH`), and among the spacings that fit, a soft minimum of the voice-leading cost is
drawn: small steps from the previous chord, no parallel fifths or octaves, no crossed voices.

Voices then move like vocal or string parts: long chords are re-sung on the beat, and at a chord
change a voice may carry a non-chord tone, always in the scale around it:

- a *passing tone* in the last half-beat of a chord, between two notes a third apart;
- a *neighbour tone* in the last half-beat, between two equal notes;
- a *suspension* (upper voices only): the previous chord's note is held over the first half-beat
  (a beat in a long chord) of the next one, then resolves down by step to its own tone.

These are the non-chord tones a listener hears in a chorale; the label is the chord the voices
settle on, as in a human harmonic analysis. No note crosses its chord's span: a suspension is
sung again at the chord's start (see the label rule in :mod:`chordview.generator.arrange`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import product

import numpy as np

from chordview.generator.voicing import OMITTABLE_FIFTH

#: Lowest and highest MIDI key of bass, tenor, alto and soprano.
RANGES = ((38, 62), (48, 69), (55, 76), (60, 81))
_CENTRES = (50.0, 58.0, 65.0, 72.0)


def _essential(chord) -> frozenset[int]:
    pcs = [(chord.root + t) % 12 for t in chord.tones]
    if chord.quality in OMITTABLE_FIFTH and 7 in chord.tones:
        pcs.remove((chord.root + 7) % 12)
    return frozenset(pcs)


def voice(chord, prev: Sequence[int] | None, rng: np.random.Generator) -> tuple[int, ...]:
    """MIDI keys (bass, tenor, alto, soprano) of ``chord``, led smoothly from ``prev``.

    Parameters
    ----------
    chord
        Has ``root`` (pc), ``tones`` (semitones above the root), ``bass`` (pc) and ``quality``.
    prev : sequence of int, optional
        The previous chord's keys; None at the start of a phrase.
    rng : numpy.random.Generator
        Draws among near-equal spacings.
    """
    pcs = {(chord.root + t) % 12 for t in chord.tones}
    need = _essential(chord)
    options = [
        [k for k in range(lo, hi + 1) if k % 12 in (pcs if v else {chord.bass})]
        for v, (lo, hi) in enumerate(RANGES)
    ]
    best, best_cost = None, np.inf
    for keys in product(*options):
        b, t, a, s = keys
        if not (b < t < a < s) or s - a > 12 or a - t > 12 or t - b > 19:
            continue
        if not need <= {k % 12 for k in keys}:
            continue
        if prev is None:
            cost = sum(abs(k - c) for k, c in zip(keys, _CENTRES, strict=True)) / 3
        else:
            cost = sum(abs(k - p) for k, p in zip(keys[1:], prev[1:], strict=True))
            cost += 0.3 * abs(b - prev[0]) + 6.0 * _parallels(prev, keys)
        cost += rng.gumbel() * 1.5
        if cost < best_cost:
            best, best_cost = keys, cost
    if best is None:  # every label the generator writes has spacings (tested): refuse the rest
        raise ValueError(
            f"no four-part voicing sounds all of {sorted(need)} over bass {chord.bass}"
        )
    return best


def _parallels(prev: Sequence[int], keys: Sequence[int]) -> int:
    """Pairs of voices moving in parallel fifths or octaves from ``prev`` to ``keys``."""
    n = 0
    for i in range(4):
        for j in range(i + 1, 4):
            before, after = (prev[j] - prev[i]) % 12, (keys[j] - keys[i]) % 12
            moved = keys[i] != prev[i] and (keys[i] - prev[i]) * (keys[j] - prev[j]) > 0
            n += moved and before == after and after in (0, 7)
    return n


def _step(key: int, direction: int, scale: frozenset[int]) -> int:
    """The next key of ``scale`` above (``direction`` 1) or below (-1) ``key``."""
    k = key + direction
    while k % 12 not in scale:
        k += direction
    return k


def write(
    note: Callable[..., None],
    chords: Sequence,
    scales: Sequence[frozenset[int]],
    rng: np.random.Generator,
    *,
    channels: Sequence[int],
    levels: Sequence[float] = (0, 0, 0, 0),
    passing: float = 0.5,
    neighbour: float = 0.15,
    suspension: float = 0.25,
    restrike: float = 0.5,
) -> None:
    """Sing ``chords`` in four parts through ``note(chan, key, beat, length, chord)``.

    Parameters
    ----------
    note : callable
        Writes one note inside its chord's span (see ``_Writer.note`` in
        :mod:`chordview.generator.arrange`).
    chords : sequence
        Chords (``b0``/``b1`` beats, ``root``, ``tones``, ``bass``, ``quality``), None for ``N``.
    scales : sequence of frozenset
        The scale around each chord, for non-chord tones.
    channels : sequence of int
        MIDI channels of bass, tenor, alto and soprano.
    levels : sequence of float
        Each voice's loudness (velocity offset).
    passing, neighbour, suspension, restrike : float
        Probabilities of each ornament where it fits, and of re-singing a long chord on a beat.
    """
    keys: list[tuple[int, ...] | None] = []
    prev = None
    for c in chords:
        prev = voice(c, prev, rng) if c is not None else None
        keys.append(prev)
    held: list[set[int]] = [set() for _ in chords]  # voices suspended into each chord
    for i, c in enumerate(chords):
        if c is None:
            continue
        nxt = chords[i + 1] if i + 1 < len(chords) else None
        for v, chan in enumerate(channels):
            k = keys[i][v]
            segments = [[c.b0, c.b1, k]]
            if v in held[i]:
                hold = 1.0 if c.b1 - c.b0 >= 2 else 0.5
                segments = [[c.b0, c.b0 + hold, keys[i - 1][v]], [c.b0 + hold, c.b1, k]]
            room = 2 if v == 0 else 1  # the bass leaves the label's bass only in longer chords
            if nxt is not None and c.b1 - c.b0 >= room and c.b1 - segments[-1][0] >= 1:
                k1 = keys[i + 1][v]
                tail = None
                if 3 <= abs(k1 - k) <= 4 and rng.random() < passing:
                    tail = _step(k, 1 if k1 > k else -1, scales[i])
                    tail = tail if min(k, k1) < tail < max(k, k1) else None
                elif k1 == k and rng.random() < neighbour:
                    tail = _step(k, 1 if rng.random() < 0.5 else -1, scales[i])
                elif v and k - k1 in (1, 2) and nxt.b1 - nxt.b0 >= 1 and rng.random() < suspension:
                    held[i + 1].add(v)
                if tail is not None:
                    segments[-1][1] = c.b1 - 0.5
                    segments.append([c.b1 - 0.5, c.b1, tail])
            for b0, b1, key in segments:
                starts = [b0]
                if b1 - b0 >= 2 and rng.random() < restrike:
                    starts += [float(b) for b in np.arange(np.floor(b0) + 1, b1 - 0.5)]
                ends = starts[1:] + [b1]
                for s, e in zip(starts, ends, strict=True):
                    note(
                        chan,
                        key,
                        s,
                        (e - s) * 0.97,
                        c,
                        accent=4 if s == c.b0 else 0,
                        vel_offset=levels[v],
                    )
