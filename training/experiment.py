"""A fast harness for accuracy experiments: the figures of benchmarks/accuracy.py, same folds.

    python training/experiment.py                 # the bundled recipe, then its per-source table
    python training/experiment.py --compare-handles   # docs/model.md, "Handles"
    python training/experiment.py --seeds         # the recipe on fold seeds 0, 1 and 2
    python training/experiment.py --compare-greetings  # docs/model.md, "Greetings by name"
    python training/experiment.py --compare-ratio  # docs/experiments.md, "N-grams scaled by ..."
    python training/experiment.py --compare-sentences  # docs/experiments.md, "Sentences as rows"
    python training/experiment.py --compare-thanks-question  # "Thank-yous for a follow"
    python training/experiment.py --by-script     # recall by script, docs/model.md
    python training/experiment.py --compare-family courtesy  # own human lines of a family
    python training/experiment.py --compare-family greeting_by_name,business_reply  # of several
    python training/experiment.py --compare-family support_link \
        --candidates training/candidates/support_link.jsonl  # lines not in the recipe

The signals and hashed n-grams of every training row are computed once (and cached in a
``.npz`` beside the data's hash), so a grid over C, the block scales or the row weights
refits the logistic regression only. Figures are on the real messages only, out of fold,
with the folds of ``train_with_scores`` (sender-grouped, 5 folds, ``random_state=0``).
"""

from __future__ import annotations

import hashlib
import re
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from itertools import pairwise
from pathlib import Path
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "training"))

import devdata  # noqa: E402

import autodm._fitting as fitting  # noqa: E402
from autodm import _tfidf as tfidf  # noqa: E402
from autodm._design import CONTEXT_FEATURES, _design  # noqa: E402
from autodm._featurizer import Featurizer  # noqa: E402
from autodm._ngrams import DEFAULT_BUCKETS, DEFAULT_CHAR_SIZES  # noqa: E402
from autodm._text import view  # noqa: E402

REAL = devdata.REAL_HUMAN_SOURCES + devdata.REAL_AUTOMATED_SOURCES
#: Where design matrices are kept between runs, keyed by the rows and the code that made them.
CACHE = Path(tempfile.gettempdir()) / "autodm_design"


@dataclass
class Data:
    rows: list[devdata.Row]
    texts: list[str]
    y: NDArray[np.int8]
    groups: NDArray[np.str_]
    weights: NDArray[np.float64]
    sources: NDArray[np.str_]
    origins: NDArray[np.str_]  # the source a row was made from (devdata.Row.origin)
    features: tuple[str, ...]
    dense: NDArray[np.float64]
    grams: Any  # scipy csr
    positive: NDArray[np.bool_]
    folds: list[tuple[NDArray[np.intp], NDArray[np.intp]]] = field(default_factory=list)
    char_sizes: tuple[int, ...] = DEFAULT_CHAR_SIZES
    _blocks: tuple[Any, Any] | None = field(default=None, repr=False, compare=False)
    _tfidf: Any = field(default=None, repr=False, compare=False)

    def tfidf_counts(self) -> Any:
        """The TF-IDF model's n-gram counts of every row (autodm._tfidf.count_matrix)."""
        if self._tfidf is None:
            self._tfidf = tfidf.count_matrix([tfidf.reading(view(t)) for t in self.texts])
        return self._tfidf

    def ngram_matrix(self, char_weight: float = 1.0) -> Any:
        """The n-gram block with the character n-grams weighed by ``char_weight``."""
        if char_weight == 1.0:
            return self.grams
        if self._blocks is None:
            self._blocks = blocks(self, buckets=self.grams.shape[1])
        word, char = self._blocks
        return (word + char_weight * char).tocsr()


