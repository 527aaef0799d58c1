"""File-system helpers shared by every writer: staging beside the target, then an atomic rename.

:func:`tempfile.mkstemp` and :func:`tempfile.mkdtemp` create private entries (0600 / 0700)
whatever the umask, so an output renamed into place would be unreadable to anyone else. These
create the staging file or folder with the mode a plain ``open()`` or ``mkdir()`` gets, the umask
applied by the kernel (no process-wide umask juggling, which would race with other threads).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path


def _staging_name(target: Path) -> Path:
    return target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")


def staging_file(target: str | Path) -> tuple[int, Path]:
    """Create a new, empty file beside ``target``; returns its descriptor (write-only) and path."""
    target = Path(target)
    while True:
        path = _staging_name(target)
        try:
            return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), path
        except FileExistsError:  # 48 random bits: practically never
            continue


def staging_folder(target: str | Path) -> Path:
    """Create a new, empty folder beside ``target``; returns its path."""
    target = Path(target)
    while True:
        path = _staging_name(target)
        try:
            os.mkdir(path, 0o777)
            return path
        except FileExistsError:
            continue


def write_texts(texts: dict[Path, str], *, before_rename: Callable[[], None] | None = None) -> None:
    """Write each ``{path: text}`` through a staging file beside it, then rename them all into
    place: a reader sees old files or new ones, never a partial one, and a failure while staging
    (a full disk, an unwritable folder) changes no file. ``before_rename`` runs once everything is
    staged; raising there also changes no file. Raises :class:`OSError`."""
    staged: list[tuple[Path, Path]] = []
    try:
        for target, text in texts.items():
            fd, tmp = staging_file(target)
            staged.append((tmp, Path(target)))
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
        if before_rename is not None:
            before_rename()
        for tmp, target in staged:
            os.replace(tmp, target)
    finally:
        for tmp, _ in staged:
            if os.path.exists(tmp):
                os.unlink(tmp)
