"""Hostile model bundles, found by hand: each is a ModelError on load and a fault in check-model."""

from __future__ import annotations

import json
import os
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from chordview.bundle import bundle_problems, load_bundle, read_meta, sha256_file
from chordview.bundle_schema import meta_problems
from chordview.check import check_path
from chordview.cli import main
from chordview.errors import ModelError


def _copy(tiny_bundle: Path, tmp_path: Path, name: str = "b") -> Path:
    copy = tmp_path / name
    shutil.copytree(tiny_bundle, copy)
    return copy


def _write_meta(folder: Path, meta) -> Path:
    (folder / "bundle.json").write_text(json.dumps(meta), encoding="utf-8")
    return folder


def _tampered(tiny_bundle: Path, tmp_path: Path, edit) -> Path:
    """A copy of the tiny bundle whose bundle.json went through ``edit(meta)``."""
    folder = _copy(tiny_bundle, tmp_path)
    meta = read_meta(folder)
    edit(meta)
    return _write_meta(folder, meta)


def _refused(folder: Path, match: str) -> None:
    """load_bundle refuses ``folder`` with ``match``; check-model reports it as a fault."""
    with pytest.raises(ModelError, match=match) as info:
        load_bundle(folder)
    assert len(str(info.value).splitlines()) == 1 and str(folder) in str(info.value)
    report = check_path(str(folder))
    assert not report.fits
    assert any(re.search(match, line) for line in report.lines() if line.startswith("fault: "))


# --- 1. files outside the bundle -------------------------------------------------------------


def test_weights_outside_the_folder_are_refused(tiny_bundle, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy(tiny_bundle / "model.weights.h5", outside / "x.weights.h5")
    folder = _copy(tiny_bundle, tmp_path)
    meta = read_meta(folder)
    meta["weights"]["file"] = "../outside/x.weights.h5"
    _refused(_write_meta(folder, meta), "leads outside the bundle folder")
    meta["weights"]["file"] = str(outside / "x.weights.h5")
    _refused(_write_meta(folder, meta), "absolute path")


def test_a_symlink_out_of_the_folder_is_refused(tiny_bundle, tmp_path):
    outside = tmp_path / "elsewhere.weights.h5"
    shutil.copy(tiny_bundle / "model.weights.h5", outside)
    folder = _copy(tiny_bundle, tmp_path)
    (folder / "model.weights.h5").unlink()
    (folder / "model.weights.h5").symlink_to(outside)
    _refused(folder, "leads outside the bundle folder")


def test_a_symlinked_description_out_of_the_folder_is_refused(tiny_bundle, tmp_path):
    folder = _copy(tiny_bundle, tmp_path)
    shutil.move(folder / "bundle.json", tmp_path / "real.json")
    (folder / "bundle.json").symlink_to(tmp_path / "real.json")
    _refused(folder, "leads outside the bundle folder")


def test_a_fifo_is_not_hashed(tiny_bundle, tmp_path):
    folder = _copy(tiny_bundle, tmp_path)
    (folder / "model.weights.h5").unlink()
    os.mkfifo(folder / "model.weights.h5")  # hashing it would block forever
    _refused(folder, "is not a regular file")


def test_a_fifo_description_is_not_read(tiny_bundle, tmp_path):
    folder = _copy(tiny_bundle, tmp_path)
    (folder / "bundle.json").unlink()
    os.mkfifo(folder / "bundle.json")
    _refused(folder, "is not a regular file")


def test_weights_naming_a_folder_are_refused(tiny_bundle, tmp_path):
    folder = _copy(tiny_bundle, tmp_path)
    (folder / "sub.weights.h5").mkdir()
    meta = read_meta(folder)
    meta["weights"]["file"] = "sub.weights.h5"
    _refused(_write_meta(folder, meta), "is a folder")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any folder")
def test_an_unreadable_folder_is_refused(tiny_bundle, tmp_path):
    folder = _copy(tiny_bundle, tmp_path)
    folder.chmod(0)
    try:
        _refused(folder, "cannot read the bundle folder")
    finally:
        folder.chmod(0o755)


# --- 2. labels -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "index, label, match",
    [
        (0, "\x1b[31mA:maj", "printable"),
        (0, "A:maj\nX", "printable"),
        (3, "A:foo", "Harte"),
        (5, "", "printable"),
        (5, 7, "printable"),
        (168, "C:maj9", "lacks 'N'"),
        (1, "A:maj", "twice"),
    ],
)
def test_bad_tag_labels_are_refused(tiny_bundle, tmp_path, index, label, match):
    def edit(meta):
        meta["vocabulary"]["chord_tag"][index] = label

    _refused(_tampered(tiny_bundle, tmp_path, edit), match)


