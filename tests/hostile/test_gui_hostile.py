"""The window on a machine that cannot show one, and Ctrl-C in the terminal that started it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(p) for p in out.stdout.split()]


def test_no_display_is_one_line_and_a_non_zero_exit(wav_file):
    song = wav_file("song.wav", seconds=1.0)
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    proc = subprocess.run(
        [sys.executable, "-m", "chordview.cli", str(song)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode != 0
    assert proc.stderr.strip().splitlines() == [
        "chordview: error: no display to open the window on (neither DISPLAY nor WAYLAND_DISPLAY "
        "is set); use 'chordview analyze' on this machine"
    ]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pgrep and POSIX signals")
def test_ctrl_c_closes_a_running_window(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "chordview.cli"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not _children(proc.pid):  # the engine starts once the event loop runs
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the window never started its engine"
            time.sleep(0.2)
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130, err
    assert "chordview: interrupted" in err and "Traceback" not in err
