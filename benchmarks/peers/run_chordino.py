"""Chordino (NNLS Chroma Vamp plugin, via chord-extractor 0.1.3): write a LAB per audio file.

Runs in ``.peers/chordino`` (see setup.sh). Audio is loaded at 44.1 kHz, the rate Chordino's
default parameters are set for. Usage: ``python run_chordino.py --out DIR AUDIO [AUDIO ...]``.
"""

import time

T_START = time.perf_counter()

import os  # noqa: E402
import sys  # noqa: E402

from common import run  # noqa: E402
from labels import changes_to_segments, chordino_to_harte  # noqa: E402

SR = 44100


def load(options: dict):
    from importlib.metadata import version

    import librosa
    import vamp
    from chord_extractor.extractors import Chordino  # sets VAMP_PATH to its bundled plugin

    if "nnls-chroma:chordino" not in vamp.list_plugins():
        raise RuntimeError(f"Chordino plugin not found (VAMP_PATH={os.environ.get('VAMP_PATH')})")
    extractor = Chordino()

    def analyse(path: str):
        y, sr = librosa.load(path, sr=SR, mono=True)
        duration = len(y) / sr
        # Chordino.extract(path, sr=SR) does the same load; done here to know the duration.
        changes = vamp.collect(y, sr, "nnls-chroma:chordino", parameters=extractor._params)
        points = [(float(c["timestamp"]), c["label"]) for c in changes["list"]]
        return changes_to_segments(points, duration=duration), duration

    versions = {p: version(p) for p in ("chord-extractor", "vamp", "librosa", "numpy")}
    return analyse, versions


if __name__ == "__main__":
    sys.exit(
        run(
            system="chordino",
            t_start=T_START,
            load=load,
            to_harte=chordino_to_harte,
            description=__doc__.splitlines()[0],
        )
    )
