"""File > Export (JAMS, LAB, PNG) and ``chordview render``, plus the lazy start."""

from __future__ import annotations

import json
import subprocess
import sys

from PySide6.QtGui import QImage


def test_export_jams_lab_png(window, song, open_song, tmp_path):
    import jams
    import mir_eval

    session = open_song(window, song)
    jam_path = window.export_to(tmp_path / "out.jams", "jams")
    jam = jams.load(str(jam_path), validate=True)
    ann = jam.search(namespace="chord")[0]
    assert len(ann.data) == len([s for s in session.segments if s.end > s.start])
    lab_path = window.export_to(tmp_path / "out.lab", "lab")
    intervals, labels = mir_eval.io.load_labeled_intervals(str(lab_path))
    mir_eval.chord.validate(labels, labels)  # raises on an invalid label
    assert labels == [s.label for s in session.segments]
    assert intervals[0, 0] == 0.0
    png = window.export_to(tmp_path / "view.png", "png")
    image = QImage(str(png))
    assert not image.isNull() and image.width() > 400


def test_export_failure_is_a_message(window, song, open_song, tmp_path, messages):
    open_song(window, song)
    assert window.export_to(tmp_path / "missing" / "x.lab", "lab") is None
    assert messages[-1][1] == "Export failed"


def test_render_command_draws_the_views(song, tiny_bundle, tmp_path, qapp):
    from chordview.cli import main

    out = tmp_path / "song.png"
    assert main(["render", str(song), "-o", str(out), "--model", str(tiny_bundle)]) == 0
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1600, 1000)


def test_cli_routes_a_single_audio_file_to_the_window(monkeypatch, song):
    import chordview.gui
    from chordview.cli import main

    calls = []
    monkeypatch.setattr(chordview.gui, "main", lambda path=None, **kw: calls.append(path) or 0)
    assert main([str(song)]) == 0 and main([]) == 0
    assert calls == [str(song), None]


PROBE = """
import json, sys
from PySide6.QtCore import QSettings
from chordview.gui.launch import application
app = application()
from chordview.gui.app import MainWindow
w = MainWindow(model=sys.argv[1], settings=QSettings(sys.argv[2], QSettings.Format.IniFormat),
               notify=lambda *a: None)
w.show()
image = w.grab()  # the first paint
app.processEvents()
heavy = [m for m in ("tensorflow", "keras", "librosa") if m in sys.modules]
print(json.dumps({"painted": not image.isNull(), "heavy": heavy}))
"""


def test_window_paints_before_tensorflow_is_imported(tiny_bundle, tmp_path):
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(tiny_bundle), str(tmp_path / "s.ini")],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result == {"painted": True, "heavy": []}
