"""Shared fixtures: a tiny registered model bundle and generated audio."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SR = 44100


def chord_signal(midi_notes, *, seconds: float, sr: int = SR) -> np.ndarray:
    """Sum of decaying harmonic tones, mono float32."""
    t = np.arange(int(seconds * sr)) / sr
    y = np.zeros_like(t)
    for m in midi_notes:
        f = 440.0 * 2 ** ((m - 69) / 12)
        for h in range(1, 5):
            y += np.sin(2 * np.pi * f * h * t) / h
    y *= np.exp(-t / max(seconds, 1e-3) * 0.5)
    return (0.3 * y / max(1e-9, np.abs(y).max())).astype(np.float32)


@pytest.fixture(scope="session")
def tiny_bundle(tmp_path_factory):
    """A randomly initialised, very small UNet saved as a real bundle (fast to load and run)."""
    from chordview.architectures import build
    from chordview.bundle import save_bundle

    hp = {"filters": 2, "depth": 3, "collapse_filters": 8, "dilations": [1]}
    model = build("unet", **hp)
    path = tmp_path_factory.mktemp("bundles") / "tiny"
    return save_bundle(
        path,
        model=model,
        name="tiny",
        architecture="unet",
        hyper_parameters=hp,
        provenance={"note": "untrained test model"},
    )


@pytest.fixture
def wav_file(tmp_path):
    """Write ``seconds`` of a C major triad at ``sr`` with ``channels`` channels; return the path."""
    import soundfile as sf

    def make(name="song.wav", *, seconds=3.0, sr=SR, channels=1, subtype="PCM_16"):
        y = chord_signal([48, 52, 55, 60], seconds=seconds, sr=sr)
        data = np.stack([y] * channels, axis=1) if channels > 1 else y
        path = tmp_path / name
        sf.write(path, data, sr, subtype=subtype)
        return path

    return make
