"""group_texts: the greedy grouping of masked texts that group_campaigns reports.

Each distinct text, in order, joins the group whose representative (its first text) it is
most alike by rapidfuzz's ``fuzz.ratio``, if at least ``100 * similarity``, else it starts
a group. (group_campaigns puts identical texts in one group by a dict look-up.)

Scoring every representative for every new text costs distinct texts times groups
calls of the scorer, and in an inbox of distinct texts every text is a group. Two cheap
tests rule most of them out first, and neither ever rules out a representative that
reaches the similarity:

- the length window (:func:`_window`): the Indel distance is at least the difference
  of the lengths;
- a bound from the characters of both texts (:class:`_Bags`), for many texts and
  representatives at once by one matrix product.

The work a text costs is bounded whatever the texts are, since someone else writes them:
texts are compared by their first :data:`MAX_COMPARED_CHARS` characters, and when the
tests leave a text more than :data:`MOST_SCORED` representatives of earlier batches (or
groups of the texts before it in its own batch), rapidfuzz scores only those with the most
runs of three characters in common (:func:`_profiles`). Texts made of the same letters in
other orders are where that happens; below that many, the groups are exactly those of
scoring every pair.
"""

from __future__ import annotations

import bisect
from typing import Final

import numpy as np
from rapidfuzz import fuzz, process

__all__ = ["MAX_COMPARED_CHARS", "MOST_SCORED", "group_texts"]

#: Characters of each text compared: a template is told by its first thousand, and the
#: scorer's time grows with the square of the length (32,768 characters: 10 ms a pair).
MAX_COMPARED_CHARS: Final = 1_024
#: Representatives rapidfuzz scores a text against, at most, from earlier batches and again
#: from its own batch: those with the most runs of three characters in common. At least _FEW, so
#: that a search without the bound is never cut short.
MOST_SCORED: Final = 128
#: Fewer distinct texts than this are each scored against every representative in their
#: length window: the bound's matrix products would cost more than they save.
_FEW: Final = 128
#: Distinct texts that meet the representatives in one matrix product.
_BATCH: Final = 512
#: Representatives per block of that product, so that it holds 512 x 8192 floats at most.
_BLOCK: Final = 8192
#: Counts of a character class told apart exactly (see _Bags).
_LEVELS: Final = 8
#: Buckets of the runs of three characters that rank the representatives past MOST_SCORED.
_BUCKETS: Final = 128
#: Rows ranked at once: their rankings of a block of representatives take 32 x 8192 floats.
_RANKED: Final = 32


def _ascii_classes() -> np.ndarray:
    """Class of each ASCII code: 26 letters either case, space, digits, 8 for the rest."""
    classes = np.array([28 + code % 8 for code in range(128)], dtype=np.int64)
    for letter in range(26):
        classes[ord("a") + letter] = classes[ord("A") + letter] = letter
    classes[ord(" ")] = 26
    classes[ord("0") : ord("9") + 1] = 27
    return classes


_ASCII_CLASSES: Final = _ascii_classes()
#: Classes of the code points above ASCII, by code point modulo their number.
_WIDE_CLASSES: Final = 28
_CLASSES: Final = 36 + _WIDE_CLASSES


def _window(length: int, similarity: float) -> tuple[int, int]:
    """Lengths a text may have to reach ``similarity`` with one of ``length`` characters."""
    # ratio = 1 - d / (a + b) with Indel distance d >= |a - b|; ratio >= s then needs
    # a * s / (2 - s) <= b <= a * (2 - s) / s.
    low = int(length * similarity / (2 - similarity))
    high = length * (2 - similarity) / similarity + 1
    return low, int(min(high, 2**62))


