"""Registry of model architectures: name -> ``build_model(**hyper_parameters)``."""

from __future__ import annotations

from importlib import import_module

from chordview.quiet import import_keras

import_keras()  # before the builders' own `import keras`, so TensorFlow starts quietly

from chordview.errors import ModelError  # noqa: E402

ARCHITECTURES = {"unet": "chordview.architectures.unet", "cr2": "chordview.architectures.cr2"}


def build(name: str, **hyper_parameters):
    """Build architecture ``name`` with the given hyper-parameters (keyword arguments).

    Raises
    ------
    ModelError
        If no architecture has that name.
    """
    if name not in ARCHITECTURES:
        raise ModelError(f"unknown architecture {name!r}; known: {', '.join(ARCHITECTURES)}")
    return import_module(ARCHITECTURES[name]).build_model(**hyper_parameters)
