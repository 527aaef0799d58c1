"""Running a child process as root without root's power over file permissions."""

from __future__ import annotations

import subprocess
import sys

import pytest


def drop_file_capabilities() -> None:  # runs in the child, before exec
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH leave the bounding set
        if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "cannot drop capabilities")


def unprivileged() -> dict:
    """subprocess.run arguments that make root obey file permissions.

    ``user="nobody"`` where nobody can run this interpreter; otherwise (an interpreter under a
    private /root) root keeps its uid but loses the capabilities that bypass permissions.
    """
    try:
        subprocess.run([sys.executable, "-c", ""], user="nobody", check=True, timeout=60)
        return {"user": "nobody"}
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        subprocess.run([sys.executable, "-c", ""], preexec_fn=drop_file_capabilities, check=True)
    except (OSError, subprocess.SubprocessError):
        pytest.skip("running as root and cannot drop privileges")
    return {"preexec_fn": drop_file_capabilities}


def as_root_without_dac() -> dict:
    """subprocess.run arguments under which permissions hold for root too (it keeps its uid, so
    it still reads its own private files, but a folder of mode 000 stops it); ``{}`` for
    anyone else."""
    import os

    if os.geteuid() != 0:
        return {}
    try:
        subprocess.run([sys.executable, "-c", ""], preexec_fn=drop_file_capabilities, check=True)
    except (OSError, subprocess.SubprocessError):
        pytest.skip("running as root and cannot drop privileges")
    return {"preexec_fn": drop_file_capabilities}
