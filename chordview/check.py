"""Tell whether a Keras model fits the structured-output contract, one plain sentence per fault.

``chordview check-model PATH`` prints :meth:`CheckReport.lines`. The checks are static (output
names, output shapes, the axis each head's softmax is taken over) and dynamic: the model runs on
random features of a few lengths, and every head's rows are checked with
:func:`chordview.contract.output_problems`. Recurrent and Dense layers, the parameter count and the
input shape are reported as information, not as faults.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from chordview.contract import HEADS, SOFTMAX_HEADS, output_problems
from chordview.errors import first_line

_EXPECTED_NAMES = "chord_tag, chord_pitch, chord_root and chord_bass"


@dataclass
class Finding:
    """One statement about a model: ``severity`` is ``'fault'`` or ``'info'``."""

    severity: str
    head: str | None
    message: str


@dataclass
class CheckReport:
    """Everything :func:`check_model` found out about one model."""

    name: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def fits(self) -> bool:
        """True when no finding is a fault."""
        return not any(f.severity == "fault" for f in self.findings)

    def lines(self) -> list[str]:
        """Verdict line, then one ``'fault: ...'`` or ``'info: ...'`` line per finding."""
        n = sum(f.severity == "fault" for f in self.findings)
        verdict = (
            f"{self.name}: fits the chordview output contract"
            if self.fits
            else f"{self.name}: does not fit ({n} fault{'s' if n != 1 else ''})"
        )
        return [verdict] + [f"{f.severity}: {f.message}" for f in self.findings]


def _output_shapes(model) -> dict[str, tuple]:
    """Output name -> static shape, from the dict keys or ``output_names``."""
    out = model.output
    if isinstance(out, dict):
        return {str(k): tuple(v.shape) for k, v in out.items()}
    tensors = list(out) if isinstance(out, list | tuple) else [out]
    names = list(getattr(model, "output_names", None) or [])
    if len(names) != len(tensors):
        names = [model.layers[-1].name] if len(tensors) == 1 else []
    return {str(k): tuple(t.shape) for k, t in zip(names, tensors, strict=False)}


def _class_axis(shape: tuple, width: int) -> int | None:
    """The last non-batch axis whose size is ``width`` (the class axis), or None."""
    axes = [i for i in range(1, len(shape)) if shape[i] == width]
    return axes[-1] if axes else None


def _axis_words(layer_cls: str, shape: tuple, axis: int) -> str:
    if layer_cls == "Conv2D" and len(shape) == 4 and axis == 3:
        return "frequency"
    if axis == 1 or (layer_cls == "Conv1D" and axis == 2):
        return "time"
    return f"axis {axis}, of size {shape[axis]}"


def _static_softmax_fault(model, head: str, shape: tuple, width: int) -> str | None:
    """Why the layer producing ``head`` normalises the wrong axis, or None if it looks right."""
    try:
        layer = model.get_layer(head)
    except ValueError:
        return None
    cls, cfg, rank = type(layer).__name__, layer.get_config(), len(shape)
    target = _class_axis(shape, width)
    if cls == "Softmax":
        axes = cfg.get("axis", -1)
        axes = [a % rank for a in (axes if isinstance(axes, list | tuple) else [axes])]
        if target is not None and axes != [target]:
            words = _axis_words(cls, shape, axes[0])
            return f"Softmax(axis={cfg.get('axis')}) normalises {words}, not the class axis"
        return None
    if cfg.get("activation") == "softmax" and target is not None and target != rank - 1:
        if cfg.get("data_format") == "channels_first":
            return (
                f"the softmax is taken over another axis: with channels_first, "
                f"activation='softmax' on a {cls} normalises the last axis, "
                f"{_axis_words(cls, shape, rank - 1)}"
            )
        return f"the softmax is taken over the last axis, {_axis_words(cls, shape, rank - 1)}"
    return None


def _walk(layers):
    """Every layer, descending into nested models and TimeDistributed (not Bidirectional)."""
    import keras

    for layer in layers:
        yield layer
        if isinstance(layer, keras.layers.TimeDistributed):
            yield from _walk([layer.layer])
        elif not isinstance(layer, keras.layers.Bidirectional) and hasattr(layer, "layers"):
            yield from _walk(layer.layers)


def _layer_infos(model) -> list[Finding]:
    import keras

    recurrent, dense = [], []
    for layer in _walk(model.layers):
        label = f"{layer.name} ({type(layer).__name__})"
        if isinstance(layer, keras.layers.RNN | keras.layers.Bidirectional):
            recurrent.append(label)
        elif isinstance(layer, keras.layers.Dense | keras.layers.TimeDistributed):
            dense.append(label)
    out = []
    if recurrent:
        out.append(Finding("info", None, f"contains recurrent layers: {', '.join(recurrent)}"))
    if dense:
        out.append(Finding("info", None, f"contains Dense layers: {', '.join(dense)}"))
    return out


def _input_layout(shape: tuple, n_bins: int, n_channels: int | None) -> tuple[bool, int]:
    """Whether the input is channels_first, and its number of channels."""
    first = shape[-1] == n_bins and shape[1] is not None and shape[1] <= 16 and shape[2] != n_bins
    found = shape[1] if first else shape[-1]
    return first, int(n_channels or found or 1)


def _run_checks(model, *, heads, shapes, frames, n_bins, first, n_channels) -> list[Finding]:
    """Run the model on random input of every length and check the rows of ``heads``."""
    from keras import ops

    rng = np.random.default_rng(0)
    findings, seen = [], set()

    def add(key, head, message):
        if key not in seen:
            seen.add(key)
            findings.append(Finding("fault", head, message))

    for t in frames:
        dims = (1, n_channels, t, n_bins) if first else (1, t, n_bins, n_channels)
        try:
            with warnings.catch_warnings():  # e.g. Keras's "softmax over an axis of size 1"
                warnings.simplefilter("ignore")
                raw = model(rng.standard_normal(dims).astype("float32"), training=False)
        except Exception as exc:  # any failure to run is a fault of the model, reported in words
            add(("run", t), None, f"the model fails to run on {t} input frames: {first_line(exc)}")
            continue
        if isinstance(raw, dict):
            arrays = {str(k): v for k, v in raw.items()}
        else:
            raw = list(raw) if isinstance(raw, list | tuple) else [raw]
            arrays = dict(zip(list(shapes), raw, strict=False))
        rows = {}
        for head in heads:
            if head not in arrays:
                continue
            arr = np.asarray(ops.convert_to_numpy(arrays[head]))[0]
            width, static = HEADS[head], shapes[head]
            axis = _class_axis((None, *arr.shape), width)
            if axis is None:
                continue  # wrong width: reported from the static shape
            if arr.ndim == 2 and axis == 2:
                rows[head] = arr.shape[0]
            flat = np.moveaxis(arr, axis - 1, -1).reshape(-1, width)
            for problem in output_problems({head: flat}):
                if problem.startswith("missing heads"):
                    continue
                if "do not sum" in problem:
                    add(
                        (head, "sum"),
                        head,
                        f"{head} rows do not sum to 1 over its {width} "
                        "classes (the softmax is taken over another axis)",
                    )
                else:
                    add((head, problem), head, problem)
            if len(static) == 3 and arr.ndim == 2 and arr.shape[0] != t:
                add(
                    (head, "frames"),
                    head,
                    f"{head} gives {arr.shape[0]} rows for {t} input "
                    "frames: predictions must be one row per input frame",
                )
        if len(set(rows.values())) > 1:
            counts = ", ".join(f"{k} {v}" for k, v in rows.items())
            add(
                "agree",
                None,
                f"heads disagree on the number of frames for {t} input frames ({counts})",
            )
    return findings


def check_model(
    model,
    *,
    name: str = "model",
    n_bins: int = 216,
    n_channels: int | None = None,
    frames: tuple[int, ...] = (1, 7, 64),
) -> CheckReport:
    """Check a Keras model against the structured-output contract.

    Parameters
    ----------
    model : keras.Model
        The model; its input is ``(batch, time, n_bins, n_channels)`` or channels_first
        ``(batch, n_channels, time, n_bins)``.
    name : str
        Name used in the verdict line.
    n_bins : int
        Frequency bins of the features.
    n_channels : int or None
        Input channels; None takes them from the model's input shape.
    frames : tuple of int
        Input lengths, in frames, the model is run on.

    Returns
    -------
    CheckReport
        Faults (the model does not fit) and information, one plain sentence each.
    """
    report = CheckReport(name=name)
    add = report.findings.append
    shapes = _output_shapes(model)
    found = ", ".join(shapes) or "none"
    missing = [h for h in HEADS if h not in shapes]
    if missing:
        add(
            Finding(
                "fault",
                missing[0] if len(missing) == 1 else None,
                f"missing head{'s' if len(missing) > 1 else ''} {', '.join(missing)}: outputs must be "
                f"named {_EXPECTED_NAMES} (found: {found})",
            )
        )
    heads = []  # heads whose rows are checked on the model's predictions
    for head, width in HEADS.items():
        if head not in shapes:
            continue
        shape, wrong = shapes[head], None
        if head in SOFTMAX_HEADS:
            wrong = _static_softmax_fault(model, head, shape, width)
        if len(shape) != 3:
            add(
                Finding(
                    "fault",
                    head,
                    f"{head} has shape {shape}: predictions must be per frame, "
                    f"(batch, frames, {width}); collapse the frequency axis before the heads",
                )
            )
        elif shape[-1] is not None and shape[-1] != width:
            add(Finding("fault", head, f"{head} has {shape[-1]} classes, expected {width}"))
            continue
        if wrong:
            add(
                Finding(
                    "fault", head, f"{head} rows do not sum to 1 over its {width} classes ({wrong})"
                )
            )
        else:
            heads.append(head)
    in_shape = tuple(model.inputs[0].shape) if len(model.inputs) == 1 else None
    if in_shape is None or len(in_shape) != 4:
        add(
            Finding(
                "fault",
                None,
                f"the model must take one 4-D input (batch, time, {n_bins}, "
                f"channels); it takes {[tuple(t.shape) for t in model.inputs]}",
            )
        )
    else:
        first, channels = _input_layout(in_shape, n_bins, n_channels)
        bins = in_shape[-1] if first else in_shape[2]
        if bins is not None and bins != n_bins:
            add(Finding("fault", None, f"the input has {bins} frequency bins, expected {n_bins}"))
        report.findings += _run_checks(
            model,
            heads=heads,
            shapes=shapes,
            frames=frames,
            n_bins=n_bins,
            first=first,
            n_channels=channels,
        )
        layout = "channels_first" if first else "channels_last"
        add(Finding("info", None, f"input shape {in_shape} ({layout})"))
    add(Finding("info", None, f"{model.count_params():,} parameters"))
    report.findings += _layer_infos(model)
    return report


def check_path(path: str) -> CheckReport:
    """Load a bundle folder, a bundled name or a ``.keras`` file and check its model.

    A bundle that cannot be loaded is reported, not raised: one fault per problem of its
    ``bundle.json`` and files (:func:`chordview.bundle.bundle_problems`), or the one reason Keras
    or the architecture gave.

    Raises
    ------
    ModelError
        Nothing is found at ``path`` (propagated from :func:`chordview.bundle.resolve`).
    """
    from chordview.bundle import bundle_problems, load_bundle, regular_file, resolve
    from chordview.errors import ModelError

    where = resolve(path)
    name = where.stem if regular_file(where) else where.name
    if not regular_file(where):
        _, problems = bundle_problems(where)
        if problems:
            return CheckReport(name=name, findings=[Finding("fault", None, p) for p in problems])
    try:
        bundle = load_bundle(where)
    except ModelError as exc:
        return CheckReport(name=name, findings=[Finding("fault", None, str(exc))])
    channels = bundle.features.n_channels if bundle.meta else None
    return check_model(
        bundle.model, name=bundle.name, n_bins=bundle.features.n_bins, n_channels=channels
    )
