"""A bounded, seeded fuzzer for the audio reader over mutated real files.

Small WAV, FLAC, AIFF, Ogg Vorbis, Opus and MP3 files are written from synthesised audio, then
mutated (bit flips, interesting bytes, truncation, duplicated spans, header words overwritten).
Every case must give finite float32 mono or one :class:`AudioError` line, and nothing on stderr.
Cases stop after :data:`CASES` or :data:`BUDGET_S` seconds, whichever comes first; the seed is
fixed under ``CI`` (set ``CHORDVIEW_FUZZ_SEED`` to vary it elsewhere).
"""

from __future__ import annotations

import os
import random
import time
import warnings

import numpy as np
import pytest
import soundfile as sf

from chordview.audio import load_audio
from chordview.errors import AudioError
from tests.conftest import chord_signal

SR = 22050
CASES = 400
BUDGET_S = 20.0
SEED = int(os.environ.get("CHORDVIEW_FUZZ_SEED", "1616"))
INTERESTING = [0x00, 0xFF, 0x7F, 0x80, 0x01, 0xFE]
FORMATS = {  # name: (suffix, format, subtype, rate)
    "wav16": (".wav", "WAV", "PCM_16", 8000),
    "wavf": (".wav", "WAV", "FLOAT", 8000),
    "flac": (".flac", "FLAC", "PCM_16", 8000),
    "aiff": (".aiff", "AIFF", "PCM_24", 8000),
    "vorbis": (".ogg", "OGG", "VORBIS", 8000),
    "opus": (".opus", "OGG", "OPUS", 8000),
    "mp3": (".mp3", "MP3", "MPEG_LAYER_III", 8000),
}


def _seed_file(tmp_path, name: str) -> tuple[bytes, str]:
    suffix, fmt, subtype, rate = FORMATS[name]
    if fmt not in sf.available_formats() or subtype not in sf.available_subtypes(fmt):
        pytest.skip(f"this libsndfile cannot write {fmt}/{subtype}")
    path = tmp_path / f"seed{suffix}"
    y = chord_signal([60, 64, 67], seconds=0.6, sr=rate)
    sf.write(path, np.stack([y, -y], axis=1), rate, format=fmt, subtype=subtype)
    return path.read_bytes(), suffix


def _mutate(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.choice([1, 1, 2, 4, 16])):
        kind = rng.randrange(6)
        i = rng.randrange(len(out)) if out else 0
        head = rng.randrange(min(len(out), 64)) if out else 0  # headers live at the start
        if kind == 0 and out:
            out[i] ^= 1 << rng.randrange(8)
        elif kind == 1 and out:
            out[rng.choice([i, head])] = rng.choice(INTERESTING)
        elif kind == 2:
            del out[rng.randrange(len(out) + 1) :]
        elif kind == 3 and out:
            span = out[i : i + rng.randrange(1, 512)]
            j = rng.randrange(len(out) + 1)
            out[j:j] = span
        elif kind == 4 and len(out) >= 4:
            word = rng.choice([0, 0xFFFFFFFF, 0x7FFFFFFF, 0x80000000, 1, len(out) * 3])
            at = rng.randrange(len(out) - 3) if rng.random() < 0.3 else min(head, len(out) - 4)
            out[at : at + 4] = word.to_bytes(4, rng.choice(["little", "big"]))
        elif kind == 5 and out:
            del out[i : i + rng.randrange(1, 256)]
    return bytes(out)


@pytest.mark.parametrize("name", list(FORMATS))
def test_mutated_files_read_or_raise_audio_error(tmp_path, capfd, name):
    data, suffix = _seed_file(tmp_path, name)
    rng = random.Random(f"{SEED}-{name}")
    path = tmp_path / f"case{suffix}"
    path.write_bytes(data)
    assert len(load_audio(path, sr=SR)) > 0  # the intact seed reads (and librosa is imported)
    start, done, failures = time.monotonic(), 0, []
    while done < CASES and time.monotonic() - start < BUDGET_S / len(FORMATS):
        case = _mutate(data, rng)
        path.write_bytes(case)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                y = load_audio(path, sr=SR)
        except AudioError as exc:
            if "\n" in str(exc) or not str(exc).startswith(str(path)):
                failures.append(f"case {done}: unclear message {str(exc)!r}")
        except Exception as exc:  # noqa: BLE001 - any other exception is the finding
            failures.append(f"case {done}: {type(exc).__name__}: {exc}")
        else:
            if not (y.dtype == np.float32 and y.ndim == 1 and np.all(np.isfinite(y))):
                failures.append(f"case {done}: bad samples {y.dtype} {y.shape}")
            elif len(y) > 40 * len(case):
                failures.append(f"case {done}: {len(y)} samples from {len(case)} bytes")
        done += 1
    assert not failures, f"seed {SEED}, {name}: " + "; ".join(failures[:5])
    assert capfd.readouterr().err == "", "a native decoder wrote to stderr"
    assert done >= min(CASES, 20)
