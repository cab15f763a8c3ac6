"""The numbers of training: design matrix, logistic fit, context tables, calibration, thresholds."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from ._checks import per_message
from ._detector import ContextLike
from ._featurizer import Featurizer
from ._model import DEFAULT_CONTEXT_EVIDENCE, OBFUSCATION_FLAGS, ngram_tokens
from ._ngrams import batch_slices, batch_text_features
from ._text import view
from ._types import as_context
from .errors import InvalidInputError

#: Signals that are context evidence (likelihood-ratio tables), not learned text weights.
CONTEXT_FEATURES: Final = frozenset(
    {
        "seconds_after_follow",
        "recipient_wrote_first",
        "first_message",
        "history_similarity",
        "history_duplicates",
    }
)
#: What the n-gram block of a bundle trained here reads (see ``_bundle.NGRAM_TOKENS``).
NGRAM_TOKENS_WRITTEN: Final = "leet-folded+number-shapes-handles-greetings"
#: Add-this smoothing of the weighted counts in an n-gram bucket's log-count ratio
#: (``ratio_power``), in units of the class-balanced sample weights (1 a message on average).
RATIO_SMOOTHING: Final = 0.1


def _design(
    featurizer: Featurizer,
    messages: Sequence[str],
    contexts: Sequence[ContextLike],
    features: tuple[str, ...],
    buckets: int,
    bank_ids: Sequence[str | None] | None,
    char_sizes: tuple[int, ...],
    char_weight: float = 1.0,
) -> tuple[NDArray[np.float64], Any, dict[str, NDArray[np.float64]]]:
    """Signals (dense), hashed n-grams (sparse) and context-table signals (NaN = absent)."""
    from scipy import sparse

    dense = np.zeros((len(messages), len(features)), dtype=np.float64)
    context_values = {name: np.full(len(messages), np.nan) for name in DEFAULT_CONTEXT_EVIDENCE}
    tokens: list[tuple[str, ...]] = []
    by_id = {t.id: t for t in featurizer.template.templates}
    for r, (message, context) in enumerate(zip(messages, contexts, strict=True)):
        message_view = view(message)
        exclude = None
        if bank_ids is not None and bank_ids[r] is not None:
            source = by_id.get(str(bank_ids[r]))
            if source is None:
                raise InvalidInputError(
                    f"`bank_ids[{r}]` names no template of the bank: {bank_ids[r]!r}."
                )
            exclude = featurizer.template.excluding(source.family, source.lang)
        signals = featurizer.signals(message_view, as_context(context), exclude=exclude)
        for c, name in enumerate(features):
            value = signals[name].value
            dense[r, c] = 0.0 if value is None else value
        for name, values in context_values.items():
            if name == "obfuscation":
                values[r] = len(OBFUSCATION_FLAGS & message_view.flags)
            elif (signal := signals.get(name)) is not None and signal.value is not None:
                values[r] = signal.value
        tokens.append(ngram_tokens(message_view, NGRAM_TOKENS_WRITTEN))
    # The scorer's own n-gram pass, a slice of rows at a time; duplicate (row, bucket)
    # pairs add up, as they do in scoring.
    blocks = []
    lengths = [sum(map(len, t)) + len(t) + 1 for t in tokens]  # the joined text's length
    for start, stop in batch_slices(lengths, _NGRAM_ROWS):
        text = batch_text_features(tokens[start:stop], buckets, char_sizes, char_weight)
        shape = (text.size, buckets)
        blocks.append(sparse.csr_matrix((text.values, (text.rows, text.ids)), shape=shape))
    grams = sparse.vstack(blocks, format="csr") if blocks else sparse.csr_matrix((0, buckets))
    return dense, grams, context_values


#: Rows hashed together when building the n-gram matrix (bounds the memory of one pass).
_NGRAM_ROWS: Final = 4096


#: Labelled messages of each class that a context signal needs before ``train`` learns its
#: likelihood ratios instead of keeping the documented defaults.
MIN_CONTEXT_PER_CLASS: Final = 30


def _learn_tables(
    context: Mapping[str, NDArray[np.float64]], y: NDArray[np.int8]
) -> tuple[dict[str, dict[str, list[float]]], dict[str, str]]:
    """Per-bin likelihood ratios from labelled context, where there is enough of it.

    For a signal present on at least ``MIN_CONTEXT_PER_CLASS`` messages of each class,
    bin k gets ``ln(((a_k + 1) / (A + K)) / ((h_k + 1) / (H + K)))`` (add-one smoothing
    over the K bins of the default table), else the default table is kept. Adding these
    to the text log-odds assumes the context is independent of the wording given the
    class, the same assumption the defaults make.
    """
    tables = {name: dict(table) for name, table in DEFAULT_CONTEXT_EVIDENCE.items()}
    origin = dict.fromkeys(tables, "default (docs/model.md)")
    for name, values in context.items():
        present = ~np.isnan(values)
        auto, human = values[present & (y == 1)], values[present & (y == 0)]
        if name == "obfuscation" or min(len(auto), len(human)) < MIN_CONTEXT_PER_CLASS:
            continue
        edges = np.asarray(tables[name]["edges"])
        k = len(edges)
        a = np.bincount(np.searchsorted(edges, auto, side="right") - 1, minlength=k)[:k]
        h = np.bincount(np.searchsorted(edges, human, side="right") - 1, minlength=k)[:k]
        log_lr = np.log((a + 1) / (len(auto) + k)) - np.log((h + 1) / (len(human) + k))
        tables[name] = {"edges": edges.tolist(), "log_lr": [float(x) for x in log_lr]}
        origin[name] = f"learned from {len(auto)} automated and {len(human)} human contexts"
    return tables, origin


@dataclass(frozen=True, slots=True)
class _Design:
    """The design train fits, standardised, and the context tables that go with it."""

    features: tuple[str, ...]
    char_sizes: tuple[int, ...]
    dense: NDArray[np.float64]
    grams: Any  # scipy csr
    mean: NDArray[np.float64]
    std: NDArray[np.float64]
    positive: NDArray[np.bool_]  # signals whose weight may not be negative
    tables: dict[str, dict[str, list[float]]]
    origin: dict[str, str]  # where each context table comes from


def _standardised_design(
    items: Sequence[str],
    ctxs: Sequence[ContextLike],
    y: NDArray[np.int8],
    bank_ids: Sequence[str | None] | None,
    char_ngrams: tuple[int, ...],
    context_evidence: Mapping[str, Mapping[str, Sequence[float]]] | None,
    buckets: int,
    char_weight: float,
) -> _Design:
    """The messages' signals, n-grams and context tables, and how to standardise the signals."""
    featurizer = Featurizer()
    features = tuple(f for f in featurizer.feature_names if f not in CONTEXT_FEATURES)
    if bank_ids is not None:
        bank_ids = per_message(bank_ids, "bank_ids", len(items))
    char_sizes = tuple(sorted({int(k) for k in char_ngrams}))
    if any(k < 1 or k > 8 for k in char_sizes):
        raise InvalidInputError(f"`char_ngrams` sizes must be in 1..8. Got {char_ngrams!r}.")
    dense, grams, context = _design(
        featurizer, items, ctxs, features, buckets, bank_ids, char_sizes, char_weight
    )
    tables, origin = _learn_tables(context, y)
    if context_evidence is not None:
        for name, table in context_evidence.items():
            tables[str(name)] = {
                "edges": [float(x) for x in table["edges"]],
                "log_lr": [float(x) for x in table["log_lr"]],
            }
            origin[str(name)] = "given to train()"

    # Signals that can only be evidence *for* automation keep weights >= 0, so a quirk of
    # the training data (a defanged link in a support tweet) cannot teach the model that
    # an obfuscated link means a person. Each extractor says which of its signals these are.
    one_way = {f for e in featurizer.extractors for f in getattr(e, "automation_only", ())}
    positive = np.array([f in one_way for f in features])
    mean = dense.mean(axis=0)
    std = dense.std(axis=0)
    std[std < 1e-9] = 1.0
    return _Design(features, char_sizes, dense, grams, mean, std, positive, tables, origin)


