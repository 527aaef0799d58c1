"""Keep native libraries' chatter (TensorFlow's start-up, libmpg123's notes) off the terminal.

TensorFlow writes these lines to file descriptor 2 from native code before its logging honours
``TF_CPP_MIN_LOG_LEVEL``, so Python-level redirection cannot catch them. The context manager points
fd 2 at a temporary file for the duration and replays what was written if the block fails.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
import threading

#: fd 2 belongs to the whole process: one capture at a time, so two threads' captures never
#: interleave (each would restore the other's sink). Re-entrant for nesting in one thread.
_FD2 = threading.RLock()


def _replay(data: bytes) -> None:
    """Write captured bytes to fd 2; a closed or full stderr loses them, nothing else."""
    try:
        os.write(2, data)
    except OSError:
        pass


@contextlib.contextmanager
def _fd2_captured(done):
    """Point fd 2 at a temporary file inside the block; call ``done(captured, failed)`` after.

    ``done`` runs with fd 2 restored, so what it writes reaches the real stderr.
    """
    with _FD2:
        try:
            sys.stderr.flush()
            saved = os.dup(2)
        except (OSError, ValueError, AttributeError):  # no real fd 2 (some GUIs, tests)
            yield
            return
        with _sink_on_fd2(saved, done):
            yield


@contextlib.contextmanager
def _sink_on_fd2(saved: int, done):
    with tempfile.TemporaryFile(mode="w+b") as sink:
        os.dup2(sink.fileno(), 2)
        failed = True
        try:
            yield
            failed = False
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            done(sink.read(), failed)


def native_stderr_silenced():
    """Silence fd 2 inside the block; on an exception, write what was captured back."""

    def done(captured: bytes, failed: bool) -> None:
        if failed and captured:
            _replay(captured)

    return _fd2_captured(done)


def native_stderr_filtered(drop: re.Pattern[bytes]):
    """Capture fd 2 inside the block and write back every line that ``drop`` does not match.

    For native decoders that print their own diagnostics (libmpg123's "Note: ..." lines on a
    damaged MP3): their chatter is dropped, anything else written meanwhile (another thread's
    output) still reaches the terminal, whether the block succeeds or fails.
    """

    def done(captured: bytes, failed: bool) -> None:
        kept = b"".join(line for line in captured.splitlines(keepends=True) if not drop.match(line))
        if kept:
            _replay(kept)

    return _fd2_captured(done)


def import_keras():
    """Import Keras (and TensorFlow, its default backend) quietly; return the keras module."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if "keras" not in sys.modules:
        with native_stderr_silenced():
            import keras

            if keras.backend.backend() == "tensorflow":
                import tensorflow as tf

                tf.config.list_physical_devices("GPU")  # CUDA probing prints here
    import keras

    return keras
