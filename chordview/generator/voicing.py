"""Chord voicings for the comping parts: close, open, drop-2, shell and guitar shapes.

Every voicing returns MIDI keys whose pitch classes are chord tones only. Fifths are left out only
where no other label could be heard instead, in the qualities of
:data:`chordview.theory.OMITTABLE_FIFTH` (``C E Bb`` over a ``C`` bass is still ``C:7``); altered
fifths and the fifth of sixth chords are always kept. Guitar shapes are found by searching
standard-tuning fret positions and cached per chord.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from chordview.theory import OMITTABLE_FIFTH as OMITTABLE_FIFTH  # re-exported for the voicings

VOICINGS = ("close", "open", "drop2", "shell", "guitar")
_STRINGS = (40, 45, 50, 55, 59, 64)  # E2 A2 D3 G3 B3 E4


def chord_tones(intervals, *, quality: str, omit_fifth: bool) -> list[int]:
    """Semitones above the root that a voicing sounds (``intervals`` minus an omitted fifth)."""
    tones = list(intervals)
    if omit_fifth and quality in OMITTABLE_FIFTH and 7 in tones:
        tones.remove(7)
    return tones


def close(pcs: list[int], *, low: int, center: float, rng: np.random.Generator) -> list[int]:
    """Close position (within an octave), lowest key at least ``low``, mean near ``center``.

    Parameters
    ----------
    pcs : list of int
        Pitch classes in chord order (root first); any rotation may end up on top.
    """
    best: tuple[float, list[int]] | None = None
    for rot in range(len(pcs)):
        order = pcs[rot:] + pcs[:rot]
        first = low + (order[0] - low) % 12
        for base in (first, first + 12):
            keys = [base]
            for pc in order[1:]:
                keys.append(keys[-1] + ((pc - keys[-1]) % 12 or 12))
            cost = abs(float(np.mean(keys)) - center) + 2.0 * rng.random()
            if best is None or cost < best[0]:
                best = (cost, keys)
    assert best is not None
    return best[1]


def drop(keys: list[int], *, which: int, low: int) -> list[int]:
    """Drop the ``which``-th voice from the top (2: drop-2) an octave; raised if below ``low``."""
    if len(keys) < which + 1:
        return keys
    keys = sorted(keys)
    keys[-which] -= 12
    keys = sorted(keys)
    while keys[0] < low:
        keys = [k + 12 for k in keys]
    return keys


def spread(root_pc: int, tones: list[int], *, low: int, rng: np.random.Generator) -> list[int]:
    """Open position: root low, fifth and seventh above it, third (sixth, second) an octave up."""
    root = low + (root_pc - low) % 12 + (12 if rng.random() < 0.3 else 0)
    return sorted({root + t + (12 if t in (2, 3, 4, 5) else 0) for t in tones})


def shell(root_pc: int, tones: list[int], *, low: int) -> list[int]:
    """Root, third and seventh (jazz shell) for seventh chords; ``close``-like otherwise."""
    root = low + (root_pc - low) % 12
    upper = [t for t in tones if t not in (0, 7)] or [t for t in tones if t]
    return [root, *(root + t + (12 if t < 5 else 0) for t in upper)]


@lru_cache(maxsize=4096)
def guitar_shapes(pcs: frozenset[int], required: frozenset[int], bass_pc: int) -> tuple:
    """Standard-tuning shapes for a chord: tuples of six frets (-1 = muted string).

    A shape sounds only ``pcs``, covers ``required``, has ``bass_pc`` on its lowest sounding
    string, sounds three to six strings with at most one muted string between them, and spans at
    most four frets (open strings, allowed in the first positions only, aside). Shapes are sorted
    from the most to the fewest strings, then from the lowest position up.
    """
    strings = np.array(_STRINGS)
    req = sum(1 << pc for pc in required)
    shapes = set()
    for pos in range(0, 11):
        window = [*([0] if pos <= 2 else []), *range(max(pos, 1), pos + 4)]
        options = [[-1] + [f for f in window if (s + f) % 12 in pcs] for s in _STRINGS]
        frets = np.stack(np.meshgrid(*options, indexing="ij"), axis=-1).reshape(-1, 6)
        on = frets >= 0
        count = on.sum(axis=1)
        lowest = np.argmax(on, axis=1)
        highest = 5 - np.argmax(on[:, ::-1], axis=1)
        notes = strings + frets
        low_pc = notes[np.arange(len(frets)), lowest] % 12
        heard = np.bitwise_or.reduce(np.where(on, 1 << (notes % 12), 0), axis=1)
        fretted = np.where(frets > 0, frets, 99)
        span = np.where(frets > 0, frets, -1).max(axis=1) - fretted.min(axis=1)
        ok = (count >= 3) & (highest - lowest + 1 - count <= 1) & (low_pc == bass_pc)
        ok &= ((heard & req) == req) & ((span <= 3) | (fretted.min(axis=1) == 99))
        shapes.update(tuple(int(f) for f in row) for row in frets[ok])
    return tuple(sorted(shapes, key=lambda c: (-sum(f >= 0 for f in c), max(c), c)))


def guitar(
    pcs: list[int], *, required: list[int], bass_pc: int, rng: np.random.Generator
) -> list[int] | None:
    """MIDI keys of a random guitar shape among the fullest ones, or None if none exists."""
    shapes = guitar_shapes(frozenset(pcs), frozenset(required), bass_pc)
    if not shapes:
        return None
    top = [s for s in shapes if sum(f >= 0 for f in s) >= sum(f >= 0 for f in shapes[0]) - 1]
    shape = top[int(rng.integers(len(top)))]
    return [s + f for s, f in zip(_STRINGS, shape, strict=True) if f >= 0]


def voice(
    kind: str,
    *,
    root_pc: int,
    tones: list[int],
    bass_pc: int,
    low: int,
    center: float,
    rng: np.random.Generator,
) -> list[int]:
    """Keys of one chord in voicing ``kind`` (one of :data:`VOICINGS`).

    Parameters
    ----------
    root_pc, bass_pc : int
        Pitch classes of the root and of the label's bass.
    tones : list of int
        Semitones above the root to sound (see :func:`chord_tones`), root first.
    low : int
        Lowest allowed key (MIDI); guitar shapes ignore it and start at E2.
    center : float
        Preferred mean key (MIDI).

    Returns
    -------
    list of int
        Distinct keys, ascending; the lowest is ``bass_pc`` for guitar shapes, free otherwise.
    """
    pcs = [(root_pc + t) % 12 for t in tones]
    keys: list[int] | None = None
    if kind == "guitar":
        keys = guitar(pcs, required=pcs, bass_pc=bass_pc, rng=rng)
    elif kind == "shell" and len(tones) >= 3 and any(t in (10, 11) for t in tones):
        keys = shell(root_pc, tones, low=low)
    elif kind == "open":
        keys = spread(root_pc, tones, low=low, rng=rng)
    elif kind == "drop2" and len(tones) >= 4:
        keys = drop(close(pcs, low=low + 12, center=center + 6, rng=rng), which=2, low=low)
    if keys is None:
        keys = close(pcs, low=low, center=center, rng=rng)
    return sorted(set(keys))
