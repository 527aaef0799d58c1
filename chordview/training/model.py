"""The network of a run: built from the architecture registry and compiled, or resumed.

Importing this module imports Keras (quietly, through :mod:`chordview.architectures`).
"""

from __future__ import annotations

from pathlib import Path

from chordview.architectures import build
from chordview.errors import ChordviewError
from chordview.features import FeatureSpec
from chordview.quiet import import_keras

keras = import_keras()  # quietly: TensorFlow's start-up logs stay off the terminal

#: the loss of each head
LOSSES = {
    "chord_tag": "sparse_categorical_crossentropy",
    "chord_root": "sparse_categorical_crossentropy",
    "chord_bass": "sparse_categorical_crossentropy",
    "chord_pitch": "binary_crossentropy",
}
#: the metrics logged per head
METRICS = {"chord_tag": ["sparse_categorical_accuracy"]}


def new_model(architecture: str, *, hyper_parameters: dict, learning_rate: float) -> keras.Model:
    """Build ``architecture`` and compile it with Adam at ``learning_rate`` and :data:`LOSSES`."""
    model = build(architecture, **hyper_parameters)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=LOSSES, metrics=METRICS)
    return model


def resumed_model(path: Path, *, spec: FeatureSpec, run_dir: Path) -> keras.Model:
    """Load a run's ``last.keras`` (with its optimiser state) to continue training.

    Raises
    ------
    ChordviewError
        The network takes another input than ``spec``'s (runs from before the inputs were
        recorded in ``state.json``).
    """
    import chordview.architectures.layers  # noqa: F401  (registers the custom layers)

    model = keras.saving.load_model(path, safe_mode=True)
    shape = tuple(model.input_shape[2:])
    if shape != (spec.n_bins, spec.n_channels):
        raise ChordviewError(
            f"{run_dir} holds a network for input {shape} (bins, channels), "
            f"not {(spec.n_bins, spec.n_channels)}: use another --run-dir"
        )
    return model


def saved_bytes(save, name: str) -> bytes:
    """The bytes Keras writes with ``save(path)`` to a file called ``name`` (its suffix is what
    Keras checks), written in a private temporary folder and read back.

    Parameters
    ----------
    save : callable
        ``model.save`` or ``model.save_weights``.
    """
    import tempfile

    with tempfile.TemporaryDirectory(prefix="chordview-") as tmp:
        path = Path(tmp) / name
        save(path)
        return path.read_bytes()
