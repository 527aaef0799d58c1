"""The Model menu: bundled UNet / CR2, or a user's bundle or ``.keras`` file checked first.

A user's model is loaded and checked with :func:`chordview.check.check_path` in a worker thread;
a model that does not fit the output contract is refused with the checker's reasons.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QFileDialog, QMenu

from .worker import CheckModelJob, Runner

BUNDLED = {"unet": "UNet (bundled, default)", "cr2": "CR2 (bundled)"}


def bundled() -> list[str]:
    """Names of the installed bundles (reads folder names only: no TensorFlow)."""
    from chordview.bundle import bundled_names

    try:
        return bundled_names()
    except (OSError, ModuleNotFoundError):
        return []


class ModelMenu(QObject):
    """Builds and drives the Model menu; uses the models through an
    :class:`~chordview.gui.controller.AppController`.

    Parameters
    ----------
    controller : AppController
        Whose model the menu shows and changes.
    menu : QMenu
        The menu to fill.
    parent : QWidget, optional
        Parent of the file dialog (the window).

    Signals
    -------
    checked(bool)
        A user model was checked: True when it fits and is now in use.
    message(str, str, str)
        ``(kind, title, text)`` for the user: why a model was refused.
    status(str)
        A status-bar line (a check started).
    """

    checked = Signal(bool)
    message = Signal(str, str, str)
    status = Signal(str)

    def __init__(self, controller, menu: QMenu, *, parent=None):
        super().__init__(parent)
        self.controller, self.menu, self.parent_widget = controller, menu, parent
        self.group = QActionGroup(self)
        self.runner: Runner | None = None
        installed = bundled()
        self.actions: dict[str, QAction] = {}
        for name, text in BUNDLED.items():
            present = name in installed
            action = menu.addAction(text if present else f"{text} — not installed")
            action.setCheckable(True)
            action.setEnabled(present)
            action.triggered.connect(lambda _=False, n=name: self.select(n))
            self.group.addAction(action)
            self.actions[name] = action
        self.custom = menu.addAction("")
        self.custom.setCheckable(True)
        self.custom.setVisible(False)
        self.group.addAction(self.custom)
        menu.addSeparator()
        menu.addAction("Open model…", self.open_dialog)
        controller.modelChanged.connect(self._mark)
        self._mark(controller.model)

    def _mark(self, model) -> None:
        name = str(model)
        if name in self.actions:
            self.actions[name].setChecked(True)
        else:
            self.custom.setText(f"{Path(name).name} (user model)")
            self.custom.setToolTip(name)
            self.custom.setVisible(True)
            self.custom.setChecked(True)

    def select(self, model) -> None:
        """Use ``model`` (trusted: bundled or already checked) and re-analyse the song."""
        self.controller.select_model(model)

    def open_dialog(self) -> None:
        """Model > Open model…: a ``.keras`` file or a bundle's ``bundle.json``."""
        path, _ = QFileDialog.getOpenFileName(
            self.parent_widget, "Open model", "", "Keras model or bundle (*.keras bundle.json)"
        )
        if path:
            self.check(Path(path).parent if Path(path).name == "bundle.json" else Path(path))

    def check(self, path: str | Path) -> None:
        """Check a user's model in a worker; use it if it fits, else show the reasons."""
        self.shutdown()
        job = CheckModelJob(path)
        self.runner = Runner(job, self)
        self._checking = str(path)
        job.finished.connect(self._on_report)
        job.failed.connect(self._on_failed)
        self.status.emit(f"checking model {path}…")
        self.runner.start()

    def _on_report(self, report) -> None:
        if report.fits:
            self.select(self._checking)
            self.checked.emit(True)
        else:
            self._refused("\n".join(report.lines()))

    def _on_failed(self, text: str) -> None:
        self._refused(text)

    def _refused(self, text: str) -> None:
        self._mark(self.controller.model)
        self.message.emit("error", "Model refused", text)
        self.checked.emit(False)

    def shutdown(self) -> None:
        """Wait for a running check (at close)."""
        if self.runner is not None:
            self.runner.wait(30000)
            self.runner = None
