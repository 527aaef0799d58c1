"""Self-describing, pickle-free model bundles.

A bundle is a folder holding ``bundle.json`` and a weights file (``model.weights.h5``, or a
``.keras`` archive loaded with ``safe_mode=True``). The JSON names the architecture and its
hyper-parameters, the feature parameters, the vocabulary of every head in encoder order, the
decoder parameters, the training provenance, the evaluation scores and the weights' sha256, which
is checked before the weights are read. A bare ``.keras`` file is accepted too, with default
features, vocabulary and decoder.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chordview.bundle_files import (
    bundle_file,
    check_keras_archive,
    keras_archive_problem,
    read_json,
    regular_file,
)
from chordview.bundle_schema import (
    FORMAT,
    FORMAT_VERSION,
    json_problems,
    meta_problems,
    weights_problems,
)
from chordview.errors import ModelError, first_line
from chordview.features import DEFAULT_SPEC, FeatureSpec
from chordview.files import staging_folder, write_texts

BUNDLE_JSON = "bundle.json"
#: Decoder settings of a bundle that gives none. ``pitch_shifts``: semitones of the transposed
#: copies whose outputs are averaged (test-time pitch shifting, see
#: :func:`chordview.inference.predict_shifted`); ``[0]`` runs the network once.
DEFAULT_DECODER = {"self_transition": 0.9, "min_bass_confidence": 0.5, "pitch_shifts": (0,)}


def decoder_settings(given: Any, *, where: str) -> dict[str, Any]:
    """A bundle's decoder parameters with the defaults filled in, checked.

    Parameters
    ----------
    given : dict
        The ``decoder`` entry of ``bundle.json`` (keys may be missing: defaults apply).
    where : str
        Names the bundle in error messages.

    Returns
    -------
    dict
        ``self_transition`` in (0, 1), ``min_bass_confidence`` in [0, 1] and ``pitch_shifts``, a
        new list of distinct whole semitones from -6 to 6 that includes 0.

    Raises
    ------
    ModelError
        For anything else, with a one-line message.
    """
    if not isinstance(given, dict):
        raise ModelError(f"{where}: decoder must be a mapping of settings, not {given!r}")
    decoder = {**DEFAULT_DECODER, **given}

    def number(key: str) -> float:
        value = decoder[key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ModelError(f"{where}: decoder {key} must be a number, not {value!r}")
        return float(value)

    if not 0.0 < number("self_transition") < 1.0:
        raise ModelError(f"{where}: decoder self_transition must lie between 0 and 1")
    if not 0.0 <= number("min_bass_confidence") <= 1.0:
        raise ModelError(f"{where}: decoder min_bass_confidence must lie between 0 and 1")
    shifts = decoder["pitch_shifts"]
    if not (
        isinstance(shifts, list | tuple)
        and 0 in shifts
        and len(set(shifts)) == len(shifts)
        and all(type(v) is int and -6 <= v <= 6 for v in shifts)
    ):
        raise ModelError(
            f"{where}: decoder pitch_shifts must be distinct whole semitones from -6 "
            f"to 6, 0 among them, not {shifts!r}"
        )
    decoder["pitch_shifts"] = list(shifts)
    return decoder


def sha256_file(path: str | Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def default_vocabulary() -> dict[str, list[str]]:
    """Class names of every head, chord tags in pumpp's encoder order."""
    from chordview.vocab import PITCH_CLASSES, ROOT_CLASSES, tag_classes

    return {
        "chord_pitch": list(PITCH_CLASSES),
        "chord_root": list(ROOT_CLASSES),
        "chord_bass": list(ROOT_CLASSES),
        "chord_tag": list(tag_classes()),
    }


@dataclass
class Bundle:
    """A loaded model with everything needed to run and describe it."""

    name: str
    model: Any  # keras.Model
    features: FeatureSpec = DEFAULT_SPEC
    vocabulary: dict[str, list[str]] = field(default_factory=default_vocabulary)
    decoder: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_DECODER))
    meta: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None

    @property
    def sha256(self) -> str:
        """sha256 of the weights file ('' for a model built in memory)."""
        return self.meta.get("weights", {}).get("sha256", "")

    @property
    def version(self) -> str:
        """Bundle version string."""
        return str(self.meta.get("version", "0"))


def bundled_dir() -> Path:
    """Folder of the models shipped with chordview (works installed and frozen)."""
    from chordview.assets import package_folder

    return package_folder("chordview.bundled_models")


def bundled_names() -> list[str]:
    """Names of the shipped bundles."""
    root = bundled_dir()
    return sorted(p.name for p in root.iterdir() if (p / BUNDLE_JSON).is_file())


