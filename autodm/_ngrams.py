"""Hashed n-gram text evidence, computed with the standard library and numpy at inference.

Two blocks share one hashed space of ``buckets`` bins (a power of two):

* **word n-grams**: unigrams and bigrams of the masked, casefolded tokens
  (placeholders such as ``<name>`` and ``<url>`` included), plus character
  bigrams inside Chinese, Japanese and Korean runs, which have no spaces; each
  hashed with CRC-32 (stable across processes and platforms, unlike ``hash``);
* **character n-grams** of the tokens joined by spaces (sizes 3 to 5 by
  default), hashed all at once with a polynomial rolling hash in 64-bit
  integer arithmetic and Fibonacci hashing, which numpy computes for every
  position of the text in a few array operations.

Each block is binary and L2-normalised on its own; a bundle may weigh the character
block against the word block (``ngrams.char_weight`` in its manifest, 1 by default).

:func:`batch_text_features` computes both blocks for a whole batch of messages
at once, as the coordinates of a sparse matrix: one rolling-hash pass over the
batch's concatenated text and one sort to keep each message's distinct buckets.
A message's features do not depend on the batch it came in.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "DEFAULT_BUCKETS",
    "DEFAULT_CHAR_SIZES",
    "MAX_BATCH_CHARS",
    "TextBatch",
    "TextFeatures",
    "batch_slices",
    "batch_text_features",
    "bucket",
    "char_ngram_buckets",
    "hashed_ngrams",
    "ngrams",
    "text_features",
]

DEFAULT_BUCKETS: Final = 1 << 18
DEFAULT_CHAR_SIZES: Final = (3, 4, 5)
_PRIME: Final = np.uint64(1099511628211)  # the 64-bit FNV prime
_GOLDEN: Final = np.uint64(0x9E3779B97F4A7C15)  # 2**64 / golden ratio, odd
_CJK_RE: Final = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


def ngrams(tokens: tuple[str, ...]) -> list[str]:
    """Return the distinct n-grams of a token sequence, in order of first appearance."""
    grams: list[str] = []
    for token in tokens:
        if len(token) > 1 and not token.isascii() and _CJK_RE.search(token):
            grams.extend(token[i : i + 2] for i in range(len(token) - 1))
        else:
            grams.append(token)
    grams.extend(f"{a} {b}" for a, b in pairwise(tokens))
    return list(dict.fromkeys(grams))


def bucket(gram: str, buckets: int = DEFAULT_BUCKETS) -> int:
    """The hash bucket of one n-gram (``buckets`` is a power of two)."""
    return zlib.crc32(gram.encode("utf-8")) & (buckets - 1)


def hashed_ngrams(
    tokens: tuple[str, ...], buckets: int = DEFAULT_BUCKETS
) -> tuple[NDArray[np.intp], float, list[str], NDArray[np.intp]]:
    """Return the distinct bucket ids, the L2 value of each, the n-grams and their buckets.

    Examples
    --------
    >>> ids, value, grams, per_gram = hashed_ngrams(("thanks", "for", "the", "follow"))
    >>> len(grams), round(value, 3), len(per_gram)
    (7, 0.378, 7)
    """
    grams = ngrams(tokens)
    if not grams:
        empty = np.zeros(0, dtype=np.intp)
        return empty, 0.0, grams, empty
    mask = buckets - 1
    crc32 = zlib.crc32
    per_gram = np.array([crc32(g.encode("utf-8")) & mask for g in grams], dtype=np.intp)
    unique = _distinct(per_gram)
    return unique, 1.0 / float(np.sqrt(len(unique))), grams, per_gram


def _distinct(ids: NDArray[Any]) -> NDArray[np.intp]:
    """``np.unique`` for small arrays, without its hashing set-up (several times faster here)."""
    ordered = np.sort(ids)
    keep = np.empty(len(ordered), dtype=bool)
    keep[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep].astype(np.intp, copy=False)


def char_ngram_buckets(
    text: str, buckets: int = DEFAULT_BUCKETS, sizes: tuple[int, ...] = DEFAULT_CHAR_SIZES
) -> NDArray[np.intp]:
    """Distinct buckets of the character n-grams of ``text`` of the given sizes.

    Examples
    --------
    >>> a = char_ngram_buckets(" thanks for the follow ")
    >>> b = char_ngram_buckets(" thanks for the follow ")
    >>> bool((a == b).all()), len(a) > 30
    (True, True)
    """
    found = [hashes for _, hashes in _window_buckets(text, buckets, sizes)]
    if not found:
        return np.zeros(0, dtype=np.intp)
    return _distinct(np.concatenate(found))


def _window_buckets(
    text: str, buckets: int, sizes: tuple[int, ...]
) -> list[tuple[int, NDArray[np.uint64]]]:
    """For each size n, the bucket of ``text[i : i + n]`` at every start i.

    A polynomial rolling hash: the hash of the n-grams comes from that of the
    (n - 1)-grams in two array operations; uint64 arithmetic wraps by design.
    """
    if not sizes or len(text) < min(sizes):
        return []
    codes = np.frombuffer(text.encode("utf-32-le"), dtype="<u4").astype(np.uint64)
    shift = np.uint64(64 - (buckets.bit_length() - 1))
    rolling = codes
    found = []
    for n in range(2, max(sizes) + 1):
        if len(rolling) < 2:
            break
        rolling = rolling[:-1] * _PRIME + codes[n - 1 :]
        if n in sizes:
            found.append((n, ((rolling ^ np.uint64(n)) * _GOLDEN) >> shift))
    return found


@dataclass(frozen=True, slots=True)
class TextFeatures:
    """The hashed text evidence of one message.

    ``ids`` and ``values`` pair up (an id may repeat across the two blocks; values
    add); ``grams`` are the word n-grams and ``gram_ids`` their buckets, for
    naming the words behind a verdict.
    """

    ids: NDArray[np.intp]
    values: NDArray[np.float64]
    grams: list[str]
    gram_ids: NDArray[np.intp]


def text_features(
    tokens: tuple[str, ...],
    buckets: int = DEFAULT_BUCKETS,
    char_sizes: tuple[int, ...] = DEFAULT_CHAR_SIZES,
    char_weight: float = 1.0,
) -> TextFeatures:
    """Word and character n-gram evidence of a token sequence, each block L2-normalised,
    the character block then scaled by ``char_weight``."""
    word_ids, word_value, grams, gram_ids = hashed_ngrams(tokens, buckets)
    char_ids = char_ngram_buckets(" " + " ".join(tokens) + " ", buckets, char_sizes)
    values = np.empty(len(word_ids) + len(char_ids))
    values[: len(word_ids)] = word_value
    if len(char_ids):
        values[len(word_ids) :] = char_weight * (1.0 / np.sqrt(len(char_ids)))
    return TextFeatures(np.concatenate([word_ids, char_ids]), values, grams, gram_ids)


#: Characters hashed together at most in one batch pass (about 30 MB of work arrays).
MAX_BATCH_CHARS: Final = 1 << 18


def batch_slices(
    lengths: Sequence[int], max_items: int, max_chars: int = MAX_BATCH_CHARS
) -> list[tuple[int, int]]:
    """Consecutive (start, stop) slices with at most ``max_items`` items and, unless one item
    alone is longer, at most ``max_chars`` characters: the memory of one batch pass is bounded
    by characters, not by a count of messages that may each be 4,096 characters long.

    Examples
    --------
    >>> batch_slices([10, 10, 10, 10, 10], max_items=2)
    [(0, 2), (2, 4), (4, 5)]
    >>> batch_slices([300, 300, 300], max_items=10, max_chars=500)
    [(0, 1), (1, 2), (2, 3)]
    """
    slices = []
    start = chars = 0
    for i, length in enumerate(lengths):
        if i > start and (i - start >= max_items or chars + length > max_chars):
            slices.append((start, i))
            start, chars = i, 0
        chars += length
    if start < len(lengths):
        slices.append((start, len(lengths)))
    return slices


@dataclass(frozen=True, slots=True)
class TextBatch:
    """The hashed text evidence of a batch of messages, as sparse-matrix coordinates.

    Entry ``k`` puts ``values[k]`` in row ``rows[k]`` (the message's index in the
    batch), column ``ids[k]`` (its bucket); a row's word entries come first, then its
    character entries, each block sorted by bucket (a bucket may appear in both
    blocks; values add). ``grams`` are the word n-grams of every message, message
    after message, with their rows in ``gram_rows`` and buckets in ``gram_ids``.
    """

    size: int
    rows: NDArray[np.intp]
    ids: NDArray[np.intp]
    values: NDArray[np.float64]
    grams: list[str]
    gram_rows: NDArray[np.intp]
    gram_ids: NDArray[np.intp]

    def totals(self, weights: NDArray[np.float64]) -> NDArray[np.float64]:
        """Each message's dot product with a weight per bucket."""
        sums = np.bincount(self.rows, self.values * weights[self.ids], minlength=self.size)
        return sums.astype(np.float64, copy=False)


