"""Checks of what train and evaluate are given: labels, per-message lists, options, sources."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from ._bundle_checks import _MAX_CHAR_WEIGHT, MAX_NGRAM_BUCKETS, _check_json_values, _read_json
from ._text import check_unicode
from ._types import absent, finite_float, ordered, whole_number
from .errors import BundleError, InvalidInputError, describe

__all__ = [
    "check_source",
    "label_value",
    "labels_to_array",
    "per_message",
    "source_groups",
    "source_name",
    "source_names",
    "source_numbers",
]

#: The most bytes of JSON a ``description`` may take: a quarter of what a manifest may.
MAX_DESCRIPTION_BYTES: Final = 1 << 18
#: The largest character n-gram size (as the loader accepts).
_MAX_CHAR_SIZE: Final = 8
#: Sources with too few human messages that get a warning each; the rest share one.
_THIN_NAMED: Final = 5
#: The most distinct ``sources`` train keeps figures for, each in the manifest.
MAX_SOURCES: Final = 1000
_POSITIVE: Final = frozenset({"automated", "auto", "spam", "bot", "1", "1.0", "true", "yes"})
_NEGATIVE: Final = frozenset({"human", "ham", "person", "0", "0.0", "false", "no"})
#: The largest ``ratio_power`` accepted. NBSVM itself uses 1; far above it a handful of
#: buckets would carry the whole n-gram block.
_MAX_RATIO_POWER: Final = 2.0
#: The most fold splits ``cv_repeats`` may draw (each costs ``cv`` fits).
_MAX_CV_REPEATS: Final = 100
#: The range of ``C`` accepted: two orders of magnitude beyond what is tuned (0.01 to 100;
#: the recipe uses 1, the SMS benchmark 30) either way. Across it, training on 40 short
#: messages or on the own corpus (740) took 1.5 to 6 s at every power of ten. Far outside it
#: liblinear runs for minutes (at 1e300 and at 1e-300 it had not finished after one), its
#: time grows with C on data it can separate, and from 1e-6 down the weights are so small
#: that the out-of-fold scores no longer rank anything.
_MIN_C: Final = 1e-4
_MAX_C: Final = 1e4


#: The facts ``train`` records in ``manifest["training"]`` itself, beside the description.
RECORDED_FACTS: Final = frozenset(
    (
        "messages",
        "automated",
        "human",
        "C",
        "ngram_scale",
        "signal_scale",
        "ratio_power",
        "tfidf_weight",
        "cv",
        "cv_repeats",
        "grouped",
        "target_fpr",
        "calibration_messages",
        "threshold_tail",
        "context_evidence",
        "data_digest",
    )
)


def _check_description(description: object) -> None:
    """Refuse a ``description`` that the manifest could not store, before any training."""
    if description is None:
        return
    if not isinstance(description, Mapping):
        raise InvalidInputError(
            f"`description` must be a mapping or None. Got {describe(description)} instead."
        )
    if taken := sorted(RECORDED_FACTS.intersection(map(str, description))):
        # A description that overwrote them would misstate the training, and a wrong
        # data_digest would make detectors warn of drift, or never warn.
        raise InvalidInputError(
            f"`description` must not use the keys that train records itself; got {taken}. "
            f"Those are {sorted(RECORDED_FACTS)}: name yours otherwise, e.g. 'data_notes'."
        )
    try:
        text = json.dumps(dict(description), allow_nan=False, ensure_ascii=False)
        raw = text.encode("utf-8")
        # As load_bundle reads it back: no key twice (json writes 1 and "1" both as "1"),
        # no nesting past its depth limit, no lone surrogate.
        _check_json_values({"d": _read_json(raw, "the description")}, "the description")
    except UnicodeEncodeError:
        problem = "it holds a string with a lone surrogate, which is not Unicode text."
        raise InvalidInputError(f"`description` cannot be stored: {problem}") from None
    except (TypeError, ValueError, RecursionError, BundleError) as error:
        problem = str(error).replace("manifest.json of the description", "it")
        raise InvalidInputError(
            "`description` must hold JSON values only (str, finite numbers, bools, None, "
            f"lists and mappings with str keys) that a bundle can store: {problem}"
        ) from None
    if len(raw) > MAX_DESCRIPTION_BYTES:
        raise InvalidInputError(
            f"`description` takes {len(raw):,} bytes as JSON; at most "
            f"{MAX_DESCRIPTION_BYTES:,} are accepted (the manifest that holds it is read back "
            "up to 1 MiB). Keep large notes beside the bundle."
        )


def per_message(values: object, name: str, n: int) -> list[Any]:
    """``values`` as a list of one entry per message, or a typed error saying what is accepted."""
    out = list(ordered(values, name, "one entry per message"))
    if len(out) != n:
        raise InvalidInputError(f"`{name}` must have one entry per message: {len(out)} for {n}.")
    return out


def source_names(values: object, n: int) -> list[str]:
    """``sources`` as one name a message: a str as given, an int as its digits, and a
    missing value (None, NaN, pandas' NA, "") as "all", as the command line reads an empty
    ``source``; anything else, or a name that could not be written out (a lone
    surrogate) or one holding a NUL, is an InvalidInputError."""
    values = per_message(values, "sources", n)
    return [source_name(value, f"sources[{i}]") for i, value in enumerate(values)]


def _blank(value: object) -> bool:
    """A per-message value that is not given: an empty cell (:func:`absent`) or ``""``, as
    a DataFrame's column and an empty CSV cell hold."""
    return absent(value) or (isinstance(value, str) and not value)


def source_name(value: object, where: str) -> str:
    """One message's source, read as :func:`source_names` reads each (a missing value
    being None, NaN, NaT, pandas' NA or "")."""
    if _blank(value):
        return "all"
    if isinstance(value, str):
        return check_source(value, where)
    if isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_):
        return str(int(value))
    raise InvalidInputError(
        f'`{where}` must be a str or an int (None, NaN or "" for none). Got '
        f"{describe(value)} instead."
    )


