"""Render the application icon (resources/icons/chordview.svg) to the PNG sizes desktops use.

    .venv/bin/python scripts/make_icons.py

Writes resources/icons/hicolor/<N>x<N>/apps/chordview.png for N in 16, 24, 32, 48, 64, 128, 256
(the freedesktop icon-theme layout, so packaging/ can copy the tree as it is). Re-run after
editing the SVG; the PNGs are committed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

SIZES = (16, 24, 32, 48, 64, 128, 256)
ICONS = Path(__file__).resolve().parents[1] / "resources" / "icons"


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841 - QImage painting needs it
    renderer = QSvgRenderer(str(ICONS / "chordview.svg"))
    if not renderer.isValid():
        print(f"error: {ICONS / 'chordview.svg'} is not a valid SVG", file=sys.stderr)
        return 1
    for n in SIZES:
        image = QImage(n, n, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        out = ICONS / "hicolor" / f"{n}x{n}" / "apps" / "chordview.png"
        out.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(out)):
            print(f"error: cannot write {out}", file=sys.stderr)
            return 1
        print(out.relative_to(ICONS.parents[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
