"""Tests for the render-time audio augmentation (EQ, reverb, compression, noise, level)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from chordview.generator import effects as fx

SR = 22050


def _tone(seconds=2.0, f=220.0):
    t = np.arange(int(seconds * SR)) / SR
    return (0.5 * np.sin(2 * np.pi * f * t) * np.exp(-3 * t)).astype(np.float32)


def _band_power(y, lo, hi):
    f, p = signal.welch(y, fs=SR, nperseg=2048)
    return p[(f >= lo) & (f < hi)].sum()


@pytest.mark.parametrize("k", range(8))
def test_random_chains_keep_length_finiteness_and_level(k):
    y = _tone()
    chain = fx.EffectChain.random(np.random.default_rng(k))
    out = fx.apply_effects(y, sr=SR, chain=chain, seed=k)
    assert out.shape == y.shape and out.dtype == np.float32
    assert np.all(np.isfinite(out))
    assert np.abs(out).max() == pytest.approx(10 ** (chain.peak_db / 20), rel=1e-4)
    assert -13 <= chain.peak_db <= -1
    again = fx.apply_effects(y, sr=SR, chain=chain, seed=k)
    assert np.array_equal(out, again)  # seeded


def test_chains_are_seeded_and_varied():
    chains = [fx.EffectChain.random(np.random.default_rng(k)) for k in range(40)]
    assert fx.EffectChain.random(np.random.default_rng(3)) == chains[3]
    assert sum(c.rt60 > 0 for c in chains) > 10 and sum(c.ratio > 1 for c in chains) > 10
    assert (
        sum(np.isfinite(c.snr_db) for c in chains) > 10 and sum(bool(c.bands) for c in chains) > 10
    )
    y = _tone()
    a = fx.apply_effects(y, sr=SR, chain=chains[0], seed=1)
    b = fx.apply_effects(y, sr=SR, chain=chains[1], seed=1)
    assert not np.array_equal(a, b)


def test_reverb_adds_a_decaying_tail_and_is_seeded():
    y = np.zeros(2 * SR)
    y[: SR // 10] = np.sin(2 * np.pi * 440 * np.arange(SR // 10) / SR)
    wet = fx.reverb(y, sr=SR, rt60=1.2, wet=0.4, seed=5)
    assert wet.shape == y.shape
    tail = slice(SR // 10 + SR // 20, SR)
    assert np.sqrt(np.mean(wet[tail] ** 2)) > 1e-3 > np.sqrt(np.mean(y[tail] ** 2))
    late = slice(int(1.5 * SR), 2 * SR)
    assert np.sqrt(np.mean(wet[late] ** 2)) < 0.1 * np.sqrt(np.mean(wet[tail] ** 2))
    longer = fx.reverb(y, sr=SR, rt60=2.0, wet=0.4, seed=5)
    assert np.sum(longer[late] ** 2) > np.sum(wet[late] ** 2)
    assert np.array_equal(wet, fx.reverb(y, sr=SR, rt60=1.2, wet=0.4, seed=5))
    assert not np.array_equal(wet, fx.reverb(y, sr=SR, rt60=1.2, wet=0.4, seed=6))


def test_eq_shelves_move_energy_where_asked():
    y = fx.colored_noise(2 * SR, color="white", seed=0)
    low = fx.equalize(y, sr=SR, bands=[("low", 200.0, 9.0, 0.7)])
    high = fx.equalize(y, sr=SR, bands=[("high", 4000.0, -9.0, 0.7)])
    peak = fx.equalize(y, sr=SR, bands=[("peak", 1000.0, 9.0, 2.0)])
    lp = fx.equalize(y, sr=SR, bands=[], lowpass=2000.0)
    assert _band_power(low, 20, 100) > 4 * _band_power(y, 20, 100)
    assert _band_power(high, 6000, 10000) < 0.25 * _band_power(y, 6000, 10000)
    assert _band_power(peak, 900, 1100) > 4 * _band_power(y, 900, 1100)
    assert _band_power(lp, 5000, 10000) < 1e-3 * _band_power(y, 5000, 10000)
    assert _band_power(low, 3000, 6000) == pytest.approx(_band_power(y, 3000, 6000), rel=0.1)


def test_compression_reduces_the_crest_factor_and_keeps_rms():
    y = np.concatenate([0.02 * _tone(1.0), 0.8 * _tone(1.0)])
    out = fx.compress(y, sr=SR, threshold_db=-20, ratio=6)
    loud, quiet = slice(SR + SR // 10, 2 * SR), slice(SR // 10, SR)  # after the detector settles

    def rms(x):
        return np.sqrt(np.mean(x**2))

    assert rms(out[loud]) / rms(out[quiet]) < 0.5 * rms(y[loud]) / rms(
        y[quiet]
    )  # >= 6 dB less range
    assert np.sqrt(np.mean(out**2)) == pytest.approx(np.sqrt(np.mean(y**2)), rel=1e-6)


@pytest.mark.parametrize("color", ["white", "pink", "brown"])
def test_noise_has_the_asked_snr_and_colour(color):
    y = _tone(3.0)
    out = fx.add_noise(y, snr_db=20.0, color=color, seed=2)
    noise = out - y
    snr = 10 * np.log10(np.mean(y**2) / np.mean(noise**2))
    assert snr == pytest.approx(20.0, abs=0.01)
    slope = _band_power(noise, 4000, 8000) / _band_power(noise, 250, 500)
    expected = {"white": 16.0, "pink": 1.0, "brown": 1 / 16}[color]  # per-octave power ratios
    assert expected / 3 < slope < expected * 3
    assert np.array_equal(out, fx.add_noise(y, snr_db=20.0, color=color, seed=2))


def test_level_and_silence():
    y = _tone()
    assert np.abs(fx.set_level(y, peak_db=-6.0)).max() == pytest.approx(10 ** (-6 / 20), rel=1e-6)
    silent = np.zeros(SR, dtype=np.float32)
    out = fx.apply_effects(
        silent, sr=SR, chain=fx.EffectChain.random(np.random.default_rng(0)), seed=0
    )
    assert np.all(np.isfinite(out)) and out.shape == silent.shape
