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


def time_alignment(name: str | None, **hyper_parameters) -> int:
    """The multiple of frames a window of input must start on for architecture ``name`` to see
    it as one pass over the whole song would (the time-pooling factor: ``2 ** depth`` for a UNet
    that pools time, 1 for CR2). An unknown architecture (a bare ``.keras`` file) gets
    :data:`UNKNOWN_ALIGNMENT`, a multiple of any pooling factor up to ``2 ** 6``."""
    if name not in ARCHITECTURES:
        return UNKNOWN_ALIGNMENT
    module = import_module(ARCHITECTURES[name])
    align = getattr(module, "time_alignment", None)
    return int(align(**hyper_parameters)) if align is not None else 1


UNKNOWN_ALIGNMENT = 64