@pytest.mark.parametrize(
    "head, classes, match",
    [
        (
            "chord_tag",
            ["N"]
            + [f"C:{q}" for q in ("maj", "min", "7", "dim", "aug", "sus2", "sus4", "maj7", "min7")],
            "must list 170",
        ),
        ("chord_pitch", list("CDEFGAB") + ["C#", "D#", "F#", "G#", "A#"], "in that order"),
        ("chord_root", ["C"] * 13, "in that order"),
        ("chord_bass", "C D E", "in that order"),
    ],
)
def test_vocabularies_must_be_what_the_decoder_expects(tiny_bundle, tmp_path, head, classes, match):
    def edit(meta):
        meta["vocabulary"][head] = classes

    _refused(_tampered(tiny_bundle, tmp_path, edit), match)


def test_pitch_shifts_need_a_vocabulary_closed_under_transposition(tiny_bundle, tmp_path):
    def edit(meta):
        tags = meta["vocabulary"]["chord_tag"]
        tags[tags.index("C:maj")] = "C:maj9"
        meta["decoder"]["pitch_shifts"] = [-1, 0, 1]

    _refused(_tampered(tiny_bundle, tmp_path, edit), "does not allow decoder pitch_shifts")


# --- 3, 4. .keras archives -------------------------------------------------------------------


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


