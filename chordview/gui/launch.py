"""Starting the application: one QApplication, the window shown first, the song opened after."""

from __future__ import annotations

import os
import sys
from pathlib import Path

#: Environment variable for smoke tests of an installed or frozen app: once the song given on the
#: command line is analysed, export its JAMS to this path and quit (exit status 1 on a failure).
SMOKE_EXPORT = "CHORDVIEW_SMOKE_EXPORT"


def application():
    """The QApplication (created once; offscreen when there is no display)."""
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
        app.setApplicationName("chordview")
        app.setOrganizationName("chordview")
        app.setDesktopFileName("org.chordview.chordview")  # the packaging/ .desktop entry
        app.setWindowIcon(_icon())
    import pyqtgraph as pg

    pg.setConfigOptions(antialias=True, imageAxisOrder="col-major")
    return app


def _icon():
    """The application icon in every rendered size (an empty icon when the files are missing)."""
    from PySide6.QtGui import QIcon

    from chordview.assets import ICON_SIZES, icon
    from chordview.errors import ChordviewError

    result = QIcon()
    try:
        for size in ICON_SIZES:
            result.addFile(str(icon(size)))
    except ChordviewError:
        pass  # a broken install still opens its window
    return result


def check_display() -> None:
    """Raise :class:`~chordview.errors.ChordviewError` when there is no screen to show a window
    on (Linux without X11 or Wayland, and no Qt platform chosen explicitly): an offscreen window
    nobody can see would otherwise run until killed."""
    from chordview.errors import ChordviewError

    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        raise ChordviewError(
            "no display to open the window on (neither DISPLAY nor "
            "WAYLAND_DISPLAY is set); use 'chordview analyze' on this machine"
        )


def _quit_on_sigint(app) -> None:
    """Ctrl-C in the terminal closes the window (exit status 130): Qt's loop runs in C++, so a
    timer hands control back to Python often enough for its signal handler to run."""
    import signal

    from PySide6.QtCore import QTimer

    def interrupted(*_args) -> None:
        print("chordview: interrupted", file=sys.stderr)
        app.exit(130)

    signal.signal(signal.SIGINT, interrupted)
    timer = QTimer(app)
    timer.timeout.connect(lambda: None)
    timer.start(200)


def run(path: str | Path | None = None, *, model: str = "unet", device: str = "auto") -> int:
    """Show the window, then (once it has painted) start analysing ``path``.

    Raises
    ------
    ChordviewError
        There is no display.
    """
    from PySide6.QtCore import QTimer

    check_display()
    app = application()
    _quit_on_sigint(app)
    from .app import MainWindow
    from .engine import engine

    window = MainWindow(model=model, device=device)
    window.show()
    # Once the window has painted: start the engine process loading the model (a first analysis
    # then waits only for what is left of that), and open the song if one was given.
    QTimer.singleShot(0, lambda: engine().warm(model=model, device=device))
    if path is not None:
        QTimer.singleShot(0, lambda: window.open_file(path))
    app.aboutToQuit.connect(engine().shutdown)
    smoke = os.environ.get(SMOKE_EXPORT)
    if smoke:
        _exit_after_export(app, window, smoke)
    return app.exec()


def _exit_after_export(app, window, path: str) -> None:
    def done(_session) -> None:
        written = window.export_to(path, "jams")
        print(f"chordview: smoke export -> {written}", file=sys.stderr)
        app.exit(0 if written else 1)

    def failed(text: str) -> None:
        print(f"chordview: smoke analysis failed: {text}", file=sys.stderr)
        app.exit(1)

    window.sessionReady.connect(done)
    window.analysisFailed.connect(failed)
