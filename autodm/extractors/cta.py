"""Call-to-action phrasing: the asks, threats and signatures that canned DMs are made of.

Phrases live in data files (``autodm/data/lexicons/cta_<lang>.json``), one per
language. Phrases in scripts written with spaces (Latin, Cyrillic, Arabic, Indic) match
whole-token sequences of the masked, casefolded message (and of its de-leeted form, so
"f0ll0w b4ck" counts); Chinese, Japanese and Korean phrases match as substrings. Matching
is a dict look-up per token: linear in the message, whatever the lexicon size.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Final

from .._names import _WEEKDAYS
from .._obfuscation import _SPACED_LETTERS_RE
from .._resources import lexicon_languages, load_json
from .._text import MAX_CHARS, TextView, check_unicode, view
from .._types import Context, Signal, ordered
from ..errors import InvalidInputError, describe
from ._base import NOTHING_FOUND, prepare

__all__ = ["ASK_CATEGORIES", "CallToAction"]

#: Lexicon categories that are requests to do something; they add up in ``cta_asks``.
ASK_CATEGORIES: Final = (
    "ask_engage",
    "ask_buy",
    "ask_download",
    "ask_click",
    "ask_visit",
    "ask_join",
    "ask_dm",
)
#: Lexicon categories with a feature of their own (value 1.0 when any phrase matches).
_FLAG_FEATURES: Final = {
    "follow_back": "cta_follow_back",
    "thanks_follow": "cta_thanks_follow",
    "validation": "cta_validation",
    "tool_signature": "cta_tool_signature",
    "promo_code": "cta_promo_code",
    "self_promo": "cta_self_promo",
    "lure": "cta_lure",
    "outreach": "cta_outreach",
}
_CJK_RE: Final = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
#: A question mark that ends a word (not "?id=1" in an address the text layer did not take
#: for a link), an Arabic one, an opening Spanish one, or the Greek one, which the text
#: layer folds to ";" (as it folds "？" to "?"): a ";" right after a Greek letter.
_QUESTION_RE: Final = re.compile("[?\u061f](?!\\w)|\u00bf|(?<=[\u0370-\u03ff]);")
_PLAIN_PHRASE_RE: Final = re.compile(r"[a-z]+(?: [a-z]+)*")
#: What a phrase must hold for the text layer to mask part of it: links, e-mails, handles and
#: numbers all hold one of these.
_MASKABLE_RE: Final = re.compile(r"[\d@.:]")


def phrase_tokens(folded: str) -> tuple[str, ...]:
    """The tokens of a casefolded lexicon phrase, as the text layer gives them in a message.

    A phrase of plain lower-case words without a weekday is its words: the text layer
    has nothing to mask or undo there (a test holds this against :func:`view`), and most
    phrases are such, which spares building a view of each when the lexicons load.
    """
    if (
        len(folded) <= MAX_CHARS
        and _PLAIN_PHRASE_RE.fullmatch(folded)
        and not _SPACED_LETTERS_RE.search(folded)  # "f r e e" is read as "free"
    ):
        words = tuple(folded.split(" "))
        if not _WEEKDAYS.intersection(words):
            return words
    return view(folded).tokens


#: Follow thanks that a bot sends every new follower or contact whatever it says next: a
#: welcome ("welcome to my page") and thanks for connecting, the opener of automated
#: LinkedIn outreach. A question after one is no sign of a person.
_NOT_PERSONAL_RE: Final = re.compile(
    "welcome|bienvenid|bem-vind|bienvenue|willkommen|benvenut|hoş geldin|selamat datang"
    "|اهلا|أهلا|欢迎|ようこそ|connect|conect|conex|connexion|connessione|connetter|vernetz"
    "|bağlantı|terhubung|التواصل|つながり|network"
)
#: "Thanks" in languages the lexicons do not cover, for thank-yous that borrow the English
#: "follow" ("Dzięki za follow!", "Salamat sa pag-follow!").
_THANKS_WORDS: Final = (
    "dzięki|dziękuję|díky|děkuji|dík|mersi|mulțumesc|mulţumesc|multumesc|salamat|asante"
    "|ευχαριστώ|ευχαριστω|спасибо|дякую|благодарю|bedankt|dankjewel|dank je|dank u wel"
    "|tak|tack|takk|kiitos|köszi|köszönöm|hvala|cảm ơn|cám ơn|ممنون|مرسی|תודה"
)
#: A thanks word, then one to three words joined by spaces or hyphens ("za", "sa pag": no
#: punctuation in between, and never the follow right after the thanks, as in a demand
#: "thanks, follow back?"), then the borrowed "follow", not "follow up" or "follow-up".
#: Every repeat is bounded, so the match is linear in the message.
_BORROWED_THANKS_RE: Final = re.compile(
    rf"(?<!\w)(?:{_THANKS_WORDS})(?:[ -]\w+){{1,3}}?[ -](?:follow|followback|фолоу|фоллоу)"
    r"(?!\w)(?![ -]ups?(?!\w))"
)
#: Words that name a follow, as parts of tokens with leetspeak undone ("f0ll0w", "folow",
#: "follback", "фолоу"), and the swap demands ("f4f", "s4s", "l4l") as typed.
_FOLLOW_STEMS: Final = ("follow", "folow", "fllw", "folb", "follb", "фолоу", "фоллоу", "фолов")
_SWAP_DEMANDS: Final = frozenset(["f4f", "s4s", "l4l", "sub4sub", "like4like", "fb4fb"])


def _follow_words(message_view: TextView) -> list[int]:
    """Positions of the tokens that name a follow or ask for a swap."""
    return [
        i
        for i, (token, plain) in enumerate(
            zip(message_view.tokens, message_view.plain_tokens, strict=True)
        )
        if token in _SWAP_DEMANDS or any(stem in plain for stem in _FOLLOW_STEMS)
    ]


def _check_readable(phrase: str, name: str) -> None:
    """Refuse a phrase that could never match, or would match what any message holds."""
    folded = " ".join(phrase.casefold().split())
    if _CJK_RE.search(folded):
        return  # matched as a substring of the masked message
    tokens = phrase_tokens(folded)
    if not any(token.isalnum() for token in tokens):
        read = " ".join(tokens) if tokens else "nothing"
        raise InvalidInputError(
            f"every phrase of `{name}` must hold a word: the text layer reads {phrase!r} as "
            f"{read}, which would match {'nothing' if not tokens else 'any message that holds it'}"
            " (links, handles, e-mail addresses and numbers are read as placeholders, emoji and"
            " most punctuation are not read, and '!', '?', '#', '%' or a currency sign is no"
            " word)."
        )


class _Lexicon:
    """Phrases indexed by first token, plus substring phrases for CJK scripts."""

    def __init__(self, entries: Iterable[tuple[str, str]]) -> None:
        self.by_first: dict[str, list[tuple[tuple[str, ...], str, str]]] = {}
        self.substrings: list[tuple[str, str, str]] = []
        for category, phrase in entries:
            folded = " ".join(phrase.casefold().split())
            if not folded:
                continue
            if _CJK_RE.search(folded):
                # Masked as a message is when it holds what the text layer masks (a number,
                # an "@", a link's "." or ":"), so "フォロバ100" matches "フォロバ<num>%".
                if _MASKABLE_RE.search(folded):
                    folded = view(folded).masked
                self.substrings.append((folded, category, phrase))
                continue
            # Through the same text layer as messages, so "thx 4 the follow" matches "<num>".
            tokens = phrase_tokens(folded)
            if tokens:
                self.by_first.setdefault(tokens[0], []).append((tokens, category, phrase))

    def _token_matches(self, message_view: TextView) -> Iterator[tuple[int, int, str, str]]:
        """(start, end, category, phrase) of each word phrase, in token positions."""
        sequences = [message_view.tokens]
        if message_view.leet_tokens is not None:
            sequences.append(message_view.leet_tokens)
        for tokens in sequences:
            for i, token in enumerate(tokens):
                for phrase_tokens, category, phrase in self.by_first.get(token, ()):
                    end = i + len(phrase_tokens)
                    if tokens[i:end] == phrase_tokens:
                        yield i, end, category, phrase

    def find(self, message_view: TextView) -> dict[str, list[str]]:
        hits: dict[str, list[str]] = {}
        for _, _, category, phrase in self._token_matches(message_view):
            found = hits.setdefault(category, [])
            if phrase not in found:
                found.append(phrase)
        if message_view.has_cjk:
            text = message_view.masked
            for folded, category, phrase in self.substrings:
                if folded in text:
                    found = hits.setdefault(category, [])
                    if phrase not in found:
                        found.append(phrase)
        return hits

    def spans(self, message_view: TextView) -> list[tuple[str, bool, int, int]]:
        """(category, in CJK text, start, end) of every match: token positions for word
        phrases, character positions in ``masked`` for Chinese and Japanese ones."""
        out = [(c, False, i, j) for i, j, c, _ in self._token_matches(message_view)]
        if message_view.has_cjk:
            text = message_view.masked
            for folded, category, _ in self.substrings:
                start = text.find(folded)
                while start >= 0:
                    out.append((category, True, start, start + len(folded)))
                    start = text.find(folded, start + 1)
        return out


def _load_entries(languages: Iterable[str]) -> list[tuple[str, str]]:
    entries: list[tuple[str, str]] = []
    available = lexicon_languages()
    for lang in languages:
        if lang not in available:
            raise InvalidInputError(
                f"no call-to-action lexicon for language {lang!r}; available: {list(available)}."
            )
        for category, phrases in load_json(f"lexicons/cta_{lang}.json")["categories"].items():
            entries.extend((category, str(p)) for p in phrases)
    return entries


class CallToAction:
    """Imperative asks, follow-back threats, follow thanks, validation and tool phrasing.

    Features
    --------
    cta_asks
        How many kinds of request the message makes (0..7): like/follow/subscribe,
        buy, download, click, visit, join, DM-me.
    cta_follow_back
        1.0 for "follow back" / "or I'll unfollow" phrasing.
    cta_thanks_follow
        1.0 for "thanks for the follow" / "welcome to my ..." phrasing.
    cta_validation
        1.0 for validation-service phrasing ("verify you are human").
    cta_tool_signature
        1.0 for a growth tool's signature or an admission of automation ("sent via ...").
    cta_promo_code
        1.0 for discount-code phrasing ("use code", "% off").
    cta_self_promo
        1.0 for "my new e-book / my channel / my course" phrasing.
    cta_lure
        1.0 for phishing lures ("someone is saying bad things about you").
    cta_outreach
        1.0 for templated cold outreach ("I came across your profile", "open to a
        quick call", "有没有合作").
    cta_thanks_question
        1.0 when the message thanks the reader for following and asks a question,
        with no link, e-mail address or handle, and no phrase of another category
        but a follow-back inside the thanks ("thanks for the follow back"): "thanks
        for the follow! which trail was that?". A welcome or thanks for connecting is no
        thanks here; in a language without a lexicon a thanks word a few words before
        the borrowed "follow" is ("dzięki za follow"). An auto-DM fired at a new
        follower thanks and then pushes something; a person who thanks often asks about
        the reader. Unlike the others this signal may point either way.

    Parameters
    ----------
    languages : iterable of str, optional
        Lexicons to load (codes such as ``"en"``, ``"es"``); all shipped ones by default.
    extra_phrases : mapping of category to phrases, optional
        Phrases to add, keyed by the lexicon categories above
        (``ask_engage`` ... ``ask_dm``, ``follow_back``, ``thanks_follow``, ...).

    Examples
    --------
    >>> signals = CallToAction().extract("Thx 4 the follow! Pls like my page & follow back")
    >>> signals["cta_follow_back"].value, signals["cta_thanks_follow"].value
    (1.0, 1.0)
    """

    feature_names: Final = ("cta_asks", *_FLAG_FEATURES.values(), "cta_thanks_question")
    #: Signals that can only point to automation: models keep their weights non-negative.
    automation_only: Final = frozenset(feature_names) - {"cta_thanks_question"}

    def __init__(
        self,
        languages: Iterable[str] | None = None,
        *,
        extra_phrases: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        if languages is None:
            langs = tuple(lexicon_languages())
        else:
            langs = tuple(ordered(languages, "languages", "language codes such as 'en'"))
        entries = _load_entries(langs)
        known = set(ASK_CATEGORIES) | set(_FLAG_FEATURES)
        if extra_phrases is not None and not isinstance(extra_phrases, Mapping):
            raise InvalidInputError(
                "`extra_phrases` must be a mapping of category to phrases, such as "
                f"{{'self_promo': ['my sourdough class']}}. Got {describe(extra_phrases)} instead."
            )
        for category, phrases in (extra_phrases or {}).items():
            if category not in known:
                raise InvalidInputError(
                    f"unknown call-to-action category {category!r}; accepted: {sorted(known)}."
                )
            name = f"extra_phrases[{category!r}]"
            if isinstance(phrases, str | bytes | Mapping) or not isinstance(phrases, Iterable):
                raise InvalidInputError(
                    f"`{name}` must be a list, tuple or set of phrases, each a str (one "
                    f"phrase goes in a list of one). Got {describe(phrases)} instead."
                )
            for phrase in phrases:
                if not isinstance(phrase, str) or not phrase.strip():
                    raise InvalidInputError(
                        f"every phrase of `{name}` must be a non-empty str. Got "
                        f"{describe(phrase)} instead."
                    )
                _check_readable(check_unicode(phrase, name), name)
                entries.append((category, phrase))
        self.languages: tuple[str, ...] = langs
        self._lexicon = _Lexicon(entries)

    def matches(self, message: str | TextView) -> dict[str, list[str]]:
        """Return the matched phrases of ``message``, by category."""
        message_view, _ = prepare(message, None)
        return self._lexicon.find(message_view)

    def extract(
        self, message: str | TextView, context: Context | Mapping[str, Any] | None = None
    ) -> dict[str, Signal]:
        """Return the call-to-action signals; see the class docstring."""
        message_view, _ = prepare(message, context)
        hits = self._lexicon.find(message_view)
        asks = [c for c in ASK_CATEGORIES if c in hits]
        signals = {"cta_asks": Signal(float(len(asks)), "; ".join(hits[c][0] for c in asks))}
        for category, feature in _FLAG_FEATURES.items():
            phrases = hits.get(category)
            signals[feature] = Signal(1.0, "; ".join(phrases)) if phrases else NOTHING_FOUND
        thanks = self._thanks_and_question(message_view, hits)
        signals["cta_thanks_question"] = Signal(1.0, thanks) if thanks else NOTHING_FOUND
        return signals

    def _thanks_and_question(self, message_view: TextView, hits: dict[str, list[str]]) -> str:
        """The thanks phrase of a message that thanks for a follow, asks a question and
        pushes nothing, else "".

        Nothing pushed: no link, e-mail address or handle; no phrase of another category,
        except a follow-back phrase inside the thanks ("thanks for the follow back",
        "geri takip ettiğin için teşekkürler"); and no word for a follow or a swap outside
        the thanks ("…! Follow my backup account?", "…! f4f?"). A welcome ("welcome to my
        page") or thanks for connecting is not a thanks here. In a language without a
        lexicon, a thanks word a few words before the borrowed "follow" is
        ("dzięki za follow!").
        """
        if (
            message_view.links
            or message_view.emails
            or message_view.handles
            or not _QUESTION_RE.search(message_view.masked)
        ):
            return ""
        thanks = [
            p for p in hits.get("thanks_follow", ()) if not _NOT_PERSONAL_RE.search(p.casefold())
        ]
        if thanks:
            follows = _follow_words(message_view)
            spans = self._lexicon.spans(message_view)
            inside = [(cjk, i, j) for c, cjk, i, j in spans if c == "thanks_follow"]
            phrase = thanks[0]
        else:
            # (the cheap checks first: most questions thank for nothing)
            if set(hits) - {"follow_back"}:
                return ""
            match = _BORROWED_THANKS_RE.search(message_view.masked)
            if match is None:
                return ""
            follows = _follow_words(message_view)
            if len(follows) != 1:
                return ""
            spans = self._lexicon.spans(message_view) if hits else []
            inside = [(False, follows[0], follows[0] + 1)]  # the borrowed "follow"
            phrase = match.group(0)
        # Everything else must be a follow-back phrase or a follow word inside the thanks.
        others = [span for span in spans if span[0] != "thanks_follow"]
        others += [("follow word", False, i, i + 1) for i in follows]
        for category, cjk, start, end in others:
            nested = category in ("follow_back", "follow word") and any(
                cjk == in_cjk and start < j and i < end for in_cjk, i, j in inside
            )
            if not nested:
                return ""
        return phrase
