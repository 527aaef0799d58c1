"""File-system helpers shared by every writer."""

from __future__ import annotations

import os


def creation_mode(*, directory: bool = False) -> int:
    """The permissions a plain ``open()`` or ``mkdir()`` would give under the current umask.

    Staged outputs are made with :func:`tempfile.mkstemp` / :func:`tempfile.mkdtemp`, which create
    them private (0600 / 0700) whatever the umask; chmod them to this before renaming them into
    place, so a written JAMS, LAB or bundle is as readable as any other file the user makes.
    """
    umask = os.umask(0)
    os.umask(umask)
    return (0o777 if directory else 0o666) & ~umask