class _Bags:
    """Each text's characters as features whose dot products bound how alike texts are.

    Why the bound holds: rapidfuzz's ``fuzz.ratio`` of texts of ``a`` and ``b``
    characters is ``100 * (1 - d / (a + b))``, ``d`` their Indel distance, which is
    ``a + b - 2 * LCS`` (LCS: their longest common subsequence). So ``ratio >= 100 * s``
    needs ``LCS >= s * (a + b) / 2``. A common subsequence uses each character at most as
    often as either text has it: ``LCS <= sum over characters c of min(a_c, b_c)``, and
    counting characters by class (a letter in either case, digits, hashed classes for the
    rest) only adds to that sum. Each class's ``min(x, y)`` is a dot product: the number
    of levels ``t = 1, 2, ..., _LEVELS`` with ``x >= t`` and ``y >= t`` (one 0/1 feature
    per level), plus ``min(x', y') <= sqrt(x' * y')`` for the counts ``x', y'`` beyond the
    last level. Two more columns make ``left(i) @ right(j)`` that bound less
    ``(s / 2 - 2**-10) * (a + b) - 1``, so a pair that rapidfuzz scores at least
    ``100 * s`` has a product >= 0.

    The margin, ``2**-10 * (a + b) + 1``, covers rounding. The float32 features and their
    dot product err by at most ``(n + 2) * 2**-24`` times the sum of the terms' sizes, for
    ``n`` terms (at most 578), and that sum is under ``3 * (a + b)``: about
    ``1e-4 * (a + b)`` in all, a ninth of the margin. rapidfuzz's own double arithmetic
    errs by far less.
    """

    def __init__(self, texts: list[str], similarity: float) -> None:
        codes = [np.frombuffer(t.encode("utf-32-le"), dtype=np.uint32) for t in texts]
        self.lengths = np.array([len(c) for c in codes], dtype=np.int64)
        flat = np.concatenate(codes) if codes else np.zeros(0, dtype=np.uint32)
        classes = np.where(
            flat < 128, _ASCII_CLASSES[np.minimum(flat, 127)], 36 + flat % _WIDE_CLASSES
        )
        rows = np.repeat(np.arange(len(texts)), self.lengths)
        counts = np.bincount(rows * _CLASSES + classes, minlength=len(texts) * _CLASSES)
        self.counts = counts.reshape(len(texts), _CLASSES).astype(np.int32)
        top = self.counts.max(axis=0, initial=0)
        tops = np.minimum(top, _LEVELS)
        self._class = np.repeat(np.arange(_CLASSES), tops)
        # 1, 2, ..., tops[c] for each class c in turn.
        self._level = np.arange(1, len(self._class) + 1) - np.repeat(np.cumsum(tops) - tops, tops)
        self._tail = np.flatnonzero(top > _LEVELS)
        self.width = len(self._class) + len(self._tail) + 2
        self._half = similarity / 2 - 2**-10
        self.profiles = _profiles(codes)

    def _features(self, start: int, stop: int) -> np.ndarray:
        counts = self.counts[start:stop]
        out = np.empty((stop - start, self.width), dtype=np.float32)
        levels = len(self._class)
        out[:, :levels] = counts[:, self._class] >= self._level
        beyond = counts[:, self._tail] - _LEVELS
        out[:, levels : self.width - 2] = np.sqrt(np.maximum(beyond, 0))
        return out

    def left(self, start: int, stop: int) -> np.ndarray:
        out = self._features(start, stop)
        out[:, -2] = 1.0
        out[:, -1] = 0.5 - self._half * self.lengths[start:stop]
        return out

    def right(self, start: int, stop: int) -> np.ndarray:
        out = self._features(start, stop)
        out[:, -2] = 0.5 - self._half * self.lengths[start:stop]
        out[:, -1] = 1.0
        return out


