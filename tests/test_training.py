"""train (input validation) and evaluate (counts and rates), plus labels_to_array."""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autodm
from autodm import Detector, InvalidInputError
from autodm import _fitting as fitting
from autodm import _training as training
from autodm._checks import RECORDED_FACTS, labels_to_array
from autodm._design import CONTEXT_FEATURES, _design
from autodm._evaluation import Evaluation
from autodm._fitting import _platt
from autodm._training import train_with_scores
from autodm.errors import ThinDataWarning

#: These tests train on a dozen messages, too few human ones to measure the target rate;
#: the warning that says so is tested below, where it is not ignored.
pytestmark = pytest.mark.filterwarnings("ignore::autodm.errors.ThinDataWarning")

AUTOMATED = [
    "Thanks for the follow! Like my page: bit.ly/x1Ab",
    "Follow back or I'll unfollow you",
    "Use code WELCOME30 for 30% off!",
    "Thx for following, check out my channel",
    "Grab my free e-book at example.com/book",
    "Sent via FollowBoost",
]
HUMAN = [
    "see you at 6",
    "are we still on for lunch?",
    "lol that was hilarious",
    "can you send me the notes",
    "running late, 10 min",
    "happy birthday!!",
]
MESSAGES = AUTOMATED + HUMAN
LABELS = ["automated"] * len(AUTOMATED) + ["human"] * len(HUMAN)