@pytest.fixture(scope="module")
def zip_bomb(tmp_path_factory) -> Path:
    """A ~0.5 MB .keras file whose weights member inflates to 520 MiB."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.keras"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("config.json", "{}")
        with zf.open("model.weights.h5", "w", force_zip64=True) as member:
            block = bytes(1 << 20)
            for _ in range(520):
                member.write(block)
    return path


def _keras_refused(path: Path, text: str) -> None:
    with pytest.raises(ModelError, match=re.escape(text)) as info:
        load_bundle(path)
    assert "File not found" not in str(info.value)
    report = check_path(str(path))
    assert not report.fits and text in "\n".join(report.lines())


def test_a_zip_bomb_is_refused_before_keras_inflates_it(zip_bomb, monkeypatch):
    import keras

    def never(*args, **kwargs):
        raise AssertionError("Keras was handed the archive")

    monkeypatch.setattr(keras.saving, "load_model", never)
    assert zip_bomb.stat().st_size < 2 << 20
    _keras_refused(zip_bomb, "decompression bomb")


def test_a_lying_declared_size_is_refused(tmp_path):
    path = _zip(tmp_path / "liar.keras", {"config.json": b"{}", "model.weights.h5": b"x" * 100})
    data = bytearray(path.read_bytes())
    central = data.rindex(b"PK\x01\x02")  # the last central-directory entry: model.weights.h5
    data[central + 24 : central + 28] = (3 << 30).to_bytes(4, "little")  # declares 3 GiB
    path.write_bytes(bytes(data))
    _keras_refused(path, "decompression bomb")


def test_an_archive_of_many_members_is_refused(tmp_path):
    members = {"config.json": b"{}", **{f"assets/{i}": b"" for i in range(300)}}
    _keras_refused(_zip(tmp_path / "many.keras", members), "members")


def test_garbage_is_not_a_keras_archive(tmp_path):
    path = tmp_path / "garbage.keras"
    path.write_bytes(os.urandom(4096))
    _keras_refused(path, "not a Keras archive (not a zip file)")


def test_a_truncated_archive_is_named_so(tmp_path):
    import keras

    path = tmp_path / "whole.keras"
    keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)]).save(path)
    cut = tmp_path / "cut.keras"
    cut.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    _keras_refused(cut, "truncated or damaged Keras archive")


def test_an_archive_without_config_is_named_so(tmp_path):
    _keras_refused(_zip(tmp_path / "noconf.keras", {"a.txt": b"hi"}), "holds no config.json")


def test_a_bundle_whose_keras_weights_are_a_bomb_is_refused(tiny_bundle, tmp_path, zip_bomb):
    folder = _copy(tiny_bundle, tmp_path)
    shutil.copy(zip_bomb, folder / "model.keras")
    meta = read_meta(folder)
    meta["weights"] = {"file": "model.keras", "sha256": sha256_file(folder / "model.keras")}
    _refused(_write_meta(folder, meta), "decompression bomb")


# --- 5. tampered values ----------------------------------------------------------------------

TAMPERED = [
    ("weights", "model.weights.h5", "weights must be a mapping"),
    ("vocabulary", "chord_tag", "vocabulary must be a mapping"),
    ("features", [44100, 4096], "features must be a mapping"),
    ("features.hop_length", 0, "features.hop_length must be a whole number"),
    ("features.hop_length", "4096", "features.hop_length must be a whole number"),
    ("features.fmin", -32.7, "features.fmin must be a frequency"),
    ("features.sr", 1e9, "features.sr must be a whole number"),
    ("features.fmin", 1000.0, "Nyquist"),
    ("features.log", "yes", "features.log must be true or false"),
    ("features.harmonics", [1, "2"], "features.harmonics must be a list"),
    ("features.hop_lenght", 512, "features.hop_lenght is not a feature parameter"),
    ("features.n_bins", 217, "n_bins=217 does not match"),
    ("weights.sha256", "abc", "weights.sha256 must be 64"),
    ("weights.file", 5, "weights.file must name"),
    ("architecture", "transformer", "architecture 'transformer' is not known"),
    ("architecture", ["unet"], "architecture must be the name"),
    ("hyper_parameters", [2, 3], "hyper_parameters must be a mapping"),
    ("hyper_parameters.filters", 10**9, "hyper_parameters.filters must be"),
    ("name", {"a": 1}, "name must be a short printable text"),
    ("name", "\x1b[2Jtiny", "printable"),
    ("version", 2, "version must be a short printable text"),
    ("format_version", 7, "format_version must be 1"),
    ("provenance", "trained", "provenance must be a mapping"),
    ("scores", [0.9], "scores must be a mapping"),
    ("decoder", [0.9], "decoder must be a mapping"),
]


def _set(meta: dict, dotted: str, value) -> None:
    *parents, last = dotted.split(".")
    for key in parents:
        meta = meta[key]
    meta[last] = value


@pytest.mark.parametrize("dotted, value, match", TAMPERED)
def test_tampered_values_are_refused_with_the_field_named(
    tiny_bundle, tmp_path, dotted, value, match
):
    folder = _tampered(tiny_bundle, tmp_path, lambda meta: _set(meta, dotted, value))
    _refused(folder, re.escape(match))


@pytest.mark.parametrize(
    "hyper, match",
    [({"filters": "abc"}, "does not build"), ({"no_such_argument": 1}, "does not build")],
)
def test_hyper_parameters_the_builder_refuses_are_a_model_error(
    tiny_bundle, tmp_path, hyper, match
):
    folder = _tampered(tiny_bundle, tmp_path, lambda meta: meta["hyper_parameters"].update(hyper))
    _refused(folder, match)


def test_check_model_reports_each_fault(tiny_bundle, tmp_path, capsys):
    def edit(meta):
        meta["features"]["hop_length"] = 0
        meta["vocabulary"]["chord_tag"] = meta["vocabulary"]["chord_tag"][:10]
        meta["weights"]["file"] = "../x.weights.h5"

    folder = _tampered(tiny_bundle, tmp_path, edit)
    assert main(["check-model", str(folder)]) == 2
    out = capsys.readouterr().out.splitlines()
    faults = [line for line in out if line.startswith("fault: ")]
    assert out[0].endswith("does not fit (3 faults)") and len(faults) == 3
    assert "hop_length" in faults[0] + faults[1] + faults[2]
    with pytest.raises(ModelError, match=r"and 2 more problems"):
        load_bundle(folder)


# --- the description itself ------------------------------------------------------------------


@pytest.mark.parametrize(
    "content, match",
    [
        (b" " * (17 << 20) + b"{}", "larger than 16 MiB"),
        (b"[" * 100_000 + b"]" * 100_000, ""),
        (b'{"format": "chordview-bundle", "a": 1, "a": 2}', "appears twice"),
        ('{"format": "chordview-bundle"}'.encode("utf-16"), "not UTF-8"),
        (b'{"format": "chordview-bundle", "x": NaN}', "NaN is not a JSON number"),
        (b'{"format": "chordview-bundle", "x": ' + b"9" * 5000 + b"}", "corrupt"),
        (b"\xff\xfe\x00", "not UTF-8"),
    ],
)
def test_hostile_descriptions_are_corrupt(tiny_bundle, tmp_path, content, match):
    folder = _copy(tiny_bundle, tmp_path)
    (folder / "bundle.json").write_bytes(content)
    _refused(folder, match or "corrupt bundle description")


def test_nesting_too_deep_for_the_schema_is_refused(tiny_bundle, tmp_path):
    nested: list = []
    for _ in range(200):
        nested = [nested]
    folder = _tampered(tiny_bundle, tmp_path, lambda meta: meta["provenance"].update(x=nested))
    _refused(folder, "nested deeper than 32 levels")


@pytest.mark.parametrize("name", ["unet", "cr2"])
def test_the_shipped_descriptions_fit_the_schema(name):
    from chordview.bundle import resolve

    assert meta_problems(read_meta(resolve(name))) == []
    assert bundle_problems(resolve(name))[1] == []


def test_the_weights_loaded_are_the_weights_checked(tiny_bundle, tmp_path):
    """Found in review: the weights were hashed on one open and loaded on another, so a file
    swapped in between was loaded unchecked. Now a private copy is hashed and loaded."""
    from chordview.bundle import _verified_copy, read_meta, sha256_file

    meta = read_meta(tiny_bundle)
    weights = tiny_bundle / meta["weights"]["file"]
    with _verified_copy(weights, sha256=meta["weights"]["sha256"], where=tiny_bundle) as copy:
        assert copy != weights and sha256_file(copy) == meta["weights"]["sha256"]
    swapped = tmp_path / weights.name
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0xFF  # another file of the same name and size
    swapped.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="changed while loading"):
        with _verified_copy(swapped, sha256=meta["weights"]["sha256"], where=tiny_bundle):
            pass
