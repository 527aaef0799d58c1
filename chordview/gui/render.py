"""Drawing the window's views offscreen to a picture (``chordview render``)."""

from __future__ import annotations

from pathlib import Path

from chordview.errors import OutputError


def render_session(session, path: str | Path, *, width: int = 1600, height: int = 1000) -> Path:
    """Draw a session with the same :class:`~chordview.gui.views.Timeline` the window uses.

    Parameters
    ----------
    session : Session
    path : str or Path
        PNG (or any image format Qt writes, by suffix).
    width, height : int
        Picture size in pixels.
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
    path = Path(path)
    image = timeline.grab()
    timeline.close()
    tmp = path.with_name(f".{path.name}.tmp{path.suffix}")
    if not image.save(str(tmp)):
        raise OutputError(f"cannot write {path}")
    tmp.replace(path)
    return path


def render_file(audio: str | Path, output: str | Path, *, model="unet", device: str = "auto",
                progress=None) -> Path:  # fmt: skip
    """Analyse ``audio`` and draw its views to ``output``."""
    from chordview.analysis import analyze

    from .session import Session

    analysis = analyze(audio, model=model, device=device, progress=progress)
    return render_session(Session.from_analysis(analysis), output)
