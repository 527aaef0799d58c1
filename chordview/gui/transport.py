"""The transport bar: play/pause, stop, position / duration, volume, loop, model and device.

:class:`TransportBar` is a view of the :class:`~chordview.gui.controller.AppController`: it draws
what the controller's signals say (time, playing, loop, model, session) and turns clicks into the
controller's calls. The volume is the :class:`~chordview.gui.player.Player`'s gain, remembered in
the settings under :data:`VOLUME_KEY`.
"""

from __future__ import annotations

import math
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSlider,
    QStyle,
    QToolButton,
    QWidget,
)

#: Where the volume (a gain from 0 to 1) is kept in the settings.
VOLUME_KEY = "playback/volume"
#: Milliseconds after the last volume change before it is written to the settings.
SAVE_DELAY_MS = 400


def clock(seconds: float) -> str:
    """``m:ss.s`` of a time in seconds, tenths cut (not rounded): ``clock(59.96) == '0:59.9'``."""
    if not math.isfinite(seconds) or seconds < 0:
        seconds = 0.0
    tenths = int(seconds * 10 + 1e-6)
    minutes, rest = divmod(tenths, 600)
    return f"{minutes}:{rest // 10:02d}.{rest % 10}"


class ElidedLabel(QLabel):
    """A one-line label that shortens its text with '…' instead of widening the window; the
    full text is its tooltip."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    @property
    def full_text(self) -> str:
        """The text before shortening."""
        return self._full

    def set_full_text(self, text: str) -> None:
        """Show ``text``, shortened to the label's width."""
        self._full = text
        self.setToolTip(text)
        self.updateGeometry()
        self._elide()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt naming
        return QSize(
            self.fontMetrics().horizontalAdvance(self._full) + 4, super().sizeHint().height()
        )

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt naming
        return QSize(0, super().minimumSizeHint().height())

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt naming
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        metrics = self.fontMetrics()
        self.setText(metrics.elidedText(self._full, Qt.TextElideMode.ElideMiddle, self.width()))


