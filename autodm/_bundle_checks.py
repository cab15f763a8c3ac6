"""What a model bundle may hold, and the checks that refuse everything else.

A bundle's manifest and weights come from whoever wrote the bundle, so every value is
checked before scoring reads it: the manifest's format version, features, thresholds,
context tables and n-gram settings; the weights' array names, dtypes, shapes and
finiteness, and the range of the weights scoring makes of them. Anything else raises
:class:`~autodm.BundleError`. The weights are read by autodm._archive, which hands each
array's header (dtype, order, shape) to the checks here before it reads the array's data;
nothing is unpickled. autodm._bundle reads the members and builds the
:class:`~autodm.Bundle`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from itertools import pairwise
from typing import Any, Final, TypeGuard

import numpy as np
from numpy.typing import NDArray

from ._archive import NpyHeader, read_npz
from .errors import BundleError, describe

__all__ = ["FORMAT_VERSION", "MAX_NGRAM_BUCKETS", "NGRAM_TOKENS"]

#: Newest version of the bundle format this autodm reads and writes; it reads every older
#: one. Bump it when a change would make an older autodm misread a new bundle
#: (docs/model.md says how). 2: ``ngrams.char_weight`` scales the character n-gram block.
#: 3: a second text model (``tfidf`` in the manifest) whose log-odds average with the first's.
FORMAT_VERSION: Final = 3
#: What the n-gram block of a bundle reads, by ``ngrams.tokens`` in its manifest: the
#: view's ``tokens``, its ``plain_tokens`` (leetspeak undone), its ``shaped_tokens``
#: (leetspeak undone, numbers by shape), those without the ``<user>`` of handles, or those
#: and nothing of a message that is a greeting alone. An autodm that knows none of them
#: refuses it.
NGRAM_TOKENS: Final = (
    "plain",
    "leet-folded",
    "leet-folded+number-shapes",
    "leet-folded+number-shapes-handles",
    "leet-folded+number-shapes-handles-greetings",
)
#: Most n-gram hash buckets a bundle may have (``ngrams.buckets``, the length of
#: ``ngram_coef``): 16 times the bundled model's 2**18, and 32 MiB of float64 weights.
MAX_NGRAM_BUCKETS: Final = 1 << 22
_REQUIRED_ARRAYS: Final = ("mean", "scale", "coef", "intercept", "calibration")
_OPTIONAL_ARRAYS: Final = ("ngram_coef", "tfidf_idf", "tfidf_coef", "tfidf_intercept")
#: The arrays of the TF-IDF model, which a bundle holds exactly when its manifest has ``tfidf``.
_TFIDF_ARRAYS: Final = ("tfidf_idf", "tfidf_coef", "tfidf_intercept")
#: The bucket arrays, of a power-of-two length each.
_BUCKET_ARRAYS: Final = frozenset({"ngram_coef", "tfidf_idf", "tfidf_coef"})
#: How the arrays may be stored: as float32 or float64, what train and save write, in
#: either byte order. A wider float would pass as finite and turn infinite as float64
#: (a float128 of 1e400); float16 and the rest are no use to a bundle.
_STORED_FLOATS: Final = frozenset({"<f4", ">f4", "<f8", ">f8"})
_OPERATING_POINTS: Final = ("strict", "balanced", "lenient")
#: Largest ``ngrams.char_weight`` a bundle may carry (train() accepts the same range): far
#: beyond any useful weight, and small enough that no finite coefficient overflows with it.
_MAX_CHAR_WEIGHT: Final = 100.0
#: Largest weight a bundle may put on the calibrated log-odds: per unit of a signal
#: (``slope * coef / scale``), per n-gram (``slope * ngram_coef``), for a signal's mean, for
#: the constant term (``slope * intercept + offset``), per TF-IDF bucket and for the TF-IDF
#: intercept (``slope * tfidf_coef``, ``slope * tfidf_intercept``; a TF-IDF value is at
#: most 1) and per context bin (``log_lr``). A
#: trained model's weights are below 20; 1e6 leaves room for any real one, and keeps the
#: log-odds of every message finite, since the signals of a message of at most
#: ``MAX_CHARS`` characters are small numbers.
_MAX_WEIGHT: Final = 1e6

#: Deepest nesting of arrays and objects a manifest may hold; train() writes 5 levels.
#: Python's JSON reader recurses once per level, so without a bound whether a deep manifest
#: loaded would depend on how deep the caller's own stack was.
_MAX_MANIFEST_DEPTH: Final = 100

#: Longest integer a manifest may hold, in digits: Python's default limit on converting
#: text to int (sys.set_int_max_str_digits).
_MAX_INT_DIGITS: Final = 4300

FloatArray = NDArray[np.float64]
#: An array of one weight per hash bucket of the TF-IDF model: float32 as stored (2**20 of
#: them), or float64 in a Bundle built in code. Scoring widens each value it reads to
#: float64, so float32 gives the same scores in half the memory.
BucketArray = NDArray[np.float32] | NDArray[np.float64]
#: The arrays kept as float32 when they are stored so.
_NARROW_ARRAYS: Final = frozenset({"tfidf_idf", "tfidf_coef"})


#: The signals that scoring reads as context evidence (likelihood-ratio tables in the
#: manifest, not learned weights): the context features and ``obfuscation``.
CONTEXT_SIGNALS: Final = frozenset(
    {
        "first_message",
        "history_duplicates",
        "history_similarity",
        "obfuscation",
        "recipient_wrote_first",
        "seconds_after_follow",
    }
)


def _parse_manifest(raw: bytes, where: str) -> dict[str, Any]:
    manifest = _read_json(raw, where)
    if not isinstance(manifest, dict):
        raise BundleError(
            f"manifest.json of {where} must be a JSON object. Got {describe(manifest)}."
        )
    _check_json_values(manifest, where)
    version = _check_format_version(manifest, where)
    _check_features(manifest, where)
    _check_thresholds(manifest, where)
    tables = _object(
        manifest, "context_evidence", where, "of {signal: {'edges': [...], 'log_lr': [...]}}"
    )
    for name, table in tables.items():
        if name not in CONTEXT_SIGNALS:  # scoring would add it to a text signal's weight
            raise BundleError(
                f"context_evidence of {where} has a table for {name!r}, which is not a "
                f"context signal; tables are read for {sorted(CONTEXT_SIGNALS)}."
            )
        _check_table(name, table, where)
    _check_ngrams(manifest.get("ngrams"), version, where)
    _check_tfidf(manifest.get("tfidf"), version, where)
    return manifest


class _DuplicateKey(ValueError):
    """A key that one JSON object of the manifest holds twice."""


class _LongInt(ValueError):
    """An integer of the manifest with more than :data:`_MAX_INT_DIGITS` digits."""


def _int(text: str) -> int:
    """A JSON integer, refused past Python's default digit limit whatever the process set:
    converting a long one takes time quadratic in its length."""
    if len(text) > _MAX_INT_DIGITS + text.startswith("-"):
        raise _LongInt(len(text.lstrip("-")))
    return int(text)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object as a dict, refusing a key given twice (``json`` keeps the last one)."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return obj


def _read_json(raw: bytes, where: str) -> Any:
    try:
        return json.loads(raw.decode("utf-8"), object_pairs_hook=_unique_keys, parse_int=_int)
    except _LongInt as error:
        raise BundleError(
            f"manifest.json of {where} holds an integer of {error.args[0]} digits; at most "
            f"{_MAX_INT_DIGITS:,} are accepted."
        ) from None
    except _DuplicateKey as error:
        raise BundleError(
            f"manifest.json of {where} gives the key {error.args[0]!r} twice in one object; "
            "which one counts would be a guess."
        ) from None
    except RecursionError:
        raise BundleError(
            f"manifest.json of {where} nests arrays and objects too deep to read "
            f"(at most {_MAX_MANIFEST_DEPTH} levels are accepted)."
        ) from None
    except ValueError as error:  # not UTF-8, or not JSON
        raise BundleError(f"manifest.json of {where} is not valid UTF-8 JSON: {error}") from None


def _check_json_values(manifest: dict[str, Any], where: str) -> None:
    """Refuse what JSON reads but a bundle cannot hold: nesting deeper than
    :data:`_MAX_MANIFEST_DEPTH`, strings with a lone surrogate (from a ``\\ud800``
    escape), which are not Unicode text and which :meth:`Bundle.save` could not write, and
    NaN or an infinity, which Python's json reads and writes but JSON does not have."""
    # Each value's place is a linked trail of (parent trail, key), spelt out only for an
    # error: constant work per value, whatever the keys' lengths.
    pending: list[tuple[object, int, _Trail]] = [(manifest, 1, None)]
    while pending:
        value, depth, trail = pending.pop()
        if isinstance(value, str):
            if not value.isascii() and not _is_unicode(value):
                raise BundleError(
                    f"manifest.json of {where} holds a string with a lone surrogate, which is "
                    f"not Unicode text: {value[:40]!r}."
                )
            continue
        if isinstance(value, float) and not math.isfinite(value):
            name = "NaN" if math.isnan(value) else "Infinity" if value > 0 else "-Infinity"
            if name != "NaN":  # Python's json reads 1e999 as an infinity too
                name += " (or a number too large for a float)"
            raise BundleError(
                f"manifest.json of {where} holds {name} at `{_spelt(trail)}`, which no bundle "
                "field can use; write a finite number or leave it out."
            )
        if not isinstance(value, dict | list):
            continue
        if depth > _MAX_MANIFEST_DEPTH:
            raise BundleError(
                f"manifest.json of {where} nests arrays and objects more than "
                f"{_MAX_MANIFEST_DEPTH} levels deep."
            )
        if isinstance(value, dict):
            pending.extend((key, depth + 1, trail) for key in value)
            pending.extend((child, depth + 1, (trail, key)) for key, child in value.items())
        else:
            pending.extend((child, depth + 1, (trail, i)) for i, child in enumerate(value))


