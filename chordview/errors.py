"""The exception hierarchy: every user-facing failure is a :class:`ChordviewError`.

The CLI prints ``str(error)`` as one line and exits with ``error.exit_code``; the GUI shows the
same text in a dialog. Anything that is not a ``ChordviewError`` is a bug and keeps its traceback.
"""

from __future__ import annotations


class ChordviewError(Exception):
    """Root of all errors that are the user's input, not a bug."""

    exit_code = 1


class AudioError(ChordviewError):
    """An audio file is missing, unreadable, empty, too short or holds invalid samples."""

    exit_code = 3


class ModelError(ChordviewError):
    """A model bundle or Keras file is missing, corrupt, tampered with or does not fit."""

    exit_code = 4


class OutputError(ChordviewError):
    """An output cannot be written, or exists and overwriting was not asked for."""

    exit_code = 5


class AnnotationError(ChordviewError):
    """A reference annotation (JAMS or LAB) cannot be read or holds invalid labels."""

    exit_code = 6


class Cancelled(ChordviewError):
    """The progress callback asked to stop."""

    exit_code = 130


def first_line(exc: BaseException, *, limit: int = 200) -> str:
    """An exception's first message line (at most ``limit`` characters), or its type's name."""
    text = str(exc).strip()
    return text.splitlines()[0][:limit] if text else type(exc).__name__
