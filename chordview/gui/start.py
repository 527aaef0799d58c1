"""What the window shows before the first song: how to open one, and the recent songs.

:class:`StartPanel` says "Open a song (Ctrl+O) or drop it here" and lists the recent songs as
buttons; :class:`StartPages` shows it in place of the song's views until the controller's first
``sessionChanged``, and the song's views from then on. Drops land on the main window, which
accepts them anywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QStackedWidget, QVBoxLayout, QWidget

#: The one line that says what to do.
HINT = "Open a song (Ctrl+O) or drop it here"


class StartPanel(QWidget):
    """The hint and the recent songs (most recent first), each a button that opens it.

    Parameters
    ----------
    recent : callable
        ``recent()`` -> the recent songs' paths, most recent first (read each time the panel
        shows, e.g. :meth:`RecentFiles.paths <chordview.gui.widgets.RecentFiles.paths>`).
    parent : QWidget, optional

    Signals
    -------
    openRequested(str)
        A recent song was clicked: open this path.
    """

    openRequested = Signal(str)

    def __init__(self, recent: Callable[[], list[str]], parent=None):
        super().__init__(parent)
        self.recent = recent
        self.setObjectName("start")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)  # the dark background
        self.setStyleSheet(
            "#start { background: #15161a; }"
            "QLabel { color: #c8c8c8; }"
            "QPushButton { color: #9ecbff; background: transparent; border: none;"
            " text-align: left; padding: 3px 0; font-size: 11pt; }"
            "QPushButton:hover { color: #ffffff; text-decoration: underline; }"
        )
        layout = QVBoxLayout(self)
        layout.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint = QLabel(HINT, self)
        self.hint.setStyleSheet("font-size: 18pt; color: #e8e8e8; padding-bottom: 18px;")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.hint)
        self.recent_title = QLabel("Recent songs", self)
        self.recent_title.setStyleSheet("font-size: 11pt; font-weight: bold;")
        layout.addWidget(self.recent_title)
        self._list = QVBoxLayout()
        self._list.setSpacing(0)
        layout.addLayout(self._list)
        self.entries: list[QPushButton] = []  # filled each time the panel shows

    def refresh(self) -> None:
        """List the recent songs again."""
        for button in self.entries:
            self._list.removeWidget(button)
            button.deleteLater()
        self.entries = []
        for path in self.recent():
            button = QPushButton(Path(path).name, self)
            button.setToolTip(path)
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.clicked.connect(lambda _=False, p=path: self.openRequested.emit(p))
            self._list.addWidget(button)
            self.entries.append(button)
        self.recent_title.setVisible(bool(self.entries))

    def showEvent(self, event) -> None:
        self.refresh()
        super().showEvent(event)


class StartPages(QStackedWidget):
    """The start panel until the first session arrives, then the song's views.

    Parameters
    ----------
    controller : AppController
        Its first ``sessionChanged`` turns the page.
    start : StartPanel
    views : QWidget
        The song's views, stacked top to bottom (the last one gets the room).
    parent : QWidget, optional
    """

    def __init__(self, controller, start: StartPanel, *views: QWidget, parent=None):
        super().__init__(parent)
        self.start = start
        self.song = QWidget(self)
        box = QVBoxLayout(self.song)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        for view in views:
            box.addWidget(view, 1 if view is views[-1] else 0)
        self.addWidget(start)
        self.addWidget(self.song)
        self.setCurrentWidget(start)
        controller.sessionChanged.connect(lambda _session: self.setCurrentWidget(self.song))

    @property
    def showing_start(self) -> bool:
        """Whether the start panel is the page shown."""
        return self.currentWidget() is self.start
