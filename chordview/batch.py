"""Analysing many files: expanding folders, claiming outputs, going on after a bad file.

This is the one file workflow; the ``analyze`` command is a thin caller. One bad file (missing,
undecodable, a symlink loop, an unreadable folder, an output that may not be written) becomes a
:class:`Failure` and the rest of the batch goes on; nothing outside a :class:`ChordviewError`
is swallowed.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from chordview.errors import AudioError, ChordviewError, OutputError


@dataclass
class Failure:
    """One input that could not be analysed or written, with its one-line reason."""

    path: str
    error: ChordviewError

    @property
    def message(self) -> str:
        """The reason, naming the file once."""
        text = str(self.error)
        return text if text.startswith(self.path) else f"{self.path}: {text}"


@dataclass
class BatchResult:
    """What a batch did: the files analysed with what each wrote, and the failures."""

    written: list[tuple[Path, list[Path]]] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)

    @property
    def n_inputs(self) -> int:
        """Files analysed or failed (a folder that could not be read counts as one)."""
        return len(self.written) + len(self.failures)

    @property
    def exit_code(self) -> int:
        """0, or the exit code of the first failure."""
        return self.failures[0].error.exit_code if self.failures else 0


def _file_id(path: str | Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return st.st_dev, st.st_ino


def _unusable(path: str) -> Failure | None:
    """A failure for a path that is a symlink loop, points nowhere or is no regular file (a
    FIFO would block the reader, a device never ends), else None."""
    import stat

    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return Failure(path, AudioError(f"{path}: is a symlink loop"))
        if os.path.islink(path):
            return Failure(path, AudioError(f"{path}: is a broken symlink (its target is gone)"))
        return Failure(path, AudioError(f"{path}: cannot be read ({exc.strerror})"))
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        kind = "a named pipe" if stat.S_ISFIFO(mode) else "a device or socket"
        return Failure(path, AudioError(f"{path}: is {kind}, not an audio file"))
    return None


def _walk(folder: Path, failures: list[Failure]) -> list[Path]:
    """Audio files below ``folder``, sorted; symlinked folders are followed once each."""
    from chordview.audio import AUDIO_EXTENSIONS

    found: list[Path] = []
    seen: set[tuple[int, int] | None] = set()

    def unreadable(exc: OSError) -> None:
        where = exc.filename or str(folder)
        failures.append(Failure(where, AudioError(f"{where}: cannot read folder ({exc.strerror})")))

    for root, dirs, files in os.walk(folder, onerror=unreadable, followlinks=True):
        here = _file_id(root)
        if here in seen:  # a symlink back up the tree: walked already
            dirs[:] = []
            continue
        seen.add(here)
        dirs.sort()
        for name in sorted(files):
            if Path(name).suffix.lower() in AUDIO_EXTENSIONS:
                path = os.path.join(root, name)
                bad = _unusable(path)
                if bad is not None:
                    failures.append(bad)
                else:
                    found.append(Path(path))
    return found


def expand_inputs(
    paths: Iterable[str | Path], *, once: bool = True
) -> tuple[list[Path], list[Failure]]:
    """Files and folders -> the audio files to analyse, each once, and what could not be read.

    A folder gives the audio files below it (by extension, sorted); a file given by name is
    taken whatever its extension. The same file named twice, or through a link, is analysed
    once (unless ``once`` is False: a scored set counts every track). A missing path, a symlink loop, an unreadable folder or a folder without audio is a
    :class:`Failure`; the rest goes on.

    Returns
    -------
    files : list of Path
    failures : list of Failure
    """
    from chordview.audio import AUDIO_EXTENSIONS

    files: list[Path] = []
    failures: list[Failure] = []
    seen: set[tuple[int, int]] = set()
    for item in paths:
        path = Path(item).expanduser()
        text = str(path)
        if path.is_dir():
            before = len(failures)
            below = _walk(path, failures)
            if not below and len(failures) == before:  # nothing there, and nothing unreadable
                failures.append(
                    Failure(
                        text,
                        AudioError(
                            f"{text}: folder holds no audio files ({', '.join(AUDIO_EXTENSIONS)})"
                        ),
                    )
                )
        elif os.path.lexists(path):
            bad = _unusable(text)
            if bad is not None:
                failures.append(bad)
                continue
            below = [path]
        else:
            failures.append(Failure(text, AudioError(f"{text}: no such file or folder")))
            continue
        for file in below:
            key = _file_id(file)
            if once and key is not None and key in seen:
                continue
            seen.add(key)
            files.append(file)
    return files, failures


#: ``progress(index, total, name, stage, fraction)``: file ``index`` of ``total`` is in
#: ``stage`` of :data:`chordview.analysis.STAGES`; return ``False`` to cancel the batch.
BatchProgress = Callable[[int, int, str, str, float], "bool | None"]


def analyze_files(
    paths: Iterable[str | Path],
    *,
    formats: Iterable[str] = ("jams", "lab"),
    output_dir: str | Path | None = None,
    overwrite: bool = False,
    model="unet",
    device: str = "auto",
    fast: bool = False,
    analyzer=None,
    once: bool = True,
    targets: Callable[[Path], dict[str, Path]] | None = None,
    write: Callable[[object, dict[str, Path]], list[Path]] | None = None,
    progress: BatchProgress | None = None,
    on_written: Callable[[Path, object, list[Path]], None] | None = None,
    on_failure: Callable[[Failure], None] | None = None,
) -> BatchResult:
    """Analyse files and folders and write each one's outputs (by default its chord files).

    Each file's outputs are checked before it is analysed: not an input of the batch, not the
    output of another file of the batch, not existing unless ``overwrite``, in a writable
    folder. A file that fails (bad audio, an output that may not be written, a ``write`` that
    raises a :class:`ChordviewError`) is a :class:`Failure`, and the batch goes on.

    Parameters
    ----------
    paths : iterable of str or Path
        Audio files and folders (see :func:`expand_inputs`).
    formats : iterable of str
        Output formats, of :data:`chordview.export.FORMATS`.
    output_dir : str or Path, optional
        Folder for every output (default: beside each audio file). It must exist.
    overwrite : bool
        Replace existing outputs. Inputs of the batch are never written, whatever this says.
    model, device, fast
        As for :class:`chordview.analysis.Analyzer`; the model is loaded once, and only when
        there is a file to analyse.
    analyzer : Analyzer, optional
        An analyzer to use instead of ``model``, ``device`` and ``fast``.
    once : bool
        Analyse a file named twice (or through a link) once; see :func:`expand_inputs`.
    targets : callable, optional
        ``targets(audio) -> {kind: path}``, the outputs of one file (default: ``formats`` in
        ``output_dir``, :func:`chordview.export.output_paths`); ``{}`` writes nothing.
    write : callable, optional
        ``write(analysis, targets) -> written_paths`` (default: the chord files,
        :func:`chordview.export.write_outputs`).
    progress : callable, optional
        See :data:`BatchProgress`.
    on_written : callable, optional
        ``on_written(audio, analysis, written_paths)`` after each file's outputs are written.
    on_failure : callable, optional
        ``on_failure(failure)`` as each failure happens (they are in the result too).

    Returns
    -------
    BatchResult

    Raises
    ------
    ModelError
        The model cannot be loaded (nothing can be analysed then).
    Cancelled
        ``progress`` asked to stop.
    """
    from chordview.analysis import Analyzer
    from chordview.errors import Cancelled
    from chordview.export import check_targets, output_paths, write_outputs

    formats = list(formats)
    result = BatchResult()
    if targets is None:

        def targets(audio: Path) -> dict[str, Path]:
            return output_paths(audio, formats=formats, output_dir=output_dir)

    if write is None:

        def write(analysis, paths: dict[str, Path]) -> list[Path]:
            return write_outputs(analysis, paths, overwrite=overwrite, protect=files)

    def fail(failure: Failure) -> None:
        result.failures.append(failure)
        if on_failure is not None:
            on_failure(failure)

    files, bad = expand_inputs(paths, once=once)
    for failure in bad:
        fail(failure)
    if not files:
        return result
    inputs = {key for key in map(_file_id, files) if key is not None}
    if analyzer is None:
        analyzer = Analyzer(model, device=device, fast=fast)
    claimed: dict[tuple, Path] = {}  # output (resolved) -> the input of this batch writing it
    for index, audio in enumerate(files):
        planned = targets(audio)
        keys = [_claim_key(t) for t in planned.values()]
        try:
            for target, key in zip(planned.values(), keys, strict=True):
                if _file_id(target) in inputs:
                    raise OutputError(
                        f"{audio}: its output {target} is an input of this run; it "
                        "would be overwritten (use another output folder)"
                    )
                if key in claimed:
                    raise OutputError(
                        f"{audio}: its output {target} is also the output of "
                        f"{claimed[key]} in this batch; analyse them into "
                        "different folders"
                    )
            check_targets(planned, overwrite=overwrite, inputs=[audio])  # before the analysis
            claimed.update(dict.fromkeys(keys, audio))

            def report(stage: str, fraction: float, index=index, name=audio.name):
                if progress is not None:
                    return progress(index, len(files), name, stage, fraction)
                return None

            analysis = analyzer.analyze(audio, progress=report)
            written = write(analysis, planned)
        except Cancelled:
            raise
        except (ChordviewError, MemoryError) as exc:
            for key in keys:  # a file that failed does not block another of the same stem
                if claimed.get(key) == audio:
                    del claimed[key]
            if isinstance(exc, MemoryError):
                exc = AudioError(f"{audio}: too large to analyse in the memory available")
            fail(Failure(str(audio), exc))
            continue
        result.written.append((audio, written))
        if on_written is not None:
            on_written(audio, analysis, written)
    return result


def _claim_key(target: Path) -> tuple:
    """One key per output file, however it is spelled (resolved folder, then the name)."""
    try:
        return (str(target.parent.resolve()), target.name)
    except (OSError, RuntimeError):
        return (str(target.absolute().parent), target.name)
