"""Writing analyses as JAMS (``chord`` namespace) and LAB files, atomically.

All targets are checked before anything is written, every file is first written to a temporary
name in the destination folder, and only when all are complete are they renamed into place: a
failure leaves neither a partial file nor a clobbered one.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from chordview import __version__
from chordview.errors import ModelError, OutputError
from chordview.files import same_file, write_files

FORMATS = ("jams", "lab")


def to_jams(analysis):
    """A :class:`jams.JAMS` holding the decoded chords and the model's identity.

    The annotation's metadata names chordview and the model (name, version, sha256); each
    observation's confidence is the segment's confidence.
    """
    import jams

    jam = jams.JAMS()
    jam.file_metadata.duration = float(analysis.duration)
    if analysis.path is not None:
        jam.file_metadata.title = analysis.path.stem
    model = analysis.model
    ann = jams.Annotation(namespace="chord", time=0, duration=float(analysis.duration))
    ann.annotation_metadata = jams.AnnotationMetadata(
        corpus="",
        version=__version__,
        annotation_tools=f"chordview {__version__}",
        data_source=(
            f"chordview model {model['name']} {model['version']} "
            f"({model['architecture']}, sha256 {model['sha256']})"
        ),
        annotator={
            "name": "chordview",
            "model": model["name"],
            "model_version": model["version"],
            "model_sha256": model["sha256"],
            "device": model.get("device", ""),
            **({"pitch_shifts": list(model["pitch_shifts"])} if "pitch_shifts" in model else {}),
        },
    )
    for seg in analysis.segments:
        end = min(seg.end, analysis.duration)
        if end <= seg.start:
            continue
        ann.append(
            time=seg.start,
            duration=end - seg.start,
            value=seg.label,
            confidence=round(float(seg.confidence), 6),
        )
    jam.annotations.append(ann)
    return jam


def to_lab(analysis) -> str:
    """``start<TAB>end<TAB>label`` lines, one per segment, times in seconds."""
    lines = []
    for seg in analysis.segments:
        end = min(seg.end, analysis.duration)
        if end > seg.start:
            lines.append(f"{seg.start:.6f}\t{end:.6f}\t{seg.label}")
    return "\n".join(lines) + "\n"


def _render(analysis, fmt: str) -> str:
    if fmt == "lab":
        return to_lab(analysis)
    import io

    buf = io.StringIO()
    jam = to_jams(analysis)
    jam.validate()
    jam.save(buf)
    return buf.getvalue()


def output_paths(audio: Path, *, formats, output_dir: Path | None = None) -> dict[str, Path]:
    """Where the outputs of ``audio`` go: ``song.jams``/``song.lab`` beside it or in a folder."""
    folder = Path(output_dir) if output_dir is not None else Path(audio).parent
    return {fmt: folder / f"{Path(audio).stem}.{fmt}" for fmt in formats}


def check_labels(analysis) -> None:
    """Raise :class:`ModelError` unless every segment label is a printable Harte label.

    A label comes from the model's vocabulary; a tampered bundle could otherwise write terminal
    escapes or extra lines into a LAB file.
    """
    import mir_eval

    for label in sorted({seg.label for seg in analysis.segments}, key=repr):
        ok = isinstance(label, str) and label.isprintable() and " " not in label and label
        if ok:
            try:
                mir_eval.chord.encode(label)
            except Exception:  # mir_eval raises InvalidChordException, ValueError, KeyError
                ok = False
        if not ok:
            name = analysis.model.get("name", "the model")
            raise ModelError(
                f"{name}: chord label {label!r} is not a Harte label; the model's "
                "vocabulary is damaged, nothing was written"
            )


def check_targets(
    targets: dict[str, Path], *, overwrite: bool, inputs: Iterable[str | Path] = ()
) -> None:
    """Raise :class:`OutputError` if a target cannot or may not be written.

    A target may not be a folder, one of ``inputs`` (compared after resolving links and by
    inode, so a hard link or a symlink to an input is caught too), or, unless ``overwrite``,
    an existing file; its folder must exist and be writable.
    """
    inputs = [Path(p) for p in inputs]
    for path in targets.values():
        path = Path(path)
        for source in inputs:
            if same_file(path, source) or _resolved(path) == _resolved(source):
                raise OutputError(
                    f"{path}: is an input of this run; it would be overwritten by "
                    "its own output (use another output folder or name)"
                )
        if path.is_dir():
            raise OutputError(f"{path}: is a folder; cannot write an output file there")
        if os.path.lexists(path) and not path.is_file() and not path.is_symlink():
            raise OutputError(f"{path}: exists and is not a regular file")
        if os.path.lexists(path) and not overwrite:
            raise OutputError(f"{path} exists; pass --overwrite to replace it")
        folder = path.parent
        if not folder.is_dir():
            raise OutputError(f"{folder}: output folder does not exist")
        if not os.access(folder, os.W_OK):
            raise OutputError(f"{folder}: output folder is not writable")


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symlink loop: compare as given
        return path.absolute()


def write_outputs(
    analysis,
    targets: dict[str, Path],
    *,
    overwrite: bool = False,
    inputs: Iterable[str | Path] = (),
    protect: Iterable[str | Path] = (),
) -> list[Path]:
    """Write every format in ``targets`` (format -> path) all-or-nothing.

    ``protect`` names more files that must survive (a batch's other inputs): cleaning up after
    a killed writer never removes one of them, even one named like a staging file.

    The analysed file itself (``analysis.path``) and every path in ``inputs`` are never
    written. If any target fails, none is changed: targets already replaced are restored.

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    OutputError, ModelError
    """
    sources = [*inputs, *([analysis.path] if analysis.path is not None else [])]
    check_targets(targets, overwrite=overwrite, inputs=sources)
    for fmt in targets:
        if fmt not in FORMATS:
            raise OutputError(f"unknown format {fmt!r}; use {', '.join(FORMATS)}")
    check_labels(analysis)

    def recheck() -> None:  # a target may have turned into a folder or an input meanwhile
        check_targets(targets, overwrite=True, inputs=sources)

    try:
        texts = {Path(path): _render(analysis, fmt) for fmt, path in targets.items()}
        write_files(texts, overwrite=overwrite, before_rename=recheck, protect=[*sources, *protect])
    except FileExistsError as exc:
        raise OutputError(f"{exc.filename} exists; pass --overwrite to replace it") from None
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        raise OutputError(f"cannot write outputs ({where}{exc.strerror or exc})") from None
    return list(texts)
