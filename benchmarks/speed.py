"""Speed per stage on a 4-minute song and peak memory on a 60-minute one.

Times each stage of ``chordview.analyze`` (decode audio, features, network, decoding) and the
export, after a warm-up run that loads the model and traces the network, and reports them as
multiples of real time. Peak memory is the maximum resident set size of a fresh process analysing
the 60-minute file, next to the same measurement on a 10-second file in the same run (the fixed
cost of Python, TensorFlow and the model), so the ratio shows what the audio's length adds.
Usage::

    python benchmarks/speed.py [--model unet] [--skip-memory]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

from chordview.generator.synth import HELDOUT_SOUNDFONT, random_progression, render_events

SR = 44100
_MEASURE = """
import resource, sys, time
from chordview.analysis import analyze
from chordview.export import output_paths, write_outputs
t = time.perf_counter()
a = analyze(sys.argv[1], model=sys.argv[2])
write_outputs(a, output_paths(sys.argv[1], formats=("jams", "lab"), output_dir=sys.argv[3]), overwrite=True)
print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def render_song(seconds: float, *, seed: int = 7) -> np.ndarray:
    """A seeded progression rendered with the held-out soundfont, ``seconds`` long."""
    rng = np.random.default_rng(seed)
    tempo = 110.0
    events, t = [], 0.0
    while t < seconds:
        for ev in random_progression(rng, n_chords=16, tempo=tempo):
            events.append(type(ev)(ev.label, ev.start + t, ev.duration))
        t = events[-1].start + events[-1].duration
    events = [e for e in events if e.start < seconds]
    y = render_events(events, soundfont=HELDOUT_SOUNDFONT(), seed=seed, tempo=tempo)
    return y[: int(seconds * SR)]


def peak_rss(path: Path, model: str, out: Path) -> tuple[float, float]:
    """(seconds, peak resident MB) of a fresh process analysing and exporting ``path``."""
    res = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path), model, str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    seconds, kb = res.stdout.split()[-2:]
    return float(seconds), float(kb) / 1024


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="unet")
    p.add_argument("--skip-memory", action="store_true", help="skip the 60-minute measurement")
    p.add_argument("--json", type=Path)
    args = p.parse_args(argv)
    from chordview.analysis import analyze
    from chordview.export import output_paths, write_outputs

    report = {"model": args.model}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        song = render_song(240.0)
        four = tmp / "four_minutes.flac"
        sf.write(four, song, SR)
        warm = tmp / "warm_up.flac"
        sf.write(warm, song[: 10 * SR], SR)
        analyze(warm, model=args.model)  # loads the model and traces the network
        a = analyze(four, model=args.model)
        t0 = time.perf_counter()
        write_outputs(
            a, output_paths(four, formats=("jams", "lab"), output_dir=tmp), overwrite=True
        )
        stages = {**a.timings, "export": time.perf_counter() - t0}
        total = sum(stages.values())
        print(
            f"4-minute song ({a.duration:.0f} s, {a.n_frames} frames) with {args.model} on {a.model['device']}:"
        )
        for name, sec in stages.items():
            print(f"  {name:9s} {sec:7.3f} s  ({a.duration / max(sec, 1e-9):8.1f}x real time)")
        print(f"  {'total':9s} {total:7.3f} s  ({a.duration / total:8.1f}x real time)")
        report["four_minutes"] = {"stages_s": stages, "total_s": total, "duration_s": a.duration}
        if not args.skip_memory:
            hour = tmp / "sixty_minutes.flac"
            with sf.SoundFile(hour, "w", SR, 1, subtype="PCM_16") as fh:
                for _ in range(15):
                    fh.write(song)
            t_ref, ref_mb = peak_rss(warm, args.model, tmp)
            t_hour, hour_mb = peak_rss(hour, args.model, tmp)
            audio_mb = 3600 * SR * 4 / 2**20
            print("peak memory (fresh process: load, analyse, export):")
            print(f"  10-second reference: {ref_mb:7.0f} MB ({t_ref:.1f} s)")
            print(
                f"  60-minute file:      {hour_mb:7.0f} MB ({t_hour:.1f} s, {3600 / t_hour:.1f}x real time)"
            )
            print(
                f"  ratio 60 min / reference: {hour_mb / ref_mb:.2f}; added by the audio: "
                f"{hour_mb - ref_mb:.0f} MB = {(hour_mb - ref_mb) / audio_mb:.2f}x the decoded "
                f"signal ({audio_mb:.0f} MB float32)"
            )
            goal = hour_mb <= 2.5 * 1024
            print(f"  goal <= 2.5 GB: {'met' if goal else 'NOT met'} ({hour_mb / 1024:.2f} GB)")
            report["memory_mb"] = {"reference_10s": ref_mb, "sixty_minutes": hour_mb}
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
