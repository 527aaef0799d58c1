"""What a training run puts in its bundle: the provenance record, then the bundle itself."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from chordview.features import FeatureSpec
from chordview.training.config import TrainConfig, decoder_of
from chordview.training.run import RunState


def training_provenance(
    config: TrainConfig,
    *,
    data_dir: str | Path,
    val_dir: str | Path | None,
    hours: float,
    n_tracks: int,
    state: RunState,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The bundle's ``provenance``: data, configuration, best epoch, time and source commit.

    Parameters
    ----------
    hours : float
        Hours of training audio.
    n_tracks : int
        Number of training tracks.
    state : RunState
        The finished run's state.
    extra : dict, optional
        Further entries (the command line); they win over the recorded ones.
    """
    from chordview.bundle import source_commit

    return {
        "trained_on": str(data_dir),
        "validated_on": str(val_dir) if val_dir else None,
        "training_hours": round(hours, 3),
        "n_tracks": n_tracks,
        "config": asdict(config),
        "best_epoch": state.best_epoch,
        "best_val_loss": state.best_val_loss,
        "train_seconds": round(state.seconds, 1),
        "git_commit": source_commit(),
        **(extra or {}),
    }


def write_bundle(
    out: str | Path,
    *,
    model,
    config: TrainConfig,
    hyper_parameters: dict,
    spec: FeatureSpec,
    provenance: dict[str, Any],
) -> Path:
    """Write the bundle of a trained ``model`` to ``out`` (replaced if it exists); return it."""
    from chordview.bundle import save_bundle

    return save_bundle(
        out,
        model=model,
        name=Path(out).name,
        architecture=config.architecture,
        hyper_parameters=hyper_parameters,
        features=spec,
        decoder=decoder_of(config),
        provenance=provenance,
        overwrite=True,
    )
