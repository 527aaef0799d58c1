"""The shipped bundles end to end: they fit the contract and recognise chords on unseen audio.

The demo song was rendered with the held-out soundfont (scripts/make_demo.py), so these are
quality floors on audio no shipped model has heard.
"""

from __future__ import annotations

from pathlib import Path

import jams
import keras
import mir_eval
import numpy as np
import pytest

from chordview.assets import demo_reference, demo_song
from chordview.cli import main

pytestmark = pytest.mark.slow
DEMO = demo_song()
FLOORS = {"unet": {"majmin": 0.8, "root": 0.8}, "cr2": {"majmin": 0.7, "root": 0.7}}


def _scores(lab: Path) -> dict[str, float]:
    ref = jams.load(str(demo_reference())).search(namespace="chord")[0]
    ref_int, ref_lab = ref.to_interval_values()
    est_int, est_lab = mir_eval.io.load_labeled_intervals(str(lab))
    return mir_eval.chord.evaluate(ref_int, ref_lab, est_int, est_lab)


@pytest.mark.parametrize("model", ["unet", "cr2"])
def test_shipped_model_recognises_the_demo_song(model, tmp_path, capsys):
    assert main(["analyze", str(DEMO), "--model", model, "-o", str(tmp_path), "-q"]) == 0
    scores = _scores(tmp_path / "demo.lab")
    for metric, floor in FLOORS[model].items():
        assert scores[metric] >= floor, f"{model} {metric} {scores[metric]:.3f} < {floor}"
    jam = jams.load(str(tmp_path / "demo.jams"))
    assert model in jam.annotations[0].annotation_metadata.data_source


@pytest.mark.parametrize("model", ["unet", "cr2"])
def test_check_model_accepts_the_shipped_bundles(model, capsys):
    assert main(["check-model", model]) == 0
    assert "fits" in capsys.readouterr().out


def test_check_model_names_each_fault_of_the_seed_unet_head(tmp_path, capsys):
    x = keras.Input((1, None, 216))
    h = keras.layers.Conv2D(51, 3, padding="same", activation="relu", data_format="channels_first")(
        x
    )
    heads = [
        keras.layers.Conv2D(n, 1, activation=act, data_format="channels_first", name=name)(h)
        for name, n, act in [
            ("chord_tag", 170, "softmax"),
            ("chord_pitch", 12, "sigmoid"),
            ("chord_root", 13, "softmax"),
            ("chord_bass", 13, "softmax"),
        ]
    ]
    path = tmp_path / "seed_unet.keras"
    keras.Model(x, heads).save(path)
    assert main(["check-model", str(path)]) != 0
    out = capsys.readouterr().out
    assert "chord_root has shape (None, 13, None, 216)" in out
    assert "collapse the frequency axis" in out
    for head in ("chord_tag", "chord_root", "chord_bass"):
        assert f"{head} rows do not sum to 1" in out


def test_models_lists_provenance_and_scores(capsys):
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    assert "unet" in out and "cr2" in out and "79,976" not in out  # cr2 ships with 1 channel
    assert "command: chordview train" in out and "decoder: self-transition 0.9" in out


def test_shipped_bundles_are_small():
    root = Path(__file__).resolve().parent.parent / "models"
    sizes = {p.parent.name: p.stat().st_size for p in root.glob("*/model.weights.h5")}
    assert set(sizes) >= {"unet", "cr2"} and max(sizes.values()) < 8 * 2**20
    assert np.all([s > 100_000 for s in sizes.values()])