def check_source(name: str, where: str) -> str:
    """A source name that can be told apart and written out, or the InvalidInputError:
    one holding a NUL (numpy drops trailing NULs, so "a\\x00" would count as "a") or a
    lone surrogate."""
    if "\x00" in name:
        raise InvalidInputError(
            f"`{where}` holds a NUL character (\\x00); a source name is a label such as "
            f"'sms' or 'tweets'. Got {name!r}."
        )
    return check_unicode(name, where)


def source_numbers(sources: Sequence[object]) -> tuple[list[str], NDArray[np.intp]]:
    """The distinct source names (``str`` of each), sorted, and each message's place among
    them."""
    names = [str(s) for s in sources]
    distinct = sorted(set(names))
    number = {name: i for i, name in enumerate(distinct)}
    return distinct, np.fromiter((number[name] for name in names), np.intp, len(names))


def source_groups(sources: Sequence[object]) -> list[tuple[str, NDArray[np.intp]]]:
    """Each distinct source name (``str`` of each), sorted, with the indices of its messages
    in order: one sort in all, not a pass over every message a source."""
    distinct, numbers = source_numbers(sources)
    if not distinct:
        return []
    order = np.argsort(numbers, kind="stable")
    ends = np.cumsum(np.bincount(numbers, minlength=len(distinct)))[:-1]
    return list(zip(distinct, np.split(order, ends), strict=True))


