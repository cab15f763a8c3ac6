"""to_frame and classify_frame: verdicts as pandas DataFrames.

pandas is optional (``pip install 'autodm[pandas]'``); it is imported inside
each function, never when ``autodm`` is imported.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Hashable, Iterable, Mapping, Set, Sized
from types import FrameType
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from ._detector import Detector, default_detector
from ._text import check_message
from ._types import CONTEXT_KEYS, Context, Verdict, absent, misspelt_context_keys
from .errors import InvalidInputError, MissingDependencyError, describe

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["classify_frame", "frame_rows", "to_frame"]

#: How many reason messages the ``top_reasons`` column joins, strongest first.
TOP_REASONS: Final = 3
#: Columns of :func:`to_frame` before the ``reason_<code>`` ones, in order.
FRAME_COLUMNS: Final = (
    "label",
    "probability",
    "threshold",
    "is_automated",
    "template",
    "flags",
    "top_reasons",
)


def _pandas(function: str) -> Any:
    """Import pandas, or say how to install it."""
    try:
        import pandas
    except ImportError as error:
        raise MissingDependencyError(
            f"autodm.{function} needs pandas, an optional dependency: pip install 'autodm[pandas]'",
            name="pandas",
        ) from error
    return pandas


def to_frame(verdicts: Iterable[Verdict], *, index: Any = None) -> pd.DataFrame:
    """Return verdicts as a pandas DataFrame, one row per verdict, in order.

    Columns: ``label``, ``probability``, ``threshold``, ``is_automated``,
    ``template`` (missing, None or NaN by pandas version, where no template
    matched: test with ``.isna()``), ``flags`` (comma-joined,
    ``""`` for none), ``top_reasons`` (the messages of the 3 strongest reasons,
    joined by ``"; "``), then one ``reason_<code>`` column per reason code that
    any verdict has, sorted by code: that reason's signed weight, 0.0 in rows
    whose verdict does not list it.

    Parameters
    ----------
    verdicts : iterable of Verdict
    index : sequence or pandas.Index, optional
        The frame's index (default: 0, 1, 2, ...); one label per verdict, in
        order: a list, a tuple, a 1-D array, a pandas Index or Series.

    Raises
    ------
    InvalidInputError
        If an item is not a :class:`Verdict`, or ``index`` is not a sequence or
        Index of one label per verdict.
    MissingDependencyError
        If pandas is not installed.
    """
    pd = _pandas("to_frame")
    if isinstance(verdicts, Verdict):
        raise InvalidInputError(
            "`verdicts` must be an iterable of Verdict, not a single Verdict; wrap it: [verdict]."
        )
    if not isinstance(verdicts, Iterable):
        raise InvalidInputError(
            f"`verdicts` must be an iterable of Verdict. Got {describe(verdicts)} instead."
        )
    items = list(verdicts)
    for i, verdict in enumerate(items):
        if not isinstance(verdict, Verdict):
            raise InvalidInputError(
                f"`verdicts[{i}]` must be an autodm.Verdict. Got {describe(verdict)} instead."
            )
    if index is not None:
        _check_index(index, len(items), plain=not isinstance(index, pd.Index | pd.Series))
    columns: dict[str, Any] = {
        "label": [v.label for v in items],
        "probability": np.array([v.probability for v in items], dtype=np.float64),
        "threshold": np.array([v.threshold for v in items], dtype=np.float64),
        "is_automated": np.array([v.is_automated for v in items], dtype=bool),
        "template": np.array([v.template for v in items], dtype=object),
        "flags": [",".join(v.flags) for v in items],
        "top_reasons": ["; ".join(r.message for r in v.reasons[:TOP_REASONS]) for v in items],
    }
    codes = sorted({r.code for v in items for r in v.reasons})
    weights = np.zeros((len(items), len(codes)), dtype=np.float64)
    where = {code: c for c, code in enumerate(codes)}
    for row, verdict in enumerate(items):
        for reason in verdict.reasons:
            weights[row, where[reason.code]] = reason.weight
    for code, column in zip(codes, weights.T, strict=True):
        columns[f"reason_{code}"] = column
    frame = pd.DataFrame(columns, index=index)
    # Text columns hold str even when there are no rows (pandas would make them float).
    return frame.astype({"label": str, "flags": str, "top_reasons": str})


def _check_index(index: object, n: int, plain: bool = True) -> None:
    """Refuse an ``index`` that pandas would refuse with a bare error, or read otherwise
    than label by label in order (a mapping by its keys, a set in no order, a ``plain``
    sequence of lists as the levels of a MultiIndex), or whose length cannot be checked
    (an iterator)."""
    if (
        isinstance(index, str | bytes | bytearray | Mapping | Set)
        or not isinstance(index, Sized)
        or not isinstance(index, Iterable)
        or getattr(index, "ndim", 1) != 1
    ):
        raise InvalidInputError(
            "`index` must be a sequence (a list, a tuple, a 1-D array) or a pandas Index, "
            "with one label per verdict; not a str, a mapping, a set or an iterator. "
            f"Got {describe(index)} instead."
        )
    if len(index) != n:
        raise InvalidInputError(
            f"`index` must have one label per verdict: got {len(index)} for {n} verdicts."
        )
    if plain:
        assert isinstance(index, Iterable)
        for i, label in enumerate(index):
            try:
                hash(label)
            except TypeError:
                raise InvalidInputError(
                    f"`index[{i}]` must be a label (a str, a number, a tuple...); got "
                    f"{describe(label)}. For a MultiIndex, pass pandas.MultiIndex.from_tuples"
                    "(...)."
                ) from None


def _is_column(df: pd.DataFrame, label: object) -> bool:
    try:
        return label in df.columns
    except TypeError:  # unhashable (a list, say): no column's label
        return False


def _cells(df: pd.DataFrame, label: Hashable, what: str, multi_fix: str) -> list[Any]:
    """The cells of the column ``label``, which must be one column: a label repeated (by
    ``pd.concat(axis=1)``, say) or heading MultiIndex columns selects several."""
    column = df[label]
    if column.ndim == 1:
        return list(column.tolist())
    selected = df.columns[df.columns.get_loc(label)].tolist()
    if df.columns.nlevels == 1:
        got = f"{label!r} labels {len(selected)} of its columns; rename or drop all but one"
    else:
        got = f"{label!r} heads {len(selected)} of its MultiIndex columns {selected}; {multi_fix}"
    raise InvalidInputError(f"{what} must name a single column of the DataFrame: {got}.")


def _is_label(name: str, text: Hashable) -> bool:
    """Whether the column ``name`` is the one of the messages (``text`` may be any label)."""
    return isinstance(text, str) and name == text


def _caller_level() -> int:
    """The ``stacklevel`` that makes a warning of the function calling this one point at the
    first caller outside autodm (``classify_frame``, ``classify_many`` and a detector's
    ``classify_many`` reach the frame through different paths)."""
    package = os.path.dirname(os.path.abspath(__file__)) + os.sep
    frame: FrameType | None = sys._getframe(2)
    level = 2
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(package):
        frame, level = frame.f_back, level + 1
    return level


def frame_rows(df: pd.DataFrame, text: Hashable = "text") -> tuple[list[str], list[Context | None]]:
    """The messages of a DataFrame's ``text`` column and each row's context.

    Raises
    ------
    InvalidInputError
        If ``text`` is not a column label, it or a context key labels several
        columns, a message is not a str, or a row's context is invalid; the error
        names the row's index label.
    """
    if not _is_column(df, text):
        raise InvalidInputError(
            f"`text` must name the DataFrame's column of messages: {text!r} is not one of "
            f"its columns {df.columns.tolist()}."
        )
    labels = df.index.tolist()
    messages = _cells(df, text, "`text`", "name one by its full label, a tuple")
    for label, message in zip(labels, messages, strict=True):
        if not isinstance(message, str):
            raise InvalidInputError(
                f"column {text!r} must hold str messages; row {label!r} holds {describe(message)}."
            )
        try:
            check_message(message)  # here, to name the row by its label, not its position
        except InvalidInputError as error:
            raise InvalidInputError(f"row {label!r}: {error}") from None
    keys = [key for key in CONTEXT_KEYS if key in df.columns and key != text]
    names = [c for c in df.columns.tolist() if isinstance(c, str) and not _is_label(c, text)]
    if misspelt := misspelt_context_keys(names):
        warnings.warn(
            "these columns are not read as context: "
            + ", ".join(f"{name!r} (the key is {key!r})" for name, key in misspelt.items()),
            UserWarning,
            stacklevel=_caller_level(),
        )
    values = {key: _cells(df, key, "each context key", "flatten the columns") for key in keys}
    contexts: list[Context | None] = []
    for row, label in enumerate(labels):
        mapping: dict[str, Any] = {}
        for key in keys:
            value = values[key][row]
            if absent(value):
                continue
            mapping[key] = value
        try:
            contexts.append(Context(**mapping) if mapping else None)
        except InvalidInputError as error:
            raise InvalidInputError(f"row {label!r}: {error}") from None
    return messages, contexts


def classify_frame(
    df: pd.DataFrame,
    *,
    text: Hashable = "text",
    detector: Detector | None = None,
    n_jobs: int = 1,
) -> pd.DataFrame:
    """Classify every row of a DataFrame; return :func:`to_frame` of the verdicts.

    The message is the ``text`` column. Columns named after :class:`~autodm.Context`
    keys (``sender_id``, ``recipient_id``, ``sent_at``, ``followed_at``,
    ``sender_history``, ``platform``, ``first_message``, ``recipient_wrote_first``)
    are that row's context; every other column is ignored. Empty cells (None,
    NaN, NaT, ``pd.NA``) count as absent keys. A whole-number float id (pandas
    stores an int column with gaps as float) is read as an int.

    The result has the input's index and only the verdict columns, so
    ``pd.concat([df, classify_frame(df).add_prefix("autodm_")], axis=1)`` puts
    them beside the input, row by row in order even where a label repeats
    (``df.join`` would pair each row with every verdict of its label); the
    prefix keeps them apart from a ``label`` column of your own.

    Parameters
    ----------
    df : pandas.DataFrame
    text : hashable, default "text"
        The label of the column holding the messages (str): any label of
        ``df.columns``, such as ``0`` for a CSV read with ``header=None``.
    detector : Detector, optional
        The detector to use; a shared one on the bundled model by default.
    n_jobs : int, default 1
        As for :func:`autodm.classify_many`.

    Raises
    ------
    InvalidInputError
        If ``df`` is not a DataFrame, ``text`` is not one of its columns, it or
        a context key labels several columns (a repeated label, or the first
        level of MultiIndex columns), a message is not a str, or a row's context
        is invalid; the error names the row's index label.
    MissingDependencyError
        If pandas is not installed.
    """
    pd = _pandas("classify_frame")
    if not isinstance(df, pd.DataFrame):
        raise InvalidInputError(f"`df` must be a pandas DataFrame. Got {describe(df)} instead.")
    if detector is None:
        detector = default_detector()
    elif not isinstance(detector, Detector):
        raise InvalidInputError(
            f"`detector` must be an autodm.Detector or None. Got {describe(detector)} instead."
        )
    messages, contexts = frame_rows(df, text)
    verdicts = detector.classify_many(messages, contexts, n_jobs=n_jobs)
    return to_frame(verdicts, index=df.index)
