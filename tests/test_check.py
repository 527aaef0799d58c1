"""Tests of chordview.check: the model contract checker behind ``chordview check-model``."""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import pytest  # noqa: E402

from chordview.architectures import build  # noqa: E402
from chordview.check import CheckReport, Finding, check_model, check_path  # noqa: E402
from chordview.errors import ModelError  # noqa: E402

SPECS = [
    ("chord_tag", 170, "softmax"),
    ("chord_pitch", 12, "sigmoid"),
    ("chord_root", 13, "softmax"),
    ("chord_bass", 13, "softmax"),
]


def faulty_unet() -> keras.Model:
    """The seed's head: channels_first, 1x1 Conv2D heads on (batch, C, time, freq)."""
    x = keras.Input((1, None, 216))
    h = x
    for i in range(2):
        conv = keras.layers.Conv2D(
            4, 3, padding="same", activation="relu", name=f"conv{i}", data_format="channels_first"
        )
        h = conv(h)
    outs = [
        keras.layers.Conv2D(n, 1, activation=act, data_format="channels_first", name=name)(h)
        for name, n, act in SPECS
    ]
    return keras.Model(x, outs, name="faulty_unet")


def per_frame_model(*, widths=None, skip=(), tag_softmax_axis=None) -> keras.Model:
    """Channels_last model collapsing frequency correctly; heads configurable."""
    widths = widths or {}
    x = keras.Input((None, 216, 1))
    h = keras.layers.Conv2D(4, (1, 216), activation="relu", name="collapse")(x)
    h = keras.layers.Reshape((-1, 4))(h)
    outs = {}
    for name, n, act in SPECS:
        if name in skip:
            continue
        if name == "chord_tag" and tag_softmax_axis is not None:
            z = keras.layers.Conv1D(n, 1, name="tag_logits")(h)
            outs[name] = keras.layers.Softmax(axis=tag_softmax_axis, name=name)(z)
        else:
            outs[name] = keras.layers.Conv1D(widths.get(name, n), 1, activation=act, name=name)(h)
    return keras.Model(x, outs)


def faults(report: CheckReport) -> list[Finding]:
    return [f for f in report.findings if f.severity == "fault"]


def infos(report: CheckReport) -> str:
    return " | ".join(f.message for f in report.findings if f.severity == "info")


def test_faulty_channels_first_unet():
    report = check_model(faulty_unet(), name="seed")
    assert not report.fits
    lines = report.lines()
    assert lines[0] == f"seed: does not fit ({len(faults(report))} faults)"
    assert all(line.startswith(("fault: ", "info: ")) for line in lines[1:])
    for head in ("chord_tag", "chord_root", "chord_bass"):
        mine = [f.message for f in faults(report) if f.head == head]
        assert len(mine) == 2, mine  # one shape fault, one wrong-axis fault: no double reports
        assert any("collapse the frequency axis" in m for m in mine)
        assert any("do not sum to 1" in m and "channels_first" in m for m in mine)
    text = "\n".join(lines)
    assert "(None, 13, None, 216)" in text
    assert "(None, 170, None, 216)" in text
    assert "normalises the last axis, frequency" in text
    pitch = [f.message for f in faults(report) if f.head == "chord_pitch"]
    assert len(pitch) == 1 and "(None, 12, None, 216)" in pitch[0]
    assert "channels_first" in infos(report)


def test_wrong_class_count():
    report = check_model(per_frame_model(widths={"chord_root": 12}))
    found = faults(report)
    assert len(found) == 1
    assert found[0].head == "chord_root"
    assert found[0].message == "chord_root has 12 classes, expected 13"
    assert report.lines()[0] == "model: does not fit (1 fault)"


def test_missing_head():
    report = check_model(per_frame_model(skip=("chord_bass",)))
    found = faults(report)
    assert len(found) == 1 and found[0].head == "chord_bass"
    assert "chord_bass" in found[0].message


def test_unnamed_single_output():
    x = keras.Input((None, 216, 1))
    y = keras.layers.Dense(3)(keras.layers.Reshape((-1, 216))(x))
    report = check_model(keras.Model(x, y), frames=(3,))
    assert not report.fits
    message = faults(report)[0].message
    assert all(h in message for h in ("chord_tag", "chord_pitch", "chord_root", "chord_bass"))


def test_softmax_over_frames():
    report = check_model(per_frame_model(tag_softmax_axis=1))
    found = faults(report)
    assert len(found) == 1 and found[0].head == "chord_tag"
    assert "do not sum to 1 over its 170 classes" in found[0].message
    assert "axis=1" in found[0].message


def test_fails_to_run_for_short_input():
    x = keras.Input((None, 216, 1))
    h = keras.layers.Conv2D(4, (5, 216), activation="relu")(x)  # needs >= 5 frames
    h = keras.layers.Reshape((-1, 4))(h)
    outs = {n: keras.layers.Conv1D(k, 1, activation=a, name=n)(h) for n, k, a in SPECS}
    report = check_model(keras.Model(x, outs), frames=(1, 7))
    messages = [f.message for f in faults(report)]
    assert any("fails to run on 1 input frames" in m for m in messages)
    assert any("3 rows for 7 input frames" in m for m in messages)


@pytest.mark.parametrize("arch", ["unet", "cr2"])
def test_project_builders_fit(arch):
    report = check_model(build(arch), name=arch)
    assert report.fits, report.lines()
    assert report.lines()[0] == f"{arch}: fits the chordview output contract"
    text = infos(report)
    assert "parameters" in text and "input shape (None, None, 216, 1)" in text
    if arch == "cr2":
        assert "contains recurrent layers: bigru (Bidirectional)" in text
        assert "contains Dense layers: " in text and "chord_tag (Dense)" in text
    else:
        assert "recurrent" not in text and "Dense" not in text


def test_check_path(tmp_path):
    path = tmp_path / "seed.keras"
    faulty_unet().save(path)
    report = check_path(str(path))
    assert report.name == "seed"
    assert not report.fits
    assert "(None, 13, None, 216)" in "\n".join(report.lines())
    with pytest.raises(ModelError):
        check_path(str(tmp_path / "nope.keras"))