_Trail = tuple[Any, str | int] | None


def _spelt(trail: _Trail) -> str:
    """A trail as ``ngrams.char_weight`` or ``x[0]``; a key that is not a plain name is
    quoted (``['a.b']``), and each key is cut at 40 characters."""
    keys: list[str | int] = []
    while trail is not None:
        trail, key = trail
        keys.append(key)
    parts = []
    for key in reversed(keys):
        if isinstance(key, int):
            parts.append(f"[{key}]")
        elif key.isidentifier():
            parts.append(f".{key[:40]}" if parts else key[:40])
        else:
            parts.append(f"[{key[:40]!r}]")
    return "".join(parts) or "the top level"


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check_format_version(manifest: Mapping[str, Any], where: str) -> int:
    """The manifest's ``format_version``: an int from 1 to :data:`FORMAT_VERSION`."""
    version = manifest.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise BundleError(f"manifest.json of {where} needs an integer format_version.")
    if version > FORMAT_VERSION:
        raise BundleError(
            f"bundle {where} has format_version {version}, newer than this autodm reads "
            f"({FORMAT_VERSION}); upgrade autodm to load it."
        )
    if version < 1:
        raise BundleError(
            f"bundle {where} has unknown format_version {version}; expected 1 to {FORMAT_VERSION}."
        )
    return version


