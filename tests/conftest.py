"""Shared fixtures for the autodm test suite.

Nothing here reads outside ``tests/`` and the installed package: the golden cases
live in ``tests/cases`` and the model is the one bundled with autodm.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import autodm

CASES_DIR = Path(__file__).resolve().parent / "cases"


_MASK64 = (1 << 64) - 1


def reference_hash(gram: str, n: int, buckets: int) -> int:
    """The bucket of one character n-gram (of size ``n``) by autodm's rolling hash, computed
    the slow way, in Python integers: what the fast numpy hashing must equal."""
    h = 0
    for ch in gram:
        h = (h * 1099511628211 + ord(ch)) & _MASK64
    return (((h ^ n) * 0x9E3779B97F4A7C15) & _MASK64) >> (64 - (buckets.bit_length() - 1))


def load_cases(name: str) -> list[dict[str, Any]]:
    """The golden cases of one file of ``tests/cases``, as a list of dicts."""
    cases = json.loads((CASES_DIR / name).read_text(encoding="utf-8"))
    assert isinstance(cases, list), f"{name} must hold a JSON list"
    assert cases, f"{name} must not be empty"
    return cases


def _python_stdout(code: str, timeout: float = 120) -> str:
    """Run ``code`` in a new Python process; fail the test unless it exits 0; return stdout."""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="session")
def python_stdout() -> Callable[..., str]:
    """A fresh interpreter, for what only a new process shows (imports, start-up)."""
    return _python_stdout


@pytest.fixture(scope="session")
def detector() -> autodm.Detector:
    """One detector on the bundled model, shared by the whole session."""
    return autodm.Detector()


@pytest.fixture(scope="session")
def automated_cases() -> list[dict[str, Any]]:
    return load_cases("automated.json")


@pytest.fixture(scope="session")
def human_cases() -> list[dict[str, Any]]:
    return load_cases("human.json")


# Hypothesis profiles. The property tests keep their example counts modest so the suite
# stays fast; HYPOTHESIS_PROFILE=fuzz runs tests/test_fuzz.py with many more examples:
#     HYPOTHESIS_PROFILE=fuzz python -m pytest tests/test_fuzz.py
from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile(
    "fuzz",
    max_examples=20_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
if os.environ.get("HYPOTHESIS_PROFILE"):
    settings.load_profile(os.environ["HYPOTHESIS_PROFILE"])
