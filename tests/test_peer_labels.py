"""The peer recognisers' label converters (benchmarks/peers/labels.py): standard library only.

These run without the peers' virtualenvs: labels.py is imported straight from its file.
"""

from __future__ import annotations

import importlib.util
import sys
import wave
from pathlib import Path

import pytest

PEERS = Path(__file__).resolve().parents[1] / "benchmarks" / "peers"


def _load(name: str):
    if str(PEERS) not in sys.path:
        sys.path.insert(0, str(PEERS))  # the runners import labels/common as top-level modules
    spec = importlib.util.spec_from_file_location(f"peers_{name}", PEERS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


labels = _load("labels")

# Chordino's chord dictionary prints these (and their inversions as note names).
CHORDINO = {
    "N": "N",
    "C": "C:maj",
    "Am": "A:min",
    "Am7": "A:min7",
    "Bb/F": "Bb:maj/5",
    "F#/C#": "F#:maj/5",
    "B/D#": "B:maj/3",
    "Gm/Bb": "G:min/b3",
    "C7/E": "C:7/3",
    "C7/Bb": "C:7/b7",
    "Bm7b5": "B:hdim7",
    "Ebmaj7": "Eb:maj7",
    "Abm6": "Ab:min6",
    "B6": "B:maj6",
    "Baug": "B:aug",
    "Edim": "E:dim",
    "C#dim7": "C#:dim7",
    "C#7": "C#:7",
    "Dsus4": "D:sus4",
    "D7sus4": "D:sus4(b7)",
    "Cadd9": "C:maj(9)",
    "Cmmaj7": "C:minmaj7",
    "C/C": "C:maj",
    "Cb/Gb": "Cb:maj/5",
}


@pytest.mark.parametrize(("symbol", "harte"), CHORDINO.items())
def test_chordino_symbols_become_harte(symbol, harte):
    assert labels.chordino_to_harte(symbol) == harte
    assert labels.is_harte(harte)


@pytest.mark.parametrize("symbol", ["Hm", "Cxyz", "C/H", "c", "Am7/", ":maj"])
def test_chordino_rejects_what_it_cannot_read(symbol):
    with pytest.raises(ValueError):
        labels.chordino_to_harte(symbol)


@pytest.mark.parametrize(
    "label",
    [
        "N",
        "X",
        "C:maj",
        "C:min/b3",
        "C:sus4(b7)",
        "Db:min7/b7",
        "F#:hdim7",
        "C:maj(9)",
        "E:min9",
        "G:13",
        "C:maj/3",
        "C:(1,3,5)",
        "C:maj(*5)",
        "A:aug",
        "Bb:minmaj7/5",
    ],
)
def test_harte_labels_pass_through(label):
    assert labels.lvchordia_to_harte(label) == label
    assert labels.crema_to_harte(label) == label


def test_harte_tidying():
    assert labels.harte_to_harte(" C:maj ") == "C:maj"
    assert labels.harte_to_harte("") == "N"
    assert labels.harte_to_harte("C:maj/1") == "C:maj"


@pytest.mark.parametrize(
    "label", ["C:major", "Am", "C:maj/x", "H:maj", "C:maj(", "c:min", "C::maj"]
)
def test_harte_rejects_non_harte(label):
    assert not labels.is_harte(label)
    with pytest.raises(ValueError):
        labels.harte_to_harte(label)


def test_is_harte_agrees_with_mir_eval():
    chord = pytest.importorskip("mir_eval.chord")
    candidates = [
        *CHORDINO.values(),
        "C:maj/1",
        "C",
        "C/3",
        "C:(3,5)",
        "C:foo",
        "C:maj//3",
        "Cb:min",
        "F##:maj",
        "C:maj(b9,#11,13)",
        "C:13/b13",
        "C:9(*3)",
        "C:maj/",
    ]
    for label in candidates:
        try:
            chord.encode(label)
            parsed = True
        except Exception:
            parsed = False
        assert labels.is_harte(label) == parsed, label


def test_changes_to_segments():
    changes = [(0.19, "N"), (0.23, "C:maj"), (1.0, "C:maj"), (2.0, "A:min"), (9.0, "N")]
    assert labels.changes_to_segments(changes, duration=3.0) == [
        (0.0, 0.23, "N"),
        (0.23, 2.0, "C:maj"),
        (2.0, 3.0, "A:min"),
    ]
    assert labels.changes_to_segments([], duration=2.0) == [(0.0, 2.0, "N")]


def test_format_lab():
    text = labels.format_lab([(0.0, 1.5, "C:maj"), (1.5, 2.0, "N")])
    assert text == "0.000000\t1.500000\tC:maj\n1.500000\t2.000000\tN\n"


def test_warmup_clip_is_a_wav(tmp_path):
    common = _load("common")
    path = tmp_path / "clip.wav"
    common.write_warmup_clip(path, seconds=0.25, sr=8000)
    with wave.open(str(path)) as fh:
        assert (fh.getnchannels(), fh.getsampwidth(), fh.getframerate()) == (1, 2, 8000)
        assert fh.getnframes() == 2000
