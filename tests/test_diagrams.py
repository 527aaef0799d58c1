"""Guitar shapes and piano keys for every chord of the vocabulary, and every inversion."""

from __future__ import annotations

import pytest

from chordview import theory
from chordview.diagrams import TUNING, GuitarShape, guitar_shape, piano_keys

ROOTS = theory.PITCH_CLASSES
LABELS = [theory.harte(r, q.name) for r in ROOTS for q in theory.QUALITY_TABLE]
INVERSIONS = [
    theory.harte(r, q.name, d) for r in ROOTS for q in theory.QUALITY_TABLE for d in q.degrees[1:]
]


def _sounding(shape: GuitarShape) -> list[int]:
    return [open_ + fret for open_, fret in zip(TUNING, shape.frets, strict=True) if fret >= 0]


def _check_playable(label: str, shape: GuitarShape, *, bass_pc: int) -> None:
    root, quality, _ = theory.split(label)
    q = theory.QUALITY_BY_NAME[quality]
    tones = {(theory.pitch_class(root) + s) % 12 for s in q.semitones}
    notes = _sounding(shape)
    heard = {n % 12 for n in notes}
    assert len(shape.frets) == len(shape.fingers) == 6, label
    assert len(notes) >= 4, (label, shape)
    assert heard <= tones, (label, shape)  # chord tones only
    missing = tones - heard
    fifth = (theory.pitch_class(root) + 7) % 12
    assert not missing or (missing == {fifth} and quality in theory.OMITTABLE_FIFTH), label
    assert min(notes) % 12 == bass_pc and notes[0] == min(notes), (label, shape)
    fretted = [f for f in shape.frets if f > 0]
    if fretted:
        assert max(fretted) - min(fretted) + 1 <= 4, (label, shape)  # four frets at most
    # fingers: one per fretted string, none on open or muted ones, at most four in all, one fret
    # per finger (a barre holds one fret on several strings), higher fingers on higher frets
    held: dict[int, int] = {}
    for fret, finger in zip(shape.frets, shape.fingers, strict=True):
        assert (fret > 0) == (1 <= finger <= 4), (label, shape)
        if finger:
            assert held.setdefault(finger, fret) == fret, (label, shape)
    assert len(held) <= 4
    by_finger = sorted(held.items())
    assert all(a[1] <= b[1] for a, b in zip(by_finger, by_finger[1:], strict=False)), shape
    if shape.barre is not None:
        b = shape.barre
        under = range(b.first, b.last + 1)
        assert b.last > b.first and all(shape.frets[s] >= b.fret for s in under), shape
        assert shape.fingers[b.first] == shape.fingers[b.last] == b.finger, shape
    # the diagram shows every fretted note from its base fret
    assert all(shape.base_fret <= f <= shape.base_fret + 4 for f in fretted), shape
    assert shape.base_fret == 1 or min(fretted) == shape.base_fret


def test_all_168_chords_have_a_playable_root_position_shape():
    assert len(LABELS) == 168
    for label in LABELS:
        shape = guitar_shape(label)
        assert shape is not None, label
        _check_playable(label, shape, bass_pc=theory.pitch_class(theory.split(label)[0]))


def test_inversions_put_their_bass_lowest_where_a_shape_has_it():
    with_bass = 0
    for label in INVERSIONS:
        root, _, degree = theory.split(label)
        bass = theory.bass_pitch_class(root, degree)
        shape = guitar_shape(label)
        assert shape is not None, label
        if min(_sounding(shape)) % 12 == bass:
            with_bass += 1
            _check_playable(label, shape, bass_pc=bass)
        else:  # no shape found over that bass: the root-position shape
            assert shape == guitar_shape(label.partition("/")[0]), label
    assert with_bass >= 0.9 * len(INVERSIONS)


@pytest.mark.parametrize(
    ("label", "frets"),
    [
        ("C:maj", "x32010"),
        ("A:maj", "x02220"),
        ("G:maj", "320003"),
        ("E:maj", "022100"),
        ("D:maj", "xx0232"),
        ("A:min", "x02210"),
        ("E:min", "022000"),
        ("D:min", "xx0231"),
        ("E:7", "020100"),
        ("A:7", "x02020"),
        ("D:7", "xx0212"),
        ("F:maj", "133211"),  # E-form barre
        ("B:min", "x24432"),  # A-form barre
        ("C:maj/3", "032010"),
        ("G:maj/3", "x20003"),
        ("D:maj/3", "200232"),
    ],
)
def test_familiar_shapes(label, frets):
    shape = guitar_shape(label)
    assert "".join("x" if f < 0 else str(f) for f in shape.frets) == frets


def test_barre_shapes_and_base_fret():
    f = guitar_shape("F:maj")
    assert f.barre is not None and (f.barre.fret, f.barre.first, f.barre.last) == (1, 0, 5)
    assert f.fingers == (1, 3, 4, 2, 1, 1) and f.base_fret == 1
    cm = guitar_shape("C:min")  # x35543: drawn from the third fret
    assert cm.base_fret == 3 and cm.barre is not None and cm.barre.first == 1
    assert cm.frets[0] == -1


def test_no_shape_without_a_chord():
    assert guitar_shape("N") is None and guitar_shape("X") is None
    assert piano_keys("N") == (frozenset(), None)


def test_piano_lights_exactly_the_chord_tones_and_marks_the_bass():
    for label in [*LABELS, *INVERSIONS]:
        pcs, bass = piano_keys(label)
        root, _, degree = theory.split(label)
        assert pcs == {theory.pitch_class(t) for t in theory.chord_tones(label)}, label
        expected = theory.bass_pitch_class(root, degree) if degree else theory.pitch_class(root)
        assert bass == expected, label
    assert piano_keys("A#:maj/3") == (frozenset({10, 2, 5}), 2)
