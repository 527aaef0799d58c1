"""The analysis engine: a child process that owns TensorFlow, driven from the GUI's worker threads.

Why a process and not only a thread: importing TensorFlow, loading a model and running a graph
for the first time hold the GIL for hundreds of milliseconds at a stretch, and a thread of the GUI
process then stalls the window. The engine runs the core (:func:`chordview.analysis.analyze`,
:func:`chordview.check.check_path`) in a separate process started with ``spawn``, so the window's
process never imports TensorFlow at all.

Protocol (one duplex pipe): the parent sends ``(kind, job_id, args)``; the child answers
``('started', id, None)``, then any number of ``('progress', id, (stage, fraction))`` (a cold
child's analysis first reports the stages ``'engine'``, importing TensorFlow, and ``'model'``,
loading the model, before the core's stages) and exactly
one of ``('done', id, result)``, ``('failed', id, message)``, ``('cancelled', id, None)`` or
``('error', id, traceback)``. Cancelling writes the job id into a shared counter that the child's
progress callback reads; a child that does not stop within :data:`CANCEL_GRACE` seconds is killed
(and started again on next use), so a cancel always takes effect in well under a second.

Audio for playback travels through a file in ``/dev/shm`` (memory), mapped by the parent: a
60-minute song is 635 MB of float32, too much to pickle through a pipe on the GUI's time.

This module imports no Qt: the child process loads only the core.
"""

from __future__ import annotations

import glob
import multiprocessing as mp
import os
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable
from pathlib import Path

import numpy as np

from chordview.errors import Cancelled, ChordviewError
from chordview.files import pid_alive

#: Seconds a running job may take to honour a cancel before its process is killed.
CANCEL_GRACE = 0.6
#: How much lower than the window's the engine's CPU priority is (Unix nice increment).
NICENESS = 10
#: Seconds between checks of the cancel flag and the child's health while waiting.
POLL = 0.02


# ----------------------------------------------------------------------------- child side
def _shared_folder() -> str:
    return "/dev/shm" if os.path.isdir("/dev/shm") else tempfile.gettempdir()


def _share_audio(y: np.ndarray) -> tuple[str, int]:
    """Write ``y`` (float32, ``(n,)`` or ``(n, channels)``) to a memory-backed file; returns its
    path and length in samples (frames). The name carries this process's id, so the parent can
    remove what a child that died or was killed left (:func:`remove_shared_audio`)."""
    prefix = f"chordview-audio-{os.getpid()}-"
    fd, path = tempfile.mkstemp(prefix=prefix, suffix=".f32", dir=_shared_folder())
    with os.fdopen(fd, "wb") as f:
        np.ascontiguousarray(y, dtype=np.float32).tofile(f)
    return path, len(y)


#: The (model, device, fast) choices this child has loaded (a later analysis loads nothing).
_LOADED: set[tuple] = set()


def _load(args: dict, progress):
    """The analyzer for this request, from the core's cache; a cold child first says that the
    engine is starting (TensorFlow's import, most of a cold start), then that the model loads."""
    from chordview.analysis import shared_analyzer  # the ones analyze() itself keeps

    key = (args["model"], args["device"], bool(args.get("fast", False)))
    if key not in _LOADED:
        if "keras" not in sys.modules:
            if not progress("engine", 0.0):
                raise Cancelled("analysis cancelled")
            from chordview.quiet import import_keras

            import_keras()  # TensorFlow: most of a cold start
        if not progress("model", 0.0):
            raise Cancelled("analysis cancelled")
    analyzer = shared_analyzer(key[0], device=key[1], fast=key[2])
    _LOADED.add(key)
    return analyzer


def _analyse(args: dict, progress) -> dict:
    from chordview.analysis import analyze
    from chordview.audio import load_audio, to_mono

    from .session import Session

    analyzer = _load(args, progress)
    if not progress("audio", 0.0):
        raise Cancelled("analysis cancelled")
    sr = args["playback_sr"]
    # one decode serves playback (up to two channels) and analysis (their mono mix)
    frames = load_audio(args["path"], sr=sr, mono=False)
    y = to_mono(frames)
    analysis = analyze(y=y, sr=sr, model=analyzer, progress=progress)
    analysis.path = Path(args["path"])
    session = Session.from_analysis(analysis, y=None, sr=sr)
    del y
    audio, n = _share_audio(frames)
    return {"session": session, "audio": audio, "n_samples": n, "channels": frames.shape[1]}


