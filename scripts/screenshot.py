"""Screenshot of the real window on the demo song, on a virtual X screen (docs/screenshot.png).

Starts Xvfb (unless ``--display`` names a running X server), opens the app on
``resources/demo.flac`` with the default model, waits until the analysis is drawn, places the
playhead, and grabs the X screen itself (what a user would see, not an offscreen rendering).

Usage: ``.venv/bin/python scripts/screenshot.py [-o docs/screenshot.png] [--at 14.0]
[--size 1400x950] [--play] [--harte]``: ``--play`` starts playback and grabs the window while it
plays (the playhead moving, the transport saying so); ``--harte`` shows Harte labels (the
researcher's view).

With no audio output the status bar says playback is disabled. On a machine without a sound card,
start a PulseAudio null sink first (as the playback tests do) so the picture shows the app as a
user with speakers sees it::

    pulseaudio --daemonize=yes --exit-idle-time=-1 -n --load=module-null-sink \
        --load=module-native-protocol-unix      # as root also --system=false
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIZE = (1500, 950)


def _xvfb(display: str, size: tuple[int, int]) -> subprocess.Popen:
    proc = subprocess.Popen(
        ["Xvfb", display, "-screen", "0", f"{size[0]}x{size[1]}x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        if os.path.exists(f"/tmp/.X11-unix/X{display.lstrip(':')}"):
            return proc
        time.sleep(0.05)
    proc.kill()
    raise SystemExit("Xvfb did not start")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", default=str(ROOT / "docs" / "screenshot.png"))
    parser.add_argument("--song", default=str(ROOT / "resources" / "demo.flac"))
    parser.add_argument("--model", default="unet")
    parser.add_argument("--at", type=float, default=14.0, help="playhead position (seconds)")
    parser.add_argument("--display", default=None, help="use this X display instead of Xvfb")
    parser.add_argument("--size", default=f"{SIZE[0]}x{SIZE[1]}", help="window size WxH")
    parser.add_argument("--play", action="store_true", help="grab while playing")
    parser.add_argument("--harte", action="store_true", help="Harte chord labels")
    parser.add_argument("--then-open", help="then open this file (a broken one shows the failure)")
    args = parser.parse_args()
    size = tuple(int(v) for v in args.size.lower().split("x"))
    server = None
    if args.display is None:
        args.display = ":97"
        server = _xvfb(args.display, size)
    os.environ["DISPLAY"] = args.display
    os.environ.pop("QT_QPA_PLATFORM", None)
    try:
        from PySide6.QtCore import QEventLoop, QSettings, QTimer

        from chordview.gui.launch import application

        app = application()
        from chordview.gui.app import MainWindow

        settings = QSettings(str(Path(args.output).with_suffix(".ini")), QSettings.Format.IniFormat)
        window = MainWindow(
            model=args.model, settings=settings, notify=lambda *m: print(*m, file=sys.stderr)
        )
        window.setGeometry(0, 0, *size)
        window.controller.set_notation("harte" if args.harte else "musician")
        window.show()
        loop = QEventLoop()
        window.sessionReady.connect(lambda _s: loop.quit())
        window.analysisFailed.connect(lambda _t: loop.exit(1))
        window.open_file(args.song)
        if loop.exec():
            return 1
        if args.then_open:
            window.analysisFailed.connect(lambda _t: loop.quit())
            window.sessionReady.connect(lambda _s: loop.quit())
            window.open_file(args.then_open)
            loop.exec()
        window.seek(args.at)
        if args.play and window.player.available:
            window.controller.toggle_play()
            QTimer.singleShot(1500, loop.quit)  # play a little, then grab mid-playback
        else:
            QTimer.singleShot(800, loop.quit)  # let it paint
        loop.exec()
        image = app.primaryScreen().grabWindow(0)
        Path(args.output).with_suffix(".ini").unlink(missing_ok=True)
        if not image.save(args.output):
            raise SystemExit(f"cannot write {args.output}")
        print(f"wrote {args.output} ({image.width()}x{image.height()})")
        from chordview.gui.engine import engine

        engine().shutdown()
        return 0
    finally:
        if server is not None:
            server.terminate()


if __name__ == "__main__":
    sys.exit(main())