@pytest.fixture
def no_fit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fails the test if train fits anything: what it refuses, it refuses before the fits."""

    def fit(*args: object, **kwargs: object) -> None:
        raise AssertionError("fitted before refusing")

    monkeypatch.setattr(fitting, "_fit", fit)


# ---------------------------------------------------------------------------------------------
# labels_to_array
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("automated", 1), ("auto", 1), ("spam", 1), ("bot", 1), ("1", 1), ("true", 1),
        ("yes", 1), ("  Automated ", 1), ("SPAM", 1), (1, 1), (True, 1), (np.int64(1), 1),
        (np.bool_(True), 1),
        ("human", 0), ("ham", 0), ("person", 0), ("0", 0), ("false", 0), ("no", 0),
        ("Human", 0), (" HAM", 0), (0, 0), (False, 0), (np.int32(0), 0), (np.bool_(False), 0),
    ],
)  # fmt: skip
def test_labels_to_array_mappings(label: object, expected: int) -> None:
    out = labels_to_array([label])
    assert out.dtype == np.int8
    assert out.tolist() == [expected]


def test_labels_to_array_keeps_order() -> None:
    assert labels_to_array(["spam", "ham", 1, 0, True]).tolist() == [1, 0, 1, 0, 1]
    assert labels_to_array([]).shape == (0,)


@pytest.mark.parametrize("label", ["maybe", "", 2, -1, None, "automated!", ["spam"], object()])
def test_labels_to_array_refuses_unknown_labels(label: object) -> None:
    with pytest.raises(InvalidInputError, match="label"):
        labels_to_array(["human", label])


# ---------------------------------------------------------------------------------------------
# train: input validation (all refused before any fitting)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        ((MESSAGES, LABELS[:-1]), {}, "one entry per message"),
        ((MESSAGES[:-1], LABELS), {}, "one entry per message"),
        ((MESSAGES, ["automated"] * len(MESSAGES)), {}, "each class"),
        ((MESSAGES, ["human"] * len(MESSAGES)), {}, "each class"),
        ((MESSAGES, [*LABELS[:-1], "maybe"]), {}, "label"),
        ((MESSAGES[:4], LABELS[:2] + LABELS[-2:]), {"cv": 3}, "at least 3"),
        ((["a", "b"], ["automated", "human"]), {}, "at least 5"),
        ((MESSAGES, LABELS), {"C": 0}, "`C`"),
        ((MESSAGES, LABELS), {"C": -1.0}, "`C`"),
        ((MESSAGES, LABELS), {"C": float("nan")}, "`C`"),
        ((MESSAGES, LABELS), {"C": float("inf")}, "`C`"),
        ((MESSAGES, LABELS), {"C": "1"}, "`C`"),
        ((MESSAGES, LABELS), {"char_weight": 0.0}, "`char_weight`"),
        ((MESSAGES, LABELS), {"char_weight": -1.0}, "`char_weight`"),
        ((MESSAGES, LABELS), {"char_weight": float("nan")}, "`char_weight`"),
        ((MESSAGES, LABELS), {"char_weight": 1e6}, "`char_weight`"),
        ((MESSAGES, LABELS), {"C": 10**400}, "`C`"),
        ((MESSAGES, LABELS), {"ratio_power": -0.5}, "`ratio_power`"),
        ((MESSAGES, LABELS), {"ratio_power": float("nan")}, "`ratio_power`"),
        ((MESSAGES, LABELS), {"ratio_power": 3.0}, "`ratio_power`"),
        ((MESSAGES, LABELS), {"ratio_power": True}, "`ratio_power`"),
        ((MESSAGES, LABELS), {"ratio_power": "0.5"}, "`ratio_power`"),
        ((MESSAGES, LABELS), {"cv_repeats": 0}, "`cv_repeats`"),
        ((MESSAGES, LABELS), {"cv_repeats": 2.0}, "`cv_repeats`"),
        ((MESSAGES, LABELS), {"cv_repeats": True}, "`cv_repeats`"),
        ((MESSAGES, LABELS), {"cv_repeats": 101}, "`cv_repeats`"),
        ((MESSAGES, LABELS), {"cv_repeats": 10**18}, "`cv_repeats`"),
        ((MESSAGES, LABELS), {"random_state": -1}, "`random_state`"),
        ((MESSAGES, LABELS), {"random_state": 2**32}, "`random_state`"),
        ((MESSAGES, LABELS), {"random_state": 2**32 - 1, "cv_repeats": 2}, "`random_state`"),
        ((MESSAGES, LABELS), {"random_state": 1.0}, "`random_state`"),
        ((MESSAGES, LABELS), {"random_state": None}, "`random_state`"),
        ((MESSAGES, LABELS), {"buckets": 1000}, "power of two"),
        ((MESSAGES, LABELS), {"buckets": 1}, "power of two"),
        ((MESSAGES, LABELS), {"buckets": 0}, "power of two"),
        ((MESSAGES, LABELS), {"buckets": -8}, "power of two"),
        ((MESSAGES, LABELS), {"buckets": 2**23}, r"power of two up to 4194304 \(2\*\*22\)"),
        ((MESSAGES, LABELS), {"target_fpr": 0.0}, "target_fpr"),
        ((MESSAGES, LABELS), {"target_fpr": 1.0}, "target_fpr"),
        ((MESSAGES, LABELS), {"sample_weight": [1.0] * (len(MESSAGES) - 1)}, "sample_weight"),
        ((MESSAGES, LABELS), {"sample_weight": [-1.0] * len(MESSAGES)}, "sample_weight"),
        ((MESSAGES, LABELS), {"sample_weight": ["1"] * 11 + ["x"]}, "sample_weight"),
        ((MESSAGES, LABELS), {"sample_weight": [[1.0]] * 12}, "sample_weight"),
        # Regression: np.asarray read True as 1.0 and "1" as 1.0.
        ((MESSAGES, LABELS), {"sample_weight": [1.0] * 11 + [True]}, r"sample_weight\[11\]"),
        ((MESSAGES, LABELS), {"sample_weight": ["1"] * 12}, r"sample_weight\[0\]` must be"),
        ((MESSAGES, LABELS), {"bank_ids": [None] * 11 + [7]}, r"bank_ids\[11\]` must be"),
        ((MESSAGES, LABELS), {"sample_weight": np.ones((12, 1))}, "one-dimensional"),
        ((MESSAGES, LABELS), {"sample_weight": np.array([1.0] * 11 + [np.nan])}, r"\[11\]"),
        ((MESSAGES, LABELS), {"sample_weight": [1.0] * 11 + [10**400]}, r"\[11\]"),
        (
            (MESSAGES, LABELS),
            {"sources": ["a", "b"] * 6, "threshold_sources": 7},
            "iterable of source names",
        ),
        # Regression: a bad context was found while featurizing, with no position.
        ((MESSAGES, LABELS, [None] * 11 + ["x"]), {}, r"contexts\[11\]"),
        # One automated message weighs anything: the folds that hold it out learn nothing.
        (
            (MESSAGES, LABELS),
            {"sample_weight": [1.0] + [0.0] * 5 + [1.0] * 6},
            r"`sample_weight` is 0 for every automated message that fold \d of 5 trains on",
        ),
        ((MESSAGES, LABELS), {"sample_weight": [1.0] * 6 + [0.0] * 6}, "every human message"),
        ((MESSAGES, LABELS), {"groups": ["g"] * 3}, "groups"),
        ((MESSAGES, LABELS), {"sources": ["s"] * 3}, "sources"),
        ((MESSAGES, LABELS), {"bank_ids": [None] * 3}, "bank_ids"),
        ((MESSAGES, LABELS), {"bank_ids": ["no-such-template"] + [None] * 11}, "bank_ids"),
        ((MESSAGES, LABELS, [None]), {}, "one entry per message"),
        ((MESSAGES, LABELS), {"sources": "ab" * 6}, "ordered iterable"),
        ((MESSAGES, LABELS), {"groups": set(range(12))}, "ordered iterable"),
        ((MESSAGES, None), {}, "labels"),
        ((MESSAGES, "automated"), {}, "labels"),
        # Regression: each raised a bare TypeError or ValueError, or was read as another size.
        ((MESSAGES, LABELS), {"char_ngrams": None}, "`char_ngrams` must be an ordered"),
        ((MESSAGES, LABELS), {"char_ngrams": 3}, "`char_ngrams` must be an ordered"),
        ((MESSAGES, LABELS), {"char_ngrams": "345"}, "`char_ngrams` must be an ordered"),
        ((MESSAGES, LABELS), {"char_ngrams": ("a",)}, r"ints in 1\.\.8"),
        ((MESSAGES, LABELS), {"char_ngrams": (3.7,)}, r"ints in 1\.\.8"),
        ((MESSAGES, LABELS), {"char_ngrams": (3, 9)}, r"ints in 1\.\.8"),
        ((MESSAGES, LABELS), {"ngrams": "no"}, "`ngrams` must be True or False"),  # was truthy
        ((MESSAGES, LABELS), {"description": {"when": object()}}, "JSON values"),
        ((MESSAGES, LABELS), {"description": {"n": float("nan")}}, "JSON values"),
        ((MESSAGES, LABELS), {"description": ["a"]}, "mapping"),
        ((MESSAGES, LABELS), {"description": {"cv": 10, "x": 1}}, r"records itself; got \['cv'\]"),
        ((MESSAGES, LABELS), {"description": {"data_digest": None}}, "data_digest"),
        (("a single string", LABELS), {}, "single str"),
        (([*MESSAGES[:-1], b"bytes"], LABELS), {}, "str"),
    ],
)
def test_train_refuses_bad_input(args: tuple, kwargs: dict, match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        autodm.train(*args, **kwargs)


@pytest.mark.parametrize("C", [1e300, 1e-300, 1e6, 1.1e4, 9e-5, 1e-6])
def test_train_refuses_a_C_outside_the_range_that_fits_quickly(no_fit: None, C: float) -> None:
    # liblinear ran for minutes at 1e300 and at 1e-300; these are refused before any fit.
    with pytest.raises(InvalidInputError, match=r"`C` must be a float from 0\.0001 to 10000"):
        autodm.train(MESSAGES, LABELS, C=C)


@pytest.mark.parametrize("buckets", [2.5, "1024", None])
def test_train_refuses_non_int_buckets(buckets: object) -> None:
    with pytest.raises(InvalidInputError):
        autodm.train(MESSAGES, LABELS, buckets=buckets)  # type: ignore[arg-type]


@pytest.mark.parametrize("cv", [1, 0])
def test_train_refuses_cv_below_two(cv: int) -> None:
    with pytest.raises(InvalidInputError):
        autodm.train(MESSAGES, LABELS, cv=cv)


def test_train_refuses_non_number_target_fpr() -> None:
    with pytest.raises(InvalidInputError):
        autodm.train(MESSAGES, LABELS, target_fpr="0.01")  # type: ignore[arg-type]


def test_sources_past_the_fifth_with_too_few_humans_share_one_warning() -> None:
    # Regression: one warning each, hundreds of them for a file with many small sources.
    from autodm.errors import ThinDataWarning

    sources = ["bots"] * 6 + [f"s{i:02d}" for i in range(6)]
    with pytest.warns(ThinDataWarning) as seen:
        autodm.train(MESSAGES, LABELS, cv=3, buckets=256, sources=sources)
    messages = [str(w.message) for w in seen]
    assert [m.split(" has ")[0] for m in messages[:5]] == [f"source 's0{i}'" for i in range(5)]
    assert messages[5] == (
        "1 more source has too few human messages for a false-positive rate of 0.50% "
        "(fewer than 200 each), as above: 's05'."
    )
    assert len(messages) == 6


@pytest.mark.filterwarnings("error::autodm.errors.ThinDataWarning")
def test_train_warns_of_each_source_with_too_few_humans_for_the_target() -> None:
    from autodm.errors import ThinDataWarning

    sources = ["bots"] * 6 + ["friends"] * 4 + ["work"] * 2
    with pytest.warns(ThinDataWarning) as seen:
        autodm.train(MESSAGES, LABELS, cv=3, buckets=256, sources=sources, target_fpr=0.25)
    # 0.25 takes 4 human messages: "friends" has them, "work" does not, "bots" has none.
    (warning,) = seen
    assert str(warning.message).startswith(
        "source 'work' has 2 human messages, too few to measure a false-positive rate of "
        "25.00% (that takes 4 or more)"
    )
    assert warning.filename == __file__  # it points at the call, not into autodm
    with pytest.warns(ThinDataWarning, match="^there are 6 human messages"):
        autodm.train(MESSAGES, LABELS, cv=3, buckets=256)
    # Only the sources that set the threshold are counted.
    autodm.train(
        MESSAGES,
        LABELS,
        cv=3,
        buckets=256,
        sources=sources,
        target_fpr=0.25,
        threshold_sources=["friends"],
    )
    autodm.train(MESSAGES, LABELS, cv=3, buckets=256, target_fpr=0.2)  # 6 of 5 needed


def test_train_small_set_gives_consistent_manifest() -> None:
    bundle = autodm.train(
        MESSAGES,
        LABELS,
        cv=3,
        buckets=256,
        sources=["a"] * 6 + ["b"] * 6,
        description={"data_notes": "a dozen lines"},
    )
    training = bundle.manifest["training"]
    # The description sits beside the facts train records, and may not replace them.
    assert set(training) == RECORDED_FACTS | {"data_notes"}
    assert (training["messages"], training["automated"], training["human"]) == (12, 6, 6)
    by_source = bundle.manifest["metrics"]["out_of_fold"]["by_source"]
    assert set(by_source) == {"a", "b"}
    assert (by_source["a"]["n"], by_source["a"]["automated"], by_source["a"]["human"]) == (6, 6, 0)
    assert (by_source["b"]["automated"], by_source["b"]["human"]) == (0, 6)
    assert set(by_source["a"]) == {"n", "automated", "human", "recall"}
    assert set(by_source["b"]) == {"n", "automated", "human", "fpr"}
    assert set(by_source["a"]["recall"]) == set(bundle.operating_points)
    json.dumps(bundle.manifest)
    assert bundle.ngram_coef is not None
    assert bundle.ngram_coef.shape == (256,)
    assert "seconds_after_follow" not in bundle.features


def test_a_source_of_both_classes_has_its_recall_and_its_false_positive_rate() -> None:
    """Not one rate over all of its messages, which is neither."""
    bundle, probs = train_with_scores(MESSAGES, LABELS, cv=3, buckets=256, sources=["mixed"] * 12)
    row = bundle.manifest["metrics"]["out_of_fold"]["by_source"]["mixed"]
    assert (row["n"], row["automated"], row["human"]) == (12, 6, 6)
    automated = np.array(LABELS) == "automated"
    for point, spec in bundle.operating_points.items():
        assert row["recall"][point] == np.mean(probs[automated] >= spec["threshold"])
        assert row["fpr"][point] == np.mean(probs[~automated] >= spec["threshold"])
        assert row["recall"][point] == spec["recall"]


# ---------------------------------------------------------------------------------------------
# ratio_power: n-gram buckets scaled by their naive-Bayes log-count ratio
# ---------------------------------------------------------------------------------------------


def _design_of(messages: list[str], buckets: int = 512) -> object:
    from autodm._featurizer import Featurizer

    featurizer = Featurizer()
    features = tuple(f for f in featurizer.feature_names if f not in CONTEXT_FEATURES)
    items, ctxs = training._batch(messages, None)
    dense, grams, _, _ = _design(featurizer, items, ctxs, features, buckets, None, (3,), 1.0)
    return dense, grams


def test_ratio_scale_favours_buckets_of_one_class() -> None:
    from scipy import sparse

    # Bucket 0 in every message, 1 in automated ones only, 2 in human ones only, 3 in none.
    rows = [[1, 1, 0, 0], [1, 1, 0, 0], [1, 0, 1, 0], [1, 0, 1, 0]]
    grams = sparse.csr_matrix(np.array(rows, dtype=float))
    y = np.array([1, 1, 0, 0], dtype=np.int8)
    scale = fitting._ratio_scale(grams, y, np.ones(4), 0.5)
    assert scale[0] == pytest.approx(0.0, abs=1e-6)  # as common in both: no evidence
    assert scale[1] == pytest.approx(scale[2])  # evidence either way counts alike
    assert scale[1] > 1.0
    assert scale[:3].mean() == pytest.approx(1.0)  # averages 1 over the buckets held
    # A higher power widens the gap between telling and shared buckets.
    assert fitting._ratio_scale(grams, y, np.ones(4), 1.0)[1] > scale[1]
    # Weights count, not rows: bucket 3 is in one human row only; weighing that row 3
    # raises its share of the human weight, so it leans further towards the humans
    # against bucket 2, which every human row holds.
    rows = [[1, 1, 0, 0], [1, 1, 0, 0], [1, 0, 1, 1], [1, 0, 1, 0]]
    grams = sparse.csr_matrix(np.array(rows, dtype=float))
    plain = fitting._ratio_scale(grams, y, np.ones(4), 1.0)
    weighed = fitting._ratio_scale(grams, y, np.array([1.0, 1.0, 3.0, 1.0]), 1.0)
    assert weighed[3] / weighed[2] > plain[3] / plain[2] + 0.1


@pytest.mark.parametrize("power", [0.25, 1.0])
def test_ratio_power_is_folded_into_the_stored_weights(power: float) -> None:
    """The fit sees scaled columns; the weights it returns score unscaled n-grams the same."""
    from sklearn.linear_model import LogisticRegression

    dense, grams = _design_of(MESSAGES)
    y = labels_to_array(LABELS)
    weight = np.ones(len(y))
    z = (dense - dense.mean(axis=0)) / np.where(dense.std(axis=0) < 1e-9, 1.0, dense.std(axis=0))
    positive = np.zeros(dense.shape[1], dtype=bool)
    fit = fitting._fit(z, grams, y, weight, 1.0, 2.0, 0.1, positive, power)
    assert fit.ngram_coef is not None
    scale = fitting._ratio_scale(grams, y, weight, power)
    from scipy import sparse

    design = sparse.hstack([sparse.csr_matrix(z * 0.1), grams @ sparse.diags(scale) * 2.0])
    direct = LogisticRegression(C=1.0, max_iter=5000, solver="liblinear")
    direct.fit(design.tocsr(), y, sample_weight=weight)
    ours = z @ fit.coef + fit.intercept + grams @ fit.ngram_coef
    np.testing.assert_allclose(ours, direct.decision_function(design.tocsr()), atol=1e-6)
    # and the scaling changed the model: without it the weights differ
    plain = fitting._fit(z, grams, y, weight, 1.0, 2.0, 0.1, positive)
    assert plain.ngram_coef is not None
    assert not np.allclose(plain.ngram_coef, fit.ngram_coef)


def test_ratio_power_is_recorded_and_scored_by_a_plain_detector() -> None:
    bundle = autodm.train(MESSAGES, LABELS, cv=3, buckets=512, ratio_power=0.5)
    assert bundle.manifest["training"]["ratio_power"] == 0.5
    assert bundle.manifest["format_version"] <= 2  # nothing new for a reader to know
    probs = [v.probability for v in Detector(bundle).classify_many(MESSAGES)]
    assert min(probs[: len(AUTOMATED)]) > max(probs[len(AUTOMATED) :])
    off = autodm.train(MESSAGES, LABELS, cv=3, buckets=512)
    assert off.manifest["training"]["ratio_power"] == 0.0


def test_calibration_sources_calibrate_on_their_messages_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Ten "real" messages and two "easy" ones. Calibrating on the real ones fits the line to
    # their out-of-fold scores alone; no message changes place against the thresholds.
    sources = ["real"] * 5 + ["easy"] + ["real"] * 5 + ["easy"]
    options = {"cv": 3, "buckets": 256, "sources": sources}
    fitted: list[tuple[np.ndarray, np.ndarray]] = []

    def spy(scores: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        fitted.append((scores.copy(), y.copy()))
        return _platt(scores, y)

    monkeypatch.setattr(training, "_platt", spy)
    everyone, p_all = train_with_scores(MESSAGES, LABELS, **options)
    real_only, p_real = train_with_scores(MESSAGES, LABELS, calibration_sources=["real"], **options)
    (all_scores, all_y), (real_scores, real_y) = fitted
    real = np.array([s == "real" for s in sources])
    assert all_y.tolist() == labels_to_array(LABELS).tolist()
    assert real_y.tolist() == labels_to_array(LABELS)[real].tolist()
    assert np.array_equal(real_scores, all_scores[real])  # same folds, same scores
    assert real_only.calibration == _platt(real_scores, real_y)
    assert real_only.calibration != everyone.calibration
    assert real_only.manifest["training"]["calibration_messages"] == 10
    assert everyone.manifest["training"]["calibration_messages"] == 12
    for name, point in everyone.manifest["operating_points"].items():
        other = real_only.manifest["operating_points"][name]
        assert (point["recall"], point["fpr"]) == (other["recall"], other["fpr"])
        assert np.array_equal(p_all >= point["threshold"], p_real >= other["threshold"])


def test_repeated_splits_set_thresholds_on_all_their_scores_together(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Two repeats are the splits of random_state 0 and 1, each scored as a single run would
    # score it; the calibration and every threshold come from both runs' scores pooled.
    sources = ["a", "b"] * 3 + ["a"] * 3 + ["b"] * 3
    # (a target that no single split's threshold meets: see the first assertion on it)
    options = {"cv": 3, "buckets": 256, "sources": sources, "target_fpr": 0.4}
    fitted: list[np.ndarray] = []

    def spy(scores: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        fitted.append(scores.copy())
        return _platt(scores, y)

    monkeypatch.setattr(training, "_platt", spy)
    first, _ = train_with_scores(MESSAGES, LABELS, random_state=0, **options)
    train_with_scores(MESSAGES, LABELS, random_state=1, **options)
    both, p_both = train_with_scores(MESSAGES, LABELS, cv_repeats=2, **options)
    one, other, pooled = fitted
    assert not np.array_equal(one, other)  # the two splits differ
    assert np.array_equal(pooled, np.concatenate([one, other]))
    y = np.tile(labels_to_array(LABELS), 2)
    assert both.calibration == _platt(pooled, y)
    slope, offset = both.calibration
    probs = 1.0 / (1.0 + np.exp(-(slope * pooled + offset)))
    cut = np.tile(np.asarray(sources), 2)
    assert both.threshold == fitting._threshold_for(probs, y, 0.4, cut)
    alone = 1.0 / (1.0 + np.exp(-(slope * one + offset)))  # the first split's scores alone
    first_y, first_cut = y[: len(MESSAGES)], cut[: len(MESSAGES)]
    assert both.threshold != fitting._threshold_for(alone, first_y, 0.4, first_cut)
    for point in both.operating_points.values():
        assert point["threshold"] == fitting._threshold_for(probs, y, point["target_fpr"], cut)
        assert point["recall"] == float(np.mean(probs[y == 1] >= point["threshold"]))
        assert point["fpr"] == float(np.mean(probs[y == 0] >= point["threshold"]))
    metrics = both.manifest["metrics"]["out_of_fold"]
    assert metrics["recall"] == float(np.mean(probs[y == 1] >= both.threshold))
    assert metrics["fpr"] == float(np.mean(probs[y == 0] >= both.threshold))
    assert metrics["roc_auc"] == fitting._auc(probs, y)
    # the first split's scores come back, on the pooled calibration
    assert np.allclose(p_both, probs[: len(MESSAGES)])
    assert both.manifest["training"]["cv_repeats"] == 2
    assert first.manifest["training"]["cv_repeats"] == 1
    by_source = both.manifest["metrics"]["out_of_fold"]["by_source"]
    assert {name: row["n"] for name, row in by_source.items()} == {"a": 6, "b": 6}
    rows_a = cut == "a"
    for name, point in both.operating_points.items():
        flagged = probs >= point["threshold"]
        assert by_source["a"]["recall"][name] == float(np.mean(flagged[rows_a & (y == 1)]))
        assert by_source["a"]["fpr"][name] == float(np.mean(flagged[rows_a & (y == 0)]))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"calibration_sources": ["real"]}, "needs `sources`"),
        ({"threshold_sources": ["real"]}, "needs `sources`"),
        ({"sources": ["a"] * 12, "calibration_sources": "a"}, "not one str"),
        ({"sources": ["a"] * 12, "threshold_sources": "a"}, "not one str"),
        ({"sources": ["a"] * 12, "threshold_sources": b"a"}, "not one bytes"),
        ({"sources": ["a"] * 6 + ["b"] * 6, "calibration_sources": ["b"]}, "0 automated and 6"),
        ({"sources": ["a"] * 12, "calibration_sources": ["typo"]}, "0 automated and 0 human"),
        (
            {"sources": ["a"] * 12, "threshold_sources": ["typo"]},
            r"human messages here are \['a'\]",
        ),
        ({"sources": ["a"] * 6 + ["b"] * 6, "threshold_sources": ["a"]}, "no source of human"),
        ({"sources": ["a"] * 11 + [True]}, r"`sources\[11\]` must be a str or an int"),
        ({"sources": ["a"] * 11 + [["b"]]}, r"`sources\[11\]` must be a str or an int"),
        ({"sources": ["a"] * 11 + ["\ud800"]}, r"`sources\[11\]` holds lone surrogate"),
    ],
)
def test_train_refuses_bad_sources_before_any_fitting(
    no_fit: None, kwargs: dict, match: str
) -> None:
    with pytest.raises(InvalidInputError, match=match):
        autodm.train(MESSAGES, LABELS, cv=3, buckets=256, **kwargs)


@pytest.mark.parametrize("scale", [1e300, 1e-300, 5e-324])
def test_only_the_ratios_between_sample_weights_count(scale: float) -> None:
    # Regression: a class's weights summed past the float range (or to a subnormal), and
    # scikit-learn refused the fit with a bare ValueError.
    weights = [1.0, 2.0] * 6
    plain = autodm.train(MESSAGES, LABELS, cv=3, buckets=256, sample_weight=weights)
    scaled = autodm.train(
        MESSAGES, LABELS, cv=3, buckets=256, sample_weight=[w * scale for w in weights]
    )
    np.testing.assert_allclose(scaled.coef, plain.coef)
    assert scaled.threshold == pytest.approx(plain.threshold)


def test_char_ngrams_may_be_a_set_or_empty() -> None:
    bundle = autodm.train(MESSAGES, LABELS, cv=3, buckets=256, char_ngrams={5, 3})
    assert bundle.manifest["ngrams"]["char_sizes"] == [3, 5]
    assert (
        autodm.train(MESSAGES, LABELS, cv=3, buckets=256, char_ngrams=()).manifest["ngrams"][
            "char_sizes"
        ]
        == []
    )


def _nested(depth: int) -> dict[str, object]:
    value: dict[str, object] = {}
    for _ in range(depth):
        value = {"a": value}
    return value


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        # Regression: each was refused by the bundle check after all the fits, as a
        # BundleError, or (too large) trained and saved, then refused by load_bundle.
        ({"description": {1: "x", "1": "y"}}, "gives the key '1' twice"),
        ({"description": {"note": "\ud800"}}, "lone surrogate"),
        ({"description": _nested(150)}, "more than 100 levels deep"),
        ({"description": {"notes": "x" * 300_000}}, "at most 262,144 are accepted"),
        ({"sources": [str(i) for i in range(1001)] * 12}, "names 1,001 sources; at most 1,000"),
    ],
)
def test_train_refuses_what_a_bundle_cannot_hold_before_any_fitting(
    no_fit: None, kwargs: dict, match: str
) -> None:
    n = len(kwargs.get("sources", MESSAGES))
    with pytest.raises(InvalidInputError, match=match):
        autodm.train((MESSAGES * 1001)[:n], (LABELS * 1001)[:n], cv=3, buckets=256, **kwargs)


_TABLE = r"must be \{'edges': \[\.\.\.\], 'log_lr': \[\.\.\.\]\} with equally long"


@pytest.mark.parametrize(
    ("context_evidence", "match"),
    [
        ("x", r"`context_evidence` must be None or a mapping of \{signal: "),
        ([("seconds_after_follow", {})], "`context_evidence` must be None or a mapping"),
        (
            {"seconds_after_follow": [1, 2]},
            r"`context_evidence\['seconds_after_follow'\]` " + _TABLE,
        ),
        ({"seconds_after_follow": {"edges": [60, 0], "log_lr": [1, 2]}}, "increasing edges"),
        ({"first_message": {"edges": [0, 1], "log_lr": [1]}}, "equally long"),
        ({"first_message": {"edges": [], "log_lr": []}}, "non-empty"),
        ({"first_message": {"edges": [0, 1]}}, _TABLE),
        ({"first_message": {"edges": "01", "log_lr": [0, 1]}}, _TABLE),
        ({"first_message": {"edges": [0, float("nan")], "log_lr": [0, 1]}}, "finite numbers"),
        ({"first_message": {"edges": [0, True], "log_lr": [0, 1]}}, "finite numbers"),
        ({"first_message": {"edges": [0, 1], "log_lr": [0, 1e7]}}, r"within \[-1e\+06"),
        (
            {"seconds_after_folow": {"edges": [0.0], "log_lr": [1.0]}},
            r"never reads: str 'seconds_after_folow'\. Tables are read for \['first_message', ",
        ),
        ({"link_count": {"edges": [0.0], "log_lr": [1.0]}}, "'seconds_after_follow'"),
    ],
)
def test_train_refuses_bad_context_evidence_before_any_fitting(
    no_fit: None, context_evidence: object, match: str
) -> None:
    with pytest.raises(InvalidInputError, match=match):
        autodm.train(MESSAGES, LABELS, cv=3, buckets=256, context_evidence=context_evidence)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# evaluate
# ---------------------------------------------------------------------------------------------


def _hand_counts(detector: Detector, messages: list[str], labels: list[int]) -> dict[str, int]:
    counts = {"tp": 0, "fp": 0, "tn": 0, "fn": 0}
    for message, label in zip(messages, labels, strict=True):
        flagged = detector.classify(message).probability >= detector.threshold
        if flagged and label == 1:
            counts["tp"] += 1
        elif flagged:
            counts["fp"] += 1
        elif label == 1:
            counts["fn"] += 1
        else:
            counts["tn"] += 1
    return counts


@pytest.mark.parametrize("threshold", [None, "lenient", 0.5, 0.0])
def test_evaluate_counts_match_a_hand_computation(threshold: object) -> None:
    detector = Detector(threshold=threshold)  # type: ignore[arg-type]
    y = [1] * len(AUTOMATED) + [0] * len(HUMAN)
    result = autodm.evaluate(MESSAGES, LABELS, detector=detector)
    assert isinstance(result, Evaluation)
    hand = _hand_counts(detector, MESSAGES, y)
    assert (result.tp, result.fp, result.tn, result.fn) == (
        hand["tp"], hand["fp"], hand["tn"], hand["fn"],
    )  # fmt: skip
    assert result.tp + result.fp + result.tn + result.fn == result.n == len(MESSAGES)
    assert result.threshold == detector.threshold
    assert result.recall == hand["tp"] / (hand["tp"] + hand["fn"])
    assert result.fpr == hand["fp"] / (hand["fp"] + hand["tn"])
    assert result.accuracy == (hand["tp"] + hand["tn"]) / len(MESSAGES)
    assert 0.0 <= result.roc_auc <= 1.0
    json.dumps(result.to_dict())


def test_evaluate_with_zero_threshold_flags_everything() -> None:
    result = autodm.evaluate(MESSAGES, LABELS, detector=Detector(threshold=0.0))
    assert (result.tp, result.fp, result.tn, result.fn) == (6, 6, 0, 0)
    assert result.recall == 1.0
    assert result.fpr == 1.0
    assert result.precision == 0.5


def test_evaluate_reads_sources_as_the_command_line_does() -> None:
    # Regression: sources were passed through str(), so a gap in a column became a source
    # named "None" or "nan", and a lone surrogate reached to_dict() unwritable.
    missing = [None, "", float("nan"), np.float32("nan")]
    sources = [*missing, 7, np.int64(7), "7", *(["tw"] * 5)]
    result = autodm.evaluate(MESSAGES, LABELS, sources=sources)
    assert {name: row["n"] for name, row in result.by_source.items()} == {
        "all": 4,
        "7": 3,
        "tw": 5,
    }
    for bad, match in ((True, "must be a str or an int"), ("\ud800", "lone surrogate")):
        with pytest.raises(InvalidInputError, match=match):
            autodm.evaluate(MESSAGES, LABELS, sources=[*sources[:-1], bad])


@pytest.mark.parametrize("name", ["a\x00", "\x00", "a\x00b"])
def test_a_source_name_holding_a_nul_is_refused(no_fit: None, name: str) -> None:
    # Regression: numpy drops the trailing NULs of the names it compares, so "a" and
    # "a\x00" were counted as one source, under one of their names.
    sources = ["a"] * 11 + [name]
    for call in (autodm.evaluate, autodm.train):
        with pytest.raises(InvalidInputError, match=r"`sources\[11\]` holds a NUL character"):
            call(MESSAGES, LABELS, sources=sources)


def test_evaluate_by_source() -> None:
    sources = ["tw"] * 3 + ["ig"] * 3 + ["sms"] * 6
    detector = Detector(threshold=0.5)
    result = autodm.evaluate(MESSAGES, LABELS, detector=detector, sources=sources)
    assert set(result.by_source) == {"tw", "ig", "sms"}
    assert {type(name) for name in result.by_source} == {str}  # not numpy's str_
    total = 0
    for name, row in result.by_source.items():
        rows = [i for i, s in enumerate(sources) if s == name]
        y = [LABELS[i] == "automated" for i in rows]
        flagged = [detector.classify(MESSAGES[i]).probability >= 0.5 for i in rows]
        assert row["n"] == len(rows)
        assert row["automated"] == sum(y)
        assert row["human"] == len(rows) - sum(y)
        caught = sum(f and a for f, a in zip(flagged, y, strict=True))
        if sum(y):
            assert row["recall"] == caught / sum(y)
        else:
            assert math.isnan(row["recall"])
        total += row["n"]
    assert total == len(MESSAGES)
    assert math.isnan(result.by_source["sms"]["recall"])
    assert math.isnan(result.by_source["tw"]["fpr"])


def test_evaluate_threshold_table() -> None:
    result = autodm.evaluate(MESSAGES, LABELS)
    thresholds = [row["threshold"] for row in result.thresholds]
    assert thresholds == [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99]
    recalls = [row["recall"] for row in result.thresholds]
    assert recalls == sorted(recalls, reverse=True)


def test_evaluate_one_class_has_nan_rates() -> None:
    result = autodm.evaluate(HUMAN, ["human"] * len(HUMAN))
    assert math.isnan(result.recall)
    assert math.isnan(result.roc_auc)
    assert result.tp == result.fn == 0


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        ((MESSAGES, LABELS[:-1]), {}),
        ((MESSAGES, [*LABELS[:-1], "maybe"]), {}),
        ((MESSAGES, LABELS), {"sources": ["a"]}),
        ((MESSAGES, LABELS, [None]), {}),
        (("one message", ["human"]), {}),
    ],
)
def test_evaluate_refuses_bad_input(args: tuple, kwargs: dict) -> None:
    with pytest.raises(InvalidInputError):
        autodm.evaluate(*args, **kwargs)


def _evaluation_of(probabilities: list[float], labels: list[int]) -> Evaluation:
    return Evaluation(
        n=len(labels),
        threshold=0.5,
        tp=0,
        fp=0,
        tn=0,
        fn=0,
        roc_auc=float("nan"),
        probabilities=tuple(probabilities),
        labels=tuple(labels),
    )


@given(
    st.lists(
        st.tuples(st.floats(0.0, 1.0), st.integers(0, 1)),
        min_size=1,
        max_size=60,
    ).filter(lambda rows: any(label == 0 for _, label in rows)),
    st.floats(0.0, 1.0),
)
def test_threshold_for_is_the_lowest_that_holds_the_rate(
    rows: list[tuple[float, int]], fpr: float
) -> None:
    probabilities = [p for p, _ in rows]
    labels = [label for _, label in rows]
    human = np.array([p for p, label in rows if label == 0])
    # The documented bound, floor(fpr * h), with fpr read as the decimal it is written as.
    allowed = int(Decimal(repr(fpr)) * human.size)
    threshold = _evaluation_of(probabilities, labels).threshold_for(fpr)
    assert 0.0 <= threshold <= 1.0
    flagged = int(np.sum(human >= threshold))
    # The cap at 1.0 is the one place the rate can be exceeded: humans scored exactly 1.0.
    assert flagged <= allowed or np.all(human[human >= threshold] == 1.0)
    if threshold > 0.0:
        # Any lower threshold flags one human message too many.
        assert int(np.sum(human >= np.nextafter(threshold, -np.inf))) > allowed


def test_threshold_for_holds_the_rate_on_the_messages_it_was_set_on() -> None:
    human = [*HUMAN, "Thanks for the follow, Kenji! Loved your talk at the meetup"]
    result = autodm.evaluate(
        [*human, *AUTOMATED], ["human"] * len(human) + ["automated"] * len(AUTOMATED)
    )
    for fpr in (0.0, 0.2, 0.5):
        threshold = result.threshold_for(fpr)
        at = autodm.evaluate(human, ["human"] * len(human), detector=Detector(threshold=threshold))
        assert at.fpr <= fpr
    assert result.threshold_for(1.0) == 0.0


def test_threshold_for_allows_exactly_the_share_asked_for() -> None:
    # 0.29 * 100 is 28.999999999999996 in floating point; 29 of 100 may still be flagged.
    probabilities = [i / 100 for i in range(100)]
    threshold = _evaluation_of(probabilities, [0] * 100).threshold_for(0.29)
    assert sum(p >= threshold for p in probabilities) == 29
    # Found in review: an absolute tolerance on the product let 0.24999999995 of 20, which
    # is 4.999999999, flag 5.
    probabilities = [i / 20 for i in range(20)]
    threshold = _evaluation_of(probabilities, [0] * 20).threshold_for(0.24999999995)
    assert sum(p >= threshold for p in probabilities) == 4


@pytest.mark.parametrize(
    "fpr", [-0.1, 1.5, float("nan"), float("inf"), 10**400, True, "0.01", None]
)
def test_threshold_for_refuses_a_rate_outside_0_1(fpr: object) -> None:
    result = autodm.evaluate(HUMAN, ["human"] * len(HUMAN))
    with pytest.raises(InvalidInputError, match=r"\[0, 1\]"):
        result.threshold_for(fpr)  # type: ignore[arg-type]


def test_threshold_for_needs_human_messages() -> None:
    result = autodm.evaluate(AUTOMATED, ["automated"] * len(AUTOMATED))
    with pytest.raises(InvalidInputError, match="human"):
        result.threshold_for(0.01)


def test_evaluate_measures_each_named_operating_point() -> None:
    result = autodm.evaluate(MESSAGES, LABELS)
    bundle = autodm.load_bundle()
    assert set(result.operating_points) == set(bundle.operating_points)
    for name, point in result.operating_points.items():
        expected = bundle.operating_points[name]
        assert point["threshold"] == expected["threshold"]
        assert point["expected_recall"] == expected["recall"]
        assert point["expected_fpr"] == expected["fpr"]
        at_preset = autodm.evaluate(MESSAGES, LABELS, detector=autodm.Detector(threshold=name))
        assert (point["recall"], point["fpr"]) == (at_preset.recall, at_preset.fpr)
    assert result.to_dict()["operating_points"] == {
        name: dict(point) for name, point in result.operating_points.items()
    }


def test_evaluation_names_keep_their_old_import_path_and_old_pickles_load() -> None:
    # Evaluation, Mistake, evaluate and labels_to_array lived in autodm._training until
    # evaluation got its own module; api.md named that path for type hints.
    import pickle

    from autodm import _checks, _evaluation

    assert training.Evaluation is _evaluation.Evaluation
    assert training.Mistake is _evaluation.Mistake
    assert training.evaluate is _evaluation.evaluate
    assert training.labels_to_array is _checks.labels_to_array
    with pytest.raises(AttributeError, match="no_such_name"):
        training.no_such_name  # noqa: B018
    result = autodm.evaluate(
        ["see you at 6", "Thx 4 the follow!! Like my FB page: bit.ly/x1Ab", "ok"],
        ["human", "human", "automated"],
    )
    # Protocol 2 names classes as "module\nname", so the module can be rewritten in place.
    old = pickle.dumps(result, protocol=2).replace(b"autodm._evaluation\n", b"autodm._training\n")
    assert b"autodm._training\nEvaluation" in old
    assert b"autodm._training\nMistake" in old
    loaded = pickle.loads(old)
    assert type(loaded) is _evaluation.Evaluation
    assert loaded.to_dict() == result.to_dict()
    assert loaded.false_positives


def test_float_and_numpy_labels_are_read_and_a_bad_label_is_named_by_position() -> None:
    assert labels_to_array(
        [1.0, 0.0, np.float32(1.0), "1.0", " 0.0 ", np.bool_(True)]
    ).tolist() == [
        1,
        0,
        1,
        1,
        0,
        1,
    ]
    for bad in ([0.5], [float("nan")], ["2.0"]):
        with pytest.raises(InvalidInputError, match=r"labels\[0\]"):
            labels_to_array(bad)
    with pytest.raises(InvalidInputError, match=r"labels\[2\]: .*'automted'"):
        autodm.evaluate(["a", "b", "c"], ["human", "automated", "automted"])


def test_the_same_evaluation_twice_compares_equal_even_with_nan_rates() -> None:
    # Regression: a source of one class has a NaN recall or false-positive rate, and NaN is
    # not equal to itself, so an evaluation was unequal to its own copy; hash() raised on
    # its dicts deep inside instead of saying it is unhashable.
    import pickle

    sources = ["tw"] * 3 + ["ig"] * 3 + ["sms"] * 6
    first = autodm.evaluate(MESSAGES, LABELS, sources=sources)
    assert math.isnan(first.by_source["sms"]["recall"])
    assert first == autodm.evaluate(MESSAGES, LABELS, sources=sources)
    assert first == pickle.loads(pickle.dumps(first))
    assert first != autodm.evaluate(MESSAGES, LABELS)
    assert first != autodm.evaluate(
        MESSAGES, LABELS, sources=sources, detector=Detector(threshold=0.9)
    )
    humans = [m for m, label in zip(MESSAGES, LABELS, strict=True) if label == "human"]
    alone = autodm.evaluate(humans, ["human"] * len(humans))
    assert math.isnan(alone.roc_auc)
    assert alone == autodm.evaluate(humans, ["human"] * len(humans))
    with pytest.raises(TypeError, match="unhashable type: 'Evaluation'"):
        hash(first)


# ---------------------------------------------------------------------------------------------
# Cross-validation groups
# ---------------------------------------------------------------------------------------------


def test_a_message_without_a_group_is_a_group_of_its_own() -> None:
    pd = pytest.importorskip("pandas")
    from autodm._checks import group_codes

    codes = group_codes([None, "a", math.nan, "", "a", 1, "1", pd.NA, np.float32("nan"), "b"])
    named = codes[[1, 4, 5, 6, 9]].tolist()
    assert named[0] == named[1]  # "a" twice
    assert named[2] == named[3]  # 1 and "1": ids compare as their str
    assert len(set(named)) == 3
    missing = codes[[0, 2, 3, 7, 8]].tolist()
    assert len(set(missing)) == len(missing)
    assert not set(missing) & set(named)


@settings(deadline=None)  # the first example imports scikit-learn
@given(st.lists(st.text(st.characters(exclude_characters="\x00"), max_size=4), max_size=40))
def test_named_groups_fall_in_the_folds_their_names_would_give(names: list[str]) -> None:
    """Numbered in the order of their names, so that a model trained before groups were
    numbered gets the same folds again."""
    from sklearn.model_selection import StratifiedGroupKFold

    from autodm._checks import group_codes

    names = [n or "x" for n in names] * 2
    y = np.array([0, 1] * (len(names) // 2))
    if len(set(names)) < 2:
        return
    splitter = StratifiedGroupKFold(2, shuffle=True, random_state=0)
    X = np.zeros((len(names), 1))
    by_name = [t.tolist() for _, t in splitter.split(X, y, groups=np.asarray(names))]
    by_code = [t.tolist() for _, t in splitter.split(X, y, groups=group_codes(names))]
    assert by_code == by_name


def test_messages_of_unknown_senders_are_not_pooled_into_one_fold(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Regression: every None became the group "None", so a corpus whose senders were half
    unknown put half its messages into one fold (and one class wholly unknown was refused
    as one group)."""
    seen: list[list[int]] = []
    real = fitting._out_of_fold

    def spy(learner, groups, cv, cv_repeats, random_state):  # type: ignore[no-untyped-def]
        from sklearn.model_selection import StratifiedGroupKFold

        splitter = StratifiedGroupKFold(n_splits=cv, shuffle=True, random_state=random_state)
        if groups is None:  # not grouped: plain stratified folds
            return real(learner, groups, cv, cv_repeats, random_state)
        if not isinstance(groups, np.ndarray):  # as autodm before groups were numbered
            groups = np.asarray([str(g) for g in groups])
        seen.extend(t.tolist() for _, t in splitter.split(learner.design.dense, learner.y, groups))
        return real(learner, groups, cv, cv_repeats, random_state)

    monkeypatch.setattr(training, "_out_of_fold", spy)
    messages = MESSAGES * 4
    labels = LABELS * 4
    # Half the people unknown; the others, and the bots, known.
    groups = [
        f"bot{i // 2}" if label == "automated" else None if i % 2 else f"person{i}"
        for i, label in enumerate(labels)
    ]
    autodm.train(messages, labels, groups=groups)
    assert max(len(fold) for fold in seen) <= len(messages) // 5 + 2
    # No message with a group: the folds are not grouped, and the bundle says so.
    assert not autodm.train(messages, labels, groups=[None] * 48).manifest["training"]["grouped"]
    # Every person unknown: as many groups as people, not one.
    seen.clear()
    autodm.train(messages, labels, groups=[g if g and g[0] == "b" else None for g in groups])
    assert max(len(fold) for fold in seen) <= len(messages) // 5 + 2


