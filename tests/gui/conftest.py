"""GUI fixtures: a real PulseAudio null sink, a window on the tiny model, generated songs."""

from __future__ import annotations

import gc
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pyqtgraph")

from tests.conftest import chord_signal  # noqa: E402

SR = 44100


#: A I-IV-V-I progression, two seconds per chord.
PROGRESSION = ([48, 52, 55, 60], [53, 57, 60, 65], [55, 59, 62, 67], [48, 52, 55, 60])


def write_song(path: Path, *, seconds_per_chord: float = 2.0, repeats: int = 1) -> Path:
    """Write a generated chord progression as a 16-bit WAV at 44.1 kHz."""
    import soundfile as sf

    parts = [chord_signal(notes, seconds=seconds_per_chord) for notes in PROGRESSION] * repeats
    sf.write(path, np.concatenate(parts), SR, subtype="PCM_16")
    return path


@pytest.fixture(scope="session")
def song(tmp_path_factory) -> Path:
    """An 8-second generated song."""
    return write_song(tmp_path_factory.mktemp("songs") / "song.wav")


@pytest.fixture(scope="session")
def pulse(tmp_path_factory):
    """Start a private PulseAudio server with a null sink; make PortAudio see it.

    Skips (with the reason) only when no server can be started.
    """
    exe = shutil.which("pulseaudio")
    if exe is None:
        pytest.skip("pulseaudio is not installed: no audio server for playback tests")
    runtime = tmp_path_factory.mktemp("pulse-runtime")
    os.chmod(runtime, 0o700)
    env_keys = ("XDG_RUNTIME_DIR", "PULSE_SERVER", "PULSE_RUNTIME_PATH")
    saved = {k: os.environ.get(k) for k in env_keys}
    os.environ["XDG_RUNTIME_DIR"] = str(runtime)
    os.environ["PULSE_RUNTIME_PATH"] = str(runtime / "pulse")
    os.environ["PULSE_SERVER"] = f"unix:{runtime / 'pulse' / 'native'}"
    cmd = [
        exe,
        "--daemonize=yes",
        "--exit-idle-time=-1",
        "--disallow-exit",
        "-n",
        "--load=module-null-sink",
        "--load=module-native-protocol-unix",
    ]
    if os.geteuid() == 0:  # root: a per-user server anyway, at raised priority (busy CPUs)
        cmd[1:1] = ["--system=false", "--high-priority=yes"]
    started = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    pid_file = runtime / "pulse" / "pid"
    info = None
    for _ in range(50):
        info = subprocess.run(["pactl", "info"], capture_output=True, text=True, timeout=10)
        if info.returncode == 0:
            break
        time.sleep(0.1)
    if info is None or info.returncode != 0:
        os.environ.update({k: v for k, v in saved.items() if v is not None})
        pytest.skip(f"cannot start a PulseAudio server: {started.stderr.strip() or info.stderr}")
    import sounddevice as sd

    sd._terminate()  # PortAudio enumerates devices once: look again now that the server runs
    sd._initialize()
    names = [d["name"] for d in sd.query_devices()]
    _wake_sink(sd)
    yield {"names": names, "info": info.stdout}
    if pid_file.exists():
        try:
            os.kill(int(pid_file.read_text().split()[0]), signal.SIGTERM)
        except (OSError, ValueError):
            pass
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    sd._terminate()
    sd._initialize()


def _wake_sink(sd, *, timeout: float = 5.0) -> None:
    """Play silence until the null sink consumes it (a fresh sink may take a second to start)."""
    consumed = [0]

    def callback(out, frames, _time, _status):
        out.fill(0)
        consumed[0] += frames

    with sd.OutputStream(
        samplerate=SR, channels=1, dtype="float32", latency="high", callback=callback
    ):
        end = time.monotonic() + timeout
        while consumed[0] < SR // 2 and time.monotonic() < end:
            time.sleep(0.05)


@pytest.fixture
def messages():
    """What the window would have shown in message boxes: (kind, title, text)."""
    return []


@pytest.fixture
def make_window(qtbot, tiny_bundle, tmp_path, messages):
    """Build a main window on the tiny model with private settings and captured messages."""
    from PySide6.QtCore import QSettings

    from chordview.gui.launch import application

    application()
    from chordview.gui.app import MainWindow

    windows = []

    def make(**kwargs):
        settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(
            model=str(tiny_bundle),
            settings=settings,
            notify=lambda *m: messages.append(m),
            **kwargs,
        )
        windows.append(window)
        window.show()
        return window

    yield make
    for window in windows:  # close (joins worker threads), then delete while Qt is alive
        window.close()
        window.deleteLater()
    qtbot.wait(10)
    gc.collect()


