"""Property tests: any WAV/AIFF header and any in-memory input gives audio or one AudioError line.

Headers are built field by field with random values (channel counts, sample rates, bit depths,
chunk sizes larger or smaller than the file, chunk orders, extensible formats); what comes back is
finite float32 mono of bounded length, or an :class:`AudioError`, never another exception and
never a large allocation (tracemalloc's peak is checked).
"""

from __future__ import annotations

import struct
import tracemalloc
import warnings

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from chordview.audio import MAX_HOURS, load_audio, prepare_signal
from chordview.errors import AudioError

SR = 22050
#: Peak Python-visible allocation allowed while reading one small generated file.
PEAK_BYTES = 64 << 20

u16 = st.integers(0, 2**16 - 1)
u32 = st.integers(0, 2**32 - 1)
rates = st.one_of(st.sampled_from([0, 1, 999, 1000, 8000, 44100, 10**6, 10**6 + 1, 2**31]), u32)
channels = st.one_of(st.sampled_from([0, 1, 2, 6, 1024, 1025]), u16)
bits = st.sampled_from([0, 1, 8, 12, 16, 24, 32, 64, 65535])
payloads = st.binary(max_size=3000)
EXTENSIBLE_GUIDS = [
    bytes.fromhex("0100000000001000800000aa00389b71"),  # PCM
    bytes.fromhex("0300000000001000800000aa00389b71"),  # IEEE float
    bytes(16),
]


def _chunk(tag: bytes, body: bytes, size: int | None = None) -> bytes:
    size = len(body) if size is None else size
    return tag + struct.pack("<I", size % 2**32) + body + (b"\0" if len(body) % 2 else b"")


@st.composite
def wav_files(draw) -> bytes:
    n_ch, rate, width = draw(channels), draw(rates), draw(bits)
    block = draw(st.one_of(st.just(max(1, n_ch * width // 8) % 2**16), u16))
    fmt_tag = draw(st.sampled_from([1, 3, 6, 7, 0xFFFE, 0, 0x55]))
    body = struct.pack("<HHIIHH", fmt_tag, n_ch, rate, (rate * block) % 2**32, block, width)
    if fmt_tag == 0xFFFE:
        body += struct.pack("<HHI", 22, draw(u16), draw(u32)) + draw(
            st.sampled_from(EXTENSIBLE_GUIDS)
        )
    payload = draw(payloads)
    data_size = draw(st.one_of(st.just(len(payload)), u32, st.integers(0, 2 * len(payload) + 8)))
    chunks = [_chunk(b"fmt ", body), _chunk(b"data", payload, data_size)]
    if draw(st.booleans()):
        chunks.insert(draw(st.integers(0, 2)), _chunk(b"LIST", draw(st.binary(max_size=40))))
    if draw(st.booleans()):
        chunks.reverse()  # data before fmt
    if draw(st.booleans()):
        chunks.append(draw(st.sampled_from(chunks)))  # a duplicated chunk
    riff = b"".join(chunks)
    riff_size = draw(st.one_of(st.just(len(riff) + 4), u32))
    return b"RIFF" + struct.pack("<I", riff_size) + b"WAVE" + riff


def _extended80(value: int) -> bytes:
    """An IEEE 754 80-bit extended float, as AIFF stores its sample rate."""
    if value <= 0:
        return bytes(10)
    exponent = value.bit_length() - 1
    return struct.pack(">HQ", 16383 + exponent, value << (63 - exponent))


@st.composite
def aiff_files(draw) -> bytes:
    comm = struct.pack(">hIh", draw(channels) - 2**15, draw(u32), draw(bits) % 2**15)
    comm += _extended80(draw(rates))
    payload = draw(payloads)
    ssnd = struct.pack(">II", draw(st.sampled_from([0, 8, 2**31])), 0) + payload
    size = draw(st.one_of(st.just(len(ssnd)), u32))
    chunks = [
        b"COMM" + struct.pack(">I", len(comm)) + comm,
        b"SSND" + struct.pack(">I", size) + ssnd,
    ]
    if draw(st.booleans()):
        chunks.reverse()
    form = b"AIFF" + b"".join(chunks)
    return b"FORM" + struct.pack(">I", draw(st.one_of(st.just(len(form)), u32))) + form


def _check_load(tmp_path, data: bytes, suffix: str) -> None:
    path = tmp_path / f"generated{suffix}"
    path.write_bytes(data)
    tracemalloc.start()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            y = load_audio(path, sr=SR)
    except AudioError as exc:
        text = str(exc)
        assert text.startswith(str(path)) and "\n" not in text
        return
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < PEAK_BYTES, f"{peak} bytes allocated for a {len(data)}-byte file"
    assert y.dtype == np.float32 and y.ndim == 1 and len(y) > 0
    assert np.all(np.isfinite(y))
    assert len(y) <= len(data) * 44  # 8-bit audio at 1 kHz becomes 22 samples per byte at SR


@given(data=wav_files())
def test_any_wav_header_reads_or_is_an_audio_error(tmp_path, data):
    _check_load(tmp_path, data, ".wav")


@given(data=aiff_files())
def test_any_aiff_header_reads_or_is_an_audio_error(tmp_path, data):
    _check_load(tmp_path, data, ".aiff")


# --- in-memory input -------------------------------------------------------------------------

DTYPES = [
    "int8",
    "uint8",
    "int16",
    "int32",
    "int64",
    "uint64",
    "float16",
    "float32",
    "float64",
    "longdouble",
    "bool",
    "complex64",
    "object",
    "U3",
    "datetime64[s]",
]
sample_rates = st.one_of(
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["44100", "fast", None, True, False, b"x", [44100], 44100.5, 44100.0]),
)


@st.composite
def signals(draw):
    dtype = np.dtype(draw(st.sampled_from(DTYPES)))
    shape = draw(st.sampled_from([(0,), (1,), (50,), (2, 50), (1, 0), (3, 2, 4), (), (2000, 2)]))
    raw = draw(
        st.lists(st.floats(allow_nan=True, allow_infinity=True, width=64), min_size=1, max_size=8)
    )
    values = np.resize(np.array(raw), int(np.prod(shape)))
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            return values.astype(dtype).reshape(shape)
        except (ValueError, TypeError, OverflowError):
            return values.reshape(shape)


@given(
    y=st.one_of(signals(), st.lists(st.lists(st.floats(), max_size=3), max_size=3)), sr=sample_rates
)
def test_prepare_signal_returns_audio_or_an_audio_error(y, sr):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            out = prepare_signal(y, sr=sr, target_sr=SR)
    except AudioError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert out.dtype == np.float32 and out.ndim == 1 and len(out) > 0
    assert np.all(np.isfinite(out))
    assert len(out) <= MAX_HOURS * 3600 * SR