def _check_features(manifest: Mapping[str, Any], where: str) -> None:
    """``features``: a non-empty list of distinct str."""
    features = manifest.get("features")
    if (
        not isinstance(features, list)
        or not features
        or not all(isinstance(f, str) for f in features)
    ):
        raise BundleError(f"manifest.json of {where} needs `features`, a non-empty list of str.")
    if len(set(features)) != len(features):
        raise BundleError(f"manifest.json of {where} lists a feature twice: {features}.")


def _check_thresholds(manifest: Mapping[str, Any], where: str) -> None:
    """``threshold`` and those of the named ``operating_points``: probabilities."""
    threshold = manifest.get("threshold")
    if not _is_probability(threshold):
        raise BundleError(
            f"manifest.json of {where} needs `threshold` in [0, 1]. Got {threshold!r}."
        )
    points = _object(
        manifest, "operating_points", where, f"whose keys are among {list(_OPERATING_POINTS)}"
    )
    for name, point in points.items():
        if name not in _OPERATING_POINTS:
            raise BundleError(
                f"operating point {name!r} of {where} is not one of {list(_OPERATING_POINTS)}."
            )
        if not isinstance(point, dict) or not _is_probability(point.get("threshold")):
            raise BundleError(
                f"operating point {name!r} of {where} must be an object with a `threshold` "
                f"in [0, 1]. Got {describe(point)}."
            )
        for rate in ("recall", "fpr", "target_fpr"):  # measured when trained; optional
            if rate in point and not _is_probability(point[rate]):
                raise BundleError(
                    f"operating point {name!r} of {where}: `{rate}`, when given, must be a "
                    f"number in [0, 1]. Got {describe(point[rate])}."
                )


