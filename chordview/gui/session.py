"""The state the window shows: one analysed song, apart from any view (no Qt here).

A :class:`Session` holds the audio for playback, the :class:`~chordview.analysis.Analysis` (CQT,
head outputs, segments) and the arrays the lanes draw, derived once (in the worker thread) so the
GUI thread only hands them to image items. Views ask it what lies under a time; they never compute.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from chordview.contract import frames_to_time
from chordview.decode import Segment
from chordview.theory import PITCH_CLASSES, QUALITIES, Key, musician, pitch_class

#: Every lane's title, in display order (the views' axis labels and the hover line read it).
TITLES = {
    "cqt": "CQT",
    "pitch": "pitch class",
    "root": "root",
    "bass": "bass",
    "tag": "chord tag",
    "chords": "chords",
}
#: The head lanes in display order: name -> (head, title).
LANES = {
    name: (head, TITLES[name])
    for name, head in (
        ("pitch", "chord_pitch"),
        ("root", "chord_root"),
        ("bass", "chord_bass"),
        ("tag", "chord_tag"),
    )
}


def tag_grid_order(classes: list[str]) -> tuple[np.ndarray, list[str]]:
    """Rows of the chord-tag lane: 12 roots x 14 qualities, then ``N`` and ``X``.

    Parameters
    ----------
    classes : list of str
        Chord-tag class names in encoder order (170 for the standard vocabulary).

    Returns
    -------
    order : np.ndarray, shape (n_classes,), int
        ``order[row]`` is the class index drawn in display row ``row`` (row 0 at the bottom).
    labels : list of str
        Class name of each display row.
    """
    keys = []
    for index, name in enumerate(classes):
        root, _, quality = name.partition(":")
        if name in ("N", "X") or quality not in QUALITIES:
            rank = 12 * len(QUALITIES) + (0 if name == "N" else 1 if name == "X" else 2)
        else:
            try:
                rank = pitch_class(root) * len(QUALITIES) + QUALITIES.index(quality)
            except (KeyError, IndexError):
                rank = 12 * len(QUALITIES) + 2
        keys.append((rank, index))
    order = np.array([index for _, index in sorted(keys)], dtype=int)
    return order, [classes[i] for i in order]


#: A chord-tag class gets a row of the compact lane when its probability reaches this somewhere.
TAG_ROW_THRESHOLD = 0.05
#: Most rows the compact chord-tag lane shows (the most probable classes win).
MAX_TAG_ROWS = 36


def active_tag_rows(
    probs: np.ndarray,
    classes: list[str],
    *,
    threshold: float = TAG_ROW_THRESHOLD,
    max_rows: int = MAX_TAG_ROWS,
) -> np.ndarray:
    """Classes worth a row in the compact chord-tag lane, in grid order (by root, then quality).

    Parameters
    ----------
    probs : np.ndarray, shape (n_frames, n_classes)
        Chord-tag probabilities.
    classes : list of str
        Class names in encoder order.

    Returns
    -------
    np.ndarray of int
        Class indices, bottom row first: every class whose probability reaches ``threshold`` in
        some frame (at most ``max_rows``, the highest peaks), plus ``N``; the frame-wise best
        class is always among them.
    """
    order, _ = tag_grid_order(classes)
    peak = probs.max(axis=0) if len(probs) else np.zeros(len(classes))
    keep = set(np.flatnonzero(peak >= threshold).tolist())
    if len(keep) > max_rows:
        keep = set(np.argsort(peak)[::-1][:max_rows].tolist())
    if len(probs):
        keep |= set(np.unique(probs.argmax(axis=1)).tolist())
    if "N" in classes:
        keep.add(classes.index("N"))
    return np.array([i for i in order if i in keep], dtype=int)


def cqt_levels(cqt: np.ndarray) -> tuple[float, float]:
    """Colour range of the CQT image in dB: the 2nd percentile (at least -100 dB) to the maximum."""
    if not cqt.size:
        return (-80.0, 0.0)
    lo = float(np.percentile(cqt[:: max(1, len(cqt) // 2000)], 2))  # a subsample is plenty
    return (max(lo, -100.0), float(cqt.max()))


@dataclass
class Session:
    """One song and its analysis.

    Attributes
    ----------
    analysis : chordview.analysis.Analysis
        Core result: ``outputs`` head -> ``(n_frames, n_classes)``, ``cqt`` ``(n_frames, n_bins)`` dB.
    y : np.ndarray, shape (n_samples,) or (n_samples, 2), or None
        Float32 audio at ``sr`` for playback, mono or stereo (None when only rendering).
    sr : int
        Sample rate of ``y`` in Hz.
    lanes : dict of str to np.ndarray
        Lane name -> ``(n_frames, n_rows)`` float32 image, rows in display order.
    row_labels : dict of str to list of str
        Lane name -> label of each row.
    tag_order : np.ndarray of int
        Chord-tag class drawn in each row of the ``'tag'`` lane (compact: the active classes).
    tag_present : set of str
        Chord-tag classes that are the most probable one in at least 1% of the frames.
    levels : tuple of float
        Colour range of the CQT in dB.
    """

    analysis: object
    y: np.ndarray | None = None
    sr: int = 44100
    lanes: dict[str, np.ndarray] = field(default_factory=dict)
    row_labels: dict[str, list[str]] = field(default_factory=dict)
    tag_order: np.ndarray | None = None
    tag_present: set = field(default_factory=set)
    levels: tuple[float, float] = (-80.0, 0.0)
    key: Key | None = None  # the song's key, for chord names (set by from_analysis)

    @classmethod
    def from_analysis(cls, analysis, *, y: np.ndarray | None = None, sr: int = 44100) -> Session:
        """Derive the lane images from an analysis (runs in the engine, off the GUI thread)."""
        session = cls(analysis=analysis, y=y, sr=sr)
        analysis.cqt = np.ascontiguousarray(analysis.cqt, dtype=np.float32)
        session.levels = cqt_levels(analysis.cqt)
        session.key = analysis.key
        vocab = analysis.vocabulary
        for lane, (head, _) in LANES.items():
            probs = np.asarray(analysis.outputs[head], dtype=np.float32)
            labels = list(vocab.get(head, [str(i) for i in range(probs.shape[1])]))
            if lane == "tag":
                session.set_tag_rows(compact=True)
                continue
            session.lanes[lane] = np.ascontiguousarray(probs)
            session.row_labels[lane] = labels
        return session

    def set_tag_rows(self, *, compact: bool) -> None:
        """Choose the chord-tag lane's rows: the active classes, or all 12 x 14 + N, X."""
        probs = np.asarray(self.analysis.outputs["chord_tag"], dtype=np.float32)
        names = list(self.analysis.vocabulary["chord_tag"])
        if compact:
            order = active_tag_rows(probs, names)
        else:
            order, _ = tag_grid_order(names)
        self.tag_order = order
        self.lanes["tag"] = np.ascontiguousarray(probs[:, order])
        self.row_labels["tag"] = [names[i] for i in order]
        if len(probs):
            counts = np.bincount(probs.argmax(axis=1), minlength=len(names))
            self.tag_present = {names[i] for i in np.flatnonzero(counts >= 0.01 * len(probs))}

    @property
    def tag_compact(self) -> bool:
        """Whether the chord-tag lane shows only the active classes."""
        return self.tag_order is not None and len(self.tag_order) < len(
            self.analysis.vocabulary["chord_tag"]
        )

    # -- time ----------------------------------------------------------------------------------
    @property
    def duration(self) -> float:
        """Length of the song in seconds."""
        return float(self.analysis.duration)

    @property
    def frames_end(self) -> float:
        """End time of the last analysed frame, in seconds."""
        a = self.analysis
        return float(frames_to_time(a.n_frames, sr=a.sr, hop_length=a.hop_length))

    @property
    def output_offset(self) -> float:
        """Seconds from a CQT frame's start to the start of the time its output frame describes
        (half a frame; see :mod:`chordview.contract`)."""
        grid = self.analysis.grid
        return grid.output_offset * grid.frame_seconds

    @property
    def cqt_offset(self) -> float:
        """Seconds from a CQT frame's time to the start of the span it is drawn over: minus half
        a frame, as librosa centres the CQT's analysis window on the frame's time."""
        grid = self.analysis.grid
        return grid.cqt_offset * grid.frame_seconds

    def frame_at(self, t: float) -> int | None:
        """Index of the CQT frame centred nearest to time ``t`` (seconds), or None outside the
        analysis."""
        i = self.analysis.grid.cqt_frame_at(t)
        return i if 0 <= i < self.analysis.n_frames and t >= 0 else None

    def output_frame_at(self, t: float) -> int | None:
        """Index of the output frame (head lanes) whose chord sounds at ``t``, or None outside the
        analysis; the first frame also answers for the half frame before it."""
        a = self.analysis
        if not 0 <= t < self.frames_end:
            return None
        return min(max(a.grid.output_frame_at(t), 0), a.n_frames - 1)

    # -- chords --------------------------------------------------------------------------------
    @property
    def segments(self) -> list[Segment]:
        """Decoded chords."""
        return self.analysis.segments

    def segment_at(self, t: float) -> Segment | None:
        """The decoded chord sounding at ``t``."""
        for seg in self.segments:
            if seg.start <= t < seg.end:
                return seg
        return None

    def boundaries(self) -> np.ndarray:
        """Sorted chord start times, in seconds."""
        return np.array(sorted({s.start for s in self.segments}), dtype=float)

    def next_boundary(self, t: float, *, step: int) -> float:
        """Start of the next (``step=+1``) or previous (``step=-1``) chord from ``t``."""
        starts = self.boundaries()
        if not len(starts):
            return t
        if step > 0:
            later = starts[starts > t + 1e-6]
            return float(later[0]) if len(later) else float(starts[-1])
        # Going back from inside a chord first returns to its own start (like a player's |<<).
        earlier = starts[starts < t - 0.25]
        return float(earlier[-1]) if len(earlier) else 0.0

    # -- what lies under the pointer ------------------------------------------------------------
    def top_tags(self, frame: int, *, k: int = 3) -> list[tuple[str, float]]:
        """The ``k`` most probable chord tags of a frame, best first."""
        probs = self.analysis.outputs["chord_tag"][frame]
        names = self.analysis.vocabulary["chord_tag"]
        best = np.argsort(probs)[::-1][:k]
        return [(names[i], float(probs[i])) for i in best]

    def describe(
        self, t: float, *, lane: str | None = None, row: int | None = None, notation="musician"
    ) -> str:
        """One line about time ``t``: chord, top-3 tags, heads, and the lane cell under the
        pointer; chord names in ``notation`` (``'musician'``: the name in the key, then the
        Harte label; ``'harte'``: the Harte label)."""
        frame = self.output_frame_at(t)
        parts = [f"{t:7.2f} s"]
        seg = self.segment_at(t)
        if seg is not None:
            if notation == "harte":
                parts.append(f"chord {seg.label} ({seg.confidence:.2f})")
            else:
                name = musician(seg.label, key=self.key)
                parts.append(f"chord {name} ({seg.label}, {seg.confidence:.2f})")
        if frame is None:
            return "  |  ".join(parts)
        tags = ", ".join(f"{name} {p:.2f}" for name, p in self.top_tags(frame))
        parts.append(f"top tags: {tags}")
        out = self.analysis.outputs
        vocab = self.analysis.vocabulary
        for head, short in (("chord_root", "root"), ("chord_bass", "bass")):
            i = int(np.argmax(out[head][frame]))
            parts.append(f"{short} {vocab[head][i]} {out[head][frame][i]:.2f}")
        spell = (
            PITCH_CLASSES.__getitem__ if notation == "harte" or self.key is None else self.key.spell
        )
        active = [spell(int(i)) for i in np.flatnonzero(out["chord_pitch"][frame] >= 0.5)]
        parts.append("pitches " + (" ".join(active) if active else "-"))
        if lane in self.lanes and row is not None and 0 <= row < self.lanes[lane].shape[1]:
            label = self.row_labels[lane][row]
            parts.append(f"[{LANES[lane][1]} {label}: {self.lanes[lane][frame, row]:.3f}]")
        elif lane == "cqt" and row is not None and (cqt_frame := self.frame_at(t)) is not None:
            cqt = self.analysis.cqt
            if 0 <= row < cqt.shape[1]:
                parts.append(f"[CQT {cqt[cqt_frame, row]:.1f} dB]")
        return "  |  ".join(parts)
