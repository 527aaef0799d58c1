"""Writing analyses as JAMS (``chord`` namespace) and LAB files, atomically.

All targets are checked before anything is written, every file is first written to a temporary
name in the destination folder, and only when all are complete are they renamed into place: a
failure leaves neither a partial file nor a clobbered one.
"""

from __future__ import annotations

import os
from pathlib import Path

from chordview import __version__
from chordview.errors import OutputError
from chordview.files import write_texts

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
        annotator={"name": "chordview", "model": model["name"], "model_version": model["version"],
                   "model_sha256": model["sha256"], "device": model.get("device", ""),
                   **({"pitch_shifts": list(model["pitch_shifts"])} if "pitch_shifts" in model else {})},
    )  # fmt: skip
    for seg in analysis.segments:
        end = min(seg.end, analysis.duration)
        if end <= seg.start:
            continue
        ann.append(time=seg.start, duration=end - seg.start, value=seg.label,
                   confidence=round(float(seg.confidence), 6))  # fmt: skip
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


def check_targets(targets: dict[str, Path], *, overwrite: bool) -> None:
    """Raise :class:`OutputError` if any target exists (unless ``overwrite``) or is unwritable."""
    for path in targets.values():
        if path.exists() and not overwrite:
            raise OutputError(f"{path} exists; pass --overwrite to replace it")
        folder = path.parent
        if not folder.is_dir():
            raise OutputError(f"{folder}: output folder does not exist")
        if not os.access(folder, os.W_OK):
            raise OutputError(f"{folder}: output folder is not writable")


def write_outputs(analysis, targets: dict[str, Path], *, overwrite: bool = False) -> list[Path]:
    """Write every format in ``targets`` (format -> path) all-or-nothing.

    Returns
    -------
    list of Path
        The files written.
    """
    check_targets(targets, overwrite=overwrite)
    for fmt in targets:
        if fmt not in FORMATS:
            raise OutputError(f"unknown format {fmt!r}; use {', '.join(FORMATS)}")

    def recheck() -> None:  # another process may have created a target meanwhile
        if not overwrite:
            check_targets(targets, overwrite=False)

    try:
        texts = {path: _render(analysis, fmt) for fmt, path in targets.items()}
        write_texts(texts, before_rename=recheck)
    except OSError as exc:
        raise OutputError(f"cannot write outputs ({exc.strerror or exc})") from None
    return list(texts)
