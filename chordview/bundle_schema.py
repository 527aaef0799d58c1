"""The schema of ``bundle.json``: every field's type and range, checked before any Keras work.

:func:`meta_problems` is a pure function of the parsed document: it returns one line per problem,
each naming its field (``features.hop_length must be ...``), so that ``chordview check-model`` can
list them all and :func:`chordview.bundle.load_bundle` can refuse a bundle with the first. The
document is JSON, so it is a tree of dicts, lists, strings, numbers, booleans and ``None``;
:func:`json_problems` bounds its depth and size and refuses control characters in any string
(a bundle's name and labels end up in terminals and LAB files).

What the schema cannot tell from the document alone is checked on load: that the weights match
their sha256, that the architecture builds with the hyper-parameters, and that the network's input
fits the features.
"""

from __future__ import annotations

import math
import re
from typing import Any

from chordview.contract import HEADS
from chordview.errors import ModelError

FORMAT = "chordview-bundle"
FORMAT_VERSION = 1
#: Deepest nesting of lists and dicts accepted anywhere in ``bundle.json``.
MAX_DEPTH = 32
#: Longest string accepted anywhere in ``bundle.json`` (a provenance command line is ~300).
MAX_STRING = 4096
#: Longest label, name or version string.
MAX_NAME = 64
#: Largest whole number accepted as a hyper-parameter (filters, units, bins, dilations).
MAX_HYPER_INT = 4096

_SHA256 = re.compile(r"[0-9a-f]{64}")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
#: Feature fields: name -> (whole number?, lowest, highest). ``fmin`` is checked apart.
_FEATURE_INTS = {
    "sr": (8000, 192000),
    "hop_length": (32, 65536),
    "n_octaves": (1, 10),
    "over_sample": (1, 12),
}
_FEATURE_KEYS = {
    *_FEATURE_INTS,
    "fmin",
    "log",
    "harmonics",
    "kind",
    "n_bins",
    "n_channels",
    "channels",
}


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return _is_int(value) or (isinstance(value, float) and math.isfinite(value))