class TransportBar(QWidget):
    """Play/pause and stop, the position, the volume, the loop, and the model and device.

    Parameters
    ----------
    controller : AppController
        The state the bar shows and drives; its ``settings`` keep the volume.
    parent : QWidget, optional

    Attributes
    ----------
    play_button, stop_button, loop_button : QToolButton
    position : QLabel
        ``position / duration`` as ``m:ss.s``.
    volume : QSlider
        0-100 %, the player's gain.
    loop_label : QLabel
        The loop's start and end (greyed while the loop is off).
    model_label : ElidedLabel
        Model and device.
    """

    def __init__(self, controller, parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = c = controller
        self.player = controller.player
        self._duration = 0.0
        self._last_loop: tuple[float, float] | None = None
        style = self.style()
        self._icons = {
            name: style.standardIcon(getattr(QStyle.StandardPixmap, f"SP_Media{name}"))
            for name in ("Play", "Pause", "Stop", "Volume")
        }
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)

        self.play_button = self._button(self._icons["Play"], "Play (Space)")
        self.play_button.clicked.connect(c.toggle_play)
        self.stop_button = self._button(self._icons["Stop"], "Stop: back to the start (Home)")
        self.stop_button.clicked.connect(self.stop)
        self.position = QLabel(self)
        self.position.setFont(mono)
        self.position.setMinimumWidth(
            self.position.fontMetrics().horizontalAdvance("00:00.0 / 00:00.0") + 8
        )
        self.position.setToolTip("position / duration")

        speaker = QLabel(self)
        speaker.setPixmap(self._icons["Volume"].pixmap(16, 16))
        self.volume = QSlider(Qt.Orientation.Horizontal, self)
        self.volume.setRange(0, 100)
        self.volume.setFixedWidth(96)
        self.volume.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.volume.setAccessibleName("Volume")
        self._save = QTimer(self, singleShot=True, interval=SAVE_DELAY_MS)
        self._save.timeout.connect(self._save_volume)

        self.loop_button = self._button(
            None,
            "Loop on/off: drag across the timeline to choose the region; "
            "with none, the chord under the playhead loops",
        )
        self.loop_button.setText("Loop")
        self.loop_button.setCheckable(True)
        self.loop_button.clicked.connect(self._on_loop_clicked)
        self.loop_label = QLabel(self)
        self.loop_label.setFont(mono)
        self.model_label = ElidedLabel(self)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.setSpacing(6)
        for widget in (self.play_button, self.stop_button, self.position):
            layout.addWidget(widget)
        layout.addSpacing(10)
        layout.addWidget(speaker)
        layout.addWidget(self.volume)
        layout.addSpacing(10)
        layout.addWidget(self.loop_button)
        layout.addWidget(self.loop_label)
        layout.addStretch(1)
        layout.addWidget(self.model_label, 0)

        volume = c.settings.value(VOLUME_KEY, self.player.volume, type=float)
        self.player.set_volume(volume)
        self.volume.setValue(round(100 * self.player.volume))
        self._show_volume(self.player.volume)
        self.volume.valueChanged.connect(self._on_slider)
        self.player.volumeChanged.connect(self._show_volume)
        c.sessionChanged.connect(self._on_session)
        c.timeChanged.connect(self._show_time)
        c.playingChanged.connect(self._show_playing)
        c.loopChanged.connect(self._show_loop)
        c.modelChanged.connect(self._show_model)
        c.fastChanged.connect(self._show_model)
        self._show_time(c.time)
        self._show_loop(c.loop)
        self._show_model()
        self._update_enabled()

    def _button(self, icon, tip: str) -> QToolButton:
        button = QToolButton(self)
        if icon is not None:
            button.setIcon(icon)
        button.setToolTip(tip)
        button.setAccessibleName(tip.split(" (")[0].split(":")[0])
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Space stays the window's play/pause
        button.setAutoRaise(True)
        return button

    # -- actions -------------------------------------------------------------------------------
    def stop(self) -> None:
        """Pause and go back to the start, or to the loop's start when there is a loop."""
        c = self.controller
        c.player.pause()
        c.seek(c.loop[0] if c.loop else 0.0)

    def _on_loop_clicked(self, on: bool) -> None:
        c = self.controller
        if not on:
            c.set_loop(None)
            return
        region = self._last_loop
        if region is None and c.session is not None:  # no region chosen: loop this chord
            seg = c.session.segment_at(c.time)
            region = (float(seg.start), float(seg.end)) if seg is not None else None
        if region is None:
            self.loop_button.setChecked(False)
            return
        c.set_loop(region)
        if not region[0] <= c.time < region[1]:
            c.seek(region[0])

    def _on_slider(self, value: int) -> None:
        self.player.set_volume(value / 100)
        self._save.start()

    def _save_volume(self) -> None:
        self.controller.settings.setValue(VOLUME_KEY, self.player.volume)

    # -- what the controller says --------------------------------------------------------------
    def _on_session(self, session) -> None:
        self._duration = float(session.duration) if session is not None else 0.0
        self._last_loop = None
        self._show_loop(self.controller.loop)
        self._show_time(self.controller.time)
        self._show_model()
        self._update_enabled()

    def _update_enabled(self) -> None:
        has_song = self.controller.session is not None
        can_play = has_song and self.player.available
        why = None if can_play else (self.player.problem if has_song else "open a song first")
        for button, tip in (
            (self.play_button, "Play (Space)"),
            (self.stop_button, "Stop: back to the start (Home)"),
        ):
            button.setEnabled(can_play)
            button.setToolTip(tip if why is None else f"{tip} — {why}")
        self.loop_button.setEnabled(has_song)

    def _show_time(self, t: float) -> None:
        self.position.setText(f"{clock(t)} / {clock(self._duration)}")

    def _show_playing(self, on: bool) -> None:
        self.play_button.setIcon(self._icons["Pause" if on else "Play"])
        tip = "Pause (Space)" if on else "Play (Space)"
        self.play_button.setToolTip(tip)
        self.play_button.setAccessibleName(tip.split(" (")[0])

    def _show_loop(self, region) -> None:
        if region is not None:
            self._last_loop = (float(region[0]), float(region[1]))
        shown = region if region is not None else self._last_loop
        self.loop_button.setChecked(region is not None)
        self.loop_label.setText(f"{clock(shown[0])}–{clock(shown[1])}" if shown else "no loop")
        self.loop_label.setEnabled(region is not None)

    def _show_volume(self, volume: float) -> None:
        value = round(100 * volume)
        if self.volume.value() != value:
            self.volume.blockSignals(True)
            self.volume.setValue(value)
            self.volume.blockSignals(False)
        self.volume.setToolTip(f"Volume {value} %")

    def _show_model(self, *_args) -> None:
        c = self.controller
        name = Path(str(c.model)).name + (" (fast)" if c.fast else "")
        self.model_label.set_full_text(f"{name} · {c.device_in_use}")
        self.model_label.setToolTip(f"model {c.model}, device {c.device_in_use}")
