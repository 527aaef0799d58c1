"""Drum parts for synthetic songs: GM drum-kit grooves on a sixteenth grid, fills and crashes.

Grooves are bar patterns of General MIDI percussion keys (channel 10), written as strings over a
sixteenth-note grid (``x`` = hit, ``o`` = softer hit, ``.`` = rest); swing comes from the song's
:class:`~chordview.generator.groove.TimeMap`. The last bar of every phrase may end in a tom fill and
the next bar then opens with a crash.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from chordview.generator.groove import Feel, TimeMap

KICK, SIDESTICK, SNARE, CLAP, BRUSH = 36, 37, 38, 39, 40
HAT, PEDAL_HAT, OPEN_HAT, CRASH, RIDE = 42, 44, 46, 49, 51
SHAKER, TAMBOURINE = 70, 54
TOMS = (50, 48, 47, 45, 43, 41)
KITS = (0, 0, 0, 8, 16, 24, 25, 32, 40, 48)  # GM2/GS kit programs on bank 128

GROOVES_4: dict[str, dict[int, str]] = {
    "rock": {KICK: "x.......x.x.....", SNARE: "....x.......x...", HAT: "x.o.x.o.x.o.x.o."},
    "pop": {KICK: "x......x..x.....", SNARE: "....x.......x...", HAT: "xoooxoooxoooxooo"},
    "four": {KICK: "x...x...x...x...", CLAP: "....x.......x...", OPEN_HAT: "..x...x...x...x."},
    "swing": {RIDE: "x...x.o.x...x.o.", PEDAL_HAT: "....x.......x...", KICK: "o.......o......."},
    "bossa": {KICK: "x..xx..xx..xx..x", SIDESTICK: "x..x..x...x..x..", HAT: "oooooooooooooooo"},
    "ballad": {KICK: "x.......x.......", SIDESTICK: "....x.......x...", HAT: "x.o.x.o.x.o.x.o."},
    "halftime": {KICK: "x.........x.....", SNARE: "........x.......", HAT: "x.x.x.x.x.x.x.x."},
    "onedrop": {KICK: "........x.......", SIDESTICK: "........x.......", HAT: "x.o.x.o.x.o.x.o."},
    "shuffle": {KICK: "x.......x.......", SNARE: "....x.......x...", RIDE: "x.o.x.o.x.o.x.o."},
    "brushes": {BRUSH: "x.o.x.o.x.o.x.o.", PEDAL_HAT: "....x.......x...", KICK: "o.......o......."},
    "funk": {KICK: "x..x..x...x..x..", SNARE: "....x..o.o..x...", HAT: "xxxxxxxxxxxxxxxx"},
}
GROOVES_3: dict[str, dict[int, str]] = {
    "waltz": {KICK: "x...........", SNARE: "....o...o...", HAT: "x.o.x.o.x.o."},
    "jazzwaltz": {RIDE: "x...x.o.x...", PEDAL_HAT: "....x...x...", KICK: "o..........."},
    "ballad3": {KICK: "x.......o...", SIDESTICK: "....x.......", HAT: "x.x.x.x.x.x."},
}
EXTRAS = {SHAKER: "oxoxoxoxoxoxoxox", TAMBOURINE: "....x.......x..."}


def grooves(beats_per_bar: int) -> tuple[str, ...]:
    """Names of the grooves available in a metre."""
    return tuple(GROOVES_3 if beats_per_bar == 3 else GROOVES_4)


def drum_part(
    *,
    groove: str,
    beats_per_bar: int,
    n_beats: float,
    time_map: TimeMap,
    feel: Feel,
    rng: np.random.Generator,
    plays: Callable[[float], bool],
    phrase_bars: int = 4,
    fills: float = 0.5,
    extra: int | None = None,
) -> list[tuple[float, float, int, int]]:
    """Hits of a drum part: ``(start s, end s, key, velocity)``, in time order.

    Parameters
    ----------
    groove : str
        A name from :func:`grooves` for ``beats_per_bar``.
    n_beats : float
        Length of the song in beats.
    plays : callable
        ``plays(beat)`` says whether the drums play at that beat (``N`` stretches can silence them).
    phrase_bars : int
        Bars per phrase; the last bar of a phrase may hold a fill, the next one opens with a crash.
    fills : float
        Probability of a fill at the end of a phrase.
    extra : int, optional
        A percussion key (shaker, tambourine) added on its own pattern.
    """
    table = (GROOVES_3 if beats_per_bar == 3 else GROOVES_4)[groove]
    if extra is not None:
        table = {**table, extra: EXTRAS[extra][: 4 * beats_per_bar]}
    steps = 4 * beats_per_bar
    hits: list[tuple[float, float, int, int]] = []
    crash_next = False
    for bar in range(int(np.ceil(n_beats / beats_per_bar))):
        b0 = bar * beats_per_bar
        fill = (bar + 1) % phrase_bars == 0 and rng.random() < fills
        fill_from = steps - int(rng.choice([4, 8])) if fill else steps
        pattern = dict(table)
        for step in range(steps):
            beat = b0 + step / 4
            if beat >= n_beats or not plays(beat):
                continue
            keys = []
            if step >= fill_from:
                toms = TOMS[int((step - fill_from) * len(TOMS) / (steps - fill_from))]
                keys.append((toms if rng.random() < 0.8 else SNARE, 10.0))
            else:
                for key, line in pattern.items():
                    mark = line[step]
                    if mark != ".":
                        keys.append((key, 8.0 if step % 4 == 0 else 0.0 if mark == "x" else -18.0))
            if step == 0 and crash_next:
                keys.append((CRASH, 8.0))
            for key, accent in keys:
                t = feel.onset(rng, time_map.time(beat), lo=0.0, hi=float("inf"))
                vel = feel.velocity(rng, beat=beat, offset=accent, n_beats=n_beats)
                hits.append((t, t + 0.1, key, vel))
        crash_next = fill
    hits.sort()
    return hits
