"""Reading audio files into mono float32 at the feature sample rate, with clear errors.

Files are read in blocks and mixed to mono as they come, so a long multichannel file never sits
in memory at full width or in float64. For playback, :func:`load_audio` with ``mono=False`` keeps
up to two channels instead (more are mixed down to two as they come). Every failure is an
:class:`AudioError` with one line that names the file and what is wrong with it.
"""

from __future__ import annotations

import math
import numbers
import re
import stat
from pathlib import Path

import numpy as np

from chordview.audio_checks import ogg_truncation, short_chunk
from chordview.errors import AudioError

AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg", ".oga", ".mp3", ".aif", ".aiff", ".opus")

#: Sample rates accepted, in Hz, from a file's header or a caller: below 1 kHz no real recording
#: exists (a damaged header's 1 Hz would turn 4 KB into 2,000 s of audio after resampling); above
#: 1 MHz is beyond any audio converter (DXD is 352.8 kHz, the fastest are 768 kHz).
MIN_SAMPLE_RATE, MAX_SAMPLE_RATE = 1_000, 1_000_000
#: Longest audio read, in hours (at 44.1 kHz, about 2.5 GB of float32 samples).
MAX_HOURS = 4
#: Most channels a signal may have (libsndfile's own limit).
MAX_CHANNELS = 1024
#: Most channels ``load_audio(..., mono=False)`` keeps (stereo): more are mixed down to these.
PLAYBACK_CHANNELS = 2
#: Largest peak kept as it is. Louder signals (float files scaled by 1e30, int64 arrays) are
#: scaled to peak 1: the log-CQT is relative to its maximum, so this only avoids overflow.
MAX_PEAK = 1e6
#: Samples decoded per block (8 MB of float32), split across the channels.
_BLOCK_SAMPLES = 1 << 21
#: Audio frames one byte of a file can hold, generously (Opus/Vorbis at low bit rates hold about
#: 12): preallocation never trusts a header beyond this many frames per byte of file.
_FRAMES_PER_BYTE = 16
# libmpg123 prints its diagnostics of a damaged MP3 itself, to fd 2.
_MPG123_NOISE = re.compile(
    rb"^(?:Note: |Warning: |Error: |\[src/libmpg123/|.*Illegal Audio-MPEG-Header|"
    rb".*(?:big_values too big|part2_3_length|dequantization failed|mpg123))"
)


def _path_problem(path: Path) -> str:
    """Why ``path`` cannot be read as an audio file, or '' (never opens a pipe or device)."""
    try:
        info = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return "no such file"
    except PermissionError:
        return "permission denied"
    except OSError as exc:
        return f"cannot read the file ({exc.strerror or exc})"
    if stat.S_ISDIR(info.st_mode):
        return "is a folder, not an audio file"
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file (a pipe, device or socket); save the audio to a file first"
    if info.st_size == 0:
        return "file is empty (0 bytes)"
    try:
        with open(path, "rb"):
            pass
    except PermissionError:
        return "permission denied"
    except OSError as exc:
        return f"cannot read the file ({exc.strerror or exc})"
    return ""


def sample_rate(sr, *, name: str = "audio") -> int:
    """Check a sample rate and return it as an int.

    Parameters
    ----------
    sr : int or float
        Sample rate in Hz: a whole number from :data:`MIN_SAMPLE_RATE` to
        :data:`MAX_SAMPLE_RATE` (``44100.0`` is accepted, ``44100.5``, ``True`` and ``'fast'`` not).
    name : str
        What to call the signal in error messages.

    Returns
    -------
    int
        The sample rate in Hz.

    Raises
    ------
    AudioError
        Not a number, not whole, or out of bounds.
    """
    if isinstance(sr, bool | np.bool_) or not isinstance(sr, numbers.Real):
        raise AudioError(f"{name}: sample rate must be a number of Hz, not {sr!r}")
    value = float(sr)
    if not math.isfinite(value) or value != math.floor(value):
        raise AudioError(f"{name}: sample rate {sr!r} is not a whole number of Hz")
    if not MIN_SAMPLE_RATE <= value <= MAX_SAMPLE_RATE:
        raise AudioError(
            f"{name}: sample rate {value:.0f} Hz is outside the supported "
            f"{MIN_SAMPLE_RATE}-{MAX_SAMPLE_RATE} Hz"
        )
    return int(value)


