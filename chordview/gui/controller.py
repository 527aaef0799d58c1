"""The app state apart from any widget: model, song, session, time, loop and analysis runs.

:class:`AppController` is a ``QObject`` with signals (napari's ``ViewerModel``, friture's
view-models): the main window builds menus and views and connects them to it; views draw what its
signals hand them and never change the state themselves. One signal, :attr:`timeChanged`,
carries the cursor time to every view; the time comes from the :class:`~chordview.gui.player.Player`,
whose clock is the audio callback's, so a seek goes to the player first and comes back through it.

A song becomes current only when its analysis is ready: while it runs, and after it failed or
was cancelled, :attr:`path`, :attr:`session` and the window title stay the previous song's.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Signal

from .player import Player
from .worker import AnalysisJob, Runner

#: Where the fast-analysis choice is kept in the settings.
FAST_KEY = "analysis/fast"
#: Where the chord-name notation is kept: ``musician`` (Bb/D, F#m7) or ``harte`` (A#:maj/3).
NOTATION_KEY = "view/notation"
NOTATIONS = ("musician", "harte")


class AppController(QObject):
    """The state of one chordview window, and the analyses that change it.

    Parameters
    ----------
    model : str or Path
        Bundled model name or a bundle / ``.keras`` path used for analyses.
    device : {'auto', 'cpu', 'gpu'}
    settings : QSettings
        Where the fast-analysis choice is remembered.
    parent : QObject, optional

    Attributes
    ----------
    path : Path or None
        The current song (the one :attr:`session` holds), None before the first.
    session : Session or None
        The current song's analysis, as the views draw it.
    time : float
        Cursor time in seconds (the player's position).
    loop : tuple of float or None
        Loop region ``(start, end)`` in seconds.
    runner : Runner or None
        The running analysis; finished, cancelled and replaced runs wait in ``stale`` until
        their threads end.
    player : Player
        Playback; its audio clock drives :attr:`time`.

    Signals
    -------
    modelChanged(object)
        The model used for analyses (a name or path).
    fastChanged(bool)
        Fast analysis (one network pass) switched on or off.
    notationChanged(str)
        Chord names are now written in this notation (``'musician'`` or ``'harte'``).
    sessionChanged(object)
        A new song's :class:`~chordview.gui.session.Session` is current (:attr:`path` is its song).
    tagRowsChanged()
        The session's chord-tag rows were chosen again (compact or all classes).
    timeChanged(float)
        Cursor time in seconds: every view and the cursor follow this one signal.
    loopChanged(object)
        The loop region ``(start, end)`` in seconds, or None.
    selectionChanged(object)
        A loop region being dragged, clipped to the song (the loop itself is unchanged).
    playingChanged(bool)
        Playback started or stopped.
    analysisStarted(object)
        An analysis of this path started.
    analysisProgress(str, float)
        Stage name and fraction done of the running analysis.
    analysisFailed(str)
        The running analysis failed with this message; the previous song stays.
    analysisCancelled()
        An analysis stopped before its end (cancelled, or replaced by a newer one).
    runningChanged(bool)
        Whether an analysis is running (the progress panel shows while it is).
    notice(str, str, str)
        ``(kind, title, text)`` for the user: a refused file, a playback problem.
    """

    modelChanged = Signal(object)
    fastChanged = Signal(bool)
    notationChanged = Signal(str)
    sessionChanged = Signal(object)
    tagRowsChanged = Signal()
    timeChanged = Signal(float)
    loopChanged = Signal(object)
    selectionChanged = Signal(object)
    playingChanged = Signal(bool)
    analysisStarted = Signal(object)
    analysisProgress = Signal(str, float)
    analysisFailed = Signal(str)
    analysisCancelled = Signal()
    runningChanged = Signal(bool)
    notice = Signal(str, str, str)

    def __init__(
        self,
        *,
        model="unet",
        device: str = "auto",
        settings: QSettings,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self._model, self.device, self.settings = model, device, settings
        self.fast = bool(settings.value(FAST_KEY, False, type=bool))
        notation = str(settings.value(NOTATION_KEY, "musician"))
        self.notation = notation if notation in NOTATIONS else "musician"
        self.path: Path | None = None
        self.session = None
        self.time = 0.0
        self.loop: tuple[float, float] | None = None
        #: chord-tag lane: only the classes active in the song (True) or all of them
        self.tag_compact = True
        self.runner: Runner | None = None
        self.stale: list[Runner] = []
        self._running = False
        self.player = Player(self)
        self.player.positionChanged.connect(self._set_time)
        self.player.playingChanged.connect(self.playingChanged)
        self.player.error.connect(lambda text: self.notice.emit("error", "Playback", text))

    # -- model ---------------------------------------------------------------------------------
    @property
    def model(self):
        """Model used for the next analysis (setting it emits ``modelChanged``, no analysis)."""
        return self._model

    @model.setter
    def model(self, model) -> None:
        self._model = model
        self.modelChanged.emit(model)

    def select_model(self, model) -> None:
        """Use ``model`` (trusted: bundled or already checked) and re-analyse the song."""
        self.model = model
        self.start_analysis()

    def set_fast(self, on: bool) -> None:
        """Fast analysis on or off: remember the choice and re-analyse the song with it."""
        if bool(on) == self.fast:
            return
        self.fast = bool(on)
        self.settings.setValue(FAST_KEY, self.fast)
        self.fastChanged.emit(self.fast)
        self.start_analysis()

    def set_notation(self, notation: str) -> None:
        """Write chord names in ``notation`` (``'musician'`` or ``'harte'``); remembered."""
        if notation not in NOTATIONS:
            raise ValueError(f"unknown notation {notation!r}; use {' or '.join(NOTATIONS)}")
        if notation == self.notation:
            return
        self.notation = notation
        self.settings.setValue(NOTATION_KEY, notation)
        self.notationChanged.emit(notation)

    @property
    def device_in_use(self) -> str:
        """The device the current session ran on (the requested one before any analysis)."""
        return self.session.analysis.model.get("device", "?") if self.session else self.device

    # -- songs and analyses --------------------------------------------------------------------
    @property
    def pending(self) -> Path | None:
        """The song being analysed (not yet current), or None."""
        return self.runner.job.path if self.runner is not None else None

    def open_file(self, path: str | Path) -> bool:
        """Analyse ``path`` in a worker thread; the current song stays until the new one is ready.

        Returns
        -------
        bool
            Whether the analysis started (False, with a ``notice``, when there is no such file).
        """
        path = Path(path)
        if not path.is_file():
            self.notice.emit("error", "Open", f"{path}: no such file")
            return False
        self._analyse(path)
        return True

    def start_analysis(self) -> None:
        """(Re-)analyse the song being opened, else the current one, with the current model."""
        path = self.pending or self.path
        if path is not None:
            self._analyse(path)

    def _analyse(self, path: Path) -> None:
        self.cancel_analysis()
        job = AnalysisJob(path, model=self.model, device=self.device, fast=self.fast)
        runner = Runner(job, self)
        job.progress.connect(self.analysisProgress)
        job.finished.connect(self._on_session)
        job.failed.connect(self._on_failed)
        job.cancelled.connect(self._on_cancelled)
        runner.done.connect(lambda r=runner: self._forget(r))
        self.runner = runner
        self._set_running(True)
        self.analysisStarted.emit(path)
        runner.start()

    def cancel_analysis(self) -> None:
        """Ask the running analysis to stop (it reports ``cancelled`` at its next checkpoint)."""
        if self.runner is not None:
            job = self.runner.job
            job.cancel()
            job.finished.disconnect(self._on_session)
            job.failed.disconnect(self._on_failed)
            self._retire()

    def _retire(self) -> None:
        """The running job is done with (cancelled or delivered): wait for its thread apart."""
        if self.runner is not None:
            self.stale.append(self.runner)
            self.runner = None

    def _set_running(self, on: bool) -> None:
        if on != self._running:
            self._running = on
            self.runningChanged.emit(on)

    def _forget(self, runner: Runner) -> None:
        if runner in self.stale:
            self.stale.remove(runner)
        if runner is self.runner:
            self.runner = None
        if self.runner is None:
            self._set_running(False)

    def _is_current(self) -> bool:
        """Whether the signal being handled comes from the running job (a cancelled job's
        results are disconnected, and any already queued are dropped here)."""
        sender = self.sender()
        return self.runner is not None and (sender is None or sender is self.runner.job)

    def _on_session(self, session) -> None:
        if not self._is_current():
            return
        if session.tag_compact != self.tag_compact:
            session.set_tag_rows(compact=self.tag_compact)
        self.path = self.runner.job.path
        self._retire()
        self.session = session
        self.player.set_audio(session.y, session.sr)
        had_loop, self.loop = self.loop is not None, None
        self._set_running(False)
        self.sessionChanged.emit(session)
        if had_loop:
            self.loopChanged.emit(None)
        self._set_time(0.0)

    def _on_failed(self, text: str) -> None:
        if not self._is_current():
            return
        self._retire()
        self._set_running(False)
        self.analysisFailed.emit(text)

    def _on_cancelled(self) -> None:
        if self.runner is None:
            self._set_running(False)
        self.analysisCancelled.emit()

    def shutdown(self) -> None:
        """Stop playback and analyses, and wait for the worker threads (at close)."""
        self.player.stop()
        self.cancel_analysis()
        for runner in list(self.stale):
            runner.wait(10000)

    # -- views' choices ------------------------------------------------------------------------
    def set_tag_compact(self, compact: bool) -> None:
        """Chord-tag lane: only the classes active in this song, or all 170."""
        self.tag_compact = bool(compact)
        if self.session is not None and self.session.tag_compact != self.tag_compact:
            self.session.set_tag_rows(compact=self.tag_compact)
            self.tagRowsChanged.emit()

    # -- time ----------------------------------------------------------------------------------
    def _set_time(self, t: float) -> None:
        self.time = float(t)
        self.timeChanged.emit(self.time)

    def seek(self, t: float) -> None:
        """Move the cursor (and the player) to ``t`` seconds, within the song."""
        if self.session is None:
            return
        t = min(max(0.0, float(t)), self.session.duration)
        self.player.seek(t)  # emits positionChanged -> _set_time -> timeChanged -> every view

    def seek_end(self) -> None:
        """Move the cursor to the end of the song."""
        if self.session is not None:
            self.seek(self.session.duration)

    def step_chord(self, step: int) -> None:
        """Jump to the next (+1) or previous (-1) chord start."""
        if self.session is not None:
            self.seek(self.session.next_boundary(self.time, step=step))

    def toggle_play(self) -> None:
        """Play / pause."""
        if self.session is not None:
            self.player.toggle()

    def set_loop(self, region: tuple[float, float] | None) -> None:
        """Loop ``(start, end)`` seconds during playback; None clears it."""
        self.loop = region
        self.player.set_loop(*(region or (None, None)))
        self.loopChanged.emit(region)

    def select_region(self, start: float, end: float, *, finished: bool) -> None:
        """A dragged region: shown while dragging; at its end the loop (and the cursor at its
        start), or no loop when it is shorter than 50 ms."""
        if self.session is None:
            return
        start, end = max(0.0, start), min(end, self.session.duration)
        self.selectionChanged.emit((start, end))
        if finished:
            if end - start < 0.05:
                self.set_loop(None)
            else:
                self.set_loop((start, end))
                self.seek(start)
