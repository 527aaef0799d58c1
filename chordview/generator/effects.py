"""Audio augmentation at render time: EQ, reverb, compression, noise and level (numpy/scipy only).

Each effect is a pure function of a mono float signal; :class:`EffectChain` holds the parameters
of one song's chain (drawn by :meth:`EffectChain.random`) and :func:`apply_effects` runs it.
Everything random (the reverb's impulse response, the noise) comes from an explicit seed, so a
chain renders the same samples every time. None of these effects moves a pitch or a chord
boundary: labels stay exact.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import signal


def _biquad(kind: str, *, f0: float, gain_db: float, q: float, sr: int) -> np.ndarray:
    """RBJ-cookbook biquad as one second-order section (``kind``: low, high or peak)."""
    a = 10 ** (gain_db / 40)
    w0 = 2 * np.pi * min(f0, 0.45 * sr) / sr
    alpha = np.sin(w0) / (2 * q)
    cw = np.cos(w0)
    if kind == "peak":
        b = [1 + alpha * a, -2 * cw, 1 - alpha * a]
        den = [1 + alpha / a, -2 * cw, 1 - alpha / a]
    else:
        sa = 2 * np.sqrt(a) * alpha
        sign = 1 if kind == "low" else -1
        b = [
            a * ((a + 1) - sign * (a - 1) * cw + sa),
            sign * 2 * a * ((a - 1) - sign * (a + 1) * cw),
            a * ((a + 1) - sign * (a - 1) * cw - sa),
        ]
        den = [
            (a + 1) + sign * (a - 1) * cw + sa,
            -sign * 2 * ((a - 1) + sign * (a + 1) * cw),
            (a + 1) + sign * (a - 1) * cw - sa,
        ]
    return np.concatenate([np.array(b) / den[0], np.array(den) / den[0]])[None, :]


def equalize(y: np.ndarray, *, sr: int, bands, highpass: float = 0.0, lowpass: float = 0.0):
    """Shelving and peaking EQ plus optional Butterworth high- and low-pass filters.

    Parameters
    ----------
    y : np.ndarray
        Mono signal, shape ``(n,)``.
    bands : sequence of tuple
        ``(kind, frequency Hz, gain dB, Q)`` with ``kind`` in ``low``, ``high``, ``peak``.
    highpass, lowpass : float
        Cut-off frequencies in Hz (0: off); fourth-order filters.

    Returns
    -------
    np.ndarray
        Filtered signal, same shape.
    """
    sos = [_biquad(k, f0=f, gain_db=g, q=q, sr=sr) for k, f, g, q in bands]
    if highpass > 0:
        sos.append(signal.butter(4, highpass, "highpass", fs=sr, output="sos"))
    if lowpass > 0 and lowpass < 0.45 * sr:
        sos.append(signal.butter(4, lowpass, "lowpass", fs=sr, output="sos"))
    return signal.sosfilt(np.concatenate(sos), y) if sos else y


def reverb(
    y: np.ndarray,
    *,
    sr: int,
    rt60: float,
    wet: float,
    seed: int,
    predelay: float = 0.01,
    damping: float = 6000.0,
) -> np.ndarray:
    """Convolution with a synthetic room: sparse early reflections and an exponential noise tail.

    Parameters
    ----------
    rt60 : float
        Time for the tail to decay by 60 dB, in seconds.
    wet : float
        Mix of the reverberated signal, 0 (dry) to 1 (wet only); the output keeps ``len(y)``.
    seed : int
        Seeds the impulse response.
    predelay : float
        Seconds before the first reflection.
    damping : float
        Cut-off in Hz of a low-pass applied to the tail (a darker room when lower).
    """
    rng = np.random.default_rng(seed)
    n = max(int(min(rt60, 4.0) * sr), 16)
    t = np.arange(n) / sr
    ir = rng.standard_normal(n) * np.exp(-6.908 * t / max(rt60, 1e-3))
    ir = signal.sosfilt(signal.butter(1, min(damping, 0.45 * sr), fs=sr, output="sos"), ir)
    early = rng.integers(0, max(int(0.05 * sr), 2), size=8)
    ir[early] += rng.uniform(-1, 1, size=8) * 4 * np.abs(ir).max()
    ir = np.concatenate([np.zeros(int(predelay * sr)), ir])
    ir /= np.sqrt(np.sum(ir**2)) + 1e-12
    tail = signal.oaconvolve(y.astype(np.float32), ir.astype(np.float32))[: len(y)]
    return (1 - wet) * y + wet * tail


def compress(
    y: np.ndarray, *, sr: int, threshold_db: float, ratio: float, window: float = 0.03
) -> np.ndarray:
    """Feed-forward RMS compressor with make-up gain that restores the input's RMS.

    Parameters
    ----------
    threshold_db : float
        Level above which gain is reduced, in dB relative to the signal's peak.
    ratio : float
        Compression ratio (1: off).
    window : float
        Time constant of the level detector, in seconds.
    """
    peak = np.max(np.abs(y)) if len(y) else 0.0
    if peak <= 0 or ratio <= 1:
        return y
    a = np.exp(-1.0 / (window * sr))
    power = signal.lfilter([1 - a], [1, -a], (y / peak) ** 2)
    level = 10 * np.log10(np.maximum(power, 1e-12))
    gain_db = np.minimum(0.0, (threshold_db - level) * (1 - 1 / ratio))
    gain = 10 ** (signal.lfilter([1 - a], [1, -a], gain_db) / 20)
    out = y * gain
    rms_in, rms_out = np.sqrt(np.mean(y**2)), np.sqrt(np.mean(out**2))
    return out * (rms_in / rms_out if rms_out > 0 else 1.0)


def colored_noise(n: int, *, color: str, seed: int) -> np.ndarray:
    """Unit-RMS noise of length ``n``: ``white``, ``pink`` (about 1/f) or ``brown`` (1/f^2)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(n)
    if color == "pink":  # Kellet's 3-pole approximation of a -3 dB/octave slope
        x = signal.lfilter(
            [0.049922035, -0.095993537, 0.050612699, -0.004408786],
            [1, -2.494956002, 2.017265875, -0.522189400],
            x,
        )
    elif color == "brown":  # leaky integrator: -6 dB/octave above ~7 Hz at 44.1 kHz
        x = signal.lfilter([1.0], [1.0, -0.999], x)
    rms = np.sqrt(np.mean(x**2)) if n else 0.0
    return x / rms if rms > 0 else x


