"""File-system helpers shared by every writer: staging beside the target, then an atomic rename.

Every staging entry is created exclusively (``O_EXCL`` / ``mkdir``) under a random name, so a
planted file or symlink of the same name is never followed or reused. Its name carries the
writing process's id, so an entry left by a killed process is recognised and removed on a later
write into the same folder (:func:`remove_stale`).

:func:`tempfile.mkstemp` and :func:`tempfile.mkdtemp` create private entries (0600 / 0700)
whatever the umask, so an output renamed into place would be unreadable to anyone else. These
create the staging file or folder with the mode a plain ``open()`` or ``mkdir()`` gets, the umask
applied by the kernel (no process-wide umask juggling, which would race with other threads).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import time
from collections.abc import Callable
from pathlib import Path

#: A staging entry older than this is stale whatever its process id says (another host's, or a
#: process id reused since).
STALE_SECONDS = 24 * 3600
_STAGING_RE = re.compile(r"^\.(?P<name>.+)\.(?:(?P<pid>\d+)-)?[0-9a-f]{12}\.(?:tmp|old)$")


def _staging_name(target: Path, kind: str = "tmp") -> Path:
    return target.with_name(f".{target.name}.{os.getpid()}-{secrets.token_hex(6)}.{kind}")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def remove_stale(target: str | Path) -> list[Path]:
    """Remove staging entries of ``target`` left behind by a process that was killed mid-write.

    An entry is stale when its process no longer runs, or it is older than
    :data:`STALE_SECONDS`; entries of running processes (a concurrent writer) are left alone.
    Only names of this module's own pattern for this very target are touched.

    Returns
    -------
    list of Path
        The entries removed.
    """
    target = Path(target)
    removed = []
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        m = _STAGING_RE.match(entry.name)
        if m is None or m.group("name") != target.name:
            continue
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        pid = m.group("pid")
        dead = pid is not None and int(pid) != os.getpid() and not _pid_alive(int(pid))
        if not (dead or now - st.st_mtime > STALE_SECONDS):
            continue
        path = Path(entry.path)
        try:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(path)
            else:
                path.unlink()
            removed.append(path)
        except OSError:
            pass
    return removed


def staging_file(target: str | Path) -> tuple[int, Path]:
    """Create a new, empty file beside ``target``; returns its descriptor (write-only) and path."""
    target = Path(target)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    while True:
        path = _staging_name(target)
        try:
            return os.open(path, flags, 0o666), path
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


def _install_new(tmp: Path, target: Path) -> None:
    """Put ``tmp`` at ``target`` only if nothing is there: a hard link fails atomically when
    the name exists, so a file another process created meanwhile is never replaced."""
    try:
        os.link(tmp, target, follow_symlinks=False)
    except FileExistsError:
        raise FileExistsError(17, "appeared while writing; not replaced", str(target)) from None
    except OSError:  # no hard links here (some network and FAT file systems)
        if os.path.lexists(target):
            raise FileExistsError(17, "appeared while writing; not replaced", str(target)) from None
        os.replace(tmp, target)
        return
    os.unlink(tmp)


def write_files(
    contents: dict[Path, str | bytes],
    *,
    overwrite: bool = True,
    before_rename: Callable[[], None] | None = None,
) -> None:
    """Write each ``{path: text or bytes}`` all-or-nothing.

    Everything is staged beside its target first, so a failure while staging (a full disk, an
    unwritable folder) changes no file. Then each is moved into place; a reader sees an old file
    or a new one, never a partial one. If a later move fails, the files already replaced are
    restored and the new ones removed, so the set stays as it was. Without ``overwrite`` an
    existing target is never replaced, even one created by another process meanwhile.
    ``before_rename`` runs once everything is staged; raising there also changes no file.

    Raises
    ------
    OSError
        The first failure (``FileExistsError`` for a target that appeared without
        ``overwrite``).
    """
    staged: list[tuple[Path, Path]] = []
    done: list[tuple[Path, Path | None]] = []  # (target, backup of what it replaced)
    try:
        for target, data in contents.items():
            target = Path(target)
            remove_stale(target)
            fd, tmp = staging_file(target)
            staged.append((tmp, target))
            mode = "wb" if isinstance(data, bytes) else "w"
            with os.fdopen(fd, mode, **({} if mode == "wb" else {"encoding": "utf-8"})) as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        if before_rename is not None:
            before_rename()
        for tmp, target in staged:
            if not overwrite:
                _install_new(tmp, target)
                done.append((target, None))
                continue
            backup = None
            if os.path.isdir(target) and not os.path.islink(target):
                raise IsADirectoryError(21, "is a folder", str(target))
            if os.path.lexists(target):
                backup = _staging_name(target, "old")
                try:
                    os.link(target, backup, follow_symlinks=False)
                except OSError:  # no hard links here: move it aside (briefly absent)
                    os.replace(target, backup)
            try:
                os.replace(tmp, target)
            except BaseException:
                if backup is not None:
                    os.unlink(backup)
                raise
            done.append((target, backup))
    except BaseException:
        for target, backup in reversed(done):  # undo: the set of files stays as it was
            try:
                if backup is not None:
                    os.replace(backup, target)
                else:
                    os.unlink(target)
            except OSError:
                pass
        done.clear()
        raise
    finally:
        for tmp, _ in staged:
            if os.path.lexists(tmp):
                os.unlink(tmp)
        for _, backup in done:
            if backup is not None and os.path.lexists(backup):
                os.unlink(backup)


def write_texts(texts: dict[Path, str], *, before_rename: Callable[[], None] | None = None) -> None:
    """:func:`write_files` of texts, replacing existing targets."""
    write_files(dict(texts), before_rename=before_rename)


def same_file(a: str | Path, b: str | Path) -> bool:
    """Whether two paths name one file: equal after resolving links, or the same inode (a hard
    link, a bind mount). A path that does not exist names no file."""
    try:
        sa, sb = os.stat(a), os.stat(b)
    except (OSError, ValueError):
        return False
    return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)
