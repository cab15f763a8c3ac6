"""How training renders the quoted auto-DMs (training/devdata.py), without ../shared/data.

A quoted auto-DM must read as its recipient saw it: a template's slots filled (a JavaScript
template literal's "${name}" too), and a link where the quote holds a placeholder for one.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import numpy as np
import pytest

TRAINING = Path(__file__).resolve().parents[1] / "training"
if not (TRAINING / "devdata.py").exists():
    pytest.skip("training/ is not part of this package", allow_module_level=True)
sys.path.insert(0, str(TRAINING))
try:
    import devdata
    import experiment
finally:
    while str(TRAINING) in sys.path:  # experiment.py puts it there too
        sys.path.remove(str(TRAINING))


def test_a_template_literal_slot_loses_its_dollar_sign() -> None:
    text = devdata._render("Hi ${name} thanks for the follow", random.Random(0))
    assert "$" not in text
    assert "{" not in text
    assert text.startswith("Hi ")
    assert text.endswith(" thanks for the follow")


@pytest.mark.parametrize(
    "quoted",
    [
        "Here's the link: https://...",
        "Voici le lien que tu cherchais : ...",
        "A random photo for you {billPhoto} :)",
        "To validate click here: _____",
    ],
)
def test_a_link_placeholder_becomes_a_link(quoted: str) -> None:
    filled = devdata._fill_placeholders(quoted, random.Random(0))
    assert any(url in filled for url in devdata._URLS), filled
    assert "..." not in filled
    assert "{" not in filled
    assert "_____" not in filled


def test_other_blanks_stay_as_quoted() -> None:
    quoted = "Welcome to _____! Want more ____ in your life? Reply YES..."
    assert devdata._fill_placeholders(quoted, random.Random(0)) == quoted


def test_username_becomes_a_handle() -> None:
    filled = devdata._fill_placeholders("(username) uses a validation service", random.Random(0))
    assert filled.startswith("@")
    assert "(username)" not in filled


def test_candidate_lines_are_read_like_own_lines_but_stay_out_of_the_recipe() -> None:
    candidates = sorted((TRAINING / "candidates").glob("*.jsonl"))
    assert candidates
    recipe = {row.text for row in devdata.load_own()}
    for path in candidates:
        rows = devdata.own_human_lines(path)
        assert rows
        assert all(row.label == "human" and row.source == "own_human" for row in rows)
        assert all(row.group.startswith("own:human:") for row in rows)
        assert not recipe & {row.text for row in rows}, path.name


def test_each_sentence_of_a_message_is_a_copy_in_its_fold() -> None:
    bank = devdata.Row(
        "Thanks for the follow! Grab my free e-book at bit.ly/x1Ab today. Cheers",
        "automated",
        "bank",
        "bank:en-book-001",
        1.0,
        "self_promo",
    )
    person = devdata.Row(
        "see you at 6.\nI will bring the cake and the candles", "human", "sms_ham", "s9", 2.0
    )
    one = devdata.Row("just one sentence here, no more", "human", "sms_ham", "s1", 1.0)
    made = devdata.Row("Hey Sam! see you at 6. bring cake", "human", "greeted", "s2", 0.15)
    copies = devdata.sentences([bank, person, one, made], 0.1)
    assert [c.text for c in copies] == [
        "Thanks for the follow!",
        "Grab my free e-book at bit.ly/x1Ab today.",
        "see you at 6.",
        "I will bring the cake and the candles",
    ]  # not "Cheers": a sentence needs three words
    for copy, parent in zip(copies, [bank, bank, person, person], strict=True):
        assert (copy.label, copy.group, copy.family) == (parent.label, parent.group, parent.family)
        assert copy.weight == pytest.approx(0.1 * parent.weight)
        assert copy.source == "sentence"
        assert copy.origin == parent.source
        # the same fold and bank template as the message they come from
        assert devdata.cv_group(copy) == devdata.cv_group(parent)
        assert devdata.bank_id(copy) == devdata.bank_id(parent)


def test_the_probes_stay_out_of_everything_the_model_learns_or_is_tested_on() -> None:
    """benchmarks/probes.jsonl measures the model on DM-like text it has never met: no probe
    may be (nearly) a line of the training files, the candidates, the template bank or the
    golden cases."""
    from rapidfuzz import fuzz, process

    root = TRAINING.parent
    lines = (root / "benchmarks" / "probes.jsonl").read_text(encoding="utf-8").splitlines()
    probes = [json.loads(line) for line in lines if line]
    assert {p["label"] for p in probes} == {"automated", "human"}
    assert all(p["text"].strip() and p["family"] and p["lang"] for p in probes)
    assert {p["set"] for p in probes} == {"a", "b", "c"}
    known = [row.text for row in devdata.load_own() + devdata.load_bank()]
    for path in sorted((TRAINING / "candidates").glob("*.jsonl")):
        known += [row.text for row in devdata.own_human_lines(path)]
    for name in ("automated.json", "human.json"):
        cases = json.loads((root / "tests" / "cases" / name).read_text(encoding="utf-8"))
        known += [case["text"] for case in cases]

    def folded(text: str) -> str:
        return " ".join(text.casefold().split())

    texts = [folded(p["text"]) for p in probes]
    assert len(set(texts)) == len(texts)
    scores = process.cdist(texts, [folded(t) for t in known], scorer=fuzz.ratio)
    worst = scores.max(axis=1)
    assert worst.max() < 90, [probes[i]["text"] for i in (worst >= 90).nonzero()[0]]


def _recall_at_half(scores: np.ndarray, y: np.ndarray, sources: np.ndarray) -> tuple[float]:
    return (float(np.mean(scores[y == 1] >= 0.5)),)


def test_the_bootstrap_draws_a_sender_group_whole() -> None:
    # Two senders of 50 auto-DMs each, one caught and one missed: a draw holds both, or one
    # of them twice, so recall is 0, 0.5 or 1 and each end comes up about a quarter of the
    # time; messages drawn one by one would put recall within a few points of 0.5.
    y = np.array([1] * 100 + [0] * 400, dtype=np.int8)
    groups = np.array(["a"] * 50 + ["b"] * 50 + [f"h{i}" for i in range(400)])
    sources = np.array(["auto"] * 100 + ["human"] * 400)
    scores = np.concatenate([np.full(50, 0.9), np.full(50, 0.1), np.linspace(0, 0.4, 400)])
    draws = experiment.group_bootstrap(
        _recall_at_half, {"m": scores}, y, sources, groups, resamples=400, seed=1
    )["m"][:, 0]
    assert set(np.unique(draws)) == {0.0, 0.5, 1.0}
    assert 0.15 < np.mean(draws == 0.0) < 0.35
    assert 0.15 < np.mean(draws == 1.0) < 0.35


def test_the_bootstrap_keeps_each_source_its_size_and_pairs_the_models() -> None:
    rng = np.random.default_rng(0)
    y = np.array([1] * 30 + [0] * 70, dtype=np.int8)
    sources = np.array(["auto"] * 30 + ["sms"] * 20 + ["irc"] * 50)
    groups = np.array([f"s{i // 3}" for i in range(30)] + [f"h{i}" for i in range(70)])
    first = rng.uniform(size=100)
    seen = []

    def sizes(scores: np.ndarray, y_drawn: np.ndarray, sources_drawn: np.ndarray) -> list[float]:
        seen.append(scores)
        return [float(np.sum(sources_drawn == s)) for s in ("auto", "sms", "irc")]

    draws = experiment.group_bootstrap(
        sizes, {"one": first, "two": first + 1.0}, y, sources, groups, resamples=50, seed=2
    )
    assert (draws["one"] == [30.0, 20.0, 50.0]).all()  # every group of "auto" holds 3
    # the second model is read on the same rows as the first, draw by draw
    assert all(np.array_equal(a + 1.0, b) for a, b in zip(seen[::2], seen[1::2], strict=True))
    assert len({tuple(np.round(a, 6)) for a in seen[::2]}) > 1  # and the draws differ


def test_the_bootstrap_draws_within_the_strata_it_is_given() -> None:
    # Two auto-DM sources of one group each: drawn within each source, both are in every
    # draw; drawn as one stratum, a draw may hold either of them twice and the other not.
    y = np.array([1] * 20 + [0] * 10, dtype=np.int8)
    sources = np.array(["fragments"] * 10 + ["auto"] * 10 + ["sms"] * 10)
    groups = np.array(["f"] * 10 + ["a"] * 10 + [f"h{i}" for i in range(10)])

    def fragments(scores: np.ndarray, y_drawn: np.ndarray, drawn: np.ndarray) -> list[float]:
        return [float(np.sum(drawn == "fragments"))]

    def counts(strata: np.ndarray | None) -> set[float]:
        draws = experiment.group_bootstrap(
            fragments, {"m": np.zeros(30)}, y, sources, groups, resamples=60, strata=strata
        )
        return set(draws["m"][:, 0])

    assert counts(None) == {10.0}
    assert counts(np.where(y == 1, "automated", sources)) == {0.0, 10.0, 20.0}


def _mean(scores: np.ndarray, y: np.ndarray, sources: np.ndarray) -> tuple[float]:
    return (float(scores.mean()),)


def test_the_jackknife_leaves_out_a_whole_group() -> None:
    y = np.zeros(6, dtype=np.int8)
    sources = np.array(["a"] * 6)
    groups = np.array(["x", "y", "y", "z", "z", "z"])

    def count(scores: np.ndarray, y_kept: np.ndarray, kept: np.ndarray) -> tuple[float]:
        return (float(len(scores)),)

    left = experiment.group_jackknife(count, {"m": np.zeros(6)}, y, sources, groups)["m"]
    assert left[:, 0].tolist() == [5.0, 4.0, 3.0]


@pytest.mark.parametrize("seed", [0, 1])
def test_bca_bounds_match_scipy_on_one_row_per_group(seed: int) -> None:
    # Each row its own group and one stratum: the plain bootstrap, whose BCa interval
    # scipy computes. On skewed data BCa moves off the percentile interval; both
    # implementations must move the same way, up to the resampling noise.
    from scipy import stats

    x = np.random.default_rng(seed).exponential(size=20)
    y, sources = np.zeros(20, dtype=np.int8), np.array(["a"] * 20)
    groups = np.array([str(i) for i in range(20)])
    draws = experiment.group_bootstrap(
        _mean, {"m": x}, y, sources, groups, resamples=8000, seed=seed
    )["m"]
    left = experiment.group_jackknife(_mean, {"m": x}, y, sources, groups)["m"]
    low, high = experiment.bca_interval(np.array([x.mean()]), draws, left)
    theirs = stats.bootstrap(
        (x,), np.mean, n_resamples=8000, method="BCa", random_state=seed
    ).confidence_interval
    width = high[0] - low[0]
    assert abs(low[0] - theirs.low) < 0.05 * width
    assert abs(high[0] - theirs.high) < 0.05 * width
    assert high[0] - np.percentile(draws[:, 0], 97.5) > 0.05 * width  # not the percentiles


def test_bca_bounds_of_a_figure_that_never_moves_are_the_figure() -> None:
    draws = np.full((100, 2), 0.5)
    draws[:, 1] = np.linspace(0.0, 1.0, 100)
    left = np.full((10, 2), 0.5)
    low, high = experiment.bca_interval(np.array([0.5, 0.5]), draws, left)
    assert low[0] == high[0] == 0.5
    # no skew and no bias: the percentile interval
    assert low[1] == pytest.approx(np.quantile(draws[:, 1], 0.025))
    assert high[1] == pytest.approx(np.quantile(draws[:, 1], 0.975))
