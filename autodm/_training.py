"""train: a model bundle from labelled messages, made step by step."""

from __future__ import annotations

import functools
import inspect
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, ParamSpec

import numpy as np
from numpy.typing import NDArray

from . import _tfidf as tfidf
from ._batches import ContextLike, _batch, _checked
from ._bundle import Bundle, bundle_from_parts
from ._checks import (
    _too_few_humans,
    _train_options,
    _train_rows,
    _TrainOptions,
    _TrainRows,
    bank_templates,
    labels_to_array,
)
from ._design import NGRAM_TOKENS_WRITTEN, _Design, _standardised_design, given_tables
from ._fitting import (
    MIN_TAIL,
    TAIL_SHARE,
    _auc,
    _Fit,
    _Learner,
    _out_of_fold,
    _per_source,
    _platt,
    _threshold_for,
)
from ._ngrams import DEFAULT_BUCKETS, DEFAULT_CHAR_SIZES
from ._resources import data_digest
from .errors import InvalidInputError, ThinDataWarning

P = ParamSpec("P")

__all__ = ["train", "train_with_scores"]

#: Names that lived here until evaluation got its own module. Type hints written against
#: the old path (``from autodm._training import Evaluation``) and evaluations pickled
#: before the move still find them.
_MOVED: Final = {
    "Evaluation": "_evaluation",
    "Mistake": "_evaluation",
    "evaluate": "_evaluation",
    "labels_to_array": "_checks",
}