def _too_long(name: str, seconds: float) -> AudioError:
    return AudioError(
        f"{name}: audio is longer than the {MAX_HOURS}-hour limit "
        f"({seconds / 3600:.1f} hours or more)"
    )


def _read_soundfile(path: Path, *, mono: bool = True) -> tuple[np.ndarray, int]:
    import soundfile as sf

    from chordview.quiet import native_stderr_filtered

    size = path.stat().st_size
    try:
        with native_stderr_filtered(_MPG123_NOISE), sf.SoundFile(str(path)) as fh:
            sr = fh.samplerate
            if not MIN_SAMPLE_RATE <= sr <= MAX_SAMPLE_RATE:  # before any allocation
                raise AudioError(
                    f"{path}: damaged header (a sample rate of {sr} Hz; supported "
                    f"are {MIN_SAMPLE_RATE}-{MAX_SAMPLE_RATE} Hz)"
                )
            expected = fh.frames if 0 < fh.frames < 2**62 else 0
            short = short_chunk(fh.extra_info)
            if not short and fh.format == "OGG":
                short = ogg_truncation(path, size=size)
            if short:  # WAV/AIFF/RF64: libsndfile shrinks its frame count to what is there
                raise AudioError(f"{path}: truncated file ({short})")
            limit = MAX_HOURS * 3600 * sr
            if expected > limit and expected <= size * _FRAMES_PER_BYTE:  # the file can hold it
                raise _too_long(str(path), expected / sr)
            y = _read_mono(
                fh,
                frames=min(expected, size * _FRAMES_PER_BYTE),
                limit=limit,
                expected=expected,
                name=str(path),
                mono=mono,
            )
    except sf.LibsndfileError as exc:
        raise AudioError(f"{path}: cannot decode audio ({_reason(exc)})") from None
    except MemoryError:
        raise AudioError(f"{path}: not enough memory to decode the audio") from None
    # libsndfile reports the header's length but reads what is there: fewer samples means the
    # file was cut short (an interrupted copy or download), or its header lies.
    if len(y) < expected:
        raise AudioError(
            f"{path}: truncated file (header promises {expected} samples, {len(y)} are present)"
        )
    return y, sr


def stereo_mix(channels: int) -> np.ndarray | None:
    """How ``channels`` channels are mixed down to :data:`PLAYBACK_CHANNELS` for playback.

    Channels 1, 3, 5, ... go to the left, 2, 4, 6, ... to the right, and an odd last channel
    (a centre) half to each, scaled so that the mean of left and right is the mono mix (the
    mean of all channels) that the analysis hears.

    Parameters
    ----------
    channels : int
        Channels in the file.

    Returns
    -------
    np.ndarray, shape (channels, 2), float64, or None
        The mixing matrix (``frames @ mix``); None for one or two channels (kept as they are).
    """
    if channels <= PLAYBACK_CHANNELS:
        return None
    mix = np.zeros((channels, 2))
    mix[np.arange(channels), np.arange(channels) % 2] = 2.0 / channels
    if channels % 2:
        mix[-1] = 1.0 / channels
    return mix


