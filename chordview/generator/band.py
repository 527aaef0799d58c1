"""Who plays a synthetic song and how: General MIDI programs, part styles and rhythm patterns.

:meth:`Band.random` draws a band: a comping part (pianos, electric pianos, organs, guitars, mallets,
strings, brass, synths ...), usually a bass, sometimes a second comping part, a pad, a melody and a
drum groove, each with its own style, voicing, register, mix and effect sends. :meth:`Band.chorale`
is four voices (a choir, strings, organ, winds, brass, a keyboard or a mix) singing in four parts
with no drums (:mod:`chordview.generator.chorale`). :meth:`Band.solo` is one clean instrument that
also plays the bass with its left hand, for tests and demos.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from chordview.generator.chorale import RANGES
from chordview.generator.drums import KITS, SHAKER, TAMBOURINE, grooves

# (weight, programs, styles, voicings) of comping families
_COMP = (
    (
        0.26,
        (0, 1, 2, 3, 4, 5, 6, 7),
        ("block", "arpeggio", "sustain"),
        ("close", "open", "drop2", "shell"),
    ),
    (0.24, (24, 25, 26, 27, 28, 29), ("strum", "arpeggio", "block"), ("guitar",)),
    (0.12, (16, 17, 18, 19, 20, 21, 22, 23), ("sustain", "block"), ("close", "open", "drop2")),
    (0.1, (8, 9, 10, 11, 12, 13, 46, 105, 107, 108), ("arpeggio", "block"), ("close", "open")),
    (0.1, (48, 49, 50, 51, 52, 53, 54, 45), ("sustain", "block"), ("open", "close", "drop2")),
    (0.08, (56, 57, 59, 60, 61, 62, 63, 65, 66), ("block", "sustain"), ("close", "drop2", "open")),
    (
        0.1,
        (80, 81, 87, 88, 89, 90, 91, 92, 93, 94, 95, 99, 100),
        ("sustain", "block", "arpeggio"),
        ("close", "open", "drop2"),
    ),
)
_BASS_PROGRAMS = (32, 33, 33, 34, 35, 36, 37, 38, 39, 43, 58)
_PAD_PROGRAMS = (48, 49, 50, 51, 52, 53, 54, 16, 19, 61, 88, 89, 90, 91, 92, 94, 95)
_MELODY_PROGRAMS = (
    0,
    11,
    22,
    24,
    26,
    40,
    41,
    56,
    57,
    60,
    64,
    65,
    66,
    68,
    71,
    73,
    74,
    75,
    79,
    80,
    81,
    82,
    85,
    52,
    53,
)
# (weight, programs of bass, tenor, alto and soprano) of four-part ensembles
_ENSEMBLES = (
    (0.2, ((52, 53, 54),) * 4),  # choir aahs, voice oohs, synth voice
    (0.2, ((42, 43, 48, 49), (41, 42, 48), (40, 41, 48), (40, 48, 49))),  # strings
    (0.15, ((16, 19, 20, 21),) * 4),  # organs
    (0.12, ((70, 71, 58), (71, 69, 70), (68, 69, 71), (73, 68, 72, 74))),  # woodwinds
    (0.1, ((58, 57, 32), (57, 60, 61), (56, 60, 61), (56, 61))),  # brass
    (0.13, ((0, 1, 2, 4, 6, 7),) * 4),  # keyboards
    (0.1, ((52, 53, 48, 19, 42, 70, 57, 0),) * 4),  # mixed
)
_PATTERNS_4 = (
    (0.0,),
    (0.0, 2.0),
    (0.0, 1.0, 2.0, 3.0),
    (0.0, 1.5),
    (0.5, 1.5, 2.5, 3.5),
    (0.0, 1.5, 2.5, 3.0),
    (1.0, 3.0),
    (0.0, 1.5, 2.0, 3.5),
    (0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5),
)
_STRUMS_4 = (
    (0.0, 1.0, 1.5, 2.5, 3.0, 3.5),
    (0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5),
    (0.0, 1.0, 2.0, 3.0),
    (0.0, 1.5, 2.5, 3.5),
)
_PATTERNS_3 = ((0.0,), (0.0, 1.0, 2.0), (1.0, 2.0), (0.0, 1.5), (0.0, 0.5, 1.0, 1.5, 2.0, 2.5))
_STRUMS_3 = ((0.0, 1.0, 1.5, 2.0, 2.5), (0.0, 1.0, 2.0))
_BASS_STYLES = ("sustain", "roots", "root_fifth", "octaves", "walking")
_MOTIFS_4 = (
    ((0, 1), (1, 1), (2, 2)),
    ((0, 1.5), (1.5, 0.5), (2, 1), (3, 1)),
    ((0, 0.5), (0.5, 0.5), (1, 1), (2, 0.5), (2.5, 0.5), (3, 1)),
    ((0, 2), (2, 1), (3, 0.5), (3.5, 0.5)),
    ((0.5, 0.5), (1, 1), (2, 1.5)),
    ((0, 3),),
    ((0, 1), (1.5, 0.5), (2, 2)),
    ((0, 4),),
)
_MOTIFS_3 = (
    ((0, 2), (2, 1)),
    ((0, 1), (1, 1), (2, 1)),
    ((0, 1.5), (1.5, 0.5), (2, 1)),
    ((0, 0.5), (0.5, 0.5), (1, 2)),
    ((0, 3),),
)


@dataclass(frozen=True)
class Part:
    """One instrument of a band.

    Attributes
    ----------
    program : int
        General MIDI program (0-127) on bank 0.
    style : str
        Comping: ``sustain``, ``block``, ``strum``, ``arpeggio``; bass: ``sustain``, ``roots``,
        ``root_fifth``, ``octaves``, ``walking``; melody: ``melody``; four-part writing: ``voice``.
    voicing : str
        One of :data:`chordview.generator.voicing.VOICINGS` (comping parts).
    pattern : tuple of float
        Onsets within a bar, in beats (``block``, ``strum`` and bass styles).
    legato : float
        Fraction of the time to the next onset that a note lasts (>= 1: until the chord ends).
    low, center : float
        Lowest key and preferred mean key (MIDI).
    omit : float
        Probability of leaving out an omittable fifth.
    level : float
        Velocity offset of the part.
    pan, reverb, chorus : int
        MIDI controllers 10, 91 and 93.
    step : float
        Beats between arpeggio notes; ``order`` is ``up``, ``down``, ``updown``, ``alberti`` or
        ``random``.
    strum : float
        Seconds between the strings of a strum.
    motifs : tuple
        Melody rhythms: per motif, ``(onset, length)`` pairs in beats within a bar.
    rest : float
        Probability that the melody rests for a bar.
    """

    program: int
    style: str = "sustain"
    voicing: str = "close"
    pattern: tuple[float, ...] = (0.0,)
    legato: float = 1.0
    low: int = 48
    center: float = 62.0
    omit: float = 0.0
    level: float = 0.0
    pan: int = 64
    reverb: int = 40
    chorus: int = 0
    step: float = 0.5
    order: str = "up"
    strum: float = 0.0
    motifs: tuple = ()
    rest: float = 0.0


@dataclass(frozen=True)
class Band:
    """The parts of a song (None: the part is left out) and how ``N`` stretches sound.

    Attributes
    ----------
    comp : Part
        Main comping part; with no ``bass`` its left hand plays the label's bass.
    bass, comp2, pad, melody : Part or None
        Optional parts.
    drums : str or None
        Groove name (see :func:`chordview.generator.drums.grooves`), None for no drums.
    n_groove : str
        Groove for drums-only ``N`` stretches in a song without drums.
    kit : int
        Drum-kit program (bank 128); ``drum_reverb`` its reverb send.
    phrase_bars, fills : int, float
        Bars per phrase and probability of a fill at a phrase's end.
    percussion : int or None
        A shaker or tambourine key added to the groove.
    passing : float
        Probability of a bass approach note before a chord change.
    n_kinds : tuple of float
        Probabilities of an ``N`` stretch being silence, drums only, or noise.
    voices : tuple of Part
        Bass, tenor, alto and soprano of four-part writing; when given they replace every other
        part (``comp`` is then the soprano, for reference only).
    ornaments : tuple of (str, float)
        Keyword arguments of :func:`chordview.generator.chorale.write` (ornament probabilities).
    """

    comp: Part
    bass: Part | None = None
    comp2: Part | None = None
    pad: Part | None = None
    melody: Part | None = None
    drums: str | None = None
    n_groove: str = "rock"
    kit: int = 0
    drum_reverb: int = 20
    phrase_bars: int = 4
    fills: float = 0.0
    percussion: int | None = None
    passing: float = 0.0
    n_kinds: tuple[float, float, float] = (1.0, 0.0, 0.0)
    voices: tuple[Part, ...] = ()
    ornaments: tuple[tuple[str, float], ...] = ()

    @classmethod
    def solo(cls, program: int = 0, *, style: str = "sustain", voicing: str = "close") -> Band:
        """One clean instrument playing the chords and, with its left hand, the bass."""
        return cls(comp=Part(program, style=style, voicing=voicing, low=52, center=64.0, reverb=0))

    @classmethod
    def random(cls, rng: np.random.Generator, *, beats_per_bar: int = 4) -> Band:
        """A random band for a song in ``beats_per_bar`` (3 or 4)."""
        three = beats_per_bar == 3
        comp = _comp_part(rng, three=three)
        comp2 = None
        if rng.random() < 0.3:
            comp2 = _comp_part(rng, three=three)
            comp2 = replace(comp2, level=comp2.level - 8, pan=int(128 - comp.pan) % 128)
        bass = None
        if rng.random() < 0.85:
            style = _BASS_STYLES[int(rng.choice(5, p=[0.2, 0.35, 0.25, 0.08, 0.12]))]
            pattern = (_PATTERNS_3 if three else _PATTERNS_4)[int(rng.integers(4))]
            bass = Part(
                int(rng.choice(_BASS_PROGRAMS)),
                style=style,
                low=28,
                pattern=(0.0, 1.0, 2.0)
                if style == "walking" and three
                else (0.0, 1.0, 2.0, 3.0)
                if style == "walking"
                else pattern,
                legato=float(rng.uniform(0.5, 1.0)),
                level=float(rng.uniform(-5, 10)),
                reverb=int(rng.integers(0, 30)),
            )
        pad = None
        if rng.random() < 0.35:
            pad = Part(
                int(rng.choice(_PAD_PROGRAMS)),
                voicing=str(rng.choice(["close", "open"])),
                low=52,
                center=float(rng.uniform(62, 72)),
                level=float(rng.uniform(-25, -10)),
                pan=int(rng.integers(30, 98)),
                reverb=int(rng.integers(30, 90)),
                chorus=int(rng.integers(0, 60)),
            )
        melody = None
        if rng.random() < 0.5:
            motifs = _MOTIFS_3 if three else _MOTIFS_4
            pick = rng.choice(len(motifs), size=3)
            melody = Part(
                int(rng.choice(_MELODY_PROGRAMS)),
                style="melody",
                low=62,
                center=float(rng.uniform(68, 78)),
                legato=float(rng.uniform(0.6, 1.0)),
                level=float(rng.uniform(-8, 6)),
                pan=int(rng.integers(40, 88)),
                reverb=int(rng.integers(20, 80)),
                motifs=tuple(motifs[i] for i in pick),
                rest=float(rng.uniform(0, 0.4)),
            )
        names = grooves(beats_per_bar)
        drums = str(rng.choice(names)) if rng.random() < 0.65 else None
        return cls(
            comp=comp,
            bass=bass,
            comp2=comp2,
            pad=pad,
            melody=melody,
            drums=drums,
            n_groove=str(rng.choice(names)),
            kit=int(rng.choice(KITS)),
            drum_reverb=int(rng.integers(0, 50)),
            phrase_bars=int(rng.choice([2, 4, 4, 8])),
            fills=float(rng.uniform(0, 0.8)),
            percussion=(int(rng.choice([SHAKER, TAMBOURINE])) if rng.random() < 0.2 else None),
            passing=float(rng.uniform(0, 0.6)),
            n_kinds=(0.4, 0.35, 0.25),
        )

    @classmethod
    def chorale(cls, rng: np.random.Generator) -> Band:
        """Four voices of one ensemble singing in four parts, no drums (``N``: silence or noise)."""
        weights = np.array([e[0] for e in _ENSEMBLES])
        programs = _ENSEMBLES[int(rng.choice(len(_ENSEMBLES), p=weights / weights.sum()))][1]
        same = rng.random() < 0.5  # one program for all four voices
        first = int(rng.choice(programs[0]))
        reverb, spread = int(rng.integers(30, 110)), int(rng.integers(0, 40))
        voices = tuple(
            Part(
                first if same and first in choices else int(rng.choice(choices)),
                style="voice",
                low=lo,
                center=(lo + hi) / 2,
                level=float(rng.uniform(-6, 4)) + (3 if v in (0, 3) else 0),
                pan=int(np.clip(64 + spread * (v - 1.5) / 1.5, 0, 127)),
                reverb=reverb,
                chorus=int(rng.integers(0, 40)),
            )
            for v, (choices, (lo, hi)) in enumerate(zip(programs, RANGES, strict=True))
        )
        ornaments = (
            ("passing", float(rng.uniform(0.2, 0.8))),
            ("neighbour", float(rng.uniform(0, 0.3))),
            ("suspension", float(rng.uniform(0, 0.4))),
            ("restrike", float(rng.uniform(0.2, 0.9))),
        )
        return cls(comp=voices[3], voices=voices, ornaments=ornaments, n_kinds=(0.6, 0.0, 0.4))


def _comp_part(rng: np.random.Generator, *, three: bool) -> Part:
    weights = np.array([f[0] for f in _COMP])
    _, programs, styles, voicings = _COMP[int(rng.choice(len(_COMP), p=weights / weights.sum()))]
    style = str(rng.choice(styles))
    vc = str(rng.choice(voicings))
    strums, patterns = (_STRUMS_3, _PATTERNS_3) if three else (_STRUMS_4, _PATTERNS_4)
    pattern = (strums if style == "strum" else patterns)[
        int(rng.integers(len(strums if style == "strum" else patterns)))
    ]
    return Part(
        int(rng.choice(programs)),
        style=style,
        voicing=vc,
        pattern=pattern,
        legato=float(rng.choice([rng.uniform(0.3, 0.9), 1.0])),
        low=int(rng.integers(46, 53)),
        center=float(rng.uniform(58, 68)),
        omit=float(rng.choice([0.0, 0.5, 1.0])),
        level=float(rng.uniform(-6, 6)),
        pan=int(rng.integers(24, 104)),
        reverb=int(rng.integers(0, 80)),
        chorus=int(rng.integers(0, 50)),
        step=float(rng.choice([0.25, 0.5, 0.5, 1 / 3])),
        order=str(rng.choice(["up", "down", "updown", "alberti", "random"])),
        strum=float(rng.uniform(0.004, 0.02)),
    )