def _weights(sample_weight: object, n: int) -> NDArray[np.float64]:
    """One finite, non-negative real number a message (not a bool, not a numeric str), as
    float64, or the InvalidInputError naming the first that is not."""
    if hasattr(sample_weight, "__array__") and not isinstance(sample_weight, list | tuple):
        # An array of numbers (numpy, pandas, pyarrow) is checked whole; the loop below
        # names the first bad value of any other, or of one that fails here.
        array = np.asarray(sample_weight)
        if array.ndim > 1:
            raise InvalidInputError(
                f"`sample_weight` must be one-dimensional, one weight a message. Got an array "
                f"of shape {array.shape}."
            )
        if array.dtype.kind in "fiu":
            weights = array.astype(np.float64)
            if len(weights) == n and np.all(np.isfinite(weights)) and not np.any(weights < 0):
                return weights
    values = per_message(sample_weight, "sample_weight", n)
    if {type(value) for value in values} <= {float, int}:  # a plain list: no bool, no str
        try:
            weights = np.asarray(values, dtype=np.float64)
        except OverflowError:  # an int too large for a float: named by the loop
            weights = np.array([np.nan])
        if len(weights) == n and np.all(np.isfinite(weights)) and not np.any(weights < 0):
            return weights
    for i, value in enumerate(values):
        number = finite_float(value)
        if number is None or number < 0:
            raise InvalidInputError(
                f"`sample_weight[{i}]` must be a finite, non-negative number (not a bool or "
                f"a str). Got {describe(value)} instead."
            )
    return np.asarray(values, dtype=np.float64)


def bank_templates(bank_ids: object, n: int) -> list[str | None] | None:
    """``bank_ids`` as one template id (a str) or None a message; a missing value (None,
    NaN, NaT, pandas' NA or "", as a DataFrame's column holds) is None. Whether each id
    names a template of the bank is checked where the bank is at hand (``_design``)."""
    if bank_ids is None:
        return None
    out: list[str | None] = []
    for i, value in enumerate(per_message(bank_ids, "bank_ids", n)):
        if _blank(value):
            out.append(None)
        elif isinstance(value, str):
            out.append(str(value))
        else:
            raise InvalidInputError(
                f"`bank_ids[{i}]` must be a template id (a str) or None. Got "
                f"{describe(value)} instead."
            )
    return out


def group_codes(groups: Sequence[object]) -> NDArray[np.int64]:
    """Each message's cross-validation group as an int: one for each distinct ``str(group)``,
    and a group of its own for a message without one (None, NaN, NaT, pd.NA or ``""``), so
    that messages of unknown senders are not pooled into one group named "None" (which
    put most of a half-unknown corpus into one fold)."""
    names = [None if _blank(g) else str(g) for g in groups]
    # Numbered in the order of their names, as numpy sorts the names themselves: the folds
    # of named groups are those that the names would give.
    codes = {name: i for i, name in enumerate(sorted({n for n in names if n is not None}))}
    out = np.empty(len(groups), dtype=np.int64)
    for i, name in enumerate(names):
        out[i] = -1 - i if name is None else codes[name]  # negative: no named group has it
    return out


def labels_to_array(labels: Iterable[object]) -> NDArray[np.int8]:
    """Map labels (``"automated"``/``"human"``, ``"spam"``/``"ham"``, 1/0, bools) to 1/0."""
    out = []
    for i, label in enumerate(ordered(labels, "labels", "one label per message")):
        try:
            out.append(label_value(label))
        except InvalidInputError as error:
            raise InvalidInputError(f"labels[{i}]: {error}") from None
    return np.asarray(out, dtype=np.int8)


def label_value(label: object) -> int:
    """1 for a label that means automated, 0 for one that means human (see
    :func:`labels_to_array`), else an InvalidInputError."""
    if isinstance(label, bool | np.bool_):
        return int(label)
    if isinstance(label, float | np.floating) and label in (0.0, 1.0):
        # What pandas holds for a 0/1 column with a gap in it, and what to_csv then writes.
        return int(label)
    key = str(label).strip().lower() if isinstance(label, str | int | np.integer) else None
    if key in _POSITIVE:
        return 1
    if key in _NEGATIVE:
        return 0
    raise InvalidInputError(
        "each label must be 'automated'/'human' (also 'auto', 'spam', 'bot' / 'ham', "
        f"'person'), 1/0 or a bool. Got {describe(label)} instead."
    )