def batch_text_features(
    token_lists: Sequence[tuple[str, ...]],
    buckets: int = DEFAULT_BUCKETS,
    char_sizes: tuple[int, ...] = DEFAULT_CHAR_SIZES,
    char_weight: float = 1.0,
) -> TextBatch:
    """Word and character n-gram evidence of many token sequences at once.

    Row ``i`` equals :func:`text_features` of ``token_lists[i]`` (same buckets, same
    values, whatever else is in the batch); ``char_weight`` scales the character block.

    Examples
    --------
    >>> batch = batch_text_features([("thanks", "for", "the", "follow"), ()])
    >>> one = text_features(("thanks", "for", "the", "follow"))
    >>> sorted(batch.ids.tolist()) == sorted(one.ids.tolist()), set(batch.rows.tolist())
    (True, {0})
    """
    size = len(token_lists)
    if size == 1:
        # One message (a bot's classify call): the per-message path does fewer array
        # operations, which is what costs at this size.
        one = text_features(token_lists[0], buckets, char_sizes, char_weight)
        return TextBatch(
            size=1,
            rows=np.zeros(len(one.ids), dtype=np.intp),
            ids=one.ids,
            values=one.values,
            grams=one.grams,
            gram_rows=np.zeros(len(one.gram_ids), dtype=np.intp),
            gram_ids=one.gram_ids,
        )
    per_message = [ngrams(tokens) for tokens in token_lists]
    grams = [gram for message_grams in per_message for gram in message_grams]
    mask = buckets - 1
    crc32 = zlib.crc32
    gram_ids = np.fromiter(
        (crc32(g.encode("utf-8")) & mask for g in grams), dtype=np.intp, count=len(grams)
    )
    gram_rows = np.repeat(np.arange(size, dtype=np.intp), [len(g) for g in per_message])
    word_rows, word_ids = _distinct_per_row(gram_rows, gram_ids, buckets)
    texts = [" " + " ".join(tokens) + " " for tokens in token_lists]
    char_rows, char_ids = _char_ngrams_per_row(texts, buckets, char_sizes)
    return TextBatch(
        size=size,
        rows=np.concatenate([word_rows, char_rows]),
        ids=np.concatenate([word_ids, char_ids]),
        values=np.concatenate(
            [_unit_rows(word_rows, size), char_weight * _unit_rows(char_rows, size)]
        ),
        grams=grams,
        gram_rows=gram_rows,
        gram_ids=gram_ids,
    )


