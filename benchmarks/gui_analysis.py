"""The desktop app end to end: launch to a visible window, then to a displayed analysis.

One fresh interpreter (offscreen Qt) per repeat does what ``chordview song.flac`` does: shows the
window, starts the engine process (TensorFlow, model) once the window has painted, and opens a
4-minute song; it reports

- *window*: seconds from process start to the first paint of the window;
- *cold*: seconds from process start until the analysis of the song is drawn (engine start,
  TensorFlow import, model load, analysis, transfer, drawing);
- *warm*: seconds from opening a second 4-minute song until it is drawn (engine warm);
- *peak memory*: the window's process and the engine process (ru_maxrss of each).

References measured in the same run, so the ratios hold on any machine: a bare Qt window
(for *window*), ``chordview analyze`` of the same song in a fresh process (for *cold*), and the
core's own timings of the warm analysis (for *warm*: what the app adds on top of analysing).

Usage: ``python benchmarks/gui_analysis.py [--repeats 3] [--model unet] [--minutes 4]``
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

APP = r"""
import json, resource, sys, time
T0 = float(sys.argv[4])  # when the parent spawned this process (epoch seconds)
from PySide6.QtCore import QEventLoop, QSettings, QTimer
from chordview.gui.launch import application
app = application()
from chordview.gui.app import MainWindow
from chordview.gui.engine import engine
w = MainWindow(model=sys.argv[3], settings=QSettings(sys.argv[5], QSettings.Format.IniFormat),
               notify=lambda *m: print(m, file=sys.stderr))
w.show(); w.timeline.grab()
out = {"window": time.time() - T0}
engine().warm(model=sys.argv[3])

def shown(path):
    loop = QEventLoop()
    w.sessionReady.connect(loop.quit); w.analysisFailed.connect(lambda t: sys.exit(t))
    w.open_file(path); loop.exec(); w.sessionReady.disconnect(loop.quit)
    w.timeline.grab()  # drawn
    return w.session

shown(sys.argv[1]); out["cold"] = time.time() - T0
t = time.monotonic(); s = shown(sys.argv[2]); out["warm"] = time.monotonic() - t
out["core"] = sum(s.analysis.timings.values())
out["gui_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
engine().shutdown()
out["engine_rss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps(out))
"""

BARE_QT = r"""
import json, sys, time
T0 = float(sys.argv[1])
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication(sys.argv[:1])
w = QLabel("x"); w.show(); w.grab()
print(json.dumps({"window": time.time() - T0}))
"""


def _song(folder: Path, name: str, minutes: float, shift: int) -> Path:
    """The demo song tiled to ``minutes`` (rotated by ``shift`` seconds, so two songs differ)."""
    import numpy as np
    import soundfile as sf

    y, sr = sf.read(ROOT / "resources" / "demo.flac", dtype="float32", always_2d=False)
    y = np.roll(y, shift * sr)
    n = int(minutes * 60 * sr)
    path = folder / name
    sf.write(path, np.resize(y, n), sr, subtype="PCM_16")
    return path


def _run(args: list[str]) -> dict:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "TF_CPP_MIN_LOG_LEVEL": "3"}
    t0 = time.monotonic()
    args = [str(time.time()) if a == "{spawn}" else a for a in args]
    out = subprocess.run(
        [sys.executable, "-c", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tempfile.gettempdir(),
    )
    if out.returncode:
        raise SystemExit(f"probe failed: {out.stderr.strip()[-2000:]}")
    lines = out.stdout.strip().splitlines()
    return {**json.loads(lines[-1]), "_wall": time.monotonic() - t0}


def _cli_seconds(song: Path, model: str, folder: Path) -> float:
    exe = Path(sys.executable).with_name("chordview")
    cmd = [str(exe), "analyze", str(song), "-o", str(folder), "--model", model, "--overwrite"]
    t0 = time.monotonic()
    subprocess.run(
        cmd, check=True, capture_output=True, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    )
    return time.monotonic() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--model", default="unet")
    parser.add_argument("--minutes", type=float, default=4.0)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="chordview-bench-"))
    a = _song(folder, "song_a.wav", args.minutes, 0)
    b = _song(folder, "song_b.wav", args.minutes, 7)
    settings = str(folder / "settings.ini")
    rows: dict[str, list[float]] = {}
    for _ in range(args.repeats):  # interleaved, so background load hits every probe alike
        bare = _run([BARE_QT, "{spawn}"])
        app = _run([APP, str(a), str(b), args.model, "{spawn}", settings])
        cli = _cli_seconds(a, args.model, folder)
        for key, value in (
            ("bare window", bare["window"]),
            ("window", app["window"]),
            ("cold", app["cold"]),
            ("cli cold", cli),
            ("warm", app["warm"]),
            ("core warm", app["core"]),
            ("gui rss", app["gui_rss_mb"]),
            ("engine rss", app["engine_rss_mb"]),
        ):
            rows.setdefault(key, []).append(value)
    med = {k: statistics.median(v) for k, v in rows.items()}
    print(f"{args.minutes:g}-minute song, model {args.model}, median of {args.repeats} runs")
    print(f"{'measure':<34} {'value':>9} {'reference':>10} {'ratio':>6}")
    lines = [
        ("launch to visible window (s)", med["window"], med["bare window"], "bare Qt window"),
        (
            "launch to displayed analysis, cold (s)",
            med["cold"],
            med["cli cold"],
            "chordview analyze, fresh process",
        ),
        (
            "open to displayed analysis, warm (s)",
            med["warm"],
            med["core warm"],
            "the core's own analysis time",
        ),
    ]
    for name, value, ref, what in lines:
        print(f"{name:<40} {value:7.2f} {ref:10.2f} {value / ref:6.2f}  (reference: {what})")
    print(
        f"peak memory: window process {med['gui rss']:.0f} MB, engine process "
        f"{med['engine rss']:.0f} MB, together {med['gui rss'] + med['engine rss']:.0f} MB"
    )


if __name__ == "__main__":
    main()