def resolve(model: str | Path) -> Path:
    """Path of a bundle folder or ``.keras`` file from a bundled name or a path."""
    text = str(model)
    if text in bundled_names():
        return bundled_dir() / text
    path = Path(text).expanduser()
    if not path.exists():
        known = ", ".join(bundled_names()) or "none"
        raise ModelError(f"no model named {text!r} and no such file (bundled models: {known})")
    return path


def read_meta(path: str | Path) -> dict[str, Any]:
    """The parsed ``bundle.json`` of a bundle folder, with its format checked.

    The file is read within the folder only, up to
    :data:`chordview.bundle_files.MAX_JSON_BYTES`, and parsed strictly; the fields are checked by
    :func:`chordview.bundle_schema.meta_problems` when the bundle is loaded.

    Raises
    ------
    ModelError
        No ``bundle.json``, an unreadable or corrupt one, or another format.
    """
    path = Path(path)
    meta_path = path / BUNDLE_JSON
    try:
        os.listdir(path)
    except NotADirectoryError:
        raise ModelError(f"{path}: not a model bundle folder and not a .keras file") from None
    except OSError as exc:
        raise ModelError(f"{path}: cannot read the bundle folder ({exc.strerror})") from None
    if not os.path.lexists(meta_path):
        raise ModelError(f"{path}: not a model bundle (no {BUNDLE_JSON}) and not a .keras file")
    meta = read_json(bundle_file(path, BUNDLE_JSON, field="description"))
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ModelError(f"{meta_path}: not a chordview bundle description")
    for key in ("architecture", "weights", "features", "vocabulary"):
        if key not in meta:
            raise ModelError(f"{meta_path}: bundle description lacks {key!r}")
    return meta


def bundle_problems(path: str | Path) -> tuple[dict[str, Any] | None, list[str]]:
    """Everything wrong with a bundle folder that shows before Keras is involved.

    Checks ``bundle.json`` against the schema (:func:`chordview.bundle_schema.meta_problems`), that
    the weights file is a regular file inside the folder, that it matches its sha256, and that a
    ``.keras`` weights archive is safe to open.

    Returns
    -------
    meta : dict or None
        The parsed ``bundle.json`` (None when it cannot be read).
    problems : list of str
        One line each, naming the field; empty when the bundle may be loaded.
    """
    path = Path(path)
    try:
        meta = read_meta(path)
    except ModelError as exc:
        return None, [str(exc)]
    problems = meta_problems(meta)
    if json_problems(meta) or weights_problems(meta["weights"]):  # no sane file name to look at
        return meta, problems
    try:
        weights = bundle_file(path, meta["weights"]["file"], field="weights file")
    except ModelError as exc:
        return meta, [*problems, str(exc).removeprefix(f"{path}: ")]
    if sha256_file(weights) != meta["weights"]["sha256"]:
        problems.append(
            f"weights do not match the sha256 in {BUNDLE_JSON} (corrupt or tampered bundle)"
        )
    elif weights.suffix == ".keras" and (problem := keras_archive_problem(weights)):
        problems.append(f"weights file {weights.name!r}: {problem}")
    return meta, problems


def load_bundle(model: str | Path) -> Bundle:
    """Load a bundled model by name, a bundle folder or a ``.keras`` file.

    Everything :func:`bundle_problems` finds is refused before Keras is imported.

    Raises
    ------
    ModelError
        Missing, corrupt or tampered files (sha256 mismatch), a ``bundle.json`` that does not fit
        the schema, files outside the bundle folder, an architecture that does not build with the
        hyper-parameters, weights that do not fit it: one line naming the bundle and the field.
    """
    path = resolve(model)
    if regular_file(path):
        return Bundle(name=path.stem, model=_load_keras_file(path), path=path)
    meta, problems = bundle_problems(path)
    if problems:
        first = problems[0] if problems[0].startswith(str(path)) else f"{path}: {problems[0]}"
        more = len(problems) - 1
        raise ModelError(
            first
            + (
                f" (and {more} more problem{'s' if more > 1 else ''}; "
                "chordview check-model lists them)"
                if more
                else ""
            )
        )
    with _verified_copy(
        bundle_file(path, meta["weights"]["file"], field="weights file"),
        sha256=meta["weights"]["sha256"],
        where=path,
    ) as weights:
        net = _load_network(path, meta, weights)
    features = FeatureSpec.from_dict(meta["features"])  # checked by the schema
    expected_input = (features.n_bins, features.n_channels)
    if tuple(net.input_shape[2:]) != expected_input:
        raise ModelError(
            f"{path}: the network takes input {tuple(net.input_shape[2:])} (bins, "
            f"channels) but the features give {expected_input}"
        )
    decoder = decoder_settings(meta.get("decoder", {}), where=str(path))
    return Bundle(
        name=str(meta.get("name", path.name)),
        model=net,
        features=features,
        vocabulary=meta["vocabulary"],
        decoder=decoder,
        meta=meta,
        path=path,
    )


