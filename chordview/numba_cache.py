"""A writable cache for numba, so librosa imports where neither home nor site-packages is writable.

librosa compiles its helpers with ``numba.jit(cache=True)``, and numba refuses to even decorate such
a function when it finds nowhere to cache it ("cannot cache function '__o_fold': no locator
available"). Numba looks, in order, in ``NUMBA_CACHE_DIR``, in a ``__pycache__`` folder beside the
source, and in the user's cache folder (``$XDG_CACHE_HOME`` or ``~/.cache``). A service account
with ``HOME=/nonexistent`` and a read-only install has none of them.

:func:`ensure_numba_cache` is called before librosa is first imported on the analysis path. When
numba would find no writable place, it points ``NUMBA_CACHE_DIR`` at a private folder under the
temporary directory (one per user, mode 0700). A ``NUMBA_CACHE_DIR`` the user set is left alone.
Nothing here imports numba or librosa, and nothing is printed.
"""

from __future__ import annotations

import importlib.util
import os
import stat
import sys
import tempfile
from pathlib import Path

_checked = False


def _writable(folder: Path) -> bool:
    """Whether numba could create ``folder`` (if needed) and write a file into it."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=folder).close()
    except OSError:
        return False
    return True


def _package_folders(name: str) -> list[Path]:
    """Folders holding the modules of an installed package (without importing it)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return []
    found = []
    for root in spec.submodule_search_locations:
        for folder, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if d != "__pycache__" and not d.startswith(".")]
            if any(f.endswith(".py") for f in files):
                found.append(Path(folder))
    return found


def _user_cache() -> Path:
    """numba's user-wide cache folder on POSIX (its bundled appdirs' ``user_cache_dir``)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return Path(base) / "numba"


def _private_folder() -> Path:
    """A per-user folder under the temporary directory, created 0700 and checked to be ours."""
    uid = os.getuid() if hasattr(os, "getuid") else os.getpid()
    folder = Path(tempfile.gettempdir()) / f"chordview-numba-{uid}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        info = os.lstat(folder)
        ours = stat.S_ISDIR(info.st_mode) and (not hasattr(os, "getuid") or info.st_uid == uid)
        if ours and not info.st_mode & 0o077 and _writable(folder):
            return folder
    except OSError:
        pass
    return Path(tempfile.mkdtemp(prefix="chordview-numba-"))  # someone else holds the name


def ensure_numba_cache(package: str = "librosa") -> None:
    """Give numba a writable cache folder if it would otherwise have none (once per process).

    Parameters
    ----------
    package : str
        The package whose ``cache=True`` functions will be compiled (librosa).
    """
    global _checked
    if _checked:
        return
    _checked = True
    if os.environ.get("NUMBA_CACHE_DIR"):
        return
    if all(_writable(f / "__pycache__") for f in _package_folders(package)):
        return
    if _writable(_user_cache()):
        return
    folder = str(_private_folder())
    os.environ["NUMBA_CACHE_DIR"] = folder
    config = sys.modules.get("numba.core.config")
    if config is not None:  # numba read its environment already
        config.CACHE_DIR = folder
