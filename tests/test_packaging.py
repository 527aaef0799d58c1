"""The wheel: every package and data file in it, and an install outside the source tree that works."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def test_every_package_of_the_source_is_listed():
    """A package missing from pyproject's list is silently left out of the wheel."""
    config = _config()
    dirs = {
        "chordview": ROOT / "chordview",
        **{k: ROOT / v for k, v in config["package-dir"].items()},
    }
    found = {"chordview.bundled_models", "chordview.resources"}
    for init in (ROOT / "chordview").rglob("__init__.py"):
        if "__pycache__" not in init.parts:
            found.add(".".join(init.parent.relative_to(ROOT).parts))
    assert set(config["packages"]) == found
    assert all((d / "__init__.py").is_file() for d in dirs.values())


def _build_wheel(out: Path) -> Path:
    """The wheel, built by the same script packaging/build.sh uses."""
    proc = subprocess.run(
        ["bash", str(ROOT / "packaging" / "build_wheel.sh"), str(out)],
        env={**os.environ, "PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return Path(proc.stdout.strip())


@pytest.mark.slow
def test_the_wheel_installs_and_runs_outside_the_source_tree(tmp_path):
    import jams
    import mir_eval

    wheel = _build_wheel(tmp_path)
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "chordview/gui/app.py",
        "chordview/bundled_models/unet/bundle.json",
        "chordview/bundled_models/unet/model.weights.h5",
        "chordview/bundled_models/cr2/model.weights.h5",
        "chordview/resources/demo.flac",
        "chordview/resources/icons/chordview.svg",
        "chordview/resources/icons/hicolor/48x48/apps/chordview.png",
    ):
        assert needed in names, needed

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", f"{wheel}[gui]"],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert install.returncode == 0, install.stderr[-3000:]

    work = tmp_path / "work"  # outside the checkout: only the installed package can be imported
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(QT_QPA_PLATFORM="offscreen", TF_CPP_MIN_LOG_LEVEL="3")

    def run(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
        return subprocess.run(
            list(args), cwd=work, env=env, capture_output=True, text=True, timeout=timeout
        )

    where = run(str(python), "-c", "import chordview; print(chordview.__file__)")
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout + where.stderr
    chordview = str(venv / "bin" / "chordview")
    models = run(chordview, "models")
    assert models.returncode == 0, models.stderr
    assert models.stdout.startswith("cr2") and "\nunet" in models.stdout, models.stdout
    analysed = run(chordview, "analyze", "--demo", "--device", "cpu", "-q")
    assert analysed.returncode == 0, analysed.stderr
    jams.load(str(work / "demo.jams"), validate=True)
    intervals, labels = mir_eval.io.load_labeled_intervals(str(work / "demo.lab"))
    assert len(labels) > 5 and intervals[-1, 1] > 20

    window = """
import sys
from PySide6.QtCore import QEventLoop, QTimer
from chordview.assets import demo_song
from chordview.gui.launch import application
app = application()
from chordview.gui.app import MainWindow
w = MainWindow(model="unet", notify=lambda *m: print(m))
w.show()
loop = QEventLoop()
w.sessionReady.connect(lambda s: loop.quit())
w.analysisFailed.connect(lambda t: (print("failed", t), loop.quit()))
QTimer.singleShot(0, lambda: w.open_file(demo_song()))
QTimer.singleShot(300000, loop.quit)
loop.exec()
print("chords", len(w.session.segments) if w.session else None)
print("icon", not app.windowIcon().isNull())
"""
    app = run(str(python), "-c", window, timeout=400)
    assert app.returncode == 0, app.stderr[-3000:]
    assert "chords None" not in app.stdout and "icon True" in app.stdout, app.stdout


def test_desktop_entry_and_appstream_metadata_validate():
    desktop = ROOT / "packaging" / "org.chordview.chordview.desktop"
    metainfo = ROOT / "packaging" / "org.chordview.chordview.metainfo.xml"
    for tool in ("desktop-file-validate", "appstreamcli"):
        assert shutil.which(tool), f"{tool} is missing: bash scripts/setup.sh installs it"
    out = subprocess.run(["desktop-file-validate", str(desktop)], capture_output=True, text=True)
    assert out.returncode == 0 and not out.stdout.strip(), out.stdout + out.stderr  # not even hints
    out = subprocess.run(
        ["appstreamcli", "validate", "--no-net", "--pedantic", str(metainfo)],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    # the window, the entry and the metadata name the same application and icon
    launch = (ROOT / "chordview" / "gui" / "launch.py").read_text()
    assert f'setDesktopFileName("{desktop.stem}")' in launch
    assert f'<launchable type="desktop-id">{desktop.name}</launchable>' in metainfo.read_text()
    assert "Icon=chordview\n" in desktop.read_text()
    assert (
        ROOT / "resources" / "icons" / "hicolor" / "256x256" / "apps" / "chordview.png"
    ).is_file()


def test_data_files_are_found_when_the_package_is_multiplexed(monkeypatch, tmp_path):
    """A frozen app's importlib gives a MultiplexedPath (code in an archive, data in a folder)."""
    from importlib.resources.readers import MultiplexedPath

    from chordview import assets
    from chordview.bundle import bundled_names

    frozen = tmp_path / "_internal"
    shutil.copytree(ROOT / "models", frozen / "bundled_models")
    shutil.copytree(ROOT / "resources", frozen / "resources")
    where = {
        "chordview.bundled_models": frozen / "bundled_models",
        "chordview.resources": frozen / "resources",
    }
    monkeypatch.setattr(assets.resources, "files", lambda name: MultiplexedPath(where[name]))
    assert bundled_names() == ["cr2", "unet"]
    assert assets.demo_song() == frozen / "resources" / "demo.flac"
    assert assets.icon(48).is_file()
