"""Hashed n-gram text evidence, computed in pure Python at inference.

The n-grams of a message are the word unigrams and bigrams of its masked,
casefolded tokens (placeholders such as ``<name>`` and ``<url>`` included),
plus character bigrams inside Chinese, Japanese and Korean runs, which have no
spaces. Each n-gram is hashed with CRC-32 (stable across processes and
platforms, unlike ``hash``) into ``buckets`` bins. A message's vector is
binary and L2-normalised.
"""

from __future__ import annotations

import re
import zlib
from itertools import pairwise
from typing import Final

import numpy as np
from numpy.typing import NDArray

__all__ = ["DEFAULT_BUCKETS", "bucket", "hashed_ngrams", "ngrams"]

DEFAULT_BUCKETS: Final = 1 << 16
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
    per_gram = np.fromiter((bucket(g, buckets) for g in grams), dtype=np.intp, count=len(grams))
    unique = np.unique(per_gram)
    return unique, 1.0 / float(np.sqrt(len(unique))), grams, per_gram
