"""The three faults of the seed UNet are avoided: per-frame heads, softmax over classes, 1x1 heads."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from chordview.architectures import build
from chordview.contract import HEADS, output_problems
from chordview.errors import ModelError


def test_cr2_has_exactly_the_seed_parameter_count():
    assert build("cr2", n_channels=3).count_params() == 79_976


@pytest.mark.parametrize("arch", ["unet", "cr2"])
@pytest.mark.parametrize("n_frames", [1, 7, 1000])
def test_outputs_are_per_frame_distributions(arch, n_frames):
    model = build(arch)
    x = np.random.default_rng(0).normal(-40, 15, (1, n_frames, 216, 1)).astype("float32")
    out = {k: np.asarray(v)[0] for k, v in model(x, training=False).items()}
    assert {k: v.shape for k, v in out.items()} == {k: (n_frames, w) for k, w in HEADS.items()}
    for head in ("chord_root", "chord_bass", "chord_tag"):
        np.testing.assert_allclose(out[head].sum(axis=1), 1.0, atol=1e-5)
    assert out["chord_pitch"].min() >= 0 and out["chord_pitch"].max() <= 1
    assert output_problems(out) == []


def test_unet_has_no_recurrent_or_dense_layer():
    forbidden = (
        keras.layers.RNN,
        keras.layers.GRU,
        keras.layers.LSTM,
        keras.layers.SimpleRNN,
        keras.layers.Bidirectional,
        keras.layers.Dense,
        keras.layers.TimeDistributed,
    )
    layers = build("unet").layers
    assert not [layer.name for layer in layers if isinstance(layer, forbidden)]
    assert any(
        isinstance(layer, keras.layers.Conv1D) and layer.name == "chord_tag" for layer in layers
    )


def test_unet_collapses_frequency_before_the_heads():
    model = build("unet")
    for name in HEADS:
        assert model.get_layer(name).output.shape[1:] == (None, HEADS[name])


def test_one_by_one_convolution_equals_time_distributed_dense():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 9, 20)).astype("float32")
    conv = keras.layers.Conv1D(13, 1, activation="softmax")
    dense = keras.layers.Dense(13, activation="softmax")
    td = keras.layers.TimeDistributed(keras.layers.Dense(13, activation="softmax"))
    y_conv = np.asarray(conv(x))
    kernel, bias = conv.get_weights()  # kernel (1, 20, 13)
    dense.build((None, 9, 20))
    dense.set_weights([kernel[0], bias])
    td.build((None, 9, 20))
    td.set_weights([kernel[0], bias])
    np.testing.assert_allclose(np.asarray(dense(x)), y_conv, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.asarray(td(x)), y_conv, rtol=1e-5, atol=1e-6)


def test_channels_first_softmax_normalises_frequency_not_classes():
    """The seed's fault (2), shown: Keras's softmax runs over the last axis."""
    x = keras.Input((4, None, 216))
    y = keras.layers.Conv2D(13, 1, activation="softmax", data_format="channels_first")(x)
    out = np.asarray(keras.Model(x, y)(np.random.default_rng(2).normal(size=(1, 4, 5, 216))))
    np.testing.assert_allclose(out.sum(axis=-1), 1.0, atol=1e-5)  # over frequency
    assert np.abs(out.sum(axis=1) - 1.0).max() > 0.5  # not over the 13 classes


def test_unet_serialises_without_lambda_layers(tmp_path):
    model = build("unet", filters=2, collapse_filters=8, dilations=[1])
    path = tmp_path / "m.keras"
    model.save(path)
    again = keras.saving.load_model(path, safe_mode=True)
    x = np.random.default_rng(3).normal(size=(1, 11, 216, 1)).astype("float32")
    np.testing.assert_allclose(
        np.asarray(again(x)["chord_tag"]), np.asarray(model(x)["chord_tag"]), atol=1e-6
    )


def test_unknown_architecture_is_a_model_error():
    with pytest.raises(ModelError, match="unknown architecture"):
        build("transformer")


ABLATIONS = [
    {"collapse": "pool"},
    {"collapse": "attention", "attention_heads": 2},
    {"pool_time": False},
    {"dilations": []},
    {"structured": False},
]


@pytest.mark.parametrize(
    "hp", ABLATIONS, ids=lambda hp: "-".join(f"{k}={v}" for k, v in hp.items())
)
def test_unet_ablations_keep_the_contract_and_serialise(hp, tmp_path):
    model = build("unet", filters=2, collapse_filters=8, **hp)
    rng = np.random.default_rng(4)
    for n_frames in (1, 13):
        x = rng.normal(-40, 15, (2, n_frames, 216, 1)).astype("float32")
        out = {k: np.asarray(v)[0] for k, v in model(x, training=False).items()}
        assert output_problems(out) == [], hp
        assert out["chord_tag"].shape == (n_frames, 170)
    path = tmp_path / "m.keras"
    model.save(path)
    again = keras.saving.load_model(path, safe_mode=True)
    np.testing.assert_allclose(
        np.asarray(again(x)["chord_tag"]), np.asarray(model(x)["chord_tag"]), atol=1e-6
    )


def test_frequency_attention_weights_frequency_per_frame():
    """Attention collapses frequency (softmax over bins), not the channels or the time axis."""
    from chordview.architectures.layers import FrequencyAttention

    x = np.zeros((1, 2, 5, 3), "float32")
    x[0, :, 4, :] = [1.0, 2.0, 3.0]  # frame features sit in bin 4
    scores = np.full((1, 2, 5, 1), -30.0, "float32")
    scores[0, :, 4, 0] = 30.0  # attend to bin 4 only
    out = np.asarray(FrequencyAttention()([x, scores]))
    np.testing.assert_allclose(out, [[[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]]], atol=1e-5)
    uniform = np.asarray(FrequencyAttention()([x, np.zeros_like(scores)]))
    np.testing.assert_allclose(uniform, out / 5, atol=1e-6)  # equal weights: the mean over bins


def test_unet_rejects_an_unknown_collapse():
    with pytest.raises(ValueError, match="collapse"):
        build("unet", collapse="flatten")
