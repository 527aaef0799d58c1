"""The Keras callbacks of a run: the learning-rate schedule and the end-of-epoch checkpoint.

Their state is explicit: the plateau schedule starts from the counters recorded in
:class:`~chordview.training.run.RunState`, and the checkpoint updates that state and writes the
run's files (:meth:`~chordview.training.run.RunFolder.commit_epoch`) after every epoch, so an
interrupted run continues exactly as an uninterrupted one would. Importing this module imports
Keras.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from chordview.quiet import import_keras
from chordview.training.config import TrainConfig
from chordview.training.model import saved_bytes
from chordview.training.run import EpochLog, RunFolder, RunState
from chordview.training.schedule import CosineRate

keras = import_keras()  # quietly: TensorFlow's start-up logs stay off the terminal


class PlateauRate(keras.callbacks.ReduceLROnPlateau):
    """Halves the rate after 2 epochs without progress of ``monitor``, down to ``1e-5``.

    Parameters
    ----------
    monitor : str
        The loss the checkpoint ranks epochs by (``val_loss``, or ``loss`` without validation).
    saved : dict, optional
        Counters of :meth:`counters` recorded after the last epoch: a resumed run starts from
        them.
    """

    def __init__(self, *, monitor: str, saved: dict | None = None):
        super().__init__(monitor=monitor, factor=0.5, patience=2, min_lr=1e-5)
        self.saved = saved

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        if self.saved:
            self.best, self.wait = self.saved["best"], self.saved["wait"]
            self.cooldown_counter = self.saved["cooldown_counter"]

    def counters(self) -> dict:
        """The counters for the next epoch (JSON-ready)."""
        return {
            "best": None if self.best is None else float(self.best),
            "wait": self.wait,
            "cooldown_counter": self.cooldown_counter,
        }


def rate_callback(
    config: TrainConfig, *, state: RunState, validated: bool
) -> keras.callbacks.Callback:
    """The learning-rate schedule of ``config``, continuing from ``state``."""
    if config.lr_schedule == "plateau":
        return PlateauRate(monitor="val_loss" if validated else "loss", saved=state.plateau)
    # a function of the epoch alone, so a resumed run continues exactly
    return keras.callbacks.LearningRateScheduler(
        CosineRate(epochs=config.epochs, base=config.learning_rate)
    )


class EpochCheckpoint(keras.callbacks.Callback):
    """After every epoch: updates the run's state and writes its files.

    The best epoch is the one with the lowest ``val_loss`` (``loss`` without validation data).
    Runs after the rate callback, so the plateau counters it records are those for the next epoch.

    Parameters
    ----------
    folder : RunFolder
        Where the files go.
    state : RunState
        The state to continue from; updated in place after every epoch.
    epochs : int
        Length of the run (for the log line).
    plateau : PlateauRate, optional
        The plateau schedule whose counters are recorded.
    log : callable
        Receives one line per epoch.
    """

    def __init__(
        self,
        *,
        folder: RunFolder,
        state: RunState,
        epochs: int,
        plateau: PlateauRate | None,
        log: Callable[[str], None],
    ):
        super().__init__()
        self.folder, self.state, self.epochs, self.plateau, self.log = (
            folder,
            state,
            epochs,
            plateau,
            log,
        )
        self.rows = EpochLog(folder.log_text())
        self.started = 0.0

    def on_epoch_begin(self, epoch, logs=None):
        self.started = time.time()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        state = self.state
        score = logs.get("val_loss", logs.get("loss"))
        best = None
        if state.best_val_loss is None or score < state.best_val_loss:
            state.best_val_loss, state.best_epoch = float(score), epoch + 1
            best = saved_bytes(self.model.save_weights, "best.weights.h5")
        state.epoch = epoch + 1
        if self.plateau is not None:
            state.plateau = self.plateau.counters()
        state.learning_rate = float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate))
        state.seconds += time.time() - self.started
        self.folder.commit_epoch(
            state=state,
            last_model=saved_bytes(self.model.save, "last.keras"),
            log=self.rows.add(epoch, logs),
            best_weights=best,
        )
        shown = " ".join(f"{k}={v:.4f}" for k, v in logs.items() if "loss" in k or "acc" in k)
        self.log(f"epoch {epoch + 1}/{self.epochs} {shown} ({time.time() - self.started:.0f} s)")