def _check_ngrams(ngrams: Any, version: int, where: str) -> None:
    """``ngrams``: null, or an object of a known ``tokens`` kind, ``char_sizes`` in 1..8
    and a ``char_weight`` that the bundle's format version reads."""
    if ngrams is None:
        return
    sizes = ngrams.get("char_sizes", []) if isinstance(ngrams, dict) else None
    if isinstance(ngrams, dict) and ngrams.get("tokens", "plain") not in NGRAM_TOKENS:
        raise BundleError(
            f"manifest.json of {where}: `ngrams.tokens` must be one of {list(NGRAM_TOKENS)}. "
            f"Got {describe(ngrams.get('tokens'))}."
        )
    if not isinstance(sizes, list) or not all(
        isinstance(k, int) and not isinstance(k, bool) and 1 <= k <= 8 for k in sizes
    ):
        raise BundleError(
            f"manifest.json of {where}: `ngrams` must be null or an object whose "
            f"`char_sizes` is a list of ints in 1..8. Got {describe(ngrams)}."
        )
    buckets = ngrams.get("buckets")
    if buckets is not None and not _is_bucket_count(buckets):
        raise BundleError(
            f"manifest.json of {where}: `ngrams.buckets` must be a power of two from 2 to "
            f"{MAX_NGRAM_BUCKETS} (2**22). Got {describe(buckets)}."
        )
    weight = ngrams.get("char_weight", 1.0)
    if not (_is_number(weight) and 0 < weight <= _MAX_CHAR_WEIGHT):
        raise BundleError(
            f"manifest.json of {where}: `ngrams.char_weight` must be a number in "
            f"(0, {_MAX_CHAR_WEIGHT:g}]. Got {describe(weight)}."
        )
    if version < 2 and weight != 1.0:
        raise BundleError(
            f"manifest.json of {where}: `ngrams.char_weight` {weight!r} needs "
            f"format_version 2 (an autodm that reads format 1 would ignore it)."
        )


def _check_tfidf(tfidf: Any, version: int, where: str) -> None:
    """``tfidf``: absent or null, or an object with ``buckets`` (a power of two), ``sizes``
    (ints in 1..8) and ``weight`` (in (0, 1]), in a bundle of format 3 or later."""
    if tfidf is None:
        return
    shape = (
        "null or an object with `buckets` (a power of two from 2 to 2**22), `sizes` (a "
        "non-empty list of ints in 1..8) and `weight` (a number in (0, 1])"
    )
    sizes = tfidf.get("sizes") if isinstance(tfidf, dict) else None
    weight = tfidf.get("weight") if isinstance(tfidf, dict) else None
    if not (
        isinstance(tfidf, dict)
        and _is_bucket_count(tfidf.get("buckets"))
        and isinstance(sizes, list)
        and sizes
        and all(isinstance(k, int) and not isinstance(k, bool) and 1 <= k <= 8 for k in sizes)
        and _is_number(weight)
        and 0 < weight <= 1
    ):
        raise BundleError(
            f"manifest.json of {where}: `tfidf` must be {shape}. Got {describe(tfidf)}."
        )
    if version < 3:
        raise BundleError(
            f"manifest.json of {where}: `tfidf` needs format_version 3 (an autodm that reads "
            f"format {version} would score without it)."
        )