def load(
    rows: list[devdata.Row] | None = None,
    *,
    buckets: int = DEFAULT_BUCKETS,
    char_sizes: tuple[int, ...] | None = None,
    cache: Path | None = CACHE,
) -> Data:
    """Rows, their design matrix and the cross-validation folds of ``train_with_scores``."""
    from sklearn.model_selection import StratifiedGroupKFold

    rows = devdata.training_rows() if rows is None else rows
    if char_sizes is None:  # the bundled recipe's
        bundled = devdata.TRAIN_OPTIONS.get("char_ngrams", DEFAULT_CHAR_SIZES)
        char_sizes = tuple(bundled)  # type: ignore[call-overload]
    texts = [r.text for r in rows]
    y = np.array([r.label == "automated" for r in rows], dtype=np.int8)
    groups = np.array([str(devdata.cv_group(r)) for r in rows])
    featurizer = Featurizer()
    features = tuple(f for f in featurizer.feature_names if f not in CONTEXT_FEATURES)
    bank = [devdata.bank_id(r) for r in rows]
    key = hashlib.sha1(
        repr((texts, bank, buckets, char_sizes, features)).encode() + _source_digest()
    ).hexdigest()[:16]
    path = None if cache is None else cache / f"{key}.npz"
    if path is not None and path.exists():
        saved = np.load(path)
        dense = saved["dense"]
        grams = sparse.csr_matrix(
            (saved["data"], saved["indices"], saved["indptr"]), shape=tuple(saved["shape"])
        )
    else:
        contexts = [None] * len(texts)
        dense, grams, _, _ = _design(
            featurizer, texts, contexts, features, buckets, bank, char_sizes
        )
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            np.savez(
                path,
                dense=dense,
                data=grams.data,
                indices=grams.indices,
                indptr=grams.indptr,
                shape=np.array(grams.shape),
            )
    one_way = {f for e in featurizer.extractors for f in getattr(e, "automation_only", ())}
    data = Data(
        rows=rows,
        texts=texts,
        y=y,
        groups=groups,
        weights=np.array([r.weight for r in rows]),
        sources=np.array([r.source for r in rows]),
        origins=np.array([r.origin for r in rows]),
        features=features,
        dense=dense,
        grams=grams,
        positive=np.array([f in one_way for f in features]),
        char_sizes=char_sizes,
    )
    splitter = StratifiedGroupKFold(n_splits=5, shuffle=True, random_state=0)
    data.folds = list(splitter.split(dense, y, groups=groups))
    return data


def _source_digest() -> bytes:
    """The scorer's feature code: a change to it invalidates the cached design."""
    digest = hashlib.sha1()
    for name in (
        "_model.py",
        "_ngrams.py",
        "_training.py",
        "_evaluation.py",
        "_design.py",
        "_fitting.py",
        "_checks.py",
        "_text.py",
        "_finder.py",
        "_names.py",
        "_obfuscation.py",
        "extractors/cta.py",
        "extractors/links.py",
        "extractors/template.py",
    ):
        digest.update((ROOT / "autodm" / name).read_bytes())
    for name in sorted((ROOT / "autodm" / "data").rglob("*.json")):
        digest.update(name.read_bytes())
    return digest.digest()


def _option(name: str, default: float) -> float:
    return float(devdata.TRAIN_OPTIONS.get(name, default))  # type: ignore[arg-type]


@dataclass(frozen=True)
class Recipe:
    """The bundled model's options (devdata.TRAIN_OPTIONS) unless given."""

    C: float = _option("C", 1.0)
    ngram_scale: float = _option("ngram_scale", 1.0)
    signal_scale: float = _option("signal_scale", 1.0)
    char_weight: float = _option("char_weight", 1.0)
    ratio_power: float = _option("ratio_power", 0.0)
    tfidf_weight: float = _option("tfidf_weight", 0.0)


def oof_scores(
    data: Data,
    recipe: Recipe = Recipe(),
    *,
    weights: NDArray[np.float64] | None = None,
    grams: Any = None,
    dense: NDArray[np.float64] | None = None,
    train_mask: NDArray[np.bool_] | None = None,
) -> NDArray[np.float64]:
    """Out-of-fold decision values of the bundled recipe (optionally with other inputs),
    its TF-IDF model's log-odds averaged in at the recipe's ``tfidf_weight``.

    ``train_mask`` drops rows from every training fold (they are still scored).
    """
    weights = data.weights if weights is None else weights
    grams = data.ngram_matrix(recipe.char_weight) if grams is None else grams
    dense = data.dense if dense is None else dense
    positive = data.positive
    if dense.shape[1] > len(positive):
        positive = np.concatenate([positive, np.zeros(dense.shape[1] - len(positive), bool)])
    mean, std = dense.mean(axis=0), dense.std(axis=0)
    std[std < 1e-9] = 1.0
    z = (dense - mean) / std
    oof = np.zeros(len(data.y))
    for train, test in data.folds:
        if train_mask is not None:
            train = train[train_mask[train]]
        fit = fitting._fit(
            z[train],
            grams[train],
            data.y[train],
            fitting._balanced(data.y[train], weights[train]),
            recipe.C,
            recipe.ngram_scale,
            recipe.signal_scale,
            positive,
            recipe.ratio_power,
        )
        out = z[test] @ fit.coef + fit.intercept
        if fit.ngram_coef is not None:
            out = out + grams[test] @ fit.ngram_coef
        if recipe.tfidf_weight > 0:
            counts = data.tfidf_counts()
            second = tfidf.fit(
                counts[train], data.y[train], fitting._balanced(data.y[train], weights[train])
            )
            out = tfidf.averaged(out, recipe.tfidf_weight, counts[test], second)
        oof[test] = out
    return oof


