"""The one output contract that models, inference, decoding, exports and views share.

A model's prediction is a dict mapping head name to a float32 array of shape
``(n_frames, n_classes)``; the frame rate travels beside it as ``sr / hop_length``.
Frame ``i`` of the features covers ``[i, i + 1) * hop_length / sr`` seconds. For training, pumpp
labels frame ``i`` with the last chord to begin before the frame's end (it floors both ends of every
chord's interval to frames), so a model's output frame ``i`` describes the chord at the end of that
span, and a change between output frames ``k - 1`` and ``k`` happened somewhere in
``[k, k + 1) * hop_length / sr``. :func:`boundary_times` places it at the middle,
``(k + 1/2) * hop_length / sr`` (:data:`OUTPUT_OFFSET`); placing it at the frame's start instead
puts every chord change half a frame (46 ms at the default hop) early on average, which measured
about 0.015 off every mir_eval score.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from chordview.errors import ModelError

#: Head name -> number of classes, in the order the heads are built.
HEADS: dict[str, int] = {"chord_pitch": 12, "chord_root": 13, "chord_bass": 13, "chord_tag": 170}

#: Heads whose rows are probability distributions over the classes (softmax).
SOFTMAX_HEADS = ("chord_root", "chord_bass", "chord_tag")

#: Heads whose entries are independent probabilities (sigmoid).
SIGMOID_HEADS = ("chord_pitch",)


def frames_to_time(frames: np.ndarray | int, *, sr: int, hop_length: int) -> np.ndarray:
    """Start time in seconds of frame indices (frame ``i`` spans ``[t_i, t_{i+1})``).

    Parameters
    ----------
    frames : int or np.ndarray
        Frame indices; ``n_frames`` gives the end time of the last frame.
    sr : int
        Sample rate of the features, in Hz.
    hop_length : int
        Samples between frames.

    Returns
    -------
    np.ndarray
        Times in seconds, same shape as ``frames``.
    """
    return np.asarray(frames, dtype=np.float64) * (hop_length / float(sr))


#: Where, in frames, a change between output frames ``k - 1`` and ``k`` is placed: ``k + OUTPUT_OFFSET``.
OUTPUT_OFFSET = 0.5


def boundary_times(bounds: np.ndarray, *, n_frames: int, sr: int, hop_length: int) -> np.ndarray:
    """Times in seconds of chord changes given as output-frame indices.

    A change before output frame ``k`` (``0 < k < n_frames``) lies at ``k + OUTPUT_OFFSET`` frames;
    ``0`` and ``n_frames`` stay the start and the end of the analysed span, so consecutive
    boundaries still tile ``[0, n_frames * hop_length / sr)``.
    """
    frames = np.asarray(bounds, dtype=np.float64)
    inner = (frames > 0) & (frames < n_frames)
    return frames_to_time(
        np.where(inner, frames + OUTPUT_OFFSET, frames), sr=sr, hop_length=hop_length
    )


def time_to_frames(times: np.ndarray | float, *, sr: int, hop_length: int) -> np.ndarray:
    """Index of the frame that contains each time (inverse of :func:`frames_to_time`)."""
    return np.floor(np.asarray(times, dtype=np.float64) * (sr / float(hop_length)) + 1e-9).astype(
        int
    )


#: Where, in frames, a CQT frame's span starts relative to its index: librosa centres each
#: frame's analysis window on ``i * hop_length``, so frame ``i`` is drawn over ``[i - 1/2, i + 1/2)``.
CQT_OFFSET = -0.5


@dataclass(frozen=True)
class FrameGrid:
    """Where every frame and every frequency bin of an analysis lies, in seconds and in notes.

    One grid travels with every :class:`~chordview.analysis.Analysis`; the decoder, the exports,
    the GUI's lanes and the hover read all time and pitch positions from it.

    Attributes
    ----------
    sr : int
        Sample rate of the features, in Hz.
    hop_length : int
        Samples between frames.
    fmin : float
        Frequency of the lowest CQT bin, in Hz.
    bins_per_semitone : int
        CQT bins per semitone.
    n_bins : int
        CQT bins.
    output_offset : float
        Frames from an output frame's index to where its chord starts sounding
        (:data:`OUTPUT_OFFSET`).
    cqt_offset : float
        Frames from a CQT frame's index to the start of the span it covers (:data:`CQT_OFFSET`).
    """

    sr: int
    hop_length: int
    fmin: float = 32.70319566257483
    bins_per_semitone: int = 3
    n_bins: int = 216
    output_offset: float = OUTPUT_OFFSET
    cqt_offset: float = CQT_OFFSET

    @classmethod
    def from_spec(cls, spec) -> FrameGrid:
        """The grid of a :class:`~chordview.features.FeatureSpec`."""
        return cls(
            sr=spec.sr,
            hop_length=spec.hop_length,
            fmin=spec.fmin,
            bins_per_semitone=spec.over_sample,
            n_bins=spec.n_bins,
        )

    @property
    def frame_rate(self) -> float:
        """Frames per second."""
        return self.sr / self.hop_length

    @property
    def frame_seconds(self) -> float:
        """Seconds per frame."""
        return self.hop_length / self.sr

    def frames_to_time(self, frames) -> np.ndarray:
        """Seconds of (fractional) frame positions; see :func:`frames_to_time`."""
        return frames_to_time(frames, sr=self.sr, hop_length=self.hop_length)

    def time_to_frames(self, times) -> np.ndarray:
        """Index of the frame containing each time; see :func:`time_to_frames`."""
        return time_to_frames(times, sr=self.sr, hop_length=self.hop_length)

    def output_times(self, n_frames: int) -> np.ndarray:
        """Time, in seconds, from which each of ``n_frames`` output frames' chord sounds, as the
        decoder places it: ``(k + output_offset) * hop_length / sr``."""
        return self.frames_to_time(np.arange(n_frames) + self.output_offset)

    def cqt_times(self, n_frames: int) -> np.ndarray:
        """Time, in seconds, at which each CQT frame's span starts."""
        return self.frames_to_time(np.arange(n_frames) + self.cqt_offset)

    def output_frame_at(self, t: float) -> int:
        """Index of the output frame whose chord sounds at ``t`` (may lie outside the song)."""
        return int(np.floor(float(t) * self.frame_rate - self.output_offset + 1e-9))

    def cqt_frame_at(self, t: float) -> int:
        """Index of the CQT frame whose span holds ``t`` (may lie outside the song)."""
        return int(self.time_to_frames(float(t) - self.cqt_offset * self.frame_seconds))

    @property
    def midi_min(self) -> float:
        """MIDI note number of the lowest bin's centre (24.0 for C1)."""
        return round(69.0 + 12.0 * math.log2(self.fmin / 440.0), 9)  # no 23.999999999999996

    def bin_to_midi(self, bins) -> np.ndarray:
        """MIDI note numbers (fractional) of bin centres."""
        return self.midi_min + np.asarray(bins, dtype=np.float64) / self.bins_per_semitone

    def midi_to_bin(self, midi) -> np.ndarray:
        """Nearest bin index of MIDI note numbers (may lie outside ``[0, n_bins)``)."""
        return np.rint(
            (np.asarray(midi, dtype=np.float64) - self.midi_min) * self.bins_per_semitone
        ).astype(int)


