"""Hostile and careless use of the file workflow: inputs are never outputs, writes are
all-or-nothing and never follow planted names, one bad file never stops a batch, and a broken
stderr never stops the work. Each test failed before its fix."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import soundfile as sf

from chordview.cli import main
from chordview.errors import AudioError, ModelError, OutputError
from tests.conftest import SR, chord_signal
from tests.privileges import as_root_without_dac


def _run(capsys, *args) -> tuple[int, str]:
    rc = main(list(map(str, args)))
    out, err = capsys.readouterr()
    assert "Traceback" not in err + out
    return rc, err


def _cli(*args, **kwargs) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "chordview.cli", *map(str, args)]
    return subprocess.run(cmd, capture_output=True, timeout=300, **kwargs)


def _wav(path: Path) -> Path:
    """A real WAV file under any name."""
    sf.write(path, chord_signal([48, 52, 55], seconds=1.0), SR, format="WAV")
    return path


def _hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# --- 1. an input is never overwritten by its own output ----------------------------------------


def test_audio_named_like_its_output_is_not_overwritten(capsys, tiny_bundle, tmp_path):
    take = _wav(tmp_path / "take.lab")  # a WAV with a careless name
    before = take.read_bytes()
    rc, err = _run(capsys, "analyze", take, "--model", tiny_bundle, "--overwrite")
    assert rc == OutputError.exit_code
    assert "is an input of this run" in err
    assert take.read_bytes() == before
    assert not (take.parent / "take.jams").exists()  # all or nothing: no half of the pair


@pytest.mark.parametrize("how", ["hardlink", "symlink"])
def test_output_that_is_a_link_to_an_input_is_refused(capsys, tiny_bundle, wav_file, tmp_path, how):
    song = wav_file("song.wav", seconds=1.0)
    out = tmp_path / "out"
    out.mkdir()
    (os.link if how == "hardlink" else os.symlink)(song, out / "song.lab")
    before = song.read_bytes()
    rc, err = _run(
        capsys, "analyze", song, "--model", tiny_bundle, "-o", out, "--overwrite", "--format", "lab"
    )
    assert rc == OutputError.exit_code and "is an input of this run" in err
    assert song.read_bytes() == before


def test_another_input_of_the_batch_is_not_overwritten(capsys, tiny_bundle, wav_file, tmp_path):
    a = wav_file("a.wav", seconds=1.0)
    b_lab = _wav(tmp_path / "b.lab")  # audio, given as an input, named like b.wav's output
    b = wav_file("b.wav", seconds=1.0)
    before = b_lab.read_bytes()
    rc, err = _run(
        capsys, "analyze", a, b_lab, b, "--model", tiny_bundle, "--overwrite", "--format", "lab"
    )
    assert rc == OutputError.exit_code
    assert b_lab.read_bytes() == before
    assert (tmp_path / "a.lab").is_file()


# --- 2, 3. render: exclusive staging files, no silent replacement ------------------------------


def test_render_never_follows_a_planted_temporary_name(capsys, tiny_bundle, wav_file, tmp_path):
    song = wav_file("song.wav", seconds=1.0)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    for name in (".out.png.tmp.png", ".out.png.tmp"):  # the old name, and ours without a suffix
        (tmp_path / name).symlink_to(victim)
    out = tmp_path / "out.png"
    rc, err = _run(capsys, "render", song, "-o", out, "--model", tiny_bundle)
    assert rc == 0, err
    assert victim.read_text() == "precious\n"
    assert out.is_file() and not out.is_symlink()
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_render_keeps_an_existing_picture_without_overwrite(
    capsys, tiny_bundle, wav_file, tmp_path
):
    song = wav_file("song.wav", seconds=1.0)
    out = tmp_path / "out.png"
    out.write_bytes(b"my picture")
    rc, err = _run(capsys, "render", song, "-o", out, "--model", tiny_bundle)
    assert rc == OutputError.exit_code and "exists; pass --overwrite" in err
    assert out.read_bytes() == b"my picture"
    rc, err = _run(capsys, "render", song, "-o", out, "--model", tiny_bundle, "--overwrite")
    assert rc == 0, err
    assert out.read_bytes()[:4] == b"\x89PNG"
    assert _hidden(tmp_path) == []


def test_render_never_draws_over_its_own_audio(capsys, tiny_bundle, tmp_path):
    song = _wav(tmp_path / "song.png")
    before = song.read_bytes()
    rc, err = _run(capsys, "render", song, "-o", song, "--model", tiny_bundle, "--overwrite")
    assert rc == OutputError.exit_code and "is an input" in err
    assert song.read_bytes() == before


# --- 4. several formats: all or nothing -------------------------------------------------------


def test_a_folder_in_the_way_changes_no_output(capsys, tiny_bundle, wav_file, tmp_path):
    song = wav_file("small.wav", seconds=1.0)
    (tmp_path / "small.jams").mkdir()
    (tmp_path / "small.lab").write_text("mine\n")
    rc, err = _run(
        capsys, "analyze", song, "--model", tiny_bundle, "--overwrite", "--format", "lab,jams"
    )
    assert rc == OutputError.exit_code and "is a folder" in err
    assert (tmp_path / "small.lab").read_text() == "mine\n"
    assert _hidden(tmp_path) == []


def test_a_failed_rename_restores_what_was_replaced(tmp_path):
    from chordview.files import write_files

    first, second = tmp_path / "a.lab", tmp_path / "a.jams"
    first.write_text("old a\n")

    def someone_else_makes_a_folder():  # another process, after every check
        second.mkdir()
        (second / "x").write_text("")

    with pytest.raises(OSError):
        write_files(
            {first: "new a\n", second: "new b\n"}, before_rename=someone_else_makes_a_folder
        )
    assert first.read_text() == "old a\n"
    assert (second / "x").exists()
    assert _hidden(tmp_path) == []


def test_without_overwrite_a_file_created_meanwhile_survives(tmp_path):
    from chordview.files import write_files

    first, second = tmp_path / "a.lab", tmp_path / "a.jams"
    with pytest.raises(FileExistsError):
        write_files(
            {first: "new a\n", second: "new b\n"},
            overwrite=False,
            before_rename=lambda: second.write_text("theirs\n"),
        )
    assert second.read_text() == "theirs\n"
    assert not first.exists()  # undone: the pair stays as it was
    assert _hidden(tmp_path) == []


# --- 6. labels written are Harte labels -------------------------------------------------------


@pytest.mark.parametrize("label", ["C:maj\x1b[31m", "C:maj\n0\t9\tD:min", "C: maj", "H:maj", ""])
def test_a_label_that_is_not_harte_is_never_written(tiny_bundle, wav_file, tmp_path, label):
    from chordview.analysis import analyze
    from chordview.export import output_paths, write_outputs

    result = analyze(wav_file("song.wav", seconds=1.0), model=tiny_bundle)
    result.segments[0] = dataclasses.replace(result.segments[0], label=label)
    targets = output_paths(
        tmp_path / "song.wav", formats=("jams", "lab"), output_dir=tmp_path / "o"
    )
    (tmp_path / "o").mkdir()
    with pytest.raises(ModelError, match="not a Harte label"):
        write_outputs(result, targets)
    assert list((tmp_path / "o").iterdir()) == []


# --- 8, 15, 18 and friends: one bad entry never stops the batch ---------------------------------


def test_symlink_loops_are_failures_not_a_crash(capsys, tiny_bundle, wav_file, tmp_path):
    wav_file("good.wav", seconds=1.0)
    (tmp_path / "loop.wav").symlink_to(tmp_path / "loop.wav")
    (tmp_path / "gone.flac").symlink_to(tmp_path / "nowhere.flac")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "up").symlink_to(tmp_path)  # a folder link back up the tree
    out = tmp_path / "out"
    rc, err = _run(capsys, "analyze", tmp_path, "--model", tiny_bundle, "-o", out)
    assert rc == AudioError.exit_code
    assert sorted(p.name for p in out.iterdir()) == ["good.jams", "good.lab"]
    assert "loop.wav: is a symlink loop" in err and "gone.flac: is a broken symlink" in err
    assert "analysed 1 of 3 files; 2 failed" in err


def test_an_unreadable_sub_folder_is_a_failure(tiny_bundle, wav_file, tmp_path):
    wav_file("good.wav", seconds=1.0)
    locked = tmp_path / "locked"
    locked.mkdir()
    sf.write(locked / "hidden.wav", chord_signal([50], seconds=1.0), SR)
    locked.chmod(0)
    try:
        proc = _cli(
            "analyze",
            tmp_path,
            "--model",
            tiny_bundle,
            "-o",
            tmp_path / "out",
            text=True,
            **as_root_without_dac(),
        )
    finally:
        locked.chmod(0o755)
    assert proc.returncode == AudioError.exit_code, proc.stderr
    assert f"{locked}: cannot read folder (Permission denied)" in proc.stderr
    assert "analysed 1 of 2 files; 1 failed" in proc.stderr


def test_the_same_file_twice_is_analysed_once(capsys, tiny_bundle, wav_file, tmp_path):
    song = wav_file("song.wav", seconds=1.0)
    os.link(song, tmp_path / "same.wav")
    rc, err = _run(
        capsys,
        "analyze",
        song,
        song,
        tmp_path / "." / "song.wav",
        tmp_path / "same.wav",
        "--model",
        tiny_bundle,
    )
    assert rc == 0, err
    assert "analysed 1 of 1 file" in err


def test_a_failed_file_does_not_block_another_of_the_same_stem(
    capsys, tiny_bundle, wav_file, tmp_path
):
    (tmp_path / "song.flac").write_bytes(os.urandom(4000))  # sorts first, and fails
    wav_file("song.wav", seconds=1.0)
    out = tmp_path / "out"
    rc, err = _run(capsys, "analyze", tmp_path, "--model", tiny_bundle, "-o", out)
    assert rc == AudioError.exit_code
    assert sorted(p.name for p in out.iterdir()) == ["song.jams", "song.lab"]
    assert "analysed 1 of 2 files; 1 failed" in err


def test_a_fifo_is_refused_without_blocking(capsys, tiny_bundle, wav_file, tmp_path):
    wav_file("good.wav", seconds=1.0)
    os.mkfifo(tmp_path / "pipe.wav")
    rc, err = _run(capsys, "analyze", tmp_path, "--model", tiny_bundle, "-o", tmp_path / "out")
    assert rc == AudioError.exit_code
    assert "pipe.wav: is a named pipe, not an audio file" in err


# --- 16. stderr closed or full ------------------------------------------------------------------


@pytest.mark.parametrize("stderr", ["closed", "full"])
def test_a_broken_stderr_does_not_stop_the_batch(tiny_bundle, wav_file, tmp_path, stderr):
    a, b = wav_file("a.wav", seconds=1.0), wav_file("b.wav", seconds=1.0)
    (tmp_path / "c.wav").write_bytes(b"not audio at all")  # a failure has something to say
    how = "2>&-" if stderr == "closed" else "2>/dev/full"
    cmd = (
        f"{sys.executable} -m chordview.cli analyze {a} {b} {tmp_path / 'c.wav'} "
        f"--model {tiny_bundle} -o {tmp_path / 'out'} {how}"
    )
    proc = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, timeout=300)
    assert proc.returncode == AudioError.exit_code, proc.stdout
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "a.jams",
        "a.lab",
        "b.jams",
        "b.lab",
    ]


# --- stale staging files, evaluate going on ---------------------------------------------------


def test_staging_files_of_a_killed_writer_are_cleaned_on_the_next_write(tmp_path):
    target = tmp_path / "song.lab"
    code = (
        "import os, signal, sys; from pathlib import Path; from chordview.files import write_files;"
        f"write_files({{Path({str(target)!r}): 'x'}}, "
        "before_rename=lambda: os.kill(os.getpid(), signal.SIGKILL))"
    )
    proc = subprocess.run([sys.executable, "-c", code], timeout=120)
    assert proc.returncode == -signal.SIGKILL
    assert len(_hidden(tmp_path)) == 1  # what SIGKILL leaves
    old = tmp_path / ".song.lab.0123456789ab.tmp"  # an older release's name, a day old
    old.write_text("")
    os.utime(old, (1e9, 1e9))
    other = tmp_path / ".other.lab.1-0123456789ab.tmp"  # another target's: not ours to touch
    other.write_text("")
    from chordview.files import write_files

    write_files({target: "done\n"})
    assert target.read_text() == "done\n"
    assert _hidden(tmp_path) == [other.name]


def test_evaluate_goes_on_after_a_bad_reference(capsys, tiny_bundle, wav_file, tmp_path):
    for name in ("a", "b", "c"):
        wav_file(f"{name}.wav", seconds=2.0)
    (tmp_path / "a.lab").write_text("0.0\t2.0\tC:maj\n")
    (tmp_path / "b.lab").write_text("this is not\ta lab file\n")
    (tmp_path / "c.lab").write_text("0.0\t2.0\tG:maj\n")
    rc = main(["evaluate", str(tmp_path), "--model", str(tiny_bundle)])
    out, err = capsys.readouterr()
    assert rc != 0 and "Traceback" not in out + err
    assert "a.wav: root" in out and "c.wav: root" in out
    assert "scored 2 of 3 tracks; 1 failed" in err and "b.wav" in err


# --- found in review ----------------------------------------------------------------------------


def test_without_hard_links_a_failed_swap_puts_the_old_file_back(tmp_path, monkeypatch):
    """Where hard links are refused (FAT, some shares, protected_hardlinks), the old file is
    moved aside; if the new one cannot take its place, the old one goes back."""
    from chordview import files

    target = tmp_path / "a.lab"
    target.write_text("old a\n")

    def no_links(*_args, **_kwargs):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(files.os, "link", no_links)

    def staged_file_vanishes():  # the swap then fails for real: its source is gone
        for tmp in tmp_path.glob(".a.lab.*.tmp"):
            tmp.unlink()

    with pytest.raises(FileNotFoundError):
        files.write_files({target: "new a\n"}, before_rename=staged_file_vanishes)
    assert target.read_text() == "old a\n"
    assert _hidden(tmp_path) == []


def test_cleaning_up_never_touches_inputs_folders_or_the_only_copy(capsys, tiny_bundle, tmp_path):
    from chordview import files

    x = _wav(tmp_path / "x.wav")
    planted = _wav(tmp_path / ".x.lab.999999-0123456789ab.tmp")  # an input, named like staging
    folder = tmp_path / ".x.lab.999998-0123456789ab.tmp"  # a user's folder of that name
    folder.mkdir()
    rc, err = _run(capsys, "analyze", x, planted, "--model", tiny_bundle, "--format", "lab")
    assert planted.exists() and folder.is_dir()
    assert (tmp_path / "x.lab").is_file()
    # a writer killed after moving the old file aside: its backup is the only copy
    target = tmp_path / "song.lab"
    only_copy = tmp_path / ".song.lab.999997-0123456789ab.old"
    only_copy.write_text("the only copy\n")
    assert files.remove_stale(target) == [only_copy]
    assert target.read_text() == "the only copy\n"


def test_captures_of_stderr_from_two_threads_leave_it_where_it_was():
    import threading
    import time

    from chordview.quiet import native_stderr_silenced

    before = os.readlink("/proc/self/fd/2")
    a_in, a_go, b_go = threading.Event(), threading.Event(), threading.Event()

    def first():  # enters first, leaves first
        with native_stderr_silenced():
            a_in.set()
            a_go.wait(10)

    def second():  # enters while the first holds fd 2, leaves last
        with native_stderr_silenced():
            b_go.wait(10)

    a = threading.Thread(target=first)
    a.start()
    a_in.wait(10)
    b = threading.Thread(target=second)
    b.start()
    time.sleep(0.2)
    a_go.set()
    a.join(10)
    b_go.set()
    b.join(10)
    assert os.readlink("/proc/self/fd/2") == before  # not a deleted temporary file


def test_a_full_stderr_while_replaying_native_output_is_not_an_error():
    code = (
        "import os; from chordview.quiet import native_stderr_silenced\n"
        "try:\n    with native_stderr_silenced():\n        os.write(2, b'chatter')\n"
        "        raise KeyError('x')\nexcept KeyError:\n    print('kept its own error')"
    )
    proc = subprocess.run(
        ["bash", "-c", f'{sys.executable} -c "{code}" 2>/dev/full'],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.stdout.strip() == "kept its own error", proc.stderr


def test_evaluate_never_writes_over_its_model(capsys, tiny_bundle, tmp_path):
    import shutil

    bundle = tmp_path / "mine"
    shutil.copytree(tiny_bundle, bundle)
    before = (bundle / "bundle.json").read_bytes()
    songs = tmp_path / "songs"
    songs.mkdir()
    _wav(songs / "a.wav")
    (songs / "a.lab").write_text("0.0\t1.0\tC:maj\n")
    for output in (bundle / "bundle", bundle / "bundle.json"):
        rc = main(
            ["evaluate", str(songs), "--model", str(bundle), "-o", str(output), "--overwrite"]
        )
        err = capsys.readouterr().err
        assert rc == OutputError.exit_code and "is an input of this run" in err
    assert (bundle / "bundle.json").read_bytes() == before


def test_evaluate_scores_every_track_even_linked_ones(capsys, tiny_bundle, tmp_path):
    _wav(tmp_path / "a.wav")
    os.link(tmp_path / "a.wav", tmp_path / "b.wav")
    for name in ("a", "b"):
        (tmp_path / f"{name}.lab").write_text("0.0\t1.0\tC:maj\n")
    assert main(["evaluate", str(tmp_path), "--model", str(tiny_bundle)]) == 0
    assert "2 tracks in" in capsys.readouterr().out


def test_render_of_a_folder_is_one_line_and_writes_nothing(capsys, tiny_bundle, tmp_path):
    songs = tmp_path / "in"
    songs.mkdir()
    _wav(songs / "a.wav")
    _wav(songs / "b.wav")
    rc, err = _run(capsys, "render", songs, "-o", tmp_path / "out.png", "--model", tiny_bundle)
    assert rc == AudioError.exit_code and "is a folder; render draws one song" in err
    assert not (tmp_path / "out.png").exists()


def test_an_empty_folder_is_reported_whatever_came_before(tmp_path):
    from chordview.batch import expand_inputs

    (tmp_path / "music").mkdir()
    for order in (
        [tmp_path / "music2" / "gone.wav", tmp_path / "music"],
        [tmp_path / "music", tmp_path / "music2" / "gone.wav"],
    ):
        _files, failures = expand_inputs(order)
        assert len(failures) == 2, failures


def test_a_long_file_name_can_be_written(capsys, tiny_bundle, tmp_path):
    song = _wav(tmp_path / ("x" * 240 + ".wav"))
    rc, err = _run(capsys, "analyze", song, "--model", tiny_bundle, "--format", "lab")
    assert rc == 0, err
    assert (tmp_path / ("x" * 240 + ".lab")).is_file()
