"""The chordview desktop app (PySide6 + pyqtgraph + sounddevice).

Importing this package is light; :func:`main` builds the window, and TensorFlow is imported only
by the analysis worker, after the window has painted.
"""

from __future__ import annotations

from pathlib import Path


def main(path: str | Path | None = None, *, model: str = "unet", device: str = "auto") -> int:
    """Open the window (on ``path`` if given) and run the event loop; returns the exit status."""
    from .launch import run

    return run(path, model=model, device=device)
