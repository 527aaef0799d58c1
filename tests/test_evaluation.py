"""`chordview evaluate` and the scoring under it: mir_eval metrics per track, the two summaries
over a set, JAMS and LAB references, the written table and JSON, and the record in a bundle."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from chordview.bundle import load_bundle, read_meta
from chordview.cli import main
from chordview.contract import OUTPUT_OFFSET
from chordview.errors import AnnotationError
from chordview.evaluation import (
    CHORD_METRICS,
    SEGMENT_METRICS,
    find_references,
    load_reference,
    score,
    summarise,
)
from chordview.generator.synth import HELDOUT_SOUNDFONT, render_dataset


def test_a_perfect_estimate_scores_one_on_every_metric():
    intervals = np.array([[0.0, 2.0], [2.0, 3.5], [3.5, 4.0]])
    labels = ["C:maj7/3", "G:7", "N"]
    s = score(intervals, labels, intervals, labels)
    assert all(s[m] == pytest.approx(1.0) for m in (*CHORD_METRICS, *SEGMENT_METRICS))
    assert s["duration"] == pytest.approx(4.0)


def test_each_metric_counts_the_time_it_should():
    ref = np.array([[0.0, 2.0], [2.0, 4.0]])
    # the second chord: right root, wrong third for 1 s of 4; then 1 s of nothing estimated
    s = score(ref, ["C:maj", "A:min7"], np.array([[0.0, 2.0], [2.0, 3.0]]), ["C:maj", "A:maj7"])
    assert s["root"] == pytest.approx(0.75)  # C right 2 s, A right 1 s, the N second wrong
    assert s["majmin"] == pytest.approx(0.5) and s["thirds"] == pytest.approx(0.5)
    assert s["duration"] == pytest.approx(4.0)
    # an inversion is wrong only for the metrics that read the bass
    s = score(ref, ["C:maj/5", "G:maj"], ref, ["C:maj", "G:maj"])
    assert s["majmin"] == pytest.approx(1.0) and s["majmin_inv"] == pytest.approx(0.5)


def test_the_set_is_summarised_weighted_by_duration_and_as_a_mean_of_tracks():
    per_track = {
        "long": {**dict.fromkeys((*CHORD_METRICS, *SEGMENT_METRICS), 1.0), "duration": 30.0},
        "short": {**dict.fromkeys((*CHORD_METRICS, *SEGMENT_METRICS), 0.0), "duration": 10.0},
    }
    summary = summarise(per_track)
    assert summary["weighted"]["majmin"] == pytest.approx(0.75)
    assert summary["mean"]["majmin"] == pytest.approx(0.5)
    assert set(summary["weighted"]) == {*CHORD_METRICS, *SEGMENT_METRICS}


def test_references_are_found_beside_the_audio_jams_first(tmp_path):
    for name in ("a.flac", "a.jams", "a.lab", "b.wav", "b.lab", "c.mp3", "notes.txt"):
        (tmp_path / name).write_bytes(b"")
    pairs = [(audio.name, ref.name) for audio, ref in find_references(tmp_path)]
    assert pairs == [("a.flac", "a.jams"), ("b.wav", "b.lab")]  # c.mp3 has no reference


def test_an_unreadable_reference_is_one_clear_error(tmp_path):
    bad = tmp_path / "x.lab"
    bad.write_text("0.0 1.0 C:maj\n1.0 2.0 H:nonsense\n")
    with pytest.raises(AnnotationError, match="x.lab: cannot read chord annotation"):
        load_reference(bad)


@pytest.fixture(scope="module")
def scored_folder(tmp_path_factory):
    """Two rendered songs on the held-out soundfont: one referenced by JAMS, one by LAB."""
    folder = tmp_path_factory.mktemp("eval")
    render_dataset(
        folder, n_songs=2, seed=11, soundfonts=[HELDOUT_SOUNDFONT()], duration=10.0, workers=1
    )
    jam = sorted(folder.glob("*.jams"))[1]
    intervals, labels = load_reference(jam)
    lab = "".join(
        f"{a:.6f}\t{b:.6f}\t{lab}\n" for (a, b), lab in zip(intervals, labels, strict=True)
    )
    jam.with_suffix(".lab").write_text(lab)
    jam.unlink()
    return folder


def test_evaluate_writes_the_table_and_json_and_records_in_the_bundle(
    scored_folder, tiny_bundle, tmp_path, capsys, monkeypatch
):
    bundle = tmp_path / "tiny"
    shutil.copytree(tiny_bundle, bundle)
    out = tmp_path / "result"
    args = [
        "evaluate",
        str(scored_folder),
        "--model",
        str(bundle),
        "--device",
        "cpu",
        "-o",
        str(out),
        "--record",
        "mine",
    ]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "2 tracks in" in printed and f"recorded as 'mine' in {bundle}\n" in printed
    res = json.loads(out.with_suffix(".json").read_text())
    assert res["n_tracks"] == 2 and sorted(res["tracks"]) == ["song_00000.flac", "song_00001.flac"]
    # each track is the scoring of that file's analysis against its own reference (JAMS or LAB)
    weights = np.array([t["duration"] for t in res["tracks"].values()])
    assert weights == pytest.approx([10.0, 10.0], abs=0.05)
    for m in (*CHORD_METRICS, *SEGMENT_METRICS):
        values = np.array([t[m] for t in res["tracks"].values()])
        assert 0.0 <= res["weighted"][m] <= 1.0
        assert res["weighted"][m] == pytest.approx(np.sum(values * weights) / weights.sum())
        assert res["mean"][m] == pytest.approx(values.mean())
    table = out.with_suffix(".md").read_text()
    assert table.count("\n") == 4 and "(duration-weighted)" in table and "(per-track mean)" in table
    assert f"{res['weighted']['majmin']:.3f}" in table
    record = read_meta(bundle)["scores"]["mine"]
    assert {m: record[m] for m in res["weighted"]} == res["weighted"]
    assert record["n_tracks"] == 2 and record["folder"] == str(scored_folder)
    by = record["scored_with"]
    assert set(by) == {"chordview", "git_commit", "date", "decoder"}
    assert by["decoder"]["change_offset"] == OUTPUT_OFFSET
    assert by["decoder"]["pitch_shifts"] == read_meta(bundle)["decoder"]["pitch_shifts"]
    load_bundle(bundle)  # the weights' checksum still holds: only bundle.json changed
    monkeypatch.setattr("chordview.bundle.bundled_dir", lambda: tmp_path)
    assert main(["models"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if "scores on mine" in x)
    assert f"majmin {record['majmin']:.3f}" in line and f"by chordview {by['git_commit']})" in line
    # the outputs exist now: refused before any analysis unless --overwrite
    (out.with_suffix(".md")).write_text("kept")
    assert main(args) != 0
    captured = capsys.readouterr()
    assert "exists; pass --overwrite" in captured.err and "song_0000" not in captured.out
    assert out.with_suffix(".md").read_text() == "kept"
    assert main([*args, "--overwrite"]) == 0
    assert "(replacing the earlier record)" in capsys.readouterr().out
    assert out.with_suffix(".md").read_text() == table


@pytest.mark.parametrize(
    "args, message",
    [
        (["evaluate", "{missing}"], "no such folder"),
        (["evaluate", "{empty}"], "no audio files with a .jams or .lab reference"),
        (["evaluate", "{folder}", "-o", "{missing}/result"], "output folder does not exist"),
        (["evaluate", "{folder}", "-o", "{empty}"], "not a folder"),
        (["evaluate", "{folder}", "--model", "{file}", "--record", "x"], "is a file"),
        (["evaluate", "{file}"], "is not a folder"),
    ],
)
def test_evaluate_refuses_bad_input_in_one_line_before_any_work(
    scored_folder, tmp_path, capsys, args, message
):
    (tmp_path / "empty").mkdir()
    (tmp_path / "model.keras").write_bytes(b"")
    paths = {
        "missing": tmp_path / "missing",
        "empty": tmp_path / "empty",
        "folder": scored_folder,
        "file": tmp_path / "model.keras",
    }
    assert main([a.format(**paths) for a in args]) != 0
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert err.count("\n") == 0 and message in err and "Traceback" not in err
    assert "song_0000" not in captured.out  # nothing was analysed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty", "model.keras"]


def test_fast_evaluation_is_one_pass_and_its_record_says_so(scored_folder, tmp_path, capsys):
    from chordview.architectures import build
    from chordview.bundle import save_bundle

    hp = {"filters": 2, "depth": 3, "collapse_filters": 8, "dilations": [1]}
    bundle = save_bundle(
        tmp_path / "shifted",
        model=build("unet", **hp),
        name="shifted",
        architecture="unet",
        hyper_parameters=hp,
        decoder={"pitch_shifts": [-1, 0, 1]},
    )
    for extra, shifts in (([], [-1, 0, 1]), (["--fast"], [0])):
        out = tmp_path / f"result{len(extra)}"
        assert (
            main(
                [
                    "evaluate",
                    str(scored_folder),
                    "--model",
                    str(bundle),
                    "-o",
                    str(out),
                    "--record",
                    f"set{len(extra)}",
                    *extra,
                ]
            )
            == 0
        )
        assert json.loads(out.with_suffix(".json").read_text())["pitch_shifts"] == shifts
        meta = read_meta(bundle)
        assert (
            meta["scores"][f"set{len(extra)}"]["scored_with"]["decoder"]["pitch_shifts"] == shifts
        )
        assert meta["decoder"]["pitch_shifts"] == [-1, 0, 1]  # the bundle's own decoder stays
