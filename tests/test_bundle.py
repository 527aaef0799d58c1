"""Bundles: self-describing JSON, sha256 checked on load, pickle-free."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from chordview.bundle import bundled_names, load_bundle, read_meta
from chordview.errors import ModelError


def test_round_trip_keeps_weights_and_metadata(tiny_bundle):
    b = load_bundle(tiny_bundle)
    meta = read_meta(tiny_bundle)
    assert meta["architecture"] == "unet" and len(meta["vocabulary"]["chord_tag"]) == 170
    assert meta["vocabulary"]["chord_tag"][168] == "N"
    assert meta["features"]["hop_length"] == 4096 and meta["decoder"]["self_transition"] > 0
    x = np.zeros((1, 16, 216, 1), dtype="float32")
    again = load_bundle(tiny_bundle)
    np.testing.assert_array_equal(
        np.asarray(b.model(x)["chord_tag"]), np.asarray(again.model(x)["chord_tag"])
    )
    assert not list(tiny_bundle.glob("*.pkl"))


def test_tampered_weights_are_refused(tiny_bundle, tmp_path):
    copy = tmp_path / "tampered"
    shutil.copytree(tiny_bundle, copy)
    weights = copy / "model.weights.h5"
    data = bytearray(weights.read_bytes())
    data[-100] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="sha256"):
        load_bundle(copy)


def test_corrupt_description_is_refused(tiny_bundle, tmp_path):
    copy = tmp_path / "corrupt"
    shutil.copytree(tiny_bundle, copy)
    (copy / "bundle.json").write_text("{not json")
    with pytest.raises(ModelError, match="corrupt"):
        load_bundle(copy)
    (copy / "bundle.json").write_text(json.dumps({"format": "something-else"}))
    with pytest.raises(ModelError, match="not a chordview bundle"):
        load_bundle(copy)


@pytest.mark.parametrize("shifts", [[], [0.5], [0, 1.0], [7], "0", [True], [0, 0, 1], [-1, 1]])
def test_bad_pitch_shifts_are_refused(tiny_bundle, tmp_path, shifts):
    copy = tmp_path / "shifts"
    shutil.copytree(tiny_bundle, copy)
    meta = read_meta(copy)
    meta["decoder"]["pitch_shifts"] = shifts
    (copy / "bundle.json").write_text(json.dumps(meta))
    with pytest.raises(ModelError, match="pitch_shifts must be distinct whole semitones"):
        load_bundle(copy)


@pytest.mark.parametrize(
    "decoder, message",
    [
        (None, "decoder must be a mapping"),
        ([0.9], "decoder must be a mapping"),
        ({"self_transition": 1.0}, "self_transition must lie between 0 and 1"),
        ({"self_transition": "0.9"}, "self_transition must be a number"),
        ({"min_bass_confidence": -0.1}, "min_bass_confidence must lie between 0 and 1"),
    ],
)
def test_bad_decoder_settings_are_refused(tiny_bundle, tmp_path, decoder, message):
    copy = tmp_path / "decoder"
    shutil.copytree(tiny_bundle, copy)
    meta = read_meta(copy)
    meta["decoder"] = decoder
    (copy / "bundle.json").write_text(json.dumps(meta))
    with pytest.raises(ModelError, match=message):
        load_bundle(copy)


def test_a_bundle_without_pitch_shifts_runs_the_network_once(tiny_bundle, tmp_path):
    copy = tmp_path / "old"
    shutil.copytree(tiny_bundle, copy)
    meta = read_meta(copy)
    del meta["decoder"]["pitch_shifts"]
    (copy / "bundle.json").write_text(json.dumps(meta))
    assert load_bundle(copy).decoder["pitch_shifts"] == [0]


def test_features_that_do_not_fit_the_network_are_refused(tiny_bundle, tmp_path):
    from chordview.features import FeatureSpec

    copy = tmp_path / "hcqt-claim"
    shutil.copytree(tiny_bundle, copy)
    meta = json.loads((copy / "bundle.json").read_text())
    meta["features"] = FeatureSpec(harmonics=(1, 2)).to_dict()  # the network takes one channel
    (copy / "bundle.json").write_text(json.dumps(meta))
    with pytest.raises(ModelError, match=r"takes input \(216, 1\).*give \(216, 2\)"):
        load_bundle(copy)


def test_a_several_channel_keras_file_is_refused_for_analysis(tmp_path):
    from chordview.analysis import analyze
    from chordview.architectures import build

    path = tmp_path / "hcqt.keras"
    build("unet", filters=2, depth=3, collapse_filters=8, dilations=[1], n_channels=3).save(path)
    with pytest.raises(ModelError, match="3 input channels.*use its bundle"):
        analyze(y=np.zeros(44100 * 2, dtype=np.float32), sr=44100, model=path, device="cpu")


def test_unknown_name_lists_the_bundled_models():
    with pytest.raises(ModelError, match="no model named"):
        load_bundle("no-such-model")


def test_shipped_bundles_are_listed_and_load():
    names = bundled_names()
    assert {"unet", "cr2"} <= set(names)
    for name in ("unet", "cr2"):
        meta = read_meta(load_bundle(name).path)
        assert meta["provenance"]["training_hours"] > 0
