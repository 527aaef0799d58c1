"""The Help menu: the keyboard shortcuts of every action, and About chordview.

The shortcuts table is read from the window's actions each time it opens (the menu bar's,
submenus included, and those added to the window alone), so it always lists what the keys do
now. About names the version, the model in use and its sha256, the licences of chordview and
of the libraries it is built on (from their installed metadata) and where the settings live.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMenu,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

#: The keys that open the shortcuts table.
SHORTCUT_KEYS = ("F1", "?")
#: Distributions whose licences About names: (distribution, what it does for chordview).
LIBRARIES = (
    ("PySide6-Essentials", "Qt for Python: the window"),
    ("pyqtgraph", "the time-aligned plots"),
    ("sounddevice", "playback (PortAudio)"),
    ("soundfile", "reading audio (libsndfile)"),
    ("numpy", "arrays"),
    ("scipy", "signal processing"),
    ("librosa", "the CQT features"),
    ("mir_eval", "chord evaluation"),
    ("keras", "the networks"),
    ("tensorflow", "running the networks"),
)


def _plain(text: str) -> str:
    """A menu text without its mnemonic ampersands and trailing dots."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").rstrip(".")


def _walk(menu: QMenu, path: str) -> Iterator[tuple[str, QAction]]:
    for action in menu.actions():
        if action.menu() is not None:
            yield from _walk(action.menu(), f"{path} > {_plain(action.menu().title())}")
        elif not action.isSeparator():
            yield path, action


def key_text(sequence: QKeySequence) -> str:
    """A shortcut as the platform writes it, the keypad spelled out: ``'Ctrl+O'``,
    ``'Keypad +'``."""
    return sequence.toString(QKeySequence.SequenceFormat.NativeText).replace("Num+", "Keypad ")


def action_shortcuts(window: QMainWindow) -> list[tuple[str, str, list[str]]]:
    """Every action of ``window`` that has a keyboard shortcut, in menu order.

    Returns
    -------
    list of (str, str, list of str)
        ``(menu, action, keys)``: the menu path (``'View'``, ``'File > Export'``), the action's
        text, and each of its shortcuts (:func:`key_text`). Actions that
        are in no menu (added to the window only) come last under ``'Window'``.
    """
    rows, seen = [], set()
    found = [
        (path, action)
        for top in window.menuBar().actions()
        if top.menu() is not None
        for path, action in _walk(top.menu(), _plain(top.menu().title()))
    ]
    found += [("Window", action) for action in window.actions()]
    for path, action in found:
        keys = [key_text(k) for k in action.shortcuts() if not k.isEmpty()]
        if keys and id(action) not in seen:
            seen.add(id(action))
            rows.append((path, _plain(action.text()), keys))
    return rows


def _licence(dist: str) -> tuple[str, str]:
    """``(version, licence)`` of an installed distribution, from its metadata."""
    try:
        meta = metadata.metadata(dist)
    except metadata.PackageNotFoundError:
        return "not installed", "—"
    licence = meta.get("License-Expression") or ""
    text = (meta.get("License") or "").strip()
    if not licence and text and "\n" not in text and len(text) <= 60:
        licence = text
    if not licence:
        classifiers = [c for c in meta.get_all("Classifier") or () if c.startswith("License ::")]
        licence = classifiers[0].split("::")[-1].strip() if classifiers else "see its package"
    return meta.get("Version", "?"), licence


def model_identity(controller) -> tuple[str, str]:
    """The model in use and the first 12 hex digits of its weights' sha256.

    The current session's model when there is one (what made the chords on screen), else the
    model the next analysis will use, read from its ``bundle.json`` (or hashed, for a ``.keras``
    file) without loading it.
    """
    session = controller.session
    if session is not None and session.analysis.model.get("sha256"):
        info = session.analysis.model
        return str(info.get("name", controller.model)), str(info["sha256"])[:12]
    from chordview.bundle import read_meta, resolve, sha256_file
    from chordview.errors import ChordviewError

    try:
        path = resolve(controller.model)
        sha = sha256_file(path) if path.is_file() else read_meta(path)["weights"]["sha256"]
    except (ChordviewError, OSError, KeyError, TypeError):
        sha = "unknown"
    return Path(str(controller.model)).name, str(sha)[:12]


