"""Class balance of a set of labelled songs: share of time per quality, root, inversion and ``N``.

:func:`stats` works on chord events in memory (cheap: the harmony of a rendered data set can be
regenerated from its seed without audio, see :func:`chordview.generator.synth.song_events`);
:func:`stats_of_folder` reads the JAMS files of a rendered folder.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from chordview.generator.harmony import ChordEvent
from chordview.theory import PITCH_CLASSES, QUALITIES, pitch_class


@dataclass(frozen=True)
class ClassBalance:
    """Shares of labelled time in a set of songs.

    Attributes
    ----------
    n_songs : int
        Number of songs counted.
    seconds : float
        Total labelled time, in seconds.
    no_chord : float
        Share of all time labelled ``N``.
    quality : dict of str to float
        Share of chord time (``N`` excluded) per quality, in :data:`chordview.theory.QUALITIES` order;
        labels outside the vocabulary count under ``'other'``.
    root : dict of str to float
        Share of chord time per root pitch class (sharp names).
    inversion : float
        Share of chord time whose bass is not the root.
    """

    n_songs: int
    seconds: float
    no_chord: float
    quality: dict[str, float]
    root: dict[str, float]
    inversion: float

    def table(self) -> str:
        """A plain-text table of the shares, in percent."""
        lines = [
            f"{self.n_songs} songs, {self.seconds / 3600:.3g} h; N {100 * self.no_chord:.1f}%"
            f" of time; inversions {100 * self.inversion:.1f}% of chord time"
        ]
        lines.append("quality  " + " ".join(f"{q:>7}" for q in self.quality))
        lines.append("% chord  " + " ".join(f"{100 * v:7.1f}" for v in self.quality.values()))
        lines.append("root     " + " ".join(f"{r:>5}" for r in self.root))
        lines.append("% chord  " + " ".join(f"{100 * v:5.1f}" for v in self.root.values()))
        return "\n".join(lines)


def stats(songs: Iterable[Sequence[ChordEvent]]) -> ClassBalance:
    """Class balance of ``songs``, each a sequence of :class:`ChordEvent`.

    Returns
    -------
    ClassBalance
        Duration-weighted shares; an empty set gives zero shares.
    """
    quality = dict.fromkeys((*QUALITIES, "other"), 0.0)
    root = dict.fromkeys(PITCH_CLASSES, 0.0)
    n_songs, total, no_chord, inverted = 0, 0.0, 0.0, 0.0
    for events in songs:
        n_songs += 1
        for ev in events:
            total += ev.duration
            if ev.label in ("N", "X"):
                no_chord += ev.duration
                continue
            name, _, rest = ev.label.partition(":")
            rest = rest or "maj"
            qual, _, bass = rest.partition("/")
            quality[qual if qual in quality else "other"] += ev.duration
            root[PITCH_CLASSES[pitch_class(name)]] += ev.duration
            if bass and bass != "1":
                inverted += ev.duration
    chord_time = total - no_chord
    if not quality["other"]:
        del quality["other"]

    def share(x: float, of: float) -> float:
        return x / of if of > 0 else 0.0

    return ClassBalance(
        n_songs=n_songs,
        seconds=total,
        no_chord=share(no_chord, total),
        quality={q: share(v, chord_time) for q, v in quality.items()},
        root={r: share(v, chord_time) for r, v in root.items()},
        inversion=share(inverted, chord_time),
    )


def stats_of_folder(folder: str | Path) -> ClassBalance:
    """Class balance of every ``*.jams`` file (first ``chord`` annotation) under ``folder``."""
    import jams

    def songs():
        for path in sorted(Path(folder).rglob("*.jams")):
            ann = jams.load(str(path), validate=False).search(namespace="chord")[0]
            yield [ChordEvent(o.value, o.time, o.duration) for o in ann.data]

    return stats(songs())
