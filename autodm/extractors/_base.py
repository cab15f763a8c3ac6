"""The extractor contract shared by every signal module."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Final, Protocol, runtime_checkable

from .._text import TextView, view
from .._types import Context, Signal, as_context
from ..errors import ExtractorError

__all__ = ["NOTHING_FOUND", "Extractor", "check_signals", "prepare"]

#: The signal of a feature whose evidence is absent (no phrase, no link of a kind), shared by
#: every message: signals are immutable, and each ``extract`` returns a new dict.
NOTHING_FOUND: Final = Signal(0.0, "")


@runtime_checkable
class Extractor(Protocol):
    """What every extractor provides; a plain class with these two members qualifies.

    ``feature_names`` is stable: the same names, in the same order, for every
    message. ``extract`` returns one :class:`~autodm.Signal` per name, whose
    value is a finite float, or None where the signal does not apply (for
    example, timing when the context has no follow time).
    """

    feature_names: tuple[str, ...]

    def extract(
        self,
        message: str | TextView,
        context: Context | Mapping[str, Any] | None = None,
    ) -> Mapping[str, Signal]: ...


def prepare(
    message: str | TextView, context: Context | Mapping[str, Any] | None
) -> tuple[TextView, Context]:
    """Return the message's view (built here if a str was given) and a validated Context."""
    message_view = message if isinstance(message, TextView) else view(message)
    return message_view, as_context(context)


def check_signals(name: str, expected: tuple[str, ...], signals: Mapping[str, Signal]) -> None:
    """Raise :class:`ExtractorError` unless ``signals`` honours the contract."""
    if tuple(signals) != expected:
        raise ExtractorError(
            f"extractor {name} must return signals named {list(expected)} in that order. "
            f"Got {list(signals)} instead."
        )
    for key, signal in signals.items():
        value = signal.value
        if value is not None and (not isinstance(value, float | int) or not math.isfinite(value)):
            raise ExtractorError(
                f"signal {key!r} of extractor {name} must be a finite float or None. "
                f"Got {value!r} instead."
            )
