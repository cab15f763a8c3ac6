"""The second text model: TF-IDF of the character n-grams inside words, hashed.

The recipe's linear model reads the extractors' signals and binary hashed n-grams of the
masked tokens. This model reads the same masked text (:attr:`TextView.masked
<autodm._text.TextView>`: normalised, casefolded, names, handles, links and numbers as
placeholders such as ``<name>``; at most ``MAX_CHARS`` code points masked; leetspeak undone
as in the tokens, :func:`reading`) the way the
plain TF-IDF character n-gram baseline reads a message, which ranks DM-like text that the
recipe's bank and lexicons were not written for better than the recipe does
(docs/experiments.md, "A second model: the peer's reading"). Reading the masked text keeps
verdicts a function of the view, as autodm._sharing relies on: two messages that differ in
a name or a link get the same verdict.

* the text is split at white space, each word padded with one space either side, and
  every character n-gram of :data:`SIZES` inside a padded word counted (``" hi "`` gives
  ``" h"``, ``"hi"``, ``"i "``, ``" hi"``, ``"hi "`` and ``" hi "``);
* counts become ``1 + ln(count)``, are multiplied by each bucket's inverse document
  frequency ``ln((1 + n) / (1 + df)) + 1`` from training (0 for a bucket that fewer than
  :data:`MIN_DF` training messages hold: it plays no part, in the norm either), and each
  message's vector is scaled to unit L2 norm;
* the model's log-odds are a logistic regression's on that vector. A bundle averages them
  with the recipe's text log-odds before calibration (``tfidf.weight`` in its manifest).

N-grams are hashed into a power of two of buckets with the polynomial rolling hash of
autodm._ngrams, in numpy for a whole batch at once: nothing of scikit-learn is imported to
score, and a message's values do not depend on the batch it came in.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from ._ngrams import MAX_BATCH_CHARS, _window_buckets, batch_slices
from ._text import _LEET, _LEET_SIGN_RE, TextView

__all__ = [
    "BUCKETS",
    "MIN_DF",
    "SIZES",
    "TfidfFit",
    "averaged",
    "count_entries",
    "count_matrix",
    "decision",
    "fit",
    "matrix_decision",
    "reading",
    "tfidf_matrix",
    "words",
]

#: Sizes of the character n-grams inside a padded word.
SIZES: Final = (2, 3, 4, 5)
#: Hash buckets of the bundled model's TF-IDF block.
BUCKETS: Final = 1 << 20
#: Fewest training messages that must hold a bucket for it to count.
MIN_DF: Final = 2
#: Inverse L2 regularisation strength of the fit (the peer's).
C: Final = 10.0


_ALNUM_RE: Final = re.compile(r"[^\W_]+")


def reading(message_view: TextView) -> str:
    """The text the model reads: the view's masked text, with leetspeak undone in the words
    that mix letters and digits ("f0ll0w" reads as "follow", "b@ck" as "back"), as the
    view's ``plain_tokens`` read them. A function of the masked text alone.

    Examples
    --------
    >>> from autodm._text import view
    >>> reading(view("Thx 4 f0ll0wing! Come b@ck soon"))
    'thx <num> following! come back soon'
    """
    masked = message_view.masked
    if message_view.leet_tokens is None:  # nothing to undo
        return masked
    if ("@" in masked or "$" in masked) and _LEET_SIGN_RE.search(masked):
        masked = _LEET_SIGN_RE.sub(lambda m: m.group().translate(_LEET), masked)
    return _ALNUM_RE.sub(_unleet, masked)


def _unleet(match: re.Match[str]) -> str:
    word = match.group()
    return word.translate(_LEET) if not word.isdigit() and not word.isalpha() else word


def words(text: str) -> list[str]:
    """The words the model reads: ``text`` casefolded, split at white space."""
    return text.casefold().split()


def count_entries(
    texts: Sequence[str], buckets: int = BUCKETS, sizes: tuple[int, ...] = SIZES
) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.float64]]:
    """Each text's n-gram counts as sparse coordinates: (row, bucket, count) triples,
    sorted by row, then bucket. ``texts`` are already masked (see the module).

    Examples
    --------
    >>> rows, ids, counts = count_entries(["hi hi", "a"], buckets=1 << 10)
    >>> sorted(set(rows.tolist())), int(counts[rows == 0].sum()), int(counts[rows == 1].sum())
    ([0, 1], 12, 3)
    """
    per_text = [words(t) for t in texts]
    lengths = [sum(len(w) + 2 for w in ws) for ws in per_text]
    found = []
    # Bounded work arrays: at most MAX_BATCH_CHARS padded characters per pass.
    for start, stop in batch_slices(lengths, max(len(texts), 1), MAX_BATCH_CHARS):
        rows, ids, counts = _counted(per_text[start:stop], buckets, sizes)
        found.append((rows + start, ids, counts))
    if not found:
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty, np.zeros(0)
    rows, ids, counts = (np.concatenate(parts) for parts in zip(*found, strict=True))
    return rows, ids, counts


def _counted(
    per_text: list[list[str]], buckets: int, sizes: tuple[int, ...]
) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.float64]]:
    """:func:`count_entries` of one batch: one rolling hash over its padded words laid end
    to end, an n-gram that would run past the end of its word dropped."""
    padded = [f" {w} " for ws in per_text for w in ws]
    if not padded:
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty, np.zeros(0)
    lengths = np.array([len(p) for p in padded], dtype=np.intp)
    room = np.repeat(np.cumsum(lengths), lengths) - np.arange(int(lengths.sum()))
    one = len(per_text) == 1  # a bot's classify call: no rows to tell apart
    if not one:
        owner = np.repeat(
            np.repeat(np.arange(len(per_text), dtype=np.int64), [len(ws) for ws in per_text]),
            lengths,
        )
    shift = buckets.bit_length() - 1  # buckets is a power of two
    keys = []
    for n, hashes in _window_buckets("".join(padded), buckets, sizes):
        inside = room[: len(hashes)] >= n
        kept = hashes[inside].astype(np.int64)
        keys.append(kept if one else (owner[: len(hashes)][inside] << shift) | kept)
    if not keys:  # every word shorter than the smallest size, padded
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty, np.zeros(0)
    distinct, counts = _counts(np.concatenate(keys))
    return (
        (distinct >> shift).astype(np.intp),
        (distinct & (buckets - 1)).astype(np.intp),
        counts,
    )


def _counts(keys: NDArray[np.int64]) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """The distinct keys, sorted, and how often each occurs: ``np.unique(keys,
    return_counts=True)`` without its set-up, which is what costs on one message's keys."""
    ordered = np.sort(keys)
    first = np.empty(len(ordered), dtype=bool)
    first[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    counts = np.diff(np.append(starts, len(ordered))).astype(np.float64)
    return ordered[starts], counts


def _unit_values(
    rows: NDArray[np.intp], ids: NDArray[np.intp], counts: NDArray[np.float64], idf: Any, size: int
) -> NDArray[np.float64]:
    """The TF-IDF value of each entry: sublinear count times idf, each row of unit norm."""
    values = (1.0 + np.log(counts)) * idf[ids]
    norms = np.sqrt(np.bincount(rows, values * values, minlength=size))
    with np.errstate(invalid="ignore", divide="ignore"):
        scaled = values / norms[rows]
    return np.where(values != 0.0, scaled, 0.0)


@dataclass(frozen=True, slots=True)
class TfidfFit:
    """A fitted TF-IDF model: the idf and the weight of each bucket (float32 as a bundle
    stores them, or float64; each value read is widened to float64), and the intercept."""

    idf: NDArray[np.float32] | NDArray[np.float64]
    coef: NDArray[np.float32] | NDArray[np.float64]
    intercept: float


def decision(texts: Sequence[str], model: TfidfFit, sizes: tuple[int, ...] = SIZES) -> Any:
    """The model's log-odds of each (masked) text."""
    rows, ids, counts = count_entries(texts, len(model.idf), sizes)
    values = _unit_values(rows, ids, counts, model.idf, len(texts))
    totals = np.bincount(rows, values * model.coef[ids], minlength=len(texts))
    return totals.astype(np.float64, copy=False) + model.intercept


def count_matrix(
    texts: Sequence[str], buckets: int = BUCKETS, sizes: tuple[int, ...] = SIZES
) -> Any:
    """The n-gram counts of ``texts`` as a scipy CSR matrix, for training."""
    from scipy import sparse

    rows, ids, counts = count_entries(texts, buckets, sizes)
    return sparse.csr_matrix((counts, (rows, ids)), shape=(len(texts), buckets))


def fit(counts: Any, y: NDArray[np.int8], weight: NDArray[np.float64], c: float = C) -> TfidfFit:
    """Learn the idf of the rows of ``counts`` (a :func:`count_matrix`) and an L2 logistic
    regression on their TF-IDF vectors, with per-message ``weight`` (already balanced)."""
    from sklearn.linear_model import LogisticRegression

    n, buckets = counts.shape
    df = np.bincount(counts.indices, minlength=buckets)
    idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
    idf[df < MIN_DF] = 0.0
    model = LogisticRegression(C=c, max_iter=2000)
    model.fit(tfidf_matrix(counts, idf), y, sample_weight=weight)
    return TfidfFit(idf, model.coef_[0].astype(np.float64), float(model.intercept_[0]))


def tfidf_matrix(counts: Any, idf: NDArray[np.float32] | NDArray[np.float64]) -> Any:
    """The TF-IDF vectors of the rows of ``counts`` (a :func:`count_matrix`), as scipy CSR."""
    from scipy import sparse

    coo = counts.tocoo()
    values = _unit_values(coo.row, coo.col, coo.data, idf, counts.shape[0])
    return sparse.csr_matrix((values, (coo.row, coo.col)), shape=counts.shape)


def matrix_decision(counts: Any, model: TfidfFit) -> NDArray[np.float64]:
    """The model's log-odds of the rows of ``counts``: :func:`decision` of their texts."""
    return np.asarray(tfidf_matrix(counts, model.idf) @ model.coef + model.intercept)


def averaged(
    first: NDArray[np.float64], weight: float, counts: Any, model: TfidfFit
) -> NDArray[np.float64]:
    """``first`` log-odds averaged with the model's on the rows of ``counts`` at ``weight``:
    the text log-odds of a bundle with the model, as training scores held-out rows."""
    return (1.0 - weight) * first + weight * matrix_decision(counts, model)
