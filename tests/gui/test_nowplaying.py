"""Now playing: the chord under the playhead and the next one, their diagrams, the current box
outlined in the chord track, and chord labels that meet WCAG AA contrast on their boxes."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QColor

from chordview import theory
from chordview.decode import Segment
from chordview.diagrams import guitar_shape, piano_keys
from chordview.gui.chords import label_colour, segment_colour
from chordview.gui.diagrams import GuitarDiagram, PianoDiagram
from chordview.theory import musician


def _progression(window, session) -> None:
    """The song's own chords (the tiny model decodes one chord): I-IV-V-I, two seconds each,
    the second one inverted; handed to the views as a new session is."""
    session.analysis.segments = [
        Segment(0.0, 2.0, "C:maj", 0.9),
        Segment(2.0, 4.0, "F:maj/3", 0.8),
        Segment(4.0, 6.0, "G:7", 0.7),
        Segment(6.0, 7.5, "C:maj", 0.9),
    ]
    window.controller.sessionChanged.emit(session)


@pytest.mark.parametrize("i", [1, 2])
def test_now_playing_changes_exactly_at_a_chord_change(window, song, open_song, i):
    session = open_song(window, song)
    _progression(window, session)
    now, segs, key = window.nowplaying, session.segments, session.key
    before, after = segs[i - 1], segs[i]
    c = window.controller
    c.seek(after.start - 0.02)
    assert now.index == i - 1 and window.timeline.chords.current == i - 1
    assert now.current.name.text() == musician(before.label, key=key)
    assert now.next.name.text() == musician(after.label, key=key)
    assert now.until.text() == f"in {after.start - c.time:.1f} s"
    assert now.current.guitar.shape == guitar_shape(before.label)
    assert now.next.guitar.shape == guitar_shape(after.label)
    assert {k % 12 for k in now.current.piano.lit} == set(piano_keys(before.label)[0])
    c.seek(after.start + 0.02)
    assert now.index == i and window.timeline.chords.current == i
    assert now.current.name.text() == musician(after.label, key=key)
    assert now.current.guitar.shape == guitar_shape(after.label)
    assert now.next.name.text() == musician(segs[i + 1].label, key=key)
    c.seek(7.6)  # between the last chord's end and the song's: none sounds, none comes
    assert now.index is None and window.timeline.chords.current is None
    assert now.current.name.text() == "–" and now.until.text() == "end of song"
    c.seek(0.0)
    assert now.index == 0 and now.current.name.text() == musician("C:maj", key=key)
    c.seek_end()  # past the last chord: nothing sounds, nothing comes
    assert now.index is None and window.timeline.chords.current is None
    assert now.current.name.text() == "–" and now.until.text() == "end of song"


def test_the_row_is_compact_and_the_diagrams_can_be_hidden(make_window, song, open_song, tmp_path):
    window = make_window()
    open_song(window, song)
    now = window.nowplaying
    assert 130 <= now.height() <= 170
    assert now.current.guitar.isVisible() and now.next.piano.isVisible()
    assert window.diagrams_action.isChecked()
    window.diagrams_action.trigger()  # View > Chord diagrams off
    assert not now.current.guitar.isVisible() and not now.next.piano.isVisible()
    assert now.height() < 80 and now.current.name.isVisible()
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    assert settings.value("view/diagrams", type=bool) is False
    again = make_window()  # remembered
    assert not again.diagrams_action.isChecked()
    assert not again.nowplaying.current.guitar.isVisible()


def test_diagram_widgets_draw_the_chord(qtbot):
    guitar, piano = GuitarDiagram(), PianoDiagram()
    qtbot.addWidget(guitar)
    qtbot.addWidget(piano)
    guitar.set_chord("A#:maj/3", key=theory.Key(5))
    piano.set_chord("A#:maj/3", key=theory.Key(5))
    assert guitar.name == "Bb/D" and guitar.shape == guitar_shape("A#:maj/3")
    assert {k % 12 for k in piano.lit} == {10, 2, 5} and piano.bass_key % 12 == 2
    assert piano.bass_key == min(piano.lit) and max(piano.lit) < 24
    assert not guitar.grab().isNull() and not piano.grab().isNull()
    piano.set_chord("N")
    guitar.set_chord(None)
    assert piano.lit == [] and piano.bass_key is None and guitar.shape is None


def _luminance(c: QColor) -> float:
    """WCAG 2.x relative luminance, written out apart from the code under test."""
    out = 0.0
    for weight, value in zip((0.2126, 0.7152, 0.0722), (c.red(), c.green(), c.blue()), strict=True):
        s = value / 255
        out += weight * (s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4)
    return out


def _ratio(a: QColor, b: QColor) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_every_chord_label_meets_wcag_aa_on_its_box():
    labels = [f"{r}:maj" for r in theory.PITCH_CLASSES] + ["C#:min7/b7", "N", "X"]
    for label in labels:
        for step in range(21):
            confidence = step / 20
            box = segment_colour(label, confidence)
            assert box.alpha() == 255  # opaque: the ratio is the one a reader sees
            ratio = _ratio(box, label_colour(box))
            assert ratio >= 4.5, (label, confidence, box.name(), ratio)
    # confidence still shows: a sure box differs from an unsure one of the same root
    assert segment_colour("C:maj", 1.0).name() != segment_colour("C:maj", 0.2).name()