@pytest.fixture
def window(make_window):
    """A shown main window (playback as the environment allows)."""
    return make_window()


@pytest.fixture
def open_song(qtbot):
    """``open_song(window, path)``: open a file and wait until its session is drawn."""

    def open_(window, path, *, timeout: int = 90_000):
        with qtbot.waitSignal(window.sessionReady, timeout=timeout) as blocker:
            window.open_file(path)
        return blocker.args[0]

    return open_


@pytest.fixture
def make_song(tmp_path):
    """``make_song(name, repeats=)``: a generated progression of ``8 * repeats`` seconds."""

    def make(name: str = "long.wav", *, repeats: int = 1) -> Path:
        return write_song(tmp_path / name, repeats=repeats)

    return make


_WITNESS = """
import time
try:
    stat = open("/proc/stat", "rb", buffering=0)
except OSError:
    stat = None
def stolen():
    try:
        stat.seek(0)
        fields = stat.read(256).split(b"\\n", 1)[0].split()
        return int(fields[8])  # cpu user nice system idle iowait irq softirq steal ...
    except (AttributeError, OSError, IndexError, ValueError):
        return 0
last, steal = time.monotonic(), stolen()
print("T", last, steal, flush=True)
while True:
    time.sleep(0.005)
    now, s = time.monotonic(), stolen()
    if now - last > 0.05:
        print("S", last, now, flush=True)
    if s != steal:  # the count rose between the two wake-ups: pin the step there
        print("T", last, steal, flush=True)
        print("T", now, s, flush=True)
        steal = s
    last = now
"""


class Witness:
    """An independent process that notes when the machine itself stops running chordview.

    Real-time tests compare the GUI thread (or the audio clock) with wall time. When the whole
    machine is frozen (a virtual machine's host steals the CPU, a disk flush stalls every
    process), those comparisons measure the machine, not chordview. This process sleeps 5 ms at a
    time at the test's own priority and records every wake-up more than 50 ms late (a stall), and
    the kernel's count of time the hypervisor stole from this machine's CPUs (``steal`` in
    ``/proc/stat``), which slows every thread without freezing any of them long enough to be seen
    as a stall. Timestamps are CLOCK_MONOTONIC, shared by all processes.
    """

    def __init__(self):
        self._log = tempfile.TemporaryFile("w+")  # a file, not a pipe: it never fills up
        self._proc = subprocess.Popen([sys.executable, "-c", _WITNESS], stdout=self._log)
        self._stalls: list[tuple[float, float]] | None = None
        self._steal: tuple[np.ndarray, np.ndarray] = (np.zeros(1), np.zeros(1))

    def stop(self) -> list[tuple[float, float]]:
        """End the process; its stalls as (start, end) monotonic seconds."""
        if self._stalls is None:
            self._proc.terminate()
            self._proc.wait(timeout=10)
            self._log.seek(0)
            rows = [row for row in map(str.split, self._log.read().splitlines()) if len(row) == 3]
            self._log.close()
            self._stalls = [(float(a), float(b)) for kind, a, b in rows if kind == "S"]
            ticks = os.sysconf("SC_CLK_TCK") * (os.cpu_count() or 1)  # per CPU-second
            steal = [(float(t), int(n) / ticks) for kind, t, n in rows if kind == "T"]
            if steal:
                self._steal = tuple(np.asarray(column) for column in zip(*steal, strict=True))
        return self._stalls

    def stolen(self, t0: float, t1: float) -> float:
        """Seconds of ``[t0, t1]`` the hypervisor took from this machine (mean over its CPUs)."""
        self.stop()
        times, seconds = self._steal
        at = np.interp([t0, t1], times, seconds)  # counted in 10 ms ticks: a coarse clock
        return max(0.0, float(at[1] - at[0]))

    def stalled(self, t0: float, t1: float) -> float:
        """Seconds of ``[t0, t1]`` during which the machine was seen frozen."""
        return sum(max(0.0, min(b, t1) - max(a, t0)) for a, b in self.stop())

    def overlap(self, t0: float, t1: float) -> float:
        """Seconds of ``[t0, t1]`` the machine was not running chordview: seen frozen, or stolen
        by the hypervisor, whichever is more."""
        return min(t1 - t0, max(self.stalled(t0, t1), self.stolen(t0, t1)))

    def worst(self) -> float:
        """The longest stall seen (0 when none)."""
        return max((b - a for a, b in self.stop()), default=0.0)


@pytest.fixture
def witness():
    w = Witness()
    time.sleep(0.2)  # started and sleeping before the measurement begins
    yield w
    w.stop()
