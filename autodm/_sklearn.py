"""AutoDMFeatures: every extractor signal as a scikit-learn transformer.

This module imports scikit-learn at import time, so ``autodm`` imports it only
when ``autodm.AutoDMFeatures`` is first looked up (see ``autodm.__getattr__``):
``import autodm`` and ``autodm.classify`` stay free of scikit-learn and scipy.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.base import BaseEstimator, TransformerMixin

from ._batches import ContextLike, ordered_messages
from ._detector import default_detector
from ._types import Context, absent
from .errors import InvalidInputError, describe

__all__ = ["AutoDMFeatures"]


def _rows(X: object) -> list[tuple[str, ContextLike]]:
    """Read ``X`` as (message, context) pairs; see :class:`AutoDMFeatures` for what is accepted."""
    if isinstance(X, str | bytes):
        raise InvalidInputError(
            "`X` must be a list of messages (or of (message, context) pairs), not a single "
            "str; wrap it: [message]."
        )
    if hasattr(X, "columns") and hasattr(X, "to_numpy"):  # a pandas DataFrame
        X = X.to_numpy(dtype=object)
    if isinstance(X, np.ndarray):
        if X.ndim == 2 and X.shape[1] in (1, 2):
            X = [tuple(row) for row in X.tolist()]
        elif X.ndim == 1:
            X = X.tolist()
        else:
            raise InvalidInputError(
                "`X` must be 1-D (messages) or 2-D with one column (messages) or two "
                f"(message, context). Got an array of shape {X.shape} instead."
            )
    if not isinstance(X, Iterable):
        raise InvalidInputError(
            f"`X` must be a list or array of messages. Got {describe(X)} instead."
        )
    rows: list[tuple[str, ContextLike]] = []
    for i, item in enumerate(ordered_messages(X, "X", "messages or (message, context) pairs")):
        if isinstance(item, str):
            rows.append((str(item), None))
            continue
        if isinstance(item, tuple | list) and len(item) in (1, 2):
            message = item[0]
            # An empty cell (NaN, NaT, pd.NA) of a context column is no context, as in
            # classify_frame.
            context = item[1] if len(item) == 2 and not absent(item[1]) else None
            if isinstance(message, str) and (
                context is None or isinstance(context, Context | Mapping)
            ):
                rows.append((str(message), context))
                continue
        raise InvalidInputError(
            f"`X[{i}]` must be a message (str) or a (message, context) pair whose context is "
            f"an autodm.Context, a mapping or None. Got {describe(item)} instead."
        )
    return rows


class AutoDMFeatures(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Every extractor signal of each message, as a scikit-learn transformer.

    A stateless transformer: ``fit`` learns nothing and returns ``self``, and
    ``transform`` runs the four extractors (with the bundled template bank, as
    ``Detector()`` does) over each message. The columns are
    ``Detector().feature_names``, in that order, and the values those of
    ``Detector().features(message, context)``. Use it to feed autodm's signals
    to a model of your own, in a ``Pipeline`` beside other features.

    Parameters
    ----------
    missing : float, default nan
        The value written where a signal is None (it does not apply: the
        timing signals without a follow time, the history signals without a
        ``sender_history``). NaN suits models that handle missing values
        (``HistGradientBoostingClassifier``) or a ``SimpleImputer``; most
        linear models refuse NaN, so give them ``missing=0.0``.

    Notes
    -----
    ``X`` is a list, tuple, 1-D array or pandas Series of messages (str), or of
    ``(message, context)`` pairs whose context is an :class:`~autodm.Context`, a
    mapping with its keys, or None (an empty cell, NaN, NaT or ``pd.NA``, counts as
    None, as in :func:`~autodm.classify_frame`). A 2-D array or DataFrame with one column
    (messages) or two (message, context) is read row by row. A single str, a
    mapping (it would give its keys) and a set (it has no order) are refused.
    ``transform`` returns a float64 array of shape
    ``(n_samples, n_features)``, or a DataFrame after ``set_output(transform="pandas")``.

    Examples
    --------
    >>> X = AutoDMFeatures(missing=-1.0).fit_transform(
    ...     ["see you at 6", ("Thanks for following!", {"followed_at": 0, "sent_at": 4})]
    ... )
    >>> X.shape == (2, len(AutoDMFeatures().get_feature_names_out()))
    True
    >>> names = list(AutoDMFeatures().get_feature_names_out())
    >>> X[:, names.index("seconds_after_follow")].tolist()
    [-1.0, 4.0]
    """

    def __init__(self, *, missing: float = np.nan) -> None:
        self.missing = missing

    def _fill(self) -> float:
        value = self.missing
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise InvalidInputError(
                f"`missing` must be a float (nan by default). Got {describe(value)} instead."
            )
        value = float(value)
        if math.isinf(value):
            raise InvalidInputError(f"`missing` must be finite or nan. Got {value!r} instead.")
        return value

    def fit(self, X: Any, y: Any = None) -> AutoDMFeatures:
        """Check ``X`` and the parameters, and return ``self``: nothing is learned."""
        self._fill()
        if not isinstance(X, Iterator):  # a one-shot iterator is left for transform
            _rows(X)
        return self

    def transform(self, X: Any) -> NDArray[np.float64]:
        """Return every extractor signal of each message, shape ``(n_samples, n_features)``."""
        fill = self._fill()
        rows = _rows(X)
        detector = default_detector()
        names = detector.feature_names
        out = np.empty((len(rows), len(names)), dtype=np.float64)
        for r, (message, context) in enumerate(rows):
            signals = detector.features(message, context)
            out[r] = [fill if (v := signals[name].value) is None else v for name in names]
        return out

    def get_feature_names_out(self, input_features: Any = None) -> NDArray[np.object_]:
        """The output column names: ``Detector().feature_names`` (``input_features`` is ignored)."""
        return np.asarray(default_detector().feature_names, dtype=object)

    def __sklearn_is_fitted__(self) -> bool:
        return True  # stateless: usable without fit

    def __sklearn_tags__(self) -> Any:  # scikit-learn >= 1.6
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.input_tags.one_d_array = True
        return tags

    if not hasattr(BaseEstimator, "__sklearn_tags__"):  # scikit-learn < 1.6

        def _more_tags(self) -> dict[str, Any]:
            return {"stateless": True, "requires_fit": False, "X_types": ["string"]}
