"""A person's name must not move a verdict.

Training renders auto-DM templates with given names (training/names.txt), and most names
are not masked at inference (only a capitalised word after a greeting is). When the names
were a few dozen, the model learnt them as signs of automation: a friend's message that
mentioned Arjun scored as if it were more automated than the same message about Omar
(+0.91 log-odds on average over the frames of tests/cases/names.json). These tests hold the
bundled model to names carrying no signal: the names training used and names it never saw
score alike. ``python benchmarks/names.py`` prints the figures.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from autodm import Detector

ROOT = Path(__file__).resolve().parents[1]
CASES = json.loads((ROOT / "tests" / "cases" / "names.json").read_text(encoding="utf-8"))
POOL_FILE = ROOT / "training" / "names.txt"
#: Largest mean gap in log-odds between the names training used and names it never saw.
MAX_MEAN_GAP = 0.3
#: Largest such gap on any one frame.
MAX_FRAME_GAP = 0.6


def _pool() -> list[str]:
    lines = POOL_FILE.read_text(encoding="utf-8").splitlines()
    return [n.strip() for n in lines if n.strip() and not n.startswith("#")]


def _log_odds(detector: Detector, text: str) -> float:
    p = min(max(detector.classify(text).probability, 1e-9), 1 - 1e-9)
    return math.log(p / (1 - p))


@pytest.fixture(scope="module")
def gaps() -> list[float]:
    detector = Detector()
    trained = _pool()[: len(CASES["held_out_names"])]
    out = []
    for frame in CASES["frames"]:
        seen = [_log_odds(detector, frame.format(name=n)) for n in trained]
        unseen = [_log_odds(detector, frame.format(name=n)) for n in CASES["held_out_names"]]
        out.append(sum(seen) / len(seen) - sum(unseen) / len(unseen))
    return out


def test_held_out_names_are_not_in_the_training_pool() -> None:
    pool = {n.casefold() for n in _pool()}
    assert len(pool) >= 300
    assert not pool & {n.casefold() for n in CASES["held_out_names"]}


def test_names_seen_in_training_score_like_names_never_seen(gaps: list[float]) -> None:
    assert abs(sum(gaps) / len(gaps)) <= MAX_MEAN_GAP, gaps


def test_no_frame_favours_the_names_seen_in_training(gaps: list[float]) -> None:
    worst = max(gaps, key=abs)
    assert abs(worst) <= MAX_FRAME_GAP, [round(g, 2) for g in gaps]