@dataclass(frozen=True)
class Figures:
    auc: float
    recall_pooled: float
    recall_strict: float
    by_source: dict[str, float]

    def line(self, name: str) -> str:
        s = self.by_source
        fprs = " ".join(f"{100 * s[k]:.2f}" for k in devdata.REAL_HUMAN_SOURCES)
        return (
            f"{name:<42} AUC {self.auc:.4f}  r@1% {self.recall_pooled:.4f}  "
            f"r@0.5%/src {self.recall_strict:.4f}  auto {s['auto_dm']:.3f} "
            f"frag {s['auto_dm_fragment']:.3f}  FPR% {fprs}"
        )


def calibrated(scores: NDArray[np.float64], data: Data) -> NDArray[np.float64]:
    """P(automated) by the Platt scaling of ``train_with_scores``, fitted on the real messages
    as the bundled recipe's is (the thresholds need [0, 1])."""
    real = np.isin(data.sources, REAL)
    slope, offset = fitting._platt(scores[real], data.y[real])
    return np.asarray(1.0 / (1.0 + np.exp(-(slope * scores + offset))))


def figures(scores: NDArray[np.float64], data: Data) -> Figures:
    """Figures of out-of-fold decision values, as benchmarks/accuracy.py computes them."""
    scores = calibrated(scores, data)
    real = np.isin(data.sources, REAL)
    s, y, src = scores[real], data.y[real], data.sources[real]
    pooled = fitting._threshold_for(s, y, 0.01)
    strict = fitting._threshold_for(s, y, 0.005, src)
    by_source = {k: float(np.mean(s[src == k] >= strict)) for k in sorted(set(src))}
    return Figures(
        fitting._auc(s, y),
        float(np.mean(s[y == 1] >= pooled)),
        float(np.mean(s[y == 1] >= strict)),
        by_source,
    )


def cross_fitted_calibration(
    scores: NDArray[np.float64], data: Data, fit_on: NDArray[np.bool_]
) -> tuple[float, float]:
    """Brier score and expected calibration error on the real messages (each class weighing
    half, bins of benchmarks/accuracy.py) of a Platt line fitted, for each fold, on the
    ``fit_on`` rows of the other folds: the calibration's own figures, held out."""
    probs = np.zeros(len(scores))
    for train, test in data.folds:
        slope, offset = fitting._platt(scores[train[fit_on[train]]], data.y[train[fit_on[train]]])
        probs[test] = 1.0 / (1.0 + np.exp(-(slope * scores[test] + offset)))
    real = np.isin(data.sources, REAL)
    brier, error, _ = reliability(probs[real], data.y[real])
    return brier, error


#: Edges of the reliability bins.
BINS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0001)


def reliability(
    p: NDArray[np.float64], y: NDArray[np.int8]
) -> tuple[float, float, list[tuple[str, int, float, float]]]:
    """At equal priors (each class weighing half): the Brier score, the expected calibration
    error (each bin's gap between mean P and observed rate, weighed by its share of the
    weight) and, per non-empty bin of :data:`BINS`, its label, its messages, its mean P and
    its observed rate of automated messages, both weighted the same way."""
    w = np.where(y == 1, 0.5 / max(int(y.sum()), 1), 0.5 / max(int((y == 0).sum()), 1))
    w = w / w.sum()
    bins = []
    error = 0.0
    for low, high in pairwise(BINS):
        inside = (p >= low) & (p < high)
        if inside.any():
            share = float(np.sum(w[inside]))
            mean = float(np.sum(w[inside] * p[inside])) / share
            observed = float(np.sum(w[inside] * y[inside])) / share
            error += share * abs(observed - mean)
            bins.append((f"{low:.2f}-{min(high, 1.0):.2f}", int(inside.sum()), mean, observed))
    return float(np.sum(w * (p - y) ** 2)), error, bins


def default_cut(p: NDArray[np.float64], data: Data, target: float | None = None) -> float:
    """The threshold on calibrated ``p`` that holds ``target`` (the bundled default's, unless
    given) on every real human source."""
    target = _option("target_fpr", 0.005) if target is None else target
    real = np.isin(data.sources, REAL)
    return fitting._threshold_for(p[real], data.y[real], target, data.sources[real])


def strict_threshold(scores: NDArray[np.float64], data: Data) -> float:
    """The calibrated threshold with FPR <= 0.5 % on every real human source."""
    return default_cut(calibrated(scores, data), data, 0.005)


