"""Long sessions survive: PySide6 6.12.0 leaks a reference to True/None per emit and aborts the
interpreter (pyproject pins PySide6 < 6.12); this guards the pin."""

from __future__ import annotations

import subprocess
import sys

LONG_SESSION = """
import sys
from chordview.gui.launch import application
app = application()
from PySide6.QtCore import QObject, Signal

class Source(QObject):
    changed = Signal(float)

src = Source()
src.changed.connect(lambda t: None)
for i in range(200_000):  # far more emissions than True has references at start-up
    src.changed.emit(i * 0.01)
print("alive")
"""


def test_many_emissions_do_not_abort_the_interpreter(qapp):
    out = subprocess.run(
        [sys.executable, "-c", LONG_SESSION], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "alive"