def _short(value: Any) -> str:
    """``repr`` of a value cut to a readable length, for messages."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def plain_text(value: Any, *, limit: int = MAX_NAME) -> bool:
    """True for a non-empty printable string of at most ``limit`` characters."""
    return isinstance(value, str) and 0 < len(value) <= limit and value.isprintable()


def json_problems(doc: Any) -> list[str]:
    """Problems of the JSON tree as such: nesting deeper than :data:`MAX_DEPTH`, strings (keys
    included) longer than :data:`MAX_STRING` or holding control characters, non-finite numbers."""
    problems: list[str] = []
    stack = [(doc, "bundle.json", 0)]
    while stack and len(problems) < 10:
        node, where, depth = stack.pop()
        if depth > MAX_DEPTH:
            problems.append(f"{where} is nested deeper than {MAX_DEPTH} levels")
            continue
        if isinstance(node, dict):
            for key, value in node.items():
                if not (isinstance(key, str) and len(key) <= MAX_NAME and key.isprintable()):
                    problems.append(f"{where} has a key that is not a short printable name")
                    continue
                stack.append((value, f"{where}.{key}" if depth else key, depth + 1))
        elif isinstance(node, list):
            stack.extend((v, f"{where}[{i}]", depth + 1) for i, v in enumerate(node))
        elif isinstance(node, str):
            if len(node) > MAX_STRING or not node.isprintable():
                problems.append(
                    f"{where} must be printable text of at most {MAX_STRING} "
                    "characters (no control characters or line breaks)"
                )
        elif isinstance(node, float) and not math.isfinite(node):
            problems.append(f"{where} must be a finite number, not {node!r}")
    return problems


def features_problems(features: Any) -> list[str]:
    """Problems of the ``features`` entry (see :class:`chordview.features.FeatureSpec`)."""
    from chordview.features import FeatureSpec

    if not isinstance(features, dict):
        return [f"features must be a mapping of CQT parameters, not {_short(features)}"]
    problems = [
        f"features.{k} is not a feature parameter" for k in features if k not in _FEATURE_KEYS
    ]
    for key, (lo, hi) in _FEATURE_INTS.items():
        value = features.get(key, getattr(FeatureSpec, key))
        if not (_is_int(value) and lo <= value <= hi):
            problems.append(
                f"features.{key} must be a whole number from {lo} to {hi}, not {_short(value)}"
            )
    fmin = features.get("fmin", FeatureSpec.fmin)
    if not (_is_number(fmin) and 1.0 <= fmin <= 20000.0):
        problems.append(f"features.fmin must be a frequency from 1 to 20000 Hz, not {_short(fmin)}")
    if not isinstance(features.get("log", True), bool):
        problems.append(f"features.log must be true or false, not {_short(features['log'])}")
    harmonics = features.get("harmonics", [1.0])
    if not (
        isinstance(harmonics, list)
        and 1 <= len(harmonics) <= 8
        and all(_is_number(h) and 0 < h <= 16 for h in harmonics)
    ):
        problems.append(
            "features.harmonics must be a list of 1 to 8 numbers from 0 to 16, "
            f"not {_short(harmonics)}"
        )
    for key in ("kind", "channels"):
        if key in features and not plain_text(features[key], limit=MAX_STRING):
            problems.append(f"features.{key} must be text, not {_short(features[key])}")
    if problems:
        return problems
    try:
        spec = FeatureSpec.from_dict(features)
    except (TypeError, ValueError) as exc:
        return [f"features: {exc}"]
    kind = "cqt" if spec.harmonics == (1.0,) else "hcqt"
    if features.get("kind", kind) != kind:
        problems.append(f"features.kind is {features['kind']!r} but the harmonics make it {kind!r}")
    return problems


def label_problem(label: Any) -> str | None:
    """Why ``label`` is not a plain Harte chord label (``'N'``, ``'X'``, ``'C#:min7/b3'``), or
    None when it is one."""
    import mir_eval.chord

    if not plain_text(label) or label != label.strip():
        return f"{_short(label)} is not a short printable label"
    try:
        mir_eval.chord.encode(label)
    except (mir_eval.chord.InvalidChordException, ValueError, KeyError, IndexError):
        return f"{_short(label)} is not a Harte chord label"
    return None


def vocabulary_problems(vocabulary: Any) -> list[str]:
    """Problems of the ``vocabulary`` entry: chordview's pitch, root and bass classes exactly, and
    170 distinct Harte chord labels, ``N`` among them, for ``chord_tag``."""
    from chordview.vocab import PITCH_CLASSES, ROOT_CLASSES

    if not isinstance(vocabulary, dict):
        return [
            f"vocabulary must be a mapping of head names to class names, not {_short(vocabulary)}"
        ]
    problems = [
        f"vocabulary.{k} is not a head (heads: {', '.join(HEADS)})"
        for k in vocabulary
        if k not in HEADS
    ]
    problems += [f"vocabulary lacks {head!r}" for head in HEADS if head not in vocabulary]
    expected = {
        "chord_pitch": PITCH_CLASSES,
        "chord_root": ROOT_CLASSES,
        "chord_bass": ROOT_CLASSES,
    }
    for head, classes in expected.items():
        if head in vocabulary and vocabulary[head] != list(classes):
            problems.append(f"vocabulary.{head} must be {' '.join(classes)} in that order")
    tags = vocabulary.get("chord_tag")
    if tags is None:
        return problems
    width = HEADS["chord_tag"]
    if not isinstance(tags, list) or len(tags) != width:
        size = len(tags) if isinstance(tags, list) else _short(tags)
        return [*problems, f"vocabulary.chord_tag must list {width} chord labels, not {size}"]
    bad = [(i, p) for i, p in ((i, label_problem(t)) for i, t in enumerate(tags)) if p]
    if bad:
        i, problem = bad[0]
        more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
        problems.append(f"vocabulary.chord_tag[{i}]: {problem}{more}")
    elif len(set(tags)) != len(tags):
        problems.append("vocabulary.chord_tag names a chord label twice")
    elif "N" not in tags:
        problems.append("vocabulary.chord_tag lacks 'N' (no chord)")
    return problems


def _shift_problems(vocabulary: dict, decoder: dict) -> list[str]:
    """Whether every head's classes are closed under the decoder's pitch shifts."""
    from chordview.vocab import transposition

    problems = []
    for head in HEADS:
        for shift in decoder["pitch_shifts"]:
            try:
                transposition(vocabulary[head], shift)
            except ValueError as exc:
                problems.append(f"vocabulary.{head} does not allow decoder pitch_shifts ({exc})")
                break
    return problems


def hyper_parameter_problems(hyper: Any) -> list[str]:
    """Problems of the ``hyper_parameters`` entry's form (names and plain values); whether the
    architecture's builder accepts them is found out by building it."""
    if not isinstance(hyper, dict):
        return [f"hyper_parameters must be a mapping of builder arguments, not {_short(hyper)}"]

    def plain(v: Any) -> bool:
        return (
            isinstance(v, bool)
            or (_is_int(v) and 0 <= v <= MAX_HYPER_INT)
            or (_is_number(v) and 0 <= v <= MAX_HYPER_INT)
            or plain_text(v)
        )

    problems = []
    for key, value in hyper.items():
        if not _IDENTIFIER.fullmatch(key):
            problems.append(f"hyper_parameters has a key {_short(key)} that is not a name")
        elif not (
            plain(value)
            or (isinstance(value, list) and len(value) <= 32 and all(plain(v) for v in value))
        ):
            problems.append(
                f"hyper_parameters.{key} must be true/false, a number from 0 to "
                f"{MAX_HYPER_INT}, a name or a short list of them, not "
                f"{_short(value)}"
            )
    return problems


