"""Verdicts shared between messages that autodm reads alike.

Without context, a verdict reads only part of a message's :class:`~autodm._text.TextView`:
the masked text (greeted names, handles, numbers, links and weekdays are placeholders in
it), the shapes of its numbers, the hosts of its links and the flags. Two messages of an
auto-DM campaign that differ in names, numbers or link paths read alike, so one scoring
serves both. :func:`scoring_key` is that part of a view; :class:`VerdictStore` keeps
verdicts by it, bounded.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from ._text import TextView
from ._types import Verdict

__all__ = ["MAX_KEY_CHARS", "UNKEYED_FIELDS", "VerdictStore", "distinct_messages", "scoring_key"]

#: Views whose masked text and link hosts add up to more characters than this are never
#: kept, so that a store's memory is bounded by its entries.
MAX_KEY_CHARS: Final = 512

#: The view fields :func:`scoring_key` leaves out, because no verdict reads them (the
#: tokens follow from the masked text). A field added to TextView must be added to the key
#: or here; a test holds the two together.
UNKEYED_FIELDS: Final = frozenset({"text", "tokens", "leet_tokens", "original_length"})

Key = tuple[object, ...]


def scoring_key(message_view: TextView) -> Key:
    """All that a verdict without context reads of a view: every field but the text.

    Examples
    --------
    >>> from autodm._text import view
    >>> one, other = view("Hi Sam! 20% off: bit.ly/a1"), view("Hi Mei! 30% off: bit.ly/b2")
    >>> scoring_key(one) == scoring_key(other)
    True
    """
    return (
        message_view.masked,
        message_view.number_shapes,
        tuple((link.host, link.has_path, link.has_scheme) for link in message_view.links),
        message_view.handles,
        message_view.emails,
        message_view.flags,
        message_view.has_cjk,
    )


class VerdictStore:
    """Verdicts by :func:`scoring_key`, at most ``size`` of them, forgotten all at once
    when full. Safe to share between threads: each operation is one dict operation."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._verdicts: dict[Key, Verdict] = {}

    def __len__(self) -> int:
        return len(self._verdicts)

    @staticmethod
    def key(message_view: TextView) -> Key | None:
        """The view's key, or None for a view too large to keep."""
        hosts = sum(len(link.host) for link in message_view.links)
        if len(message_view.masked) + hosts > MAX_KEY_CHARS:
            return None
        return scoring_key(message_view)

    def get(self, key: Key) -> Verdict | None:
        return self._verdicts.get(key)

    def put(self, key: Key, verdict: Verdict) -> None:
        if len(self._verdicts) >= self.size:
            self._verdicts.clear()
        self._verdicts[key] = verdict


def distinct_messages(
    messages: Sequence[str], contexts: Sequence[Any]
) -> tuple[list[str], list[Any], list[int]]:
    """Keep one copy of each text that comes without context, and say where each item went.

    Without context (and without a memory) a verdict depends on the text alone, and
    the texts of an auto-DM campaign repeat: each is scored once.
    """
    kept: list[str] = []
    kept_contexts: list[Any] = []
    seen: dict[str, int] = {}
    where: list[int] = []
    for message, context in zip(messages, contexts, strict=True):
        if context is None and type(message) is str:
            slot = seen.setdefault(message, len(kept))
            if slot < len(kept):
                where.append(slot)
                continue
        where.append(len(kept))
        kept.append(message)
        kept_contexts.append(context)
    return kept, kept_contexts, where
