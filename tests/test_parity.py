"""Behaviour kept across refactors: the shipped UNet writes exactly these LAB files.

The demo song and five songs rendered by the generator (seed 4242, the held-out soundfont) are
analysed with the default settings, and each LAB file must equal, byte for byte, the one committed
in ``tests/data/parity`` when this check was introduced. A change of the analysis, the decoder, the
chord theory or the song generator shows here. Regenerate the files only for a change that is
meant to alter results, and say so in its commit: ``python tests/test_parity.py --write``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
DATA = Path(__file__).parent / "data" / "parity"
SEED, SONGS, SECONDS = 4242, 5, 20.0


def _songs(folder: Path) -> list[Path]:
    """The demo song and the five rendered songs, as audio files in ``folder``."""
    import soundfile as sf

    from chordview.assets import demo_song
    from chordview.generator.fluid import HELDOUT_SOUNDFONT
    from chordview.generator.synth import render_song

    paths = [demo_song()]
    for index in range(SONGS):
        y, _ = render_song(index, seed=SEED, soundfont=HELDOUT_SOUNDFONT(), duration=SECONDS)
        path = folder / f"song{index}.flac"
        sf.write(path, y, 44100, subtype="PCM_16")
        paths.append(path)
    return paths


def _labs(folder: Path) -> dict[str, str]:
    from chordview.analysis import analyze
    from chordview.export import to_lab

    return {f"{p.stem}.lab": to_lab(analyze(p)) for p in _songs(folder)}


def test_the_shipped_unet_writes_the_committed_lab_files(tmp_path):
    got = _labs(tmp_path)
    for name, text in got.items():
        assert text == (DATA / name).read_text(encoding="utf-8"), name


if __name__ == "__main__" and "--write" in sys.argv:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        for name, text in _labs(Path(tmp)).items():
            (DATA / name).write_text(text, encoding="utf-8")
            print(f"wrote {DATA / name}")
