"""From head probabilities to chord segments: Viterbi over tags, inversions from the bass head."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from chordview.contract import boundary_times
from chordview.theory import with_bass


@dataclass(frozen=True)
class Segment:
    """One decoded chord.

    Attributes
    ----------
    start, end : float
        Seconds.
    label : str
        Harte label, inversion included (``'G:7/3'``), ``'N'`` for no chord, ``'X'`` for unknown.
    confidence : float
        Mean probability of the decoded chord tag over the segment's frames, in [0, 1].
    """

    start: float
    end: float
    label: str
    confidence: float


def viterbi_tags(tag_probs: np.ndarray, *, self_transition: float) -> np.ndarray:
    """Most likely tag sequence under a uniform-change transition model.

    Parameters
    ----------
    tag_probs : np.ndarray, shape (n_frames, n_classes)
        Per-frame chord-tag probabilities.
    self_transition : float
        Probability of staying on the same tag from one frame to the next.

    Returns
    -------
    np.ndarray, shape (n_frames,), int
    """
    import librosa

    if len(tag_probs) == 0:
        return np.zeros(0, dtype=int)
    n_classes = tag_probs.shape[1]
    transition = librosa.sequence.transition_loop(n_classes, self_transition)
    probs = np.clip(tag_probs.T.astype(np.float64), 1e-12, 1.0)
    return librosa.sequence.viterbi_discriminative(probs, transition)


def _inversion(label: str, bass_probs: np.ndarray, *, min_confidence: float) -> str:
    if ":" not in label:
        return label
    mean = bass_probs.mean(axis=0)
    bass = int(np.argmax(mean))
    if bass >= 12 or mean[bass] < min_confidence:
        return label
    return with_bass(label, bass)


def decode(
    outputs: dict[str, np.ndarray],
    *,
    classes: list[str] | tuple[str, ...],
    sr: int,
    hop_length: int,
    self_transition: float = 0.9,
    min_bass_confidence: float = 0.5,
) -> list[Segment]:
    """Chord segments from head outputs.

    Parameters
    ----------
    outputs : dict
        ``chord_tag`` (n_frames, 170) and ``chord_bass`` (n_frames, 13) probabilities.
    classes : sequence of str
        Tag labels in the model's encoder order.
    sr, hop_length : int
        Frame rate of the outputs (``sr / hop_length`` frames per second).
    self_transition : float
        Viterbi self-transition probability (stored in the model bundle).
    min_bass_confidence : float
        Mean bass probability a segment needs before its bass becomes an inversion.

    Returns
    -------
    list of Segment
        Contiguous, covering ``[0, n_frames * hop_length / sr)``.
    """
    path = viterbi_tags(outputs["chord_tag"], self_transition=self_transition)
    return segments_from_path(
        path,
        outputs,
        classes=classes,
        sr=sr,
        hop_length=hop_length,
        min_bass_confidence=min_bass_confidence,
    )


def segments_from_path(
    path: np.ndarray,
    outputs: dict[str, np.ndarray],
    *,
    classes: list[str] | tuple[str, ...],
    sr: int,
    hop_length: int,
    min_bass_confidence: float = 0.5,
) -> list[Segment]:
    """Chord segments from a per-frame tag path: runs of one tag, inversions from the bass head.

    Parameters are those of :func:`decode`, plus ``path`` (n_frames,), the tag index of each
    frame. Neighbouring runs that end up with the same label (after the inversion step) merge.
    """
    tags = outputs["chord_tag"]
    segments: list[Segment] = []
    if not len(path):
        return segments
    change = np.flatnonzero(np.diff(path)) + 1
    bounds = np.concatenate([[0], change, [len(path)]])
    times = boundary_times(bounds, n_frames=len(path), sr=sr, hop_length=hop_length)
    n_prev = 0  # frames in the last segment so far
    for i in range(len(bounds) - 1):
        a, b = bounds[i], bounds[i + 1]
        label = str(classes[path[a]])
        label = _inversion(label, outputs["chord_bass"][a:b], min_confidence=min_bass_confidence)
        conf = float(tags[a:b, path[a]].mean())
        prev = segments[-1] if segments else None
        if prev is not None and prev.label == label:  # same chord after the inversion step
            merged = (prev.confidence * n_prev + conf * (b - a)) / (n_prev + b - a)
            segments[-1] = Segment(prev.start, float(times[i + 1]), label, merged)
            n_prev += b - a
        else:
            segments.append(Segment(float(times[i]), float(times[i + 1]), label, conf))
            n_prev = b - a
    return segments