def test_missing_values_of_a_column_read_alike_in_every_option() -> None:
    """A DataFrame's column holds NaN, NaT or pd.NA where a value is missing: a missing
    source is "all" in threshold_sources and calibration_sources as in sources, a missing
    bank id or context is none. Regression: .unique() of a source column gave "nan", which
    named no source, and the messages without one silently left calibration."""
    pd = pytest.importorskip("pandas")
    sources = pd.Series(["sms", None, "tweets"] * 4, dtype=object)
    listed = autodm.train(
        MESSAGES,
        LABELS,
        cv=3,
        sources=sources,
        threshold_sources=sources.unique(),
        calibration_sources=sources.unique(),
    )
    spelt = autodm.train(
        MESSAGES,
        LABELS,
        cv=3,
        sources=sources,
        threshold_sources=["sms", "all", "tweets"],
        calibration_sources=["sms", "all", "tweets"],
    )
    assert listed.manifest["training"]["calibration_messages"] == len(MESSAGES)
    assert listed.manifest["operating_points"] == spelt.manifest["operating_points"]
    nat = autodm.train(MESSAGES, LABELS, cv=3, sources=["sms", pd.NaT, "tweets"] * 4)
    assert set(nat.manifest["metrics"]["out_of_fold"]["by_source"]) == {"sms", "all", "tweets"}

    plain = autodm.train(MESSAGES, LABELS, cv=3)
    for empty in (math.nan, pd.NA, pd.NaT):
        gaps = autodm.train(MESSAGES, LABELS, [empty] * 12, cv=3, bank_ids=[empty] * 12)
        assert np.array_equal(gaps.coef, plain.coef)
    assert np.array_equal(autodm.train(MESSAGES, LABELS, cv=3, bank_ids=[""] * 12).coef, plain.coef)
    ids = [None] * 11 + ["no-such-template"]
    with pytest.raises(InvalidInputError, match=r"bank_ids\[11\]` names no template"):
        autodm.train(MESSAGES, LABELS, bank_ids=ids)


