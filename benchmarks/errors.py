"""Where a model's majmin errors lie, on one folder of audio + references.

    python benchmarks/errors.py data/v2/test [--model unet] [--json errors.json]

Analyses every referenced file as ``chordview evaluate`` does (the bundle's decoder and pitch
shifts), then splits the reference time that mir_eval's majmin comparison counts (reference chords
that reduce to major, minor or N) into: correct; a chord heard as no chord; no chord heard as a
chord; a wrong root (by the interval from the reference root to the estimated one); the right root
with the wrong third or a quality majmin cannot match (sus, aug, dim). It also reports how much of
the wrong time lies within 0.25 s of a reference chord change (timing rather than harmony), how
early or late decoded changes lie against the reference ones (a systematic offset is a bug), and
the majmin accuracy per reference quality. As a bound it scores the reference itself snapped to the
model's frames (each frame labelled with the chord at its centre): what a perfect frame-wise
decoder would reach at that frame rate. Shares are of the counted time of all files together, so
the majmin here can differ slightly from ``chordview evaluate``'s duration-weighted mean of
per-file scores. Use it on synthetic sets to decide what to work on;
on the RomanText set it describes, it must not drive choices that are then scored there.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

import mir_eval
import numpy as np

STEP = 0.01  # seconds per sample of the time grid
NEAR = 0.25  # seconds either side of a reference chord change that count as its timing
INTERVALS = ["unison", "m2", "M2", "m3", "M3", "P4", "tritone", "P5", "m6", "M6", "m7", "M7"]


def on_grid(intervals: np.ndarray, labels: list[str], times: np.ndarray) -> np.ndarray:
    """The label sounding at each of ``times`` (``N`` outside the intervals)."""
    starts, ends = intervals[:, 0], intervals[:, 1]
    idx = np.clip(np.searchsorted(starts, times, side="right") - 1, 0, len(labels) - 1)
    inside = (times >= starts[idx]) & (times < ends[idx])
    return np.where(inside, np.asarray(labels, dtype=object)[idx], "N")


def quality(label: str) -> str:
    """``maj``, ``min7``, ... of a Harte label (``N`` and ``X`` as they are)."""
    if label in ("N", "X"):
        return label
    root, qual, _, _ = mir_eval.chord.split(label)
    return qual or "maj"


def classify(ref: str, est: str) -> str:
    """Why ``est`` fails majmin against ``ref`` (both Harte labels; the pair must be a miss)."""
    if ref == "N":
        return "no chord heard as a chord"
    if est in ("N", "X"):
        return "chord heard as no chord"
    ref_root = mir_eval.chord.encode(ref)[0]
    est_root = mir_eval.chord.encode(est)[0]
    if ref_root != est_root:
        return f"wrong root: {INTERVALS[(est_root - ref_root) % 12]}"
    if mir_eval.chord.majmin([est], [est])[0] >= 0:  # est reduces to maj or min
        return "right root, wrong third"
    return "right root, quality outside majmin (sus, aug, dim, ...)"


def breakdown(pairs: list[tuple[np.ndarray, list[str], np.ndarray, list[str]]]) -> dict:
    """Seconds per outcome over all (reference, estimate) pairs of intervals and labels."""
    seconds: dict[str, float] = defaultdict(float, correct=0.0)
    per_quality: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])  # [right, counted]
    near_wrong = near_all = 0.0
    offsets = []  # estimated minus reference time of each change matched within NEAR
    for ref_int, ref_lab, est_int, est_lab in pairs:
        changes = ref_int[1:, 0]
        for t in est_int[1:, 0]:
            if len(changes):
                nearest = changes[np.argmin(np.abs(changes - t))]
                if abs(t - nearest) < NEAR:
                    offsets.append(t - nearest)
        times = np.arange(0.0, float(ref_int[-1, 1]), STEP) + STEP / 2
        ref = on_grid(ref_int, ref_lab, times)
        est = on_grid(est_int, est_lab, times)
        near = np.zeros(len(times), dtype=bool)
        if len(changes):
            pos = np.clip(np.searchsorted(changes, times), 1, len(changes)) - 1
            dist = np.minimum(
                np.abs(times - changes[pos]),
                np.abs(times - changes[np.minimum(pos + 1, len(changes) - 1)]),
            )
            near = dist < NEAR
        pairs_here = defaultdict(list)
        for i, pair in enumerate(zip(ref, est, strict=True)):
            pairs_here[pair].append(i)
        for (r, e), idx in pairs_here.items():
            verdict = mir_eval.chord.majmin([r], [e])[0]
            if verdict < 0:
                continue  # majmin does not count this reference
            dur = len(idx) * STEP
            near_all += float(near[idx].sum()) * STEP
            per_quality[quality(r)][1] += dur
            if verdict > 0:
                seconds["correct"] += dur
                per_quality[quality(r)][0] += dur
            else:
                seconds[classify(r, e)] += dur
                near_wrong += float(near[idx].sum()) * STEP
    counted = sum(seconds.values())
    wrong = counted - seconds["correct"]
    return {
        "counted_seconds": counted,
        "majmin": seconds["correct"] / counted if counted else float("nan"),
        "share_of_counted_time": {
            k: v / counted for k, v in sorted(seconds.items(), key=lambda kv: -kv[1])
        },
        "wrong_time_near_a_change": near_wrong / wrong if wrong else 0.0,
        "counted_time_near_a_change": near_all / counted if counted else 0.0,
        "matched_changes": len(offsets),
        "change_offset_mean": float(np.mean(offsets)) if offsets else float("nan"),
        "change_offset_median": float(np.median(offsets)) if offsets else float("nan"),
        "accuracy_by_reference_quality": {
            q: {"accuracy": right / total, "share": total / counted}
            for q, (right, total) in sorted(per_quality.items(), key=lambda kv: -kv[1][1])
        },
    }


def snapped(ref_int: np.ndarray, ref_lab: list[str], frame_period: float) -> tuple:
    """The reference as a frame-wise decoder at best could give it: one label per frame, the
    chord at the frame's centre, equal neighbours merged."""
    n = int(np.ceil(ref_int[-1, 1] / frame_period))
    starts = np.arange(n) * frame_period
    labels = on_grid(ref_int, ref_lab, starts + frame_period / 2)
    keep = np.r_[True, labels[1:] != labels[:-1]]
    bounds = np.r_[starts[keep], min(n * frame_period, ref_int[-1, 1])]
    return np.stack([bounds[:-1], bounds[1:]], axis=1), list(labels[keep])


