"""benchmarks/errors.py: the breakdown of majmin errors, on hand-made references and estimates."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

_SPEC = importlib.util.spec_from_file_location(
    "bench_errors", Path(__file__).resolve().parents[1] / "benchmarks" / "errors.py"
)
errors = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(errors)


def test_each_miss_lands_in_its_category_and_unmatched_references_are_not_counted():
    ref = (np.array([[0, 2], [2, 4], [4, 5], [5, 6]], float), ["C:maj", "A:min", "C:sus4", "N"])
    est = (
        np.array([[0, 1.9], [1.9, 3], [3, 3.5], [3.5, 4], [4, 5], [5, 6]], float),
        ["C:maj", "C:maj", "A:maj", "A:min7", "C:maj", "G:maj"],
    )
    result = errors.breakdown([(*ref, *est)])
    assert result["counted_seconds"] == pytest.approx(5.0)  # C:sus4 is outside majmin
    share = result["share_of_counted_time"]
    assert share == pytest.approx(
        {
            "correct": 0.5,  # 0-2 s and 3.5-4 s (A:min7 reduces to A:min)
            "wrong root: m3": 0.2,  # A heard as C
            "right root, wrong third": 0.1,
            "no chord heard as a chord": 0.2,
        }
    )
    assert result["majmin"] == pytest.approx(0.5)
    # wrong: 2-3.5 and 5-6 s; within 0.25 s of a change (2, 4, 5 s): 2-2.25 and 5-5.25
    assert result["wrong_time_near_a_change"] == pytest.approx(0.5 / 2.5)
    # decoded changes at 1.9 (0.1 s before 2), 4 and 5 match; those at 3 and 3.5 are 0.5 s or more off
    assert result["matched_changes"] == 3
    assert result["change_offset_mean"] == pytest.approx(-0.1 / 3)
    assert result["change_offset_median"] == pytest.approx(0.0)
    by_quality = result["accuracy_by_reference_quality"]
    assert by_quality["maj"]["accuracy"] == pytest.approx(1.0)
    assert by_quality["min"]["accuracy"] == pytest.approx(0.25)
    assert by_quality["N"]["accuracy"] == pytest.approx(0.0)
    assert "sus4" not in by_quality


def test_other_misses():
    ref = (np.array([[0, 1], [1, 2], [2, 3]], float), ["D:maj", "D:min", "E:maj"])
    est = (np.array([[0, 1], [1, 2], [2, 3]], float), ["N", "D:sus4", "B:7"])
    share = errors.breakdown([(*ref, *est)])["share_of_counted_time"]
    assert share == pytest.approx(
        {
            "correct": 0.0,
            "chord heard as no chord": 1 / 3,
            "right root, quality outside majmin (sus, aug, dim, ...)": 1 / 3,
            "wrong root: P5": 1 / 3,  # from the reference root up to the estimated one
        }
    )


def test_the_reference_snapped_to_frames():
    intervals, labels = errors.snapped(
        np.array([[0, 1], [1, 2.05]], float), ["C:maj", "G:maj"], 0.5
    )
    assert labels == ["C:maj", "G:maj", "N"]  # the last frame's centre lies after the end
    assert intervals.tolist() == [[0.0, 1.0], [1.0, 2.0], [2.0, 2.05]]
    # a chord shorter than a frame and off the frame centres is lost
    intervals, labels = errors.snapped(
        np.array([[0, 0.3], [0.3, 0.6], [0.6, 2]], float), ["C:maj", "F:maj", "C:maj"], 0.5
    )
    assert labels == ["C:maj"] and intervals.tolist() == [[0.0, 2.0]]