def test_sample_weight_from_any_array_of_numbers() -> None:
    """numpy, pandas and pyarrow arrays are checked whole (a review found the element
    check refused a pyarrow array, and took seconds for a million weights)."""
    pd = pytest.importorskip("pandas")
    weights = [1.0, 2.0, 0.5] * 4
    plain = autodm.train(MESSAGES, LABELS, cv=3, sample_weight=weights)
    columns: list[Any] = [
        np.array(weights, dtype=np.float32),
        pd.Series(weights, index=range(100, 112)),
        (w for w in weights),
        [int(w) if w == int(w) else w for w in weights],
    ]
    try:
        import pyarrow as pa

        columns.append(pa.array(weights))
    except ImportError:
        pass
    for column in columns:
        assert np.array_equal(
            autodm.train(MESSAGES, LABELS, cv=3, sample_weight=column).coef, plain.coef
        )


# Thresholds for new messages: a tail fitted to each source's highest human scores.


def _highest_but(scores: np.ndarray, fpr: float) -> float:
    """The (floor(fpr * n) + 1)-th highest score, which the threshold of before sat just
    above."""
    return float(np.sort(scores)[::-1][math.floor(fpr * scores.size)])


def test_a_tail_threshold_is_steadier_than_the_few_highest_scores() -> None:
    # A logistic model's log-odds: the 0.1 % point of new messages is log(999). Over 300
    # samples of 1,500 the fitted tail lands nearer it than the second highest score does,
    # and moves at most 0.6 times as much.
    truth = math.log(999)
    tail, highest = [], []
    for seed in range(300):
        scores = np.random.default_rng(seed).logistic(size=1500)
        estimate = fitting._tail_log_odds(scores, 0.001)
        assert estimate is not None
        tail.append(estimate)
        highest.append(_highest_but(scores, 0.001))
    tail_a, highest_a = np.array(tail), np.array(highest)
    assert abs(tail_a.mean() - truth) < 0.15
    assert tail_a.std() < 0.6 * highest_a.std()
    assert np.sqrt(np.mean((tail_a - truth) ** 2)) < np.sqrt(np.mean((highest_a - truth) ** 2))


