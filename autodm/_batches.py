"""Batches of messages and their contexts, read and checked before any is scored.

classify_many, evaluate and train read theirs with ``_batch``: any iterable of str (not
a str, nor a mapping), or a DataFrame read by rows; one context per message, or none.
classify_many checks every message and context of a call with ``_checked`` before it
scores any, so a bad one raises, named by its position, before the memory has seen it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ._text import check_message
from ._types import Context, absent, as_context, ordered, whole_number
from .errors import InvalidInputError, describe

__all__ = ["ContextLike"]

ContextLike = Context | Mapping[str, Any] | None


def is_pandas(value: object, name: str = "DataFrame") -> bool:
    """True for a pandas ``name`` (a DataFrame, a Series), a subclass's included. pandas
    is not imported for it: no value is one unless pandas has been imported already."""
    kind = getattr(sys.modules.get("pandas"), name, None)
    return kind is not None and isinstance(value, kind)


def _batch(
    messages: Iterable[str], contexts: Iterable[ContextLike] | None
) -> tuple[Sequence[str], Sequence[ContextLike]]:
    if isinstance(messages, str | bytes):
        raise InvalidInputError(
            "`messages` must be an iterable of str, not a single str; "
            "use classify(message) for one message or wrap it: classify_many([message])."
        )
    if is_pandas(messages):
        # Iterating a DataFrame yields its column names: read its rows instead.
        if contexts is not None:
            raise InvalidInputError(
                "with a DataFrame, `contexts` must be None: each row's context comes from "
                "its columns named after Context keys."
            )
        from ._frames import frame_rows

        return frame_rows(messages)
    if not isinstance(messages, Iterable):
        raise InvalidInputError(
            f"`messages` must be an iterable of str. Got {describe(messages)} instead."
        )
    items = list(ordered_messages(messages, "messages", "str"))
    if contexts is None:
        return items, [None] * len(items)
    if isinstance(contexts, Mapping | Context):
        raise InvalidInputError(
            "`contexts` must be an iterable with one context per message, not a single context."
        )
    # An empty cell (NaN, NaT, pd.NA) of a context column is no context, as in
    # classify_frame and AutoDMFeatures.
    ctxs = [
        None if absent(c) else c for c in ordered(contexts, "contexts", "one context per message")
    ]
    if len(ctxs) != len(items):
        raise InvalidInputError(
            f"`contexts` must have one entry per message: got {len(ctxs)} contexts "
            f"for {len(items)} messages."
        )
    return items, ctxs


def ordered_messages(messages: object, name: str, what: str) -> Iterable[Any]:
    """``messages`` if it is an ordered iterable of ``what``, else an InvalidInputError.

    As :func:`ordered`, but a mapping's error says how to pass its texts: a mapping of ids
    to texts is the likeliest one to reach here, and it would be read by its keys.
    """
    if isinstance(messages, Mapping):
        raise InvalidInputError(
            f"`{name}` must be an ordered iterable of {what}, not a mapping (it would be read by "
            "its keys); for a mapping of ids to texts pass list(texts.values()). "
            f"Got {describe(messages)} instead."
        )
    return ordered(messages, name, what)


def check_messages(items: Sequence[object]) -> None:
    """Raise the error of the first message that is not one, named by its position."""
    for i, message in enumerate(items):
        try:
            check_message(message)
        except InvalidInputError as error:
            raise InvalidInputError(f"messages[{i}]: {error}") from None


def _checked(items: Sequence[str], ctxs: Sequence[ContextLike]) -> list[ContextLike]:
    """Check every message and context of a call before any is scored, so a bad one
    raises, named by its position, before the memory has seen the call; return the
    contexts as :class:`Context` objects (None stays None: no context at all), so that
    none is converted twice."""
    check_messages(items)
    out: list[ContextLike] = []
    for i, context in enumerate(ctxs):
        try:
            out.append(None if context is None else as_context(context))
        except InvalidInputError as error:
            raise InvalidInputError(f"contexts[{i}]: {error}") from None
    return out


def _check_jobs(n_jobs: int) -> int:
    """``n_jobs`` as a plain int, or an InvalidInputError saying what is accepted."""
    jobs = whole_number(n_jobs)
    if jobs is None or jobs == 0 or jobs < -1:
        raise InvalidInputError(
            f"`n_jobs` must be a positive int or -1 (all cores). Got {describe(n_jobs)} instead."
        )
    return jobs
