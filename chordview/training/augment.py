"""Pitch shifting in the CQT domain with the labels transposed (McFee & Bello, 2017)."""

from __future__ import annotations

from functools import cache

import numpy as np

from chordview.inference import shift_features
from chordview.vocab import tag_classes, transposition


@cache
def tag_transposition(semitones: int) -> np.ndarray:
    """Index map of the 170 chord tags transposed by ``semitones`` (N and X stay)."""
    return transposition(tag_classes(), semitones)


def pitch_shift(
    features: np.ndarray, labels: dict[str, np.ndarray], *, semitones: int, bins_per_semitone: int
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Shift a CQT excerpt along frequency and transpose its targets.

    Parameters
    ----------
    features : np.ndarray, shape (n_frames, n_bins, n_channels)
        Log-CQT; vacated bins get the excerpt's minimum (silence).
    labels : dict
        ``chord_tag``, ``chord_root``, ``chord_bass`` (n_frames,) ints and ``chord_pitch``
        (n_frames, 12).
    semitones : int
        Shift, positive is up.
    bins_per_semitone : int
        CQT bins per semitone.
    """
    if semitones == 0:
        return features, labels
    out = shift_features(features, semitones * bins_per_semitone)
    shifted = {
        "chord_tag": tag_transposition(semitones)[labels["chord_tag"]],
        "chord_pitch": np.roll(labels["chord_pitch"], semitones, axis=-1),
    }
    for head in ("chord_root", "chord_bass"):
        v = labels[head]
        shifted[head] = np.where(v < 12, (v + semitones) % 12, v)
    return out, shifted