@settings(max_examples=60, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.integers(300, 2_000),
    st.floats(0.05, 20.0),
    st.floats(-30.0, 30.0),
    st.sampled_from([0.0005, 0.001, 0.005, 0.02]),
)
def test_a_tail_threshold_moves_with_the_scores_and_the_rate(
    seed: int, n: int, scale: float, shift: float, fpr: float
) -> None:
    scores = np.random.default_rng(seed).logistic(size=n)
    estimate = fitting._tail_log_odds(scores, fpr)
    assert estimate is not None
    moved = fitting._tail_log_odds(scale * scores + shift, fpr)
    assert moved == pytest.approx(scale * estimate + shift, rel=1e-9, abs=1e-9)
    assert fitting._tail_log_odds(scores, fpr / 2) > estimate  # type: ignore[operator]
    assert estimate >= float(
        np.partition(scores, n - math.floor(0.1 * n) - 1)[-math.floor(0.1 * n) - 1]
    )


@pytest.mark.parametrize(
    ("n", "fpr", "fitted"),
    [
        (299, 0.001, False),  # a tail of 29 scores: too few
        (300, 0.001, True),
        (1_000, 0.0, False),  # no rate to read
        (1_000, 0.1, False),  # the tail's own share: the scores say it
        (1_000, 0.0999, True),
    ],
)
def test_a_tail_is_fitted_only_where_it_can_hold(n: int, fpr: float, fitted: bool) -> None:
    scores = np.random.default_rng(0).logistic(size=n)
    assert (fitting._tail_log_odds(scores, fpr) is not None) is fitted
    assert (fitting._tail_size(n, fpr) is not None) is fitted


