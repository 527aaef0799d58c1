"""The first wait says something: a cold engine reports that it starts and loads the model,
the progress panel shows it with a busy bar, and the final status names the whole wait."""

from __future__ import annotations

import re

import pytest

from chordview.analysis import STAGES
from chordview.gui import engine as engine_module
from chordview.gui.engine import Engine
from chordview.gui.widgets import BUSY_STAGES, ProgressPanel


@pytest.fixture
def cold():
    """A fresh engine with no child process yet, in place of the process-wide one."""
    saved, fresh = engine_module._ENGINE, Engine()
    engine_module._ENGINE = fresh
    yield fresh
    fresh.shutdown()
    engine_module._ENGINE = saved


def _analyse(engine, path, model, stages):
    args = {"path": str(path), "model": str(model), "device": "cpu", "playback_sr": 44100}
    return engine.run("analyse", args, progress=lambda s, f: stages.append(s))


def _order(stages):
    """The stages in the order they first appear."""
    return list(dict.fromkeys(stages))


def test_a_cold_engine_reports_starting_and_loading_first(cold, song, tiny_bundle):
    stages = []
    result = _analyse(cold, song, tiny_bundle, stages)
    engine_module.map_audio(result["audio"], result["n_samples"])
    assert _order(stages) == ["engine", "model", *STAGES]
    again = []
    result = _analyse(cold, song, tiny_bundle, again)  # warm: straight to the stages
    engine_module.map_audio(result["audio"], result["n_samples"])
    assert _order(again) == list(STAGES)


def test_another_model_on_a_warm_engine_only_loads(cold, song, tiny_bundle, tmp_path):
    import shutil

    _analyse(cold, song, tiny_bundle, [])
    other = shutil.copytree(tiny_bundle, tmp_path / "other")
    stages = []
    _analyse(cold, song, other, stages)
    assert _order(stages) == ["model", *STAGES]


def test_the_panel_shows_busy_text_then_the_stage_bars(qtbot):
    panel = ProgressPanel()
    qtbot.addWidget(panel)
    panel.start()
    assert all(bar.isVisible() for bar in panel.bars.values())
    for stage, text in BUSY_STAGES.items():
        panel.update_stage(stage, 0.0)
        assert panel.busy.isVisible() and panel.busy_text.text() == text
        assert panel.busy.maximum() == panel.busy.minimum() == 0  # indeterminate
        assert not any(bar.isVisible() for bar in panel.bars.values())
    panel.update_stage("features", 0.5)
    assert not panel.busy.isVisible() and not panel.busy_text.isVisible()
    assert all(bar.isVisible() for bar in panel.bars.values())
    assert panel.bars["audio"].value() == 100 and panel.bars["features"].value() == 50
    assert panel.summary(0.5).endswith("to analyse")  # no wait beyond the analysis


def test_from_a_cold_start_the_window_says_what_it_waits_for(cold, window, song, qtbot):
    seen = []

    def note(stage, _fraction):
        p = window.progress
        seen.append((stage, p.busy.isVisible(), p.busy_text.text()))

    window.controller.analysisProgress.connect(note)
    with qtbot.waitSignal(window.sessionReady, timeout=120_000):
        window.open_file(song)
    stages = _order(s for s, _, _ in seen)
    assert stages[:2] == ["engine", "model"] and stages[2:] == list(STAGES)
    assert seen[0] == ("engine", True, "starting the analysis engine")
    assert ("model", True, "loading the model") in seen
    assert all(not busy for s, busy, _ in seen if s in STAGES)
    status = window.statusBar().currentMessage()
    m = re.search(r"(\d+\.\d) s, of which (\d+\.\d) s analysing", status)
    assert m, status
    assert float(m.group(1)) > float(m.group(2))
