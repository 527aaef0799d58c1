"""The chord theory: spellings, qualities against mir_eval, label round trips over the vocabulary,
transposition as it was before the theory was one module, bass degrees and notations."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import mir_eval
import numpy as np
import pytest

from chordview import theory
from chordview.theory import FLATS, QUALITIES, QUALITY_TABLE, SHARPS
from chordview.training.augment import pitch_shift
from chordview.vocab import ROOT_CLASSES, tag_classes, transposition

TAGS = tag_classes()
OLD = json.loads((Path(__file__).parent / "data/theory/tag_transpositions.json").read_text())
ACCIDENTALS = ("", "b", "bb", "#", "##")


def _inversions():
    """Every label of the vocabulary with every bass degree of its quality."""
    for label in TAGS:
        root, quality, _ = theory.split(label)
        if quality:
            for degree in theory.QUALITY_BY_NAME[quality].degrees:
                yield label, root, quality, degree


# ----------------------------------------------------------------------------- pitch classes
@pytest.mark.parametrize("pc", range(12))
def test_both_spellings_of_every_pitch_class(pc):
    sharp, flat = SHARPS[pc], FLATS[pc]
    assert theory.pitch_class(sharp) == theory.pitch_class(flat) == pc
    assert theory.spell(pc) == sharp and theory.spell(pc + 24) == sharp
    assert theory.spell(pc, prefer_flats=True) == flat == theory.spell(pc - 12, prefer_flats=True)
    for name in (sharp, flat):
        assert theory.is_note(name)
        assert mir_eval.chord.pitch_class_to_semitone(name) == pc
    assert theory.PITCH_CLASSES == SHARPS


def test_double_accidentals_and_enharmonic_spellings():
    for name, pc in {"Cb": 11, "B#": 0, "Fb": 4, "E#": 5, "Ebb": 2, "F##": 7, "Abb": 7}.items():
        assert theory.pitch_class(name) == pc == mir_eval.chord.pitch_class_to_semitone(name)
    assert not any(theory.is_note(n) for n in ("H", "c", "N", "X", "C:maj", ""))
    with pytest.raises(KeyError):
        theory.pitch_class("H")


# ----------------------------------------------------------------------------- qualities
def test_the_qualities_are_the_vocabulary_in_chordview_order():
    assert QUALITIES == (
        "maj",
        "min",
        "dim",
        "aug",
        "maj6",
        "min6",
        "7",
        "maj7",
        "min7",
        "dim7",
        "hdim7",
        "minmaj7",
        "sus2",
        "sus4",
    )
    assert set(QUALITIES) <= set(mir_eval.chord.QUALITIES)
    grid = {theory.harte(r, q) for r in SHARPS for q in QUALITIES}
    assert set(TAGS) == grid | {"N", "X"} and len(TAGS) == 170


@pytest.mark.parametrize("quality", QUALITY_TABLE, ids=lambda q: q.name)
def test_semitones_and_degrees_agree_with_mir_eval(quality):
    bitmap = mir_eval.chord.encode(f"C:{quality.name}")[1]
    assert sorted(quality.semitones) == np.flatnonzero(bitmap).tolist()
    assert np.array_equal(mir_eval.chord.QUALITIES[quality.name], bitmap)
    assert quality.degrees[0] == "1" and quality.semitones[0] == 0
    for degree, semitones in zip(quality.degrees, quality.semitones, strict=True):
        assert mir_eval.chord.scale_degree_to_semitone(degree) == semitones
    assert theory.QUALITY_SEMITONES[quality.name] == quality.semitones
    for root in range(12):  # a pitch-class set measured from its root names one quality
        pcs = {(root + s) % 12 for s in quality.semitones}
        assert theory.quality_of(pc - root for pc in pcs) == quality.name


def test_degree_semitones_count_as_mir_eval_does():
    for number in range(1, 14):
        for acc in ACCIDENTALS:
            degree = f"{acc}{number}"
            expected = mir_eval.chord.scale_degree_to_semitone(degree)
            assert theory.degree_semitones(degree) == expected, degree
    for bad in ("0", "b", "14", "x"):
        with pytest.raises(mir_eval.chord.InvalidChordException):
            theory.degree_semitones(bad)


def test_a_fifth_is_omittable_where_the_rest_is_no_other_chord():
    assert theory.OMITTABLE_FIFTH == {"7", "maj7", "min7", "minmaj7"}
    assert theory.quality_of({0, 3, 7, 10}) == "min7" and theory.quality_of({0, 1, 2}) is None


# ----------------------------------------------------------------------------- labels
def test_labels_of_the_vocabulary_round_trip():
    for label in TAGS:
        root, quality, bass = theory.split(label)
        if label in ("N", "X"):
            assert (root, quality, bass) == (label, "", "")
            continue
        assert theory.harte(root, quality, bass) == label
        assert theory.parse(label) == (root, quality, set(), "1")
        assert theory.format_label(label) == label
    assert theory.split("C") == ("C", "maj", "") and theory.split("Bb:7/3") == ("Bb", "7", "3")


def test_inversions_round_trip_through_mir_eval():
    labels = []
    for _, root, quality, degree in _inversions():
        inverted = theory.harte(root, quality, degree)
        labels.append(inverted)
        assert theory.split(inverted) == (root, quality, "" if degree == "1" else degree)
        assert theory.parse(inverted) == (root, quality, set(), degree)
        pc, _, bass = theory.encode(inverted)
        assert (pc + bass) % 12 == theory.bass_pitch_class(root, degree)
    mir_eval.chord.validate(labels, labels)
    assert theory.harte("C", "maj", "1") == "C:maj"


def test_the_full_harte_grammar_is_mir_eval_s():
    assert theory.parse("G#:min(*b3,*5)/5") == ("G#", "min", {"*b3", "*5"}, "5")
    with pytest.raises(mir_eval.chord.InvalidChordException):
        theory.parse("C:maj/x")


# ----------------------------------------------------------------------------- transposition
@pytest.mark.parametrize("semitones", range(-11, 12))
def test_transposition_agrees_with_the_old_results(semitones):
    assert OLD["classes"] == list(TAGS)
    old = np.array(OLD["tables"][str(semitones)])
    assert np.array_equal(transposition(TAGS, semitones), old)
    for i, label in enumerate(TAGS):
        moved = theory.transpose(label, semitones)
        assert moved == TAGS[old[i]]
        if label not in ("N", "X"):
            assert theory.encode(moved)[0] == (theory.encode(label)[0] + semitones) % 12
            flat = theory.transpose(label, semitones, prefer_flats=True)
            assert theory.pitch_class(flat.split(":")[0]) == theory.pitch_class(moved.split(":")[0])
    for _, root, quality, degree in _inversions():  # the bass degree is relative: it stays
        inverted = theory.harte(root, quality, degree)
        assert theory.split(theory.transpose(inverted, semitones))[1:] == theory.split(inverted)[1:]


@pytest.mark.parametrize("semitones", [s for s in range(-11, 12) if s])
def test_pitch_shift_agrees_with_the_old_index_arithmetic(semitones):
    rng = np.random.default_rng(semitones + 11)
    labels = {
        "chord_tag": rng.integers(0, 170, 40),
        "chord_root": rng.integers(0, 13, 40).astype(np.int32),
        "chord_bass": rng.integers(0, 13, 40).astype(np.int32),
        "chord_pitch": rng.random((40, 12)).astype(np.float32),
    }
    features = rng.random((40, 24, 1)).astype(np.float32)
    _, got = pitch_shift(features, labels, semitones=semitones, bins_per_semitone=1)
    old_tags = np.array(OLD["tables"][str(semitones)])[labels["chord_tag"]]
    assert np.array_equal(got["chord_tag"], old_tags)
    assert np.array_equal(got["chord_pitch"], np.roll(labels["chord_pitch"], semitones, axis=-1))
    for head in ("chord_root", "chord_bass"):
        v = labels[head]
        old = np.where(v < 12, (v + semitones) % 12, v)
        assert np.array_equal(got[head], old) and got[head].dtype == old.dtype
    assert list(transposition(ROOT_CLASSES, semitones)) == [*((np.arange(12) + semitones) % 12), 12]


def test_things_without_a_note_root_stay():
    for label in ("N", "X", "", "H:maj", "C#/3"):
        assert theory.transpose(label, 5) == label
    assert theory.transpose("C#", 1) == "D" and theory.transpose("A:min7/b3", 3) == "C:min7/b3"
    assert theory.transpose("A:min7", 1, prefer_flats=True) == "Bb:min7"


# ----------------------------------------------------------------------------- bass degrees
def test_bass_degrees_and_bass_pitch_classes():
    degrees = ("3", "5", "b3", "b7", "bb7")
    assert [theory.bass_pitch_class("C", d) for d in degrees] == [4, 7, 3, 10, 9]
    assert theory.bass_pitch_class("D", "3") == 6 and theory.bass_pitch_class("Bb", "b7") == 8
    assert theory.bass_degree("dim7", 9) == "bb7" and theory.bass_degree("maj6", 9) == "6"
    assert theory.bass_degree("maj", 0) == "1" and theory.bass_degree("maj", 2) is None
    assert theory.bass_degree("maj", -8) == "3" and theory.bass_degree("maj9", 4) is None
    assert theory.with_bass("G:7", 5) == "G:7/b7" and theory.with_bass("C:maj", 4) == "C:maj/3"
    assert theory.with_bass("A:min", 2) == "A:min" and theory.with_bass("A:min", 9) == "A:min"
    assert theory.with_bass("N", 3) == "N" and theory.with_bass("X", 0) == "X"


def test_every_chord_tone_in_the_bass_is_an_inversion_mir_eval_reads_back():
    for label in TAGS:
        if label in ("N", "X"):
            continue
        root_pc, bitmap, _ = theory.encode(label)
        for bass_pc in range(12):
            inverted = theory.with_bass(label, bass_pc)
            tone = bool(bitmap[(bass_pc - root_pc) % 12])
            if not tone or bass_pc == root_pc:
                assert inverted == label
            else:
                assert (root_pc + theory.encode(inverted)[2]) % 12 == bass_pc, inverted


# ----------------------------------------------------------------------------- notations
def test_chord_symbols_and_the_notation_registry(monkeypatch):
    assert theory.chord_symbol("F#:min7/b7") == "F#m7/E"
    assert theory.chord_symbol("F#:min7/b7", bass=False) == "F#m7"
    assert theory.chord_symbol("B:hdim7") == "Bm7b5" and theory.chord_symbol("C:maj") == "C"
    assert theory.chord_symbol("C:9") == "C9" and theory.chord_symbol("N") == "N"
    assert theory.chord_symbol("C:maj/x") == "C/x"  # a degree it cannot read is shown as written
    symbols = {theory.chord_symbol(label, bass=False) for label in TAGS}
    assert len(symbols) == len(TAGS)  # no two classes look alike
    assert theory.format_label("D:maj/3", notation="symbol") == "D/F#"
    with pytest.raises(KeyError):
        theory.format_label("C:maj", notation="unicode")
    monkeypatch.setattr(theory, "NOTATIONS", dict(theory.NOTATIONS))  # registered for this test
    theory.register_notation("unicode", lambda label: theory.chord_symbol(label).replace("#", "♯"))
    assert theory.format_label("F#:min7/b7", notation="unicode") == "F♯m7/E"


def test_the_theory_is_light():
    probe = "import chordview.theory, sys; print(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    modules = out.stdout.split()
    heavy = ("mir_eval", "tensorflow", "keras", "librosa", "PySide6")
    assert not [m for m in heavy if m in modules]