def run(name: str, fn: Callable[[], NDArray[np.float64]], data: Data) -> Figures:
    result = figures(fn(), data)
    print(result.line(name), flush=True)
    return result


def blocks(
    data: Data,
    buckets: int = DEFAULT_BUCKETS,
    char_sizes: tuple[int, ...] | None = None,
    tokens_kind: str | None = None,
) -> tuple[Any, Any]:
    """The word and the character n-gram blocks apart, each L2-normalised by row.

    Their sum is ``data.grams`` (with the data's character sizes and the bundled token
    kind, the defaults), so each block can be scaled or re-normalised on its own; another
    ``tokens_kind`` (one of ``autodm._bundle_checks.NGRAM_TOKENS``) gives the blocks of that kind.
    """
    char_sizes = data.char_sizes if char_sizes is None else char_sizes
    from autodm._design import NGRAM_TOKENS_WRITTEN
    from autodm._model import ngram_tokens
    from autodm._ngrams import _char_ngrams_per_row, _unit_rows, batch_text_features
    from autodm._text import view

    kind = NGRAM_TOKENS_WRITTEN if tokens_kind is None else tokens_kind
    tokens = [ngram_tokens(view(t), kind) for t in data.texts]
    size = len(tokens)
    words = batch_text_features(tokens, buckets, ())
    word = sparse.csr_matrix((words.values, (words.rows, words.ids)), shape=(size, buckets))
    texts = [" " + " ".join(t) + " " for t in tokens]
    rows, ids = _char_ngrams_per_row(texts, buckets, char_sizes)
    char = sparse.csr_matrix((_unit_rows(rows, size), (rows, ids)), shape=(size, buckets))
    return word, char


def damped(block: Any, floor: float) -> Any:
    """Rows of an L2-normalised binary block divided by sqrt(max(n, floor)) instead of
    sqrt(n), n the row's distinct buckets: a short message's few n-grams weigh less."""
    n = np.diff(block.indptr).astype(np.float64)
    factor = np.sqrt(n) / np.sqrt(np.maximum(n, floor))
    factor[n == 0] = 1.0
    return sparse.diags(factor) @ block


#: A figure (or a row of them) of scores, labels and sources: what the draws recompute.
Statistic = Callable[[NDArray[np.float64], NDArray[np.int8], NDArray[np.str_]], Any]


def group_bootstrap(
    statistic: Statistic,
    scores: dict[str, NDArray[np.float64]],
    y: NDArray[np.int8],
    sources: NDArray[np.str_],
    groups: NDArray[np.str_],
    *,
    resamples: int = 1000,
    seed: int = 0,
    strata: NDArray[np.str_] | None = None,
) -> dict[str, NDArray[np.float64]]:
    """``statistic(scores, y, sources)`` of each model's scores on resamples of the sender
    groups, a row of figures for each resample.

    Within each stratum (``strata``, by default the sources), as many groups as it holds
    are drawn with replacement, each with all its messages: one sender's messages rise and
    fall together, so drawing messages one by one would understate the spread (24 groups
    hold the real auto-DMs, one of them half their rows). A statistic that chooses a
    threshold chooses it again on each resample, so the intervals hold the threshold's own
    uncertainty too. Every model is read on the same draws: the difference of two models'
    rows is their paired difference.
    """
    rng = np.random.default_rng(seed)
    layouts = []  # per stratum: its rows ordered by group, each group's start and size
    strata = sources if strata is None else strata
    for stratum in np.unique(strata):
        rows = np.flatnonzero(strata == stratum)
        rows = rows[np.argsort(groups[rows], kind="stable")]
        named = groups[rows]
        starts = np.flatnonzero(np.concatenate([[True], named[1:] != named[:-1]]))
        layouts.append((rows, starts, np.diff(np.append(starts, len(rows)))))
    out: dict[str, list[Any]] = {name: [] for name in scores}
    for _ in range(resamples):
        drawn = []
        for rows, starts, sizes in layouts:
            picks = rng.integers(0, len(starts), len(starts))
            lengths = sizes[picks]
            # each picked group's rows: its start, then counting up within it
            before = np.cumsum(lengths) - lengths
            within = np.arange(int(lengths.sum())) - np.repeat(before, lengths)
            drawn.append(rows[np.repeat(starts[picks], lengths) + within])
        picked = np.concatenate(drawn)
        for name, values in scores.items():
            out[name].append(statistic(values[picked], y[picked], sources[picked]))
    return {name: np.asarray(rows, dtype=np.float64) for name, rows in out.items()}


