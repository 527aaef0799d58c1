"""chordview: chord analysis with a fully convolutional UNet and structured heads.

``import chordview`` is light: the names below load their modules (and TensorFlow) on first use.

>>> import chordview
>>> a = chordview.analyze(path="song.wav")          # doctest: +SKIP
>>> a.segments[0].label, a.outputs["chord_tag"].shape  # doctest: +SKIP
"""

from __future__ import annotations

from importlib import import_module

__version__ = "0.1.0"

_LAZY = {
    "analyze": "chordview.analysis",
    "Analysis": "chordview.analysis",
    "load_bundle": "chordview.bundle",
    "Bundle": "chordview.bundle",
    "Segment": "chordview.decode",
    "ChordviewError": "chordview.errors",
    "AudioError": "chordview.errors",
    "ModelError": "chordview.errors",
    "OutputError": "chordview.errors",
    "Cancelled": "chordview.errors",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'chordview' has no attribute {name!r}")