def meta_problems(meta: Any) -> list[str]:
    """Every problem of a parsed ``bundle.json``, one line each naming the field.

    Parameters
    ----------
    meta : object
        The parsed document (anything JSON gives).

    Returns
    -------
    list of str
        Empty when the document fits the schema.
    """
    from chordview.bundle import decoder_settings

    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        return ["not a chordview bundle description (format is not 'chordview-bundle')"]
    problems = json_problems(meta)
    if problems:  # the fields below assume a sane tree
        return problems
    if meta.get("format_version", FORMAT_VERSION) != FORMAT_VERSION:
        problems.append(
            f"format_version must be {FORMAT_VERSION} (this chordview reads that), "
            f"not {_short(meta['format_version'])}"
        )
    for key in ("architecture", "weights", "features", "vocabulary"):
        if key not in meta:
            problems.append(f"bundle description lacks {key!r}")
    for key in ("name", "version"):
        if key in meta and not plain_text(meta[key]):
            problems.append(f"{key} must be a short printable text, not {_short(meta[key])}")
    if "n_parameters" in meta and not (_is_int(meta["n_parameters"]) and meta["n_parameters"] >= 0):
        problems.append(f"n_parameters must be a whole number, not {_short(meta['n_parameters'])}")
    for key in ("provenance", "scores"):
        if key in meta and not isinstance(meta[key], dict):
            problems.append(f"{key} must be a mapping, not {_short(meta[key])}")
    if "architecture" in meta:
        problems += _architecture_problems(meta["architecture"])
    problems += hyper_parameter_problems(meta.get("hyper_parameters", {}))
    if "features" in meta:
        problems += features_problems(meta["features"])
    if "weights" in meta:
        problems += weights_problems(meta["weights"])
    vocabulary_bad = "vocabulary" in meta and vocabulary_problems(meta["vocabulary"])
    problems += vocabulary_bad or []
    try:
        decoder = decoder_settings(meta.get("decoder", {}), where="bundle.json")
    except ModelError as exc:
        problems.append(str(exc).removeprefix("bundle.json: "))
    else:
        if "vocabulary" in meta and not vocabulary_bad:
            problems += _shift_problems(meta["vocabulary"], decoder)
    return problems


def _architecture_problems(name: Any) -> list[str]:
    if not plain_text(name):
        return [f"architecture must be the name of an architecture, not {_short(name)}"]
    from chordview.architectures import ARCHITECTURES  # imports Keras; only for a sane document

    if name not in ARCHITECTURES:
        return [f"architecture {name!r} is not known (known: {', '.join(ARCHITECTURES)})"]
    return []


def weights_problems(weights: Any) -> list[str]:
    """Problems of the ``weights`` entry: ``{"file": name, "sha256": 64 hex digits}``; where
    the file lies is checked by :func:`chordview.bundle_files.bundle_file`."""
    if not isinstance(weights, dict):
        return [f"weights must be a mapping with file and sha256, not {_short(weights)}"]
    problems = []
    name = weights.get("file")
    if not (plain_text(name, limit=255) and name.endswith((".h5", ".keras"))):
        problems.append(
            f"weights.file must name a .weights.h5 or .keras file in the bundle, not {_short(name)}"
        )
    if not (isinstance(weights.get("sha256"), str) and _SHA256.fullmatch(weights["sha256"])):
        problems.append(
            f"weights.sha256 must be 64 lower-case hex digits, not {_short(weights.get('sha256'))}"
        )
    return problems
