"""Ctrl++ / Ctrl+= / Ctrl+Shift+= / keypad + zoom the timeline in around the playhead, Ctrl+- and
keypad - out."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
PAD = Qt.KeyboardModifier.KeypadModifier


def _range(window) -> tuple[float, float]:
    x0, x1 = window.timeline.lanes["cqt"].plot.viewRange()[0]
    return x0, x1


@pytest.fixture
def song_window(window, make_song, open_song, qtbot):
    open_song(window, make_song("long.wav", repeats=3))  # 24 s
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    window.seek(12.0)
    return window


@pytest.mark.parametrize(
    "key, modifiers",
    [
        (Qt.Key.Key_Plus, CTRL),  # Ctrl++
        (Qt.Key.Key_Equal, CTRL),  # Ctrl+= (+ without Shift)
        (Qt.Key.Key_Equal, CTRL | SHIFT),  # Ctrl+Shift+=
        (Qt.Key.Key_Plus, PAD),  # keypad +
    ],
)
def test_zoom_in_keys(song_window, qtbot, key, modifiers):
    window = song_window
    x0, x1 = _range(window)
    qtbot.keyClick(window, key, modifiers)
    y0, y1 = _range(window)
    assert y1 - y0 == pytest.approx((x1 - x0) / 2, rel=1e-3)
    assert y0 < 12.0 < y1  # around the playhead


@pytest.mark.parametrize("key, modifiers", [(Qt.Key.Key_Minus, CTRL), (Qt.Key.Key_Minus, PAD)])
def test_zoom_out_keys(song_window, qtbot, key, modifiers):
    window = song_window
    window.timeline.zoom(0.25)  # 6 s across: room to zoom out
    x0, x1 = _range(window)
    qtbot.keyClick(window, key, modifiers)
    y0, y1 = _range(window)
    assert y1 - y0 == pytest.approx(2 * (x1 - x0), rel=1e-3)
    assert y0 < 12.0 < y1
