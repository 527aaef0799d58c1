"""The musician's view: chord names for players with a Harte toggle, and a failed or cancelled
load that never takes over the window's identity."""

from __future__ import annotations

import pytest

from chordview.theory import musician


def _chord_ticks(window) -> list[str]:
    axis = window.timeline.lanes["tag"].plot.getAxis("left")
    return [label for level in (axis._tickLevels or []) for _, label in level]


def test_chord_names_are_for_musicians_and_harte_is_one_toggle_away(
    make_window, song, open_song, qtbot
):
    window = make_window()
    session = open_song(window, song)
    seg = session.segments[len(session.segments) // 2]
    t = (seg.start + seg.end) / 2
    assert window.timeline.chords.notation == "musician"
    assert window.timeline.chord_name(seg.label) == musician(seg.label, key=session.key)
    window._on_hover(t, "chords", -1)
    assert f"chord {musician(seg.label, key=session.key)} ({seg.label}," in window.hover.text()
    ticks = _chord_ticks(window)
    assert ticks and all(":" not in tick for tick in ticks)  # no Harte in the musician's lane
    window.harte_action.trigger()
    assert window.controller.notation == "harte" and window.timeline.chords.notation == "harte"
    window._on_hover(t, "chords", -1)
    assert f"chord {seg.label} (" in window.hover.text()
    assert any(":" in tick for tick in _chord_ticks(window))
    again = make_window()  # remembered in the settings
    assert again.controller.notation == "harte" and again.harte_action.isChecked()


def test_the_hover_bar_forgets_the_previous_song(window, song, make_song, open_song):
    open_song(window, song)
    window._on_hover(1.0, "chords", -1)
    assert "chord" in window.hover.text()
    open_song(window, make_song("other.wav"))
    assert window.hover.text().strip() == ""


def test_failed_and_cancelled_files_never_reach_open_recent(
    window, song, make_song, open_song, qtbot, tmp_path
):
    open_song(window, song)
    assert window.recent.paths()[0] == str(song.resolve())
    bad = tmp_path / "broken.mp3"
    bad.write_text("this is a text file, not an MP3\n" * 50)
    with qtbot.waitSignal(window.analysisFailed, timeout=60_000):
        window.open_file(bad)
    other = make_song("cancelled.wav", repeats=8)
    window.open_file(other)
    with qtbot.waitSignal(window.analysisCancelled, timeout=60_000):
        window.cancel_analysis()
    assert str(bad.resolve()) not in window.recent.paths()
    assert str(other.resolve()) not in window.recent.paths()
    assert window.path == song and window.windowTitle().startswith(song.name)


def test_export_after_a_failed_load_names_and_writes_the_song_shown(
    window, song, open_song, qtbot, tmp_path, monkeypatch
):
    from PySide6.QtWidgets import QFileDialog

    session = open_song(window, song)
    bad = tmp_path / "broken.mp3"
    bad.write_bytes(b"\xff\xfb" + bytes(3000))
    with qtbot.waitSignal(window.analysisFailed, timeout=60_000):
        window.open_file(bad)
    proposed = []
    out = tmp_path / "exported.lab"

    def save_name(_parent, _title, name, _filter):
        proposed.append(name)
        return str(out), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_name)
    window.export_dialog("lab")
    assert proposed == [str(song.with_suffix(".lab"))]
    first = out.read_text().splitlines()[0].split("\t")
    assert first[2] == session.segments[0].label  # the shown song's chords, not the broken one's


def test_the_default_message_box_is_window_modal_and_replaces_the_last(make_window, qtbot):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QMessageBox

    from chordview.gui.widgets import message_box

    window = make_window()
    show = message_box(window)
    show("error", "First", "one")
    show("error", "Second", "two")
    qtbot.wait(50)
    boxes = [w for w in window.findChildren(QMessageBox) if w.isVisible()]
    assert [b.windowTitle() for b in boxes] == ["Second"]
    assert boxes[0].windowModality() == Qt.WindowModality.WindowModal
    boxes[0].close()