def add_noise(y: np.ndarray, *, snr_db: float, color: str, seed: int) -> np.ndarray:
    """``y`` plus noise ``snr_db`` dB below its RMS (nothing is added to a silent signal)."""
    rms = np.sqrt(np.mean(y**2)) if len(y) else 0.0
    if rms <= 0:
        return y
    return y + colored_noise(len(y), color=color, seed=seed) * rms * 10 ** (-snr_db / 20)


def set_level(y: np.ndarray, *, peak_db: float) -> np.ndarray:
    """Scale ``y`` so that its peak is ``peak_db`` dBFS (a silent signal stays silent)."""
    peak = np.max(np.abs(y)) if len(y) else 0.0
    return y * (10 ** (peak_db / 20) / peak) if peak > 0 else y


@dataclass(frozen=True)
class EffectChain:
    """Parameters of one song's effect chain (see the functions above for their meaning).

    ``rt60 = 0`` skips the reverb, ``ratio = 1`` the compressor and ``snr_db = inf`` the noise;
    the level is always set (peak at ``peak_db`` dBFS).
    """

    bands: tuple = ()
    highpass: float = 0.0
    lowpass: float = 0.0
    rt60: float = 0.0
    wet: float = 0.0
    predelay: float = 0.01
    damping: float = 6000.0
    threshold_db: float = 0.0
    ratio: float = 1.0
    snr_db: float = float("inf")
    color: str = "white"
    peak_db: float = -1.0

    @classmethod
    def random(cls, rng: np.random.Generator) -> EffectChain:
        """A random chain: each effect is used in about half the songs or more."""
        bands = tuple(
            (
                str(rng.choice(["low", "high", "peak"])),
                float(np.exp(rng.uniform(4.38, 8.99))),
                float(rng.uniform(-8, 8)),
                float(rng.uniform(0.5, 2.0)),
            )  # 80 Hz .. 8 kHz
            for _ in range(int(rng.integers(0, 4)))
        )
        reverb_on, comp_on, noise_on = rng.random(3) < (0.6, 0.5, 0.5)
        return cls(
            bands=bands,
            highpass=float(rng.uniform(30, 200)) if rng.random() < 0.3 else 0.0,
            lowpass=float(np.exp(rng.uniform(8.0, 9.68))) if rng.random() < 0.3 else 0.0,
            rt60=float(rng.uniform(0.2, 2.5)) if reverb_on else 0.0,
            wet=float(rng.uniform(0.05, 0.45)),
            predelay=float(rng.uniform(0.0, 0.04)),
            damping=float(rng.uniform(2000, 12000)),
            threshold_db=float(rng.uniform(-30, -8)),
            ratio=float(rng.uniform(2, 8)) if comp_on else 1.0,
            snr_db=float(rng.uniform(15, 50)) if noise_on else float("inf"),
            color=str(rng.choice(["white", "pink", "brown"])),
            peak_db=float(rng.uniform(-13, -1)),
        )


def apply_effects(y: np.ndarray, *, sr: int, chain: EffectChain, seed: int) -> np.ndarray:
    """Run ``chain`` on mono ``y``: EQ, reverb, compression, noise, then level.

    Returns
    -------
    np.ndarray
        float32, same shape as ``y``, finite, peak at ``chain.peak_db`` dBFS (unless silent).
    """
    out = np.asarray(y, dtype=np.float64)
    if chain.bands or chain.highpass or chain.lowpass:
        out = equalize(
            out, sr=sr, bands=chain.bands, highpass=chain.highpass, lowpass=chain.lowpass
        )
    if chain.rt60 > 0 and chain.wet > 0:
        out = reverb(
            out,
            sr=sr,
            rt60=chain.rt60,
            wet=chain.wet,
            seed=seed,
            predelay=chain.predelay,
            damping=chain.damping,
        )
    if chain.ratio > 1:
        out = compress(out, sr=sr, threshold_db=chain.threshold_db, ratio=chain.ratio)
    if np.isfinite(chain.snr_db):
        out = add_noise(out, snr_db=chain.snr_db, color=chain.color, seed=seed + 1)
    out = set_level(out, peak_db=chain.peak_db)
    return np.nan_to_num(out).astype(np.float32)
