"""Fitting: the constrained logistic fit, out-of-fold scores, Platt scaling, thresholds and AUC."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Final

import numpy as np
from numpy.typing import NDArray

from ._checks import source_groups
from ._tfidf import TfidfFit, averaged
from ._tfidf import fit as fit_tfidf
from .errors import InvalidInputError

if TYPE_CHECKING:  # evaluate uses this module, and needs no design
    from ._design import _Design

#: Add-this smoothing of the weighted counts in an n-gram bucket's log-count ratio
#: (``ratio_power``), in units of the class-balanced sample weights (1 a message on average).
RATIO_SMOOTHING: Final = 0.1

#: The share of a source's highest human scores that its tail is fitted to
#: (:func:`_tail_log_odds`), and the fewest scores that share must hold for a fit.
TAIL_SHARE: Final = 0.1
MIN_TAIL: Final = 30


def _threshold_for(
    probs: NDArray[np.float64],
    y: NDArray[np.int8],
    fpr: float,
    sources: NDArray[np.str_] | None = None,
    log_odds: NDArray[np.float64] | None = None,
) -> float:
    """The threshold for a false-positive rate of ``fpr``: the smallest whose rate on these
    messages is at most ``fpr``, unless ``log_odds`` are given (below).

    With ``sources``, the rate must hold on every source of human messages
    separately, not only on their pool: a model may not buy a low overall
    rate with one corpus of people it flags often.

    With ``log_odds`` (the same messages' scores as log-odds), the rate is that expected
    of new messages of each source: its tail is fitted where :func:`_tail_log_odds` can
    fit one, instead of the threshold sitting just above the few highest scores.
    """
    humans = y == 0
    if sources is None:
        groups = [humans]
    else:
        groups = [humans & (sources == s) for s in np.unique(sources[humans])]
    threshold = 0.0
    for group in groups:
        tail = None if log_odds is None else _tail_log_odds(log_odds[group], fpr)
        if tail is not None:
            # Never under the rule of a rate of the tail's own share (where the fit stops),
            # so a stricter rate never gets a lower threshold.
            scores = probs[group]
            k = _tail_size(scores.size, fpr)
            assert k is not None  # a tail was fitted
            start = np.partition(scores, scores.size - k - 1)[scores.size - k - 1]
            threshold = max(threshold, _logistic(tail), float(np.nextafter(start, np.inf)))
            continue
        negatives = np.sort(probs[group])[::-1]
        allowed = _allowed(fpr, len(negatives))
        if allowed < len(negatives):
            # Strictly above the (allowed+1)-th highest human score.
            threshold = max(threshold, float(np.nextafter(negatives[allowed], np.inf)))
    return min(1.0, threshold)


def _logistic(log_odds: float) -> float:
    """P from log-odds, as the calibration computes it, without losing the small ones."""
    if log_odds >= 0:
        return 1.0 / (1.0 + math.exp(-log_odds))
    odds = math.exp(log_odds)
    return odds / (1.0 + odds)


def _tail_size(n: int, fpr: float) -> int | None:
    """How many of ``n`` scores :func:`_tail_log_odds` fits a tail to at ``fpr``, or None
    where it fits none."""
    k = math.floor(TAIL_SHARE * n)
    # Where the rule of before would let fewer than k of them through, read as it reads
    # the rate (``_allowed``): at k or more it sets the threshold itself.
    return k if k >= MIN_TAIL and fpr > 0 and _allowed(fpr, n) < k else None


def _tail_log_odds(log_odds: NDArray[np.float64], fpr: float) -> float | None:
    """The log-odds that a share ``fpr`` of new human messages like these would score
    above, from the tail of their scores; None where no tail is fitted.

    A threshold just above the few highest scores moves with each of them: on the
    bundled model's data its log-odds at 0.1 % had a spread (standard deviation) of 0.65
    over halves of the human messages, 0.31 over fold splits. Peaks over a threshold
    instead (Pickands 1975; Davison and Smith 1990): the highest :data:`TAIL_SHARE` of the
    scores, as excesses over the next one, are fitted an exponential tail (a logistic
    model's log-odds have one), whose maximum-likelihood scale is the mean excess, and
    the tail is read at ``fpr``: 0.37 and 0.12 there, at the same false-positive rate on
    the other half (docs/experiments.md, "A steadier threshold: each source's tail").

    None where the fit would not hold: fewer than :data:`MIN_TAIL` scores in the tail,
    a rate of 0 or one at least the tail's share (read among the scores themselves), or
    a tail whose scores are all equal.
    """
    n = log_odds.size
    k = _tail_size(n, fpr)
    if k is None:
        return None
    top = np.partition(log_odds, n - k - 1)[n - k - 1 :]  # the k + 1 highest
    start = float(top.min())
    scale = float(np.sum(top - start)) / k
    if not (scale > 0 and math.isfinite(scale)):
        return None
    return start + scale * math.log(k / (n * fpr))


def _allowed(fpr: float, n: int) -> int:
    """floor(fpr * n), reading ``fpr`` as the decimal it is written as: 0.29 * 100 is 29
    (in floating point 28.999999999999996), and 0.24999999995 * 20 is 4, not 5 as an
    absolute tolerance on the product made it."""
    return math.floor(Fraction(repr(float(fpr))) * n)


@dataclass(frozen=True, slots=True)
class _Fit:
    coef: NDArray[np.float64]
    intercept: float
    ngram_coef: NDArray[np.float64] | None
    tfidf: TfidfFit | None = None


def _ratio_scale(
    grams: Any, y: NDArray[np.int8], weight: NDArray[np.float64], power: float
) -> NDArray[np.float64]:
    """A scale per n-gram bucket: |naive-Bayes log-count ratio| ** ``power``.

    The ratio is that of NBSVM (Wang and Manning, "Baselines and Bigrams", ACL 2012): the
    log of how much more often, by weight, the bucket occurs in automated messages than in
    human ones, add-:data:`RATIO_SMOOTHING` smoothed. Scaling a column by it before an L2 fit
    regularises the buckets that tell the classes apart less than those that both share.
    The scales average 1 over the buckets the rows hold, so the block's overall scale (and
    ``ngram_scale``) keeps its meaning.
    """
    present = grams.copy().tocsr()
    present.data[:] = 1.0
    auto = RATIO_SMOOTHING + present[y == 1].T @ weight[y == 1]
    human = RATIO_SMOOTHING + present[y == 0].T @ weight[y == 0]
    ratio = np.abs(np.log(auto / auto.sum()) - np.log(human / human.sum()))
    scale = np.asarray(ratio**power, dtype=np.float64)
    seen = np.asarray(present.sum(axis=0)).ravel() > 0
    mean = float(scale[seen].mean()) if seen.any() else 0.0
    return scale / mean if mean > 0 else np.ones_like(scale)


def _fit(
    dense: NDArray[np.float64],
    grams: Any,
    y: NDArray[np.int8],
    weight: NDArray[np.float64],
    c: float,
    ngram_scale: float,
    signal_scale: float,
    positive: NDArray[np.bool_],
    ratio_power: float = 0.0,
) -> _Fit:
    """L2 logistic regression; features marked ``positive`` may not get a negative weight.

    The sign constraint is met the simple way: a feature that comes out negative
    is dropped (its weight fixed at 0) and the model refitted, until none does.
    With ``ratio_power`` > 0 the n-gram columns are scaled by :func:`_ratio_scale`,
    computed on these rows only, and the scale is folded back into the n-gram weights
    (a bundle holds plain weights; inference does not change).
    """
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression

    ratio = None
    if ngram_scale > 0 and ratio_power > 0:
        ratio = _ratio_scale(grams, y, weight, ratio_power)
        grams = grams @ sparse.diags(ratio)
    n = dense.shape[1]
    keep = np.ones(n, dtype=bool)
    while True:
        blocks = [sparse.csr_matrix(dense * (keep * signal_scale))]
        if ngram_scale > 0:
            blocks.append(grams * ngram_scale)
        design = sparse.hstack(blocks, format="csr")
        model = LogisticRegression(C=c, max_iter=5000, solver="liblinear")
        model.fit(design, y, sample_weight=weight)
        coef = model.coef_[0]
        wrong = positive & keep & (coef[:n] < 0)
        if not wrong.any():
            break
        keep &= ~wrong
    ngram = coef[n:] * ngram_scale if ngram_scale > 0 else None
    if ngram is not None and ratio is not None:
        ngram = ngram * ratio
    return _Fit(coef[:n] * keep * signal_scale, float(model.intercept_[0]), ngram)


def _balanced(y: NDArray[np.int8], weight: NDArray[np.float64]) -> NDArray[np.float64]:
    """Rescale weights so each class carries half of the total."""
    out = weight.astype(np.float64).copy()
    for cls in (0, 1):
        mask = y == cls
        out[mask] *= 0.5 * len(y) / out[mask].sum()
    return out


@dataclass(frozen=True, slots=True)
class _Learner:
    """Fits the model on some rows of the design, with train's options, and scores rows."""

    design: _Design
    y: NDArray[np.int8]
    weight: NDArray[np.float64]
    C: float
    ngram_scale: float
    signal_scale: float
    ratio_power: float
    #: The messages' TF-IDF n-gram counts (autodm._tfidf.count_matrix) and the weight of
    #: the TF-IDF model's log-odds in the average; None and 0 for no TF-IDF model.
    tfidf_counts: Any = None
    tfidf_weight: float = 0.0

    def fit(self, rows: NDArray[np.intp]) -> _Fit:
        design, y = self.design, self.y
        z = (design.dense[rows] - design.mean) / design.std
        weight = _balanced(y[rows], self.weight[rows])
        fit = _fit(
            z,
            design.grams[rows],
            y[rows],
            weight,
            self.C,
            self.ngram_scale,
            self.signal_scale,
            design.positive,
            self.ratio_power,
        )
        if self.tfidf_counts is None:
            return fit
        tfidf = fit_tfidf(self.tfidf_counts[rows], y[rows], weight)
        return _Fit(fit.coef, fit.intercept, fit.ngram_coef, tfidf)

    def decision(self, model: _Fit, rows: NDArray[np.intp]) -> NDArray[np.float64]:
        z = (self.design.dense[rows] - self.design.mean) / self.design.std
        out = z @ model.coef + model.intercept
        if model.ngram_coef is not None:
            out = out + self.design.grams[rows] @ model.ngram_coef
        if model.tfidf is not None:
            out = averaged(out, self.tfidf_weight, self.tfidf_counts[rows], model.tfidf)
        return np.asarray(out, dtype=np.float64)


def _out_of_fold(
    learner: _Learner,
    group_array: NDArray[np.int64] | None,
    cv: int,
    cv_repeats: int,
    random_state: int,
) -> NDArray[np.float64]:
    """Every message's out-of-fold decision value, a row for each repeat of the split;
    ``group_array`` holds each message's group as an int (``_checks.group_codes``)."""
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

    dense, y = learner.design.dense, learner.y
    every_split = []
    for repeat in range(cv_repeats):
        seed = random_state + repeat
        if group_array is not None:
            splitter: Any = StratifiedGroupKFold(n_splits=cv, shuffle=True, random_state=seed)
            every_split.append(list(splitter.split(dense, y, groups=group_array)))
        else:
            splitter = StratifiedKFold(n_splits=cv, shuffle=True, random_state=seed)
            every_split.append(list(splitter.split(dense, y)))
    # Before any fit, which may take minutes: each fit needs weight on both classes.
    for splits in every_split:
        for fold, (train_rows, _) in enumerate(splits):
            _check_weighed(y[train_rows], learner.weight[train_rows], fold, cv)
    oof = np.zeros((cv_repeats, len(y)))
    for repeat, splits in enumerate(every_split):
        for train_rows, test_rows in splits:
            oof[repeat, test_rows] = learner.decision(learner.fit(train_rows), test_rows)
    return oof


def _check_weighed(y: NDArray[np.int8], weight: NDArray[np.float64], fold: int, cv: int) -> None:
    """Refuse a training part of the split in which a class weighs nothing in all."""
    for cls, name in ((1, "automated"), (0, "human")):
        if not weight[y == cls].sum() > 0:
            raise InvalidInputError(
                f"`sample_weight` is 0 for every {name} message that fold {fold + 1} of {cv} "
                "trains on, so that fold cannot learn the class: give a positive weight to "
                f"{name} messages of more groups (at least 2 of the {cv} folds)."
            )


def _platt(scores: NDArray[np.float64], y: NDArray[np.int8]) -> tuple[float, float]:
    """Class-balanced Platt scaling: P(automated) at equal priors, fitted on out-of-fold scores."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=1e4, class_weight="balanced", max_iter=1000)
    model.fit(scores.reshape(-1, 1), y)
    return float(model.coef_[0, 0]), float(model.intercept_[0])


def _auc(scores: NDArray[np.float64], y: NDArray[np.int8]) -> float:
    """ROC-AUC by the rank-sum formula (ties count half)."""
    pos = scores[y == 1]
    neg = scores[y == 0]
    if not len(pos) or not len(neg):
        return float("nan")
    order = np.argsort(np.concatenate([pos, neg]), kind="mergesort")
    ranks = np.empty(len(order))
    ranks[order] = np.arange(1, len(order) + 1)
    values = np.concatenate([pos, neg])[order]
    # average ranks of ties
    _, start, count = np.unique(values, return_index=True, return_counts=True)
    for s, c in zip(start, count, strict=True):
        if c > 1:
            ranks[order[s : s + c]] = s + (c + 1) / 2
    return float((ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def _per_source(
    probs: NDArray[np.float64],
    y: NDArray[np.int8],
    sources: Sequence[str] | None,
    points: Mapping[str, Mapping[str, float]],
) -> dict[str, dict[str, Any]]:
    """Out-of-fold rates per source: its counts, and at each operating point the recall on
    its automated messages and the false-positive rate on its human ones (each where the
    source has messages of that class).

    ``probs`` holds a row of scores per repeat of the split; the rates are over all of them.
    """
    if sources is None:
        return {}
    out: dict[str, dict[str, Any]] = {}
    for name, rows in source_groups(sources):
        automated = int(y[rows].sum())
        row: dict[str, Any] = {
            "n": len(rows),
            "automated": automated,
            "human": len(rows) - automated,
        }
        for rate, label in (("recall", 1), ("fpr", 0)):
            scores = probs[:, rows[y[rows] == label]]
            if scores.size:
                row[rate] = {
                    point: float(np.mean(scores >= spec["threshold"]))
                    for point, spec in points.items()
                }
        out[name] = row
    return out
