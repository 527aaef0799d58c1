"""The main window: menus, the timeline, the status bar, and the wiring between them.

State lives in :class:`~chordview.gui.session.Session`; the :class:`Timeline` draws it; the
:class:`Player` owns the audio clock. One signal, :attr:`MainWindow.timeChanged`, carries the
cursor time to every view; user seeks go to the player first, then through that signal.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QLabel, QMainWindow, QVBoxLayout, QWidget

from chordview.audio import AUDIO_EXTENSIONS
from chordview.errors import ChordviewError

from .models import ModelMenu
from .player import Player
from .views import Timeline
from .widgets import ProgressPanel, RecentFiles, message_box
from .worker import AnalysisJob, Runner

AUDIO_FILTER = "Audio (" + " ".join(f"*{e}" for e in AUDIO_EXTENSIONS) + ");;All files (*)"


class MainWindow(QMainWindow):
    """The chordview window.

    Parameters
    ----------
    model : str or Path
        Bundled model name or a bundle / ``.keras`` path used for analyses.
    device : {'auto', 'cpu', 'gpu'}
    settings : QSettings, optional
        Where recent files are kept (tests pass a temporary INI file).
    notify : callable, optional
        ``notify(kind, title, text)`` for errors and notices; default: non-modal message boxes.
    """

    timeChanged = Signal(float)
    sessionReady = Signal(object)
    analysisFailed = Signal(str)
    analysisCancelled = Signal()

    def __init__(self, *, model="unet", device: str = "auto", settings: QSettings | None = None,
                 notify: Callable[[str, str, str], None] | None = None):  # fmt: skip
        super().__init__()
        self.setWindowTitle("chordview")
        self.resize(1400, 950)
        self.setAcceptDrops(True)
        self.model, self.device = model, device
        self.settings = settings if settings is not None else QSettings("chordview", "chordview")
        #: one network pass instead of averaging over the bundle's pitch shifts (about 3x faster)
        self.fast = bool(self.settings.value("analysis/fast", False, type=bool))
        self.notify = notify or message_box(self)
        self.session = None
        self.path: Path | None = None
        self.runner: Runner | None = None
        self._stale: list[Runner] = []
        self.time = 0.0
        self.loop: tuple[float, float] | None = None

        self.timeline = Timeline(self)
        self.hover = QLabel(" ", self)
        self.hover.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hover.setStyleSheet("font-family: monospace; padding: 2px 6px;")
        central = QWidget(self)
        box = QVBoxLayout(central)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addWidget(self.hover)
        box.addWidget(self.timeline, 1)
        self.setCentralWidget(central)

        self.progress = ProgressPanel(self)
        self.model_label = QLabel(self)
        self.statusBar().addPermanentWidget(self.progress)
        self.statusBar().addPermanentWidget(self.model_label)
        # The status bar keeps the height it has with the progress panel shown: a bar that grew
        # when an analysis starts would re-lay out and repaint every lane in the GUI thread.
        self.statusBar().setFixedHeight(
            max(self.statusBar().sizeHint().height(), self.progress.sizeHint().height() + 4)
        )

        self.player = Player(self)
        self.player.positionChanged.connect(self._set_time)
        self.player.playingChanged.connect(self._on_playing)
        self.player.error.connect(lambda text: self.show_message("error", "Playback", text))
        self.timeChanged.connect(self.timeline.seek)
        self.timeline.seekRequested.connect(self.seek)
        self.timeline.regionSelected.connect(self._on_region)
        self.timeline.hovered.connect(self._on_hover)
        self.progress.cancelRequested.connect(self.cancel_analysis)

        self._build_menus()
        self._update_model_label()
        if not self.player.available:
            self.statusBar().showMessage(self.player.problem)

    # -- menus ---------------------------------------------------------------------------------
    def _action(self, menu, text, slot, shortcut=None, *, checkable=False) -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.setCheckable(checkable)
        action.triggered.connect(slot)
        menu.addAction(action)
        self.addAction(action)  # shortcuts work with the menu bar hidden too
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu("&File")
        self._action(file, "&Open…", self.open_dialog, QKeySequence.StandardKey.Open)
        self.recent = RecentFiles(file.addMenu("Open &Recent"), self.settings, self.open_file)
        export = file.addMenu("&Export")
        self.export_actions = [
            self._action(export, "Chords as &JAMS…", lambda: self.export_dialog("jams")),
            self._action(export, "Chords as &LAB…", lambda: self.export_dialog("lab")),
            self._action(export, "View as &PNG…", lambda: self.export_dialog("png")),
        ]
        export.setEnabled(False)
        self.export_menu = export
        file.addSeparator()
        self._action(file, "&Quit", self.close, QKeySequence.StandardKey.Quit)

        model_menu = bar.addMenu("&Model")
        self.models = ModelMenu(self, model_menu)
        model_menu.addSeparator()
        self.fast_action = self._action(model_menu, "&Fast analysis (one pass)", self.set_fast,
                                        checkable=True)  # fmt: skip
        self.fast_action.setToolTip("Run the network once instead of averaging it over the "
                                    "model's pitch shifts: about 3x faster, a little less accurate")  # fmt: skip
        self.fast_action.setChecked(self.fast)

        play = bar.addMenu("&Playback")
        self.play_action = self._action(play, "Play / Pause", self.toggle_play, "Space")
        self._action(play, "Go to start", lambda: self.seek(0.0), "Home")
        self._action(play, "Go to end", self._seek_end, "End")
        self._action(play, "Next chord", lambda: self.step_chord(+1), "Right")
        self._action(play, "Previous chord", lambda: self.step_chord(-1), "Left")
        self._action(play, "Clear loop", lambda: self.set_loop(None), "Escape")
        self.play_action.setEnabled(self.player.available)

        view = bar.addMenu("&View")
        self.follow_action = self._action(view, "&Follow playhead", self._set_follow, "F",
                                          checkable=True)  # fmt: skip
        self.follow_action.setChecked(True)
        self.all_tags_action = self._action(view, "Chord tag: all 170 &classes",
                                            self.timeline.set_tag_compact_off, "T",
                                            checkable=True)  # fmt: skip
        self._action(view, "Zoom &in", lambda: self.timeline.zoom(0.5), "Ctrl+=")
        self._action(view, "Zoom &out", lambda: self.timeline.zoom(2.0), "Ctrl+-")
        self._action(view, "Show &all", self.timeline.show_all, "Ctrl+0")

    def _set_follow(self, on: bool) -> None:
        self.timeline.follow = bool(on)

    # -- messages ------------------------------------------------------------------------------
    def show_message(self, kind: str, title: str, text: str) -> None:
        """Status-bar line plus the notifier (a non-modal box by default)."""
        self.last_message = (kind, title, text)
        self.statusBar().showMessage(f"{title}: {text.splitlines()[0]}", 15000)
        self.notify(kind, title, text)

    def _update_model_label(self) -> None:
        name = Path(str(self.model)).name + (" (fast)" if self.fast else "")
        device = self.session.analysis.model.get("device", "?") if self.session else self.device
        self.model_label.setText(f"model: {name}  |  device: {device}")

    def set_fast(self, on: bool) -> None:
        """Model > Fast analysis: remember the choice and re-analyse the current song with it."""
        if bool(on) == self.fast:
            return
        self.fast = bool(on)
        self.settings.setValue("analysis/fast", self.fast)
        self.fast_action.setChecked(self.fast)
        self._update_model_label()
        self.start_analysis()

    # -- opening and analysing -----------------------------------------------------------------
    def open_dialog(self) -> None:
        """File > Open…"""
        path, _ = QFileDialog.getOpenFileName(self, "Open audio", "", AUDIO_FILTER)
        if path:
            self.open_file(path)

    def open_file(self, path: str | Path) -> None:
        """Analyse ``path`` in a worker thread; the current song stays until the new one is ready."""
        path = Path(path)
        if not path.is_file():
            self.show_message("error", "Open", f"{path}: no such file")
            return
        self.path = path
        self.recent.add(path)
        self.setWindowTitle(f"{path.name} — chordview")
        self.start_analysis()

    def start_analysis(self) -> None:
        """(Re-)analyse the current file with the current model."""
        if self.path is None:
            return
        self.cancel_analysis()
        job = AnalysisJob(self.path, model=self.model, device=self.device, fast=self.fast)
        runner = Runner(job, self)
        job.progress.connect(self.progress.update_stage)
        job.finished.connect(self._on_session)
        job.failed.connect(self._on_failed)
        job.cancelled.connect(self._on_cancelled)
        runner.done.connect(lambda r=runner: self._forget(r))
        self.runner = runner
        self.progress.start()
        self.statusBar().showMessage(f"analysing {self.path.name}…")
        runner.start()

    def cancel_analysis(self) -> None:
        """Ask the running analysis to stop (it reports ``cancelled`` at its next checkpoint)."""
        if self.runner is not None:
            job = self.runner.job
            job.cancel()
            job.finished.disconnect(self._on_session)
            job.failed.disconnect(self._on_failed)
            self.progress.cancel.setEnabled(False)
            self._stale.append(self.runner)
            self.runner = None

    def _forget(self, runner: Runner) -> None:
        if runner in self._stale:
            self._stale.remove(runner)
        if runner is self.runner:
            self.runner = None
            self.progress.hide()

    def _is_current(self) -> bool:
        # Results of a cancelled job are disconnected; this also drops any already queued.
        return self.runner is not None

    def _on_session(self, session) -> None:
        if not self._is_current():
            return
        self.progress.hide()
        self.session = session
        self.player.set_audio(session.y, session.sr)
        self.timeline.set_session(session)
        self.loop = None
        self.export_menu.setEnabled(True)
        self._update_model_label()
        self._set_time(0.0)
        a = session.analysis
        self.statusBar().showMessage(
            f"{self.path.name}: {len(a.segments)} chords, {a.duration:.1f} s, "
            f"{sum(a.timings.values()):.1f} s to analyse"
            + ("" if self.player.available else f"  —  {self.player.problem}")
        )
        self.sessionReady.emit(session)

    def _on_failed(self, text: str) -> None:
        if not self._is_current():
            return
        self.progress.hide()
        self.show_message("error", "Analysis failed", text)
        self.analysisFailed.emit(text)

    def _on_cancelled(self) -> None:
        self.progress.hide()
        self.statusBar().showMessage("analysis cancelled", 5000)
        self.analysisCancelled.emit()

    # -- time ----------------------------------------------------------------------------------
    def _set_time(self, t: float) -> None:
        self.time = float(t)
        self.timeChanged.emit(self.time)

    def seek(self, t: float) -> None:
        """Move the cursor (and the player) to ``t`` seconds."""
        if self.session is None:
            return
        t = min(max(0.0, float(t)), self.session.duration)
        self.player.seek(t)  # emits positionChanged -> _set_time -> timeChanged -> every view

    def _seek_end(self) -> None:
        if self.session is not None:
            self.seek(self.session.duration)

    def step_chord(self, step: int) -> None:
        """Jump to the next (+1) or previous (-1) chord start."""
        if self.session is not None:
            self.seek(self.session.next_boundary(self.time, step=step))

    def toggle_play(self) -> None:
        """Play / pause (Space)."""
        if self.session is not None:
            self.player.toggle()

    def _on_playing(self, playing: bool) -> None:
        self.play_action.setText("Pause" if playing else "Play")

    def set_loop(self, region: tuple[float, float] | None) -> None:
        """Loop ``(start, end)`` seconds during playback; None clears it."""
        self.loop = region
        self.player.set_loop(*(region or (None, None)))
        self.timeline.show_region(region)

    def _on_region(self, start: float, end: float, finished: bool) -> None:
        if self.session is None:
            return
        start, end = max(0.0, start), min(end, self.session.duration)
        self.timeline.show_region((start, end))
        if finished:
            if end - start < 0.05:
                self.set_loop(None)
            else:
                self.set_loop((start, end))
                self.seek(start)

    def _on_hover(self, t: float, lane: str, row: int) -> None:
        if self.session is not None:
            self.hover.setText(self.session.describe(t, lane=lane, row=row if row >= 0 else None))

    # -- export --------------------------------------------------------------------------------
    def export_dialog(self, fmt: str) -> None:
        """File > Export: ask for a file name, then :meth:`export_to`."""
        if self.session is None:
            return
        base = self.path.with_suffix(f".{fmt}") if self.path else Path(f"chords.{fmt}")
        path, _ = QFileDialog.getSaveFileName(self, f"Export {fmt.upper()}", str(base),
                                              f"{fmt.upper()} (*.{fmt})")  # fmt: skip
        if path:
            self.export_to(path, fmt)

    def export_to(self, path: str | Path, fmt: str) -> Path | None:
        """Write the chords (``jams``/``lab``, the CLI's writers) or the view (``png``)."""
        path = Path(path)
        try:
            from chordview.export import check_targets

            source = self.session.analysis.path
            check_targets({fmt: path}, overwrite=True, inputs=[source] if source else [])
            if fmt == "png":
                from .render import save_picture

                save_picture(self.timeline.grab(), path, overwrite=True)
            else:
                from chordview.export import write_outputs

                write_outputs(self.session.analysis, {fmt: path}, overwrite=True)
        except ChordviewError as exc:
            self.show_message("error", "Export failed", str(exc))
            return None
        self.statusBar().showMessage(f"wrote {path}", 8000)
        return path

    # -- drag and drop, shutdown ---------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:
        if any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        files = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if files:
            event.acceptProposedAction()
            self.open_file(files[0])

    def closeEvent(self, event) -> None:
        self.player.stop()
        self.cancel_analysis()
        for runner in list(self._stale):
            runner.wait(10000)
        self.models.shutdown()
        super().closeEvent(event)
