"""Train an architecture on a folder of audio + JAMS and write a model bundle.

Batches are random excerpts of the cached tracks, pitch-shifted in the CQT domain by a random
number of semitones with the labels transposed. Every epoch writes a resumable checkpoint
(``last.keras`` with the optimiser state, plus ``state.json``) and a CSV log into the run folder;
the weights with the best validation loss become the bundle.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from chordview.errors import ChordviewError
from chordview.features import DEFAULT_SPEC, FeatureSpec
from chordview.training.augment import pitch_shift
from chordview.training.dataset import TARGETS, build_cache, load_tracks


@dataclass
class TrainConfig:
    """Everything that decides a training run (stored in the bundle's provenance)."""

    architecture: str = "unet"
    hyper_parameters: dict = field(default_factory=dict)
    epochs: int = 12
    steps_per_epoch: int = 200
    batch_size: int = 8
    seq_frames: int = 128
    learning_rate: float = 1e-3
    #: 'plateau' halves the rate after 2 epochs without progress; 'cosine' decays it over the run
    lr_schedule: str = "plateau"
    max_shift: int = 6
    seed: int = 0
    self_transition: float = 0.9
    #: test-time pitch shifts written to the bundle's decoder (chosen on data/v2/val: averaging
    #: -1, 0, +1 semitones raised the v2.1.0 UNet's majmin .879 -> .886, sevenths .855 -> .867)
    pitch_shifts: tuple[int, ...] = (-1, 0, 1)


LR_SCHEDULES = ("plateau", "cosine")


def cosine_rate(epoch: int, epochs: int, base: float) -> float:
    """The rate of ``epoch`` (from 0) under the cosine schedule: ``base`` in the first epoch,
    ``base / 100`` in the last, half-cosine between.

    A fixed decay ends a run of a fixed budget at a small rate whatever the validation loss does;
    the plateau schedule lowers the rate only once the loss stalls, which on a budget where the
    loss is still falling may never happen.
    """
    floor = base / 100
    return floor + (base - floor) * 0.5 * (1 + math.cos(math.pi * epoch / max(epochs - 1, 1)))


def _excerpt(track, start, n):
    sl = slice(start, start + n)
    return track["features"][sl].astype(np.float32), {k: track[k][sl] for k in TARGETS}


class _Batches:
    """Random excerpts with pitch-shift augmentation (a ``keras.utils.PyDataset``)."""

    def __new__(cls, *args, **kwargs):
        import keras

        class Impl(keras.utils.PyDataset):
            def __init__(self, tracks, config: TrainConfig, spec: FeatureSpec, seed: int):
                super().__init__()
                self.tracks = [t for t in tracks if len(t["features"]) >= config.seq_frames]
                self.config, self.spec, self.seed = config, spec, seed
                lengths = np.array([len(t["features"]) for t in self.tracks], dtype=float)
                self.p = lengths / lengths.sum()
                self.epoch = 0

            def __len__(self):
                return self.config.steps_per_epoch

            def on_epoch_end(self):
                self.epoch += 1

            def __getitem__(self, idx):
                cfg = self.config
                rng = np.random.default_rng([self.seed, self.epoch, idx])
                xs, ys = [], {k: [] for k in TARGETS}
                for _ in range(cfg.batch_size):
                    track = self.tracks[rng.choice(len(self.tracks), p=self.p)]
                    start = rng.integers(0, len(track["features"]) - cfg.seq_frames + 1)
                    x, y = _excerpt(track, start, cfg.seq_frames)
                    shift = int(rng.integers(-cfg.max_shift, cfg.max_shift + 1))
                    x, y = pitch_shift(
                        x, y, semitones=shift, bins_per_semitone=self.spec.over_sample
                    )
                    xs.append(x)
                    for k in TARGETS:
                        ys[k].append(y[k])
                return np.stack(xs), {k: np.stack(v) for k, v in ys.items()}

        return Impl(*args, **kwargs)


def _validation_arrays(tracks, n):
    xs, ys = [], {k: [] for k in TARGETS}
    for t in tracks:
        for start in range(0, len(t["features"]) - n + 1, n):
            x, y = _excerpt(t, start, n)
            xs.append(x)
            for k in TARGETS:
                ys[k].append(y[k])
    return np.stack(xs), {k: np.stack(v) for k, v in ys.items()}


def _compile(model, lr):
    import keras

    losses = {
        "chord_tag": "sparse_categorical_crossentropy",
        "chord_root": "sparse_categorical_crossentropy",
        "chord_bass": "sparse_categorical_crossentropy",
        "chord_pitch": "binary_crossentropy",
    }
    metrics = {"chord_tag": ["sparse_categorical_accuracy"]}
    model.compile(optimizer=keras.optimizers.Adam(lr), loss=losses, metrics=metrics)


def _with_input_shape(hyper_parameters: dict, spec: FeatureSpec) -> dict:
    """Hyper-parameters with ``spec``'s input size added where it is not the default.

    A bundle of a harmonic-CQT model then rebuilds with the right input.
    """
    hyper = dict(hyper_parameters)
    for key, value in (("n_bins", spec.n_bins), ("n_channels", spec.n_channels)):
        if hyper.get(key, value) != value:
            raise ChordviewError(f"hyper-parameter {key}={hyper[key]} contradicts the features "
                                 f"({key}={value})")  # fmt: skip
        if value != getattr(DEFAULT_SPEC, key):
            hyper[key] = value
    return hyper


def _check_resume(stored: dict, given: dict, run_dir: Path) -> None:
    """Refuse to resume a run whose architecture, hyper-parameters, features, schedule, seed or
    data differ."""
    def differs(key: str) -> str:
        was = stored.get(key)
        if isinstance(was, dict) or isinstance(given[key], dict):  # too long to show
            return key
        return f"{key} ({was} there, {given[key]} now)"

    changed = [differs(key) for key in given if stored.get(key) != given[key]]
    if changed:
        raise ChordviewError(f"{run_dir} holds a run with other {' and '.join(changed)}; resume "
                             "it with the same settings or use another --run-dir")  # fmt: skip


def train(
    *,
    data_dir: str | Path,
    out: str | Path,
    run_dir: str | Path,
    config: TrainConfig,
    val_dir: str | Path | None = None,
    spec: FeatureSpec = DEFAULT_SPEC,
    provenance: dict | None = None,
    workers: int = 2,
    log: Callable[[str], None] = print,
) -> Path:
    """Train ``config.architecture`` and write the bundle to ``out``.

    Parameters
    ----------
    data_dir : path
        Training audio with ``.jams`` beside each file.
    out : path
        Bundle folder to write (replaced if it exists).
    run_dir : path
        Checkpoints, logs and the feature cache; re-running with the same folder resumes.
    config : TrainConfig
        Architecture, hyper-parameters and schedule.
    val_dir : path, optional
        Validation audio + JAMS (synthetic, held-out soundfont); picks the best epoch.
    """
    from chordview.architectures import build  # noqa: I001  (first: quiets TF's start-up logs)
    import keras

    from chordview.bundle import decoder_settings, save_bundle, source_commit

    # the bundle's decoder settings, checked before hours of training rather than at the end
    decoder_settings({"self_transition": config.self_transition,
                      "pitch_shifts": list(config.pitch_shifts)}, where="training configuration")
    if config.lr_schedule not in LR_SCHEDULES:
        raise ChordviewError(f"unknown learning-rate schedule {config.lr_schedule!r} "
                             f"(one of: {', '.join(LR_SCHEDULES)})")  # fmt: skip
    hyper = _with_input_shape(config.hyper_parameters, spec)
    # what fixes the network's shape; a run resumes only with the same (JSON round trip: as stored)
    inputs = json.loads(json.dumps({"architecture": config.architecture, "hyper_parameters": hyper,
                                    "features": spec.to_dict()}))  # fmt: skip
    # the schedule must match too; a cosine schedule is fixed by its number of epochs
    schedule = {"lr_schedule": config.lr_schedule,
                "epochs": config.epochs if config.lr_schedule == "cosine" else None}  # fmt: skip
    for folder in (data_dir, val_dir):  # a mistyped folder is that, not "other data"
        if folder is not None and not Path(folder).is_dir():
            raise ChordviewError(f"{folder}: no such folder")
    # what the run learns from: resuming with another seed or other data would mix two runs
    source = {"seed": config.seed, "training data": str(Path(data_dir).resolve()),
              "validation data": str(Path(val_dir).resolve()) if val_dir else None}  # fmt: skip
    run_dir = Path(run_dir)
    if (run_dir / "state.json").exists():  # checked before hours of feature caching
        saved = json.loads((run_dir / "state.json").read_text())
        # runs from before the schedule was recorded are plateau runs; runs from before the
        # source was recorded are not checked for it
        stored = {**saved.get("inputs", inputs), "lr_schedule": saved.get("lr_schedule", "plateau"),
                  "epochs": saved.get("epochs"), **saved.get("source", source)}  # fmt: skip
        _check_resume(stored, {**inputs, **schedule, **source}, run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    keras.utils.set_random_seed(config.seed)
    log(f"caching features of {data_dir}")
    train_tracks = load_tracks(
        build_cache(data_dir, run_dir.parent / "cache", spec=spec, workers=workers)
    )
    val = None
    if val_dir:
        val_tracks = load_tracks(
            build_cache(val_dir, run_dir.parent / "cache", spec=spec, workers=workers)
        )
        val = _validation_arrays(val_tracks, config.seq_frames)
    n_hours = sum(len(t["features"]) for t in train_tracks) / spec.frame_rate / 3600
    log(f"{len(train_tracks)} training tracks ({n_hours:.2f} h)")

    state_path, last_path, best_path = (
        run_dir / "state.json",
        run_dir / "last.keras",
        run_dir / "best.weights.h5",
    )
    state = json.loads(state_path.read_text()) if state_path.exists() and last_path.exists() else {}
    if state:
        import chordview.architectures.layers  # noqa: F401

        model = keras.saving.load_model(last_path, safe_mode=True)
        shape = tuple(model.input_shape[2:])
        if shape != (spec.n_bins, spec.n_channels):  # runs from before 'inputs' was recorded
            raise ChordviewError(f"{run_dir} holds a network for input {shape} (bins, channels), "
                                 f"not {(spec.n_bins, spec.n_channels)}: use another --run-dir")  # fmt: skip
        log(f"resuming after epoch {state['epoch']}")
    else:
        model = build(config.architecture, **hyper)
        _compile(model, config.learning_rate)
        state = {"epoch": 0, "best_val_loss": None, "seconds": 0.0}
    state["inputs"], state["source"] = inputs, source
    state.update(schedule)

    class Plateau(keras.callbacks.ReduceLROnPlateau):
        """Halves the rate after 2 epochs without progress; its counters survive a resume, so an
        interrupted run continues exactly as an uninterrupted one would."""

        def on_train_begin(self, logs=None):
            super().on_train_begin(logs)
            saved = state.get("plateau")
            if saved:
                self.best, self.wait = saved["best"], saved["wait"]
                self.cooldown_counter = saved["cooldown_counter"]

    if config.lr_schedule == "plateau":
        rate = plateau = Plateau(  # the loss the checkpoint ranks epochs by
            monitor="val_loss" if val is not None else "loss", factor=0.5, patience=2, min_lr=1e-5
        )
    else:  # a function of the epoch alone, so a resumed run continues exactly
        plateau = None
        rate = keras.callbacks.LearningRateScheduler(
            lambda epoch, _: cosine_rate(epoch, config.epochs, config.learning_rate)
        )

    class Checkpoint(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.t0 = time.time()

        def on_epoch_end(self, epoch, logs=None):
            logs = logs or {}
            score = logs.get("val_loss", logs.get("loss"))
            if state["best_val_loss"] is None or score < state["best_val_loss"]:
                state["best_val_loss"] = float(score)
                state["best_epoch"] = epoch + 1
                self.model.save_weights(best_path)
            state["epoch"] = epoch + 1
            if plateau is not None:  # runs after the plateau callback: its state for the next epoch
                state["plateau"] = {
                    "best": None if plateau.best is None else float(plateau.best),
                    "wait": plateau.wait,
                    "cooldown_counter": plateau.cooldown_counter,
                }
            state["learning_rate"] = float(keras.ops.convert_to_numpy(
                self.model.optimizer.learning_rate))  # fmt: skip
            state["seconds"] += time.time() - self.t0
            self.model.save(last_path.with_suffix(".tmp.keras"))
            os.replace(last_path.with_suffix(".tmp.keras"), last_path)
            state_path.write_text(json.dumps(state, indent=2))
            shown = " ".join(f"{k}={v:.4f}" for k, v in logs.items() if "loss" in k or "acc" in k)
            log(f"epoch {epoch + 1}/{config.epochs} {shown} ({time.time() - self.t0:.0f} s)")

    batches = _Batches(train_tracks, config, spec, config.seed)
    batches.epoch = state["epoch"]
    if state["epoch"] < config.epochs:
        model.fit(
            batches,
            epochs=config.epochs,
            initial_epoch=state["epoch"],
            validation_data=val,
            validation_batch_size=config.batch_size,
            callbacks=[
                rate,  # first: the checkpoint saves the plateau's updated counters
                Checkpoint(),
                keras.callbacks.CSVLogger(str(run_dir / "log.csv"), append=True),
            ],
            verbose=0,
        )
    model.load_weights(best_path)
    prov = {
        "trained_on": str(data_dir),
        "validated_on": str(val_dir) if val_dir else None,
        "training_hours": round(n_hours, 3),
        "n_tracks": len(train_tracks),
        "config": asdict(config),
        "best_epoch": state.get("best_epoch"),
        "best_val_loss": state.get("best_val_loss"),
        "train_seconds": round(state["seconds"], 1),
        "git_commit": source_commit(),
        **(provenance or {}),
    }
    return save_bundle(
        out,
        model=model,
        name=Path(out).name,
        architecture=config.architecture,
        hyper_parameters=hyper,
        features=spec,
        decoder={"self_transition": config.self_transition,
                 "pitch_shifts": list(config.pitch_shifts)},  # fmt: skip
        provenance=prov,
        overwrite=True,
    )