@contextlib.contextmanager
def _verified_copy(weights: Path, *, sha256: str, where: Path):
    """A private copy of ``weights`` whose sha256 is checked: what is loaded is what was
    checked, even if the bundle's file is replaced meanwhile."""
    with tempfile.TemporaryDirectory(prefix="chordview-weights-") as tmp:
        copy = Path(tmp) / weights.name
        try:
            shutil.copyfile(weights, copy)
        except OSError as exc:
            raise ModelError(f"{where}: cannot read {weights.name} ({exc.strerror})") from None
        if sha256_file(copy) != sha256:
            raise ModelError(
                f"{where}: weights do not match the sha256 in {BUNDLE_JSON} (changed while loading)"
            )
        yield copy


def _load_network(path: Path, meta: dict, weights: Path):
    """The network of a checked bundle, built and loaded from ``weights``."""
    if weights.suffix == ".keras":
        return _load_keras_file(weights)
    from chordview.architectures import build

    try:
        net = build(meta["architecture"], **meta.get("hyper_parameters", {}))
    except ModelError:
        raise
    except Exception as exc:  # the builder refuses the hyper-parameters, in its own words
        raise ModelError(
            f"{path}: architecture {meta['architecture']!r} does not build with "
            f"these hyper_parameters ({first_line(exc)})"
        ) from None
    try:
        net.load_weights(weights)
    except Exception as exc:  # h5 errors, shape mismatches: all mean an unusable bundle
        raise ModelError(f"{path}: cannot load weights ({first_line(exc)})") from None
    return net


def _load_keras_file(path: Path):
    if path.suffix != ".keras":
        raise ModelError(f"{path}: expected a .keras file or a bundle folder")
    check_keras_archive(path)  # before Keras reads a byte of it
    import chordview.architectures.layers  # noqa: F401, I001  (registers the custom layers, quiets TF)
    import keras

    try:
        return keras.saving.load_model(path, compile=False, safe_mode=True)
    except Exception as exc:  # zip, h5, config and safe_mode errors all mean "cannot load"
        raise ModelError(f"{path}: cannot load Keras model ({first_line(exc)})") from None


def save_bundle(
    out_dir: str | Path,
    *,
    model,
    name: str,
    architecture: str,
    hyper_parameters: dict[str, Any],
    features: FeatureSpec = DEFAULT_SPEC,
    decoder: dict[str, Any] | None = None,
    provenance: dict[str, Any] | None = None,
    scores: dict[str, Any] | None = None,
    version: str = "1.0.0",
    overwrite: bool = False,
) -> Path:
    """Write ``model`` as a bundle folder, atomically (built aside, then renamed into place).

    Returns
    -------
    Path
        The bundle folder.
    """
    import chordview.architectures  # noqa: F401, I001  (quiets TF before Keras loads it)
    import keras

    out_dir = Path(out_dir)
    if out_dir.exists() and not overwrite:
        raise ModelError(f"{out_dir} exists; pass overwrite=True to replace it")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = staging_folder(out_dir)
    try:
        weights = tmp / "model.weights.h5"
        model.save_weights(weights)
        meta = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "name": name,
            "version": version,
            "architecture": architecture,
            "hyper_parameters": hyper_parameters,
            "n_parameters": int(model.count_params()),
            "features": features.to_dict(),
            "vocabulary": default_vocabulary(),
            "decoder": decoder_settings(decoder or {}, where=str(out_dir)),
            "provenance": {"keras_version": keras.__version__, **(provenance or {})},
            "scores": scores or {},
            "weights": {"file": weights.name, "sha256": sha256_file(weights)},
        }
        (tmp / BUNDLE_JSON).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
        if out_dir.exists():
            shutil.rmtree(out_dir)
        os.replace(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir


def update_meta(path: str | Path, **fields: Any) -> None:
    """Merge ``fields`` into a bundle's ``bundle.json`` (atomic rewrite; weights untouched)."""
    path = Path(path)
    meta = read_meta(path)
    meta.update(fields)
    write_texts({path / BUNDLE_JSON: json.dumps(meta, indent=2) + "\n"})


def source_commit() -> str:
    """Short git commit of the chordview source in use, ``-dirty`` when tracked files are edited,
    or ``"unknown"`` when chordview is not run from its own checkout (an installed package)."""
    import subprocess

    package = Path(__file__).resolve().parent

    def git(*args: str) -> str:
        out = subprocess.run(["git", *args], capture_output=True, text=True, timeout=5, cwd=package)
        return out.stdout.strip() if out.returncode == 0 else ""

    try:
        top = git("rev-parse", "--show-toplevel")
        if not top or Path(top).resolve() != package.parent:  # another project's checkout
            return "unknown"
        return git("describe", "--always", "--dirty", "--abbrev=7") or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"