@pytest.mark.parametrize("notation", ["musician", "harte"])
def test_the_notation_setting_survives_nonsense(make_window, notation, tmp_path):
    from PySide6.QtCore import QSettings

    QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat).setValue(
        "view/notation", "klingon"
    )
    window = make_window()
    assert window.controller.notation == "musician"
    window.controller.set_notation(notation)
    with pytest.raises(ValueError):
        window.controller.set_notation("klingon")


def test_lanes_and_hover_spell_notes_in_the_key(window, song, open_song):
    import dataclasses

    from chordview.theory import Key

    session = open_song(window, song)
    in_f = dataclasses.replace(session, key=Key(5))  # the same song, read in F major
    window.timeline.set_session(in_f)
    axis = window.timeline.lanes["root"].plot.getAxis("left")
    names = [label for level in axis._tickLevels for _, label in level]
    assert "Bb" in names and "Eb" in names and "A#" not in names and "D#" not in names
    window.controller.set_notation("harte")
    names = [label for level in axis._tickLevels for _, label in level]
    assert "A#" in names and "Bb" not in names
    text = in_f.describe(1.0, notation="musician")
    assert "#" not in text.split("pitches")[1].split("|")[0]  # F major spells with flats


def _drawn_row_labels(lane):
    from PySide6.QtGui import QPainter, QPixmap

    axis = lane.plot.getAxis("left")
    pixmap = QPixmap(10, 10)
    painter = QPainter(pixmap)
    try:
        _axis, _ticks, texts = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    return [(rect, text) for rect, _flags, text in texts]


@pytest.mark.parametrize("height", [700, 1600])
def test_chord_tag_rows_are_labelled_where_they_fit_and_never_overlap(
    make_window, song, open_song, qtbot, height
):
    import dataclasses

    import numpy as np

    from chordview.gui.session import Session

    window = make_window()
    window.resize(1200, height)
    a = open_song(window, song).analysis
    tag = np.array(a.outputs["chord_tag"])
    for k in range(30):  # thirty candidate chords that reach 20% somewhere: thirty-odd rows
        tag[(7 * k) % len(tag), (5 * k) % tag.shape[1]] = 0.2
    session = Session.from_analysis(dataclasses.replace(a, outputs={**a.outputs, "chord_tag": tag}))
    window.timeline.set_session(session)
    qtbot.wait(100)
    lane = window.timeline.lanes["tag"]
    drawn = _drawn_row_labels(lane)
    for i, (rect, _) in enumerate(drawn):
        assert not any(rect.intersects(other) for other, _ in drawn[i + 1 :])
    rows = len(session.row_labels["tag"])
    tallest = max(rect.height() for rect, _ in drawn)
    if lane.box.height() / rows > tallest + 1:  # room for every label: every row has one
        assert len(drawn) == rows
    else:
        assert len(drawn) >= min(rows, lane.box.height() / (tallest + 1)) * 0.6


def test_at_800_px_nothing_in_the_bars_overlaps(make_window, song, open_song, qtbot):
    from PySide6.QtWidgets import QWidget

    window = make_window()
    window.resize(800, 700)
    open_song(window, song)
    qtbot.wait(100)
    assert window.width() <= 800
    for bar in (window.transport, window.statusBar()):
        shown = [w for w in bar.findChildren(QWidget) if w.isVisible() and w.parent() is bar]
        for i, a in enumerate(shown):
            assert bar.rect().contains(a.geometry()), a
            for b in shown[i + 1 :]:
                assert not a.geometry().intersects(b.geometry()), (a, b)
    assert not hasattr(window, "model_label")  # model and device once, in the transport bar


def test_the_db_bar_has_no_tick_at_its_ends(window, song, open_song):
    session = open_song(window, song)
    low, high = session.levels
    ticks = [value for level in window.timeline.colorbar.axis._tickLevels for value, _ in level]
    assert ticks and all(low + 4 < value <= high for value in ticks)  # no "-80" under the bar
    assert -20 in ticks or -40 in ticks


def test_the_picture_for_people_names_chords_as_players_do(tiny_bundle, song, tmp_path):
    from chordview.gui.render import render_file
    from chordview.gui.views import Timeline

    assert Timeline().notation == "musician"  # what render_session draws with
    out = render_file(song, tmp_path / "view.png", model=str(tiny_bundle))
    assert out.read_bytes()[:4] == b"\x89PNG"
