"""Playback through sounddevice, with the clock taken from the audio callback.

The callback copies samples to the device and advances ``_pos`` (samples consumed). What the
listener hears lags that count by the stream's output latency (the buffer between the callback and
the speaker), so the position the window shows is the consumed count minus that latency, held at
the point playback started or last jumped to until the first samples from there are audible, and
unwrapped across a loop's end. A display timer only *samples* this clock: no free-running timer
ever decides where playback is. A loop region wraps ``_pos`` in the callback.

The signal is mono or stereo (one output channel per channel of the song). The volume is a gain
applied in the callback, moving to a new setting over :data:`VOLUME_RAMP` seconds at most so that
a change never clicks.

The buffer is deliberately large (:data:`LATENCY`): on a busy two-core machine a small one
underruns, and an underrun through ALSA's PulseAudio plugin silences the stream for a third of a
second. The cursor stays exact because the latency is subtracted.
"""

from __future__ import annotations

import threading

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

#: How often the display reads the audio clock, in milliseconds.
DISPLAY_INTERVAL_MS = 15
#: Output buffer requested from PortAudio, in seconds.
LATENCY = 0.2
#: Seconds the gain takes to move across its whole range (0 to 1) after a volume change.
VOLUME_RAMP = 0.03


def output_problem() -> str | None:
    """Why playback is impossible (no PortAudio, no output device), or None when it is possible."""
    try:
        import sounddevice as sd
    except (ImportError, OSError) as exc:
        return f"playback disabled: sound library unavailable ({exc})"
    try:
        sd.query_devices(kind="output")
    except Exception as exc:  # PortAudioError or ValueError: no default output device
        return f"playback disabled: no audio output device ({str(exc).splitlines()[0]})"
    return None


