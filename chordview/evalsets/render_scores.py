"""Scores rendered with FluidSynth, and their chord references timed to the same clock.

EVALUATION ONLY (see :mod:`chordview.evalsets.romantext`).

Timing: one tempo per render (quarter notes per minute), a fermata lengthens the time its
notes span by :data:`FERMATA_STRETCH` (a held chord, as sung), :data:`LEAD_IN` seconds of
silence come before the first measure and :data:`TAIL` seconds after the last note for the
release and reverb. Notes and labels go through the same :class:`TimeMap`, so label boundaries
are exact to the sample. The score is played as written: repeat signs are not taken.

Labels: the placed analysis (:class:`chordview.evalsets.align.Alignment`), ``X`` where the
score sounds and the analysis says nothing, ``N`` where nothing sounds (also a rest of all
parts of at least :data:`MIN_REST` quarter notes inside a chord); equal neighbours merge.

Sound: each part gets one General MIDI program from an :data:`INSTRUMENTATIONS` entry, by
register (highest part first); every render is made by a fresh synth that borrows a soundfont
loaded once per process (:func:`chordview.generator.fluid.render_midi`), so a render is
bit-identical whatever was rendered before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from chordview.errors import ChordviewError
from chordview.evalsets.align import ScoreNotes, sounding
from chordview.evalsets.romantext import Span
from chordview.generator.fluid import render_midi

FERMATA_STRETCH = 1.5
LEAD_IN = 0.5
TAIL = 2.0
MIN_REST = 1.0  # quarter notes of silence in every part that are labelled N inside a chord
# name -> General MIDI programs (0-based) for soprano, alto, tenor, bass registers; reverb send
INSTRUMENTATIONS: dict[str, tuple[tuple[int, int, int, int], int]] = {
    "organ": ((19, 19, 19, 19), 50),  # church organ
    "strings": ((40, 40, 41, 42), 40),  # violin, violin, viola, cello
    "piano": ((0, 0, 0, 0), 30),  # acoustic grand
    "choir": ((52, 52, 52, 52), 60),  # choir aahs
    "woodwinds": ((73, 68, 71, 70), 40),  # flute, oboe, clarinet, bassoon
}


@dataclass(frozen=True)
class TimeMap:
    """Quarter notes of the score -> seconds of the render.

    Attributes
    ----------
    tempo : float
        Quarter notes per minute.
    holds : tuple of (float, float)
        Disjoint quarter-note spans played ``stretch`` times slower (fermatas).
    stretch : float
    lead : float
        Seconds before quarter note 0.
    """

    tempo: float
    holds: tuple[tuple[float, float], ...] = ()
    stretch: float = FERMATA_STRETCH
    lead: float = LEAD_IN

    def __call__(self, q):
        """Seconds at quarter note(s) ``q`` (float or array)."""
        q = np.asarray(q, dtype=float)
        extra = sum(np.clip(q - a, 0.0, b - a) for a, b in self.holds) * (self.stretch - 1.0)
        return self.lead + (q + extra) * 60.0 / self.tempo


def time_map(notes: ScoreNotes, *, tempo: float, stretch: float = FERMATA_STRETCH) -> TimeMap:
    """The :class:`TimeMap` of ``notes`` at ``tempo``, fermata spans merged."""
    holds: list[list[float]] = []
    for a, b in notes.fermatas:
        if holds and a <= holds[-1][1] + 1e-9:
            holds[-1][1] = max(holds[-1][1], b)
        else:
            holds.append([a, b])
    return TimeMap(tempo=tempo, holds=tuple((a, b) for a, b in holds), stretch=stretch)


def reference(spans: list[Span], notes: ScoreNotes, tm: TimeMap) -> list[tuple[float, float, str]]:
    """Timed labels tiling ``[0, tm(notes.length) + TAIL]`` seconds.

    Parameters
    ----------
    spans : list of Span
        Placed chords (disjoint, sorted) in score quarter notes.

    Returns
    -------
    list of (float, float, str)
        (start, end, Harte label) in seconds; ``X`` where the score sounds outside the
        analysis, ``N`` where it is silent (see :data:`MIN_REST`); equal neighbours merged.
    """
    end_q = notes.length
    pieces: list[tuple[float, float, str]] = []
    cursor = 0.0
    sound = sounding(notes)

    def gap(a: float, b: float) -> None:
        t = a
        for s0, s1 in sound:
            lo, hi = max(a, s0), min(b, s1)
            if hi > lo:
                if lo > t:
                    pieces.append((t, lo, "N"))
                pieces.append((lo, hi, "X"))
                t = hi
        if b > t:
            pieces.append((t, b, "N"))

    for s in spans:
        start, stop = max(s.start, cursor), min(s.end, end_q)
        if stop <= start:
            continue
        gap(cursor, start)
        pieces.append((start, stop, s.label))
        cursor = stop
    gap(cursor, end_q)
    rests = [(a, b) for (_, a), (b, _) in zip(sound, sound[1:], strict=False) if b - a >= MIN_REST]
    for a, b in rests:  # a general pause inside an analysed chord is silence, not that chord
        pieces = [part for p in pieces for part in _cut(p, a, b)] + [(a, b, "N")]
    pieces.sort()
    total = float(tm(end_q)) + TAIL
    out = [(0.0, float(tm(0.0)), "N")]
    for a, b, label in pieces:
        out.append((float(tm(a)), float(tm(b)), label))
    out.append((out[-1][1], total, "N"))
    merged: list[tuple[float, float, str]] = []
    for a, b, label in out:
        if b - a <= 1e-9:
            continue
        if merged and merged[-1][2] == label:
            merged[-1] = (merged[-1][0], b, label)
        else:
            merged.append((a, b, label))
    return merged


def _cut(piece: tuple[float, float, str], a: float, b: float) -> list[tuple[float, float, str]]:
    """``piece`` without the time ``[a, b)``."""
    t0, t1, label = piece
    if t1 <= a or t0 >= b:
        return [piece]
    return [p for p in ((t0, a, label), (b, t1, label)) if p[1] > p[0]]


def part_programs(notes: ScoreNotes, instrumentation: str) -> list[int]:
    """General MIDI program per part: the highest part takes the soprano's, and so on down."""
    programs, _ = INSTRUMENTATIONS[instrumentation]
    n = len(notes.part_names)
    mean = [notes.midi[notes.part == i].mean() if (notes.part == i).any() else 0 for i in range(n)]
    out = [0] * n
    for rank, part in enumerate(np.argsort(mean)[::-1]):
        out[int(part)] = programs[round(rank * 3 / (n - 1)) if n > 1 else 0]
    return out


