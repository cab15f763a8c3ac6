"""Timing after follow: how soon after the recipient followed the sender the DM arrived."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from .._text import TextView
from .._types import Context, Signal
from ._base import prepare

__all__ = ["TimingAfterFollow", "describe_delay"]


def describe_delay(seconds: float) -> str:
    """Say a delay the way a person would: "4 s", "12 min", "3 h", "2 days"."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / 86400:.0f} days"


class TimingAfterFollow:
    """When the DM came: seconds after the follow, and where in the conversation.

    Features
    --------
    seconds_after_follow
        The delay in seconds; None when either time is missing, and None
        ("not applicable") when the DM was sent before the follow, since then
        the follow cannot have triggered it. Naive datetimes never get here:
        :class:`~autodm.Context` refuses them with ``InvalidInputError``.
    recipient_wrote_first
        1.0 when the message replies to something the recipient wrote first,
        0.0 when not, None when the context does not say.
    first_message
        1.0 for the sender's first message to the recipient, 0.0 when they have
        written to each other before, None when the context does not say.

    These are turned into evidence by the model's documented likelihood ratios
    (see ``docs/model.md``), not by this extractor.

    Examples
    --------
    >>> signals = TimingAfterFollow().extract("hi", {"followed_at": 100, "sent_at": 104})
    >>> signals["seconds_after_follow"]
    Signal(value=4.0, evidence='sent 4 s after the follow')
    >>> signals = TimingAfterFollow().extract("hi", {"followed_at": 100, "sent_at": 90})
    >>> signals["seconds_after_follow"].value is None
    True
    """

    feature_names: Final = ("seconds_after_follow", "recipient_wrote_first", "first_message")

    def extract(
        self, message: str | TextView, context: Context | Mapping[str, Any] | None = None
    ) -> dict[str, Signal]:
        """Return the timing signal; see the class docstring."""
        _, ctx = prepare(message, context)
        if ctx.sent_at is None or ctx.followed_at is None:
            signal = _NO_TIMES
        elif ctx.sent_at < ctx.followed_at:
            signal = Signal(None, "sent before the follow: not applicable")
        else:
            delay = ctx.sent_at - ctx.followed_at
            signal = Signal(delay, f"sent {describe_delay(delay)} after the follow")
        return {
            "seconds_after_follow": signal,
            "recipient_wrote_first": _flag(ctx.recipient_wrote_first, "replies to the recipient"),
            "first_message": _flag(ctx.first_message, "first message to the recipient"),
        }


#: Shared signals for what a context leaves out (signals are immutable).
_NO_TIMES: Final = Signal(None, "no follow time or send time")
_NOT_GIVEN: Final = Signal(None, "not given")


def _flag(value: bool | None, evidence: str) -> Signal:
    if value is None:
        return _NOT_GIVEN
    return Signal(1.0 if value else 0.0, evidence if value else "not: " + evidence)