def about_html(controller) -> str:
    """The About text (HTML): version, model and sha256, licences, the settings file."""
    import chordview

    name, sha = model_identity(controller)
    _, own = _licence("chordview")
    own = own if own not in ("—", "see its package") else "ISC"
    rows = "".join(
        f"<tr><td>{html.escape(dist)}</td><td>{html.escape(version)}</td>"
        f"<td>{html.escape(licence)}</td><td>{html.escape(role)}</td></tr>"
        for dist, role in LIBRARIES
        for version, licence in [_licence(dist)]
    )
    settings = controller.settings.fileName()
    return (
        f"<h3>chordview {html.escape(chordview.__version__)}</h3>"
        "<p>Chord analysis with a fully convolutional UNet and structured heads.</p>"
        f"<p><b>Model:</b> {html.escape(name)} &nbsp; <b>sha256:</b> <code>{sha}</code>"
        f" &nbsp; <b>device:</b> {html.escape(str(controller.device_in_use))}</p>"
        f"<p><b>Licence:</b> chordview is released under the {html.escape(own)} licence.</p>"
        "<table cellspacing='4'><tr><th align='left'>library</th><th align='left'>version</th>"
        f"<th align='left'>licence</th><th align='left'>for</th></tr>{rows}</table>"
        f"<p><b>Settings:</b> {html.escape(settings)}</p>"
    )


class ShortcutsDialog(QDialog):
    """A table of every action's shortcuts (menu, action, keys), read from the window."""

    def __init__(self, window: QMainWindow):
        super().__init__(window)
        self.setWindowTitle("Keyboard shortcuts")
        self.rows = action_shortcuts(window)
        self.table = QTableWidget(len(self.rows), 3, self)
        self.table.setHorizontalHeaderLabels(["Menu", "Action", "Keys"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for r, (menu, text, keys) in enumerate(self.rows):
            for col, value in enumerate((menu, text, ",  ".join(keys))):
                self.table.setItem(r, col, QTableWidgetItem(value))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        _finish(self, self.table)
        self.table.resizeRowsToContents()
        rows = self.table.verticalHeader().length() + self.table.horizontalHeader().height()
        self.resize(640, min(760, rows + 90))


class AboutDialog(QDialog):
    """About chordview: :func:`about_html` in a label whose text can be selected and copied."""

    def __init__(self, window: QWidget, controller):
        super().__init__(window)
        self.setWindowTitle("About chordview")
        self.label = QLabel(about_html(controller), self)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setWordWrap(True)
        _finish(self, self.label)


def _finish(dialog: QDialog, content: QWidget) -> None:
    box = QVBoxLayout(dialog)
    box.addWidget(content)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
    buttons.rejected.connect(dialog.close)
    box.addWidget(buttons)


class HelpMenu:
    """Fills the Help menu of ``window`` and opens its (non-modal) dialogs.

    Attributes
    ----------
    shortcuts_action, about_action : QAction
    dialog : QDialog or None
        The dialog opened last.
    """

    def __init__(self, window: QMainWindow, menu: QMenu):
        self.window, self.dialog = window, None
        self.shortcuts_action = QAction("&Keyboard shortcuts", window)
        self.shortcuts_action.setShortcuts([QKeySequence(k) for k in SHORTCUT_KEYS])
        self.shortcuts_action.triggered.connect(self.show_shortcuts)
        self.about_action = QAction("&About chordview", window)
        self.about_action.triggered.connect(self.show_about)
        for action in (self.shortcuts_action, self.about_action):
            menu.addAction(action)
            window.addAction(action)  # the keys work with the menu bar hidden too

    def show_shortcuts(self) -> ShortcutsDialog:
        """Help > Keyboard shortcuts (F1, ?)."""
        return self._show(ShortcutsDialog(self.window))

    def show_about(self) -> AboutDialog:
        """Help > About chordview."""
        return self._show(AboutDialog(self.window, self.window.controller))

    def _show(self, dialog: QDialog):
        if self.dialog is not None:
            self.dialog.close()
            self.dialog.deleteLater()
        self.dialog = dialog
        dialog.show()
        return dialog
