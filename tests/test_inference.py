"""Windowed inference equals one pass over the whole input, and reports its device."""

from __future__ import annotations

import numpy as np
import pytest

from chordview.bundle import default_vocabulary, load_bundle
from chordview.errors import ChordviewError, ModelError
from chordview.inference import Predictor, predict, predict_shifted, resolve_device
from chordview.vocab import PITCH_CLASSES, ROOT_CLASSES, tag_classes, transposition


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


class _PitchReader:
    """A transparent stand-in for a network: it names the pitch class of the loudest CQT bin
    (bin 0 is C, 3 bins per semitone) as pitch, root, bass and major-chord tag, one-hot."""

    device = "CPU"
    align = 1  # frame-wise: any window start sees what one pass would

    def __call__(self, x):
        pcs = (x[0, :, :, 0].argmax(axis=1) // 3) % 12
        n, tags = len(pcs), list(tag_classes())
        out = {
            "chord_pitch": np.zeros((1, n, 12)),
            "chord_root": np.zeros((1, n, 13)),
            "chord_bass": np.zeros((1, n, 13)),
            "chord_tag": np.zeros((1, n, 170)),
        }
        for t, pc in enumerate(pcs):
            for head in ("chord_pitch", "chord_root", "chord_bass"):
                out[head][0, t, pc] = 1
            out["chord_tag"][0, t, tags.index(f"{PITCH_CLASSES[pc]}:maj")] = 1
        return out


def test_pitch_shift_averaging_moves_every_head_back_to_the_input_key():
    x = np.full((40, 216, 1), -80.0, dtype=np.float32)
    x[:20, 3 * 4 + 72] = 0.0  # E3, then
    x[20:, 3 * 10 + 36] = 0.0  # A#2
    seen = []
    out = predict_shifted(
        x,
        predictor=_PitchReader(),
        shifts=[-2, -1, 0, 1, 2],
        bins_per_semitone=3,
        vocabulary=default_vocabulary(),
        progress=seen.append,
    )
    tags = tag_classes()
    for frames, pc in ((slice(0, 20), 4), (slice(20, 40), 10)):
        for head in ("chord_pitch", "chord_root", "chord_bass"):
            np.testing.assert_array_equal(out[head][frames].argmax(axis=1), pc)
            np.testing.assert_allclose(out[head][frames].max(axis=1), 1.0)  # all copies agree
        assert {tags[i] for i in out["chord_tag"][frames].argmax(axis=1)} == {
            f"{PITCH_CLASSES[pc]}:maj"
        }
        np.testing.assert_allclose(out["chord_tag"][frames].max(axis=1), 1.0)
    assert seen[-1] == 1.0 and seen == sorted(seen)


def test_one_shift_is_a_plain_prediction(tiny_bundle):
    bundle = load_bundle(tiny_bundle)
    predictor = Predictor(bundle.model, device="cpu")
    x = np.random.default_rng(1).normal(-40, 12, (300, 216, 1)).astype(np.float32)
    plain = predict(x, predictor=predictor)
    same = predict_shifted(
        x, predictor=predictor, shifts=[0], bins_per_semitone=3, vocabulary=bundle.vocabulary
    )
    for head, arr in plain.items():
        np.testing.assert_array_equal(same[head], arr)
    averaged = predict_shifted(
        x, predictor=predictor, shifts=[-1, 0, 1], bins_per_semitone=3, vocabulary=bundle.vocabulary
    )
    np.testing.assert_allclose(averaged["chord_tag"].sum(axis=1), 1.0, rtol=1e-5)


def test_transposition_is_a_permutation_and_a_vocabulary_must_be_closed():
    tags = tag_classes()
    for s in range(-6, 7):
        up, down = transposition(tags, s), transposition(tags, -s)
        assert sorted(up) == list(range(len(tags))) and list(up[down]) == list(range(len(tags)))
    assert tags[transposition(tags, 3)[tags.index("A:min7")]] == "C:min7"
    assert list(transposition(ROOT_CLASSES, 1)) == [*range(1, 12), 0, 12]  # N stays
    vocabulary = {**default_vocabulary(), "chord_tag": ["C:maj", "G:maj", *tags[2:]]}
    with pytest.raises(ModelError, match="chord_tag: cannot average over pitch shifts"):
        predict_shifted(
            np.zeros((8, 216, 1), np.float32),
            predictor=_PitchReader(),
            shifts=[1],
            bins_per_semitone=3,
            vocabulary=vocabulary,
        )


def test_window_alignment_comes_from_the_architecture(tiny_bundle):
    from chordview.analysis import Analyzer
    from chordview.architectures import UNKNOWN_ALIGNMENT, time_alignment

    assert time_alignment("unet", depth=3) == 8
    assert time_alignment("unet", depth=5, pool_time=False) == 1
    assert time_alignment("cr2", conv_filters=4) == 1
    assert time_alignment(None) == UNKNOWN_ALIGNMENT
    assert Analyzer(tiny_bundle, device="cpu").predictor.align == 8  # the tiny UNet has depth 3
    assert Analyzer("cr2", device="cpu").predictor.align == 1


def test_a_deep_pooling_factor_rounds_the_windows_onto_its_grid(tiny_bundle):
    predictor = Predictor(load_bundle(tiny_bundle).model, device="cpu", align=128)
    x = np.random.default_rng(1).normal(-40, 12, (1100, 216, 1)).astype(np.float32)
    whole = predict(x, predictor=predictor, window=4096, margin=64)
    windowed = predict(x, predictor=predictor, window=300, margin=64)  # neither on the grid
    for head, arr in whole.items():
        np.testing.assert_allclose(windowed[head], arr, atol=2e-4)
