"""Keep TensorFlow's C++ start-up chatter (oneDNN, CUDA probing) off the user's terminal.

TensorFlow writes these lines to file descriptor 2 from native code before its logging honours
``TF_CPP_MIN_LOG_LEVEL``, so Python-level redirection cannot catch them. The context manager points
fd 2 at a temporary file for the duration and replays what was written if the block fails.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile


@contextlib.contextmanager
def native_stderr_silenced():
    """Silence fd 2 inside the block; on an exception, write what was captured back."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):  # no real fd 2 (some GUIs, tests)
        yield
        return
    with tempfile.TemporaryFile(mode="w+b") as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield
        except BaseException:
            os.dup2(saved, 2)
            sink.seek(0)
            os.write(2, sink.read())
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)


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
