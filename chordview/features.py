"""Input features: the log-magnitude CQT, defined once through pumpp and recorded in bundles.

The CQT is computed in overlapping blocks so memory stays bounded on long files; the log scale
uses the global maximum of the whole signal, exactly as pumpp's ``CQTMag(log=True)`` does on the
full signal, so blocked and whole-signal features agree.

A spec with several ``harmonics`` gives a harmonic CQT (Bittner et al., ISMIR 2017): channel ``k``
is the CQT starting at ``harmonics[k] * fmin``, so bin ``b`` of every channel lines up the
``h``-th partial of the same fundamental, and a pitch shift moves all channels alike.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields

import numpy as np

from chordview.audio import MAX_PEAK
from chordview.numba_cache import ensure_numba_cache

#: Largest CQT magnitude squared safely in float32 (librosa's dB works on power).
_MAX_LINEAR = 1e15


@dataclass(frozen=True)
class FeatureSpec:
    """Parameters of the CQT front end (librosa/pumpp names).

    Attributes
    ----------
    sr : int
        Sample rate the audio is resampled to, in Hz.
    hop_length : int
        Samples between frames (4096 at 44.1 kHz: about 10.8 frames per second).
    n_octaves : int
        Octaves covered from ``fmin``.
    over_sample : int
        Bins per semitone.
    fmin : float
        Frequency of the lowest bin, in Hz (C1).
    log : bool
        Log amplitude (dB relative to the signal's maximum).
    harmonics : tuple of float
        Multiples of ``fmin`` where each input channel starts: distinct, at least 0.5, 1 among
        them. ``(1,)`` is the plain CQT.
    """

    sr: int = 44100
    hop_length: int = 4096
    n_octaves: int = 6
    over_sample: int = 3
    fmin: float = 32.70319566257483
    log: bool = True
    harmonics: tuple[float, ...] = (1.0,)

    def __post_init__(self):
        harmonics = tuple(float(h) for h in self.harmonics)
        if len(set(harmonics)) != len(harmonics) or not all(math.isfinite(h) for h in harmonics):
            raise ValueError(f"harmonics must be distinct numbers, not {self.harmonics!r}")
        if 1.0 not in harmonics:  # the fundamental channel is the one the app displays
            raise ValueError(f"harmonics must include 1 (the fundamental), not {self.harmonics!r}")
        if min(harmonics) < 0.5:  # lower ones need longer CQT filters than a block margin covers
            raise ValueError(f"harmonic {min(harmonics):g} is below the lowest supported, 0.5")
        top = max(harmonics) * self.fmin * 2.0**self.n_octaves
        if top >= self.sr / 2:
            raise ValueError(
                f"harmonic {max(harmonics):g} puts the top bin at {top:.0f} Hz, "
                f"above the Nyquist frequency of {self.sr} Hz audio"
            )
        object.__setattr__(self, "harmonics", harmonics)

    @property
    def n_bins(self) -> int:
        """Number of frequency bins (216 by default)."""
        return 12 * self.n_octaves * self.over_sample

    @property
    def n_channels(self) -> int:
        """Input channels of the network: one per harmonic (plain CQT: one)."""
        return len(self.harmonics)

    @property
    def fundamental_channel(self) -> int:
        """Index of the channel that starts at ``fmin`` (the plain CQT)."""
        return self.harmonics.index(1.0)

    @property
    def frame_rate(self) -> float:
        """Frames per second."""
        return self.sr / self.hop_length

    def to_dict(self) -> dict:
        """Plain JSON-able dict, as stored in a model bundle (derived sizes included)."""
        plain = self.harmonics == (1.0,)
        channels = (
            "plain CQT magnitude (no harmonic channels)"
            if plain
            else "harmonic CQT: channel k starts at harmonics[k] * fmin"
        )
        data = {
            "kind": "cqt" if plain else "hcqt",
            **asdict(self),
            "n_bins": self.n_bins,
            "n_channels": self.n_channels,
            "channels": channels,
        }
        if plain:  # plain-CQT dicts stay as they were (bundles, feature-cache keys)
            del data["harmonics"]
        else:
            data["harmonics"] = list(self.harmonics)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> FeatureSpec:
        """Inverse of :meth:`to_dict` (derived sizes are checked, not stored)."""
        names = {f.name for f in fields(cls)}
        given = {k: v for k, v in data.items() if k in names}
        if "harmonics" in given:
            given["harmonics"] = tuple(given["harmonics"])
        spec = cls(**given)
        for key in ("n_bins", "n_channels"):
            if key in data and data[key] != getattr(spec, key):
                raise TypeError(
                    f"{key}={data[key]} does not match the parameters ({getattr(spec, key)})"
                )
        return spec

    def n_frames(self, n_samples: int) -> int:
        """Number of whole frames in ``n_samples`` samples at ``sr`` (pumpp's convention)."""
        return int(n_samples) // self.hop_length


DEFAULT_SPEC = FeatureSpec()


def _extractors(spec: FeatureSpec) -> list:
    ensure_numba_cache()
    import pumpp

    return [
        pumpp.feature.CQTMag(
            name="cqt",
            sr=spec.sr,
            hop_length=spec.hop_length,
            n_octaves=spec.n_octaves,
            over_sample=spec.over_sample,
            fmin=spec.fmin * h,
            log=False,
        )
        for h in spec.harmonics
    ]


def cqt_magnitude(
    y: np.ndarray,
    *,
    spec: FeatureSpec = DEFAULT_SPEC,
    block_frames: int = 2048,
    margin_frames: int = 32,
    progress: Callable[[float], None] | None = None,
) -> np.ndarray:
    """Linear CQT magnitude of a mono signal already at ``spec.sr``, one channel per harmonic.

    Parameters
    ----------
    y : np.ndarray, shape (n_samples,)
        Mono audio at ``spec.sr``.
    spec : FeatureSpec
        Front-end parameters.
    block_frames : int
        Frames computed per block (bounds memory on long signals).
    margin_frames : int
        Extra frames of context on each side of a block, discarded afterwards (longer than the
        lowest filter's half length).
    progress : callable, optional
        Called with the fraction done, in [0, 1].

    Returns
    -------
    np.ndarray, shape (n_frames, n_bins, n_channels), float32
    """
    extractors = _extractors(spec)
    n_frames = spec.n_frames(len(y))
    hop = spec.hop_length
    out = np.empty((n_frames, spec.n_bins, spec.n_channels), dtype=np.float32)
    for f0 in range(0, n_frames, block_frames):
        f1 = min(n_frames, f0 + block_frames)
        lo = max(0, f0 - margin_frames)
        hi = min(n_frames, f1 + margin_frames)
        chunk = y[lo * hop : len(y) if hi == n_frames else hi * hop]
        with warnings.catch_warnings():  # librosa warns about n_fft on very short inputs
            warnings.simplefilter("ignore", UserWarning)
            for k, ext in enumerate(extractors):
                mag = np.asarray(ext.transform_audio(chunk)["mag"]).reshape(-1, spec.n_bins)
                out[f0:f1, :, k] = mag[f0 - lo : f0 - lo + (f1 - f0)]
        if progress is not None:
            progress(f1 / n_frames)
    return out


def log_scale(mag: np.ndarray) -> np.ndarray:
    """Decibels relative to the maximum (over all channels), as pumpp's ``log=True`` computes them."""
    ensure_numba_cache()
    import librosa

    if mag.size == 0:
        return mag.astype(np.float32)
    peak = float(mag.max())
    if peak > _MAX_LINEAR:  # squaring would overflow float32; dB relative to the max are the same
        mag = mag * np.float32(1.0 / peak)
    return librosa.amplitude_to_db(mag, ref=np.max).astype(np.float32)


def compute_features(
    y: np.ndarray,
    *,
    spec: FeatureSpec = DEFAULT_SPEC,
    progress: Callable[[float], None] | None = None,
) -> np.ndarray:
    """Network input for a mono signal at ``spec.sr``.

    A signal whose peak exceeds :data:`chordview.audio.MAX_PEAK` is scaled to peak 1 first (as
    :func:`~chordview.audio.prepare_signal` does), so absurdly loud floats cannot overflow; the
    log-CQT, relative to its maximum, does not change.

    Parameters
    ----------
    y : np.ndarray, shape (n_samples,)
        Mono audio at ``spec.sr``, finite.
    spec : FeatureSpec
        Front-end parameters.
    progress : callable, optional
        Called with the fraction done, in [0, 1].

    Returns
    -------
    np.ndarray, shape (n_frames, n_bins, n_channels), float32
    """
    peak = max(float(y.max()), -float(y.min())) if len(y) else 0.0
    if peak > MAX_PEAK:
        y = (y / np.float64(peak)).astype(np.float32)
    mag = cqt_magnitude(y, spec=spec, progress=progress)
    return log_scale(mag) if spec.log else mag
