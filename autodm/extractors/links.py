"""Link density: how much of a message is links, and to what kind of place.

Links are found by the text layer (schemes, ``www.``, bare domains with a real
top-level domain, and de-obfuscated forms such as ``bit . ly``, ``hxxp`` and
``example[.]com``). Nothing is ever resolved or fetched.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Final

from .._resources import domains
from .._text import TextView
from .._types import Context, Signal
from ._base import NOTHING_FOUND, prepare

__all__ = ["LinkDensity"]

# Words (not links, handles or symbols) a message needs to be more than a bare link.
_LINK_ONLY_MAX_WORDS: Final = 3
_PLACEHOLDERS: Final = frozenset({"<url>", "<user>", "<email>", "<num>", "<name>", "<day>"})


def _matches(host: str, names: frozenset[str]) -> bool:
    """True when ``host`` is one of ``names`` or a subdomain of one."""
    if host in names:
        return True
    parts = host.split(".")
    return any(".".join(parts[i:]) in names for i in range(1, len(parts) - 1))


class LinkDensity:
    """Links per token and the kinds of places they lead to.

    Features
    --------
    word_count
        log(1 + words), the words being the tokens that are not links, handles,
        numbers or symbols: the length against which link density is judged.
        Very short messages ("See you there!") are rarely enough to call automated.
    link_count
        Number of links, capped at 10.
    links_per_token
        Links divided by the message's tokens (0..1).
    link_only
        1.0 when the message is little more than links (at most 3 other words).
    shortener_link
        1.0 when a link uses a URL shortener or link-in-bio host (bit.ly, linktr.ee, ...).
    social_link
        1.0 when a link points at a social-media profile or page host.
    store_link
        1.0 when a link points at a store, checkout or payment host.
    obfuscated_link
        1.0 when a link was written to dodge filters ("bit . ly", "hxxp", "[.]").
    suspicious_tld
        1.0 when a link's top-level domain is one often abused for spam (.xyz, .top, ...).

    Examples
    --------
    >>> signals = LinkDensity().extract("grab it at bit . ly/3xYzAb")
    >>> signals["shortener_link"].value, signals["obfuscated_link"].value
    (1.0, 1.0)
    """

    feature_names: Final = (
        "word_count",
        "link_count",
        "links_per_token",
        "link_only",
        "shortener_link",
        "social_link",
        "store_link",
        "obfuscated_link",
        "suspicious_tld",
    )
    #: Signals that can only point to automation: models keep their weights non-negative.
    automation_only: Final = frozenset(feature_names[3:])

    def extract(
        self, message: str | TextView, context: Context | Mapping[str, Any] | None = None
    ) -> dict[str, Signal]:
        """Return the link signals for ``message``; see the class docstring."""
        message_view, _ = prepare(message, context)
        links = message_view.links
        words = sum(1 for t in message_view.tokens if t not in _PLACEHOLDERS and t.isalnum())
        word_count = Signal(math.log1p(words), _counted(words, "word"))
        if not links:  # most messages: every link signal is the shared zero
            return {"word_count": word_count, **_NO_LINKS}
        known = domains()
        hosts = [link.host for link in links]
        count = len(links)

        def first(names: frozenset[str]) -> Signal:
            hit = next((h for h in hosts if _matches(h, names)), None)
            return Signal(1.0 if hit else 0.0, hit or "")

        suspicious = next((h for h in hosts if h.rsplit(".", 1)[-1] in known.suspicious_tlds), None)
        return {
            "word_count": word_count,
            "link_count": Signal(float(min(count, 10)), ", ".join(hosts[:3])),
            "links_per_token": Signal(
                count / max(len(message_view.tokens), 1),
                f"{_counted(count, 'link')} in {_counted(len(message_view.tokens), 'token')}",
            ),
            "link_only": Signal(1.0 if count and words <= _LINK_ONLY_MAX_WORDS else 0.0),
            "shortener_link": first(known.shorteners),
            "social_link": first(known.social),
            "store_link": first(known.store | known.validation),
            "obfuscated_link": Signal(1.0 if "obfuscated_link" in message_view.flags else 0.0),
            "suspicious_tld": Signal(1.0 if suspicious else 0.0, suspicious or ""),
        }


def _counted(n: int, noun: str) -> str:
    """``n`` and the noun, in the plural unless ``n`` is 1: "1 word", "3 words"."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


#: The link signals of a message without links: all but ``word_count``.
_NO_LINKS: Final = dict.fromkeys(LinkDensity.feature_names[1:], NOTHING_FOUND)
