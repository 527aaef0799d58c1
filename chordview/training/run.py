"""A run folder: what identifies a run, its state between epochs, and its files.

A run folder holds ``state.json`` (:class:`RunState`), ``last.keras`` (the network with its
optimiser state), ``best.weights.h5`` (the weights of the best epoch) and ``log.csv`` (one row per
epoch). All four are written together at the end of every epoch, each staged beside its target and
renamed into place (:func:`chordview.files.write_files`), so a killed run leaves whole files.
A run resumes only with the same :class:`RunIdentity`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chordview.errors import ChordviewError
from chordview.features import FeatureSpec
from chordview.files import write_files
from chordview.training.config import TrainConfig


@dataclass(frozen=True)
class RunIdentity:
    """What a run resumes only with, as ``state.json`` records it.

    Attributes
    ----------
    inputs : dict
        What fixes the network's shape: architecture, hyper-parameters, features (as stored: a
        JSON round trip).
    schedule : dict
        ``lr_schedule`` and, for the cosine schedule (fixed by its length), ``epochs``.
    source : dict
        What the run learns from: ``seed``, ``training data`` and ``validation data`` (resolved
        folders); resuming with another would mix two runs.
    """

    inputs: dict[str, Any]
    schedule: dict[str, Any]
    source: dict[str, Any]

    @classmethod
    def of(
        cls,
        config: TrainConfig,
        *,
        hyper_parameters: dict,
        spec: FeatureSpec,
        data_dir: str | Path,
        val_dir: str | Path | None,
    ) -> RunIdentity:
        """The identity of a run of ``config`` on these folders.

        Raises
        ------
        ChordviewError
            A folder that does not exist (a mistyped folder is that, not "other data").
        """
        inputs = json.loads(
            json.dumps(
                {
                    "architecture": config.architecture,
                    "hyper_parameters": hyper_parameters,
                    "features": spec.to_dict(),
                }
            )
        )
        schedule = {
            "lr_schedule": config.lr_schedule,
            "epochs": config.epochs if config.lr_schedule == "cosine" else None,
        }
        for folder in (data_dir, val_dir):
            if folder is not None and not Path(folder).is_dir():
                raise ChordviewError(f"{folder}: no such folder")
        source = {
            "seed": config.seed,
            "training data": str(Path(data_dir).resolve()),
            "validation data": str(Path(val_dir).resolve()) if val_dir else None,
        }
        return cls(inputs=inputs, schedule=schedule, source=source)

    def flat(self) -> dict[str, Any]:
        """Every compared setting in one dict (inputs, then schedule, then source)."""
        return {**self.inputs, **self.schedule, **self.source}

    def check_resume(self, saved: dict[str, Any], run_dir: Path) -> None:
        """Refuse to resume the run recorded in ``saved`` (a ``state.json``) if it differs.

        Runs from before the schedule was recorded are plateau runs; runs from before the inputs
        or the source were recorded are not checked for them.

        Raises
        ------
        ChordviewError
            Naming every setting that differs.
        """
        given = self.flat()
        stored = {
            **saved.get("inputs", self.inputs),
            "lr_schedule": saved.get("lr_schedule", "plateau"),
            "epochs": saved.get("epochs"),
            **saved.get("source", self.source),
        }

        def differs(key: str) -> str:
            was = stored.get(key)
            if isinstance(was, dict) or isinstance(given[key], dict):  # too long to show
                return key
            return f"{key} ({was} there, {given[key]} now)"

        changed = [differs(key) for key in given if stored.get(key) != given[key]]
        if changed:
            raise ChordviewError(
                f"{run_dir} holds a run with other {' and '.join(changed)}; resume "
                "it with the same settings or use another --run-dir"
            )


@dataclass
class RunState:
    """The progress of a run after its last finished epoch (``state.json``).

    Attributes
    ----------
    epoch : int
        Epochs finished.
    best_val_loss, best_epoch
        The best validation loss (the training loss without validation data) and its epoch
        (from 1); None before the first epoch.
    seconds : float
        Training time so far, in seconds.
    learning_rate : float or None
        The optimiser's rate after the last epoch.
    plateau : dict or None
        The plateau schedule's counters (``best``, ``wait``, ``cooldown_counter``) for the next
        epoch; None under the cosine schedule.
    identity : RunIdentity or None
        What the run resumes only with.
    """

    epoch: int = 0
    best_val_loss: float | None = None
    best_epoch: int | None = None
    seconds: float = 0.0
    learning_rate: float | None = None
    plateau: dict[str, Any] | None = None
    identity: RunIdentity | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # keys of other versions, kept

    _KEYS = ("epoch", "best_val_loss", "best_epoch", "seconds", "learning_rate", "plateau")

    @classmethod
    def from_dict(cls, saved: dict[str, Any]) -> RunState:
        """The state recorded in a ``state.json`` (its identity is replaced on resume)."""
        known = {k: saved[k] for k in cls._KEYS if k in saved}
        ignored = {*cls._KEYS, "inputs", "source", "lr_schedule", "epochs"}
        return cls(**known, extra={k: v for k, v in saved.items() if k not in ignored})

    def to_dict(self) -> dict[str, Any]:
        """``state.json``'s content; absent entries (no best epoch yet, no plateau) left out."""
        out: dict[str, Any] = {
            **self.extra,
            "epoch": self.epoch,
            "best_val_loss": self.best_val_loss,
            "seconds": self.seconds,
        }
        if self.identity is not None:
            out.update(
                inputs=self.identity.inputs, source=self.identity.source, **self.identity.schedule
            )
        for key in ("best_epoch", "plateau", "learning_rate"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        return out


class RunFolder:
    """The files of one run folder, read and written whole.

    Parameters
    ----------
    path : path
        The run folder (created by :meth:`create`).
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.state_file = self.path / "state.json"
        self.last_model = self.path / "last.keras"
        self.best_weights = self.path / "best.weights.h5"
        self.log_file = self.path / "log.csv"

    def saved_state(self) -> dict[str, Any] | None:
        """The content of ``state.json``, or None where there is none."""
        if not self.state_file.exists():
            return None
        return json.loads(self.state_file.read_text())

    def create(self) -> None:
        """Create the folder (and its parents) if it does not exist."""
        self.path.mkdir(parents=True, exist_ok=True)

    def resumable_state(self) -> RunState | None:
        """The state to resume from: only where both ``state.json`` and ``last.keras`` exist."""
        saved = self.saved_state() if self.last_model.exists() else None
        return None if saved is None else RunState.from_dict(saved)

    def log_text(self) -> str:
        """``log.csv`` as written (line ends kept), ``""`` where there is none yet."""
        return self.log_file.read_bytes().decode() if self.log_file.exists() else ""

    def commit_epoch(
        self, *, state: RunState, last_model: bytes, log: str, best_weights: bytes | None
    ) -> None:
        """Write an epoch's files all-or-nothing; ``best_weights`` None keeps the old ones.

        ``state.json`` is moved into place last: it names the epoch the other files belong to.
        """
        files: dict[Path, str | bytes] = {}
        if best_weights is not None:
            files[self.best_weights] = best_weights
        files[self.last_model] = last_model
        files[self.log_file] = log.encode()  # bytes: its CSV line ends are kept as they are
        files[self.state_file] = json.dumps(state.to_dict(), indent=2)
        write_files(files)


class EpochLog:
    """The rows of ``log.csv``, formatted as :class:`keras.callbacks.CSVLogger` with
    ``append=True`` writes them, kept in memory so the file can be rewritten whole each epoch.

    Parameters
    ----------
    text : str
        The log written so far (``""`` for none): a resumed run appends to it, with a header only
        where it is empty. The columns are the sorted keys of this session's first epoch.
    """

    def __init__(self, text: str):
        self.text = text
        self._header = not text
        self._keys: list[str] | None = None

    def add(self, epoch: int, logs: dict[str, Any]) -> str:
        """Append the row of ``epoch`` (from 0) with ``logs``' values; return the whole log."""
        import collections.abc
        import csv
        import io

        import numpy as np

        if self._keys is None:
            self._keys = sorted(logs)
            if self._keys and not any(key.startswith("val_") for key in self._keys):
                self._keys.extend([f"val_{k}" for k in self._keys])

        def value(v):
            if isinstance(v, str):
                return v
            if isinstance(v, collections.abc.Iterable) and not (
                isinstance(v, np.ndarray) and v.ndim == 0
            ):
                return f'"[{", ".join(map(str, v))}]"'
            return v

        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=["epoch", *self._keys], dialect=csv.excel)
        if self._header:
            writer.writeheader()
            self._header = False
        writer.writerow({"epoch": epoch, **{k: value(logs.get(k, "NA")) for k in self._keys}})
        self.text += buffer.getvalue()
        return self.text
