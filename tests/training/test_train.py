"""`chordview train` end to end on a few rendered songs: bundle written, resumable; augmentation."""

from __future__ import annotations

import json

import numpy as np
import pytest

from chordview.bundle import load_bundle, read_meta
from chordview.cli import main
from chordview.generator.synth import HELDOUT_SOUNDFONT, render_dataset
from chordview.training.augment import pitch_shift, tag_transposition
from chordview.training.schedule import cosine_rate
from chordview.vocab import tag_classes


def test_train_writes_a_loadable_bundle_and_resumes(tmp_path, capsys):
    data = tmp_path / "data"
    render_dataset(
        data, n_songs=3, seed=5, soundfonts=[HELDOUT_SOUNDFONT()], duration=15.0, workers=1
    )
    out, run = tmp_path / "bundle", tmp_path / "run"
    common = [
        "train",
        str(data),
        "--val",
        str(data),
        "--arch",
        "unet",
        "-o",
        str(out),
        "--run-dir",
        str(run),
        "--steps",
        "2",
        "--batch-size",
        "2",
        "--frames",
        "32",
        "--workers",
        "1",
        "--hp",
        "filters=2",
        "--hp",
        "collapse_filters=8",
        "--hp",
        "dilations=[1]",
    ]
    assert main([*common, "--epochs", "2"]) == 0
    assert json.loads((run / "state.json").read_text())["epoch"] == 2
    # The learning-rate schedule resumes where it stopped: one more epoch without progress after
    # one already counted halves the rate (patience 2), as in an uninterrupted run.
    state = json.loads((run / "state.json").read_text())
    assert (
        state["learning_rate"] == pytest.approx(1e-3) and state["plateau"]["cooldown_counter"] == 0
    )
    state["plateau"].update(best=-1e9, wait=1)  # an unbeatable best, one epoch waited
    (run / "state.json").write_text(json.dumps(state))
    assert main([*common, "--epochs", "3"]) == 0
    assert "resuming after epoch 2" in capsys.readouterr().out
    state = json.loads((run / "state.json").read_text())
    assert state["learning_rate"] == pytest.approx(5e-4) and state["plateau"]["wait"] == 0
    meta = read_meta(out)
    assert meta["provenance"]["config"]["epochs"] == 3 and meta["provenance"]["n_tracks"] == 3
    assert meta["provenance"]["command"].startswith("chordview train")
    assert meta["hyper_parameters"] == {"filters": 2, "collapse_filters": 8, "dilations": [1]}
    model = load_bundle(out).model
    x = np.zeros((1, 40, 216, 1), dtype="float32")
    assert np.asarray(model(x)["chord_tag"]).shape == (1, 40, 170)


def test_pitch_shift_moves_bins_and_transposes_every_label():
    classes = tag_classes()
    rng = np.random.default_rng(0)
    x = rng.normal(-40, 10, (5, 216, 1)).astype(np.float32)
    c_maj, e_min = classes.index("C:maj"), classes.index("E:min")
    labels = {
        "chord_tag": np.array([c_maj, c_maj, e_min, 168, 169]),
        "chord_root": np.array([0, 0, 4, 12, 12]),
        "chord_bass": np.array([4, 4, 4, 12, 12]),
        "chord_pitch": np.zeros((5, 12), dtype=np.float32),
    }
    labels["chord_pitch"][0, [0, 4, 7]] = 1
    y, shifted = pitch_shift(x, labels, semitones=2, bins_per_semitone=3)
    np.testing.assert_array_equal(y[:, 6:], x[:, :-6])
    assert np.all(y[:, :6] == x.min())
    assert [classes[i] for i in shifted["chord_tag"]] == ["D:maj", "D:maj", "F#:min", "N", "X"]
    assert list(shifted["chord_root"]) == [2, 2, 6, 12, 12]
    assert list(shifted["chord_bass"]) == [6, 6, 6, 12, 12]
    assert list(np.flatnonzero(shifted["chord_pitch"][0])) == [2, 6, 9]
    for k in range(-6, 7):  # every transposition is a permutation that keeps N and X
        table = tag_transposition(k)
        assert sorted(table) == list(range(170)) and table[168] == 168 and table[169] == 169


def test_train_on_harmonic_cqt_writes_a_bundle_that_analyses(tmp_path):
    from chordview.analysis import analyze
    from chordview.audio import load_audio
    from chordview.features import compute_features

    data = tmp_path / "data"
    render_dataset(
        data, n_songs=2, seed=6, soundfonts=[HELDOUT_SOUNDFONT()], duration=10.0, workers=1
    )
    out = tmp_path / "bundle"
    assert (
        main(
            [
                "train",
                str(data),
                "--arch",
                "cr2",
                "-o",
                str(out),
                "--run-dir",
                str(tmp_path / "r"),
                "--epochs",
                "1",
                "--steps",
                "1",
                "--batch-size",
                "2",
                "--frames",
                "32",
                "--workers",
                "1",
                "--harmonics",
                "0.5,1,2,3",
            ]
        )
        == 0
    )
    meta = read_meta(out)
    assert meta["features"]["kind"] == "hcqt" and meta["features"]["n_channels"] == 4
    assert meta["features"]["harmonics"] == [0.5, 1.0, 2.0, 3.0]
    assert meta["hyper_parameters"] == {"n_channels": 4}
    bundle = load_bundle(out)
    assert bundle.model.input_shape[-1] == 4
    song = next(data.glob("*.flac"))
    result = analyze(song, model=out, device="cpu")
    assert result.segments
    feats = compute_features(load_audio(song, sr=44100), spec=bundle.features)
    np.testing.assert_array_equal(result.cqt, feats[:, :, 1])  # the display shows harmonic 1