def render_score(
    notes: ScoreNotes,
    tm: TimeMap,
    *,
    instrumentation: str,
    soundfont: str | Path,
    seed: int,
    sr: int = 44100,
) -> np.ndarray:
    """Render the notes of a score on the clock ``tm``.

    Parameters
    ----------
    notes : ScoreNotes
    tm : TimeMap
    instrumentation : str
        A key of :data:`INSTRUMENTATIONS`.
    soundfont : str or Path
        SF2/SF3 file, loaded once per process.
    seed : int
        Seeds the velocities (normal around 80, 7 apart; the top part 6 louder).
    sr : int
        Sample rate in Hz.

    Returns
    -------
    np.ndarray
        float32 mono, ``round((tm(notes.length) + TAIL) * sr)`` samples, peak -1 dBFS.
    """
    if instrumentation not in INSTRUMENTATIONS:
        raise ChordviewError(f"unknown instrumentation {instrumentation!r}")
    rng = np.random.default_rng(seed)
    programs = part_programs(notes, instrumentation)
    channels = [c for c in range(16) if c != 9][: len(programs)]
    if len(channels) < len(programs):
        raise ChordviewError(f"{len(programs)} parts: at most 15 can be rendered")
    top = int(np.argmax([notes.midi[notes.part == i].mean() for i in range(len(programs))]))
    t0, t1 = tm(notes.start), tm(notes.end)
    t1 = t1 - np.minimum(0.03, 0.1 * (t1 - t0))  # a breath before the next note
    vel = np.clip(rng.normal(80, 7, len(t0)) + 6 * (notes.part == top), 30, 120).astype(int)
    events = []
    for a, b, key, part, v in zip(t0, t1, notes.midi, notes.part, vel, strict=True):
        chan = channels[int(part)]
        events.append((int(round(a * sr)), 1, chan, int(key), int(v)))
        events.append((int(round(b * sr)), 0, chan, int(key), 0))
    n = int(round((float(tm(notes.length)) + TAIL) * sr))
    send = INSTRUMENTATIONS[instrumentation][1]
    # polyphony: FluidSynth's default; every soundfont stays loaded, as renders cycle through them
    y = render_midi(
        events,
        soundfont=soundfont,
        sr=int(sr),
        n_samples=n,
        programs={channels[i]: (0, p) for i, p in enumerate(programs)},
        controls={channels[i]: {91: send, 7: 100, 10: 64} for i in range(len(programs))},
        polyphony=256,
        max_fonts=None,
    )
    peak = float(np.max(np.abs(y))) if len(y) else 0.0
    if peak > 0:
        y *= 10 ** (-1 / 20) / peak
    return y.astype(np.float32, copy=False)