@dataclass(frozen=True, slots=True)
class _TrainOptions:
    """train's options once checked, as the fit applies them."""

    cv: int
    cv_repeats: int
    random_state: int
    buckets: int
    C: float
    ngram_scale: float  # 0 without n-grams
    signal_scale: float
    char_weight: float
    ratio_power: float
    target_fpr: float
    description: Mapping[str, Any] | None
    tfidf_weight: float = 0.0


def _train_options(
    y: NDArray[np.int8],
    *,
    cv: int,
    cv_repeats: int,
    random_state: int,
    description: Mapping[str, Any] | None,
    buckets: int,
    target_fpr: float,
    C: float,
    ngrams: bool,
    ngram_scale: float,
    signal_scale: float,
    char_weight: float,
    ratio_power: float,
    tfidf_weight: float = 0.0,
) -> _TrainOptions:
    """train's options as the fit applies them; the first bad one raises InvalidInputError."""
    if not isinstance(ngrams, bool | np.bool_):
        raise InvalidInputError(
            f"`ngrams` must be True or False (whether to train n-gram weights). "
            f"Got {describe(ngrams)}."
        )
    cv, cv_repeats, random_state = _check_split(cv, cv_repeats, random_state)
    _check_description(description)
    counts = np.bincount(y, minlength=2)
    if min(counts) < cv:
        raise InvalidInputError(
            f"training needs at least {cv} messages of each class (cv={cv}). "
            f"Got {counts[1]} automated and {counts[0]} human."
        )
    buckets = _check_buckets(buckets)
    c = finite_float(C)
    if c is None or not _MIN_C <= c <= _MAX_C:
        raise InvalidInputError(
            f"`C` must be a float from {_MIN_C:g} to {_MAX_C:g} (1 by default; smaller "
            f"regularises harder). Got {describe(C)}."
        )
    scales = {
        name: _positive_float(name, value)
        for name, value in (
            ("ngram_scale", ngram_scale),
            ("signal_scale", signal_scale),
            ("char_weight", char_weight),
        )
    }
    fpr = finite_float(target_fpr)
    if fpr is None or not 0.0 < fpr < 1.0:
        raise InvalidInputError(
            f"`target_fpr` must be a float in (0, 1). Got {describe(target_fpr)}."
        )
    power = finite_float(ratio_power)
    if power is None or not 0 <= power <= _MAX_RATIO_POWER:
        raise InvalidInputError(
            f"`ratio_power` must be a float in [0, {_MAX_RATIO_POWER:g}] (0 turns it off). "
            f"Got {describe(ratio_power)}."
        )
    share = finite_float(tfidf_weight)
    if share is None or not 0 <= share <= 1:
        raise InvalidInputError(
            f"`tfidf_weight` must be a float in [0, 1] (the TF-IDF model's share of the text "
            f"log-odds; 0 trains none). Got {describe(tfidf_weight)}."
        )
    if scales["char_weight"] > _MAX_CHAR_WEIGHT:
        raise InvalidInputError(
            f"`char_weight` must be at most {_MAX_CHAR_WEIGHT:g}. Got {describe(char_weight)}."
        )
    return _TrainOptions(
        cv=cv,
        cv_repeats=cv_repeats,
        random_state=random_state,
        buckets=buckets,
        C=c,
        ngram_scale=scales["ngram_scale"] if ngrams else 0.0,
        signal_scale=scales["signal_scale"],
        char_weight=scales["char_weight"],
        ratio_power=power,
        target_fpr=fpr,
        description=description,
        tfidf_weight=share,
    )