def test_a_flat_tail_falls_back_to_the_highest_scores() -> None:
    scores = np.r_[np.zeros(850), np.full(150, 3.0)]  # the tail: 101 scores of 3
    assert fitting._tail_log_odds(scores, 0.01) is None
    probs = 1.0 / (1.0 + np.exp(-scores))
    y = np.zeros(scores.size, dtype=np.int8)
    assert fitting._threshold_for(probs, y, 0.01, log_odds=scores) == fitting._threshold_for(
        probs, y, 0.01
    )
    assert fitting._threshold_for(probs, y, 0.01) > probs.max()


def test_training_reads_the_thresholds_of_a_large_source_from_its_tail(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 170 human messages of one source, two splits: 340 scores, a tail of 34.
    human = [
        f"hey, are we still on for {d} at {h}? bring the {t}"
        for d in ("monday", "tuesday", "friday", "sunday", "saturday")
        for h in range(1, 18)
        for t in ("map", "rope")
    ][:170]
    auto = [f"Thanks for the follow {n}! Grab my free e-book at bit.ly/x{n}" for n in range(40)]
    texts = [*auto, *human]
    labels = ["automated"] * len(auto) + ["human"] * len(human)
    sources = ["a"] * len(texts)
    fitted: list[np.ndarray] = []

    def spy(scores: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        fitted.append(scores.copy())
        return _platt(scores, y)

    monkeypatch.setattr(training, "_platt", spy)
    with pytest.warns(ThinDataWarning) as notes:
        bundle, _ = train_with_scores(
            texts, labels, sources=sources, cv=3, cv_repeats=2, buckets=256, target_fpr=0.005
        )
    (note,) = [str(note.message) for note in notes]
    assert note.startswith("source 'a' has 170 human messages, too few to measure")
    assert "a tail fitted to their highest scores" in note
    (pooled,) = fitted
    slope, offset = bundle.calibration
    log_odds = slope * pooled + offset
    y = np.tile(labels_to_array(labels), 2)
    cut = np.tile(np.asarray(sources), 2)
    a = (cut == "a") & (y == 0)
    tail = fitting._tail_log_odds(log_odds[a], 0.005)
    assert tail is not None
    assert bundle.threshold == pytest.approx(1.0 / (1.0 + math.exp(-tail)), rel=1e-12)
    assert bundle.manifest["training"]["threshold_tail"] == {"share": 0.1, "min_tail": 30}
    probs = 1.0 / (1.0 + np.exp(-log_odds))
    assert bundle.threshold != fitting._threshold_for(probs, y, 0.005, cut)


def test_a_tail_threshold_keeps_the_small_probabilities() -> None:
    # Found in review: the logistic as 0.5 * (1 + tanh(t / 2)) rounded to 0.0 under about
    # -37, a threshold that flags everything.
    log_odds = np.random.default_rng(0).logistic(size=1000) - 60
    probs = 1.0 / (1.0 + np.exp(-log_odds))
    y = np.zeros(log_odds.size, dtype=np.int8)
    tailed = fitting._threshold_for(probs, y, 0.01, log_odds=log_odds)
    assert tailed > 0.0
    assert tailed == pytest.approx(fitting._threshold_for(probs, y, 0.01), rel=0.5)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(300, 3_000), st.data())
def test_a_stricter_rate_never_gets_a_lower_threshold(
    seed: int, n: int, data: st.DataObject
) -> None:
    # Found in review: just under the tail's own share (k / n) the tail gave a threshold
    # one ulp under the rule of before at k / n.
    log_odds = np.random.default_rng(seed).logistic(size=n)
    probs = 1.0 / (1.0 + np.exp(-log_odds))
    y = np.zeros(n, dtype=np.int8)
    edge = math.floor(0.1 * n) / n
    rates = sorted(
        data.draw(
            st.lists(
                st.sampled_from([0.0005, 0.001, 0.02, float(np.nextafter(edge, 0)), edge, 0.3]),
                min_size=2,
                max_size=2,
            )
        )
    )
    stricter, looser = (fitting._threshold_for(probs, y, r, log_odds=log_odds) for r in rates)
    assert stricter >= looser
