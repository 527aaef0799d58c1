"""Windowed inference equals one pass over the whole input, and reports its device."""

from __future__ import annotations

import numpy as np
import pytest

from chordview.bundle import load_bundle
from chordview.errors import ChordviewError
from chordview.inference import Predictor, predict, resolve_device


@pytest.mark.parametrize("n_frames", [1, 300, 1001, 2500])
def test_windows_match_a_single_pass(tiny_bundle, n_frames):
    predictor = Predictor(load_bundle(tiny_bundle).model, device="cpu")
    x = np.random.default_rng(0).normal(-40, 12, (n_frames, 216, 1)).astype(np.float32)
    whole = predict(x, predictor=predictor, window=4096, margin=64)
    seen = []
    windowed = predict(x, predictor=predictor, window=256, margin=64, progress=seen.append)
    for head, arr in whole.items():
        assert windowed[head].shape == arr.shape == (n_frames, arr.shape[1])
        np.testing.assert_allclose(windowed[head], arr, atol=2e-4)
    assert seen[-1] == 1.0 and seen == sorted(seen)


def test_device_is_named_and_a_missing_gpu_is_a_clear_error():
    assert resolve_device("cpu") == "CPU"
    assert resolve_device("auto") in {"CPU"} | {f"GPU:{i}" for i in range(8)}
    if resolve_device("auto") == "CPU":
        with pytest.raises(ChordviewError, match="no GPU"):
            resolve_device("gpu")
    with pytest.raises(ChordviewError, match="unknown device"):
        resolve_device("tpu")
