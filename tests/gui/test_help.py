"""Help menu: the shortcuts table lists every action's keys; About names version, model, licences
and the settings file."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence

import chordview
from chordview.bundle import read_meta
from chordview.gui.help import key_text


def _table(dialog) -> list[tuple[str, str, str]]:
    t = dialog.table
    return [tuple(t.item(r, c).text() for c in range(3)) for r in range(t.rowCount())]


@pytest.mark.parametrize("key", [Qt.Key.Key_F1, Qt.Key.Key_Question])
def test_f1_and_question_mark_open_the_shortcuts(window, qtbot, key):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    assert window.help.dialog is None
    qtbot.keyClick(window, key)
    assert window.help.dialog is not None and window.help.dialog.isVisible()
    assert window.help.dialog.windowTitle() == "Keyboard shortcuts"


def test_shortcuts_list_every_action_shortcut(window):
    rows = _table(window.help.show_shortcuts())
    listed = {(text, keys) for _, text, keys in rows}
    expected = set()
    for action in window.findChildren(QAction):  # every action of the window, menus or not
        keys = [key_text(k) for k in action.shortcuts() if not k.isEmpty()]
        if keys:
            text = action.text().replace("&", "").rstrip("…")
            expected.add((text, ",  ".join(keys)))
    assert expected and expected <= listed, expected - listed
    assert len(rows) == len(expected)  # and nothing twice
    menus = {text: menu for menu, text, _ in rows}
    assert menus["Open"] == "File" and menus["Zoom in"] == "View"
    assert menus["Keyboard shortcuts"] == "Help"
    zoom = next(keys for _, text, keys in rows if text == "Zoom in")
    for key in ("Ctrl+=", "Ctrl++", "Keypad +"):
        assert key in zoom
    assert ("Play / Pause", "Space") in listed


def test_the_list_cannot_go_stale(window):
    later = window.menuBar().actions()[0].menu().addAction("Something new")
    later.setShortcut(QKeySequence("Ctrl+Shift+N"))
    hidden = QAction("Window-only", window)  # in no menu, only on the window
    hidden.setShortcuts([QKeySequence("Ctrl+J"), QKeySequence("Alt+J")])
    window.addAction(hidden)
    rows = _table(window.help.show_shortcuts())
    assert ("File", "Something new", key_text(QKeySequence("Ctrl+Shift+N"))) in rows
    joined = ",  ".join(key_text(QKeySequence(k)) for k in ("Ctrl+J", "Alt+J"))
    assert ("Window", "Window-only", joined) in rows


def test_about_names_version_model_sha_licences_and_settings(window, tiny_bundle, song, open_song):
    sha = read_meta(tiny_bundle)["weights"]["sha256"][:12]
    text = window.help.show_about().label.text()
    assert f"chordview {chordview.__version__}" in text
    assert tiny_bundle.name in text and sha in text  # before any song: the model's bundle.json
    assert window.settings.fileName() in text
    assert "ISC" in text  # chordview's own licence
    for library in ("PySide6", "pyqtgraph", "numpy", "tensorflow", "LGPL", "MIT", "Apache"):
        assert library in text, library
    open_song(window, song)
    text = window.help.show_about().label.text()
    assert window.session.analysis.model["sha256"][:12] == sha and sha in text
    assert f"device:</b> {window.session.analysis.model['device']}" in text