def _profiles(codes: list[np.ndarray]) -> np.ndarray:
    """Each text's runs of three characters (``codes``: its code points), hashed into
    ``_BUCKETS`` counts scaled to unit length: the dot product of two profiles ranks how
    alike the texts are where their characters alone cannot (the same words in another
    order share their letters, and even their pairs of letters, but not the runs across
    the spaces). A ranking only; it rules nothing out. Kept as bytes (255 for 1), and made
    a slice of texts at a time, to bound the memory it takes."""
    out = np.zeros((len(codes), _BUCKETS), dtype=np.uint8)
    shift = 33 - _BUCKETS.bit_length()  # the top bits of a 32-bit hash: one of _BUCKETS
    for start in range(0, len(codes), _BATCH):
        part = codes[start : start + _BATCH]
        flat = np.concatenate(part).astype(np.int64)
        rows = np.repeat(np.arange(len(part)), [len(c) for c in part])
        runs = len(flat) - 2
        if runs <= 0:
            continue
        same = rows[2:] == rows[:runs]  # the three characters are of one text
        mixed = np.zeros(runs, dtype=np.int64)
        for k, factor in enumerate((0x9E3779B1, 0x85EBCA6B, 0xC2B2AE35)):
            mixed = (mixed + flat[k : k + runs] * factor) & 0xFFFFFFFF
        bucket = ((mixed[same] * 0x27D4EB2F) & 0xFFFFFFFF) >> shift
        counts = np.bincount(rows[:runs][same] * _BUCKETS + bucket, minlength=len(part) * _BUCKETS)
        profiles = counts.reshape(len(part), _BUCKETS).astype(np.float32)
        norms = np.linalg.norm(profiles, axis=1, keepdims=True)
        out[start : start + len(part)] = np.rint(255 * profiles / np.maximum(norms, 1.0))
    return out


def group_texts(distinct: list[str], similarity: float) -> list[int]:
    """The group of each of the distinct masked texts, in order, groups numbered from 0.

    Each text joins the group whose representative (its first text) it is most alike by
    rapidfuzz's ``fuzz.ratio``, if at least ``100 * similarity``, else it starts a group.
    Ties go to the representative first in (length, group) order: ``process.extractOne``
    meets the candidates in that order and keeps the first of equal scores. Texts are
    compared by their first :data:`MAX_COMPARED_CHARS` characters.
    """
    search = _Search([text[:MAX_COMPARED_CHARS] for text in distinct], similarity)
    for start in range(0, len(distinct), _BATCH):
        search.batch(start, min(start + _BATCH, len(distinct)))
    return search.group_of


