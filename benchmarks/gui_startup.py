"""Time to the window's first paint, as a ratio against a bare Qt window in the same run.

Each probe runs in a fresh interpreter (offscreen Qt) and is timed from spawn to the first
paint. The reference is a bare ``QLabel``; the ratio says what chordview adds on top of Qt
itself. The chordview probe also reports whether TensorFlow was imported before the paint
(it must not be). ``--with-tensorflow`` adds ``import tensorflow`` as a second reference.

Usage: ``python benchmarks/gui_startup.py [--repeats 5] [--with-tensorflow]``
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

BARE_QT = """
import json, sys
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication(sys.argv[:1])
w = QLabel("x"); w.show(); w.grab()
print(json.dumps({"tensorflow": "tensorflow" in sys.modules}))
"""

CHORDVIEW = """
import json, sys
from PySide6.QtCore import QSettings
from chordview.gui.launch import application
app = application()
from chordview.gui.app import MainWindow
w = MainWindow(settings=QSettings(sys.argv[1], QSettings.Format.IniFormat), notify=lambda *a: None)
w.show(); w.grab()
print(json.dumps({"tensorflow": "tensorflow" in sys.modules}))
"""

TENSORFLOW = """
import json, sys
import tensorflow
print(json.dumps({"tensorflow": True}))
"""


def _time(code: str, *args: str) -> tuple[float, dict]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "TF_CPP_MIN_LOG_LEVEL": "3"}
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True, env=env
    )
    return time.perf_counter() - t0, json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--with-tensorflow", action="store_true")
    args = parser.parse_args()
    settings = os.path.join(tempfile.mkdtemp(), "settings.ini")
    probes = {"bare Qt window": (BARE_QT,), "chordview window": (CHORDVIEW, settings)}
    if args.with_tensorflow:
        probes["import tensorflow"] = (TENSORFLOW,)
    results = {name: [] for name in probes}
    flags = {}
    for _ in range(args.repeats):  # interleaved, so background load hits every probe alike
        for name, probe in probes.items():
            seconds, info = _time(*probe)
            results[name].append(seconds)
            flags[name] = info["tensorflow"]
    ref = statistics.median(results["bare Qt window"])
    print(f"{'probe':<20} {'median s':>9} {'ratio':>7}  tensorflow imported")
    for name, times in results.items():
        med = statistics.median(times)
        print(f"{name:<20} {med:9.3f} {med / ref:7.2f}  {flags[name]}")


if __name__ == "__main__":
    main()
