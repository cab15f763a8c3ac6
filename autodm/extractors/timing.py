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
    """Seconds from ``context.followed_at`` to ``context.sent_at``.

    Features
    --------
    seconds_after_follow
        The delay in seconds; None when either time is missing, and None
        ("not applicable") when the DM was sent before the follow, since then
        the follow cannot have triggered it. Naive datetimes never get here:
        :class:`~autodm.Context` refuses them with ``InvalidInputError``.

    The delay is turned into evidence by the model's documented likelihood
    ratios per delay bin (see ``docs/model.md``), not by this extractor.

    Examples
    --------
    >>> TimingAfterFollow().extract("hi", {"followed_at": 100, "sent_at": 104})
    {'seconds_after_follow': Signal(value=4.0, evidence='sent 4 s after the follow')}
    >>> signals = TimingAfterFollow().extract("hi", {"followed_at": 100, "sent_at": 90})
    >>> signals["seconds_after_follow"].value is None
    True
    """

    feature_names: Final = ("seconds_after_follow",)

    def extract(
        self, message: str | TextView, context: Context | Mapping[str, Any] | None = None
    ) -> dict[str, Signal]:
        """Return the timing signal; see the class docstring."""
        _, ctx = prepare(message, context)
        if ctx.sent_at is None or ctx.followed_at is None:
            signal = Signal(None, "no follow time or send time")
        elif ctx.sent_at < ctx.followed_at:
            signal = Signal(None, "sent before the follow: not applicable")
        else:
            delay = ctx.sent_at - ctx.followed_at
            signal = Signal(delay, f"sent {describe_delay(delay)} after the follow")
        return {"seconds_after_follow": signal}
