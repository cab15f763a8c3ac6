"""train: a model bundle from labelled messages. scikit-learn is imported here, lazily."""

from __future__ import annotations

import functools
import inspect
import numbers
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Final, ParamSpec

import numpy as np
from numpy.typing import NDArray

from ._bundle import _MAX_CHAR_WEIGHT, Bundle, _is_number, bundle_from_parts
from ._checks import (
    _MAX_CV_REPEATS,
    _MAX_RATIO_POWER,
    _calibration_rows,
    _check_description,
    _check_options,
    _of_sources,
    labels_to_array,
    per_message,
)
from ._detector import ContextLike, _batch
from ._featurizer import Featurizer
from ._fitting import (
    CONTEXT_FEATURES,
    NGRAM_TOKENS_WRITTEN,
    _auc,
    _balanced,
    _design,
    _Fit,
    _fit,
    _learn_tables,
    _platt,
    _threshold_for,
)
from ._ngrams import DEFAULT_BUCKETS, DEFAULT_CHAR_SIZES
from ._resources import data_digest
from .errors import InvalidInputError, describe

P = ParamSpec("P")

__all__ = ["train", "train_with_scores"]

#: Target false-positive rates of the named operating points.
OPERATING_FPR: Final = {"strict": 0.001, "balanced": 0.005, "lenient": 0.02}


