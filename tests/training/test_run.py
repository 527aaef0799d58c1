"""The run folder's files: written whole, log rows as Keras' CSVLogger wrote them, state kept."""

from __future__ import annotations

import json

import numpy as np
import pytest

from chordview.training.run import EpochLog, RunFolder, RunState

EPOCHS = [
    {"loss": 10.5, "val_loss": 11.25, "learning_rate": 0.001, "acc": np.float32(0.125)},
    {"loss": 9.0, "val_loss": 10.0, "learning_rate": 0.0005, "acc": np.float32(0.25)},
]


def _csv_logger_text(path, epochs, *, first_epoch=0):
    """What keras.callbacks.CSVLogger(append=True) writes for these epochs' logs."""
    from chordview.quiet import import_keras

    logger = import_keras().callbacks.CSVLogger(str(path), append=True)
    logger.on_train_begin()
    for i, logs in enumerate(epochs):
        logger.on_epoch_end(first_epoch + i, dict(logs))
    logger.on_train_end()
    return path.read_bytes().decode()


def test_epoch_log_writes_what_csv_logger_wrote_also_when_resumed(tmp_path):
    keras_log = tmp_path / "keras.csv"
    expected = _csv_logger_text(keras_log, EPOCHS[:1])
    log = EpochLog("")
    assert log.add(0, EPOCHS[0]) == expected
    # a resumed run appends rows without a second header
    expected = _csv_logger_text(keras_log, EPOCHS[1:], first_epoch=1)
    assert EpochLog(log.text).add(1, EPOCHS[1]) == expected
    no_val = {"loss": 1.0}  # without validation the val_ columns read NA
    assert EpochLog("").add(0, no_val) == _csv_logger_text(tmp_path / "b.csv", [no_val])


def test_run_state_round_trips_and_keeps_other_keys():
    saved = {
        "epoch": 3,
        "best_val_loss": 1.5,
        "seconds": 12.0,
        "best_epoch": 2,
        "learning_rate": 5e-4,
        "plateau": {"best": 1.5, "wait": 1, "cooldown_counter": 0},
        "inputs": {"architecture": "unet"},
        "lr_schedule": "plateau",
        "epochs": None,
        "future": "kept",
    }
    state = RunState.from_dict(saved)
    assert (state.epoch, state.best_epoch, state.plateau["wait"]) == (3, 2, 1)
    out = state.to_dict()
    assert out["future"] == "kept" and "inputs" not in out  # the identity is set on resume
    fresh = RunState().to_dict()
    assert fresh == {"epoch": 0, "best_val_loss": None, "seconds": 0.0}


def test_an_epoch_is_written_all_or_nothing(tmp_path, monkeypatch):
    folder = RunFolder(tmp_path / "run")
    folder.create()
    first = RunState(epoch=1, best_val_loss=2.0, best_epoch=1)
    folder.commit_epoch(state=first, last_model=b"last 1", log="a\r\n", best_weights=b"best 1")
    assert folder.resumable_state().epoch == 1 and folder.log_text() == "a\r\n"
    names = sorted(p.name for p in folder.path.iterdir())
    assert names == ["best.weights.h5", "last.keras", "log.csv", "state.json"]  # nothing staged

    import os

    real_replace = os.replace

    def failing_replace(src, dst):
        if str(dst).endswith("state.json"):
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", failing_replace)
    second = RunState(epoch=2, best_val_loss=1.0, best_epoch=2)
    with pytest.raises(OSError):
        folder.commit_epoch(
            state=second, last_model=b"last 2", log="a\r\nb\r\n", best_weights=b"best 2"
        )
    monkeypatch.undo()
    # the failed epoch changed no file: the run resumes after epoch 1 with epoch 1's files
    assert json.loads(folder.state_file.read_text())["epoch"] == 1
    assert folder.last_model.read_bytes() == b"last 1"
    assert folder.best_weights.read_bytes() == b"best 1"
    assert folder.log_text() == "a\r\n"
    assert sorted(p.name for p in folder.path.iterdir()) == names
