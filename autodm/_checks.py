"""Checks of what train and evaluate are given: labels, per-message lists, options, sources."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from ._bundle import _is_number
from ._types import ordered
from .errors import InvalidInputError, describe

__all__ = ["labels_to_array", "per_message"]

_POSITIVE: Final = frozenset({"automated", "auto", "spam", "bot", "1", "true", "yes"})
_NEGATIVE: Final = frozenset({"human", "ham", "person", "0", "false", "no"})
#: The largest ``ratio_power`` accepted. NBSVM itself uses 1; far above it a handful of
#: buckets would carry the whole n-gram block.
_MAX_RATIO_POWER: Final = 2.0
#: The most fold splits ``cv_repeats`` may draw (each costs ``cv`` fits).
_MAX_CV_REPEATS: Final = 100


def _check_description(description: object) -> None:
    """Refuse a ``description`` that the manifest could not store, before any training."""
    if description is None:
        return
    if not isinstance(description, Mapping):
        raise InvalidInputError(
            f"`description` must be a mapping or None. Got {describe(description)} instead."
        )
    try:
        json.dumps(dict(description), allow_nan=False)
    except (TypeError, ValueError) as error:
        raise InvalidInputError(
            "`description` must hold JSON values only (str, finite numbers, bools, None, "
            f"lists and mappings with str keys): {error}."
        ) from None


def per_message(values: object, name: str, n: int) -> list[Any]:
    """``values`` as a list of one entry per message, or a typed error saying what is accepted."""
    out = list(ordered(values, name, "one entry per message"))
    if len(out) != n:
        raise InvalidInputError(f"`{name}` must have one entry per message: {len(out)} for {n}.")
    return out


def labels_to_array(labels: Iterable[object]) -> NDArray[np.int8]:
    """Map labels (``"automated"``/``"human"``, ``"spam"``/``"ham"``, 1/0, bools) to 1/0."""
    out = []
    for label in ordered(labels, "labels", "one label per message"):
        if isinstance(label, bool | np.bool_):
            out.append(int(label))
            continue
        key = str(label).strip().lower() if isinstance(label, str | int | np.integer) else None
        if key in _POSITIVE:
            out.append(1)
        elif key in _NEGATIVE:
            out.append(0)
        else:
            raise InvalidInputError(
                "each label must be 'automated'/'human' (also 'auto', 'spam', 'bot' / 'ham', "
                f"'person'), 1/0 or a bool. Got {describe(label)} instead."
            )
    return np.asarray(out, dtype=np.int8)


def _check_options(buckets: object, target_fpr: object, **positive: object) -> None:
    if isinstance(buckets, bool) or not isinstance(buckets, int) or buckets < 2:
        raise InvalidInputError(f"`buckets` must be a power of two. Got {describe(buckets)}.")
    if buckets & (buckets - 1):
        raise InvalidInputError(f"`buckets` must be a power of two. Got {buckets!r}.")
    for name, value in positive.items():
        if not (_is_number(value) and value > 0):
            raise InvalidInputError(f"`{name}` must be a positive float. Got {describe(value)}.")
    if not (_is_number(target_fpr) and 0.0 < target_fpr < 1.0):
        raise InvalidInputError(f"`target_fpr` must be in (0, 1). Got {describe(target_fpr)}.")


def _of_sources(
    sources: NDArray[np.str_] | None, names: Iterable[str], option: str
) -> NDArray[np.bool_]:
    """Which messages come from one of the ``names`` that option ``option`` lists."""
    if isinstance(names, str | bytes | bytearray):
        raise InvalidInputError(
            f"`{option}` must be an iterable of source names, not one {type(names).__name__}; "
            f"wrap it in a list: [{names!r}]."
        )
    if sources is None:
        raise InvalidInputError(f"`{option}` needs `sources`.")
    return np.isin(sources, [str(s) for s in names])


#: Messages of each class that `calibration_sources` must hold: a line fitted on fewer
#: says little about the next message.
MIN_CALIBRATION: Final = 5


def _calibration_rows(
    sources: NDArray[np.str_] | None,
    calibration_sources: Iterable[str] | None,
    y: NDArray[np.int8],
) -> NDArray[np.bool_]:
    """The messages that calibrate ``probability``: those of ``calibration_sources``, or all."""
    if calibration_sources is None:
        return np.ones(len(y), dtype=bool)
    rows = _of_sources(sources, calibration_sources, "calibration_sources")
    counts = np.bincount(y[rows], minlength=2)
    if min(counts) < MIN_CALIBRATION:
        raise InvalidInputError(
            f"`calibration_sources` must hold at least {MIN_CALIBRATION} messages of each "
            f"class. They hold {counts[1]} automated and {counts[0]} human."
        )
    return rows
