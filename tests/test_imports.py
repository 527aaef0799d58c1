"""`import chordview` and `chordview --help` never import TensorFlow (a fresh interpreter each)."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("tensorflow", "keras", "librosa", "PySide6")


def _run(code: str) -> subprocess.CompletedProcess:
    probe = f"{code}\nimport sys\nprint(' '.join(sorted(sys.modules)), file=sys.stderr)"
    return subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)


def test_import_chordview_is_light_and_silent():
    out = _run("import chordview\nchordview.analyze, chordview.ChordviewError")
    assert out.stdout == ""
    assert not [m for m in HEAVY if m in out.stderr.split()]


def test_help_does_not_import_tensorflow():
    out = _run(
        "from chordview.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass"
    )
    assert "analyze" in out.stdout and "check-model" in out.stdout
    assert not [m for m in HEAVY if m in out.stderr.split()]
