"""Accuracy on unseen audio: a 60-second progression rendered with the held-out soundfont.

Renders a fixed progression of 16 chords (major, minor, sevenths, suspended, inversions) in
several seeded arrangements with TimGM6mb, a soundfont no shipped model was trained on, runs the
``chordview analyze`` command on each, and scores the LAB it writes against the exact labels with
mir_eval (duration-weighted). Usage::

    python benchmarks/accuracy.py [--model unet] [--seeds 3] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import mir_eval
import numpy as np
import soundfile as sf

from chordview.evaluation import CHORD_METRICS, record_scores, recordable_bundle, score
from chordview.generator.synth import HELDOUT_SOUNDFONT, ChordEvent, events_to_jams, render_events

TEMPO = 96.0
BEATS_PER_CHORD = 6  # 3.75 s per chord at 96 bpm: 16 chords = 60 s
PROGRESSION = [
    "G:maj",
    "E:min",
    "C:maj/3",
    "D:7",
    "G:maj/5",
    "A:min7",
    "D:maj",
    "B:min",
    "E:min",
    "C:maj7",
    "A:7",
    "D:sus4",
    "D:maj",
    "G:maj7",
    "C:min",
    "G:maj",
]
METRICS = CHORD_METRICS


def progression_events() -> list[ChordEvent]:
    """The benchmark progression as timed chord events (60 s)."""
    dur = BEATS_PER_CHORD * 60.0 / TEMPO
    return [ChordEvent(label, i * dur, dur) for i, label in enumerate(PROGRESSION)]


def score_lab(reference_events, lab_path: Path) -> dict[str, float]:
    """mir_eval chord scores of an estimated LAB against reference events."""
    ref_int = np.array([[e.start, e.start + e.duration] for e in reference_events])
    est_int, est_lab = mir_eval.io.load_labeled_intervals(str(lab_path))
    return score(ref_int, [e.label for e in reference_events], est_int, est_lab)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="unet")
    p.add_argument("--seeds", type=int, default=3, help="arrangements to render (seeds 0..N-1)")
    p.add_argument("--json", type=Path, help="write the scores here")
    p.add_argument("--record", action="store_true", help="store the mean in the bundle's scores")
    args = p.parse_args(argv)
    bundle_dir = recordable_bundle(args.model) if args.record else None  # before the work
    events = progression_events()
    assert len(set(PROGRESSION)) >= 8
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        files = []
        for seed in range(args.seeds):
            y = render_events(events, soundfont=HELDOUT_SOUNDFONT(), seed=seed, tempo=TEMPO)
            path = tmp / f"progression_seed{seed}.wav"
            sf.write(path, y, 44100)
            events_to_jams(events, duration=len(y) / 44100).save(str(path.with_suffix(".jams")))
            files.append(path)
        cmd = [
            sys.executable,
            "-m",
            "chordview.cli",
            "analyze",
            *map(str, files),
            "--model",
            args.model,
            "--format",
            "lab",
            "-o",
            str(tmp / "out"),
            "-q",
        ]
        subprocess.run(cmd, check=True)
        for seed, path in enumerate(files):
            scores = score_lab(events, tmp / "out" / f"{path.stem}.lab")
            rows.append(scores)
            print(f"seed {seed}: " + "  ".join(f"{k} {scores[k]:.3f}" for k in METRICS))
    mean = {k: float(np.mean([r[k] for r in rows])) for k in METRICS}
    print(
        f"model {args.model}, held-out soundfont {Path(HELDOUT_SOUNDFONT()).name}, "
        f"{len(PROGRESSION)} chords / {len(set(PROGRESSION))} distinct, {args.seeds} arrangements"
    )
    print("mean:   " + "  ".join(f"{k} {v:.3f}" for k, v in mean.items()))
    verdict = mean["majmin"] >= 0.85 and mean["root"] >= 0.85
    print(f"goal majmin >= 0.85 and root >= 0.85: {'met' if verdict else 'NOT met'}")
    if args.json:
        args.json.write_text(
            json.dumps({"model": args.model, "per_seed": rows, "mean": mean}, indent=2)
        )
    if args.record:
        record_scores(
            bundle_dir,
            "benchmark-progression",
            mean,
            n_tracks=args.seeds,
            folder=f"benchmarks/accuracy.py --seeds {args.seeds}",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
