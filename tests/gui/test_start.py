"""A start that explains itself: the start panel before the first song, time axes in seconds."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt

from chordview.gui.start import HINT


@pytest.fixture
def recent_window(make_window, tmp_path, song):
    """A window whose settings list two recent songs: the test song and one since deleted."""
    gone = tmp_path / "gone.wav"
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("recent", [str(song.resolve()), str(gone)])
    settings.sync()
    return make_window()


def test_without_a_song_the_window_says_what_to_do(window):
    assert HINT == "Open a song (Ctrl+O) or drop it here"
    assert window.pages.showing_start and window.start.isVisible()
    assert window.start.hint.text() == HINT and window.start.hint.isVisible()
    assert not window.timeline.isVisible() and not window.overview.isVisible()
    assert window.start.entries == [] and not window.start.recent_title.isVisible()


def test_the_start_panel_lists_the_recent_songs(recent_window, song):
    start = recent_window.start
    assert [b.text() for b in start.entries] == [song.name, "gone.wav"]
    assert start.entries[0].toolTip() == str(song.resolve())
    assert start.recent_title.isVisible() and all(b.isVisible() for b in start.entries)


def test_clicking_a_recent_song_opens_it_and_the_panel_goes(recent_window, song, qtbot):
    window = recent_window
    with qtbot.waitSignal(window.sessionReady, timeout=90_000):
        qtbot.mouseClick(window.start.entries[0], Qt.MouseButton.LeftButton)
    assert window.path == song
    assert not window.pages.showing_start and not window.start.isVisible()
    assert window.timeline.isVisible() and window.overview.isVisible()
    assert window.overview.y() < window.timeline.y()  # the strip sits above the detailed view


def test_a_recent_song_that_is_gone_says_so_and_the_panel_stays(recent_window, messages, qtbot):
    window = recent_window
    qtbot.mouseClick(window.start.entries[1], Qt.MouseButton.LeftButton)
    assert messages and "no such file" in messages[-1][2]
    assert window.pages.showing_start


def _bottom(window):
    return window.timeline.lanes["chords"].plot.getAxis("bottom")


def test_time_axes_say_seconds(window, song, open_song):
    axis = _bottom(window)
    assert "time (s)" in axis.labelString() and "ms" not in axis.labelString()
    open_song(window, song)
    plot = window.timeline.lanes["cqt"].plot
    for span in ((0.0, 0.4), (0.0, 8.0)):  # an SI prefix would turn 0.4 s into 400 ms
        plot.setXRange(*span, padding=0)
        assert "time (s)" in axis.labelString() and "ms" not in axis.labelString()
        assert axis.autoSIPrefixScale == 1.0
