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
import time
from collections.abc import Callable, Iterable
from pathlib import Path

#: A staging entry older than this is stale whatever its process id says (another host's, or a
#: process id reused since).
STALE_SECONDS = 24 * 3600
_STAGING_RE = re.compile(r"^\.(?P<name>.+)\.(?:(?P<pid>\d+)-)?[0-9a-f]{12}\.(?P<kind>tmp|old)$")
#: Bytes of the target's name kept in a staging name: with the dots, the process id and the
#: random part the whole stays within the 255 bytes most file systems allow.
_NAME_BYTES = 200


def _base(target: Path) -> str:
    """The target's name as it appears in its staging names (cut to :data:`_NAME_BYTES`)."""
    return target.name.encode("utf-8")[:_NAME_BYTES].decode("utf-8", "ignore")


def _staging_name(target: Path, kind: str = "tmp") -> Path:
    return target.with_name(f".{_base(target)}.{os.getpid()}-{secrets.token_hex(6)}.{kind}")


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` runs on this machine (one of another user's counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def _file_ids(paths: Iterable[str | Path]) -> set[tuple[int, int]]:
    ids = set()
    for path in paths:
        try:
            st = os.stat(path)
        except (OSError, ValueError):
            continue
        ids.add((st.st_dev, st.st_ino))
    return ids


def remove_stale(target: str | Path, *, protect: Iterable[str | Path] = ()) -> list[Path]:
    """Clean up after a writer of ``target`` that was killed mid-write.

    Only regular files of this user named in this module's pattern for this very target are
    considered, never one of ``protect`` (the inputs of a run). One is stale when the process
    named in it no longer runs, or when it was made more than :data:`STALE_SECONDS` ago (a
    staging file by its last write, a backup by its inode change, as a hard link keeps the old
    file's times; an older release's names carry no process id: only age counts for them). A stale staging file
    is removed. A stale backup (``.old``) is removed if the target exists, and otherwise put back
    in the target's place: it is the only copy of a file that was being replaced.

    Returns
    -------
    list of Path
        The entries removed or put back.
    """
    import stat

    target = Path(target)
    done: list[Path] = []
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return done
    protected = None  # the inputs' ids, found only when some entry matches the pattern
    now = time.time()
    for entry in entries:
        m = _STAGING_RE.match(entry.name)
        if m is None or m.group("name") != _base(target):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if protected is None:
            protected = _file_ids(protect)
        if not stat.S_ISREG(st.st_mode) or (st.st_dev, st.st_ino) in protected:
            continue
        if hasattr(os, "getuid") and st.st_uid != os.getuid():
            continue
        pid = m.group("pid")
        dead = pid is not None and int(pid) != os.getpid() and not pid_alive(int(pid))
        # a backup is a hard link to the old file and keeps its mtime: it ages from its making
        made = st.st_ctime if m.group("kind") == "old" else st.st_mtime
        if not (dead or now - made > STALE_SECONDS):
            continue
        path = Path(entry.path)
        try:
            if m.group("kind") == "old" and not os.path.lexists(target):
                os.replace(path, target)
            else:
                path.unlink()
            done.append(path)
        except OSError:
            pass
    return done


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
    protect: Iterable[str | Path] = (),
) -> None:
    """Write each ``{path: text or bytes}`` all-or-nothing.

    Everything is staged beside its target first, so a failure while staging (a full disk, an
    unwritable folder) changes no file. Then each is moved into place; a reader sees an old file
    or a new one, never a partial one. If a later move fails, the files already replaced are
    restored and the new ones removed, so the set stays as it was. Without ``overwrite`` an
    existing target is never replaced, even one created by another process meanwhile.
    ``before_rename`` runs once everything is staged; raising there also changes no file.
    Staging files a killed writer left are cleaned up first (:func:`remove_stale`), never one of
    ``protect``.

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
            remove_stale(target, protect=protect)
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
            moved = False  # True: the backup is the only copy of the old file
            if os.path.lexists(target):
                backup = _staging_name(target, "old")
                try:
                    os.link(target, backup, follow_symlinks=False)
                except OSError:  # no hard links here: move it aside (briefly absent)
                    os.replace(target, backup)
                    moved = True
            try:
                os.replace(tmp, target)
            except BaseException:
                if moved:
                    os.replace(backup, target)  # put the only copy back
                elif backup is not None:
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