def __getattr__(name: str) -> Any:
    if name in _MOVED:
        import importlib

        return getattr(importlib.import_module(f"autodm.{_MOVED[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
    tfidf_weight: float = 0.0,
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
    groups : ordered iterable, optional
        A group id per message for grouped cross-validation (e.g. the sender), compared
        as its ``str``; a message without one (None, NaN, NaT, pd.NA or ``""``) is a
        group of its own.
    sample_weight : ordered iterable of float, optional
        Per-message weights, finite and non-negative (a bool or a str is refused),
        rescaled so both classes carry equal total weight. They weigh the logistic fits
        only: calibration, thresholds and the manifest's figures count each message once.
    bank_ids : ordered iterable of str or None, optional
        For messages rendered from the template bank itself, the template's id
        (else None or an empty cell): the template features of such a message ignore
        every bank template of the same family and language, so the model cannot learn
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
        ``{signal: {"edges": [...], "log_lr": [...]}}`` (natural logs per bin), for the
        context signals (``seconds_after_follow``, ``history_duplicates``,
        ``history_similarity``, ``recipient_wrote_first``, ``first_message``,
        ``obfuscation``); each table as a bundle may hold it (equally long, non-empty lists
        of finite numbers, increasing edges).
        Without it, a context signal that at least 30 labelled messages of each
        class carry gets tables learned from them (add-one smoothed per bin of the
        default edges); the rest keep the documented defaults. The manifest records
        which is which under ``training.context_evidence``.
    C : float, default 1.0
        Inverse L2 regularisation strength, from 1e-4 to 1e4.
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
    tfidf_weight : float, default 0.0
        Also fit a second text model, a logistic regression (C 10) on the TF-IDF vectors of
        the character 2- to 5-grams inside each word of the masked text, leetspeak undone
        (hashed into 2**20 buckets; a bucket fewer than 2 training messages hold is
        dropped), and average its log-odds with the first model's at this weight before calibration:
        0.3 scores ``0.7 * first + 0.3 * second``. 0 fits none. The bundle grows by two
        arrays of 2**20 float32 (the bundled model's weights grew from 0.75 to 1.4 MB).
    target_fpr : float, default 0.005
        False-positive rate on human messages that sets the default threshold; with
        ``sources``, on every source of human messages separately. Read from their
        out-of-fold scores: from a tail fitted to each source's highest scores where
        there are enough (``_fitting._tail_log_odds``), else just above the few highest.
    cv : int, default 5
        Folds for the out-of-fold scores.
    cv_repeats : int, default 1
        How many times to draw the ``cv``-fold split, at most 100 (split ``r``, counted
        from 0, with the seed ``random_state + r``). A threshold is a high quantile of the
        human messages' out-of-fold scores, resting on the highest of them, and one
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
        For mismatched lengths, unknown labels, a single class, or bad options (among
        them a ``context_evidence`` table of an unknown signal, or one that a bundle may
        not hold, refused before any fit).
    """
    items, ctxs = _batch(messages, contexts)
    y = labels_to_array(labels)
    n = len(items)
    if len(y) != n:
        raise InvalidInputError(f"`labels` must have one entry per message: {len(y)} for {n}.")
    # Every message and context, named by its position, before any is featurized.
    ctxs = _checked(items, ctxs)
    bank = bank_templates(bank_ids, n)
    options = _train_options(
        y,
        cv=cv,
        cv_repeats=cv_repeats,
        random_state=random_state,
        description=description,
        buckets=buckets,
        target_fpr=target_fpr,
        C=C,
        ngrams=ngrams,
        ngram_scale=ngram_scale,
        signal_scale=signal_scale,
        char_weight=char_weight,
        ratio_power=ratio_power,
        tfidf_weight=tfidf_weight,
    )
    tables = given_tables(context_evidence)
    rows = _train_rows(
        y, options.cv, sample_weight, groups, sources, threshold_sources, calibration_sources
    )
    design = _standardised_design(
        items,
        ctxs,
        y,
        bank,
        char_ngrams,
        tables,
        buckets=options.buckets,
        char_weight=options.char_weight,
    )
    learner = _Learner(
        design,
        y,
        rows.weight,
        C=options.C,
        ngram_scale=options.ngram_scale,
        signal_scale=options.signal_scale,
        ratio_power=options.ratio_power,
        tfidf_counts=tfidf.count_matrix(design.readings) if options.tfidf_weight > 0 else None,
        tfidf_weight=options.tfidf_weight,
    )
    oof = _out_of_fold(learner, rows.groups, options.cv, options.cv_repeats, options.random_state)
    slope, offset = _calibration(oof, y, rows.calibrated)
    cuts = _operating_points(oof, y, rows, slope, offset, options.target_fpr)
    for note in _too_few_humans(y, rows, options.target_fpr, options.cv_repeats):
        warnings.warn(note, ThinDataWarning, stacklevel=3)  # the caller of train
    final = learner.fit(np.arange(n))
    bundle = bundle_from_parts(
        _manifest(final, design, cuts, rows, y, options), _arrays(final, design, cuts)
    )
    return bundle, cuts.probs[0]


def _pooled(values: NDArray[Any], repeats: int) -> NDArray[Any]:
    """Every repeat's scores side by side, as if each were more messages of the same kinds."""
    return np.tile(values, repeats)


def _calibration(
    oof: NDArray[np.float64], y: NDArray[np.int8], calibrated: NDArray[np.bool_]
) -> tuple[float, float]:
    """Platt scaling fitted on the calibration messages' out-of-fold scores, all repeats."""
    slope, offset = _platt(oof[:, calibrated].ravel(), _pooled(y[calibrated], len(oof)))
    if not slope > 0:
        raise InvalidInputError(
            "the out-of-fold scores do not rank the calibration messages (automated ones "
            "do not score higher): give more messages, or other `calibration_sources`."
        )
    return slope, offset


@dataclass(frozen=True, slots=True)
class _Cuts:
    """The calibration, the out-of-fold probabilities and the thresholds chosen on them."""

    slope: float
    offset: float
    probs: NDArray[np.float64]  # every message's, a row for each repeat of the split
    cut_probs: NDArray[np.float64]  # those of the messages that set the thresholds, pooled
    cut_y: NDArray[np.int8]
    points: dict[str, dict[str, float]]
    threshold: float


def _operating_points(
    oof: NDArray[np.float64],
    y: NDArray[np.int8],
    rows: _TrainRows,
    slope: float,
    offset: float,
    target_fpr: float,
) -> _Cuts:
    """The threshold of each operating point and of ``target_fpr``, on calibrated scores."""
    repeats, measured = len(oof), rows.measured
    source_array = rows.source_array
    cut_sources = None if source_array is None else _pooled(source_array[measured], repeats)
    all_probs = 1.0 / (1.0 + np.exp(-(slope * oof + offset)))
    cut_probs, cut_y = all_probs[:, measured].ravel(), _pooled(y[measured], repeats)
    cut_log_odds = (slope * oof + offset)[:, measured].ravel()
    points = {}
    for name, fpr in OPERATING_FPR.items():
        t = _threshold_for(cut_probs, cut_y, fpr, cut_sources, cut_log_odds)
        points[name] = {
            "threshold": t,
            "target_fpr": fpr,
            "recall": float(np.mean(cut_probs[cut_y == 1] >= t)),
            "fpr": float(np.mean(cut_probs[cut_y == 0] >= t)),
        }
    threshold = _threshold_for(cut_probs, cut_y, target_fpr, cut_sources, cut_log_odds)
    return _Cuts(slope, offset, all_probs, cut_probs, cut_y, points, threshold)


def _manifest(
    final: _Fit,
    design: _Design,
    cuts: _Cuts,
    rows: _TrainRows,
    y: NDArray[np.int8],
    options: _TrainOptions,
) -> dict[str, Any]:
    """The manifest of the bundle: its format, scheme, thresholds, training and figures."""
    char_sizes, char_weight = design.char_sizes, options.char_weight
    # The oldest format that reads this bundle right: format 1 knows no char_weight, 2 no
    # TF-IDF model.
    weighs_chars = final.ngram_coef is not None and bool(char_sizes) and char_weight != 1.0
    version = 3 if final.tfidf is not None else 2 if weighs_chars else 1
    cut_probs, cut_y, threshold = cuts.cut_probs, cuts.cut_y, cuts.threshold
    return {
        "format_version": version,
        "autodm_version": _version(),
        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "features": list(design.features),
        "ngrams": {
            "buckets": options.buckets,
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
        **(
            {
                "tfidf": {
                    "buckets": len(final.tfidf.idf),
                    "sizes": list(tfidf.SIZES),
                    "weight": options.tfidf_weight,
                    "min_df": tfidf.MIN_DF,
                    "C": tfidf.C,
                    "reads": "the masked text with leetspeak undone; character n-grams "
                    "inside words padded with a space; sublinear tf, smoothed idf, L2 norm",
                }
            }
            if final.tfidf is not None
            else {}
        ),
        "threshold": threshold,
        "operating_points": cuts.points,
        "context_evidence": design.tables,
        "training": _training_record(design, rows, y, options),
        "metrics": {
            "out_of_fold": {
                "roc_auc": _auc(cut_probs, cut_y),
                "recall": float(np.mean(cut_probs[cut_y == 1] >= threshold)),
                "fpr": float(np.mean(cut_probs[cut_y == 0] >= threshold)),
                "by_source": _per_source(cuts.probs, y, rows.sources, cuts.points),
            }
        },
    }


def _training_record(
    design: _Design, rows: _TrainRows, y: NDArray[np.int8], options: _TrainOptions
) -> dict[str, Any]:
    """The manifest's ``training``: the data and options the bundle was trained with."""
    counts = np.bincount(y, minlength=2)
    scale_ngrams = options.ngram_scale
    return {
        "messages": len(y),
        "automated": int(counts[1]),
        "human": int(counts[0]),
        "C": options.C,
        "ngram_scale": scale_ngrams,
        "signal_scale": options.signal_scale,
        "ratio_power": options.ratio_power if scale_ngrams > 0 else 0.0,  # what was applied
        "tfidf_weight": options.tfidf_weight,
        "cv": options.cv,
        "cv_repeats": options.cv_repeats,
        "grouped": rows.groups is not None,
        "target_fpr": options.target_fpr,
        "calibration_messages": int(rows.calibrated.sum()),
        # how each source's thresholds were read from its scores (_fitting._tail_log_odds)
        "threshold_tail": {"share": TAIL_SHARE, "min_tail": MIN_TAIL},
        "context_evidence": design.origin,
        # which lexicons, bank and domain lists the signals were computed with
        "data_digest": data_digest(),
        **dict(options.description or {}),
    }


def _arrays(final: _Fit, design: _Design, cuts: _Cuts) -> dict[str, NDArray[np.float64]]:
    """The arrays of the bundle: the standardisation, the weights and the calibration."""
    arrays: dict[str, NDArray[np.float64]] = {
        "mean": design.mean,
        "scale": design.std,
        "coef": final.coef,
        "intercept": np.array([final.intercept]),
        "calibration": np.array([cuts.slope, cuts.offset]),
    }
    if final.ngram_coef is not None:
        arrays["ngram_coef"] = final.ngram_coef.astype(np.float32).astype(np.float64)
    if final.tfidf is not None:  # as saved, so the bundle scores as it will once loaded
        arrays["tfidf_idf"] = final.tfidf.idf.astype(np.float32)  # as stored, and kept so
        arrays["tfidf_coef"] = final.tfidf.coef.astype(np.float32)
        arrays["tfidf_intercept"] = np.array([final.tfidf.intercept])
    return arrays


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


def _version() -> str:
    from . import __version__

    return __version__
