"""The worker: cancel, failures, a responsive GUI thread, the model menu."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import numpy as np
from PySide6.QtCore import QTimer


def test_cancel_stops_the_analysis_within_a_second(
    window, song, open_song, make_song, qtbot, witness
):
    open_song(window, song)  # warm: TensorFlow imported, model loaded
    long = make_song(repeats=4)  # 32 s
    started = {}

    def on_progress(stage, fraction):
        if stage in ("features", "network") and "t" not in started:
            started["t"] = time.monotonic()
            window.progress.cancel.click()

    ready = []
    window.sessionReady.connect(ready.append)
    with qtbot.waitSignal(window.analysisCancelled, timeout=10_000):
        window.open_file(long)
        window.runner.job.progress.connect(on_progress)
    elapsed = time.monotonic() - started["t"]
    own = elapsed - witness.overlap(started["t"], started["t"] + elapsed)  # minus the machine's
    assert own < 1.0, (elapsed, own, witness.stop())
    qtbot.wait(300)
    assert not ready and window.session.analysis.path == song  # the old song stays
    assert not window.progress.isVisible()


def test_corrupt_file_gives_a_message_and_the_window_stays_usable(
    window, song, open_song, qtbot, tmp_path, messages
):
    bad = tmp_path / "broken.wav"
    bad.write_bytes(b"RIFF\x10\x00\x00\x00WAVEfmt garbage" * 10)
    with qtbot.waitSignal(window.analysisFailed, timeout=60_000) as blocker:
        window.open_file(bad)
    assert "broken.wav" in blocker.args[0]
    assert messages and messages[-1][0] == "error" and "broken.wav" in messages[-1][2]
    assert "Analysis failed" in window.statusBar().currentMessage()
    session = open_song(window, song)  # carries on
    assert session.analysis.n_frames > 0


def test_missing_file_is_a_message(window, messages, tmp_path):
    window.open_file(tmp_path / "nope.wav")
    assert "no such file" in messages[-1][2]
    assert window.runner is None


def _ticks(qtbot, window, path) -> np.ndarray:
    """Open ``path`` while a 20 ms timer ticks in the GUI thread; the ticks' monotonic times."""
    qtbot.wait(100)
    ticks = []
    timer = QTimer(window)
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()
    with qtbot.waitSignal(window.sessionReady, timeout=120_000):
        window.open_file(path)
    qtbot.wait(100)  # the first paint of the result counts too
    timer.stop()
    return np.asarray(ticks)


def _worst_own_gap(ticks: np.ndarray, witness) -> tuple[float, float]:
    """The longest gap between ticks not explained by the whole machine stalling, and the raw one."""
    own = [(b - a) - witness.overlap(a, b) for a, b in zip(ticks[:-1], ticks[1:], strict=True)]
    return max(own), float(np.max(np.diff(ticks)))


def test_gui_thread_keeps_running_during_analysis(make_window, make_song, qtbot, witness):
    from chordview.gui.engine import engine

    long = make_song(repeats=20)  # 160 s
    engine().shutdown()  # cold: the engine process starts, imports TensorFlow, loads the model
    window = make_window()  # a window that has never drawn a song
    cold = _ticks(qtbot, window, long)
    warm = _ticks(qtbot, window, make_song("again.wav", repeats=20))
    for ticks in (cold, warm):
        worst, raw = _worst_own_gap(ticks, witness)
        assert len(ticks) > 10 and worst < 0.2, (worst, raw, len(ticks), witness.stop())


def test_window_process_never_imports_tensorflow(song, tiny_bundle):
    """The engine process runs the network: the window's own process stays light."""
    code = f"""
import sys
from PySide6.QtCore import QEventLoop, QTimer
from chordview.gui.launch import application
app = application()
from chordview.gui.app import MainWindow
w = MainWindow(model={str(tiny_bundle)!r}, notify=lambda *m: print(m))
w.show()
loop = QEventLoop()
w.sessionReady.connect(lambda s: loop.quit())
w.analysisFailed.connect(lambda t: loop.quit())
QTimer.singleShot(0, lambda: w.open_file({str(song)!r}))
QTimer.singleShot(120000, loop.quit)
loop.exec()
print("frames", w.session.analysis.n_frames if w.session else None)
print("heavy", sorted({{m.split('.')[0] for m in sys.modules}} & {{'tensorflow', 'keras'}}))
"""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=180, env=env
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "frames None" not in out.stdout and "frames " in out.stdout, out.stdout
    assert "heavy []" in out.stdout, out.stdout


def test_model_menu_refuses_a_model_that_does_not_fit(window, qtbot, tmp_path, messages):
    bad = tmp_path / "bad.keras"
    bad.write_bytes(b"not a zip")
    before = window.model
    with qtbot.waitSignal(window.models.checked, timeout=60_000) as blocker:
        window.models.check(bad)
    assert blocker.args == [False]
    assert window.model == before
    assert messages[-1][1] == "Model refused" and "bad.keras" in messages[-1][2]


def test_model_menu_accepts_a_fitting_bundle(window, tiny_bundle, qtbot, song):
    window.model = "unet"
    with qtbot.waitSignal(window.models.checked, timeout=60_000) as blocker:
        window.models.check(tiny_bundle)
    assert blocker.args == [True]
    assert window.model == str(tiny_bundle)
    assert window.models.custom.isChecked() and "tiny" in window.models.custom.text()
    assert "tiny" in window.transport.model_label.full_text


def test_model_menu_refuses_a_loadable_model_with_the_reasons(window, qtbot, tmp_path, messages):
    import keras

    x = keras.Input((None, 216, 1))
    h = keras.layers.Reshape((-1, 216))(x)
    outs = {"chord_tag": keras.layers.Dense(10, activation="softmax", name="chord_tag")(h)}
    path = tmp_path / "wrong_heads.keras"
    keras.Model(x, outs).save(path)
    with qtbot.waitSignal(window.models.checked, timeout=60_000) as blocker:
        window.models.check(path)
    assert blocker.args == [False]
    kind, title, text = messages[-1]
    assert title == "Model refused" and "does not fit" in text and "fault:" in text


def test_fast_analysis_is_one_pass_remembered_and_re_analyses(
    make_window, song, open_song, qtbot, tmp_path
):
    from chordview.architectures import build
    from chordview.bundle import save_bundle

    hp = {"filters": 2, "depth": 3, "collapse_filters": 8, "dilations": [1]}
    shifted = save_bundle(
        tmp_path / "shifted",
        model=build("unet", **hp),
        name="shifted",
        architecture="unet",
        hyper_parameters=hp,
        decoder={"pitch_shifts": [-1, 0, 1]},
    )
    window = make_window()
    window.model = str(shifted)
    assert not window.fast and not window.fast_action.isChecked()
    assert open_song(window, song).analysis.model["pitch_shifts"] == [-1, 0, 1]
    with qtbot.waitSignal(window.sessionReady, timeout=90_000) as blocker:
        window.fast_action.trigger()  # Model > Fast analysis: the song is analysed again
    assert blocker.args[0].analysis.model["pitch_shifts"] == [0]
    assert "(fast)" in window.transport.model_label.full_text
    window.close()
    again = make_window()  # same settings file: the choice is remembered
    assert again.fast and again.fast_action.isChecked()
    again.model = str(shifted)
    assert open_song(again, song).analysis.model["pitch_shifts"] == [0]
    with qtbot.waitSignal(again.sessionReady, timeout=90_000) as blocker:
        again.fast_action.trigger()
    assert blocker.args[0].analysis.model["pitch_shifts"] == [-1, 0, 1]
    assert "(fast)" not in again.transport.model_label.full_text