class _Search:
    """The groups of distinct texts, found a batch at a time.

    Fewer than ``_FEW`` texts are searched without the bound, where its products would
    cost more than they save: each text's candidates are every representative in its
    length window, from a list sorted by (length, group). Otherwise they are those that
    the bound of :class:`_Bags` (one matrix product per batch, and one for the texts of
    the batch itself) and the window leave, at most ``MOST_SCORED`` of each. Both give
    the same groups while no text has more: ``extractOne`` would score every
    representative the bound leaves out below the cutoff, so would never choose it.
    """

    def __init__(self, distinct: list[str], similarity: float) -> None:
        self.distinct = distinct
        self.cutoff = similarity * 100
        self.windows = [_window(len(text), similarity) for text in distinct]
        self.group_of = [-1] * len(distinct)
        self.texts: list[str] = []  # each group's representative
        self.lengths: list[int] = []  # and its length
        # (length, group) of every group, sorted; kept from the first batch that scans.
        self.by_length: list[tuple[int, int]] | None = None
        self.bags = _Bags(distinct, similarity) if len(distinct) >= _FEW else None
        width = 0 if self.bags is None else self.bags.width
        self.window_array = np.array(self.windows, dtype=np.int64).reshape(-1, 2)
        self.length_array = np.empty(64, dtype=np.int64)
        self.first_array = np.empty(64, dtype=np.int64)  # each group's first text
        self.features = np.empty((64, width), dtype=np.float32)  # each group's right()

    def batch(self, start: int, stop: int) -> None:
        """Group the distinct texts from ``start`` to ``stop``."""
        if self.bags is None:
            for i in range(start, stop):
                self._scan(i, None)
            return
        size, count = stop - start, len(self.texts)
        left, right = self.bags.left(start, stop), self.bags.right(start, stop)
        texts, lengths = np.arange(start, stop), self.length_array[:count]
        # Groups of earlier batches, in each text's length window; and texts earlier in
        # this one, whose groups, if they start any, are not in self.features yet.
        windows, firsts = self.window_array[start:stop], self.first_array[:count]
        kept = _kept(
            left, self.features[:count], self.bags.profiles, texts, firsts, windows, lengths
        )
        earlier = _by_row(*kept, size, lengths)
        # Every earlier text of the batch (511 at most): the cap is on the groups they are in.
        within = _by_row(*_kept(left, right, self.bags.profiles, texts, texts, capped=False), size)
        for i in range(start, stop):
            text, (low, high) = self.distinct[i], self.windows[i]
            # Groups of earlier batches, then of this one, each in (length, group) order:
            # a group of this batch comes after every earlier group of its length.
            found, score = _best(text, earlier[i - start], self.texts, self.cutoff)
            joined = dict.fromkeys(self.group_of[start + j] for j in within[i - start])
            new = [g for g in joined if g >= 0 and low <= self.lengths[g] <= high]
            if len(new) > MOST_SCORED:
                new = self._best_ranked(i, new)
            new.sort(key=self.lengths.__getitem__)  # stable: by (length, group)
            group, other = _best(text, new, self.texts, self.cutoff)
            if other > score or (other == score >= 0 and self.lengths[group] < self.lengths[found]):
                found = group
            self.group_of[i] = found if found >= 0 else self._add(i, right[i - start])

    def _best_ranked(self, i: int, groups: list[int]) -> list[int]:
        """The ``MOST_SCORED`` of ``groups`` whose first texts' profiles are most alike
        text ``i``'s, in group order."""
        assert self.bags is not None
        profiles = self.bags.profiles
        theirs = profiles[self.first_array[np.array(groups)]].astype(np.float32)
        rank = theirs @ profiles[i].astype(np.float32)
        best = np.sort(np.argpartition(-rank, MOST_SCORED - 1)[:MOST_SCORED])
        return [groups[b] for b in best.tolist()]

    def _scan(self, i: int, features: np.ndarray | None) -> None:
        """Group text ``i``, scoring every representative in its length window (fewer
        than ``_FEW``)."""
        if self.by_length is None:
            self.by_length = sorted(zip(self.lengths, range(len(self.texts)), strict=True))
        low, high = self.windows[i]
        begin = bisect.bisect_left(self.by_length, (low, -1))
        end = bisect.bisect_right(self.by_length, (high, len(self.texts)))
        groups = [g for _, g in self.by_length[begin:end]]
        found, _ = _best(self.distinct[i], groups, self.texts, self.cutoff)
        self.group_of[i] = found if found >= 0 else self._add(i, features)

    def _add(self, i: int, features: np.ndarray | None) -> int:
        """Start a group with text ``i``, given its ``right`` features when bounded."""
        group, text = len(self.texts), self.distinct[i]
        self.texts.append(text)
        self.lengths.append(len(text))
        if self.by_length is not None:
            bisect.insort(self.by_length, (len(text), group))
        if features is not None:
            if group == len(self.features):  # grow by doubling: O(1) a group on average
                self.features = np.concatenate([self.features, np.empty_like(self.features)])
                self.length_array = np.concatenate([self.length_array, self.length_array])
                self.first_array = np.concatenate([self.first_array, self.first_array])
            self.features[group] = features
            self.length_array[group] = len(text)
            self.first_array[group] = i
        return group


def _best(text: str, groups: list[int], texts: list[str], cutoff: float) -> tuple[int, float]:
    """The first of ``groups`` whose representative (in ``texts``) is most alike ``text``,
    at least ``cutoff``, and its score; else (-1, -1.0)."""
    if not groups:
        return -1, -1.0
    choices = [texts[g] for g in groups]
    best = process.extractOne(text, choices, scorer=fuzz.ratio, score_cutoff=cutoff)
    return (-1, -1.0) if best is None else (groups[best[2]], best[1])


