"""Scoring chord estimates against references with mir_eval.

Scores are the MIREX chord metrics (root, thirds, triads, sevenths, tetrads, majmin, mirex, and
majmin with inversions) weighted by duration, plus segmentation quality (over-, under- and
combined segmentation). Over a set they are reported two ways: duration-weighted over all tracks
together, and the mean of the per-track scores.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from chordview.errors import (
    AnnotationError,
    ChordviewError,
    ModelError,
    OutputError,
    first_line,
)

CHORD_METRICS = ("root", "thirds", "triads", "sevenths", "tetrads", "majmin", "majmin_inv", "mirex")
SEGMENT_METRICS = ("overseg", "underseg", "seg")


def load_reference(path: str | Path) -> tuple[np.ndarray, list[str]]:
    """Intervals ``(n, 2)`` in seconds and Harte labels from a ``.jams`` or ``.lab`` file."""
    import mir_eval

    path = Path(path)
    try:
        if path.suffix == ".jams":
            import jams

            ann = jams.load(str(path), validate=False).search(namespace="chord")
            if not ann:
                raise AnnotationError(f"{path}: no chord annotation")
            intervals, labels = ann[0].to_interval_values()
            intervals, labels = np.asarray(intervals, dtype=float), list(labels)
        else:
            intervals, labels = mir_eval.io.load_labeled_intervals(str(path))
            labels = list(labels)
        mir_eval.chord.validate(labels, labels)
    except AnnotationError:
        raise
    except Exception as exc:  # jams, json, mir_eval parse errors
        raise AnnotationError(f"{path}: cannot read chord annotation ({exc})") from None
    return intervals.reshape(-1, 2), labels


def _tidy(intervals: np.ndarray) -> np.ndarray:
    """Clip each end to the next start (JAMS float round-off can overlap by a hair)."""
    out = np.array(intervals, dtype=float).reshape(-1, 2)
    if len(out) > 1:
        out[:-1, 1] = np.minimum(out[:-1, 1], out[1:, 0])
    return out


def score(ref_intervals, ref_labels, est_intervals, est_labels) -> dict[str, float]:
    """Duration-weighted chord scores and segmentation scores of one track.

    Returns
    -------
    dict
        Every metric in :data:`CHORD_METRICS` and :data:`SEGMENT_METRICS`, plus ``duration``
        (seconds of reference).
    """
    import mir_eval

    ref_intervals = _tidy(ref_intervals)
    est_intervals, est_labels = mir_eval.util.adjust_intervals(
        _tidy(est_intervals),
        list(est_labels),
        ref_intervals.min(),
        ref_intervals.max(),
        mir_eval.chord.NO_CHORD,
        mir_eval.chord.NO_CHORD,
    )
    intervals, ref, est = mir_eval.util.merge_labeled_intervals(
        ref_intervals, list(ref_labels), est_intervals, est_labels
    )
    durations = mir_eval.util.intervals_to_durations(intervals)
    out = {}
    for metric in CHORD_METRICS:
        comparison = getattr(mir_eval.chord, metric)(ref, est)
        out[metric] = float(mir_eval.chord.weighted_accuracy(comparison, durations))
    out["overseg"] = float(mir_eval.chord.overseg(ref_intervals, est_intervals))
    out["underseg"] = float(mir_eval.chord.underseg(ref_intervals, est_intervals))
    out["seg"] = min(out["overseg"], out["underseg"])
    out["duration"] = float(durations.sum())
    return out


def summarise(per_track: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    """Duration-weighted and per-track-mean summaries of per-track scores."""
    names = [*CHORD_METRICS, *SEGMENT_METRICS]
    weights = np.array([s["duration"] for s in per_track.values()])
    table = {m: np.array([s[m] for s in per_track.values()]) for m in names}
    return {
        "weighted": {m: float(np.sum(table[m] * weights) / weights.sum()) for m in names},
        "mean": {m: float(np.mean(table[m])) for m in names},
    }


def find_references(folder: str | Path) -> list[tuple[Path, Path]]:
    """(audio, reference) pairs: audio files with a ``.jams`` or ``.lab`` of the same stem."""
    from chordview.audio import AUDIO_EXTENSIONS

    pairs = []
    for audio in sorted(Path(folder).rglob("*")):
        if audio.suffix.lower() not in AUDIO_EXTENSIONS:
            continue
        for ext in (".jams", ".lab"):
            if audio.with_suffix(ext).is_file():
                pairs.append((audio, audio.with_suffix(ext)))
                break
    return pairs


def evaluate_folder(
    folder: str | Path,
    *,
    model="unet",
    device: str = "auto",
    fast: bool = False,
    on_track: Callable[[str, dict[str, float]], None] | None = None,
    on_failure: Callable[[str, ChordviewError], None] | None = None,
) -> dict:
    """Analyse every referenced audio file in ``folder`` and score it (``fast``: one network
    pass per file instead of the bundle's pitch-shift average).

    A track whose audio or reference cannot be read is a failure, reported through
    ``on_failure(name, error)`` and in the result; the others are still scored.

    Returns
    -------
    dict
        ``{"tracks": {name: scores}, "weighted": {...}, "mean": {...}, "n_tracks": int,
        "pitch_shifts": [...], "failures": {name: message}}``, ``pitch_shifts`` the semitones
        the network's outputs were averaged over.

    Raises
    ------
    AnnotationError
        No folder, no referenced audio in it, or not one track could be scored.
    ModelError
        The model cannot be loaded.
    """
    from chordview.analysis import Analyzer

    if not Path(folder).is_dir():
        what = "is not a folder" if Path(folder).exists() else "no such folder"
        raise AnnotationError(f"{folder}: {what}")
    pairs = find_references(folder)
    if not pairs:
        raise AnnotationError(
            f"{folder}: no audio files with a .jams or .lab reference beside them"
        )
    analyzer = Analyzer(model, device=device, fast=fast)
    per_track, failures = {}, {}
    references = dict(pairs)

    def scored(analysis, _targets) -> list[Path]:
        ref_int, ref_lab = load_reference(references[analysis.path])
        est_int = np.array([[s.start, s.end] for s in analysis.segments])
        est_lab = [s.label for s in analysis.segments]
        per_track[analysis.path.name] = score(ref_int, ref_lab, est_int, est_lab)
        if on_track is not None:
            on_track(analysis.path.name, per_track[analysis.path.name])
        return []

    def failed(failure) -> None:
        name = Path(failure.path).name
        failures[name] = first_line(failure.error)
        if on_failure is not None:
            on_failure(name, failure.error)

    analyzer.analyze_files(
        [audio for audio, _ in pairs],
        once=False,
        targets=lambda _audio: {},
        write=scored,
        on_failure=failed,
    )
    if not per_track:
        raise AnnotationError(
            f"{folder}: not one track could be scored ({len(failures)} failed; "
            f"first: {next(iter(failures.values()))})"
        )
    return {
        "tracks": per_track,
        **summarise(per_track),
        "n_tracks": len(per_track),
        "pitch_shifts": analyzer.pitch_shifts,
        "failures": failures,
    }


def markdown_table(results: dict[str, dict], *, which: str = "weighted") -> str:
    """A markdown table: one row per model (or set), one column per metric."""
    names = [*CHORD_METRICS, *SEGMENT_METRICS]
    lines = ["| | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for row, res in results.items():
        lines.append(f"| {row} | " + " | ".join(f"{res[which][m]:.3f}" for m in names) + " |")
    return "\n".join(lines) + "\n"


def recordable_bundle(model) -> Path:
    """The bundle folder of ``model`` if scores can be recorded in it; checked before the hours
    an evaluation may take. Raises :class:`ModelError` or :class:`OutputError`."""
    import os

    from chordview.bundle import BUNDLE_JSON, read_meta, resolve

    path = resolve(model)
    if not path.is_dir():
        raise ModelError(f"scores are recorded in a bundle folder; {path} is a file")
    read_meta(path)  # a readable bundle.json
    if not (os.access(path, os.W_OK) and os.access(path / BUNDLE_JSON, os.W_OK)):
        raise OutputError(f"cannot record scores in {path}: it is not writable")
    return path


def record_scores(
    bundle_dir: str | Path,
    name: str,
    summary: dict[str, float],
    *,
    n_tracks: int,
    folder: str | Path,
    pitch_shifts: list[int] | None = None,
) -> bool:
    """Store ``summary`` (metric -> score) in the bundle's ``scores`` under ``name``.

    The record says what produced the figures (``scored_with``: chordview version and commit,
    date, and the decoder settings, chord-change placement included): the same weights score
    differently under another decoder. ``pitch_shifts``: those the analyses used, when not the
    bundle's (``--fast``). Returns True when it replaced an earlier record of ``name``.
    Raises :class:`OutputError` if ``bundle.json`` cannot be written.
    """
    import datetime

    from chordview import __version__
    from chordview.bundle import read_meta, source_commit, update_meta
    from chordview.contract import OUTPUT_OFFSET

    meta = read_meta(bundle_dir)
    scores = meta.get("scores", {})
    replaced = name in scores
    scores[name] = {
        **summary,
        "n_tracks": int(n_tracks),
        "folder": str(folder),
        "scored_with": {
            "chordview": __version__,
            "git_commit": source_commit(),
            "date": datetime.date.today().isoformat(),
            "decoder": {
                **meta.get("decoder", {}),
                **({} if pitch_shifts is None else {"pitch_shifts": list(pitch_shifts)}),
                "change_offset": OUTPUT_OFFSET,
            },
        },
    }
    try:
        update_meta(bundle_dir, scores=scores)
    except OSError as exc:
        raise OutputError(f"cannot record scores in {bundle_dir} ({exc.strerror or exc})") from None
    return replaced