def train_with_scores(
    messages: Iterable[str],
    labels: Iterable[object],
    contexts: Iterable[ContextLike] | None = None,
    *,
    groups: Sequence[object] | None = None,
    sources: Sequence[str] | None = None,
    sample_weight: Sequence[float] | None = None,
    bank_ids: Sequence[str | None] | None = None,
    threshold_sources: Iterable[str] | None = None,
    calibration_sources: Iterable[str] | None = None,
    context_evidence: Mapping[str, Mapping[str, Sequence[float]]] | None = None,
    C: float = 1.0,
    ngrams: bool = True,
    ngram_scale: float = 1.0,
    signal_scale: float = 1.0,
    buckets: int = DEFAULT_BUCKETS,
    char_ngrams: tuple[int, ...] = DEFAULT_CHAR_SIZES,
    char_weight: float = 1.0,
    ratio_power: float = 0.0,
    target_fpr: float = OPERATING_FPR["balanced"],
    cv: int = 5,
    cv_repeats: int = 1,
    random_state: int = 0,
    description: Mapping[str, Any] | None = None,
) -> tuple[Bundle, NDArray[np.float64]]:
    """Train a model bundle on labelled messages.

    Fits a class-balanced logistic regression on the standardised text signals
    of the four extractors (plus hashed word n-grams when ``ngrams``), picks the
    threshold and calibration on out-of-fold scores of a ``cv``-fold split
    (grouped by ``groups`` when given: pass the sender, so one sender's messages
    never straddle folds), and returns the bundle; save it with :meth:`Bundle.save`.
    With ``cv_repeats`` above 1 the split is drawn that many times and the thresholds
    and calibration come from all the out-of-fold scores together, so they depend less
    on which messages happened to share a fold.

    Parameters
    ----------
    messages : iterable of str
    labels : iterable
        ``"automated"``/``"human"`` (also ``"spam"``/``"ham"``, 1/0, bools).
    contexts : iterable of Context or mapping, optional
        Used for the extractors' signals; context evidence itself uses the
        documented likelihood-ratio tables, which are stored in the bundle.
    groups : sequence, optional
        A group id per message for grouped cross-validation (e.g. the sender).
    sample_weight : sequence of float, optional
        Per-message weights, rescaled so both classes carry equal total weight.
    bank_ids : sequence of str or None, optional
        For messages rendered from the template bank itself, the template's id
        (else None): the template features of such a message ignore every bank
        template of the same family and language, so the model cannot learn
        that a bank text matches itself.
    threshold_sources : iterable of str, optional
        The human ``sources`` whose false-positive rates set the thresholds
        (default: all). Leave out sources of deliberately hard, hand-written
        negatives, which are for learning, not for measuring.
    calibration_sources : iterable of str, optional
        The ``sources`` whose messages, of both classes, calibrate ``probability``
        (default: all). Leave out rendered templates and hand-written examples: they
        are not a sample of real traffic, and their easy scores bend the calibration
        line away from the real messages' (the label of a message without context does
        not change, since the thresholds keep their place among the scores).
    context_evidence : mapping, optional
        Likelihood-ratio tables to store instead of the defaults, as
        ``{signal: {"edges": [...], "log_lr": [...]}}`` (natural logs per bin).
        Without it, a context signal that at least 30 labelled messages of each
        class carry gets tables learned from them (add-one smoothed per bin of the
        default edges); the rest keep the documented defaults. The manifest records
        which is which under ``training.context_evidence``.
    C : float, default 1.0
        Inverse L2 regularisation strength.
    ngrams : bool, default True
        Add hashed n-gram text evidence.
    ngram_scale : float, default 1.0
        Scale of the n-gram block in the design matrix; larger means weaker
        regularisation of the n-gram weights.
    signal_scale : float, default 1.0
        Scale of the standardised signals in the design matrix; below 1 their
        weights are regularised harder, which keeps a rare lexicon hit from
        dominating a verdict.
    buckets : int, default 262144
        Hash buckets for n-grams (a power of two).
    char_ngrams : tuple of int, default (3, 4, 5)
        Sizes of the character n-grams added to the word n-grams; ``()`` for none.
    char_weight : float, default 1.0
        Weight of the character n-gram block against the word n-gram block (each
        L2-normalised by message); below 1 the model leans on whole words.
    ratio_power : float, default 0.0
        Scale each n-gram bucket by its naive-Bayes log-count ratio (how much more
        often it occurs in automated messages than in human ones, by weight, as in
        NBSVM) to this power before the fit, so the buckets that tell the classes apart
        are regularised less than those both share; 0 scales none. Each fold computes
        the ratios on its own training rows. The bundle stores plain weights, so this
        changes training only.
    target_fpr : float, default 0.005
        False-positive rate on out-of-fold human messages that sets the default
        threshold; with ``sources``, on every source of human messages separately.
    cv : int, default 5
        Folds for the out-of-fold scores.
    cv_repeats : int, default 1
        How many times to draw the ``cv``-fold split, at most 100 (split ``r``, counted
        from 0, with the seed ``random_state + r``). A threshold is a high quantile of the
        human messages' out-of-fold scores, set by the few highest of them, and one
        message's score moves with the messages it was held out with; the quantile of all
        repeats' scores together moves less. Each repeat costs ``cv`` more fits.
    random_state : int, default 0
        The seed of the first split, in [0, 2**32 - ``cv_repeats``].
    description : mapping, optional
        JSON-safe facts about the training data, stored in the manifest.

    Returns
    -------
    Bundle
        (``train_with_scores`` returns it with the out-of-fold P(automated) of every
        message in the first split, the figures the thresholds were chosen on when
        ``cv_repeats`` is 1.)

    Raises
    ------
    InvalidInputError
        For mismatched lengths, unknown labels, a single class, or bad options.
    """
    items, ctxs = _batch(messages, contexts)
    y = labels_to_array(labels)
    n = len(items)
    if len(y) != n:
        raise InvalidInputError(f"`labels` must have one entry per message: {len(y)} for {n}.")
    if not all(isinstance(m, str) for m in items):
        raise InvalidInputError("every message must be a str.")
    if isinstance(cv, bool) or not isinstance(cv, int) or cv < 2:
        raise InvalidInputError(f"`cv` must be an int of at least 2 folds. Got {describe(cv)}.")
    if (
        isinstance(cv_repeats, bool)
        or not isinstance(cv_repeats, int)
        or not 1 <= cv_repeats <= _MAX_CV_REPEATS
    ):
        raise InvalidInputError(
            f"`cv_repeats` must be an int from 1 to {_MAX_CV_REPEATS} (each repeat costs `cv` "
            f"fits). Got {describe(cv_repeats)}."
        )
    last_seed = 2**32 - cv_repeats
    if isinstance(random_state, bool) or not isinstance(random_state, numbers.Integral):
        raise InvalidInputError(f"`random_state` must be an int. Got {describe(random_state)}.")
    random_state = int(random_state)
    if not 0 <= random_state <= last_seed:
        raise InvalidInputError(
            f"`random_state` must be from 0 to 2**32 - cv_repeats ({last_seed}), since split r "
            f"uses the seed random_state + r. Got {random_state!r}."
        )
    _check_description(description)
    counts = np.bincount(y, minlength=2)
    if min(counts) < cv:
        raise InvalidInputError(
            f"training needs at least {cv} messages of each class (cv={cv}). "
            f"Got {counts[1]} automated and {counts[0]} human."
        )
    _check_options(
        buckets,
        target_fpr,
        C=C,
        ngram_scale=ngram_scale,
        signal_scale=signal_scale,
        char_weight=char_weight,
    )
    if not (_is_number(ratio_power) and 0 <= ratio_power <= _MAX_RATIO_POWER):
        raise InvalidInputError(
            f"`ratio_power` must be a float in [0, {_MAX_RATIO_POWER:g}] (0 turns it off). "
            f"Got {describe(ratio_power)}."
        )
    if char_weight > _MAX_CHAR_WEIGHT:
        raise InvalidInputError(
            f"`char_weight` must be at most {_MAX_CHAR_WEIGHT:g}. Got {char_weight!r}."
        )
    weight = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    if weight.shape != (n,) or not np.all(np.isfinite(weight)) or np.any(weight < 0):
        raise InvalidInputError(
            "`sample_weight` must hold one finite, non-negative float a message."
        )
    if groups is not None:
        groups = per_message(groups, "groups", n)
        for cls in (0, 1):
            distinct = len({str(g) for g, label in zip(groups, y, strict=True) if label == cls})
            if distinct < cv:
                raise InvalidInputError(
                    f"grouped cross-validation with cv={cv} needs at least {cv} groups of each "
                    f"class. Got {distinct} group(s) of {'automated' if cls else 'human'} messages."
                )
    if sources is not None:
        sources = per_message(sources, "sources", n)
    source_array = None if sources is None else np.asarray([str(s) for s in sources])
    calibrated = _calibration_rows(source_array, calibration_sources, y)
    measured = np.ones(n, dtype=bool)
    if threshold_sources is not None:
        measured = _of_sources(source_array, threshold_sources, "threshold_sources")
        if not np.any(measured & (y == 0)):
            named = sorted({str(s) for s, label in zip(sources or (), y, strict=True) if not label})
            raise InvalidInputError(
                "`threshold_sources` names no source of human messages; the sources of "
                f"human messages here are {named}."
            )
        measured |= y == 1

    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

    featurizer = Featurizer()
    features = tuple(f for f in featurizer.feature_names if f not in CONTEXT_FEATURES)
    if bank_ids is not None:
        bank_ids = per_message(bank_ids, "bank_ids", n)
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
    scale_ngrams = ngram_scale if ngrams else 0.0

    # Signals that can only be evidence *for* automation keep weights >= 0, so a quirk of
    # the training data (a defanged link in a support tweet) cannot teach the model that
    # an obfuscated link means a person. Each extractor says which of its signals these are.
    one_way = {f for e in featurizer.extractors for f in getattr(e, "automation_only", ())}
    positive = np.array([f in one_way for f in features])
    mean = dense.mean(axis=0)
    std = dense.std(axis=0)
    std[std < 1e-9] = 1.0

    def fit(rows: NDArray[np.intp]) -> _Fit:
        z = (dense[rows] - mean) / std
        return _fit(
            z,
            grams[rows],
            y[rows],
            _balanced(y[rows], weight[rows]),
            C,
            scale_ngrams,
            signal_scale,
            positive,
            ratio_power,
        )

    def decision(model: _Fit, rows: NDArray[np.intp]) -> NDArray[np.float64]:
        z = (dense[rows] - mean) / std
        out = z @ model.coef + model.intercept
        if model.ngram_coef is not None:
            out = out + grams[rows] @ model.ngram_coef
        return np.asarray(out, dtype=np.float64)

    group_array = None if groups is None else np.asarray([str(g) for g in groups])
    oof = np.zeros((cv_repeats, n))
    for repeat in range(cv_repeats):
        seed = random_state + repeat
        if group_array is not None:
            splitter: Any = StratifiedGroupKFold(n_splits=cv, shuffle=True, random_state=seed)
            splits = splitter.split(dense, y, groups=group_array)
        else:
            splitter = StratifiedKFold(n_splits=cv, shuffle=True, random_state=seed)
            splits = splitter.split(dense, y)
        for train_rows, test_rows in splits:
            oof[repeat, test_rows] = decision(fit(train_rows), test_rows)

    # Every repeat's scores side by side, as if each were more messages of the same kinds.
    def pooled(values: NDArray[Any]) -> NDArray[Any]:
        return np.tile(values, cv_repeats)

    slope, offset = _platt(oof[:, calibrated].ravel(), pooled(y[calibrated]))
    if not slope > 0:
        raise InvalidInputError(
            "the out-of-fold scores do not rank the calibration messages (automated ones "
            "do not score higher): give more messages, or other `calibration_sources`."
        )
    cut_sources = None if source_array is None else pooled(source_array[measured])
    all_probs = 1.0 / (1.0 + np.exp(-(slope * oof + offset)))
    cut_probs, cut_y = all_probs[:, measured].ravel(), pooled(y[measured])
    points = {}
    for name, fpr in OPERATING_FPR.items():
        t = _threshold_for(cut_probs, cut_y, fpr, cut_sources)
        points[name] = {
            "threshold": t,
            "target_fpr": fpr,
            "recall": float(np.mean(cut_probs[cut_y == 1] >= t)),
            "fpr": float(np.mean(cut_probs[cut_y == 0] >= t)),
        }
    threshold = _threshold_for(cut_probs, cut_y, target_fpr, cut_sources)
    final = fit(np.arange(n))
    # The oldest format that reads this bundle right: format 1 knows no char_weight.
    weighs_chars = final.ngram_coef is not None and bool(char_sizes) and char_weight != 1.0
    version = 2 if weighs_chars else 1
    manifest: dict[str, Any] = {
        "format_version": version,
        "autodm_version": _version(),
        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "features": list(features),
        "ngrams": {
            "buckets": buckets,
            "scheme": "crc32 word 1-2 grams + cjk char 2-grams; fibonacci-hashed char n-grams",
            "char_sizes": list(char_sizes),
            # (no weight without character n-grams to weigh)
            **({"char_weight": char_weight} if char_sizes else {}),
            # n-grams of tokens with leetspeak undone ("f0ll0w" reads as "follow"), numbers
            # by shape ("87121" reads as "<num5>"), no handles, and nothing of a greeting
            # alone (docs/model.md)
            "tokens": NGRAM_TOKENS_WRITTEN,
        }
        if final.ngram_coef is not None
        else None,
        "threshold": threshold,
        "operating_points": points,
        "context_evidence": tables,
        "training": {
            "messages": n,
            "automated": int(counts[1]),
            "human": int(counts[0]),
            "C": C,
            "ngram_scale": scale_ngrams,
            "signal_scale": signal_scale,
            "ratio_power": ratio_power if scale_ngrams > 0 else 0.0,  # what was applied
            "cv": cv,
            "cv_repeats": cv_repeats,
            "grouped": groups is not None,
            "target_fpr": target_fpr,
            "calibration_messages": int(calibrated.sum()),
            "context_evidence": origin,
            # which lexicons, bank and domain lists the signals were computed with
            "data_digest": data_digest(),
            **dict(description or {}),
        },
        "metrics": {
            "out_of_fold": {
                "roc_auc": _auc(cut_probs, cut_y),
                "recall": float(np.mean(cut_probs[cut_y == 1] >= threshold)),
                "fpr": float(np.mean(cut_probs[cut_y == 0] >= threshold)),
                "by_source": _per_source(all_probs, y, sources, points),
            }
        },
    }
    arrays: dict[str, NDArray[np.float64]] = {
        "mean": mean,
        "scale": std,
        "coef": final.coef,
        "intercept": np.array([final.intercept]),
        "calibration": np.array([slope, offset]),
    }
    if final.ngram_coef is not None:
        arrays["ngram_coef"] = final.ngram_coef.astype(np.float32).astype(np.float64)
    return bundle_from_parts(manifest, arrays), all_probs[0]


def _bundle_only(
    fit: Callable[P, tuple[Bundle, NDArray[np.float64]]],
) -> Callable[P, Bundle]:
    @functools.wraps(fit)
    def train(*args: P.args, **kwargs: P.kwargs) -> Bundle:
        return fit(*args, **kwargs)[0]

    train.__name__ = train.__qualname__ = "train"
    # help() and inspect.signature() show the Bundle it returns, not the wrapped pair.
    signature = inspect.signature(fit)
    train.__signature__ = signature.replace(return_annotation="Bundle")  # type: ignore[attr-defined]
    return train


#: Train a model bundle on labelled messages; see :func:`train_with_scores`, whose
#: documentation it carries, for the parameters. ``train_with_scores`` also returns the
#: out-of-fold P(automated) of every message, for the training scripts' diagnostics.
train = _bundle_only(train_with_scores)


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


def _version() -> str:
    from . import __version__

    return __version__
