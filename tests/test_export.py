"""Export: JAMS in the chord namespace that validates and names the model; LAB that mir_eval
reads; atomic, all-or-nothing writes that never clobber an existing file unless asked."""

from __future__ import annotations

import jams
import mir_eval
import numpy as np
import pytest

from chordview import export
from chordview.analysis import Analysis, analyze
from chordview.decode import Segment
from chordview.errors import OutputError
from chordview.export import check_targets, output_paths, to_jams, to_lab, write_outputs
from chordview.theory import QUALITY_TABLE
from chordview.vocab import tag_classes
from tests.conftest import SR, chord_signal

MODEL = {
    "name": "tiny",
    "version": "1.2.3",
    "architecture": "unet",
    "sha256": "ab" * 32,
    "device": "CPU",
}


def _every_label() -> list[str]:
    """All 170 tags plus every inversion the decoder can produce."""
    labels = list(tag_classes())
    for q in QUALITY_TABLE:
        labels += [f"{root}:{q.name}/{d}" for root in ("F#", "Bb") for d in q.degrees[1:]]
    return labels


def _synthetic(labels, *, step=0.5, path=None) -> Analysis:
    segments = [
        Segment(i * step, (i + 1) * step, label, 0.5 + 0.5 * (i % 2))
        for i, label in enumerate(labels)
    ]
    return Analysis(
        outputs={},
        cqt=np.zeros((0, 216), np.float32),
        segments=segments,
        sr=SR,
        hop_length=4096,
        duration=len(labels) * step,
        model=dict(MODEL),
        vocabulary={},
        path=path,
    )


@pytest.fixture(scope="module")
def real(tiny_bundle):
    """A real analysis of a short chord signal with the tiny model."""
    y = chord_signal([48, 52, 55, 60], seconds=3.0)
    return analyze(y=y, sr=SR, model=tiny_bundle, device="cpu")


def _targets(folder, stem="song"):
    return output_paths(folder / f"{stem}.wav", formats=("jams", "lab"))


# --- formats ---------------------------------------------------------------------------------


def test_jams_validates_and_names_the_model(real, tmp_path):
    (written,) = write_outputs(real, {"jams": tmp_path / "song.jams"})
    jam = jams.load(str(written))  # validates against the schema by default
    (ann,) = jam.search(namespace="chord")
    meta = ann.annotation_metadata
    text = f"{meta.data_source} {meta.annotator} {meta.annotation_tools}"
    for value in ("tiny", real.model["version"], real.model["sha256"]):
        assert value in text
    assert len(real.model["sha256"]) == 64
    assert meta.annotator["model_sha256"] == real.model["sha256"]
    labels = [obs.value for obs in ann.data]
    assert labels == [s.label for s in real.segments]
    assert jam.file_metadata.duration == pytest.approx(real.duration)


def test_lab_reads_back_with_mir_eval(real, tmp_path):
    (written,) = write_outputs(real, {"lab": tmp_path / "song.lab"})
    lines = written.read_text().splitlines()
    assert lines and all(len(line.split("\t")) == 3 for line in lines)
    intervals, labels = mir_eval.io.load_labeled_intervals(str(written), delimiter="\t")
    mir_eval.chord.validate(labels, labels)
    assert labels == [s.label for s in real.segments]
    assert intervals[0, 0] == 0.0
    np.testing.assert_allclose(intervals[1:, 0], intervals[:-1, 1])
    assert intervals[-1, 1] <= real.duration + 1e-6


def test_every_label_the_decoder_can_emit_is_valid_jams_and_mir_eval(tmp_path):
    labels = _every_label()
    a = _synthetic(labels)
    to_jams(a).validate()
    mir_eval.chord.validate(labels, labels)
    path = tmp_path / "all.lab"
    path.write_text(to_lab(a))
    _, read = mir_eval.io.load_labeled_intervals(str(path), delimiter="\t")
    assert read == labels


def test_segments_are_clipped_to_the_duration():
    a = _synthetic(["C:maj", "N"], step=1.0)
    a.duration = 1.5
    lab = to_lab(a).splitlines()
    assert lab[-1].split("\t") == ["1.000000", "1.500000", "N"]
    (ann,) = to_jams(a).annotations
    assert max(obs.time + obs.duration for obs in ann.data) == pytest.approx(1.5)


def test_output_paths_beside_audio_or_in_folder(tmp_path):
    audio = tmp_path / "in" / "song.flac"
    assert output_paths(audio, formats=["lab"]) == {"lab": tmp_path / "in" / "song.lab"}
    out = output_paths(audio, formats=["jams", "lab"], output_dir=tmp_path / "out")
    assert out == {"jams": tmp_path / "out" / "song.jams", "lab": tmp_path / "out" / "song.lab"}


# --- atomic writes, no clobbering ------------------------------------------------------------


def _leftovers(folder):
    return [p.name for p in folder.iterdir() if p.name.startswith(".")]


def test_writes_both_formats(real, tmp_path):
    written = write_outputs(real, _targets(tmp_path))
    assert sorted(p.name for p in written) == ["song.jams", "song.lab"]
    assert not _leftovers(tmp_path)


def test_existing_file_is_kept_without_overwrite(real, tmp_path):
    targets = _targets(tmp_path)
    targets["lab"].write_text("precious\n")
    with pytest.raises(OutputError) as err:
        write_outputs(real, targets)
    assert "exists" in str(err.value) and "\n" not in str(err.value)
    assert targets["lab"].read_text() == "precious\n"
    assert not targets["jams"].exists()  # all or nothing
    assert not _leftovers(tmp_path)


def test_overwrite_replaces(real, tmp_path):
    targets = _targets(tmp_path)
    targets["lab"].write_text("old\n")
    write_outputs(real, targets, overwrite=True)
    assert targets["lab"].read_text() == to_lab(real)
    jams.load(str(targets["jams"]))


def test_failure_while_rendering_leaves_nothing(real, tmp_path, monkeypatch):
    targets = _targets(tmp_path)
    targets["jams"].write_text("old jams\n")
    real_render = export._render

    def render(analysis, fmt):
        if fmt == "lab":
            raise OSError(28, "No space left on device")
        return real_render(analysis, fmt)

    monkeypatch.setattr(export, "_render", render)
    with pytest.raises(OutputError, match="No space left"):
        write_outputs(real, targets, overwrite=True)
    assert targets["jams"].read_text() == "old jams\n"  # not clobbered by a half-done write
    assert not targets["lab"].exists()
    assert not _leftovers(tmp_path)


def test_target_created_meanwhile_is_not_clobbered(real, tmp_path, monkeypatch):
    targets = _targets(tmp_path)
    real_render = export._render

    def render(analysis, fmt):  # another process writes song.lab while we render
        if fmt == "lab":
            targets["lab"].write_text("theirs\n")
        return real_render(analysis, fmt)

    monkeypatch.setattr(export, "_render", render)
    with pytest.raises(OutputError, match="exists"):
        write_outputs(real, targets)
    assert targets["lab"].read_text() == "theirs\n"
    assert not targets["jams"].exists()
    assert not _leftovers(tmp_path)


def test_missing_output_folder(real, tmp_path):
    targets = _targets(tmp_path / "nowhere")
    with pytest.raises(OutputError, match="does not exist"):
        check_targets(targets, overwrite=False)
    with pytest.raises(OutputError):
        write_outputs(real, targets)
