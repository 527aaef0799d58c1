"""Chord names as musicians read them: every quality and inversion, spelled in the song's key,
and read back to the same Harte label; the key estimated from the network's outputs."""

from __future__ import annotations

import numpy as np
import pytest

from chordview import theory
from chordview.key import estimate_key, key_from_profile
from chordview.theory import Key, chord_tones, musician, parse_symbol
from chordview.vocab import tag_classes

ON_C = {
    "maj": "C",
    "min": "Cm",
    "7": "C7",
    "maj7": "Cmaj7",
    "min7": "Cm7",
    "hdim7": "Cm7b5",
    "dim": "Cdim",
    "dim7": "Cdim7",
    "aug": "Caug",
    "sus2": "Csus2",
    "sus4": "Csus4",
    "maj6": "C6",
    "min6": "Cm6",
    "minmaj7": "CmMaj7",
}


def _every_chord():
    """All 12 roots x 14 qualities x every inversion (each chord tone as the bass)."""
    for root in theory.PITCH_CLASSES:
        for q in theory.QUALITY_TABLE:
            for degree in q.degrees:
                yield theory.harte(root, q.name, degree)


def test_each_quality_on_c_reads_as_musicians_write_it():
    assert {q: musician(f"C:{q}") for q in ON_C} == ON_C
    assert musician("A:maj/3") == "A/C#" and musician("N") == "N.C." and musician("X") == "X"
    assert musician("C:hdim7", compact=True) == "Cø7" and musician("E:dim7", compact=True) == "E°7"


@pytest.mark.parametrize(
    "key",
    [Key(0), Key(5), Key(6), Key(9, "minor"), Key(3, "minor"), Key(6, "minor"), Key(10), Key(1)],
)
def test_every_chord_and_inversion_reads_back_to_itself_in_any_key(key):
    chords = list(_every_chord())
    assert len(chords) == 12 * sum(len(q.degrees) for q in theory.QUALITY_TABLE)
    for label in chords:
        name = musician(label, key=key)
        back = parse_symbol(name)  # the same chord, perhaps spelled otherwise (Bb for A#)
        assert _same(back, label), (label, name, back)


def _same(a: str, b: str) -> bool:
    """Whether two Harte labels name one chord: root, tones and bass (mir_eval.chord.encode)."""
    (ra, ta, ba), (rb, tb, bb) = theory.encode(a), theory.encode(b)
    return ra == rb and list(ta) == list(tb) and ba == bb


@pytest.mark.parametrize(
    ("key", "label", "name"),
    [
        (Key(5), "A#:maj", "Bb"),
        (Key(5), "D#:maj/3", "Eb/G"),
        (Key(5), "C:7", "C7"),  # F major
        (Key(6), "A#:min", "A#m"),
        (Key(6), "C#:7/3", "C#7/E#"),  # F# major: its 7th is E#
        (Key(6, "minor"), "F:dim7", "E#dim7"),
        (Key(6, "minor"), "C#:7", "C#7"),  # F# minor
        (Key(9, "minor"), "G#:dim", "G#dim"),
        (Key(9, "minor"), "A#:maj", "Bb"),  # A minor
        (Key(3), "G#:maj", "Ab"),
        (Key(3), "C:min7", "Cm7"),  # Eb major
        (Key(2), "F#:min", "F#m"),
        (Key(2), "A#:maj", "Bb"),  # D major: bVI is Bb
        (Key(3, "minor"), "F#:maj", "Gb"),
        (Key(3, "minor"), "D:dim7", "Ddim7"),  # Eb minor
        (Key(0), "F#:dim7", "F#dim7"),
        (Key(0), "D#:maj", "Eb"),  # C major
        (Key(6), "C:maj", "C"),  # not B#: a chromatic note gets the plainer name
    ],
)
def test_chords_are_spelled_in_the_key(key, label, name):
    assert musician(label, key=key) == name


def test_chord_tones_are_spelled_by_their_degrees():
    assert chord_tones("E:dim7") == ["E", "G", "Bb", "Db"]
    assert chord_tones("F#:7") == ["F#", "A#", "C#", "E"]
    assert chord_tones("Bb:aug") == ["Bb", "D", "F#"]
    assert chord_tones("N") == []


def test_notations_are_registered():
    assert theory.format_label("A#:maj/3", notation="musician") == "A#/D"
    assert theory.format_label("A#:maj/3", notation="harte") == "A#:maj/3"


def test_parse_symbol_refuses_what_is_not_a_chord():
    for text in ("H", "Cmaj9", "C/D", "", "Bb//D"):
        with pytest.raises(ValueError):
            parse_symbol(text)


def _triad_profile(tonic: int, mode: str) -> np.ndarray:
    """Pitch-class weights of I-IV-V-I (major) or i-iv-V-i (minor) in a key."""
    third = 3 if mode == "minor" else 4
    chords = [(0, third), (5, third), (7, 4), (0, third)]
    profile = np.zeros(12)
    for root, t in chords:
        for s in (0, t, 7):
            profile[(tonic + root + s) % 12] += 1
    return profile


@pytest.mark.parametrize("mode", ["major", "minor"])
def test_the_key_of_a_cadence_in_every_key(mode):
    for tonic in range(12):
        assert key_from_profile(_triad_profile(tonic, mode)) == Key(tonic, mode)


def test_estimate_key_weights_frames_by_how_sure_a_chord_sounds():
    tags = list(tag_classes())
    n = tags.index("N")
    pitch = np.zeros((20, 12), np.float32)
    pitch[:10] = _triad_profile(7, "major") / 3  # ten frames in G major
    pitch[10:] = np.eye(12)[[1, 3, 6, 8, 10] * 2]  # then noise the model says is no chord
    tag = np.zeros((20, len(tags)), np.float32)
    tag[10:, n] = 1.0
    assert estimate_key({"chord_pitch": pitch, "chord_tag": tag}, no_chord=n) == Key(7)
    assert key_from_profile(np.zeros(12)) == Key(0)  # silence: C major, not an error