def char_sizes_of(char_ngrams: object) -> tuple[int, ...]:
    """``char_ngrams`` as distinct sizes in increasing order, or an InvalidInputError."""
    sizes = set()
    if isinstance(char_ngrams, Set):  # sizes have no order to lose
        char_ngrams = list(char_ngrams)
    for value in ordered(char_ngrams, "char_ngrams", "character n-gram sizes"):
        size = whole_number(value)
        if size is None or not 1 <= size <= _MAX_CHAR_SIZE:
            raise InvalidInputError(
                f"`char_ngrams` must hold character n-gram sizes, ints in 1..{_MAX_CHAR_SIZE} "
                f"such as (3, 4, 5), or be empty for none. Got {describe(char_ngrams)}."
            )
        sizes.add(size)
    return tuple(sorted(sizes))


def _check_split(cv: object, cv_repeats: object, random_state: object) -> tuple[int, int, int]:
    """Refuse a bad ``cv``, ``cv_repeats`` or ``random_state``; return the three as ints."""
    folds = whole_number(cv)
    if folds is None or folds < 2:
        raise InvalidInputError(f"`cv` must be an int of at least 2 folds. Got {describe(cv)}.")
    repeats = whole_number(cv_repeats)
    if repeats is None or not 1 <= repeats <= _MAX_CV_REPEATS:
        raise InvalidInputError(
            f"`cv_repeats` must be an int from 1 to {_MAX_CV_REPEATS} (each repeat costs `cv` "
            f"fits). Got {describe(cv_repeats)}."
        )
    last_seed = 2**32 - repeats
    seed = whole_number(random_state)
    if seed is None:
        raise InvalidInputError(f"`random_state` must be an int. Got {describe(random_state)}.")
    if not 0 <= seed <= last_seed:
        raise InvalidInputError(
            f"`random_state` must be from 0 to 2**32 - cv_repeats ({last_seed}), since split r "
            f"uses the seed random_state + r. Got {seed!r}."
        )
    return folds, repeats, seed


def _check_buckets(buckets: object) -> int:
    """``buckets`` as an int, or an InvalidInputError unless it is a power of two a bundle
    may hold."""
    count = whole_number(buckets)
    if count is None or count < 2:
        raise InvalidInputError(f"`buckets` must be a power of two. Got {describe(buckets)}.")
    if count & (count - 1) or count > MAX_NGRAM_BUCKETS:  # the most a bundle may hold
        raise InvalidInputError(
            f"`buckets` must be a power of two up to {MAX_NGRAM_BUCKETS} (2**22). "
            f"Got {describe(buckets)}."
        )
    return count


def _positive_float(name: str, value: object) -> float:
    """``value`` as a float, or an InvalidInputError unless it is finite and positive."""
    number = finite_float(value)
    if number is None or not number > 0:
        raise InvalidInputError(f"`{name}` must be a positive float. Got {describe(value)}.")
    return number


@dataclass(frozen=True, slots=True)
class _TrainRows:
    """What train knows of the messages besides their texts and labels, once checked."""

    weight: NDArray[np.float64]
    groups: NDArray[np.int64] | None  # group_codes
    sources: Sequence[str] | None
    source_array: NDArray[np.str_] | None
    calibrated: NDArray[np.bool_]  # the messages that calibrate ``probability``
    measured: NDArray[np.bool_]  # the messages whose scores set the thresholds


