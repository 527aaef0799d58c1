"""Chord vocabulary and label encoding through pumpp, in the encoder's class order.

pumpp's ``ChordTagTransformer.vocabulary()`` lists the classes in a different order from its
label encoder's ``classes_`` (alphabetical, ``N`` = 168, ``X`` = 169). Networks are trained on the
encoder's indices, so every decode goes through :func:`tag_classes`, which is also what bundles store.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from chordview.features import DEFAULT_SPEC, FeatureSpec
from chordview.theory import PITCH_CLASSES, transpose
from chordview.theory import QUALITIES as QUALITIES  # re-exported: the vocabulary's qualities

VOCAB = "3567s"  # pumpp's name for the 14 qualities of chordview.theory.QUALITIES
ROOT_CLASSES = (*PITCH_CLASSES, "N")


def tag_task(spec: FeatureSpec = DEFAULT_SPEC):
    """pumpp transformer for the 170-way chord tag (sparse integer targets)."""
    import pumpp

    return pumpp.task.ChordTagTransformer(
        name="chord_tag", vocab=VOCAB, sr=spec.sr, hop_length=spec.hop_length, sparse=True
    )


def struct_task(spec: FeatureSpec = DEFAULT_SPEC):
    """pumpp transformer for pitch classes (12), root (13) and bass (13)."""
    import pumpp

    return pumpp.task.ChordTransformer(
        name="chord", sr=spec.sr, hop_length=spec.hop_length, sparse=True
    )


def transposition(classes, semitones: int) -> np.ndarray:
    """Index map of class names transposed by ``semitones``: ``classes[map[i]]`` is ``classes[i]``
    moved up ``semitones``.

    A class is a pitch class (``'C#'``), a Harte ``root:quality`` label or anything else (``N``,
    ``X``), which stays where it is (:func:`chordview.theory.transpose`).

    Raises
    ------
    ValueError
        When a transposed class is not in ``classes`` (the vocabulary is not closed under
        transposition).
    """
    index = {c: i for i, c in enumerate(classes)}
    table = np.arange(len(classes))
    for i, label in enumerate(classes):
        moved = transpose(str(label), semitones)
        if moved == label:
            continue
        if moved not in index:
            raise ValueError(
                f"class {label!r} moved by {semitones} semitones ({moved!r}) is not "
                "in the vocabulary"
            )
        table[i] = index[moved]
    if len(set(table.tolist())) != len(table):  # e.g. flat spellings: Cb and B both map to B
        raise ValueError(f"moving the classes by {semitones} semitones is not a permutation")
    return table


@lru_cache(maxsize=1)
def tag_classes() -> tuple[str, ...]:
    """The 170 chord-tag labels in encoder order (index -> Harte label)."""
    return tuple(str(c) for c in tag_task().encoder.classes_)


def encode_labels(jam, *, n_frames: int, spec: FeatureSpec = DEFAULT_SPEC) -> dict[str, np.ndarray]:
    """Per-frame integer targets for a JAMS object with a ``chord`` annotation.

    Returns
    -------
    dict
        ``chord_tag`` (n_frames,) int, ``chord_pitch`` (n_frames, 12) float32,
        ``chord_root`` (n_frames,) int, ``chord_bass`` (n_frames,) int.
    """
    import librosa

    duration = float(librosa.frames_to_time(n_frames, sr=spec.sr, hop_length=spec.hop_length))
    ann = jam.search(namespace="chord")[0]
    tag = tag_task(spec).transform_annotation(ann, duration)
    struct = struct_task(spec).transform_annotation(ann, duration)

    def fit(a):
        a = np.asarray(a)
        if len(a) >= n_frames:
            return a[:n_frames]
        pad = np.repeat(a[-1:], n_frames - len(a), axis=0)
        return np.concatenate([a, pad])

    return {
        "chord_tag": fit(tag["chord"])[:, 0].astype(np.int32),
        "chord_pitch": fit(struct["pitch"]).astype(np.float32),
        "chord_root": fit(struct["root"])[:, 0].astype(np.int32),
        "chord_bass": fit(struct["bass"])[:, 0].astype(np.int32),
    }