def _read_mono(
    fh, *, frames: int, limit: int, expected: int, name: str, mono: bool = True
) -> np.ndarray:
    """Decode an open SoundFile block by block into one mono float32 buffer.

    ``frames`` is the preallocation (the header's length, bounded by the file size); a longer
    stream grows the buffer geometrically (``realloc``: usually no copy, never 2x the audio).
    More than ``limit`` frames is an AudioError, as is a decoder error part way.

    With ``mono`` false the buffer is ``(n, channels)`` instead, at most two channels: one or two
    are kept as they are, more are mixed down to two (see :func:`stereo_mix`).
    """
    import soundfile as sf

    mix = None if mono else stereo_mix(fh.channels)
    width = fh.channels if mix is None else PLAYBACK_CHANNELS
    y = np.empty(frames if mono else (frames, width), dtype=np.float32)
    n = 0
    block_frames = max(1, _BLOCK_SAMPLES // max(1, fh.channels))
    while True:
        try:
            block = fh.read(block_frames, dtype="float32", always_2d=True)
        except sf.LibsndfileError as exc:  # libFLAC seeking past the real end of a lying header
            if n < expected:
                raise AudioError(
                    f"{name}: truncated or damaged file (header promises {expected} "
                    f"samples, decoding failed: {_reason(exc)})"
                ) from None
            raise
        if not len(block):
            break
        if n + len(block) > limit:
            raise _too_long(name, limit / fh.samplerate)
        if n + len(block) > len(y):
            grown = min(limit, max(n + len(block), 2 * len(y)))
            y.resize(grown if mono else (grown, width), refcheck=False)
        # float64 accumulation: several channels near float32's maximum do not overflow.
        with np.errstate(invalid="ignore", over="ignore"):  # NaN/Inf are refused later
            if not mono:
                y[n : n + len(block)] = block if mix is None else block @ mix
            else:
                y[n : n + len(block)] = (
                    block[:, 0] if block.shape[1] == 1 else block.mean(axis=1, dtype=np.float64)
                )
        n += len(block)
    y.resize(n if mono else (n, width), refcheck=False)
    return y


_UNRECOGNISED = ("format not recognised", "unknown format", "possibly a pipe")


def _reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    text = text.split(": ", 1)[-1] if text.startswith("Error opening") else text
    if any(marker in text.lower() for marker in _UNRECOGNISED):
        return "not a recognised audio file: unknown format or damaged"
    if "SF_INFO struct incomplete" in text:  # libsndfile's own check of rate/channels/length
        return "damaged header: sample rate, channels or length out of range"
    if text.rstrip(".") == "System error":
        return "the system could not read it"
    return text


def load_audio(path: str | Path, *, sr: int, mono: bool = True) -> np.ndarray:
    """Read an audio file as mono (or, for playback, stereo) float32 at ``sr`` Hz.

    Headers are not trusted: allocation is bounded by what the file's size can hold, sample rates
    outside :data:`MIN_SAMPLE_RATE`-:data:`MAX_SAMPLE_RATE` and audio longer than
    :data:`MAX_HOURS` are refused before anything large is allocated.

    Parameters
    ----------
    path : str or Path
        WAV, FLAC, OGG/Vorbis, Opus, MP3 or AIFF, any sample rate, any number of channels.
    sr : int
        Target sample rate in Hz.
    mono : bool
        Mix all channels to one (the analysis's input). False keeps one or two channels as they
        are and mixes more down to two (:func:`stereo_mix`), for playback.

    Returns
    -------
    np.ndarray, float32
        Shape ``(n_samples,)``; with ``mono=False`` ``(n_samples, n_channels)`` (frames by
        channels, as soundfile and sounddevice lay them out), ``n_channels`` 1 or 2.

    Raises
    ------
    AudioError
        Missing, unreadable, not a regular file, empty, undecodable, truncated, too long, a sample
        rate out of bounds, or NaN/Inf samples.
    """
    path = Path(path).expanduser()
    problem = _path_problem(path)
    if problem:
        raise AudioError(f"{path}: {problem}")
    y, native_sr = _read_soundfile(path, mono=mono)
    if not mono:
        return _prepared(y, sr=native_sr, target_sr=sr, name=str(path), axis=0)
    return prepare_signal(y, sr=native_sr, target_sr=sr, name=str(path))


def to_mono(frames: np.ndarray) -> np.ndarray:
    """The mono mix of ``(n_samples, n_channels)`` frames (what ``load_audio`` gives by default).

    Parameters
    ----------
    frames : np.ndarray, shape (n_samples, n_channels)
        As ``load_audio(..., mono=False)`` returns them.

    Returns
    -------
    np.ndarray, shape (n_samples,), float32
        The mean of the channels (accumulated in float64).
    """
    if frames.ndim == 1:
        return frames
    if frames.shape[1] == 1:
        return np.ascontiguousarray(frames[:, 0])
    return frames.mean(axis=1, dtype=np.float64).astype(np.float32)


def _as_samples(y, *, name: str) -> np.ndarray:
    """``y`` as a real-valued numeric array shaped (n,) or (channels, n), or an AudioError."""
    if y is None or isinstance(y, str | bytes):
        raise AudioError(f"{name}: samples must be an array of numbers, not {type(y).__name__}")
    try:
        arr = np.asarray(y)
    except (ValueError, TypeError) as exc:  # ragged nested lists, unconvertible objects
        raise AudioError(f"{name}: samples are not a regular array of numbers ({exc})") from None
    kind = arr.dtype.kind
    if kind not in "iuf":
        what = {"b": "booleans", "c": "complex numbers", "O": "Python objects"}.get(kind, arr.dtype)
        raise AudioError(f"{name}: samples must be real numbers, not {what}")
    if arr.ndim not in (1, 2):
        raise AudioError(f"{name}: expected samples shaped (n,) or (channels, n), got {arr.shape}")
    if arr.ndim == 2 and arr.shape[0] > MAX_CHANNELS:
        raise AudioError(
            f"{name}: {arr.shape[0]} channels (samples shaped {arr.shape}); expected "
            f"(channels, n) with at most {MAX_CHANNELS} channels: transpose "
            f"(n, channels) data"
        )
    return arr


def prepare_signal(y: np.ndarray, *, sr: int, target_sr: int, name: str = "audio") -> np.ndarray:
    """Check, mix down and resample an in-memory signal.

    Parameters
    ----------
    y : np.ndarray, shape (n_samples,) or (n_channels, n_samples)
        Audio samples (librosa's layout for multichannel): integers or floats.
    sr : int
        Its sample rate in Hz, a whole number (see :func:`sample_rate`).
    target_sr : int
        Sample rate to return.
    name : str
        What to call the signal in error messages.

    Returns
    -------
    np.ndarray, shape (n_samples,), float32
        Peak-normalised to 1 if its peak exceeded :data:`MAX_PEAK`.

    Raises
    ------
    AudioError
        Not real numbers, a wrong shape, NaN/Inf samples, no samples, a sample rate that is not
        a whole number in bounds, or longer than :data:`MAX_HOURS` hours.
    """
    return _prepared(_as_samples(y, name=name), sr=sr, target_sr=target_sr, name=name, axis=-1)


def _prepared(arr: np.ndarray, *, sr, target_sr: int, name: str, axis: int) -> np.ndarray:
    """Check, scale and resample samples whose time runs along ``axis``: a 2-D ``arr`` with time
    last, ``(channels, n)``, is mixed to mono; one with time first, ``(n, channels)``, is kept."""
    sr = sample_rate(sr, name=name)
    if arr.size == 0:
        raise AudioError(f"{name}: holds no samples")
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        raise AudioError(f"{name}: holds NaN or infinite samples; the file is damaged")
    n = arr.shape[axis]
    if n > MAX_HOURS * 3600 * sr:
        raise _too_long(name, n / sr)
    peak = max(float(arr.max()), -float(arr.min()))
    if peak > MAX_PEAK:
        arr = arr / np.asarray(peak, dtype=np.result_type(arr.dtype, np.float32))
    if arr.ndim == 2 and axis == -1:
        arr = arr.mean(axis=0, dtype=np.float64 if arr.dtype == np.float64 else np.float32)
    signal = arr.astype(np.float32, copy=False)
    if sr != target_sr:
        from chordview.numba_cache import ensure_numba_cache

        ensure_numba_cache()
        import librosa

        signal = librosa.resample(
            signal, orig_sr=sr, target_sr=target_sr, res_type="soxr_hq", axis=axis
        )
        signal = signal.astype(np.float32, copy=False)
    return signal