def _distinct_per_row(
    rows: NDArray[np.intp], ids: NDArray[Any], buckets: int
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """The distinct (row, bucket) pairs, sorted by row, then bucket."""
    shift = buckets.bit_length() - 1  # buckets is a power of two
    keys = _distinct((rows.astype(np.int64) << shift) | ids.astype(np.int64))
    return (keys >> shift).astype(np.intp), (keys & (buckets - 1)).astype(np.intp)


def _unit_rows(rows: NDArray[np.intp], size: int) -> NDArray[np.float64]:
    """1 / sqrt(entries in the row) for each entry: each row's block has unit L2 norm."""
    counts = np.bincount(rows, minlength=size)
    return 1.0 / np.sqrt(counts[rows].astype(np.float64))


def _char_ngrams_per_row(
    texts: list[str], buckets: int, sizes: tuple[int, ...]
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Distinct character n-gram buckets of each text, hashed over the joined texts.

    One rolling hash runs over all the texts laid end to end; an n-gram that would
    run past the end of its text into the next one is dropped.
    """
    lengths = np.array([len(t) for t in texts], dtype=np.intp)
    owner = np.repeat(np.arange(len(texts), dtype=np.intp), lengths)
    room = np.repeat(np.cumsum(lengths), lengths) - np.arange(len(owner))  # chars left in text
    rows, ids = [], []
    for n, hashes in _window_buckets("".join(texts), buckets, sizes):
        inside = room[: len(hashes)] >= n
        rows.append(owner[: len(hashes)][inside])
        ids.append(hashes[inside])
    if not rows:
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty
    return _distinct_per_row(np.concatenate(rows), np.concatenate(ids), buckets)
