"""The ``chordview analyze`` command: one clear line and a non-zero exit for every bad input, a
batch that goes on past failures and sums them up, no traceback, no partial or clobbered output."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from chordview.cli import main
from chordview.errors import AudioError, ModelError, OutputError
from tests.conftest import SR, chord_signal
from tests.privileges import unprivileged


def _analyze(capsys, *args) -> tuple[int, str, str]:
    rc = main(["analyze", *map(str, args)])
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "Traceback" not in out
    return rc, out, err


def _outputs(folder: Path) -> list[str]:
    """Output files and temporary leftovers (dot files) anywhere under ``folder``."""
    if not folder.exists():
        return []
    return sorted(
        p.name
        for p in folder.rglob("*")
        if p.suffix in (".jams", ".lab", ".tmp") or p.name[0] == "."
    )


def _lines_with(text: str, word: str) -> list[str]:
    return [line for line in text.splitlines() if word in line]


# --- good input ------------------------------------------------------------------------------


def test_demo_song_is_analysed_into_the_current_folder(capsys, tiny_bundle, tmp_path, monkeypatch):
    from chordview.assets import demo_song

    monkeypatch.chdir(tmp_path)
    song = demo_song()
    before = sorted(p.name for p in song.parent.iterdir())
    rc, out, err = _analyze(capsys, "--demo", "--model", tiny_bundle)
    assert rc == 0, err
    assert _outputs(tmp_path) == ["demo.jams", "demo.lab"]
    assert sorted(p.name for p in song.parent.iterdir()) == before  # nothing written beside it


def test_nothing_to_analyse_is_one_line(capsys):
    rc, out, err = _analyze(capsys)
    assert rc != 0 and err.strip().count("\n") == 0 and "--demo" in err


def test_analyze_writes_jams_and_lab_beside_the_audio(capsys, tiny_bundle, wav_file):
    import jams

    audio = wav_file("song.wav", seconds=2.0)
    rc, _, err = _analyze(capsys, audio, "--model", tiny_bundle, "--device", "cpu")
    assert rc == 0
    assert "analysed 1 of 1 file" in err
    jams.load(str(audio.with_suffix(".jams")))
    assert audio.with_suffix(".lab").read_text().count("\t") >= 2


def test_format_and_output_folder(capsys, tiny_bundle, wav_file, tmp_path):
    audio = wav_file("song.wav", seconds=1.0)
    out = tmp_path / "deep" / "out"
    rc, _, _ = _analyze(capsys, audio, "--model", tiny_bundle, "--format", "lab", "-o", out, "-q")
    assert rc == 0
    assert _outputs(out) == ["song.lab"] and _outputs(audio.parent) == ["song.lab"]


def test_unknown_format_is_one_line(capsys, tiny_bundle, wav_file, tmp_path):
    rc, _, err = _analyze(capsys, wav_file(), "--model", tiny_bundle, "--format", "mp3")
    assert rc != 0
    assert _lines_with(err, "unknown format mp3") and len(err.splitlines()) == 1
    assert _outputs(tmp_path) == []


def test_pure_silence_gives_no_chord(capsys, tiny_bundle, tmp_path):
    audio = tmp_path / "silence.wav"
    sf.write(audio, np.zeros(3 * 22050, dtype=np.int16), 22050)
    rc, _, _ = _analyze(capsys, audio, "--model", tiny_bundle, "--format", "lab", "-q")
    assert rc == 0
    rows = [line.split("\t") for line in audio.with_suffix(".lab").read_text().splitlines()]
    assert [row[2] for row in rows] == ["N"]


def test_progress_bar_and_summary_on_a_terminal(capsys, tiny_bundle, wav_file, monkeypatch):
    a, b = wav_file("a.wav", seconds=1.0), wav_file("b.wav", seconds=1.0)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    rc = main(["analyze", str(a), str(b), "--model", str(tiny_bundle)])
    err = capsys.readouterr().err
    assert rc == 0
    assert "[" in err and "#" in err and "1/2" in err and "2/2" in err
    assert "network" in err and "analysed 2 of 2 files" in err


def test_quiet_prints_nothing_on_success(capsys, tiny_bundle, wav_file):
    rc, out, err = _analyze(capsys, wav_file(seconds=1.0), "--model", tiny_bundle, "-q")
    assert rc == 0 and out == "" and err == ""


# --- bad audio input: one line, non-zero exit, nothing written -------------------------------


def _write_bad(kind: str, tmp_path: Path, wav_file) -> Path:
    if kind == "missing":
        return tmp_path / "nowhere.wav"
    if kind == "empty-folder":
        folder = tmp_path / "nothing_here"
        folder.mkdir()
        (folder / "notes.txt").write_text("no audio")
        return folder
    if kind == "text":
        path = tmp_path / "text.wav"
        path.write_text("definitely not RIFF\n" * 40)
        return path
    if kind in ("truncated-wav", "truncated-flac"):
        path = wav_file("cut." + kind.split("-")[1], seconds=2.0)
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
        return path
    if kind == "zero-length":
        path = tmp_path / "zero.wav"
        path.touch()
        return path
    if kind == "too-short":
        return wav_file("short.wav", seconds=0.05, sr=8000)
    y = chord_signal([60, 64, 67], seconds=1.0)
    y[100 : 100 + 5] = np.nan if kind == "nan" else -np.inf
    path = tmp_path / f"{kind}.wav"
    sf.write(path, y, SR, subtype="FLOAT")
    return path


BAD = {
    "missing": "no such file",
    "empty-folder": "no audio files",
    "text": "cannot decode",
    "truncated-wav": "truncated",
    "truncated-flac": "cut.flac",
    "zero-length": "empty",
    "too-short": "too short",
    "nan": "NaN",
    "inf": "infinite",
}


@pytest.mark.parametrize("kind", list(BAD))
def test_bad_input_is_one_line_and_non_zero(capsys, tiny_bundle, wav_file, tmp_path, kind):
    path = _write_bad(kind, tmp_path, wav_file)
    out = tmp_path / "out"
    rc, _, err = _analyze(capsys, path, "--model", tiny_bundle, "-o", out)
    assert rc == AudioError.exit_code
    hits = _lines_with(err, path.name)
    assert hits and all(BAD[kind] in line for line in hits)
    assert "analysed 0 of 1 file; 1 failed" in err
    assert _outputs(out) == [] and _outputs(tmp_path) == []


def test_batch_goes_on_and_reports_each_failure(capsys, tiny_bundle, wav_file, tmp_path):
    good = [wav_file("a_good.wav", seconds=1.0), wav_file("z_good.wav", seconds=1.0, sr=8000)]
    bad = [_write_bad(k, tmp_path, wav_file) for k in ("text", "missing", "truncated-wav")]
    out = tmp_path / "out"
    rc, _, err = _analyze(capsys, good[0], *bad, good[1], "--model", tiny_bundle, "-o", out, "-q")
    assert rc != 0
    assert _outputs(out) == ["a_good.jams", "a_good.lab", "z_good.jams", "z_good.lab"]
    assert "analysed 2 of 5 files; 3 failed:" in err
    for path in bad:
        assert _lines_with(err, path.name)
    assert not _lines_with(err, "good")


# --- existing outputs ------------------------------------------------------------------------


def test_existing_output_is_kept_without_overwrite(capsys, tiny_bundle, wav_file, tmp_path):
    audio = wav_file("song.wav", seconds=1.0)
    lab = tmp_path / "song.lab"
    lab.write_text("0.0\t1.0\tC:maj\n")
    rc, _, err = _analyze(capsys, audio, "--model", tiny_bundle)
    assert rc == OutputError.exit_code
    assert _lines_with(err, "--overwrite") and _lines_with(err, "song.lab")
    assert lab.read_text() == "0.0\t1.0\tC:maj\n"
    assert _outputs(tmp_path) == ["song.lab"]  # no jams, no temporary files

    rc, _, _ = _analyze(capsys, audio, "--model", tiny_bundle, "--overwrite", "-q")
    assert rc == 0
    assert lab.read_text() != "0.0\t1.0\tC:maj\n"
    assert _outputs(tmp_path) == ["song.jams", "song.lab"]


# --- broken model bundles --------------------------------------------------------------------


def _corrupt(kind: str, bundle: Path) -> None:
    weights = bundle / "model.weights.h5"
    if kind == "flipped-bytes":
        data = bytearray(weights.read_bytes())
        data[len(data) // 2 : len(data) // 2 + 64] = b"\xff" * 64
        weights.write_bytes(bytes(data))
    elif kind == "garbage-json":
        (bundle / "bundle.json").write_text("{ this is : not json")
    elif kind == "no-weights":
        weights.unlink()
    elif kind == "garbage-weights-matching-sha":  # tampered consistently: sha fine, h5 unreadable
        from chordview.bundle import sha256_file

        weights.write_bytes(b"not an hdf5 file" * 100)
        meta = json.loads((bundle / "bundle.json").read_text())
        meta["weights"]["sha256"] = sha256_file(weights)
        (bundle / "bundle.json").write_text(json.dumps(meta))


CORRUPT = {
    "flipped-bytes": "sha256",
    "garbage-json": "corrupt bundle description",
    "no-weights": "missing",
    "garbage-weights-matching-sha": "cannot load weights",
}


@pytest.mark.parametrize("kind", list(CORRUPT))
def test_corrupt_bundle_is_one_line(capsys, tiny_bundle, wav_file, tmp_path, kind):
    bundle = tmp_path / f"bundle_{kind}"
    shutil.copytree(tiny_bundle, bundle)
    _corrupt(kind, bundle)
    audio = wav_file("song.wav", seconds=1.0)
    rc, _, err = _analyze(capsys, audio, "--model", bundle)
    assert rc == ModelError.exit_code
    assert err.startswith("chordview: error: ") and len(err.splitlines()) == 1
    assert CORRUPT[kind] in err and str(bundle) in err
    assert _outputs(tmp_path) == []


def test_unknown_model_is_one_line(capsys, wav_file, tmp_path):
    rc, _, err = _analyze(capsys, wav_file(seconds=1.0), "--model", "no-such-model")
    assert rc == ModelError.exit_code
    assert len(err.splitlines()) == 1 and "no-such-model" in err
    assert _outputs(tmp_path) == []


# --- a read-only output folder ---------------------------------------------------------------


def _world_readable_copy(tiny_bundle) -> tuple[Path, Path, Path]:
    """A folder anyone can read, holding song.wav, the tiny bundle and an empty ``out`` folder."""
    root = Path(tempfile.mkdtemp(prefix="chordview-ro-"))
    root.chmod(0o755)
    bundle = root / "bundle"
    shutil.copytree(tiny_bundle, bundle)
    sf.write(root / "song.wav", chord_signal([48, 52, 55], seconds=1.0), SR)
    for path in [bundle, *bundle.iterdir(), root / "song.wav"]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    home = root / "home"
    home.mkdir()
    home.chmod(0o777)
    out = root / "out"
    out.mkdir()
    out.chmod(0o555)
    return root, bundle, out


def test_read_only_output_folder(capsys, tiny_bundle):
    root, bundle, out = _world_readable_copy(tiny_bundle)
    args = ["analyze", str(root / "song.wav"), "--model", str(bundle), "-o", str(out)]
    try:
        if os.geteuid() == 0:  # root writes anywhere: run without its privileges
            how = unprivileged()
            env = dict(os.environ)
            if "user" in how:  # Keras and numba want a writable home for their caches
                env.update(HOME=str(root / "home"), NUMBA_CACHE_DIR=str(root / "home"))
            proc = subprocess.run(
                [sys.executable, "-m", "chordview.cli", *args],
                cwd=root,
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
                **how,
            )
            rc, err = proc.returncode, proc.stderr
        else:
            rc = main(args)
            err = capsys.readouterr().err
        assert rc == OutputError.exit_code, err
        assert "Traceback" not in err
        hits = _lines_with(err, str(out))
        assert hits and all("output folder is not writable" in line for line in hits)
        assert list(out.iterdir()) == []
    finally:
        out.chmod(0o755)
        shutil.rmtree(root, ignore_errors=True)


# --- a real process --------------------------------------------------------------------------


def test_batch_in_a_subprocess(tiny_bundle, wav_file, tmp_path):
    good = wav_file("good.wav", seconds=1.0, channels=2)
    text = _write_bad("text", tmp_path, wav_file)
    cut = _write_bad("truncated-wav", tmp_path, wav_file)
    missing = tmp_path / "missing.flac"
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "chordview.cli", "analyze", good, text, missing, cut]
    cmd += ["--model", tiny_bundle, "-o", out, "--device", "cpu"]
    proc = subprocess.run(list(map(str, cmd)), capture_output=True, text=True, timeout=300)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert _outputs(out) == ["good.jams", "good.lab"]
    summary = proc.stderr[proc.stderr.index("analysed 1 of 4 files; 3 failed:") :]
    for path in (text, missing, cut):
        assert len(_lines_with(summary, path.name)) == 1
    assert "good.wav" not in summary


def test_inputs_sharing_a_name_do_not_overwrite_each_other(capsys, tiny_bundle, wav_file, tmp_path):
    first = wav_file("song.wav", seconds=1.0)
    (tmp_path / "b").mkdir()
    second = wav_file("b/song.wav", seconds=2.0)
    out = tmp_path / "out"
    code = main(
        [
            "analyze",
            str(first),
            str(second),
            "--model",
            str(tiny_bundle),
            "-o",
            str(out),
            "--overwrite",
            "-q",
        ]
    )
    assert code != 0
    err = capsys.readouterr().err
    assert "also the output of" in err and "Traceback" not in err
    lab = (out / "song.lab").read_text().splitlines()
    assert float(lab[-1].split("\t")[1]) < 1.5  # still the first file's chords


def test_outputs_are_as_readable_as_any_new_file(capsys, tiny_bundle, wav_file, tmp_path):
    out = tmp_path / "out"
    rc, _, err = _analyze(
        capsys, wav_file("song.wav", seconds=1.0), "--model", tiny_bundle, "-o", out
    )
    assert rc == 0, err
    umask = os.umask(0)
    os.umask(umask)
    for path in out.iterdir():  # not mkstemp's private 0600
        assert path.stat().st_mode & 0o777 == 0o666 & ~umask, path


def test_a_closed_pipe_is_not_a_traceback():
    proc = subprocess.run(
        f"{sys.executable} -m chordview models | head -c 10",
        shell=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0 and len(proc.stdout) == 10
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr, proc.stderr


def test_fast_runs_the_network_once_and_says_so(capsys, tiny_bundle, wav_file, tmp_path):
    """--fast skips the bundle's pitch-shift averaging: its outputs are those of the same
    weights with shifts [0], and the JAMS file records which shifts were used."""
    from chordview.analysis import analyze

    def with_shifts(name, shifts):
        copy = tmp_path / name
        shutil.copytree(tiny_bundle, copy)
        meta = json.loads((copy / "bundle.json").read_text())
        meta["decoder"]["pitch_shifts"] = shifts
        (copy / "bundle.json").write_text(json.dumps(meta))
        return copy

    averaged, single = with_shifts("averaged", [-1, 0, 1]), with_shifts("single", [0])
    song = wav_file()
    fast = analyze(song, model=averaged, device="cpu", fast=True)
    once = analyze(song, model=single, device="cpu")
    full = analyze(song, model=averaged, device="cpu")
    for head, probs in once.outputs.items():
        np.testing.assert_array_equal(fast.outputs[head], probs)
    assert not np.allclose(full.outputs["chord_tag"], once.outputs["chord_tag"])
    assert (fast.model["pitch_shifts"], full.model["pitch_shifts"]) == ([0], [-1, 0, 1])

    for flag, out, shifts in (("--fast", "fast", [0]), (None, "full", [-1, 0, 1])):
        rc, _, err = _analyze(
            capsys, song, "--model", averaged, "-o", tmp_path / out, "-q", *([flag] if flag else [])
        )
        assert rc == 0, err
        jam = json.loads((tmp_path / out / "song.jams").read_text())
        assert jam["annotations"][0]["annotation_metadata"]["annotator"]["pitch_shifts"] == shifts


def test_notation_prints_the_chords_for_musicians(capsys, tiny_bundle, wav_file, tmp_path):
    from chordview.theory import parse_symbol

    song = wav_file("song.wav", seconds=3.0)
    code = main(
        [
            "analyze",
            str(song),
            "--model",
            str(tiny_bundle),
            "--notation",
            "musician",
            "--format",
            "none",
            "-q",
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    first, *rows = out.strip().splitlines()
    assert first.startswith(f"# {song}: key ") and first.endswith(("major", "minor"))
    assert rows and rows[0].startswith("0:00.0  ")
    for row in rows:
        clock, name = row.split("  ")
        assert clock.count(":") == 1 and parse_symbol(name)  # each a chord symbol it can read
    assert sorted(p.name for p in tmp_path.iterdir()) == ["song.wav"]  # --format none: no files
    code = main(["analyze", str(song), "--model", str(tiny_bundle), "--notation", "harte", "-q"])
    out = capsys.readouterr().out
    assert code == 0
    for row in out.strip().splitlines()[1:]:
        label = row.split("  ")[1]
        assert label in ("N", "X") or ":" in label  # Harte, as in the files
    assert sorted(p.name for p in tmp_path.iterdir()) == ["song.jams", "song.lab", "song.wav"]