def _threshold_for(
    probs: NDArray[np.float64],
    y: NDArray[np.int8],
    fpr: float,
    sources: NDArray[np.str_] | None = None,
) -> float:
    """Smallest threshold whose false-positive rate is at most ``fpr``.

    With ``sources``, the rate must hold on every source of human messages
    separately, not only on their pool: a model may not buy a low overall
    rate with one corpus of people it flags often.
    """
    if sources is None:
        groups = [probs[y == 0]]
    else:
        groups = [probs[(y == 0) & (sources == s)] for s in np.unique(sources[y == 0])]
    threshold = 0.0
    for group in groups:
        negatives = np.sort(group)[::-1]
        # (the tolerance: 0.29 * 100 is 28.999999999999996 in floating point)
        allowed = math.floor(fpr * len(negatives) + 1e-9)
        if allowed < len(negatives):
            # Strictly above the (allowed+1)-th highest human score.
            threshold = max(threshold, float(np.nextafter(negatives[allowed], np.inf)))
    return min(1.0, threshold)


@dataclass(frozen=True, slots=True)
class _Fit:
    coef: NDArray[np.float64]
    intercept: float
    ngram_coef: NDArray[np.float64] | None


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

    def fit(self, rows: NDArray[np.intp]) -> _Fit:
        design, y = self.design, self.y
        z = (design.dense[rows] - design.mean) / design.std
        return _fit(
            z,
            design.grams[rows],
            y[rows],
            _balanced(y[rows], self.weight[rows]),
            self.C,
            self.ngram_scale,
            self.signal_scale,
            design.positive,
            self.ratio_power,
        )

    def decision(self, model: _Fit, rows: NDArray[np.intp]) -> NDArray[np.float64]:
        z = (self.design.dense[rows] - self.design.mean) / self.design.std
        out = z @ model.coef + model.intercept
        if model.ngram_coef is not None:
            out = out + self.design.grams[rows] @ model.ngram_coef
        return np.asarray(out, dtype=np.float64)


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
) -> dict[str, dict[str, float]]:
    """Out-of-fold rate per source at each operating point: recall, or FPR for human sources.

    ``probs`` holds a row of scores per repeat of the split; the rates are over all of them.
    """
    if sources is None:
        return {}
    names = np.asarray([str(s) for s in sources])
    out: dict[str, dict[str, float]] = {}
    for name in sorted(set(names)):
        mask = names == name
        row: dict[str, float] = {"n": int(mask.sum()), "automated": int(y[mask].sum())}
        for point, spec in points.items():
            row[point] = float(np.mean(probs[:, mask] >= spec["threshold"]))
        out[name] = row
    return out