def output_problems(outputs: Mapping[str, np.ndarray], *, atol: float = 1e-3) -> list[str]:
    """Describe every way ``outputs`` breaks the contract, in plain words.

    Parameters
    ----------
    outputs : mapping of str to np.ndarray
        Head name -> array, expected ``(n_frames, n_classes)``.
    atol : float
        Tolerance on softmax row sums and on the [0, 1] range.

    Returns
    -------
    list of str
        Empty when the outputs fit.
    """
    problems = []
    missing = [name for name in HEADS if name not in outputs]
    if missing:
        problems.append(f"missing heads: {', '.join(missing)}")
    n_frames = {np.shape(v)[0] for k, v in outputs.items() if k in HEADS and np.ndim(v) >= 1}
    if len(n_frames) > 1:
        problems.append(f"heads disagree on the number of frames: {sorted(n_frames)}")
    for name, width in HEADS.items():
        if name not in outputs:
            continue
        arr = np.asarray(outputs[name])
        if arr.ndim != 2:
            problems.append(
                f"{name} has shape {arr.shape}: expected (n_frames, {width}), one row per frame"
            )
            continue
        if arr.shape[1] != width:
            problems.append(f"{name} has {arr.shape[1]} classes, expected {width}")
            continue
        if not np.all(np.isfinite(arr)):
            problems.append(f"{name} holds NaN or Inf values")
            continue
        if arr.min(initial=0.0) < -atol or arr.max(initial=0.0) > 1 + atol:
            problems.append(f"{name} has values outside [0, 1]")
        if name in SOFTMAX_HEADS and arr.shape[0]:
            sums = arr.sum(axis=1)
            worst = float(np.max(np.abs(sums - 1.0)))
            if worst > atol:
                problems.append(
                    f"{name} rows do not sum to 1 over the classes (worst row sums to "
                    f"{sums[np.argmax(np.abs(sums - 1.0))]:.3f}): the softmax is over the wrong axis"
                )
    return problems


def validate_outputs(outputs: Mapping[str, np.ndarray]) -> None:
    """Raise :class:`ModelError` listing every contract problem of ``outputs``."""
    problems = output_problems(outputs)
    if problems:
        raise ModelError("model outputs do not fit the contract: " + "; ".join(problems))