@pytest.mark.parametrize("given", ["1,1", "0,1", "1,x", "1,40"])
def test_train_refuses_bad_harmonics_in_one_line(tmp_path, capsys, given):
    assert main(["train", str(tmp_path), "-o", str(tmp_path / "b"), "--harmonics", given]) != 0
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "--harmonics" in err and "Traceback" not in err


def test_a_run_resumes_only_with_the_same_inputs(tmp_path, capsys):
    data = tmp_path / "data"
    render_dataset(
        data, n_songs=1, seed=7, soundfonts=[HELDOUT_SOUNDFONT()], duration=8.0, workers=1
    )
    out, run = tmp_path / "bundle", tmp_path / "run"
    common = [
        "train",
        str(data),
        "-o",
        str(out),
        "--run-dir",
        str(run),
        "--epochs",
        "1",
        "--steps",
        "1",
        "--batch-size",
        "1",
        "--frames",
        "32",
        "--workers",
        "1",
        "--hp",
        "filters=2",
        "--hp",
        "collapse_filters=8",
        "--hp",
        "dilations=[1]",
    ]
    assert main(common) == 0
    before = (out / "bundle.json").read_bytes()
    capsys.readouterr()
    other = tmp_path / "other"
    other.mkdir()
    for extra in (
        ["--harmonics", "1,2"],
        ["--hp", "depth=3"],
        ["--seed", "1"],
        ["--val", str(data)],
    ):
        assert main([*common, *extra]) != 0
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0 and "use another --run-dir" in err and "Traceback" not in err
    # the same songs under another folder are other data: refused before any caching
    for song in data.iterdir():
        (other / song.name).symlink_to(song)
    assert main(["train", str(other), *common[2:]]) != 0
    captured = capsys.readouterr()
    assert f"with other training data ({data} there, {other} now)" in captured.err
    assert "caching features" not in captured.out
    assert main(["train", str(tmp_path / "typo"), *common[2:]]) != 0
    assert capsys.readouterr().err.strip().endswith("typo: no such folder")
    assert (out / "bundle.json").read_bytes() == before  # the finished bundle is untouched
    # a run recorded before the source was: resumed whatever the seed (nothing to compare)
    state = json.loads((run / "state.json").read_text())
    assert state["source"]["seed"] == 0
    del state["source"]
    (run / "state.json").write_text(json.dumps(state))
    assert main([*common, "--seed", "1", "--epochs", "2"]) == 0
    assert "resuming after epoch 1" in capsys.readouterr().out
    assert json.loads((run / "state.json").read_text())["source"]["seed"] == 1
    assert main([*common, "--hp", "n_channels=1", "--harmonics", "1,2"]) != 0
    assert "contradicts the features" in capsys.readouterr().err


def test_cosine_rate_falls_from_the_rate_to_a_hundredth():
    rates = [cosine_rate(e, 36, 1e-3) for e in range(36)]
    assert rates[0] == pytest.approx(1e-3) and rates[-1] == pytest.approx(1e-5)
    assert all(a > b for a, b in zip(rates, rates[1:], strict=False))
    assert rates[17] == pytest.approx(5.05e-4, rel=0.05)  # half-way: about half the rate
    assert cosine_rate(0, 1, 2e-3) == pytest.approx(2e-3)  # a one-epoch run keeps its rate


def test_cosine_schedule_sets_each_epochs_rate_and_resumes_exactly(tmp_path, capsys):
    data = tmp_path / "data"
    render_dataset(
        data, n_songs=1, seed=7, soundfonts=[HELDOUT_SOUNDFONT()], duration=8.0, workers=1
    )
    out, run = tmp_path / "bundle", tmp_path / "run"
    common = [
        "train",
        str(data),
        "-o",
        str(out),
        "--run-dir",
        str(run),
        "--steps",
        "1",
        "--batch-size",
        "1",
        "--frames",
        "32",
        "--workers",
        "1",
        "--lr-schedule",
        "cosine",
        "--hp",
        "filters=2",
        "--hp",
        "collapse_filters=8",
        "--hp",
        "dilations=[1]",
    ]
    assert main([*common, "--epochs", "3"]) == 0

    def rates():
        lines = (run / "log.csv").read_text().splitlines()
        column = lines[0].split(",").index("learning_rate")
        return [float(line.split(",")[column]) for line in lines[1:]]

    assert rates() == pytest.approx([1e-3, 5.05e-4, 1e-5])
    assert read_meta(out)["provenance"]["config"]["lr_schedule"] == "cosine"
    # stopped after epoch 2: the resumed run trains epoch 3 at the rate of epoch 3
    state = json.loads((run / "state.json").read_text())
    assert state["learning_rate"] == pytest.approx(1e-5) and "plateau" not in state
    (run / "state.json").write_text(json.dumps({**state, "epoch": 2}))
    assert main([*common, "--epochs", "3"]) == 0
    assert "resuming after epoch 2" in capsys.readouterr().out
    assert rates()[-1] == pytest.approx(1e-5)
    # another length or another schedule would not continue the same run: refused in one line
    for changed in (["--epochs", "4"], ["--epochs", "3", "--lr-schedule", "plateau"]):
        assert main([*common, *changed]) != 0
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0 and "use another --run-dir" in err and "Traceback" not in err