def group_jackknife(
    statistic: Statistic,
    scores: dict[str, NDArray[np.float64]],
    y: NDArray[np.int8],
    sources: NDArray[np.str_],
    groups: NDArray[np.str_],
) -> dict[str, NDArray[np.float64]]:
    """``statistic(scores, y, sources)`` of each model's scores with each group left out in
    turn (all of its messages), a row of figures per group: what :func:`bca_interval`
    reads the acceleration from."""
    codes = np.unique(groups, return_inverse=True)[1]
    out: dict[str, list[Any]] = {name: [] for name in scores}
    for code in range(int(codes.max()) + 1 if len(codes) else 0):
        kept = codes != code
        for name, values in scores.items():
            out[name].append(statistic(values[kept], y[kept], sources[kept]))
    return {name: np.asarray(rows, dtype=np.float64) for name, rows in out.items()}


def bca_interval(
    point: NDArray[np.float64],
    draws: NDArray[np.float64],
    jackknife: NDArray[np.float64],
    level: float = 0.95,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The bias-corrected and accelerated (BCa) bounds of each figure (column) at ``level``
    (Efron, "Better bootstrap confidence intervals", JASA 1987): the draws' percentiles,
    moved by how far the point sits from the draws' median (the bias) and by the skew of
    the leave-one-group-out figures (the acceleration).

    ``point`` holds the figures on all the data, ``draws`` a row per resample
    (:func:`group_bootstrap`), ``jackknife`` a row per group left out
    (:func:`group_jackknife`). A draw equal to the point counts half below it, since a
    recall or a threshold takes few values.
    """
    from statistics import NormalDist

    normal = NormalDist()
    point, draws = np.asarray(point, np.float64), np.asarray(draws, np.float64)
    edge = 0.5 / len(draws)  # the bias correction of a point outside every draw, bounded
    below = np.mean(draws < point, axis=0) + 0.5 * np.mean(draws == point, axis=0)
    bias = np.array([normal.inv_cdf(float(p)) for p in np.clip(below, edge, 1 - edge)])
    spread = jackknife.mean(axis=0) - jackknife
    square = np.sum(spread**2, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        accel = np.where(square > 0, np.sum(spread**3, axis=0) / (6 * square**1.5), 0.0)
    bounds = []
    for tail in ((1 - level) / 2, (1 + level) / 2):
        z = bias + normal.inv_cdf(tail)
        shares = [normal.cdf(float(v)) for v in bias + z / (1 - accel * z)]
        bounds.append(
            np.array([np.quantile(draws[:, k], q) for k, q in enumerate(shares)], np.float64)
        )
    return bounds[0], bounds[1]


def reseeded(data: Data, seed: int) -> Data:
    """``data`` with the folds of another shuffle (the same sender grouping)."""
    from sklearn.model_selection import StratifiedGroupKFold

    splitter = StratifiedGroupKFold(n_splits=5, shuffle=True, random_state=seed)
    folds = list(splitter.split(data.dense, data.y, groups=data.groups))
    return replace(data, folds=folds)


def left_out_sources(data: Data, target: float, **options: Any) -> tuple[dict[str, float], float]:
    """Each real human source left out of training in turn: the share of it flagged at the
    threshold that holds ``target`` on every other source, and the mean recall on the real
    auto-DMs at those thresholds. Rows made from a left-out source (``Data.origins``) leave
    with it. ``options`` go to :func:`oof_scores`.

    The harness's counterpart of ``benchmarks/accuracy.py --unseen-sources``: its left-out
    messages are scored by the fold models, not by a model trained on all the rest.
    """
    real = np.isin(data.sources, REAL)
    automated = real & (data.y == 1)
    rates, recalls = {}, []
    for source in devdata.REAL_HUMAN_SOURCES:
        kept = data.origins != source
        scores = calibrated(oof_scores(data, train_mask=kept, **options), data)
        rows = real & kept
        cut = fitting._threshold_for(scores[rows], data.y[rows], target, data.sources[rows])
        rates[source] = float(np.mean(scores[data.sources == source] >= cut))
        recalls.append(float(np.mean(scores[automated] >= cut)))
    return rates, float(np.mean(recalls))


def seed_line(data: Data, **options: Any) -> str:
    """The figures of one fold seed in a line: the standard ones, recall at the default's
    target, and each human source's rate when left out (:func:`left_out_sources`), their
    mean and the recall there. ``options`` go to :func:`oof_scores`."""
    target = _option("target_fpr", 0.005)
    real = np.isin(data.sources, REAL)
    scores = oof_scores(data, **options)
    result = figures(scores, data)
    p = calibrated(scores, data)
    default = float(np.mean(p[real & (data.y == 1)] >= default_cut(p, data)))
    rates, recall = left_out_sources(data, target, **options)
    cells = " ".join(f"{100 * r:.2f}" for r in rates.values())
    return (
        f"AUC {result.auc:.4f} r@1% {result.recall_pooled:.3f} "
        f"r@0.5%/src {result.recall_strict:.3f} r@default {default:.3f}  left out: FPR% "
        f"{cells} mean {100 * np.mean(list(rates.values())):.2f} recall {recall:.3f}"
    )


def compare_handles(data: Data, seeds: tuple[int, ...] = (0, 1, 2)) -> None:
    """Handles in the n-grams or not (docs/model.md, "Handles"), on several fold seeds."""
    weight = Recipe().char_weight
    kinds = ("leet-folded+number-shapes", "leet-folded+number-shapes-handles")
    grams = {}
    for kind in kinds:
        word, char = blocks(data, buckets=data.grams.shape[1], tokens_kind=kind)
        grams[kind] = (word + weight * char).tocsr()
    for seed in seeds:
        folds = reseeded(data, seed)
        for kind in kinds:
            print(f"seed {seed} {kind:<34} {seed_line(folds, grams=grams[kind])}", flush=True)


def on_seeds(data: Data, seeds: tuple[int, ...] = (0, 1, 2)) -> None:
    """The bundled recipe on several fold seeds: the standard figures, recall at the default's
    target, and each human source's rate when left out (as :func:`left_out_sources`).

    One seed's folds move figures by more than most changes do, so judge a change on all
    three. A change that adds or drops rows (a bank template is rendered into rows) also
    moves some sender groups to other folds: its before and after differ in folds too.
    """
    for seed in seeds:
        print(f"seed {seed} {seed_line(reseeded(data, seed))}", flush=True)


def compare_ratio(
    data: Data, powers: tuple[float, ...] = (0.0, 0.25, 0.5), seeds: tuple[int, ...] = (0, 1, 2)
) -> None:
    """N-gram buckets scaled by their naive-Bayes log-count ratio (``ratio_power``), on
    several fold seeds: the standard figures, recall at false-positive targets of 0.1, 0.2
    and 0.5 % on every real human source, the share of the project's own hard negatives
    (``own_human``, out of fold) flagged at those thresholds, and how well the real
    auto-DMs rank above those hard negatives alone (docs/experiments.md, "N-grams scaled by
    their log-count ratio")."""
    real = np.isin(data.sources, REAL)
    automated = real & (data.y == 1)
    own = data.sources == "own_human"
    ranked = np.r_[np.ones(automated.sum()), np.zeros(own.sum())].astype(np.int8)
    for seed in seeds:
        folds = reseeded(data, seed)
        for power in powers:
            scores = oof_scores(folds, replace(Recipe(), ratio_power=power))
            result = figures(scores, folds)
            p = calibrated(scores, folds)
            cuts = [
                fitting._threshold_for(p[real], data.y[real], target, data.sources[real])
                for target in (0.001, 0.002, 0.005)
            ]
            recall = "/".join(f"{np.mean(p[automated] >= c):.3f}" for c in cuts)
            flagged = "/".join(f"{100 * np.mean(p[own] >= c):.1f}" for c in cuts)
            hard_auc = fitting._auc(np.concatenate([p[automated], p[own]]), ranked)
            print(
                f"seed {seed} ratio_power {power:<4} AUC {result.auc:.4f} "
                f"recall at 0.1/0.2/0.5 % {recall}  own hard negatives flagged % {flagged}  "
                f"AUC against them {hard_auc:.4f}",
                flush=True,
            )


def compare_signal(
    data: Data, name: str = "cta_thanks_question", seeds: tuple[int, ...] = (0, 1, 2)
) -> None:
    """The recipe without one signal and with it, on several fold seeds: :func:`seed_line`,
    then the share of the project's own human lines (``own_human``, out of fold) flagged at
    the default's target, and of those among them that thank for a follow (docs/model.md,
    "Thank-yous for a follow")."""
    column = data.features.index(name)
    others = [i for i in range(len(data.features)) if i != column]
    without = replace(
        data,
        dense=data.dense[:, others],
        positive=data.positive[others],
        features=tuple(data.features[i] for i in others),
    )
    own = data.sources == "own_human"
    thanks = own & (data.dense[:, data.features.index("cta_thanks_follow")] > 0)
    for seed in seeds:
        for label, variant in ((f"without {name}", without), (f"with {name}", data)):
            folds = reseeded(variant, seed)
            p = calibrated(oof_scores(folds), folds)
            cut = default_cut(p, data)
            print(
                f"seed {seed} {label:<28} {seed_line(folds)}  own human flagged "
                f"{100 * np.mean(p[own] >= cut):.1f}%, of the {thanks.sum()} that thank "
                f"for a follow {100 * np.mean(p[thanks] >= cut):.0f}%",
                flush=True,
            )


def compare_family(
    family: str, seeds: tuple[int, ...] = (0, 1, 2), candidates: Path | None = None
) -> None:
    """The recipe without and with the project's own human lines of one ``family`` of
    ``own_human_multilingual.jsonl`` (or of several, named with commas; or of the file
    ``candidates``, whose lines are not in the recipe), on the same folds: those of the rows
    without them, and each of the family's groups (one per language) in a fold of its own
    hash. Then :func:`seed_line`, the share of the other own human lines flagged out of fold
    at the default's target, and the share of the family's lines, out of fold either way."""
    import zlib

    rows = devdata.training_rows()
    files = [devdata.OWN_MULTILINGUAL]
    if candidates is not None:
        rows += devdata.own_human_lines(candidates)
        files.append(candidates)
    families = family.split(",")
    groups = {f"own:human:{lang}:{name}" for lang in _languages(files) for name in families}
    added = np.array([r.source == "own_human" and r.group in groups for r in rows])
    if not added.any():
        raise SystemExit(f"no own human line has the families {families}")
    base = load([r for r, a in zip(rows, added, strict=True) if not a])
    data = load(rows)
    others = (data.sources == "own_human") & ~added
    print(f"{int(added.sum())} lines of the families {families}", flush=True)
    for seed in seeds:
        fold_of = {
            g: k
            for k, (_, test) in enumerate(reseeded(base, seed).folds)
            for g in base.groups[test]
        }
        owner = np.array([fold_of.get(g, zlib.crc32(g.encode()) % 5) for g in data.groups])
        split = [(np.where(owner != k)[0], np.where(owner == k)[0]) for k in range(5)]
        folds = replace(data, folds=split)
        without = replace(
            base,
            folds=[
                (np.where(owner[~added] != k)[0], np.where(owner[~added] == k)[0]) for k in range(5)
            ],
        )
        for label, line, mask in (
            ("without", seed_line(without), ~added),
            ("with", seed_line(folds), None),
        ):
            p = calibrated(oof_scores(folds, train_mask=mask), folds)
            cut = default_cut(p, data)
            print(
                f"seed {seed} {label:<8} {line}  other own human lines flagged "
                f"{100 * np.mean(p[others] >= cut):.2f}%, the family's "
                f"{100 * np.mean(p[added] >= cut):.1f}%",
                flush=True,
            )


def _languages(files: list[Path]) -> set[str]:
    import json

    languages = set()
    for path in files:
        with path.open(encoding="utf-8") as f:
            languages |= {json.loads(line)["lang"] for line in f if line.strip()}
    return languages


#: Messages people write, greeting by name, and auto-DMs that do the same.
GREETING_PROBES = (
    "Hi Tom! long time no see",
    "Hey Jake! see you at 6",
    "Hey Mike! are you coming tonight?",
    "Hi Anna, did you get home ok?",
    "Hey Sam! happy birthday 🎉",
    "Hola Diego! qué tal el finde?",
    "Oi Júlia! tudo bem?",
    "Hallo Tim! wie war der Urlaub?",
    "Hey Priya! thanks for the follow 🙏 check out my new course: bit.ly/x",
    "Hi Maria! Follow back?",
)


def compare_greetings(
    n: int = devdata.GREETED_COPIES,
    weights: tuple[float, ...] = (devdata.GREETED_WEIGHT,),
    seeds: tuple[int, ...] = (0, 1, 2),
) -> None:
    """The recipe without greeted copies (devdata.greeted) and with ``n`` of them at each of
    ``weights``, on the same folds: each copy goes to its line's fold, and a left-out source
    takes its copies with it. Then the probes' probabilities from a model trained on all rows
    of each."""
    import autodm

    base = devdata.training_rows(greeted_copies=0)
    base_data = load(base)
    # Each sender group's fold on every seed, from the rows without copies.
    fold_of = {
        seed: {
            g: k
            for k, (_, test) in enumerate(reseeded(base_data, seed).folds)
            for g in base_data.groups[test]
        }
        for seed in seeds
    }
    variants = [("no greeted", [])]
    variants += [(f"+ {n} at {w}", devdata.greeted(base, n, w)) for w in weights]
    for name, extra in variants:
        rows = base + extra
        data = load(rows)
        for seed in seeds:
            owner = np.array([fold_of[seed][g] for g in data.groups])
            split = [(np.where(owner != k)[0], np.where(owner == k)[0]) for k in range(5)]
            line = seed_line(replace(data, folds=split))
            print(f"{name:<14} seed {seed} {line}", flush=True)
        detector = autodm.Detector(devdata.train(rows))
        print(f"{name:<14} probes at threshold {detector.threshold:.4f}:")
        for text in GREETING_PROBES:
            print(f"  {detector.classify(text).probability:.4f}  {text}")


def compare_sentences(
    weights: tuple[float, ...] = (0.1,), seeds: tuple[int, ...] = (0, 1, 2)
) -> None:
    """Each message's sentences as rows of their own (``devdata.sentences``) at each weight,
    on the folds the messages have without them (a copy trains where its message does), on
    several fold seeds: :func:`seed_line` for each (docs/experiments.md, "Sentences as
    rows")."""
    rows = devdata.training_rows(sentence_weight=0.0)
    base = load(rows)
    with_copies = {w: load(rows + devdata.sentences(rows, w)) for w in weights}
    for seed in seeds:
        folds = reseeded(base, seed)
        print(f"{'none':<10} seed {seed} {seed_line(folds)}", flush=True)
        fold_of = {g: k for k, (_, test) in enumerate(folds.folds) for g in set(folds.groups[test])}
        for weight, data in with_copies.items():
            owner = np.array([fold_of[g] for g in data.groups])
            split = [(np.where(owner != k)[0], np.where(owner == k)[0]) for k in range(5)]
            line = seed_line(replace(data, folds=split))
            print(f"{'x ' + str(weight):<10} seed {seed} {line}", flush=True)


#: Scripts an auto-DM is counted under by :func:`by_script`, the first that it holds.
SCRIPTS: Final = (
    ("Korean", re.compile("[\uac00-\ud7af]")),
    ("Japanese", re.compile("[\u3040-\u30ff]")),
    ("Chinese", re.compile("[\u4e00-\u9fff]")),
    ("Arabic and Persian", re.compile("[\u0600-\u06ff]")),
)


def by_script(data: Data) -> None:
    """Recall of the real auto-DMs out of fold by the script they are written in, at the
    default's target and at ``balanced``'s (0.5 % per source), on the folds of ``data``."""
    p = calibrated(oof_scores(data), data)
    cuts = {"default": default_cut(p, data), "balanced": default_cut(p, data, 0.005)}
    real = np.isin(data.sources, REAL)
    found: dict[str, list[int]] = {}
    for i in np.where(real & (data.y == 1))[0]:
        text = data.rows[i].text
        name = next((name for name, script in SCRIPTS if script.search(text)), "Latin")
        found.setdefault(name, []).append(int(i))
    print("thresholds: " + ", ".join(f"{name} {cut:.4f}" for name, cut in cuts.items()))
    for name, rows in sorted(found.items(), key=lambda item: -len(item[1])):
        caught = ", ".join(
            f"{cut_name} {np.mean(p[rows] >= cut):.2f}" for cut_name, cut in cuts.items()
        )
        print(f"{name:<20} {len(rows):4d} auto-DMs, caught: {caught}")


if __name__ == "__main__":
    if "--compare-sentences" in sys.argv:
        compare_sentences()
        raise SystemExit(0)
    if "--compare-greetings" in sys.argv:
        compare_greetings()
        raise SystemExit(0)
    if "--compare-family" in sys.argv:
        candidates = None
        if "--candidates" in sys.argv:
            candidates = Path(sys.argv[sys.argv.index("--candidates") + 1])
        compare_family(sys.argv[sys.argv.index("--compare-family") + 1], candidates=candidates)
        raise SystemExit(0)
    d = load()
    if "--compare-ratio" in sys.argv:
        compare_ratio(d)
        raise SystemExit(0)
    if "--compare-handles" in sys.argv:
        compare_handles(d)
        raise SystemExit(0)
    if "--compare-thanks-question" in sys.argv:
        compare_signal(d)
        raise SystemExit(0)
    if "--by-script" in sys.argv:
        by_script(d)
        raise SystemExit(0)
    print("FPR% order:", ", ".join(devdata.REAL_HUMAN_SOURCES))
    if "--seeds" in sys.argv:
        on_seeds(d)
        raise SystemExit(0)
    baseline = oof_scores(d)
    run("baseline", lambda: baseline, d)
    for name, rows in (("all", np.ones(len(d.y), bool)), ("real", np.isin(d.sources, REAL))):
        brier, ece = cross_fitted_calibration(baseline, d, rows)
        print(f"calibration fitted on {name} messages, held out: Brier {brier:.4f}  ECE {ece:.4f}")
