"""The main window: menus, the timeline, the status bar, and their wiring to the controller.

The app state (model, song, session, time, loop, analysis runs) lives in
:class:`~chordview.gui.controller.AppController`; the window builds menus and views, connects them
to it, and forwards a few calls (:meth:`MainWindow.open_file`, :meth:`MainWindow.seek`, ...) so
scripts and tests can drive it. The :class:`Timeline` draws the session; the
:class:`~chordview.gui.player.Player` (the controller's) owns the audio clock, and one signal,
:attr:`AppController.timeChanged`, carries the cursor time to every view.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QLabel, QMainWindow, QVBoxLayout, QWidget

from chordview.audio import AUDIO_EXTENSIONS
from chordview.errors import ChordviewError

from .controller import AppController
from .help import HelpMenu
from .models import ModelMenu
from .nowplaying import NowPlaying
from .overview import Overview
from .start import StartPages, StartPanel
from .transport import TransportBar
from .views import Timeline
from .widgets import ProgressPanel, RecentFiles, message_box

#: Where View > Chord diagrams is remembered in the settings.
DIAGRAMS_KEY = "view/diagrams"
AUDIO_FILTER = "Audio (" + " ".join(f"*{e}" for e in AUDIO_EXTENSIONS) + ");;All files (*)"
#: View > Zoom in / out: Ctrl with + (or =, on keyboards where + needs Shift) or -, and the keypad.
ZOOM_IN_KEYS = ("Ctrl++", "Ctrl+=", "Ctrl+Shift+=", "Num++", "Ctrl+Num++")
ZOOM_OUT_KEYS = ("Ctrl+-", "Num+-", "Ctrl+Num+-")


class MainWindow(QMainWindow):
    """The chordview window.

    Parameters
    ----------
    model, device
        The controller's first model and the device analyses ask for (see
        :class:`~chordview.gui.controller.AppController`).
    settings : QSettings, optional
        Where recent files and the fast-analysis choice are kept (tests pass a temporary INI file).
    notify : callable, optional
        ``notify(kind, title, text)`` for errors and notices; default: window-modal message
        boxes (:func:`~chordview.gui.widgets.message_box`).

    Attributes
    ----------
    controller : AppController
        The app state; ``session``, ``path``, ``time``, ``loop``, ``model``, ``fast``, ``runner``
        and ``player`` here read it, and ``sessionReady``, ``analysisFailed``,
        ``analysisCancelled`` and ``timeChanged`` are its signals.
    """

    def __init__(
        self,
        *,
        model="unet",
        device: str = "auto",
        settings: QSettings | None = None,
        notify: Callable[[str, str, str], None] | None = None,
    ):
        super().__init__()
        self.setWindowTitle("chordview")
        self.resize(1400, 950)
        self.setAcceptDrops(True)
        self.settings = settings if settings is not None else QSettings("chordview", "chordview")
        self.notify = notify or message_box(self)
        self.controller = AppController(
            model=model, device=device, settings=self.settings, parent=self
        )

        self.timeline = Timeline(self)
        self.hover = QLabel(" ", self)
        self.hover.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hover.setStyleSheet(
            "font-family: monospace; padding: 2px 6px; background: #1d1e23; color: #c8c8cc;"
        )
        central = QWidget(self)
        box = QVBoxLayout(central)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        self.nowplaying = NowPlaying(self.controller, self)
        self.nowplaying.currentChanged.connect(self.timeline.chords.set_current)
        box.addWidget(self.nowplaying)
        box.addWidget(self.hover)
        self.overview = Overview(self.controller, self)
        self.overview.link(self.timeline)
        self.start = StartPanel(lambda: self.recent.paths(), self)
        self.start.openRequested.connect(self.open_file)
        self.pages = StartPages(self.controller, self.start, self.overview, self.timeline)
        box.addWidget(self.pages, 1)
        self.setCentralWidget(central)
        self.transport = TransportBar(self.controller, central)
        box.insertWidget(0, self.transport)

        self.progress = ProgressPanel(self)
        self.statusBar().addPermanentWidget(self.progress)
        # The status bar keeps the height it has with the progress panel shown: a bar that grew
        # when an analysis starts would re-lay out and repaint every lane in the GUI thread.
        self.statusBar().setFixedHeight(
            max(self.statusBar().sizeHint().height(), self.progress.sizeHint().height() + 4)
        )

        self._build_menus()
        self._connect()
        if not self.player.available:
            self.statusBar().showMessage(self.player.problem)

    def _connect(self) -> None:
        c = self.controller
        c.sessionChanged.connect(self._on_session)
        c.tagRowsChanged.connect(lambda: self.timeline.draw_lane("tag"))
        c.timeChanged.connect(self.timeline.seek)
        c.loopChanged.connect(self.timeline.show_region)
        c.selectionChanged.connect(self.timeline.show_region)
        c.playingChanged.connect(lambda on: self.play_action.setText("Pause" if on else "Play"))
        c.fastChanged.connect(self._on_fast)
        c.notationChanged.connect(self.timeline.set_notation)
        self.timeline.set_notation(c.notation)
        c.analysisStarted.connect(self._on_started)
        c.analysisProgress.connect(self.progress.update_stage)
        c.runningChanged.connect(lambda on: None if on else self.progress.hide())
        c.analysisFailed.connect(lambda text: self.show_message("error", "Analysis failed", text))
        c.analysisCancelled.connect(self._on_cancelled)
        c.notice.connect(self.show_message)
        self.timeline.seekRequested.connect(c.seek)
        self.timeline.regionSelected.connect(
            lambda start, end, finished: c.select_region(start, end, finished=finished)
        )
        self.timeline.hovered.connect(self._on_hover)
        self.progress.cancelRequested.connect(self.cancel_analysis)

    # -- the controller's state and signals, for scripts and tests ------------------------------
    session = property(lambda self: self.controller.session, doc="The current session.")
    path = property(lambda self: self.controller.path, doc="The current song's path.")
    time = property(lambda self: self.controller.time, doc="Cursor time in seconds.")
    loop = property(lambda self: self.controller.loop, doc="Loop region in seconds, or None.")
    fast = property(lambda self: self.controller.fast, doc="Whether analyses run one pass.")
    runner = property(lambda self: self.controller.runner, doc="The running analysis.")
    player = property(lambda self: self.controller.player, doc="Playback (the audio clock).")
    sessionReady = property(lambda self: self.controller.sessionChanged)
    analysisFailed = property(lambda self: self.controller.analysisFailed)
    analysisCancelled = property(lambda self: self.controller.analysisCancelled)
    timeChanged = property(lambda self: self.controller.timeChanged)

    @property
    def model(self):
        """Model used for analyses (setting it does not re-analyse)."""
        return self.controller.model

    @model.setter
    def model(self, model) -> None:
        self.controller.model = model

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
        c = self.controller
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
        self.models = ModelMenu(c, model_menu, parent=self)
        self.models.message.connect(self.show_message)
        self.models.status.connect(self.statusBar().showMessage)
        model_menu.addSeparator()
        self.fast_action = self._action(
            model_menu, "&Fast analysis (one pass)", c.set_fast, checkable=True
        )
        self.fast_action.setToolTip(
            "Run the network once instead of averaging it over the "
            "model's pitch shifts: about 3x faster, a little less accurate"
        )
        self.fast_action.setChecked(c.fast)

        play = bar.addMenu("&Playback")
        self.play_action = self._action(play, "Play / Pause", c.toggle_play, "Space")
        self._action(play, "Go to start", lambda: c.seek(0.0), "Home")
        self._action(play, "Go to end", c.seek_end, "End")
        self._action(play, "Next chord", lambda: c.step_chord(+1), "Right")
        self._action(play, "Previous chord", lambda: c.step_chord(-1), "Left")
        self._action(play, "Clear loop", lambda: c.set_loop(None), "Escape")
        self.play_action.setEnabled(self.player.available)

        view = bar.addMenu("&View")
        self.follow_action = self._action(
            view, "&Follow playhead", self._set_follow, "F", checkable=True
        )
        self.follow_action.setChecked(True)
        self.all_tags_action = self._action(
            view,
            "Chord tag: all 170 &classes",
            lambda on: c.set_tag_compact(not on),
            "T",
            checkable=True,
        )
        self.harte_action = self._action(
            view,
            "&Harte chord labels",
            lambda on: c.set_notation("harte" if on else "musician"),
            "H",
            checkable=True,
        )
        self.harte_action.setChecked(c.notation == "harte")
        self.diagrams_action = self._action(
            view, "Chord &diagrams", self._set_diagrams, checkable=True
        )
        self.diagrams_action.setChecked(self.settings.value(DIAGRAMS_KEY, True, type=bool))
        self.nowplaying.set_diagrams_visible(self.diagrams_action.isChecked())
        zoom_in = self._action(view, "Zoom &in", lambda: self.timeline.zoom(0.5), "Ctrl+=")
        zoom_out = self._action(view, "Zoom &out", lambda: self.timeline.zoom(2.0), "Ctrl+-")
        zoom_in.setShortcuts([QKeySequence(k) for k in ZOOM_IN_KEYS])
        zoom_out.setShortcuts([QKeySequence(k) for k in ZOOM_OUT_KEYS])
        self._action(view, "Show &all", self.timeline.show_all, "Ctrl+0")
        self.help = HelpMenu(self, bar.addMenu("&Help"))

    def _set_follow(self, on: bool) -> None:
        self.timeline.follow = bool(on)

    def _set_diagrams(self, on: bool) -> None:
        self.settings.setValue(DIAGRAMS_KEY, bool(on))
        self.nowplaying.set_diagrams_visible(on)

    # -- messages ------------------------------------------------------------------------------
    def show_message(self, kind: str, title: str, text: str) -> None:
        """Status-bar line plus the notifier (a non-modal box by default)."""
        self.last_message = (kind, title, text)
        self.statusBar().showMessage(f"{title}: {text.splitlines()[0]}", 15000)
        self.notify(kind, title, text)

    def _on_fast(self, on: bool) -> None:
        self.fast_action.setChecked(on)

    def set_fast(self, on: bool) -> None:
        """Model > Fast analysis: remember the choice and re-analyse the current song with it."""
        self.controller.set_fast(on)

    # -- opening and analysing -----------------------------------------------------------------
    def open_dialog(self) -> None:
        """File > Open…"""
        path, _ = QFileDialog.getOpenFileName(self, "Open audio", "", AUDIO_FILTER)
        if path:
            self.open_file(path)

    def open_file(self, path: str | Path) -> None:
        """Analyse ``path`` in a worker thread; the current song stays until the new one is ready
        (it joins Open Recent then, not before: a file that fails or is cancelled never does)."""
        self.controller.open_file(path)

    def start_analysis(self) -> None:
        """(Re-)analyse the current file with the current model."""
        self.controller.start_analysis()

    def cancel_analysis(self) -> None:
        """Ask the running analysis to stop (it reports ``cancelled`` at its next checkpoint)."""
        if self.controller.runner is not None:
            self.progress.cancel.setEnabled(False)
        self.controller.cancel_analysis()

    def _on_started(self, path: Path) -> None:
        self.progress.start()
        self.statusBar().showMessage(f"analysing {path.name}…")

    def _on_session(self, session) -> None:
        c = self.controller
        self.hover.setText(" ")  # nothing of the previous song stays on show
        self.timeline.set_session(session)
        self.recent.add(c.path)
        self.setWindowTitle(f"{c.path.name} — chordview")
        self.export_menu.setEnabled(True)
        a = session.analysis
        self.statusBar().showMessage(
            f"{c.path.name}: {len(a.segments)} chords, {a.duration:.1f} s, "
            f"{self.progress.summary(sum(a.timings.values()))}"
            + ("" if self.player.available else f"  —  {self.player.problem}")
        )

    def _on_cancelled(self) -> None:
        if self.controller.runner is None:
            self.statusBar().showMessage("analysis cancelled", 5000)

    # -- time ----------------------------------------------------------------------------------
    def seek(self, t: float) -> None:
        """Move the cursor (and the player) to ``t`` seconds."""
        self.controller.seek(t)

    def step_chord(self, step: int) -> None:
        """Jump to the next (+1) or previous (-1) chord start."""
        self.controller.step_chord(step)

    def toggle_play(self) -> None:
        """Play / pause (Space)."""
        self.controller.toggle_play()

    def set_loop(self, region: tuple[float, float] | None) -> None:
        """Loop ``(start, end)`` seconds during playback; None clears it."""
        self.controller.set_loop(region)

    def _on_hover(self, t: float, lane: str, row: int) -> None:
        if self.session is not None:
            row = row if row >= 0 else None
            notation = self.controller.notation
            self.hover.setText(self.session.describe(t, lane=lane, row=row, notation=notation))

    # -- export --------------------------------------------------------------------------------
    def export_dialog(self, fmt: str) -> None:
        """File > Export: ask for a file name, then :meth:`export_to`."""
        if self.session is None:
            return
        base = self.path.with_suffix(f".{fmt}") if self.path else Path(f"chords.{fmt}")
        path, _ = QFileDialog.getSaveFileName(
            self, f"Export {fmt.upper()}", str(base), f"{fmt.upper()} (*.{fmt})"
        )
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
        self.controller.shutdown()
        self.models.shutdown()
        super().closeEvent(event)
