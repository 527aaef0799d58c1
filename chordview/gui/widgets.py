"""Small parts of the window: per-stage progress, recent files, and non-blocking messages."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QWidget,
)

from chordview.analysis import STAGES

MAX_RECENT = 8
#: Stages before the analysis proper (a cold engine), shown as text with a busy bar.
BUSY_STAGES = {"engine": "starting the analysis engine", "model": "loading the model"}


class ProgressPanel(QWidget):
    """One bar per analysis stage and a Cancel button (hidden when idle)."""

    cancelRequested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.bars: dict[str, QProgressBar] = {}
        for stage in STAGES:
            bar = QProgressBar(self)
            bar.setRange(0, 100)
            bar.setFixedWidth(110)
            bar.setFormat(f"{stage} %p%")
            bar.setTextVisible(True)
            layout.addWidget(bar)
            self.bars[stage] = bar
        self.busy_text = QLabel(self)  # what a cold engine is doing, beside a busy bar
        self.busy_text.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.busy_text.setFixedWidth((len(STAGES) - 1) * (110 + layout.spacing()))  # the bars'
        self.busy = QProgressBar(self)
        self.busy.setRange(0, 0)
        self.busy.setFixedWidth(110)
        self.busy.setTextVisible(False)
        layout.insertWidget(0, self.busy)
        layout.insertWidget(0, self.busy_text)
        self.cancel = QPushButton("Cancel", self)
        self.cancel.clicked.connect(self.cancelRequested)
        layout.addWidget(self.cancel)
        self.started = time.monotonic()
        self._show_busy(None)
        self.hide()

    def _show_busy(self, text: str | None) -> None:
        """The busy bar with ``text`` in place of the stage bars, or (None) the stage bars."""
        self.busy_text.setText(text or "")
        self.busy_text.setVisible(text is not None)
        self.busy.setVisible(text is not None)
        for bar in self.bars.values():
            bar.setVisible(text is None)

    def start(self) -> None:
        """Reset all bars, show the panel and start timing the wait."""
        self.started = time.monotonic()
        for bar in self.bars.values():
            bar.setValue(0)
        self._show_busy(None)
        self.cancel.setEnabled(True)
        self.show()

    def summary(self, analysing: float) -> str:
        """The whole wait since :meth:`start` and the part of it the analysis took, e.g.
        ``'12.8 s, of which 0.5 s analysing'`` (``'0.6 s to analyse'`` when that is all)."""
        wait = max(time.monotonic() - self.started, analysing)
        if wait - analysing < 1.0:
            return f"{wait:.1f} s to analyse"
        return f"{wait:.1f} s, of which {analysing:.1f} s analysing"

    def update_stage(self, stage: str, fraction: float) -> None:
        """Fill ``stage`` to ``fraction`` and every earlier stage to 100 %; the stages before
        the analysis (:data:`BUSY_STAGES`) show their text with a busy bar instead."""
        if stage in BUSY_STAGES:
            self._show_busy(BUSY_STAGES[stage])
            return
        if stage not in self.bars:
            return
        self._show_busy(None)
        for name in STAGES[: STAGES.index(stage)]:
            self.bars[name].setValue(100)
        self.bars[stage].setValue(int(round(100 * max(0.0, min(1.0, fraction)))))


def _sync_in_background(settings: QSettings) -> None:
    """Write settings to disk off the GUI thread (the file write ends in an fsync, which can
    take a quarter of a second on a busy disk). QSettings objects on one file share their data,
    so a second object in a short-lived thread writes what the first one holds."""
    name, fmt = settings.fileName(), settings.format()

    def sync() -> None:
        QSettings(name, fmt).sync()

    threading.Thread(target=sync, name="settings-sync", daemon=True).start()


class RecentFiles:
    """The File > Open Recent menu, persisted in QSettings under ``recent``."""

    def __init__(self, menu: QMenu, settings: QSettings, open_file: Callable[[str], None]):
        self.menu, self.settings, self.open_file = menu, settings, open_file
        self.refresh()

    def paths(self) -> list[str]:
        """Most recent first."""
        value = self.settings.value("recent", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in (value or [])]

    def add(self, path: str | Path) -> None:
        """Put ``path`` on top of the list."""
        path = str(Path(path).resolve())
        items = [path] + [p for p in self.paths() if p != path]
        self.settings.setValue("recent", items[:MAX_RECENT])
        _sync_in_background(self.settings)
        self.refresh()

    def refresh(self) -> None:
        """Rebuild the menu from the settings."""
        self.menu.clear()
        items = self.paths()
        for i, path in enumerate(items):
            action = self.menu.addAction(f"&{i + 1} {Path(path).name}")
            action.setToolTip(path)
            action.triggered.connect(lambda _=False, p=path: self.open_file(p))
        if items:
            self.menu.addSeparator()
            self.menu.addAction("Clear list", self.clear)
        self.menu.setEnabled(bool(items))

    def clear(self) -> None:
        """Forget all recent files."""
        self.settings.setValue("recent", [])
        self.refresh()


def message_box(parent) -> Callable[[str, str, str], None]:
    """A notifier that shows a window-modal QMessageBox: the window waits for it to be read
    (no song can be opened behind it), while the event loop, playback and analyses go on
    (``open()``, not ``exec()``). A new message replaces one still open."""
    shown: list[QMessageBox] = []

    def show(kind: str, title: str, text: str) -> None:
        while shown:
            shown.pop().close()
        icon = {"error": QMessageBox.Icon.Warning, "info": QMessageBox.Icon.Information}
        box = QMessageBox(icon.get(kind, QMessageBox.Icon.NoIcon), title, text, parent=parent)
        first, _, rest = text.partition("\n\n")
        if rest:  # tracebacks and check reports go behind "Show Details..."
            box.setText(first)
            box.setDetailedText(rest)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _result: shown.remove(box) if box in shown else None)
        shown.append(box)
        box.open()

    return show
