"""Learning-rate schedules that resume exactly: the cosine rate is a function of the epoch alone
(the plateau schedule is :class:`chordview.training.callbacks.PlateauRate`)."""

from __future__ import annotations

import math


def cosine_rate(epoch: int, epochs: int, base: float) -> float:
    """The rate of ``epoch`` (from 0) under the cosine schedule: ``base`` in the first epoch,
    ``base / 100`` in the last, half-cosine between.

    A fixed decay ends a run of a fixed budget at a small rate whatever the validation loss does;
    the plateau schedule lowers the rate only once the loss stalls, which on a budget where the
    loss is still falling may never happen.
    """
    floor = base / 100
    return floor + (base - floor) * 0.5 * (1 + math.cos(math.pi * epoch / max(epochs - 1, 1)))


class CosineRate:
    """The cosine schedule of a run, as ``keras.callbacks.LearningRateScheduler`` calls it.

    Parameters
    ----------
    epochs : int
        Length of the run.
    base : float
        The first epoch's rate.
    """

    def __init__(self, *, epochs: int, base: float):
        self.epochs, self.base = epochs, base

    def __call__(self, epoch: int, rate: float) -> float:
        """The rate of ``epoch`` (from 0); the current ``rate`` plays no part."""
        return cosine_rate(epoch, self.epochs, self.base)
