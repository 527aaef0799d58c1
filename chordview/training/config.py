"""What decides a training run: :class:`TrainConfig`, its checks, and the network's input size.

Everything here is checked before hours of feature caching and training, not at the end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chordview.errors import ChordviewError
from chordview.features import DEFAULT_SPEC, FeatureSpec

#: the learning-rate schedules :class:`TrainConfig` accepts
LR_SCHEDULES = ("plateau", "cosine")


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


def decoder_of(config: TrainConfig) -> dict[str, Any]:
    """The ``decoder`` entry the bundle of ``config``'s run gets."""
    return {"self_transition": config.self_transition, "pitch_shifts": list(config.pitch_shifts)}


def check_config(config: TrainConfig) -> None:
    """Refuse a configuration whose bundle could not be written or whose schedule is unknown.

    Raises
    ------
    ChordviewError
        Bad decoder settings, or a learning-rate schedule not in :data:`LR_SCHEDULES`.
    """
    from chordview.bundle import decoder_settings

    decoder_settings(decoder_of(config), where="training configuration")
    if config.lr_schedule not in LR_SCHEDULES:
        raise ChordviewError(
            f"unknown learning-rate schedule {config.lr_schedule!r} "
            f"(one of: {', '.join(LR_SCHEDULES)})"
        )


def with_input_shape(hyper_parameters: dict, spec: FeatureSpec) -> dict:
    """Hyper-parameters with ``spec``'s input size added where it is not the default.

    A bundle of a harmonic-CQT model then rebuilds with the right input.

    Raises
    ------
    ChordviewError
        A hyper-parameter ``n_bins`` or ``n_channels`` that contradicts ``spec``.
    """
    hyper = dict(hyper_parameters)
    for key, value in (("n_bins", spec.n_bins), ("n_channels", spec.n_channels)):
        if hyper.get(key, value) != value:
            raise ChordviewError(
                f"hyper-parameter {key}={hyper[key]} contradicts the features ({key}={value})"
            )
        if value != getattr(DEFAULT_SPEC, key):
            hyper[key] = value
    return hyper
