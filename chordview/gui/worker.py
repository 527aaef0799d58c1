"""Background work for the window: analysing a song and checking a model, each in a QThread.

Workers report through signals only: ``progress(stage, fraction)``, ``finished(result)``,
``failed(message)`` and ``cancelled()``. A :class:`ChordviewError` becomes its one-line message;
any other exception is a bug and its full traceback is reported (and printed), never swallowed.
The heavy lifting happens in the :mod:`~chordview.gui.engine` process: a worker thread only sends
the request and waits (releasing the GIL), so TensorFlow never runs in the window's process.
"""

from __future__ import annotations

import threading
import time
import traceback
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal, Slot

from chordview.errors import Cancelled, ChordviewError

#: Least time between two progress signals of one stage (keeps the GUI event queue light).
PROGRESS_INTERVAL = 0.05


class Job(QObject):
    """Base of a cancellable background job; subclasses implement :meth:`work`."""

    progress = Signal(str, float)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self):
        super().__init__()
        self._cancel = threading.Event()
        self._last: tuple[str, float] = ("", 0.0)

    def cancel(self) -> None:
        """Ask the job to stop at its next progress checkpoint (thread-safe)."""
        self._cancel.set()

    @property
    def is_cancelled(self) -> bool:
        """Whether :meth:`cancel` was called."""
        return self._cancel.is_set()

    def report(self, stage: str, fraction: float) -> bool:
        """Progress callback for the core: emits (throttled) and returns False once cancelled."""
        if self._cancel.is_set():
            return False
        now = time.monotonic()
        if stage != self._last[0] or fraction >= 1.0 or now - self._last[1] >= PROGRESS_INTERVAL:
            self._last = (stage, now)
            self.progress.emit(stage, float(fraction))
        return True

    def work(self):  # pragma: no cover - abstract
        raise NotImplementedError

    @Slot()
    def run(self) -> None:
        """Run :meth:`work` and emit exactly one of finished / failed / cancelled."""
        try:
            result = self.work()
        except Cancelled:
            self.cancelled.emit()
        except ChordviewError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # a bug: report it with its traceback, loudly
            text = traceback.format_exc()
            print(text, flush=True)
            self.failed.emit(f"internal error: {exc!r}\n\n{text}")
        else:
            if self.is_cancelled:
                self.cancelled.emit()
            else:
                self.finished.emit(result)


class AnalysisJob(Job):
    """Load a song for playback, analyse it and derive the lane images -> :class:`Session`."""

    def __init__(
        self,
        path: str | Path,
        *,
        model,
        device: str = "auto",
        playback_sr: int = 44100,
        fast: bool = False,
    ):
        super().__init__()
        self.path, self.model, self.device = Path(path), model, device
        self.playback_sr, self.fast = playback_sr, fast

    def work(self):
        from .engine import engine, map_audio

        args = {
            "path": str(self.path),
            "model": str(self.model),
            "device": self.device,
            "playback_sr": self.playback_sr,
            "fast": self.fast,
        }
        result = engine().run(
            "analyse", args, progress=self.report, is_cancelled=lambda: self.is_cancelled
        )
        session = result["session"]
        session.y = map_audio(result["audio"], result["n_samples"], result.get("channels", 1))
        return session


class CheckModelJob(Job):
    """Run :func:`chordview.check.check_path` on a user's model -> ``CheckReport``."""

    def __init__(self, path: str | Path):
        super().__init__()
        self.path = str(path)

    def work(self):
        from .engine import engine

        self.report("model", 0.0)
        return engine().run("check", {"path": self.path}, is_cancelled=lambda: self.is_cancelled)


class Runner(QObject):
    """Owns one job and its thread; drop the runner once it emits ``done``."""

    done = Signal()

    def __init__(self, job: Job, parent: QObject | None = None):
        super().__init__(parent)
        self.job = job
        self.thread = QThread()
        self.thread.setObjectName(type(job).__name__)
        job.moveToThread(self.thread)
        self.thread.started.connect(job.run)
        for sig in (job.finished, job.failed):
            sig.connect(self._stop)
        job.cancelled.connect(self._stop)
        self.thread.finished.connect(self.done)

    def start(self) -> None:
        """Start the thread (the job runs there)."""
        self.thread.start()

    def _stop(self, *_args) -> None:
        self.thread.quit()

    def wait(self, ms: int = 30000) -> bool:
        """Block until the thread ends (used at shutdown)."""
        return self.thread.wait(ms)
