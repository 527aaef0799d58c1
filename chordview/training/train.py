"""Train an architecture on a folder of audio + JAMS and write a model bundle.

Batches are random excerpts of the cached tracks, pitch-shifted in the CQT domain by a random
number of semitones with the labels transposed (:mod:`~chordview.training.batches`). Every epoch
writes a resumable checkpoint (``last.keras`` with the optimiser state, plus ``state.json``) and a
CSV log into the run folder (:mod:`~chordview.training.run`); the weights with the best validation
loss become the bundle (:mod:`~chordview.training.provenance`).

The configuration and its checks are in :mod:`~chordview.training.config`, the network in
:mod:`~chordview.training.model`, the learning-rate schedules and the checkpoint in
:mod:`~chordview.training.callbacks`; :func:`train` only puts them in order.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from chordview.features import DEFAULT_SPEC, FeatureSpec
from chordview.training.config import LR_SCHEDULES, TrainConfig, check_config, with_input_shape
from chordview.training.dataset import load_folder, validation_arrays
from chordview.training.provenance import training_provenance, write_bundle
from chordview.training.run import RunFolder, RunIdentity, RunState
from chordview.training.schedule import cosine_rate

__all__ = ["LR_SCHEDULES", "TrainConfig", "cosine_rate", "train"]


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
    spec : FeatureSpec
        The features the network reads.
    provenance : dict, optional
        Further entries of the bundle's provenance (the command line).
    workers : int
        Processes computing the feature cache.
    log : callable
        Receives progress lines.

    Returns
    -------
    Path
        The bundle folder.

    Raises
    ------
    ChordviewError
        A bad configuration, a missing folder, or a run folder holding another run; all
        checked before the features are cached.
    """
    check_config(config)
    hyper = with_input_shape(config.hyper_parameters, spec)
    identity = RunIdentity.of(
        config, hyper_parameters=hyper, spec=spec, data_dir=data_dir, val_dir=val_dir
    )
    folder = RunFolder(run_dir)
    saved = folder.saved_state()
    if saved is not None:  # checked before hours of feature caching
        identity.check_resume(saved, folder.path)
    folder.create()

    from chordview.quiet import import_keras
    from chordview.training import model as networks
    from chordview.training.batches import TrainingBatches
    from chordview.training.callbacks import EpochCheckpoint, PlateauRate, rate_callback

    import_keras().utils.set_random_seed(config.seed)
    log(f"caching features of {data_dir}")
    cache = folder.path.parent / "cache"
    train_tracks = load_folder(data_dir, cache, spec=spec, workers=workers)
    val = None
    if val_dir:
        val_tracks = load_folder(val_dir, cache, spec=spec, workers=workers)
        val = validation_arrays(val_tracks, config.seq_frames)
    hours = sum(len(t["features"]) for t in train_tracks) / spec.frame_rate / 3600
    log(f"{len(train_tracks)} training tracks ({hours:.2f} h)")

    state = folder.resumable_state()
    if state is not None:
        model = networks.resumed_model(folder.last_model, spec=spec, run_dir=folder.path)
        log(f"resuming after epoch {state.epoch}")
    else:
        model = networks.new_model(
            config.architecture, hyper_parameters=hyper, learning_rate=config.learning_rate
        )
        state = RunState()
    state.identity = identity

    rate = rate_callback(config, state=state, validated=val is not None)
    plateau = rate if isinstance(rate, PlateauRate) else None
    checkpoint = EpochCheckpoint(
        folder=folder, state=state, epochs=config.epochs, plateau=plateau, log=log
    )
    if state.epoch < config.epochs:
        model.fit(
            TrainingBatches(train_tracks, config, spec, config.seed, first_epoch=state.epoch),
            epochs=config.epochs,
            initial_epoch=state.epoch,
            validation_data=val,
            validation_batch_size=config.batch_size,
            callbacks=[rate, checkpoint],  # the rate first: the checkpoint records its counters
            verbose=0,
        )
    model.load_weights(folder.best_weights)
    prov = training_provenance(
        config,
        data_dir=data_dir,
        val_dir=val_dir,
        hours=hours,
        n_tracks=len(train_tracks),
        state=state,
        extra=provenance,
    )
    return write_bundle(
        out, model=model, config=config, hyper_parameters=hyper, spec=spec, provenance=prov
    )
