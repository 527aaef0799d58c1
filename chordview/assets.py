"""Where chordview's data files are: the demo song, its reference chords and the icons.

They are the ``chordview.resources`` package (``resources/`` in the checkout), found through
:mod:`importlib.resources`, so a wheel, an editable install and a frozen app all find them the same
way: never through a path into the source checkout.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from chordview.errors import ChordviewError

#: Icon sizes rendered as PNG (``resources/icons/hicolor/<N>x<N>/apps/chordview.png``).
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)


def package_folder(package: str) -> Path:
    """The folder holding ``package``'s data files, as a real path.

    ``importlib.resources.files`` gives a plain path for an installed package, but a
    ``MultiplexedPath`` in a frozen app (the package's code lives in an archive there, its data in
    a folder); its entries are plain paths, so the folder is their parent.
    """
    root = resources.files(package)
    if isinstance(root, Path):
        return root
    entry = next(iter(root.iterdir()), None)
    if entry is None:
        raise ChordviewError(f"chordview's package {package} has no data files: reinstall")
    return Path(str(entry)).parent


def _file(*parts: str) -> Path:
    path = package_folder("chordview.resources").joinpath(*parts)
    if not path.is_file():
        raise ChordviewError(f"chordview's data file {'/'.join(parts)} is missing: reinstall")
    return path


def demo_song() -> Path:
    """The bundled demo song (FLAC, 44.1 kHz)."""
    return _file("demo.flac")


def demo_reference() -> Path:
    """The demo song's reference chords (JAMS)."""
    return _file("demo.jams")


def icon(size: int) -> Path:
    """The application icon as a PNG of ``size`` pixels (one of :data:`ICON_SIZES`)."""
    if size not in ICON_SIZES:
        raise ValueError(f"no {size}px icon; sizes: {ICON_SIZES}")
    return _file("icons", "hicolor", f"{size}x{size}", "apps", "chordview.png")
