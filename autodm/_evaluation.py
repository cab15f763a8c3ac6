"""evaluate: a detector's metrics on labelled messages, as an Evaluation with its Mistakes."""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from ._batches import ContextLike, _batch
from ._checks import labels_to_array, source_names, source_numbers
from ._detector import Detector
from ._fitting import _auc, _threshold_for
from ._types import Verdict, finite_float
from .errors import InvalidInputError, describe

__all__ = ["Evaluation", "Mistake", "evaluate"]

#: Misclassified messages of each kind that ``evaluate`` keeps, the most confident first.
MISTAKES_KEPT: Final = 10
#: The thresholds of the table in ``Evaluation.thresholds``.
TABLE_THRESHOLDS: Final = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99)


@dataclass(frozen=True, slots=True)
class Mistake:
    """One misclassified message of an evaluation: a false positive or a false negative.

    ``index`` is its position in the evaluated messages, ``text`` the message, ``source``
    its ``sources`` entry (None without sources) and ``verdict`` the detector's verdict,
    with the probability and reasons behind the wrong label.
    """

    index: int
    text: str
    verdict: Verdict
    source: str | None = None


@dataclass(frozen=True, slots=True, eq=False)  # eq: NaN rates must compare equal
class Evaluation:
    """Metrics of a detector on labelled messages (automated is the positive class).

    Besides the counts and rates, it keeps what a report draws on: the probability and
    the label (1 automated, 0 human) of every message in input order, and the most
    confident mistakes of each kind (at most ``MISTAKES_KEPT``, most confident first).
    """

    n: int
    threshold: float
    tp: int
    fp: int
    tn: int
    fn: int
    roc_auc: float
    by_source: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    thresholds: tuple[Mapping[str, float], ...] = ()
    operating_points: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    probabilities: tuple[float, ...] = field(default=(), repr=False)
    labels: tuple[int, ...] = field(default=(), repr=False)
    false_positives: tuple[Mistake, ...] = field(default=(), repr=False)
    false_negatives: tuple[Mistake, ...] = field(default=(), repr=False)

    @property
    def recall(self) -> float:
        """Share of automated messages caught ("spam caught")."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else float("nan")

    @property
    def fpr(self) -> float:
        """Share of human messages flagged ("ham blocked")."""
        return self.fp / (self.fp + self.tn) if self.fp + self.tn else float("nan")

    @property
    def precision(self) -> float:
        """Share of flagged messages that are automated."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else float("nan")

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall: 2 tp / (2 tp + fp + fn), 0 when none of
        the flagged is automated and none of the automated is flagged."""
        denominator = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / denominator if denominator else float("nan")

    @property
    def accuracy(self) -> float:
        """Share of messages labelled correctly."""
        return (self.tp + self.tn) / self.n if self.n else float("nan")

    @property
    def mcc(self) -> float:
        """Matthews correlation coefficient."""
        tp, fp, tn, fn = self.tp, self.fp, self.tn, self.fn
        denominator = math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
        return (tp * tn - fp * fn) / denominator if denominator else 0.0

    def threshold_for(self, fpr: float) -> float:
        """The lowest threshold that flags at most a share ``fpr`` of these human messages.

        The bundle's thresholds hold their false-positive rates on the kinds of human text
        it was trained on; other kinds get more false positives (docs/model.md). To hold a
        rate on yours, evaluate the detector on a sample of your human messages and pass
        the result to ``Detector(threshold=...)`` with the same bundle. Of ``h`` human
        messages it lets ``floor(fpr * h)`` score at or above the threshold, so a rate under
        ``1 / h`` lets none. Human messages scored exactly 1.0 stay flagged even then (the
        threshold is at most 1.0). The threshold is fitted to the sample, so new messages
        see a little more on average, about ``(floor(fpr * h) + 1) / (h + 1)``: ask for
        less than you need (0.4 % to hold 0.5 %, say), from a sample of at
        least a few hundred human messages.

        Raises
        ------
        InvalidInputError
            If ``fpr`` is not a number in [0, 1], or no message was labelled human.

        Examples
        --------
        >>> human = ["see you at 6", "lol ok", "Thanks for the follow, Kenji! Loved your talk"]
        >>> result = evaluate(human, ["human"] * 3)
        >>> strict = result.threshold_for(0.0)
        >>> [v.label for v in Detector(threshold=strict).classify_many(human)]
        ['human', 'human', 'human']
        """
        rate = finite_float(fpr)
        if rate is None or not 0.0 <= rate <= 1.0:
            raise InvalidInputError(
                f"`fpr` must be a share of human messages in [0, 1], e.g. 0.005 for 0.5 %. "
                f"Got {describe(fpr)} instead."
            )
        human = np.array(
            [p for p, label in zip(self.probabilities, self.labels, strict=True) if not label]
        )
        if not human.size:
            raise InvalidInputError(
                "`threshold_for` needs human messages among those evaluated; none was labelled "
                "human."
            )
        return _threshold_for(human, np.zeros(human.size, dtype=np.int8), rate)

    def __eq__(self, other: object) -> bool:
        """Field by field, a NaN equal to a NaN: a source of one class has no recall or no
        false-positive rate, and the same evaluation twice must compare equal. Not
        hashable (its tables are dicts)."""
        if not isinstance(other, Evaluation):
            return NotImplemented
        return all(_same(getattr(self, f.name), getattr(other, f.name)) for f in fields(self))

    def to_dict(self) -> dict[str, Any]:
        """Every metric as a JSON-safe dict; a rate that is undefined here (a recall with
        no automated message, a ROC-AUC with one class) is ``None``, JSON's ``null``."""
        metrics: dict[str, Any] = _finite_or_none(
            {
                "n": self.n,
                "threshold": self.threshold,
                "confusion": {"tp": self.tp, "fp": self.fp, "tn": self.tn, "fn": self.fn},
                "recall": self.recall,
                "fpr": self.fpr,
                "precision": self.precision,
                "f1": self.f1,
                "accuracy": self.accuracy,
                "mcc": self.mcc,
                "roc_auc": self.roc_auc,
                "by_source": {k: dict(v) for k, v in self.by_source.items()},
                "thresholds": [dict(t) for t in self.thresholds],
                "operating_points": {k: dict(v) for k, v in self.operating_points.items()},
            }
        )
        return metrics

    def __repr__(self) -> str:
        rates = ", ".join(
            f"{name}={getattr(self, name):.3f}"
            for name in ("recall", "fpr", "precision", "f1", "mcc", "roc_auc")
        )
        return (
            f"Evaluation(n={self.n}, threshold={self.threshold:.4f}, {rates}, "
            f"tp={self.tp}, fp={self.fp}, tn={self.tn}, fn={self.fn})"
        )

    def _repr_html_(self) -> str:
        """A small HTML table of the headline metrics for notebooks (escaped, no script)."""
        from ._display import evaluation_html

        return evaluation_html(self)

    def write_report(
        self, directory: str | os.PathLike[str], *, title: str = "autodm evaluation"
    ) -> Path:
        """Write a self-contained HTML report to ``directory/index.html`` and return its path.

        The page holds the metrics, the confusion matrix, the per-source and threshold
        tables, a precision-recall curve, a reliability plot and the most confident false
        positives and false negatives with their reasons. It is one file: the plots are
        embedded PNG images, and it loads nothing and runs no script. Every piece of text
        is escaped. The directory is created if needed; an existing ``index.html`` is
        replaced.

        Raises
        ------
        MissingDependencyError
            When matplotlib, which draws the plots, is not installed
            (``pip install 'autodm[report]'``). It derives from ``AutoDMError`` and
            ``ModuleNotFoundError``.
        """
        from ._report import write_report

        return write_report(self, directory, title=title)


