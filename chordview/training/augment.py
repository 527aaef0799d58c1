"""Pitch shifting in the CQT domain with the labels transposed (McFee & Bello, 2017)."""

from __future__ import annotations

from functools import cache

import numpy as np

from chordview.inference import shift_features
from chordview.theory import PITCH_CLASSES
from chordview.vocab import ROOT_CLASSES, tag_classes, transposition


@cache
def tag_transposition(semitones: int) -> np.ndarray:
    """Index map of the 170 chord tags transposed by ``semitones`` (N and X stay)."""
    return transposition(tag_classes(), semitones)


@cache
def _class_transposition(head: str, semitones: int) -> np.ndarray:
    """Index map of a root/bass (13 classes, N stays) or pitch (12) head moved by ``semitones``."""
    return transposition(PITCH_CLASSES if head == "chord_pitch" else ROOT_CLASSES, semitones)


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
    pitch = labels["chord_pitch"]
    moved_pitch = np.empty_like(pitch)
    moved_pitch[..., _class_transposition("chord_pitch", semitones)] = pitch
    shifted = {
        "chord_tag": tag_transposition(semitones)[labels["chord_tag"]],
        "chord_pitch": moved_pitch,
    }
    for head in ("chord_root", "chord_bass"):
        v = labels[head]
        shifted[head] = _class_transposition(head, semitones)[v].astype(v.dtype, copy=False)
    return out, shifted
