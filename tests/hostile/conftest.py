"""Hostile and careless input: every case found by hand, plus property tests and a bounded fuzzer.

Hypothesis runs the ``ci`` profile under ``CI=true`` (at least 200 examples per target, derandomised
so a red run can be reproduced), and the ``dev`` profile otherwise (fewer, random examples).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "dev",
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile(
    os.environ.get("CHORDVIEW_HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/hostile/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.hostile)
