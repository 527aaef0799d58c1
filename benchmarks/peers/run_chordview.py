"""chordview (``chordview.analyze``): write a LAB per audio file, timed like the peers.

Runs in the project's own virtualenv, as the peers' runners run in theirs, so every system is
timed the same way: one process, a warm-up, then each file. Usage:
``python run_chordview.py --out DIR AUDIO [AUDIO ...] [--option model=cr2] [--option device=auto]``.
"""

import time

T_START = time.perf_counter()

import sys  # noqa: E402

from common import run  # noqa: E402
from labels import harte_to_harte  # noqa: E402


def load(options: dict):
    from importlib.metadata import version

    from chordview.analysis import analyze
    from chordview.bundle import resolve

    model = options.get("model", "unet")
    device = options.get("device", "auto")
    resolve(model)  # fails here, in the start-up, for an unknown model

    def analyse(path: str):
        result = analyze(path, model=model, device=device)
        versions["device_used"] = result.model.get("device", device)
        segments = [(float(s.start), float(s.end), str(s.label)) for s in result.segments]
        return segments, float(result.duration)

    versions = {p: version(p) for p in ("chordview", "tensorflow", "keras", "librosa", "numpy")}
    versions.update(model=model, device=device)
    return analyse, versions


if __name__ == "__main__":
    sys.exit(
        run(
            system="chordview",
            t_start=T_START,
            load=load,
            to_harte=harte_to_harte,
            description=__doc__.splitlines()[0],
        )
    )