def _kept(
    left: np.ndarray,
    right: np.ndarray,
    profiles: np.ndarray,
    left_texts: np.ndarray,
    right_texts: np.ndarray,
    windows: np.ndarray | None = None,
    right_lengths: np.ndarray | None = None,
    *,
    capped: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Rows and columns of the pairs the bound cannot rule out (``left @ right.T >= 0``), in
    row order, columns ascending, at most ``MOST_SCORED`` a row: those whose texts'
    ``profiles`` (one row a text; the texts of the rows of ``left`` and ``right`` are
    ``left_texts`` and ``right_texts``) are most alike. Given each row's length window and
    the columns' lengths, only the columns within it; without, only the columns of earlier
    texts. Not ``capped``, every pair left. By blocks of ``right``, to bound the memory it
    takes."""
    rows, columns = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
    for begin in range(0, len(right), _BLOCK):
        stop = min(begin + _BLOCK, len(right))
        kept = left @ right[begin:stop].T >= 0
        if windows is None or right_lengths is None:
            kept &= right_texts[begin:stop] < left_texts[:, None]
        else:
            length = right_lengths[begin:stop]
            kept &= windows[:, :1] <= length  # one condition at a time: one temporary
            kept &= length <= windows[:, 1:]
        over = np.flatnonzero(np.count_nonzero(kept, axis=1) > MOST_SCORED)
        if not capped:
            over = over[:0]
        theirs = profiles[right_texts[begin:stop]].astype(np.float32).T if len(over) else None
        for first in range(0, len(over), _RANKED):  # each such row's best MOST_SCORED
            some = over[first : first + _RANKED]
            rank = profiles[left_texts[some]].astype(np.float32) @ theirs
            rank[~kept[some]] = -np.inf
            best = np.argpartition(-rank, MOST_SCORED - 1)[:, :MOST_SCORED]
            kept[some] = False
            kept[some[:, None], best] = True
        # flatnonzero: np.nonzero of a 2-d matrix is many times slower when few are true.
        row, column = np.divmod(np.flatnonzero(kept), stop - begin)
        rows.append(row)
        columns.append(column + begin)
    row, column = np.concatenate(rows), np.concatenate(columns)
    if len(rows) > 2:  # more than one block: put the rows back in order, columns ascending
        order = np.argsort(row, kind="stable")
        row, column = row[order], column[order]
        counts = np.bincount(row)
        if capped and counts.max(initial=0) > MOST_SCORED:  # each row's best, in column order
            rank = np.zeros(len(row), dtype=np.float32)  # a row of few keeps them all
            ranked = np.flatnonzero(counts[row] > MOST_SCORED)
            for first in range(0, len(ranked), _BLOCK):  # 8192 pairs' profiles at a time
                some = ranked[first : first + _BLOCK]
                mine = profiles[left_texts[row[some]]].astype(np.float32)
                theirs = profiles[right_texts[column[some]]].astype(np.float32)
                rank[some] = np.einsum("ij,ij->i", mine, theirs)
            order = np.lexsort((-rank, row))
            row, column = row[order], column[order]
            place = np.arange(len(row)) - np.searchsorted(row, row)
            row, column = row[place < MOST_SCORED], column[place < MOST_SCORED]
            order = np.lexsort((column, row))
            row, column = row[order], column[order]
    return row, column


def _by_row(
    row: np.ndarray, column: np.ndarray, rows: int, lengths: np.ndarray | None = None
) -> list[list[int]]:
    """Per row, its columns in ``row, column`` (in row order, columns ascending within
    a row); given the columns' ``lengths``, by (length, column)."""
    if lengths is not None and len(row):
        length = lengths[column]
        # One stable sort by (row, length) keeps the columns ascending within each.
        order = np.argsort(row * (int(length.max()) + 1) + length, kind="stable")
        row, column = row[order], column[order]
    ends = np.searchsorted(row, np.arange(1, rows + 1)).tolist()
    columns = column.tolist()
    out, begin = [], 0
    for end in ends:
        out.append(columns[begin:end])
        begin = end
    return out
