"""crema 0.2.0 (Keras 2 chord model, via tf-keras on TensorFlow 2.21): write a LAB per audio file.

Runs in ``.peers/crema`` (see setup.sh). crema imports ``keras`` and expects Keras 2, so
``keras`` is pointed at ``tf_keras`` (the Keras 2 that TensorFlow 2.21 ships separately) before
crema is imported. Usage: ``python run_crema.py --out DIR AUDIO [AUDIO ...]``.
"""

import time

T_START = time.perf_counter()

import os  # noqa: E402
import sys  # noqa: E402

from common import run  # noqa: E402
from labels import crema_to_harte  # noqa: E402


def _use_keras2() -> None:
    """Make ``import keras`` (and ``keras.x.y``) give tf_keras, the Keras 2 crema was built for."""
    os.environ["TF_USE_LEGACY_KERAS"] = "1"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tf_keras  # noqa: F401  (registers tf_keras.* in sys.modules)

    for name, module in list(sys.modules.items()):
        if name == "tf_keras" or name.startswith("tf_keras."):
            sys.modules["keras" + name[len("tf_keras") :]] = module


def load(options: dict):
    from importlib.metadata import version

    _use_keras2()
    from crema.models.chord import ChordModel

    model = ChordModel()

    def analyse(path: str):
        ann = model.predict(filename=path)
        segments = [(float(o.time), float(o.time + o.duration), str(o.value)) for o in ann.data]
        return segments, float(ann.duration)

    versions = {
        p: version(p)
        for p in ("crema", "tensorflow", "tf-keras", "pumpp", "librosa", "numpy", "scikit-learn")
    }
    return analyse, versions


if __name__ == "__main__":
    sys.exit(
        run(
            system="crema",
            t_start=T_START,
            load=load,
            to_harte=crema_to_harte,
            description=__doc__.splitlines()[0],
        )
    )