def markdown(result: dict, title: str) -> str:
    lines = [
        f"### {title}: majmin {result['majmin']:.3f} over {result['counted_seconds'] / 60:.1f} "
        "min counted",
        "",
        "| outcome | share of counted time |",
        "|---|---|",
    ]
    lines += [f"| {k} | {v:.3f} |" for k, v in result["share_of_counted_time"].items()]
    lines += [
        "",
        f"Within {NEAR} s of a reference chord change: "
        f"{result['wrong_time_near_a_change']:.2f} of the wrong time, "
        f"{result['counted_time_near_a_change']:.2f} of all counted time. Decoded changes "
        f"within {NEAR} s of a reference change ({result['matched_changes']}) lie "
        f"{1000 * result['change_offset_mean']:+.1f} ms from it on average (median "
        f"{1000 * result['change_offset_median']:+.1f} ms; negative: early).",
        "",
        "| reference quality | majmin accuracy | share of counted time |",
        "|---|---|---|",
    ]
    lines += [
        f"| {q} | {v['accuracy']:.3f} | {v['share']:.3f} |"
        for q, v in result["accuracy_by_reference_quality"].items()
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "folder", type=Path, help="audio files with .jams or .lab references beside them"
    )
    ap.add_argument("--model", default="unet", help="bundled model name or bundle folder")
    ap.add_argument("--json", type=Path, help="also write the breakdown here")
    args = ap.parse_args(argv)

    from chordview.analysis import analyze
    from chordview.errors import ChordviewError
    from chordview.evaluation import find_references, load_reference

    try:
        refs = find_references(args.folder)
        if not refs:
            raise ChordviewError(f"{args.folder}: no audio files with a .jams or .lab reference")
        pairs, bound = [], []
        for audio, ref in refs:
            ref_int, ref_lab = load_reference(ref)
            result = analyze(audio, model=args.model, device="cpu")
            est_int = np.array([[s.start, s.end] for s in result.segments])
            pairs.append((ref_int, ref_lab, est_int, [s.label for s in result.segments]))
            bound.append((ref_int, ref_lab, *snapped(ref_int, ref_lab, 1 / result.frame_rate)))
    except ChordviewError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    result = breakdown(pairs)
    result["majmin_of_the_reference_on_the_frames"] = breakdown(bound)["majmin"]
    print(markdown(result, f"{args.model} on {args.folder} ({len(pairs)} files)"))
    print(
        f"\nThe reference snapped to the model's frames scores majmin "
        f"{result['majmin_of_the_reference_on_the_frames']:.3f} (a frame-wise decoder's bound)."
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
