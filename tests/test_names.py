"""A person's name must not move a verdict.

Training renders auto-DM templates with a name, and most names are not masked at inference
(only a capitalised word after a greeting is). Rendered with a pool of 30 real names, the
model learnt them as signs of automation: "Arjun are you there?" and "ok Oksana" scored as
if the name were evidence, by up to 4 log-odds over the same message with an ordinary name.
Training now renders invented names (training/devdata.py, ``invented_name``), almost never
a real one.

Each name of tests/cases/names.json (about 400, in many languages and scripts) is put into
each frame; a name's gap is its mean log-odds over the frames minus the median name's.
Hashed n-grams mean some name always collides with something (the gap is never zero for
all), so the tests bound the tail. ``python benchmarks/names.py`` prints the figures.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import numpy as np
import pytest

from autodm import Detector

ROOT = Path(__file__).resolve().parents[1]
CASES = json.loads((ROOT / "tests" / "cases" / "names.json").read_text(encoding="utf-8"))
#: Bounds on the gaps, in log-odds. The model trained on 30 real names had 0.66 and 3.96, one
#: trained on 370 real names 0.59 and 3.87: the tail, not the bulk, is where names leak. The
#: largest gap today (about 2) is a hashing collision that every model so far has had.
MAX_P95_GAP = 0.6
MAX_GAP = 2.5


@pytest.fixture(scope="module")
def gaps() -> np.ndarray:
    names, frames = CASES["names"], CASES["frames"]
    texts = [frame.format(name=name) for name in names for frame in frames]
    p = np.array([v.probability for v in Detector().classify_many(texts)]).clip(1e-9, 1 - 1e-9)
    log_odds = np.log(p / (1 - p)).reshape(len(names), len(frames))
    return np.asarray((log_odds - np.median(log_odds, axis=0)).mean(axis=1))


def test_the_names_span_languages_and_scripts() -> None:
    names = CASES["names"]
    assert len(names) >= 300
    assert len({n.casefold() for n in names}) == len(names)
    assert sum(not n.isascii() for n in names) >= 40


def test_training_almost_never_renders_a_real_name() -> None:
    """The invented names are rarely real ones (a few in ten thousand), and each is new."""
    training = ROOT / "training"
    if not (training / "devdata.py").exists():
        pytest.skip("training/ is not part of this package")
    sys.path.insert(0, str(training))
    try:
        import devdata
    finally:
        sys.path.remove(str(training))
    real = {n.casefold() for n in CASES["names"]}
    for seed in (0, 1, 2):
        rng = random.Random(seed)
        invented = [devdata.invented_name(rng) for _ in range(20_000)]
        assert sum(n.casefold() in real for n in invented) <= 20  # at most 0.1 %
        assert len(set(invented)) >= 0.95 * len(invented)


def test_most_names_move_no_verdict(gaps: np.ndarray) -> None:
    assert np.percentile(np.abs(gaps), 95) <= MAX_P95_GAP


def test_no_name_moves_a_verdict_far(gaps: np.ndarray) -> None:
    worst = int(np.argmax(np.abs(gaps)))
    assert abs(gaps[worst]) <= MAX_GAP, (CASES["names"][worst], float(gaps[worst]))
