"""Running a model on features: windowed with overlap, on the GPU when TensorFlow sees one.

Long inputs are cut into windows of ``window`` frames that overlap by ``2 * margin`` frames; each
frame's output is taken from the window where it lies furthest from an edge, so memory stays
bounded and results match a single pass up to edge effects ``margin`` frames deep.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from chordview.contract import HEADS
from chordview.errors import ChordviewError, ModelError

DEVICES = ("auto", "cpu", "gpu")


def _backend() -> str:
    from chordview.quiet import import_keras

    return import_keras().backend.backend()


def resolve_device(device: str = "auto") -> str:
    """Pick the device to run on and describe it.

    Parameters
    ----------
    device : {'auto', 'cpu', 'gpu'}
        'auto' uses a GPU when the backend sees one.

    Returns
    -------
    str
        'GPU:0' style name for a GPU, or 'CPU'.

    Raises
    ------
    ChordviewError
        'gpu' was asked for and no GPU is visible.
    """
    if device not in DEVICES:
        raise ChordviewError(f"unknown device {device!r}: use one of {', '.join(DEVICES)}")
    backend = _backend()
    gpus: list[str] = []
    if backend == "tensorflow":
        import tensorflow as tf

        gpus = [f"GPU:{i}" for i, _ in enumerate(tf.config.list_physical_devices("GPU"))]
    elif backend == "torch":
        import torch

        gpus = [f"GPU:{i}" for i in range(torch.cuda.device_count())]
    elif backend == "jax":
        import jax

        gpus = [f"GPU:{i}" for i, d in enumerate(jax.devices()) if d.platform == "gpu"]
    if device == "gpu" and not gpus:
        raise ChordviewError(f"no GPU is visible to {backend}; use --device cpu or auto")
    if device == "cpu" or not gpus:
        return "CPU"
    return gpus[0]


class Predictor:
    """Calls a Keras model on ``(1, T, n_bins, n_channels)`` inputs of any length ``T``.

    On TensorFlow the call is traced once with an unknown time axis (a static trace per length
    would rebuild a recurrent graph for every file); other backends call the model directly.
    ``align`` is the network's time-pooling factor (:func:`chordview.architectures.time_alignment`;
    default: one that suits any architecture).
    """

    def __init__(self, model, *, device: str = "auto", align: int | None = None):
        from chordview.architectures import UNKNOWN_ALIGNMENT

        self.model = model
        self.device = resolve_device(device)
        self.align = UNKNOWN_ALIGNMENT if align is None else int(align)
        self._fn = None
        if _backend() == "tensorflow":
            import tensorflow as tf

            shape = (None, None, *model.input_shape[2:])
            self._fn = tf.function(
                lambda x: model(x, training=False),
                input_signature=[tf.TensorSpec(shape, tf.float32)],
            )

    def __call__(self, x: np.ndarray) -> dict[str, np.ndarray]:
        """Outputs for one batch of features, as float32 numpy arrays keyed by head."""
        if self._fn is not None:
            import tensorflow as tf

            with tf.device("/GPU:0" if self.device.startswith("GPU") else "/CPU:0"):
                out = self._fn(x)
        else:
            out = self.model(x, training=False)
        if not isinstance(out, dict):
            names = list(getattr(self.model, "output_names", []))
            out = dict(zip(names, out if isinstance(out, list | tuple) else [out], strict=False))
        return {k: np.asarray(v, dtype=np.float32) for k, v in out.items()}


def predict(
    features: np.ndarray,
    *,
    predictor: Predictor,
    window: int = 2048,
    margin: int = 64,
    align: int | None = None,
    progress: Callable[[float], None] | None = None,
) -> dict[str, np.ndarray]:
    """Head outputs for a whole feature sequence.

    Parameters
    ----------
    features : np.ndarray, shape (n_frames, n_bins, n_channels)
        Network input.
    predictor : Predictor
        The model to run.
    window : int
        Frames per network call (rounded up to a multiple of ``align``, and more than twice the
        margin).
    margin : int
        Frames of context discarded at each inner window edge (rounded up to a multiple of
        ``align``).
    align : int, optional
        Window starts are multiples of this (the network's time pooling factor); default: the
        predictor's, from :func:`chordview.architectures.time_alignment`.
    progress : callable, optional
        Called with the fraction of frames done.

    Returns
    -------
    dict of str to np.ndarray
        Head name -> ``(n_frames, n_classes)`` float32.
    """
    n = len(features)
    align = predictor.align if align is None else int(align)
    margin = -(-margin // align) * align  # both on the pooling grid, rounded up
    window = max(-(-window // align) * align, 2 * margin + align)
    step = window - 2 * margin
    outputs: dict[str, np.ndarray] = {}
    # Window starts stay on the pooling grid so each window sees the frames as one pass would;
    # the last window runs to the end (up to align - 1 frames longer than the others).
    starts = [0] if n <= window else list(range(0, n - window, step))
    if n > window and starts[-1] + window < n:
        starts.append((n - window) // align * align)
    kept = 0
    for i, start in enumerate(starts):
        stop = n if i == len(starts) - 1 else min(n, start + window)
        out = predictor(features[None, start:stop].astype(np.float32, copy=False))
        lo = kept  # first frame not yet filled
        hi = stop if stop == n else stop - margin
        for name in HEADS:
            if name not in out:
                raise ModelError(f"model has no output named {name!r}")
            arr = out[name][0]
            if arr.ndim != 2 or arr.shape[0] != stop - start:
                raise ModelError(
                    f"{name} has shape {out[name].shape} for {stop - start} frames: predictions "
                    "must be one row per frame; check the model with `chordview check-model`"
                )
            if name not in outputs:
                outputs[name] = np.empty((n, arr.shape[1]), dtype=np.float32)
            outputs[name][lo:hi] = arr[lo - start : hi - start]
        kept = hi
        if progress is not None:
            progress(kept / n)
    return outputs


def shift_features(features: np.ndarray, bins: int) -> np.ndarray:
    """``features`` moved up ``bins`` CQT bins (down when negative); vacated bins get the minimum."""
    if bins == 0:
        return features
    out = np.full_like(features, features.min())
    if bins > 0:
        out[:, bins:] = features[:, :-bins]
    else:
        out[:, :bins] = features[:, -bins:]
    return out


def predict_shifted(
    features: np.ndarray,
    *,
    predictor: Predictor,
    shifts: Sequence[int],
    bins_per_semitone: int,
    vocabulary: dict[str, Sequence[str]],
    progress: Callable[[float], None] | None = None,
) -> dict[str, np.ndarray]:
    """Head outputs averaged over transposed copies of the input (test-time pitch shifting).

    Each copy is the CQT moved by ``s`` semitones; its outputs are moved back through the heads'
    class names (:func:`chordview.vocab.transposition`) and the probabilities are averaged. With
    ``shifts == [0]`` this is :func:`predict`.

    Raises
    ------
    ModelError
        When a head's classes are not closed under transposition.
    """
    from chordview.vocab import transposition

    shifts = list(shifts) or [0]
    total: dict[str, np.ndarray] = {}
    for k, s in enumerate(shifts):

        def part(f: float, k: int = k) -> None:
            if progress is not None:
                progress((k + f) / len(shifts))

        out = predict(
            shift_features(features, s * bins_per_semitone), predictor=predictor, progress=part
        )
        for name, arr in out.items():
            if s:
                classes = vocabulary.get(name, ())
                if len(classes) != arr.shape[1]:
                    raise ModelError(
                        f"{name}: {arr.shape[1]} outputs but {len(classes)} class "
                        "names; pitch-shift averaging needs them"
                    )
                try:
                    arr = arr[:, transposition(classes, s)]
                except ValueError as exc:
                    raise ModelError(f"{name}: cannot average over pitch shifts ({exc})") from None
            total[name] = arr if name not in total else total[name] + arr
    return {name: arr / len(shifts) for name, arr in total.items()}
