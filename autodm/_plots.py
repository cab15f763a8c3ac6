"""The report's plots: a precision-recall curve and a reliability plot as PNG bytes.

Drawn with matplotlib on its Agg canvas (no pyplot, so a notebook's backend and figures are
left alone); matplotlib is imported on first use, so importing this module needs none.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any, Final

import numpy as np
from numpy.typing import NDArray

from ._display import _HTML_BAR_COLOURS
from .errors import MissingDependencyError

if TYPE_CHECKING:
    from ._evaluation import Evaluation

__all__ = ["check_dependencies", "precision_recall", "reliability"]

#: Most points drawn on the precision-recall curve (evenly thinned beyond this).
CURVE_POINTS: Final = 4000


#: Equal-width probability bins of the reliability plot.
RELIABILITY_BINS: Final = 10


_AUTOMATED: Final = _HTML_BAR_COLOURS[True]


_HUMAN: Final = _HTML_BAR_COLOURS[False]


_INSTALL: Final = "pip install 'autodm[report]'"


def check_dependencies() -> None:
    """Raise :class:`MissingDependencyError` unless matplotlib can be imported."""
    _canvas()


def _canvas() -> tuple[Any, Any]:
    """matplotlib's ``Figure`` and Agg ``FigureCanvasAgg`` classes, imported on first use."""
    try:
        import matplotlib  # noqa: F401  (fails first, and clearly, when matplotlib is absent)
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as error:
        raise MissingDependencyError(
            f"the evaluation report draws its plots with matplotlib, which is not installed; "
            f"install it with: {_INSTALL}"
        ) from error
    return Figure, FigureCanvasAgg


def precision_recall(
    probs: NDArray[np.float64], labels: NDArray[np.int8]
) -> tuple[NDArray[np.float64], NDArray[np.float64], float]:
    """Recall, precision at each distinct threshold (highest first, after the point (0, 1)),
    and the average precision ``sum((R_k - R_{k-1}) * P_k)``."""
    order = np.argsort(-probs, kind="stable")
    sorted_probs, sorted_labels = probs[order], labels[order]
    last = np.r_[np.flatnonzero(np.diff(sorted_probs)), len(sorted_probs) - 1]
    tp = np.cumsum(sorted_labels == 1)[last]
    fp = np.cumsum(sorted_labels == 0)[last]
    recall = np.r_[0.0, tp / max(int(tp[-1]), 1)]
    precision = np.r_[1.0, tp / (tp + fp)]
    average = float(np.sum(np.diff(recall) * precision[1:]))
    return recall, precision, average


def reliability(
    probs: NDArray[np.float64], labels: NDArray[np.int8], bins: int = RELIABILITY_BINS
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.int64], NDArray[np.int64]]:
    """Per equal-width bin: mean P and observed share of automated (each class weighted to
    half; NaN for an empty bin), and the counts of automated and of human messages."""
    index = np.clip((probs * bins).astype(np.int64), 0, bins - 1)
    auto = np.bincount(index[labels == 1], minlength=bins)
    human = np.bincount(index[labels == 0], minlength=bins)
    a_total, h_total = max(int(auto.sum()), 1), max(int(human.sum()), 1)
    weight = np.where(labels == 1, 1.0 / a_total, 1.0 / h_total)
    mass = np.bincount(index, weights=weight, minlength=bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(index, weights=weight * probs, minlength=bins) / mass
        observed = (auto / a_total) / mass
    return mean, observed, auto, human


def _png(figure: Any) -> bytes:
    _, canvas = _canvas()
    canvas(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=120, metadata={"Software": None})
    return buffer.getvalue()


def _empty(axes: Any, message: str) -> None:
    axes.text(0.5, 0.5, message, ha="center", va="center", transform=axes.transAxes, color="#555")


def _precision_recall_png(
    evaluation: Evaluation, probs: NDArray[np.float64], labels: NDArray[np.int8]
) -> bytes:
    figure_class, _ = _canvas()
    figure = figure_class(figsize=(5.6, 4.4), layout="constrained")
    axes = figure.add_subplot()
    positives = int(np.sum(labels == 1))
    if positives and len(labels):
        recall, precision, average = precision_recall(probs, labels)
        if len(recall) > CURVE_POINTS:
            keep = np.unique(np.linspace(0, len(recall) - 1, CURVE_POINTS).astype(np.int64))
            recall, precision = recall[keep], precision[keep]
        curve = f"detector (AP {average:.3f})"
        axes.plot(recall, precision, drawstyle="steps-pre", color=_AUTOMATED, lw=2, label=curve)
        share = positives / len(labels)
        axes.axhline(share, color="#888", ls="--", lw=1, label=f"share automated ({share:.2f})")
        if evaluation.tp + evaluation.fp:
            point = f"threshold {evaluation.threshold:.3f}"
            axes.plot([evaluation.recall], [evaluation.precision], "o", color="#222", label=point)
        axes.legend(loc="lower left", fontsize=9)
    else:
        _empty(axes, "needs automated messages")
    axes.set(xlim=(0, 1.02), ylim=(0, 1.03), xlabel="recall (spam caught)", ylabel="precision")
    axes.set_title("Precision-recall", fontsize=12)
    axes.grid(alpha=0.3)
    return _png(figure)


def _reliability_png(probs: NDArray[np.float64], labels: NDArray[np.int8]) -> bytes:
    figure_class, _ = _canvas()
    figure = figure_class(figsize=(5.6, 4.4), layout="constrained")
    top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=(3, 1.3))
    top.plot([0, 1], [0, 1], ls="--", color="#888", lw=1, label="perfectly calibrated")
    mean, observed, auto, human = reliability(probs, labels)
    if auto.sum() and human.sum():
        filled = ~np.isnan(mean)
        top.plot(mean[filled], observed[filled], "o-", color=_AUTOMATED, lw=2, label="detector")
        top.legend(loc="upper left", fontsize=9)
    else:
        _empty(top, "needs automated and human messages")
    top.set(xlim=(-0.02, 1.02), ylim=(-0.03, 1.03), ylabel="observed share automated")
    top.set_title("Reliability (calibration)", fontsize=12)
    top.grid(alpha=0.3)
    centres = (np.arange(RELIABILITY_BINS) + 0.5) / RELIABILITY_BINS
    width = 0.4 / RELIABILITY_BINS
    bottom.bar(centres - width / 2, auto, width, color=_AUTOMATED, label="automated")
    bottom.bar(centres + width / 2, human, width, color=_HUMAN, label="human")
    if auto.sum() or human.sum():
        bottom.set_yscale("log")
    bottom.set(xlabel="predicted P(automated)", ylabel="messages")
    bottom.legend(loc="upper center", fontsize=8, ncols=2, frameon=False)
    bottom.grid(alpha=0.3, axis="y")
    return _png(figure)
