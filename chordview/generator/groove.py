"""Time and feel of a synthetic song: beats -> seconds with swing, humanised onsets, dynamics.

Chord spans are placed in beats by :mod:`chordview.generator.harmony`; :class:`TimeMap` is the one
place where beats become seconds, for the labels and for every note, so a chord that changes on a
swung off-beat is labelled where its notes actually start. :class:`Feel` adds the performance:
onset jitter (clipped into the chord's span, see :mod:`chordview.generator.arrange`), velocity
jitter, accents and a slow dynamics curve over the song.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from chordview.generator.harmony import ChordEvent, Span


@dataclass(frozen=True)
class TimeMap:
    """Beats <-> seconds at a constant ``tempo`` (BPM) with ``swing``.

    ``swing`` is the fraction of a beat by which the off-beat eighth is delayed: 0 is straight,
    1/6 is triplet swing. Positions inside a beat are stretched piecewise linearly, so sixteenths
    swing along and whole beats stay put.
    """

    tempo: float
    swing: float = 0.0

    @property
    def spb(self) -> float:
        """Seconds per beat."""
        return 60.0 / self.tempo

    def time(self, beat):
        """Seconds of ``beat`` (float or array)."""
        b = np.asarray(beat, dtype=float)
        whole = np.floor(b)
        f = b - whole
        s = self.swing
        g = np.where(f < 0.5, f * (0.5 + s) / 0.5, 0.5 + s + (f - 0.5) * (0.5 - s) / 0.5)
        out = (whole + g) * self.spb
        return float(out) if np.ndim(out) == 0 else out

    def beat(self, t):
        """Beat position of time ``t`` in seconds (float or array); inverse of :meth:`time`."""
        b = np.asarray(t, dtype=float) / self.spb
        whole = np.floor(b)
        g = b - whole
        s = self.swing
        f = np.where(g < 0.5 + s, g * 0.5 / (0.5 + s), 0.5 + (g - 0.5 - s) * 0.5 / (0.5 - s))
        out = whole + f
        return float(out) if np.ndim(out) == 0 else out

    def events(self, spans: Sequence[Span]) -> list[ChordEvent]:
        """Chord events in seconds for spans in beats (contiguous spans stay contiguous)."""
        out = []
        for s in spans:
            t0, t1 = self.time(s.beat), self.time(s.beat + s.beats)
            out.append(ChordEvent(s.label, t0, t1 - t0))
        return out


@dataclass(frozen=True)
class Feel:
    """How a song is played: timing spread, velocity spread and dynamics.

    Attributes
    ----------
    timing_sd : float
        Standard deviation of onset jitter, in seconds.
    velocity_sd : float
        Standard deviation of velocity jitter, in MIDI velocity units.
    level : float
        Mean velocity of the song (MIDI units).
    swell : float
        Depth of the slow dynamics curve, in velocity units.
    period : float
        Period of the dynamics curve, in beats.
    phase : float
        Phase of the dynamics curve, in radians.
    trend : float
        Velocity change from the first to the last beat (a crescendo when positive).
    """

    timing_sd: float = 0.0
    velocity_sd: float = 0.0
    level: float = 90.0
    swell: float = 0.0
    period: float = 32.0
    phase: float = 0.0
    trend: float = 0.0

    @classmethod
    def random(cls, rng: np.random.Generator) -> Feel:
        """A random performance: tight to loose timing, soft to loud, steady to swelling."""
        return cls(
            timing_sd=float(rng.choice([0.0, rng.uniform(0.002, 0.018)], p=[0.2, 0.8])),
            velocity_sd=float(rng.uniform(2, 10)),
            level=float(rng.uniform(60, 105)),
            swell=float(rng.uniform(0, 18)),
            period=float(rng.choice([16, 32, 64])),
            phase=float(rng.uniform(0, 2 * np.pi)),
            trend=float(rng.uniform(-15, 15)),
        )

    def velocity(
        self, rng: np.random.Generator, *, beat: float, offset: float = 0.0, n_beats: float = 1.0
    ) -> int:
        """MIDI velocity of a note at ``beat``: song level + ``offset`` + dynamics + jitter."""
        v = self.level + offset + self.swell * np.sin(2 * np.pi * beat / self.period + self.phase)
        v += self.trend * (beat / max(n_beats, 1.0) - 0.5) + rng.normal(0, self.velocity_sd)
        return int(np.clip(round(v), 12, 127))

    def onset(self, rng: np.random.Generator, t: float, *, lo: float, hi: float) -> float:
        """Humanised onset of a note due at ``t`` seconds, kept inside ``[lo, hi]``."""
        if self.timing_sd > 0:
            t += rng.normal(0, self.timing_sd)
        return float(min(max(t, lo), hi))
