"""Reading audio files into mono float32 at the feature sample rate, with clear errors.

Files are read in blocks and mixed to mono as they come, so a long multichannel file never sits
in memory at full width or in float64. Every failure is an :class:`AudioError` with one line that
names the file and what is wrong with it.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from chordview.errors import AudioError

AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg", ".oga", ".mp3", ".aif", ".aiff", ".opus")
_BLOCK = 1 << 20


def find_audio(paths) -> list[Path]:
    """Expand files and folders into a sorted list of audio files.

    Raises
    ------
    AudioError
        A path does not exist, or a folder holds no audio file.
    """
    found: list[Path] = []
    for item in paths:
        path = Path(item).expanduser()
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.suffix.lower() in AUDIO_EXTENSIONS)
            if not files:
                raise AudioError(
                    f"{path}: folder holds no audio files ({', '.join(AUDIO_EXTENSIONS)})"
                )
            found.extend(files)
        elif path.exists():
            found.append(path)
        else:
            raise AudioError(f"{path}: no such file or folder")
    return found


def _read_soundfile(path: Path) -> tuple[np.ndarray, int]:
    import soundfile as sf

    try:
        with sf.SoundFile(str(path)) as fh:
            sr, expected = fh.samplerate, fh.frames
            short = _short_chunk(fh.extra_info)
            if short:  # WAV/AIFF/RF64: libsndfile shrinks its frame count to what is there
                raise AudioError(f"{path}: truncated file ({short})")
            known = 0 < expected < 2**62
            # One preallocated mono buffer when the header gives the length: no 2x peak.
            y = np.empty(expected if known else 0, dtype=np.float32)
            parts, n = [], 0
            while True:
                block = fh.read(_BLOCK, dtype="float32", always_2d=True)
                if not len(block):
                    break
                mono = block.mean(axis=1, dtype=np.float32)
                if n + len(mono) <= len(y):
                    y[n : n + len(mono)] = mono
                else:
                    parts.append(mono)
                n += len(mono)
    except sf.LibsndfileError as exc:
        raise AudioError(f"{path}: cannot decode audio ({_reason(exc)})") from None
    # A header without a length (or an understated one) falls back to concatenation.
    y = np.concatenate([y[: min(n, len(y))], *parts]) if parts else y[:n]
    # libsndfile reports the header's length but reads what is there: fewer samples means the
    # file was cut short (an interrupted copy or download).
    if 0 < expected < 2**62 and len(y) < expected:
        raise AudioError(
            f"{path}: truncated file (header promises {expected} samples, {len(y)} are present)"
        )
    return y, int(sr)


# libsndfile's log of a WAV/AIFF whose data chunk is longer than the file: "data : 176400 (should
# be 88178)"; an RF64 file logs a frame count that differs from its ds64 chunk's.
_CHUNK_RE = re.compile(r"^\s*(?:data|SSND)\s*:\s*(\d+)\s*\(should be (\d+)\)", re.MULTILINE)
_DS64_RE = re.compile(
    r"Calculated frame count (\d+) does not match value from 'ds64' chunk of (\d+)"
)


def _short_chunk(log: str) -> str:
    """What is missing when the header promises more audio than the file holds, else ''."""
    m = _CHUNK_RE.search(log)
    if m and int(m.group(1)) > int(m.group(2)):
        return f"header promises {m.group(1)} bytes of audio, {m.group(2)} are present"
    m = _DS64_RE.search(log)
    if m and int(m.group(2)) > int(m.group(1)):
        return f"header promises {m.group(2)} samples, {m.group(1)} are present"
    return ""


def _reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text.split(": ", 1)[-1] if text.startswith("Error opening") else text


def load_audio(path: str | Path, *, sr: int) -> np.ndarray:
    """Read an audio file as mono float32 at ``sr`` Hz.

    Parameters
    ----------
    path : str or Path
        WAV, FLAC, OGG/Vorbis, Opus, MP3 or AIFF, any sample rate, any number of channels.
    sr : int
        Target sample rate in Hz.

    Returns
    -------
    np.ndarray, shape (n_samples,), float32

    Raises
    ------
    AudioError
        Missing, empty, undecodable or truncated file, or NaN/Inf samples.
    """
    path = Path(path).expanduser()
    if not path.exists():
        raise AudioError(f"{path}: no such file")
    if path.is_dir():
        raise AudioError(f"{path}: is a folder, not an audio file")
    if path.stat().st_size == 0:
        raise AudioError(f"{path}: file is empty (0 bytes)")
    y, native_sr = _read_soundfile(path)
    return prepare_signal(y, sr=native_sr, target_sr=sr, name=str(path))


def prepare_signal(y: np.ndarray, *, sr: int, target_sr: int, name: str = "audio") -> np.ndarray:
    """Check, mix down and resample an in-memory signal.

    Parameters
    ----------
    y : np.ndarray, shape (n_samples,) or (n_channels, n_samples)
        Audio samples (librosa's layout for multichannel).
    sr : int
        Its sample rate in Hz.
    target_sr : int
        Sample rate to return.
    name : str
        What to call the signal in error messages.

    Returns
    -------
    np.ndarray, shape (n_samples,), float32
    """
    y = np.asarray(y)
    if y.ndim == 2:
        y = y.mean(axis=0, dtype=np.float32)
    elif y.ndim != 1:
        raise AudioError(f"{name}: expected samples shaped (n,) or (channels, n), got {y.shape}")
    if not np.issubdtype(y.dtype, np.number):
        raise AudioError(f"{name}: samples are not numbers")
    y = y.astype(np.float32, copy=False)
    if not np.all(np.isfinite(y)):
        raise AudioError(f"{name}: holds NaN or infinite samples; the file is damaged")
    if sr <= 0:
        raise AudioError(f"{name}: invalid sample rate {sr}")
    if len(y) == 0:
        raise AudioError(f"{name}: holds no samples")
    if sr != target_sr:
        import librosa

        y = librosa.resample(y, orig_sr=sr, target_sr=target_sr, res_type="soxr_hq")
        y = y.astype(np.float32, copy=False)
    return y
