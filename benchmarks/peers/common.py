"""What every recogniser runner shares: arguments, warm-up, timing and the files it writes.

A runner is started by ``benchmarks/compare.py`` with the python of the recogniser's own
virtualenv, so this module (like :mod:`labels`) uses only the standard library. Usage of any
runner::

    python run_NAME.py --out DIR AUDIO [AUDIO ...]

It writes, in ``DIR``, ``STEM.lab`` (Harte labels) and ``STEM.raw.lab`` (the recogniser's own
labels) for each audio file, and ``timings.json``::

    {"system": ..., "versions": {...}, "startup_s": ..., "load_s": ..., "warmup_s": ...,
     "files": {STEM: {"path": ..., "seconds": ..., "cpu_seconds": ..., "audio_seconds": ...}},
     "errors": {STEM: "message"}, "unconverted": {raw label: count}}

``seconds`` is the analysis of one file (reading the audio, features, network, decoding), after a
warm-up on a generated 4-second clip, so the start-up (imports, loading the model, the first call's
tracing and caches) is not in it; ``startup_s`` is that start-up, measured from the runner's first
line (the interpreter's own start is not in it: compare.py reports the process's wall time too).
``cpu_seconds`` is the process's CPU time (all threads) over the same span: on a shared machine it
moves less with the load than the wall time does.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import struct
import sys
import tempfile
import time
import traceback
import wave
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from labels import format_lab

# analyse(path) -> (segments [(start, end, raw label)], duration in seconds)
Analyse = Callable[[str], tuple[list[tuple[float, float, str]], float]]


def parse_args(description: str, argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--out", type=Path, required=True, help="folder for the .lab files and timings")
    p.add_argument("paths", nargs="+", help="absolute paths of the audio files")
    p.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a recogniser-specific option (e.g. model=cr2)",
    )
    args = p.parse_args(argv)
    args.options = dict(o.split("=", 1) for o in args.option)
    return args


def write_warmup_clip(path: str | Path, *, seconds: float = 4.0, sr: int = 44100) -> None:
    """A 16-bit mono WAV of a C major then A minor triad (organ-like partials)."""
    chords = [(261.63, 329.63, 392.00), (220.00, 261.63, 329.63)]
    n = int(seconds * sr)
    frames = bytearray()
    for i in range(n):
        freqs = chords[0] if i < n // 2 else chords[1]
        t = i / sr
        v = sum(math.sin(2 * math.pi * f * k * t) / k for f in freqs for k in (1, 2, 3))
        frames += struct.pack("<h", int(3000 * v))
    with wave.open(str(path), "wb") as fh:
        fh.setnchannels(1)
        fh.setsampwidth(2)
        fh.setframerate(sr)
        fh.writeframes(bytes(frames))


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(text)
    os.replace(tmp, path)


def run(
    *,
    system: str,
    t_start: float,
    load: Callable[[dict], tuple[Analyse, dict]],
    to_harte: Callable[[str], str],
    description: str,
    argv=None,
) -> int:
    """Load a recogniser, warm it up, analyse every file, write labs and ``timings.json``.

    Parameters
    ----------
    system : str
        Name written in ``timings.json``.
    t_start : float
        ``time.perf_counter()`` at the runner's first line.
    load : callable
        ``load(options) -> (analyse, versions)``: imports and loads the model.
    to_harte : callable
        Raw label -> Harte label; raises ``ValueError`` for one it cannot convert (written as
        ``X`` and counted in ``unconverted``).
    """
    args = parse_args(description, argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        clip = Path(tmp) / "warmup.wav"
        write_warmup_clip(clip)
        t0 = time.perf_counter()
        analyse, versions = load(args.options)
        t1 = time.perf_counter()
        analyse(str(clip))
        t2 = time.perf_counter()
    report = {
        "system": system,
        "versions": versions,
        "options": args.options,
        "startup_s": t2 - t_start,
        "load_s": t1 - t0,
        "warmup_s": t2 - t1,
        "files": {},
        "errors": {},
        "unconverted": {},
    }
    unconverted: Counter[str] = Counter()
    for path in args.paths:
        stem = Path(path).stem
        try:
            t, c = time.perf_counter(), time.process_time()
            segments, duration = analyse(path)
            seconds, cpu_seconds = time.perf_counter() - t, time.process_time() - c
        except Exception as exc:  # one bad file must not stop the run; it is reported
            report["errors"][stem] = f"{type(exc).__name__}: {exc or repr(exc)}"
            traceback.print_exc(file=sys.stderr)
            continue
        harte = []
        for start, end, raw in segments:
            try:
                harte.append((start, end, to_harte(raw)))
            except ValueError:
                unconverted[raw] += 1
                harte.append((start, end, "X"))
        _write_atomic(out / f"{stem}.raw.lab", format_lab(segments))
        _write_atomic(out / f"{stem}.lab", format_lab(harte))
        report["files"][stem] = {
            "path": path,
            "seconds": seconds,
            "cpu_seconds": cpu_seconds,
            "audio_seconds": duration,
        }
        print(f"{system}: {stem} {seconds:.2f} s", file=sys.stderr, flush=True)
    report["unconverted"] = dict(unconverted)
    _write_atomic(out / "timings.json", json.dumps(report, indent=2))
    return 1 if report["errors"] else 0
