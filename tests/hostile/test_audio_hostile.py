"""One test per fault a tester found in the audio reader: each is one AudioError line, or works."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
import tempfile
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from chordview.audio import load_audio, prepare_signal
from chordview.errors import AudioError
from chordview.features import compute_features
from tests.conftest import SR, chord_signal

ROOT = Path(__file__).resolve().parents[2]


def _error(path, *expected: str) -> str:
    with pytest.raises(AudioError) as err:
        load_audio(path, sr=SR)
    text = str(err.value)
    assert "\n" not in text and Path(path).name in text
    for part in expected:
        assert part in text
    return text


def _pcm_wav(*, sr: int, payload: bytes, channels: int = 1, bits: int = 16) -> bytes:
    block = channels * bits // 8
    fmt = struct.pack("<HHIIHH", 1, channels, sr, (sr * block) % 2**32, block, bits)
    body = b"WAVEfmt " + struct.pack("<I", len(fmt)) + fmt + b"data"
    body += struct.pack("<I", len(payload)) + payload
    return b"RIFF" + struct.pack("<I", len(body)) + body


# --- 1. a header's length is not trusted -----------------------------------------------------


def test_flac_claiming_2_to_the_36_samples_allocates_nothing_big(tmp_path):
    path = tmp_path / "liar.flac"
    sf.write(path, chord_signal([60], seconds=1.0), SR)
    data = bytearray(path.read_bytes())
    # STREAMINFO (bytes 8..41): total samples are the low 36 bits of the 8 bytes at 18..26.
    field = int.from_bytes(data[18:26], "big") | (2**36 - 1)
    data[18:26] = field.to_bytes(8, "big")
    path.write_bytes(bytes(data))
    assert sf.info(str(path)).frames == 2**36 - 1
    _error(path, "header promises 68719476735 samples")


# --- 2. sample rates and lengths are bounded before anything is allocated --------------------


@pytest.mark.parametrize("rate", [1, 999, 1_000_001, 2**31 - 1])
def test_header_sample_rate_out_of_bounds_is_refused(tmp_path, rate):
    path = tmp_path / f"rate{rate}.wav"
    path.write_bytes(_pcm_wav(sr=rate, payload=bytes(4000)))
    _error(path, "damaged header", "sample rate", "1000-1000000 Hz")


def test_header_sample_rate_libsndfile_refuses_is_a_damaged_header(tmp_path):
    path = tmp_path / "rate4G.wav"
    path.write_bytes(_pcm_wav(sr=2**32 - 1, payload=bytes(4000)))
    _error(path, "damaged header", "sample rate")


def test_longer_than_four_hours_is_refused_before_resampling(tmp_path):
    path = tmp_path / "long.wav"  # 4 h 0.1 s of 8-bit audio at 1 kHz: 14.4 MB
    frames = 4 * 3600 * 1000 + 100
    with sf.SoundFile(path, "w", samplerate=1000, channels=1, subtype="PCM_U8") as fh:
        fh.write(np.zeros(frames, dtype=np.int16))
    _error(path, "longer than the 4-hour limit")
    with pytest.raises(AudioError, match="longer than the 4-hour limit"):
        prepare_signal(np.zeros(frames, np.float32), sr=1000, target_sr=SR)


# --- 3. absurdly loud or quiet floats ----------------------------------------------------------


@pytest.mark.parametrize("scale", [1e30, 3e38, 1e-30, 1e-40])
def test_extreme_float_scales_give_finite_features_without_warnings(tmp_path, scale):
    y = chord_signal([57, 60, 64], seconds=1.0) * np.float32(scale)
    path = tmp_path / "scaled.wav"
    sf.write(path, np.stack([y, y], axis=1), SR, subtype="FLOAT")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for signal in (load_audio(path, sr=22050), prepare_signal(y, sr=SR, target_sr=SR)):
            assert signal.dtype == np.float32 and np.all(np.isfinite(signal))
            assert np.abs(signal).max() < 1.1  # resampling may ring a little over 1
            assert np.all(np.isfinite(compute_features(signal)))
        assert np.all(np.isfinite(compute_features(y)))  # direct callers too


def test_loud_floats_keep_the_features_of_the_quiet_original():
    y = chord_signal([57, 60, 64], seconds=1.0)
    quiet = compute_features(prepare_signal(y, sr=SR, target_sr=SR))
    loud = compute_features(prepare_signal(y * np.float32(1e30), sr=SR, target_sr=SR))
    np.testing.assert_allclose(loud, quiet, atol=0.05)  # dB, float32 rounding


def test_analyze_of_loud_samples_is_not_all_no_chord(tiny_bundle):
    from chordview.analysis import analyze

    y = chord_signal([57, 60, 64], seconds=2.0) * np.float32(1e30)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        a = analyze(y=y, sr=SR, model=tiny_bundle, device="cpu")
    assert np.all(np.isfinite(a.cqt)) and a.cqt.max() == pytest.approx(0.0)


# --- 4. the array API promises AudioError ----------------------------------------------------

BAD_RATES = [float("nan"), float("inf"), -44100, 0, "fast", True, 44100.5, None, 2**70]
BAD_SAMPLES = [
    [[1.0, 2.0], [3.0]],
    np.array([1, "a"], dtype=object),
    np.ones(100, dtype=complex),
    np.ones(100, dtype=bool),
    np.zeros((2, 2, 2)),
    np.zeros((5000, 2)),  # soundfile's (n, channels) layout
    np.float32(1.0),
    "samples",
    None,
]


@pytest.mark.parametrize("sr", BAD_RATES, ids=repr)
def test_bad_sample_rate_is_an_audio_error(sr):
    with pytest.raises(AudioError, match="sample rate"):
        prepare_signal(np.zeros(SR, np.float32), sr=sr, target_sr=SR)


@pytest.mark.parametrize("y", BAD_SAMPLES, ids=lambda y: type(y).__name__)
def test_bad_samples_are_an_audio_error(y):
    with pytest.raises(AudioError) as err:
        prepare_signal(y, sr=SR, target_sr=SR)
    assert "\n" not in str(err.value)


def test_integral_float_sample_rate_is_accepted():
    assert prepare_signal(np.zeros(100, np.int16), sr=44100.0, target_sr=SR).shape == (100,)
    assert prepare_signal(np.zeros(100), sr=np.int64(22050), target_sr=22050).dtype == np.float32


def test_analyze_passes_sample_rate_checks_through(tiny_bundle):
    from chordview.analysis import analyze

    for sr in (float("nan"), "fast", 44100.5):
        with pytest.raises(AudioError, match="sample rate"):
            analyze(y=np.zeros(SR, np.float32), sr=sr, model=tiny_bundle)
    with pytest.raises(AudioError, match="regular array"):
        analyze(y=[[1, 2], [3]], sr=SR, model=tiny_bundle)


# --- 5. messages that say what is wrong ------------------------------------------------------


def test_random_bytes_are_not_a_recognised_audio_file(tmp_path):
    path = tmp_path / "noise.wav"
    path.write_bytes(np.random.default_rng(5).bytes(4000))
    text = _error(path, "not a recognised audio file")
    assert "pipe" not in text


def test_fifo_is_not_a_regular_file_and_is_never_opened(tmp_path):
    path = tmp_path / "pipe.wav"
    os.mkfifo(path)  # opening it for reading would block until a writer comes
    assert "empty" not in _error(path, "not a regular file")


def test_directory_and_missing_file_keep_their_messages(tmp_path):
    _error(tmp_path / "gone.wav", "no such file")
    (tmp_path / "dir.wav").mkdir()
    _error(tmp_path / "dir.wav", "folder")


def test_unreadable_file_says_permission_denied(tmp_path):
    """chmod 000 as an unprivileged user (a root child imports, then drops to nobody)."""
    path = tmp_path / "locked.wav"
    sf.write(path, chord_signal([60], seconds=0.5), SR)
    os.chmod(path, 0)
    drop = "os.setgroups([]); os.setgid(65534); os.setuid(65534)" if os.geteuid() == 0 else ""
    code = f"""
        import os
        import soundfile, tempfile
        import chordview.audio, chordview.audio_checks, chordview.quiet
        from chordview.errors import AudioError
        {drop}
        assert not os.access({str(path)!r}, os.R_OK)
        try:
            chordview.audio.load_audio({str(path)!r}, sr=44100)
        except AudioError as exc:
            print(exc)
    """
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert out.stdout.strip() == f"{path}: permission denied", out.stderr


# --- 6. libmpg123 keeps its chatter to itself ------------------------------------------------


def _damaged_mp3(tmp_path) -> Path:
    path = tmp_path / "damaged.mp3"
    sf.write(path, chord_signal([60, 64, 67], seconds=3.0), SR, format="MP3")
    data = bytearray(path.read_bytes())
    for i in range(2000, len(data), 997):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))
    return path


def test_damaged_mp3_prints_nothing_on_stderr(tmp_path):
    path = _damaged_mp3(tmp_path)
    code = f"""
        import sys
        import soundfile
        with soundfile.SoundFile({str(path)!r}) as fh:  # unsilenced: proves the file is noisy
            fh.read()
        sys.stderr.flush()
        print("---", file=sys.stderr, flush=True)
        from chordview.audio import load_audio
        print(len(load_audio({str(path)!r}, sr=44100)))
    """
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    raw, ours = out.stderr.split("---\n")
    assert "libmpg123" in raw or "Warning:" in raw or "Note:" in raw
    assert ours == "" and int(out.stdout) == 3 * SR


# --- 7. truncated Ogg (and MP3) --------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "subtype", "rate"),
    [
        ("cut.ogg", "VORBIS", SR),
        ("cut.opus", "OPUS", 48000),
        ("cut.mp3", "MPEG_LAYER_III", SR),
    ],
)
@pytest.mark.parametrize("fraction", [0.5, 0.97])
def test_truncated_compressed_file_is_refused(tmp_path, name, subtype, rate, fraction):
    path = tmp_path / name
    fmt = "MP3" if subtype.startswith("MPEG") else "OGG"
    sf.write(
        path, chord_signal([60, 64, 67], seconds=3.0, sr=rate), rate, format=fmt, subtype=subtype
    )
    assert len(load_audio(path, sr=SR)) == pytest.approx(3 * SR, abs=2)  # intact: reads
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * fraction)])
    _error(path, "truncated file")


def test_ogg_cut_at_a_page_boundary_is_refused(tmp_path):
    path = tmp_path / "pages.opus"
    sf.write(path, chord_signal([60], seconds=3.0, sr=48000), 48000, format="OGG", subtype="OPUS")
    data = path.read_bytes()
    path.write_bytes(data[: data.rfind(b"OggS")])  # drop the whole last (end-of-stream) page
    _error(path, "truncated file", "end-of-stream")


# --- 8. no writable numba cache --------------------------------------------------------------


def test_analysis_works_without_a_writable_numba_cache(tmp_path):
    """HOME=/nonexistent and a read-only librosa: numba gets a private cache folder."""
    import librosa

    code = """
        import os, sys
        import numpy as np
        from chordview.audio import prepare_signal
        from chordview.features import compute_features
        y = np.sin(np.arange(44100) / 10).astype(np.float32)
        feats = compute_features(prepare_signal(y, sr=22050, target_sr=44100))
        print(os.environ.get("NUMBA_CACHE_DIR"), feats.shape, np.isfinite(feats).all())
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NUMBA_", "XDG_"))}
    env.update(HOME="/nonexistent", PYTHONPATH=str(ROOT))
    cmd = [sys.executable, "-c", textwrap.dedent(code)]
    if os.geteuid() == 0:  # as nobody, reading (not writing) everywhere, like a service account
        if shutil.which("setpriv") is None:
            pytest.skip("root without setpriv cannot act as an unprivileged user")
        caps = ["--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search"]
        cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *caps, *cmd]
        site = Path(librosa.__file__).parent
        tmp = Path(tempfile.gettempdir()) / "chordview-numba-65534"
        shutil.rmtree(tmp, ignore_errors=True)
    else:  # a read-only copy of librosa (without its caches) shadows the installed one
        site = tmp_path / "ro" / "librosa"
        shutil.copytree(
            Path(librosa.__file__).parent, site, ignore=shutil.ignore_patterns("__pycache__")
        )
        for folder, _, _ in os.walk(site):
            os.chmod(folder, 0o555)
        env["PYTHONPATH"] = f"{tmp_path / 'ro'}{os.pathsep}{ROOT}"
    probe = subprocess.run(
        [
            *cmd[:-3],
            sys.executable,
            "-c",
            f"import os, sys; print(os.access({str(site)!r}, os.W_OK))",
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    if probe.stdout.strip() != "False":
        pytest.skip(f"librosa's folder is writable for the child ({probe.stderr.strip()})")
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr.strip().splitlines()[-1:]
    folder, rest = out.stdout.split(" ", 1)
    assert rest.strip() == "(21, 216, 1) True"
    assert Path(folder).parent == Path(tempfile.gettempdir())
    assert (os.stat(folder).st_mode & 0o777) == 0o700
    assert out.stderr == ""
