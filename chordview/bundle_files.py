"""Reading a bundle's files without trusting them: confined to the folder, bounded in size.

A bundle comes from anywhere, so nothing it names is opened until it is known to be a regular
file inside the bundle folder (no ``..``, no absolute path, no symlink out, no FIFO that would block
the sha256 forever), ``bundle.json`` is read only up to :data:`MAX_JSON_BYTES` and parsed strictly
(no duplicate keys, no ``NaN``/``Infinity``), and a ``.keras`` archive is looked over before Keras
opens it: a zip, with ``config.json``, a bounded number of members and bounded declared sizes.

Python's :mod:`zipfile` never inflates a member beyond the size the central directory declares
for it (it stops there and the CRC check fails), so bounding the declared sizes bounds what Keras
can be made to decompress, even when the declarations lie.
"""

from __future__ import annotations

import json
import os
import stat
import zipfile
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from chordview.errors import ModelError

#: Largest ``bundle.json`` read (the shipped ones are about 7 kB).
MAX_JSON_BYTES = 16 << 20
#: Largest total of the declared uncompressed sizes of a ``.keras`` archive's members.
MAX_ARCHIVE_BYTES = 512 << 20
#: Largest declared size of an archive's ``config.json`` or ``metadata.json``.
MAX_CONFIG_BYTES = 16 << 20
#: Most members a ``.keras`` archive may hold (Keras writes three, plus assets).
MAX_ARCHIVE_MEMBERS = 256
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")


def bundle_file(folder: Path, name: Any, *, field: str) -> Path:
    """The regular file ``name`` (a relative path) inside the bundle ``folder``, resolved.

    Raises
    ------
    ModelError
        When ``name`` is not a relative path, leads out of the folder (``..``, an absolute path, a
        symlink), is missing, or is not a regular file (a folder, a FIFO, a device).
    """
    if not isinstance(name, str) or not name or "\0" in name:
        raise ModelError(f"{folder}: {field} must name a file in the bundle, not {name!r}")
    if (
        PurePosixPath(name).is_absolute()
        or PureWindowsPath(name).is_absolute()
        or (PureWindowsPath(name).drive)
    ):
        raise ModelError(
            f"{folder}: {field} {name!r} is an absolute path; a bundle may only "
            "name files inside its folder"
        )
    try:
        root = folder.resolve(strict=True)
        path = (root / name).resolve()
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop (older Pythons)
        raise ModelError(f"{folder}: cannot resolve {field} {name!r} ({exc})") from None
    if not path.is_relative_to(root) or path == root:
        raise ModelError(f"{folder}: {field} {name!r} leads outside the bundle folder")
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise ModelError(f"{folder}: {field} {name!r} is missing") from None
    except OSError as exc:
        raise ModelError(f"{folder}: cannot read {field} {name!r} ({exc.strerror})") from None
    if not stat.S_ISREG(mode):
        kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
        raise ModelError(f"{folder}: {field} {name!r} is {kind}")
    return path


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"key {key[:40]!r} appears twice in one object")
        out[key] = value
    return out


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


def read_json(path: Path, *, limit: int = MAX_JSON_BYTES) -> Any:
    """Parse the JSON file ``path`` strictly: at most ``limit`` bytes of UTF-8, no duplicate keys,
    no ``NaN`` or ``Infinity``.

    Raises
    ------
    ModelError
        ``'corrupt bundle description (...)'`` for anything else, or when it cannot be read.
    """
    try:
        with open(path, "rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise ModelError(f"{path}: cannot read the bundle description ({exc.strerror})") from None
    if len(data) > limit:
        raise ModelError(f"{path}: corrupt bundle description (larger than {limit >> 20} MiB)")
    try:
        return json.loads(
            data.decode("utf-8"), object_pairs_hook=_no_duplicates, parse_constant=_no_constant
        )
    except UnicodeDecodeError:
        raise ModelError(f"{path}: corrupt bundle description (not UTF-8 text)") from None
    except RecursionError:
        raise ModelError(f"{path}: corrupt bundle description (nested too deeply)") from None
    except ValueError as exc:  # JSONDecodeError, duplicate keys, constants, 4300-digit numbers
        raise ModelError(f"{path}: corrupt bundle description ({str(exc)[:200]})") from None


def keras_archive_problem(path: Path) -> str | None:
    """Why the ``.keras`` file ``path`` must not be handed to Keras, or None.

    A ``.keras`` file is a zip archive holding ``config.json`` (and the weights). Refused: a file
    that is not a zip, a truncated or damaged zip, one without ``config.json``, encrypted members,
    more than :data:`MAX_ARCHIVE_MEMBERS` members, or declared sizes beyond
    :data:`MAX_CONFIG_BYTES` (configuration) and :data:`MAX_ARCHIVE_BYTES` (all members).
    """
    try:
        with open(path, "rb") as fh:
            head = fh.read(4)
        archive = zipfile.ZipFile(path)
    except OSError as exc:
        return f"cannot read the Keras archive ({exc.strerror or exc})"
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        if head not in _ZIP_MAGIC:
            return "not a Keras archive (not a zip file)"
        return f"a truncated or damaged Keras archive ({str(exc)[:120]})"
    with archive:
        members = archive.infolist()
    if len(members) > MAX_ARCHIVE_MEMBERS:
        return f"a Keras archive with {len(members)} members (at most {MAX_ARCHIVE_MEMBERS})"
    names = {m.filename for m in members}
    if "config.json" not in names:
        return "not a Keras archive (it holds no config.json)"
    if any(m.flag_bits & 0x1 for m in members):
        return "a Keras archive with encrypted members"
    for m in members:
        bound = MAX_CONFIG_BYTES if m.filename.endswith(".json") else MAX_ARCHIVE_BYTES
        if m.file_size > bound:
            return (
                f"a Keras archive whose {m.filename[:60]!r} would inflate to {m.file_size:,} "
                f"bytes (at most {bound:,}); refused as a decompression bomb"
            )
    total = sum(m.file_size for m in members)
    if total > MAX_ARCHIVE_BYTES:
        return (
            f"a Keras archive that would inflate to {total:,} bytes (at most "
            f"{MAX_ARCHIVE_BYTES:,}); refused as a decompression bomb"
        )
    return None


def check_keras_archive(path: Path) -> None:
    """Raise :class:`ModelError` naming ``path`` when :func:`keras_archive_problem` finds one."""
    problem = keras_archive_problem(path)
    if problem:
        raise ModelError(f"{path}: {problem}")


def regular_file(path: Path) -> bool:
    """True when ``path`` is a regular file (following symlinks), False on any error."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False
