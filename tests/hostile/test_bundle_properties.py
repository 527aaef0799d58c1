"""Property tests over ``bundle.json``: the tiny bundle's real description, mutated at random.

A mutation replaces a value at a random path with random JSON of any type (NaN and Infinity
included, written as the literals Python's ``json`` accepts), deletes or adds a key, puts in a huge
number or wraps a value in nested lists. Whatever comes out, the schema returns a list of lines,
loading either works or raises :class:`ModelError`, and ``check-model`` reports a fault whenever
loading fails: no other exception ever escapes.

Most mutated documents fail the schema and are refused before any Keras work, so even the full
load (which builds the network for each document that passes) runs the profile's 200 examples in
seconds. Hyper-parameters are not mutated there: values in range but large only make the build
slow; the schema target covers them.
"""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chordview.bundle import bundle_problems, load_bundle, read_meta
from chordview.bundle_files import read_json
from chordview.bundle_schema import meta_problems
from chordview.check import check_path
from chordview.errors import ChordviewError, ModelError

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(
        [
            "N",
            "C:maj",
            "../x.weights.h5",
            "/etc/passwd",
            "model.weights.h5",
            "\x1b[31m",
            "4096",
            "unet",
            "a" * 64,
        ]
    )
)
JSON = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _path(draw, doc, skip: tuple[str, ...]) -> tuple:
    """A random path into the JSON tree ``doc`` (keys and indices), found by walking down from
    the root and stopping at random, so that every top-level field is as likely as the others."""
    path: tuple = ()
    node = doc
    while isinstance(node, dict | list) and node:
        keys = (
            [k for k in node if not (not path and k in skip)]
            if isinstance(node, dict)
            else (list(range(len(node))))
        )
        if not keys:
            break
        key = draw(st.sampled_from(keys))
        path, node = (*path, key), node[key]
        if draw(st.booleans()):
            break
    return path


def _parent(doc, path):
    for key in path[:-1]:
        doc = doc[key]
    return doc


@st.composite
def mutated(draw, base: dict, *, skip: tuple[str, ...] = ()) -> dict:
    """``base`` after one to four random mutations at random paths (none under ``skip``)."""
    doc = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 4))):
        path = _path(draw, doc, skip)
        if not path:
            break
        parent, last = _parent(doc, path), path[-1]
        op = draw(st.sampled_from(["replace", "replace", "delete", "add", "huge", "nest"]))
        if op == "replace":
            parent[last] = draw(JSON)
        elif op == "huge":
            parent[last] = draw(st.sampled_from([10**400, -(10**18), 1e308, 2**63, 1e-320]))
        elif op == "nest":
            value = parent[last]
            for _ in range(draw(st.integers(1, 40))):
                value = [value]
            parent[last] = value
        elif op == "delete" and isinstance(parent, dict):
            del parent[last]
        elif op == "delete":
            parent.pop(last)
        elif isinstance(parent[last], dict):  # add
            parent[last][draw(st.text(max_size=10))] = draw(JSON)
        elif isinstance(parent[last], list):
            parent[last].append(draw(JSON))
        else:
            parent[last] = {draw(st.text(max_size=10)): parent[last]}
    return doc


@pytest.fixture(scope="module")
def base_meta(tiny_bundle) -> dict:
    return read_meta(tiny_bundle)


@pytest.fixture(scope="module")
def scratch(tiny_bundle, tmp_path_factory) -> Path:
    """One copy of the tiny bundle whose bundle.json each example overwrites."""
    folder = tmp_path_factory.mktemp("props") / "b"
    shutil.copytree(tiny_bundle, folder)
    return folder


def _write(folder: Path, doc) -> None:
    text = json.dumps(doc, allow_nan=True)  # NaN and Infinity as JSON literals
    (folder / "bundle.json").write_text(text, encoding="utf-8")


def test_the_tiny_bundle_fits_the_schema(base_meta):
    assert meta_problems(base_meta) == []


@settings(database=None)
@given(data=st.data())
def test_the_schema_only_ever_returns_lines(base_meta, data):
    doc = data.draw(mutated(base_meta))
    problems = meta_problems(doc)
    assert isinstance(problems, list) and all(isinstance(p, str) for p in problems)
    assert all(len(p.splitlines()) == 1 and p.isprintable() for p in problems)
    if not problems:  # what the schema passes, the rest of the loader can use
        from chordview.bundle import decoder_settings
        from chordview.features import FeatureSpec

        spec = FeatureSpec.from_dict(doc["features"])
        assert spec.n_bins > 0 and 0 < spec.hop_length and spec.sr > 0
        decoder_settings(doc.get("decoder", {}), where="doc")
        assert "N" in doc["vocabulary"]["chord_tag"]


@settings(
    database=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(data=st.data())
def test_a_mutated_description_is_read_or_refused(base_meta, scratch, data):
    doc = data.draw(mutated(base_meta))
    _write(scratch, doc)
    try:
        read_json(scratch / "bundle.json")
    except ModelError:
        pass
    meta, problems = bundle_problems(scratch)
    assert all(isinstance(p, str) and len(p.splitlines()) == 1 for p in problems)
    if meta is None:
        assert problems


@settings(
    database=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(data=st.data())
def test_a_mutated_bundle_loads_or_is_a_model_error(base_meta, scratch, data):
    # hyper-parameters are left alone here: in range but large ones only make the build slow
    doc = data.draw(mutated(base_meta, skip=("hyper_parameters",)))
    _write(scratch, doc)
    try:
        load_bundle(scratch)
    except ModelError:
        loaded = False
    else:
        loaded = True
    try:
        report = check_path(str(scratch))
    except ChordviewError as exc:  # pragma: no cover - the assertion says what went wrong
        pytest.fail(f"check_path raised {exc!r}")
    if not loaded:
        assert not report.fits
        assert any(line.startswith("fault: ") for line in report.lines())
