"""The training batches: random excerpts of the cached tracks, pitch-shifted in the CQT domain.

Importing this module imports Keras (``keras.utils.PyDataset`` is the base class).
"""

from __future__ import annotations

import numpy as np

from chordview.features import FeatureSpec
from chordview.quiet import import_keras
from chordview.training.augment import pitch_shift
from chordview.training.config import TrainConfig
from chordview.training.dataset import excerpt, stack

keras = import_keras()  # quietly: TensorFlow's start-up logs stay off the terminal


class TrainingBatches(keras.utils.PyDataset):
    """``config.steps_per_epoch`` batches per epoch of ``config.batch_size`` excerpts.

    Each excerpt is ``config.seq_frames`` frames of a track drawn in proportion to its length
    (tracks shorter than that are left out), shifted by a random number of semitones within
    ``config.max_shift``, its labels transposed. Batch ``idx`` of epoch ``e`` depends on
    ``(seed, e, idx)`` alone, so a resumed run sees the batches an uninterrupted one would.

    Parameters
    ----------
    tracks : list of dict
        Cached tracks (:func:`chordview.training.dataset.load_tracks`).
    config : TrainConfig
    spec : FeatureSpec
        The features' parameters (bins per semitone).
    seed : int
    first_epoch : int
        The epoch (from 0) the first batch belongs to: a resumed run's.
    """

    def __init__(
        self, tracks, config: TrainConfig, spec: FeatureSpec, seed: int, first_epoch: int = 0
    ):
        super().__init__()
        self.tracks = [t for t in tracks if len(t["features"]) >= config.seq_frames]
        self.config, self.spec, self.seed = config, spec, seed
        lengths = np.array([len(t["features"]) for t in self.tracks], dtype=float)
        self.p = lengths / lengths.sum()
        self.epoch = first_epoch

    def __len__(self):
        return self.config.steps_per_epoch

    def on_epoch_end(self):
        self.epoch += 1

    def __getitem__(self, idx):
        """Batch ``idx``: features ``(batch, seq_frames, n_bins, n_channels)`` float32 and a
        dict of targets ``(batch, seq_frames[, n_classes])``."""
        cfg = self.config
        rng = np.random.default_rng([self.seed, self.epoch, idx])
        pairs = []
        for _ in range(cfg.batch_size):
            track = self.tracks[rng.choice(len(self.tracks), p=self.p)]
            start = rng.integers(0, len(track["features"]) - cfg.seq_frames + 1)
            x, y = excerpt(track, start, cfg.seq_frames)
            shift = int(rng.integers(-cfg.max_shift, cfg.max_shift + 1))
            pairs.append(
                pitch_shift(x, y, semitones=shift, bins_per_semitone=self.spec.over_sample)
            )
        return stack(pairs)