def _train_rows(
    y: NDArray[np.int8],
    cv: int,
    sample_weight: Sequence[float] | None,
    groups: Sequence[object] | None,
    sources: Sequence[str] | None,
    threshold_sources: Iterable[str] | None,
    calibration_sources: Iterable[str] | None,
) -> _TrainRows:
    """The messages' weights, groups and sources, checked, and the rows the sources pick."""
    n = len(y)
    weight = np.ones(n) if sample_weight is None else _weights(sample_weight, n)
    # Only ratios between weights count (each class's are rescaled to carry half the
    # total): relative to the largest, so that 1e308s do not overflow their class's sum,
    # nor subnormals underflow it.
    if (top := weight.max(initial=0.0)) > 0:
        weight = weight / top
    codes = None
    if groups is not None:
        codes = group_codes(per_message(groups, "groups", n))
    if codes is not None and np.all(codes < 0):
        # No message names a group: the folds are plain stratified ones, and the bundle
        # says so ("grouped": false), as when no groups are given.
        codes = None
    if codes is not None:
        for cls in (0, 1):
            distinct = len(set(codes[y == cls].tolist()))
            if distinct < cv:
                raise InvalidInputError(
                    f"grouped cross-validation with cv={cv} needs at least {cv} groups of each "
                    f"class. Got {distinct} group(s) of {'automated' if cls else 'human'} messages."
                )
    if sources is not None:
        sources = source_names(sources, n)
        if (distinct := len(set(sources))) > MAX_SOURCES:
            raise InvalidInputError(
                f"`sources` names {distinct:,} sources; at most {MAX_SOURCES:,} are accepted, "
                "since each one's figures are stored in the bundle. A source is where "
                "messages come from (a platform, a corpus); pass senders as `groups`."
            )
    source_array = None if sources is None else np.asarray(sources)
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
    return _TrainRows(weight, codes, sources, source_array, calibrated, measured)


def _too_few_humans(
    y: NDArray[np.int8], rows: _TrainRows, target: float, repeats: int = 1
) -> list[str]:
    """What to say of each source whose human messages, among those that set the
    threshold, are too few to measure a false-positive rate of ``target`` (their scores
    counted ``repeats`` times, once for each split, as the thresholds count them)."""
    from ._fitting import _tail_size  # which imports this module

    need = math.ceil(1 / target - 1e-9)
    humans = (y == 0) & rows.measured
    if rows.source_array is None:
        counts = {"": int(humans.sum())}
    else:
        names, found = np.unique(rows.source_array[humans], return_counts=True)
        counts = dict(zip(names.tolist(), found.tolist(), strict=True))
    thin = [(source, n) for source, n in sorted(counts.items()) if n < need]
    notes = [
        f"{f'source {source!r} has' if rows.source_array is not None else 'there are'} "
        f"{n} human message{'s' if n != 1 else ''}, too few to measure a false-positive rate "
        f"of {target:.2%} (that takes {need:,} or more): "
        + (
            "the threshold is read from a tail fitted to their highest scores (or set above "
            "them, if those are all alike), an extrapolation, and new human messages of "
            "that kind may be flagged more often than that."
            if _tail_size(n * repeats, target) is not None
            else "the threshold sits above the highest of their scores, and new human "
            "messages of that kind will be flagged more often than that."
        )
        for source, n in thin[:_THIN_NAMED]
    ]
    if rest := thin[_THIN_NAMED:]:  # one note for the rest, not one each of thousands
        shown = ", ".join(repr(source) for source, _ in rest[:_THIN_NAMED])
        more = f", and {len(rest) - _THIN_NAMED:,} more" if len(rest) > _THIN_NAMED else ""
        notes.append(
            f"{len(rest):,} more source{'s have' if len(rest) != 1 else ' has'} too few human "
            "messages for a false-positive "
            f"rate of {target:.2%} (fewer than {need:,} each), as above: {shown}{more}."
        )
    return notes


def _of_sources(
    sources: NDArray[np.str_] | None, names: Iterable[str], option: str
) -> NDArray[np.bool_]:
    """Which messages come from one of the ``names`` that option ``option`` lists."""
    if isinstance(names, str | bytes | bytearray):
        raise InvalidInputError(
            f"`{option}` must be an iterable of source names, not one {type(names).__name__}; "
            f"wrap it in a list: [{names!r}]."
        )
    if not isinstance(names, Iterable):
        raise InvalidInputError(
            f"`{option}` must be an iterable of source names. Got {describe(names)} instead."
        )
    if sources is None:
        raise InvalidInputError(f"`{option}` needs `sources`.")
    # Each name read as `sources` reads it, so that the missing value of a column's
    # .unique() names the source "all" (not "nan" or "<NA>"), and 7 names the source "7".
    listed = [source_name(name, f"{option}[{i}]") for i, name in enumerate(names)]
    return np.isin(sources, listed)


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
