"""The chord track's labels: shorter ones drop the bass, then use compact symbols, then show
nothing; never a different chord (checked with mir_eval over the whole vocabulary)."""

from __future__ import annotations

import pytest

from chordview import theory
from chordview.gui.chords import short_labels
from chordview.theory import Key


def _chords():
    for root in theory.PITCH_CLASSES:
        for q in theory.QUALITY_TABLE:
            for degree in q.degrees:
                yield theory.harte(root, q.name, degree)


def _names_the_chord(text: str, label: str, *, notation: str) -> bool:
    """Whether ``text`` names ``label``'s chord: same root and tones; a bass, if shown, the same."""
    harte = theory.parse_symbol(text) if notation == "musician" else text
    (r1, t1, b1), (r2, t2, b2) = theory.encode(harte), theory.encode(label)
    return r1 == r2 and list(t1) == list(t2) and ("/" not in text or b1 == b2)


@pytest.mark.parametrize("notation", ["musician", "harte"])
@pytest.mark.parametrize("key", [None, Key(5), Key(6, "minor"), Key(3)])
def test_no_short_label_names_another_chord(notation, key):
    for label in [*_chords(), "N", "X"]:
        labels = short_labels(label, notation=notation, key=key)
        assert labels and len(labels) == len(set(labels))
        assert all(len(b) <= len(a) for a, b in zip(labels, labels[1:], strict=False))
        if label in ("N", "X"):
            continue
        for text in labels:
            assert _names_the_chord(text, label, notation=notation), (label, text)


def test_the_examples_that_used_to_change_the_chord():
    assert short_labels("E:dim7") == ["Edim7", "E°7"]  # was "E"
    assert short_labels("C:7") == ["C7"]  # was "C"
    assert short_labels("G#:min") == ["G#m"]
    assert short_labels("F#:min7/b7") == ["F#m7/E", "F#m7"]
    assert short_labels("B:hdim7") == ["Bm7b5", "Bø7"]
    assert short_labels("A#:maj/3", key=Key(5)) == ["Bb/D", "Bb"]  # spelled in F major
    assert short_labels("N") == ["N.C."]
    assert short_labels("D:maj/3", notation="harte") == ["D:maj/3", "D:maj"]


def test_a_box_cut_by_the_view_edge_is_labelled_in_its_visible_part():
    from PySide6.QtGui import QTransform

    from chordview.decode import Segment
    from chordview.gui.chords import ChordTrackItem
    from chordview.gui.launch import application

    application()
    track = ChordTrackItem()
    track.set_segments([Segment(0.0, 10.0, "E:dim7", 0.9), Segment(10.0, 10.2, "C:7", 0.9)])
    per_second = QTransform.fromScale(60.0, 30.0)  # 60 px a second

    def width(text):
        return 7 * len(text)

    ((seg, start, end, text),) = track.labels(8.0, 10.1, per_second, width)  # C:7: too narrow
    assert (seg.label, start, end, text) == ("E:dim7", 8.0, 10.0, "Edim7")
    ((_, start, end, text),) = track.labels(
        9.5, 12.0, per_second, width
    )  # 0.5 s (30 px) of it shows
    assert (start, end, text) == (9.5, 10.0, "E°7")  # the compact name fits, never "E"
