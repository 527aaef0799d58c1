"""Arranged scores of planned songs (no audio), shared by the arrangement and chorale tests."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from chordview.generator.arrange import arrange
from chordview.generator.band import Band
from chordview.generator.groove import Feel
from chordview.generator.synth import plan_song


def arranged(
    i: int, *, seed: int, band: Callable[[np.random.Generator, int], Band], texture: str = "band"
):
    """Song ``i`` of ``seed`` (30 s, planned for ``texture``) arranged for ``band(rng, bpb)``.

    Returns (events, time_map, band, score); the band and the feel come from one seeded stream.
    """
    events, time_map, bpb = plan_song(i, seed=seed, duration=30.0, texture=texture)
    rng = np.random.default_rng([seed, i, 1])
    chosen = band(rng, bpb)
    score = arrange(
        events, band=chosen, feel=Feel.random(rng), time_map=time_map, beats_per_bar=bpb, rng=rng
    )
    return events, time_map, chosen, score