def _is_number(value: object) -> TypeGuard[int | float]:
    """A finite int or float (not a bool); an int too large for a float is not one."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _is_probability(value: object) -> bool:
    return _is_number(value) and 0.0 <= value <= 1.0


def _object(manifest: Mapping[str, Any], key: str, where: str, shape: str) -> dict[str, Any]:
    """The JSON object ``manifest[key]`` ({} when absent), or a BundleError saying its shape."""
    value = manifest.get(key, {})
    if not isinstance(value, dict):
        raise BundleError(
            f"manifest.json of {where}: `{key}` must be an object {shape}. Got {describe(value)}."
        )
    return value


#: What a context table must be, as the errors that refuse one say it.
TABLE_SHAPE: Final = (
    "{'edges': [...], 'log_lr': [...]} with equally long, non-empty lists of finite numbers, "
    f"increasing edges and log_lr within [-{_MAX_WEIGHT:g}, {_MAX_WEIGHT:g}]"
)


def is_table(table: object) -> TypeGuard[dict[str, Any]]:
    """Whether ``table`` is a context table as scoring looks a value up in it: the bin of
    the last edge at or below the value, so there must be an edge, and a ``log_lr`` for
    each (see :data:`TABLE_SHAPE`)."""
    edges = table.get("edges") if isinstance(table, dict) else None
    log_lr = table.get("log_lr") if isinstance(table, dict) else None
    return (
        isinstance(edges, list)
        and isinstance(log_lr, list)
        and 0 < len(edges) == len(log_lr)
        and all(_is_number(x) for x in edges + log_lr)
        and all(a < b for a, b in pairwise(edges))
        and all(abs(x) <= _MAX_WEIGHT for x in log_lr)
    )


def _check_table(name: str, table: object, where: str) -> None:
    if not is_table(table):
        raise BundleError(f"context_evidence[{name!r}] of {where} must be {TABLE_SHAPE}.")


def _parse_weights(
    raw: bytes, manifest: Mapping[str, Any], where: str
) -> dict[str, FloatArray | BucketArray]:
    """The arrays of ``weights.npz`` as read-only float64 (the TF-IDF model's per-bucket
    arrays stored as float32 stay float32: :data:`BucketArray`), each refused by its header
    before its data is read, then by its values."""
    n_features = len(manifest["features"])
    ngrams = manifest.get("ngrams")
    tfidf = manifest.get("tfidf")
    buckets = {
        "ngram_coef": ngrams.get("buckets") if isinstance(ngrams, dict) else None,
        "tfidf_idf": tfidf["buckets"] if tfidf is not None else None,
        "tfidf_coef": tfidf["buckets"] if tfidf is not None else None,
    }
    shapes = {
        "mean": (n_features,),
        "scale": (n_features,),
        "coef": (n_features,),
        "intercept": (1,),
        "calibration": (2,),
        "tfidf_intercept": (1,),
    }

    def check(name: str, header: NpyHeader) -> None:
        _check_header(name, header, shapes, buckets, where)

    arrays = read_npz(raw, _REQUIRED_ARRAYS, _OPTIONAL_ARRAYS, check, f"weights.npz of {where}")
    checked: dict[str, FloatArray | BucketArray] = {}
    for name, array in arrays.items():
        # As scoring reads it (native byte order), then checked.
        narrow = name in _NARROW_ARRAYS and array.dtype.itemsize == 4
        value: FloatArray | BucketArray = (
            array.astype(np.float32, copy=False) if narrow else array.astype(np.float64, copy=False)
        )
        if not np.all(np.isfinite(value)):
            raise BundleError(f"array {name!r} of {where} holds NaN or infinite values.")
        value.setflags(write=False)
        checked[name] = value
    if np.any(checked["scale"] <= 0):
        raise BundleError(f"array 'scale' of {where} must be positive everywhere.")
    if (ngrams is None) != ("ngram_coef" not in checked):
        # Either way the bundle would score otherwise than it was trained to: n-gram
        # weights dropped, or read with the default tokens and no character n-grams.
        raise BundleError(
            f"weights.npz of {where} {'holds' if ngrams is None else 'lacks'} 'ngram_coef' "
            f"while the manifest's `ngrams` is {'null' if ngrams is None else 'an object'}; "
            "a bundle has n-gram weights exactly when its manifest describes them."
        )
    held = [name for name in _TFIDF_ARRAYS if name in checked]
    if held != ([] if tfidf is None else list(_TFIDF_ARRAYS)):
        raise BundleError(
            f"weights.npz of {where} holds {held or 'none'} of {list(_TFIDF_ARRAYS)} while the "
            f"manifest's `tfidf` is {'absent' if tfidf is None else 'an object'}; a bundle has "
            "all three exactly when its manifest describes the TF-IDF model."
        )
    if tfidf is not None and np.any(checked["tfidf_idf"] < 0):
        raise BundleError(f"array 'tfidf_idf' of {where} must be 0 or positive everywhere.")
    _check_effective_weights(checked, where)
    return checked


def _check_header(
    name: str,
    header: NpyHeader,
    shapes: Mapping[str, tuple[int, ...]],
    buckets: Mapping[str, int | None],
    where: str,
) -> None:
    """Refuse an array by its ``.npy`` header, before its data is read: a dtype other than
    float32 or float64, Fortran order (numpy never writes it for a 1-D array), or a shape
    other than ``shapes`` gives (for an array of buckets, the manifest's bucket count or,
    without one, any power of two up to :data:`MAX_NGRAM_BUCKETS`)."""
    shape, fortran_order, dtype = header
    if dtype.str not in _STORED_FLOATS:
        raise BundleError(
            f"array {name!r} of {where} must hold float32 or float64 values. "
            f"Got dtype {dtype} instead."
        )
    if fortran_order:
        raise BundleError(f"array {name!r} of {where} is in Fortran order; bundles use C order.")
    if name not in _BUCKET_ARRAYS:
        if shape != shapes[name]:
            raise BundleError(
                f"array {name!r} of {where} must have shape {shapes[name]} for "
                f"{shapes['mean'][0]} features. Got {shape} instead."
            )
        return
    size = shape[0] if len(shape) == 1 else 0
    if len(shape) != 1 or not _is_bucket_count(size):
        raise BundleError(
            f"array {name!r} of {where} must be 1-D with a power-of-two length from 2 to "
            f"{MAX_NGRAM_BUCKETS} (2**22). Got shape {shape}."
        )
    expected = buckets[name]
    if expected is not None and size != expected:
        field = "ngrams.buckets" if name == "ngram_coef" else "tfidf.buckets"
        raise BundleError(
            f"array {name!r} of {where} has {size} entries, but the manifest's "
            f"`{field}` is {expected}."
        )


def _is_bucket_count(value: object) -> TypeGuard[int]:
    """A power of two from 2 to :data:`MAX_NGRAM_BUCKETS` (not a bool)."""
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and 2 <= value <= MAX_NGRAM_BUCKETS
        and not value & (value - 1)
    )


def _check_effective_weights(arrays: Mapping[str, FloatArray | BucketArray], where: str) -> None:
    """Refuse weights that, as scoring combines them, would overflow or invert verdicts."""
    slope, offset = arrays["calibration"].tolist()
    if not slope > 0:
        raise BundleError(
            f"the calibration slope of {where} must be positive (a higher score means more "
            f"likely automated). Got {slope!r} instead."
        )
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is what is refused
        weight = slope * arrays["coef"] / arrays["scale"]
        combined = {
            "slope * coef / scale": weight,
            "slope * coef / scale * mean": weight * arrays["mean"],
            "slope * intercept + offset": slope * arrays["intercept"] + offset,
        }
        if "ngram_coef" in arrays:
            # Most of what loading checks: |slope * x| is largest where |x| is (slope > 0),
            # so the products are formed only to name one that is out of range.
            ngram = arrays["ngram_coef"]
            if not slope * max(float(ngram.max()), -float(ngram.min())) <= _MAX_WEIGHT:
                combined["slope * ngram_coef"] = slope * ngram
        for name in ("tfidf_coef", "tfidf_intercept"):  # weighed by at most 1
            if name in arrays:
                values = arrays[name]
                if not slope * max(float(values.max()), -float(values.min())) <= _MAX_WEIGHT:
                    combined[f"slope * {name}"] = slope * values
    for name, values in combined.items():
        if not np.max(np.abs(values)) <= _MAX_WEIGHT:  # NaN (from inf * 0) too
            outside = values[~(np.abs(values) <= _MAX_WEIGHT)]
            raise BundleError(
                f"the weights of {where} are out of range: `{name}` must be within "
                f"[-{_MAX_WEIGHT:g}, {_MAX_WEIGHT:g}] everywhere. Got {float(outside[0])!r}."
            )