def _same(a: object, b: object) -> bool:
    """``a == b``, where a NaN equals a NaN, inside mappings and sequences too."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, tuple | list) and isinstance(b, tuple | list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def evaluate(
    messages: Iterable[str],
    labels: Iterable[object],
    contexts: Iterable[ContextLike] | None = None,
    *,
    detector: Detector | None = None,
    sources: Sequence[str] | None = None,
) -> Evaluation:
    """Measure a detector (the bundled one by default) on labelled messages.

    Reports the confusion matrix at the detector's threshold, recall ("spam
    caught"), false-positive rate ("ham blocked"), precision, F1, accuracy,
    MCC, ROC-AUC, the same per ``sources`` label, and a table of thresholds.
    Keeps every message's probability and label, and the most confident false
    positives and false negatives with their verdicts, for
    :meth:`Evaluation.write_report`. Needs only numpy.

    Examples
    --------
    >>> result = evaluate(["see you at 6", "Thx 4 the follow! bit.ly/x1Ab"], ["human", "automated"])
    >>> result.recall, result.fpr
    (1.0, 0.0)
    """
    from ._detector import default_detector

    items, ctxs = _batch(messages, contexts)
    y = labels_to_array(labels)
    if len(y) != len(items):
        raise InvalidInputError(
            f"`labels` must have one entry per message: {len(y)} for {len(items)}."
        )
    if sources is not None:
        sources = source_names(sources, len(items))
    if detector is not None and not isinstance(detector, Detector):
        raise InvalidInputError(
            "`detector` must be an autodm.Detector or None (the bundled model); for a preset, "
            f"pass Detector(threshold='strict'). Got {describe(detector)} instead."
        )
    det = detector or default_detector()
    verdicts = det.classify_many(items, ctxs)
    probs = np.array([v.probability for v in verdicts], dtype=np.float64)
    pred = probs >= det.threshold
    tp, fp, tn, fn = _counts(y, pred, np.ones(len(y), dtype=bool))
    table = [_rates_at(probs, y, t) for t in TABLE_THRESHOLDS]
    return Evaluation(
        n=len(y),
        threshold=det.threshold,
        tp=tp,
        fp=fp,
        tn=tn,
        fn=fn,
        roc_auc=_auc(probs, y),
        by_source=_by_source(y, pred, sources),
        thresholds=tuple(table),
        operating_points=_operating_point_rates(probs, y, det.bundle.operating_points),
        probabilities=tuple(float(p) for p in probs),
        labels=tuple(int(label) for label in y),
        false_positives=_mistakes(
            np.flatnonzero(pred & (y == 0)), -probs, items, verdicts, sources
        ),
        false_negatives=_mistakes(
            np.flatnonzero(~pred & (y == 1)), probs, items, verdicts, sources
        ),
    )


def _counts(
    y: NDArray[np.int8], pred: NDArray[np.bool_], mask: NDArray[np.bool_]
) -> tuple[int, int, int, int]:
    """The true and false positives, true and false negatives among the ``mask`` rows."""
    yy, pp = y[mask], pred[mask]
    return (
        int(np.sum(pp & (yy == 1))),
        int(np.sum(pp & (yy == 0))),
        int(np.sum(~pp & (yy == 0))),
        int(np.sum(~pp & (yy == 1))),
    )


def _by_source(
    y: NDArray[np.int8], pred: NDArray[np.bool_], sources: Sequence[str] | None
) -> dict[str, dict[str, float]]:
    """The counts and rates of each ``sources`` name (none without sources)."""
    by_source: dict[str, dict[str, float]] = {}
    if sources is not None:
        # Counted for every source at once: a corpus may hold a source a message.
        names, numbers = source_numbers(sources)
        automated = y == 1

        def count(which: NDArray[np.bool_]) -> list[int]:
            return np.bincount(numbers[which], minlength=len(names)).tolist()  # type: ignore[no-any-return]

        counts = zip(
            count(pred & automated),
            count(pred & ~automated),
            count(~pred & ~automated),
            count(~pred & automated),
            strict=True,
        )
        # Plain str keys (not numpy's), so that to_dict() is safe for any serialiser.
        for name, (stp, sfp, stn, sfn) in zip(names, counts, strict=True):
            by_source[name] = {
                "n": stp + sfp + stn + sfn,
                "automated": stp + sfn,
                "human": sfp + stn,
                "recall": stp / (stp + sfn) if stp + sfn else float("nan"),
                "fpr": sfp / (sfp + stn) if sfp + stn else float("nan"),
            }
    return by_source


def _rates_at(probs: NDArray[np.float64], y: NDArray[np.int8], t: float) -> dict[str, float]:
    """Recall and false-positive rate at the threshold ``t``."""
    return {
        "threshold": t,
        "recall": float(np.mean(probs[y == 1] >= t)) if np.any(y == 1) else float("nan"),
        "fpr": float(np.mean(probs[y == 0] >= t)) if np.any(y == 0) else float("nan"),
    }


def _operating_point_rates(
    probs: NDArray[np.float64],
    y: NDArray[np.int8],
    operating_points: Mapping[str, Mapping[str, float]],
) -> dict[str, dict[str, float]]:
    """The rates at each operating point of the bundle, beside those it measured in training."""
    points = {}
    for name, point in operating_points.items():
        points[name] = _rates_at(probs, y, float(point["threshold"]))
        points[name]["expected_recall"] = float(point.get("recall", float("nan")))
        points[name]["expected_fpr"] = float(point.get("fpr", float("nan")))
    return points


def _finite_or_none(value: Any) -> Any:
    """``value`` with every NaN or infinite float inside it replaced by None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite_or_none(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_finite_or_none(item) for item in value]
    return value


def _mistakes(
    rows: NDArray[np.intp],
    key: NDArray[np.float64],
    items: Sequence[str],
    verdicts: Sequence[Verdict],
    sources: Sequence[str] | None,
) -> tuple[Mistake, ...]:
    """The ``MISTAKES_KEPT`` rows with the smallest ``key`` (ties: input order) as mistakes."""
    worst = rows[np.argsort(key[rows], kind="stable")[:MISTAKES_KEPT]]
    return tuple(
        Mistake(
            index=int(i),
            text=items[i],
            verdict=verdicts[i],
            source=None if sources is None else str(sources[i]),
        )
        for i in worst
    )