def _check(args: dict, progress) -> object:
    from chordview.check import check_path

    progress("model", 0.0)
    return check_path(args["path"])


def _warm(args: dict, progress) -> None:
    """Import TensorFlow, load the model and run it once on a short signal."""
    from chordview.analysis import analyze

    rng = np.random.default_rng(0)
    y = (0.1 * rng.standard_normal(44100 * 2)).astype(np.float32)
    analyze(y=y, sr=44100, model=_load(args, progress))


_HANDLERS = {"analyse": _analyse, "check": _check, "warm": _warm}


def _serve(conn, cancelled_upto) -> None:
    """The child's loop: run one request at a time until the pipe closes or 'quit' arrives."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:  # background work: the window and the audio callback come first on a busy CPU
        os.nice(NICENESS)
    except (AttributeError, OSError):
        pass
    while True:
        try:
            kind, job, args = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if kind == "quit":
            return

        def progress(stage: str, fraction: float, job=job) -> bool:
            if cancelled_upto.value >= job:
                return False
            conn.send(("progress", job, (stage, float(fraction))))
            return True

        try:
            if cancelled_upto.value >= job:
                raise Cancelled("cancelled before it started")
            conn.send(("started", job, None))
            result = _HANDLERS[kind](args, progress)
        except Cancelled:
            reply = ("cancelled", job, None)
        except ChordviewError as exc:
            reply = ("failed", job, str(exc))
        except Exception:  # a bug: the parent reports it with this traceback
            reply = ("error", job, traceback.format_exc())
        else:
            reply = ("done", job, result)
        try:
            conn.send(reply)
        except (OSError, ValueError):  # parent gone
            _discard(reply)
            return


def _discard(reply) -> None:
    """Free what an unwanted reply holds (the shared audio file of an analysis)."""
    kind, _job, payload = reply
    if kind == "done" and isinstance(payload, dict) and payload.get("audio"):
        try:
            os.unlink(payload["audio"])
        except OSError:
            pass


def map_audio(path: str, n_samples: int, channels: int = 1) -> np.ndarray:
    """Map a shared audio file read-only and remove its name (the mapping stays valid).

    Returns ``(n_samples,)`` for one channel, ``(n_samples, channels)`` for more.
    """
    shape = (n_samples,) if channels == 1 else (n_samples, channels)
    try:
        if n_samples == 0:
            return np.zeros(shape, dtype=np.float32)
        return np.memmap(path, dtype=np.float32, mode="r", shape=shape)
    finally:
        try:
            os.unlink(path)
        except OSError:
            pass


def remove_shared_audio(pid: int | None = None) -> list[str]:
    """Remove the shared audio files of engine child ``pid``, or (``None``) of every engine child
    that no longer runs: a child killed on cancel, or one that died, leaves the audio it was
    handing over in memory-backed storage (a 60-minute song is 635 MB) until this runs.

    Returns
    -------
    list of str
        The files removed.
    """
    removed = []
    for path in glob.glob(os.path.join(_shared_folder(), "chordview-audio-*-*.f32")):
        owner = os.path.basename(path).split("-")[2]
        if not owner.isdigit() or (pid is not None and int(owner) != pid):
            continue
        if pid is None and pid_alive(int(owner)):
            continue
        try:
            os.unlink(path)
            removed.append(path)
        except OSError:
            pass
    return removed


# ----------------------------------------------------------------------------- parent side
class Engine:
    """Owns the child process; :meth:`run` executes one request at a time (thread-safe).

    Call :meth:`run` from a worker thread: it blocks until the child answers, forwarding progress
    and polling the caller's cancel flag.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._ctx = mp.get_context("spawn")
        self._proc = None
        self._conn = None
        self._cancel = None
        self._next = 0

    # -- lifecycle -----------------------------------------------------------------------------
    @property
    def alive(self) -> bool:
        """Whether the child process is running."""
        return self._proc is not None and self._proc.is_alive()

    @property
    def pid(self) -> int | None:
        """The child's process id (None before it starts)."""
        return self._proc.pid if self._proc is not None else None

    def _ensure(self) -> None:
        if self.alive:
            return
        self._reap()
        remove_shared_audio()  # left by engines of earlier runs that were killed
        parent, child = self._ctx.Pipe(duplex=True)
        self._cancel = self._ctx.Value("q", 0, lock=False)
        self._cancel.value = self._next  # ids already handed out can never run
        proc = self._ctx.Process(
            target=_serve, args=(child, self._cancel), name="chordview-engine", daemon=True
        )
        proc.start()
        child.close()
        self._proc, self._conn = proc, parent

    def _reap(self) -> None:
        proc, conn = self._proc, self._conn
        self._proc = self._conn = None
        if conn is not None:
            conn.close()
        if proc is not None:
            if proc.is_alive():
                proc.kill()
            proc.join(5)
            if not proc.is_alive():  # what it was handing over is nobody's now
                remove_shared_audio(proc.pid)

    def warm(self, *, model="unet", device: str = "auto") -> None:
        """Start the child now and have it load ``model`` in the background (returns at once)."""
        with self._lock:
            self._ensure()
            self._next += 1
            self._conn.send(("warm", self._next, {"model": str(model), "device": device}))

    def shutdown(self, timeout: float = 2.0) -> None:
        """Ask the child to quit; kill it if it does not within ``timeout`` seconds."""
        if not self._lock.acquire(timeout=timeout):
            self._kill_unlocked()
            return
        try:
            if self.alive:
                try:
                    self._conn.send(("quit", 0, None))
                except (OSError, ValueError):
                    pass
                self._proc.join(timeout)
            self._reap()
        finally:
            self._lock.release()

    def _kill_unlocked(self) -> None:
        proc = self._proc
        if proc is not None and proc.is_alive():
            proc.kill()

    # -- requests ------------------------------------------------------------------------------
    def run(
        self,
        kind: str,
        args: dict,
        *,
        progress: Callable[[str, float], object] | None = None,
        is_cancelled: Callable[[], bool] = lambda: False,
    ):
        """Run a request in the child and return its result.

        Raises
        ------
        Cancelled
            ``is_cancelled()`` became true (the child stopped, or was killed after the grace).
        ChordviewError
            The core's one-line message, or a note that the engine process died.
        RuntimeError
            A bug in the child, with the child's traceback as the message.
        """
        with self._lock:
            if progress is not None and not self.alive:  # the child takes seconds to say so
                progress("engine", 0.0)
            self._ensure()
            self._next += 1
            job = self._next
            self._conn.send((kind, job, args))
            killer = threading.Timer(CANCEL_GRACE, self._proc.kill)
            killer.daemon = True
            try:
                return self._receive(job, progress, is_cancelled, killer)
            finally:
                killer.cancel()

    def _receive(self, job: int, progress, is_cancelled, killer: threading.Timer):
        """Wait for ``job``'s outcome; on cancel, arm ``killer`` (kills the child after the grace).

        The killer runs on its own thread, so a child stuck in a long step, or frozen in the
        middle of a message (which blocks ``recv``), is killed on time whatever this loop is doing;
        its death ends the wait with an EOF, and the next request starts a fresh child.
        """
        started = cancelling = False
        while True:
            if not cancelling and is_cancelled():
                self._cancel.value = job
                if not started:  # still queued behind other work: the child will skip it
                    raise Cancelled("cancelled")
                cancelling = True
                killer.start()
            try:
                ready = self._conn.poll(POLL)
                reply = self._conn.recv() if ready else None
            except (EOFError, OSError):
                code = self._proc.exitcode if self._proc is not None else None
                self._reap()
                if cancelling:
                    raise Cancelled("cancelled") from None
                raise ChordviewError(
                    f"the analysis process stopped unexpectedly (exit code {code})"
                ) from None
            if reply is None:
                continue
            what, rid, payload = reply
            if rid != job:  # a reply to a job given up earlier (or to a warm-up)
                _discard(reply)
                continue
            if what == "started":
                started = True
            elif what == "progress":
                if progress is not None and not cancelling:
                    progress(*payload)
            elif what == "done":
                if cancelling:
                    _discard(reply)
                    raise Cancelled("cancelled")
                return payload
            elif what == "cancelled":
                raise Cancelled("cancelled")
            elif what == "failed":
                raise ChordviewError(payload)
            else:
                raise RuntimeError(f"analysis engine error:\n{payload}")


_ENGINE: Engine | None = None


def engine() -> Engine:
    """The process-wide engine (created on first use; one child serves every window)."""
    global _ENGINE
    if _ENGINE is None:
        _ENGINE = Engine()
        import atexit

        atexit.register(_ENGINE.shutdown)
    return _ENGINE
