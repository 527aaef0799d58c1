"""A 40-file folder with one of each hostile file mixed in among good ones: every good file's
outputs are written and the summary names every bad one, once, in one line."""

from __future__ import annotations

import os
import struct
import subprocess
import sys

import numpy as np
import soundfile as sf

from tests.conftest import SR, chord_signal
from tests.privileges import as_root_without_dac

GOOD = [  # name, sample rate, channels, format, subtype
    *[(f"wav{i:02d}.wav", SR, 1, "WAV", "PCM_16") for i in range(8)],
    *[(f"stereo{i}.wav", 48000, 2, "WAV", "FLOAT") for i in range(4)],
    *[(f"flac{i}.flac", 22050, 1, "FLAC", "PCM_24") for i in range(4)],
    *[(f"vorbis{i}.ogg", SR, 2, "OGG", "VORBIS") for i in range(4)],
    *[(f"mpeg{i}.mp3", SR, 1, "MP3", "MPEG_LAYER_III") for i in range(3)],
    *[(f"aiff{i}.aiff", 32000, 1, "AIFF", "PCM_16") for i in range(2)],
    ("same.flac", SR, 1, "FLAC", "PCM_16"),  # writes same.jams/.lab; same.wav is then refused
]


def _write(path, *, sr=SR, channels=1, fmt="WAV", subtype="PCM_16", seconds=1.5, root=0):
    y = chord_signal([48 + root, 52 + root, 55 + root], seconds=seconds, sr=sr)
    sf.write(
        path,
        np.stack([y] * channels, axis=1) if channels > 1 else y,
        sr,
        format=fmt,
        subtype=subtype,
    )
    return path


def _hostile(folder) -> dict[str, str]:
    """Write one of each hostile file; returns name -> what its failure line must say."""
    cut = _write(folder / "truncated.wav")
    cut.write_bytes(cut.read_bytes()[: cut.stat().st_size // 2])
    (folder / "random.wav").write_bytes(np.random.default_rng(1).bytes(6000))
    (folder / "empty.flac").write_bytes(b"")
    (folder / "text.mp3").write_text("this is not an MP3 file\n" * 40)
    (folder / "loop.wav").symlink_to(folder / "loop.wav")
    (folder / "dangling.ogg").symlink_to(folder / "gone.ogg")
    os.mkfifo(folder / "pipe.wav")
    nan = chord_signal([50], seconds=1.0)
    nan[100] = np.nan
    sf.write(folder / "nan.wav", nan, SR, subtype="FLOAT")
    slow = bytearray(_write(folder / "onehz.wav").read_bytes())
    slow[24:28] = struct.pack("<I", 1)  # the fmt chunk's sample rate: 1 Hz
    (folder / "onehz.wav").write_bytes(bytes(slow))
    huge = bytearray(_write(folder / "huge.flac", fmt="FLAC").read_bytes())
    packed = int.from_bytes(huge[18:26], "big")  # STREAMINFO: rate, channels, bits, samples
    huge[18:26] = ((packed & ~(2**36 - 1)) | (2**36 - 1)).to_bytes(8, "big")
    (folder / "huge.flac").write_bytes(bytes(huge))
    ogg = _write(folder / "cut.ogg", fmt="OGG", subtype="VORBIS", seconds=3.0)
    ogg.write_bytes(ogg.read_bytes()[: int(ogg.stat().st_size * 0.6)])
    _write(folder / "short.wav", seconds=0.01)
    _write(folder / "same.wav", root=2)
    locked = folder / "locked"
    locked.mkdir()
    _write(locked / "inside.wav")
    locked.chmod(0)
    return {
        "truncated.wav": "truncated",
        "random.wav": "cannot decode audio",
        "empty.flac": "empty",
        "text.mp3": "cannot decode audio",
        "loop.wav": "symlink loop",
        "dangling.ogg": "broken symlink",
        "pipe.wav": "named pipe",
        "nan.wav": "NaN",
        "onehz.wav": "damaged header",
        "huge.flac": "damaged",
        "cut.ogg": "truncated",
        "short.wav": "too short",
        "same.wav": "also the output of",
        "locked": "cannot read folder",
    }


def test_every_good_file_is_written_and_every_bad_one_named(tiny_bundle, tmp_path):
    folder, out = tmp_path / "songs", tmp_path / "out"
    folder.mkdir()
    for name, sr, channels, fmt, subtype in GOOD:
        _write(folder / name, sr=sr, channels=channels, fmt=fmt, subtype=subtype)
    bad = _hostile(folder)
    assert len(GOOD) + len(bad) == 40
    try:
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "chordview.cli",
                "analyze",
                str(folder),
                "-o",
                str(out),
                "--model",
                str(tiny_bundle),
                "--device",
                "cpu",
            ],
            capture_output=True,
            text=True,
            timeout=600,
            **as_root_without_dac(),
        )
    finally:
        (folder / "locked").chmod(0o755)
    err = proc.stderr
    assert proc.returncode != 0 and "Traceback" not in err, err
    stems = sorted({os.path.splitext(name)[0] for name, *_ in GOOD})
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f"{stem}.{ext}" for stem in stems for ext in ("jams", "lab")
    )
    summary = err[err.index(f"analysed {len(GOOD)} of 40 files; {len(bad)} failed:") :]
    lines = summary.splitlines()[1:]
    assert len(lines) == len(bad), summary
    for name, says in bad.items():
        (line,) = [line for line in lines if f"{os.sep}{name}" in line]
        assert says in line, line
