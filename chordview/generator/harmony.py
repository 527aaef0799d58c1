"""Functional chord progressions for synthetic songs, in beats, with a controlled class balance.

A song is a chain of phrases in a key (all 12 tonics, major and minor). Each phrase is a walk over
the tonic (T), predominant (S) and dominant (D) functions that ends in a cadence; each function is
realised by a scale degree, diatonic or borrowed from the parallel mode, and each degree by a
quality drawn from its colours (``I`` -> ``maj``, ``maj7``, ``maj6``, ``sus2`` ...). Decorations
then insert applied chords (``V7/x``, ``vii°7/x``, ``iiø7 - V7`` of a target), passing and
common-tone diminished chords, suspensions resolving to their chord, line clichés (``i - i(maj7) -
i7 - i6``, ``I - I+ - I6 - I7``) and cadential six-fours; phrases may modulate through the new key's
dominant, and ``N`` stretches open, interrupt and close songs. Harmonic rhythm runs from half a beat
to two bars.

Class balance: every colour weight is multiplied by :data:`QUALITY_BOOST`, a per-quality factor
calibrated so that over many songs each of the 14 qualities of the ``3567s`` vocabulary holds at
least :data:`MIN_QUALITY_SHARE` of the chord time (measured by :func:`chordview.generator.balance.
stats` in the tests). Inversions use only the bass degrees of :data:`INVERSIONS`: symmetric and
sixth chords stay in root position, so a pitch set plus its bass maps to exactly one label.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from chordview import theory

# The tables of this module name qualities ("minmaj7" ...) as musical choices of the generator's
# style: which colours each degree takes, how often, which inversions are written. What a quality
# is (its tones, degrees and spelling) comes from chordview.theory alone.

# quality -> ((Harte bass degree, weight), ...). Left out on purpose, as they sound like another
# chord of the vocabulary in root position or are symmetric: aug, dim7, maj6, min6, sus2, sus4
# (all inversions), min7/b3 (= maj6) and hdim7/b3 (= min6).
_INVERSION_WEIGHTS: dict[str, tuple[tuple[str, float], ...]] = {
    "maj": (("3", 3), ("5", 2)),
    "min": (("b3", 3), ("5", 2)),
    "dim": (("b3", 2), ("b5", 1)),
    "7": (("3", 3), ("5", 1), ("b7", 2)),
    "maj7": (("3", 2), ("5", 1), ("7", 1)),
    "min7": (("5", 1), ("b7", 2)),
    "hdim7": (("b5", 1), ("b7", 1)),
    "minmaj7": (("b3", 1), ("5", 1), ("7", 1)),
}
#: quality -> ((Harte bass degree, semitones above the root, weight), ...)
INVERSIONS: dict[str, tuple[tuple[str, int, float], ...]] = {
    q: tuple((d, theory.degree_semitones(d), w) for d, w in options)
    for q, options in _INVERSION_WEIGHTS.items()
}
# Calibrated with stats() on 1500 30-second songs (factor *= (0.055 / share) ** 0.8 while a share
# was under 5.5%); raise a factor to raise that quality's share.
QUALITY_BOOST: dict[str, float] = {
    "maj": 1.0,
    "min": 1.0,
    "dim": 2.1,
    "aug": 5.0,
    "maj6": 2.1,
    "min6": 2.3,
    "7": 1.0,
    "maj7": 1.0,
    "min7": 1.0,
    "dim7": 2.8,
    "hdim7": 2.25,
    "minmaj7": 4.5,
    "sus2": 2.3,
    "sus4": 1.55,
}
MIN_QUALITY_SHARE = 0.035

_MINOR_TONIC = (("min", 10), ("min7", 3), ("min6", 2), ("minmaj7", 2), ("sus2", 0.8), ("sus4", 0.4))
# degree -> (semitones above the tonic, function, weight, ((quality, weight), ...))
_DEGREES = {
    "major": {
        "I": (0, "T", 10, (("maj", 10), ("maj7", 4), ("maj6", 3), ("sus2", 1.2), ("sus4", 0.5))),
        "vi": (9, "T", 5, (("min", 7), ("min7", 4))),
        "iii": (4, "T", 1.5, (("min", 3), ("min7", 2))),
        "bIII": (3, "T", 0.5, (("maj", 1), ("maj7", 0.5))),
        "ii": (2, "S", 6, (("min", 6), ("min7", 6), ("min6", 1), ("sus4", 0.5), ("sus2", 0.5))),
        "IV": (5, "S", 8, (("maj", 8), ("maj7", 4), ("maj6", 3), ("sus2", 1.5))),
        "iv": (5, "S", 2, (("min", 3), ("min6", 2), ("min7", 1), ("minmaj7", 0.5))),
        "iiø": (2, "S", 1, (("hdim7", 2), ("dim", 1))),
        "bVI": (8, "S", 1.5, (("maj", 2), ("maj7", 1))),
        "V": (7, "D", 10, (("maj", 8), ("7", 10), ("sus4", 3), ("aug", 1), ("sus2", 0.5))),
        "vii": (11, "D", 3, (("dim", 3), ("hdim7", 3))),
        "bVII": (10, "D", 1.2, (("maj", 2), ("7", 1))),
    },
    "minor": {
        "i": (0, "T", 10, _MINOR_TONIC),
        "bIII": (3, "T", 4, (("maj", 4), ("maj7", 2), ("aug", 1.5))),
        "bVI": (8, "T", 2, (("maj", 4), ("maj7", 2.5))),
        "I": (0, "T", 0.4, (("maj", 1),)),
        "iv": (5, "S", 8, (("min", 8), ("min7", 4), ("min6", 2.5))),
        "ii": (2, "S", 4, (("dim", 4), ("hdim7", 5))),
        "bVI-S": (8, "S", 3, (("maj", 4), ("maj7", 2.5))),
        "IV": (5, "S", 1.2, (("maj", 1), ("7", 1))),
        "bII": (1, "S", 0.8, (("maj", 1), ("maj7", 0.3))),
        "V": (7, "D", 9, (("maj", 6), ("7", 8), ("sus4", 3), ("aug", 1))),
        "vii": (11, "D", 4, (("dim", 1.5), ("dim7", 4))),
        "v": (7, "D", 2, (("min", 2), ("min7", 1.5))),
        "bVII": (10, "D", 3, (("maj", 4), ("7", 1.5), ("sus2", 0.3))),
    },
}
_NEXT = {"T": (0.2, 0.5, 0.3), "S": (0.2, 0.25, 0.55), "D": (0.75, 0.1, 0.15)}  # -> T, S, D
_CADENCES = (("DT", 5), ("ST", 1.5), ("SD", 2), ("DvI", 1))  # authentic, plagal, half, deceptive


@dataclass(frozen=True)
class ChordEvent:
    """One chord of a song, in seconds.

    Attributes
    ----------
    label : str
        Harte label, e.g. ``'G:7/b7'``, or ``'N'`` for no chord.
    start, duration : float
        Onset and length, in seconds.
    """

    label: str
    start: float
    duration: float


class Span(NamedTuple):
    """One chord (or ``N``) on the beat grid: Harte ``label``, ``beat`` (start) and ``beats``."""

    label: str
    beat: float
    beats: float


@dataclass
class _Chord:
    root: int  # pitch class
    quality: str  # "N" for no chord
    beats: float
    key: tuple[int, str]  # (tonic, mode) the chord is spelled in
    bass: str = ""  # Harte bass degree, "" for root position
    fixed: bool = False  # bass chosen by a decoration; no random inversion


def spell(pc: int, key: tuple[int, str]) -> str:
    """Root name of pitch class ``pc`` in ``key`` = (tonic, mode): flats in flat keys."""
    tonic, mode = key
    major_tonic = (tonic + (3 if mode == "minor" else 0)) % 12
    return theory.spell(pc, prefer_flats=major_tonic in (1, 3, 5, 8, 10))


def chord_label(root: int, quality: str, *, key: tuple[int, str], bass: str = "") -> str:
    """Harte label such as ``'Bb:7/3'``; ``'N'`` when ``quality`` is ``'N'``."""
    if quality == "N":
        return "N"
    return theory.harte(spell(root, key), quality, bass)


def _pick(rng: np.random.Generator, items, weights) -> int:
    w = np.asarray(weights, dtype=float)
    return int(rng.choice(len(items), p=w / w.sum()))


def _colour(rng: np.random.Generator, colours) -> str:
    return colours[_pick(rng, colours, [w * QUALITY_BOOST[q] for q, w in colours])][0]


def _split(beats: float) -> float:
    """Length of the second part when a chord of ``beats`` is split in two (multiple of 0.5)."""
    return max(0.5, np.floor(beats) / 2 if beats >= 2 else 0.5)


@dataclass(frozen=True)
class _Style:
    base: float  # typical beats per chord
    beats_per_bar: int
    inversion: float  # probability of an inversion
    decoration: float  # scales every decoration probability
    sevenths: float  # extra weight of four-note colours


def _style(rng: np.random.Generator, beats_per_bar: int) -> _Style:
    bar = beats_per_bar
    base = float(rng.choice([1, 2, bar, bar, 2 * bar], p=[0.12, 0.28, 0.25, 0.2, 0.15]))
    inversion, decoration = float(rng.uniform(0.08, 0.35)), float(rng.uniform(0.5, 1.5))
    return _Style(base, bar, inversion, decoration, sevenths=float(rng.uniform(0.5, 2)))


def _phrase(rng: np.random.Generator, key: tuple[int, str], style: _Style) -> list[_Chord]:
    """One phrase: a function walk closed by a cadence, realised as degrees and colours."""
    tonic, mode = key
    degrees = _DEGREES[mode]
    n = int(rng.choice([2, 4, 4, 4, 6, 8]))
    cadence = _CADENCES[_pick(rng, _CADENCES, [w for _, w in _CADENCES])][0]
    functions = ["T" if rng.random() < 0.75 else "S"]
    while len(functions) < n - 2:
        functions.append("TSD"[_pick(rng, "TSD", _NEXT[functions[-1]])])
    functions += ["D", "T"] if cadence == "DvI" else list(cadence)
    functions = functions[-n:]
    out: list[_Chord] = []
    prev = None
    for i, fn in enumerate(functions):
        names = [d for d, v in degrees.items() if v[1] == fn and d != prev]
        if cadence == "DvI" and i == n - 1:
            names = ["vi" if mode == "major" else "bVI"]
        elif i == n - 1 and fn == "T":
            names = ["I" if mode == "major" else "i"]
        deg = names[_pick(rng, names, [degrees[d][2] for d in names])]
        offset, _, _, colours = degrees[deg]
        colours = [
            (q, w * (style.sevenths if len(theory.QUALITY_SEMITONES[q]) == 4 else 1.0))
            for q, w in colours
        ]
        scale = float(rng.choice([0.5, 1, 1, 1, 2]))
        beats = float(np.clip(style.base * scale, 0.5, 2 * style.beats_per_bar))
        out.append(_Chord((tonic + offset) % 12, _colour(rng, colours), beats, key))
        prev = deg
    return out


def _new_key(rng: np.random.Generator, key: tuple[int, str]) -> tuple[int, str]:
    tonic, mode = key
    moves = [
        ((tonic + 7) % 12, mode),
        ((tonic + 5) % 12, mode),
        ((tonic + (3 if mode == "minor" else 9)) % 12, "major" if mode == "minor" else "minor"),
        (tonic, "major" if mode == "minor" else "minor"),
        ((tonic + 2) % 12, mode),
        ((tonic + 1) % 12, mode),
        ((tonic + 10) % 12, mode),
    ]
    return moves[_pick(rng, moves, [3, 2.5, 3, 1.5, 1, 1, 1])]


def _decorate(rng: np.random.Generator, chords: list[_Chord], style: _Style) -> list[_Chord]:
    """Insert applied, passing and cliché chords by splitting the chords around them."""
    p = style.decoration
    out: list[_Chord] = []
    for c in chords:
        prev = out[-1] if out and out[-1].quality != "N" else None
        u = rng.random()
        if c.quality == "N":
            out.append(c)
            continue
        step = (c.root - prev.root) % 12 if prev else None
        if (
            prev
            and prev.beats >= 1
            and u < 0.16 * p
            and (c.root - c.key[0]) % 12 != 0
            and c.quality not in ("dim", "dim7", "hdim7", "aug")
        ):
            _applied(rng, out, c)
        elif (
            prev
            and prev.beats >= 1
            and u < 0.27 * p
            and step in (2, 10, 0)
            and prev.quality not in ("dim", "dim7")
        ):
            x = _split(prev.beats)
            prev.beats -= x
            root = (prev.root + {2: 1, 10: 11, 0: 0}[step]) % 12
            out.append(_Chord(root, _colour(rng, [("dim7", 3), ("dim", 2)]), x, c.key))
        elif c.beats >= 1 and u < 0.34 * p and c.quality in ("maj", "7", "maj7"):
            x = _split(c.beats)
            sus = _colour(rng, [("sus4", 2), ("sus2", 1)])
            out += [_Chord(c.root, sus, c.beats - x, c.key), _Chord(c.root, c.quality, x, c.key)]
            continue
        elif c.beats >= 2 and u < 0.41 * p and c.quality in ("min", "maj"):
            line = (
                ("min", "minmaj7", "min7", "min6")
                if c.quality == "min"
                else ("maj", "aug", "maj6", "7")
            )
            k = int(rng.integers(2, 5)) if c.beats >= 4 else 2
            each = float(np.floor(2 * c.beats / k) / 2)
            for j in range(k):
                beats = each if j < k - 1 else c.beats - each * (k - 1)
                out.append(_Chord(c.root, line[j], beats, c.key))
            continue
        elif prev and c.beats >= 2 and u < 0.45 * p and (c.root - c.key[0]) % 12 == 7:
            x = _split(c.beats)
            tonic_q = "maj" if c.key[1] == "major" else "min"
            out.append(_Chord(c.key[0], tonic_q, c.beats - x, c.key, bass="5", fixed=True))
            c.beats = x
        out.append(c)
    return [c for c in out if c.beats > 0]


def _applied(rng: np.random.Generator, out: list[_Chord], target: _Chord) -> None:
    """Replace the second part of ``out[-1]`` by a secondary dominant (or ii-V) of ``target``."""
    prev, r = out[-1], target.root
    minor_target = target.quality in ("min", "min7", "min6", "minmaj7")
    options = [
        [((r + 7) % 12, "7")],
        [((r + 7) % 12, "maj")],
        [((r + 11) % 12, "dim7")],
        [((r + 11) % 12, "hdim7")],
        [((r + 7) % 12, "aug")],
        [((r + 11) % 12, "dim")],
        [((r + 2) % 12, "hdim7" if minor_target else "min7"), ((r + 7) % 12, "7")],
    ]
    weights = [5, 2, 2.5, 0.5 if minor_target else 1, 0.8, 1.5, 1.5 if prev.beats >= 2 else 0]
    weights = [w * QUALITY_BOOST[o[-1][1]] for w, o in zip(weights, options, strict=True)]
    chosen = options[_pick(rng, options, weights)]
    x = _split(prev.beats)
    prev.beats -= x
    parts = [x] if len(chosen) == 1 else [x - _split(x), _split(x)]
    for (root, quality), beats in zip(chosen, parts, strict=True):
        out.append(_Chord(root, quality, beats, target.key))


def _invert(rng: np.random.Generator, chords: list[_Chord], style: _Style) -> None:
    for c in chords:
        if c.fixed or c.quality not in INVERSIONS or rng.random() >= style.inversion:
            continue
        options = INVERSIONS[c.quality]
        c.bass = options[_pick(rng, options, [w for _, _, w in options])][0]


def song_spans(rng: np.random.Generator, *, n_beats: float, beats_per_bar: int = 4) -> list[Span]:
    """The harmony of one song: contiguous spans tiling ``[0, n_beats]`` beats.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of all randomness.
    n_beats : float
        Length of the song in beats (a multiple of 0.5 keeps every span on the half-beat grid).
    beats_per_bar : int
        Metre (3 or 4); harmonic rhythm runs from half a beat to two bars.

    Returns
    -------
    list of Span
        Spans in time order, ``N`` stretches included; the last one is cut at ``n_beats``.
    """
    key = (int(rng.integers(12)), "major" if rng.random() < 0.55 else "minor")
    style = _style(rng, beats_per_bar)
    bar = beats_per_bar
    outro = float(rng.choice([1, 2]) * bar) if rng.random() < 0.3 and n_beats >= 6 * bar else 0.0
    music = max(0.5, n_beats - outro)
    chords: list[_Chord] = []
    if rng.random() < 0.3:
        chords.append(_Chord(0, "N", float(rng.choice([1, 2, bar, 2 * bar])), key))
    total, modulations = sum(c.beats for c in chords), 0
    while total < music:
        phrase = _phrase(rng, key, style)
        chords += phrase
        total += sum(c.beats for c in phrase)
        if rng.random() < 0.25 and modulations < 2:
            key = _new_key(rng, key)
            modulations += 1
            last = chords[-1]
            x = _split(last.beats)
            last.beats -= x
            chords.append(_Chord((key[0] + 7) % 12, "7", x, key))
        elif rng.random() < 0.1:
            n = float(rng.choice([1, 2, bar]))
            chords.append(_Chord(0, "N", n, key))
            total += n
    chords = _decorate(rng, chords, style)
    _invert(rng, chords, style)
    spans = laid_out(chords, music)
    if outro:
        beat = spans[-1].beat + spans[-1].beats
        spans.append(Span("N", beat, n_beats - beat))
    return spans


def laid_out(chords: list[_Chord], end: float) -> list[Span]:
    """``chords`` end to end from beat 0 as labelled spans, the last one cut at beat ``end``."""
    spans: list[Span] = []
    beat = 0.0
    for c in chords:
        if beat >= end:
            break
        beats = min(c.beats, end - beat)
        spans.append(Span(chord_label(c.root, c.quality, key=c.key, bass=c.bass), beat, beats))
        beat += beats
    return spans
