"""Drawing the window's views offscreen to a picture (``chordview render``)."""

from __future__ import annotations

from pathlib import Path

from chordview.errors import AudioError, OutputError
from chordview.files import write_files

PICTURE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp")


def render_session(
    session, path: str | Path, *, width: int = 1600, height: int = 1000, overwrite: bool = True
) -> Path:
    """Draw a session with the same :class:`~chordview.gui.views.Timeline` the window uses.

    Parameters
    ----------
    session : Session
    path : str or Path
        PNG, JPEG or BMP, by suffix.
    width, height : int
        Picture size in pixels.
    overwrite : bool
        Replace an existing picture (written through an exclusive staging file either way).
    """
    from .launch import application

    app = application()
    from .views import Timeline

    timeline = Timeline()
    timeline.follow = False
    timeline.resize(width, height)
    timeline.set_session(session)
    timeline.show_all()
    app.processEvents()
    image = timeline.grab()
    timeline.close()
    return save_picture(image, path, overwrite=overwrite)


def save_picture(image, path: str | Path, *, overwrite: bool = False) -> Path:
    """Write a ``QPixmap``/``QImage`` atomically, never over an existing file unless
    ``overwrite``; raises :class:`OutputError`."""
    path = Path(path)
    data = _encode(image, path)
    try:
        write_files({path: data}, overwrite=overwrite)
    except FileExistsError:
        raise OutputError(f"{path} exists; pass --overwrite to replace it") from None
    except OSError as exc:
        raise OutputError(f"cannot write {path} ({exc.strerror or exc})") from None
    return path


def _encode(image, path: Path) -> bytes:
    """The picture in the format its suffix names, as bytes (nothing is written here)."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    _check_suffix(path)
    fmt = path.suffix.lstrip(".").lower()
    buffer = QByteArray()
    device = QBuffer(buffer)
    device.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(device, fmt):
        raise OutputError(f"cannot draw {path}")
    device.close()
    return bytes(buffer.data())


def render_file(
    audio: str | Path,
    output: str | Path,
    *,
    model="unet",
    device: str = "auto",
    progress=None,
    fast: bool = False,
    overwrite: bool = False,
) -> Path:
    """Analyse ``audio`` and draw its views to ``output``, through the library's file workflow:
    the output is checked first (not the audio, not existing unless ``overwrite``, in a
    writable folder).

    Raises
    ------
    ChordviewError
        The first failure, as ``chordview analyze`` would report it.
    """
    from chordview.batch import analyze_files

    from .session import Session

    output = Path(output)
    _check_suffix(output)
    if Path(audio).is_dir():
        raise AudioError(f"{audio}: is a folder; render draws one song (give an audio file)")

    def draw(analysis, targets) -> list[Path]:
        return [
            render_session(Session.from_analysis(analysis), targets["png"], overwrite=overwrite)
        ]

    def report(_index, _total, _name, stage, fraction):
        return progress(stage, fraction) if progress is not None else None

    result = analyze_files(
        [audio],
        model=model,
        device=device,
        fast=fast,
        overwrite=overwrite,
        targets=lambda _audio: {"png": output},
        write=draw,
        progress=report,
    )
    if result.failures:
        raise result.failures[0].error
    return output


def _check_suffix(path: Path) -> None:
    if path.suffix.lower() not in PICTURE_SUFFIXES:
        raise OutputError(f"{path}: give a picture name ending in .png (or .jpg, .bmp)")