class Player(QObject):
    """Plays a mono or stereo float32 signal; emits its position from the audio clock.

    Signals
    -------
    volumeChanged(float)
        The volume (a gain from 0 to 1) was set.
    positionChanged(float)
        Seconds, whenever the consumed-sample count moved (sampled every 15 ms while playing).
    playingChanged(bool)
    wrapped()
        The loop region wrapped around.
    error(str)
    """

    positionChanged = Signal(float)
    volumeChanged = Signal(float)
    playingChanged = Signal(bool)
    wrapped = Signal()
    error = Signal(str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.problem = output_problem()
        self._y = np.zeros((0, 1), dtype=np.float32)  # (n_samples, channels)
        self.sr = 44100
        self._volume = 1.0  # the gain asked for
        self._gain = 1.0  # the gain the callback applied last (moves towards _volume)
        self._pos = 0  # samples consumed by the device (written by the callback)
        self._origin = 0  # where playback started or last jumped to (samples)
        self._latency = 0  # output latency of the running stream (samples)
        self._loop: tuple[int, int] | None = None
        self._wraps = 0
        self._seen_wraps = 0
        self._lock = threading.Lock()
        self._stream = None
        self._timer = QTimer(self)
        self._timer.setInterval(DISPLAY_INTERVAL_MS)
        self._timer.timeout.connect(self._poll)
        self._last_emitted = -1

    # -- state ---------------------------------------------------------------------------------
    @property
    def available(self) -> bool:
        """Whether an output device was found."""
        return self.problem is None

    @property
    def playing(self) -> bool:
        """Whether a stream is running."""
        return self._stream is not None

    @property
    def position(self) -> float:
        """Seconds into the song of what is sounding now (the audio clock)."""
        return self._audible() / self.sr

    @property
    def channels(self) -> int:
        """Channels of the signal (1 or 2), and of the output stream."""
        return int(self._y.shape[1])

    @property
    def volume(self) -> float:
        """Playback gain from 0 (silent) to 1 (the signal as it is)."""
        return self._volume

    def set_volume(self, volume: float) -> None:
        """Set the gain (clipped to 0-1); a playing stream glides to it within a block."""
        volume = float(np.clip(volume, 0.0, 1.0))
        if volume != self._volume:
            self._volume = volume
            if not self.playing:
                self._gain = volume
            self.volumeChanged.emit(volume)

    @property
    def latency(self) -> float:
        """Output latency of the running stream in seconds (0 when stopped)."""
        return self._latency / self.sr

    def _audible(self) -> int:
        """Sample now sounding: consumed minus latency, unwrapped in a loop, not before the origin."""
        with self._lock:
            pos, origin, wraps, loop = self._pos, self._origin, self._wraps, self._loop
        if not self._latency:
            return pos
        p = pos - self._latency
        if loop is not None and wraps and p < loop[0]:
            p = loop[1] - (loop[0] - p)  # the end of the previous pass is still sounding
            return max(p, loop[0])
        return min(max(p, min(origin, pos)), len(self._y))

    @property
    def samples_consumed(self) -> int:
        """Sample index the callback will play next."""
        return self._pos

    @property
    def loop(self) -> tuple[float, float] | None:
        """Loop region in seconds, or None."""
        return None if self._loop is None else (self._loop[0] / self.sr, self._loop[1] / self.sr)

    def set_audio(self, y: np.ndarray | None, sr: int) -> None:
        """Replace the signal, ``(n_samples,)`` mono or ``(n_samples, channels)`` (stops playback,
        rewinds)."""
        self.stop()
        y = np.zeros(0, np.float32) if y is None else np.ascontiguousarray(y, np.float32)
        self._y = y[:, None] if y.ndim == 1 else y
        self.sr, self._pos, self._loop = int(sr), 0, None

    def set_loop(self, start: float | None, end: float | None = None) -> None:
        """Loop ``[start, end)`` seconds while playing; ``None`` clears the loop."""
        with self._lock:
            if start is None or end is None or end - start < 0.05:
                self._loop = None
                return
            a = int(np.clip(start, 0, len(self._y) / self.sr) * self.sr)
            b = int(np.clip(end, 0, len(self._y) / self.sr) * self.sr)
            self._loop = (a, b) if b - a > 0 else None

    def seek(self, t: float) -> None:
        """Continue playback (or start it later) from ``t`` seconds."""
        with self._lock:
            self._pos = self._origin = int(np.clip(t, 0.0, len(self._y) / self.sr) * self.sr)
            self._wraps = self._seen_wraps = 0
        self._emit_position(force=True)

    # -- transport -----------------------------------------------------------------------------
    def toggle(self) -> None:
        """Play or pause."""
        self.pause() if self.playing else self.play()

    def play(self) -> None:
        """Start the output stream at the current position."""
        if self.playing or not len(self._y):
            return
        if self.problem is not None:
            self.error.emit(self.problem)
            return
        import sounddevice as sd

        if self._pos >= len(self._y):
            self._pos = self._loop[0] if self._loop else 0
        self._pos = min(self._pos, len(self._y))
        with self._lock:
            self._origin, self._wraps, self._seen_wraps = self._pos, 0, 0
        try:
            stream = sd.OutputStream(
                samplerate=self.sr,
                channels=self.channels,
                dtype="float32",
                latency=LATENCY,
                callback=self._callback,
            )
            self._latency = int(round(float(stream.latency) * self.sr))
            stream.start()
        except Exception as exc:  # PortAudioError: device busy or gone
            self.error.emit(f"playback failed: {str(exc).splitlines()[0]}")
            return
        self._stream = stream
        self._timer.start()
        self.playingChanged.emit(True)

    def pause(self) -> None:
        """Stop the stream, keeping the position."""
        self.stop()

    def stop(self) -> None:
        """Stop and close the stream (position kept)."""
        stream, self._stream = self._stream, None
        if stream is None:
            return
        self._timer.stop()
        heard = self._audible()  # resume from what was heard, not from what was buffered
        try:
            stream.stop()
            stream.close()
        finally:
            with self._lock:
                self._pos = self._origin = heard
                self._wraps = self._seen_wraps = 0
            self._latency = 0
            self._emit_position(force=True)
            self.playingChanged.emit(False)

    # -- audio thread --------------------------------------------------------------------------
    def _callback(self, outdata, frames, _time, _status) -> None:
        """Fill ``outdata`` from the signal and advance the clock by the samples handed over."""
        out = outdata
        with self._lock:
            filled = 0
            while filled < frames:
                end = self._loop[1] if self._loop and self._pos < self._loop[1] else len(self._y)
                n = min(frames - filled, max(0, end - self._pos))
                out[filled : filled + n] = self._y[self._pos : self._pos + n]
                self._pos += n
                filled += n
                if filled < frames:
                    if self._loop and self._pos >= self._loop[1] > self._loop[0]:
                        self._pos = self._loop[0]
                        self._wraps += 1
                        continue
                    out[filled:] = 0.0  # end of the song: count the silence too, so the clock
                    self._pos += frames - filled  # reaches the end once the last sample sounds
                    break
        self._apply_gain(out, frames)

    def _apply_gain(self, out, frames: int) -> None:
        """Scale the block by the volume, gliding from the last gain to a new one."""
        start, target = self._gain, self._volume
        if start == target:
            if target != 1.0:
                out *= target
            return
        if not frames:
            return
        distance = abs(target - start)
        moved = np.minimum(np.arange(1, frames + 1) / (VOLUME_RAMP * self.sr), distance)
        gains = start + np.copysign(moved, target - start)
        out *= gains.astype(np.float32)[:, None]
        self._gain = target if moved[-1] >= distance else float(gains[-1])

    def _poll(self) -> None:
        if self._wraps != self._seen_wraps:
            self._seen_wraps = self._wraps
            self.wrapped.emit()
        self._emit_position()
        if not self._loop and self._audible() >= len(self._y):
            self.stop()

    def _emit_position(self, *, force: bool = False) -> None:
        pos = self._audible()
        if force or pos != self._last_emitted:
            self._last_emitted = pos
            self.positionChanged.emit(pos / self.sr)
