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

Each block is binary and L2-normalised on its own.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "DEFAULT_BUCKETS",
    "DEFAULT_CHAR_SIZES",
    "TextFeatures",
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
        if len(token) > 1 and _CJK_RE.search(token):
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
    if not sizes or len(text) < min(sizes):
        return np.zeros(0, dtype=np.intp)
    codes = np.frombuffer(text.encode("utf-32-le"), dtype="<u4").astype(np.uint64)
    shift = np.uint64(64 - (buckets.bit_length() - 1))
    rolling = codes
    found = []
    for n in range(2, max(sizes) + 1):
        if len(rolling) < 2:
            break
        # rolling[i] becomes the hash of text[i : i + n]; uint64 arithmetic wraps by design.
        rolling = rolling[:-1] * _PRIME + codes[n - 1 :]
        if n in sizes:
            found.append(((rolling ^ np.uint64(n)) * _GOLDEN) >> shift)
    if not found:
        return np.zeros(0, dtype=np.intp)
    return _distinct(np.concatenate(found))


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
) -> TextFeatures:
    """Word and character n-gram evidence of a token sequence, each block L2-normalised."""
    word_ids, word_value, grams, gram_ids = hashed_ngrams(tokens, buckets)
    char_ids = char_ngram_buckets(" " + " ".join(tokens) + " ", buckets, char_sizes)
    values = np.empty(len(word_ids) + len(char_ids))
    values[: len(word_ids)] = word_value
    if len(char_ids):
        values[len(word_ids) :] = 1.0 / np.sqrt(len(char_ids))
    return TextFeatures(np.concatenate([word_ids, char_ids]), values, grams, gram_ids)
