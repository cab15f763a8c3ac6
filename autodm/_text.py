"""The text layer: normalise a message once and find its links, handles and tokens.

Every extractor reads the one :class:`TextView` built here, so a message is
normalised and scanned once. The work is split between modules: ``_obfuscation``
undoes hidden letters and links, ``_finder`` masks links, e-mails, handles and
numbers, and ``_names`` masks greeted names and weekdays. All their patterns are
linear-time: character classes that cannot overlap their neighbours, bounded
repeats, and no nested quantifiers over the same characters. Work per message is
capped at :data:`MAX_CHARS` code points; the rest of a longer message is not
examined (the view records ``"truncated"``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final

from ._finder import _MARKS, Link, _mask
from ._names import _CJK_NAME_RE, _cjk_name, _mask_names
from ._obfuscation import (
    _ACCENTED_LATIN_RE,
    _BIDI_CONTROL_RE,
    _BLANKS,
    _CIRCLED_M,
    _CONFUSABLE_RE,
    _FOLDABLE_RE,
    _INVISIBLE_RE,
    _LUNATE_SIGMAS,
    _SELECTOR_IN_WORD_RE,
    _SEPARATED_HINT_RE,
    _SMALL_CAPITAL_RE,
    _SPACED_LETTERS_RE,
    _STYLED_RE,
    _ZW_INSIDE_WORD_RE,
    _bidi_hides_letters,
    _deobfuscate_links,
    _fold_confusables,
    _fold_small_capitals,
    _fold_strewn_diacritics,
    _fold_styled_words,
    _join_separated_letters,
    _join_spaced_letters,
)
from .errors import InvalidInputError, describe

__all__ = ["MAX_CHARS", "MAX_MASKED_CHARS", "Link", "TextView", "mask_template", "tokenize", "view"]

#: Code points of a message that are examined; the rest is skipped.
MAX_CHARS: Final = 4096
#: The longest masked text a view can hold: a placeholder (at most 8 code points, as
#: ``<num£4>``) stands for at least one of the MAX_CHARS it masks.
MAX_MASKED_CHARS: Final = 8 * MAX_CHARS

_CONTROL_RE: Final = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_PLACEHOLDER: Final = r"<(?:url|user|email|num|name|day)>"
_TOKEN_RE: Final = re.compile(_PLACEHOLDER + r"|[^\W_]+|[%$€£¥#+!?]")
# A combining mark belongs to the word it follows: Indic vowel signs and viramas, Thai vowels
# and tone marks, Khmer and Myanmar signs ("धन्यवाद", "ขอบคุณ"). ``\w`` leaves them out, so
# the pattern above cuts such words at every mark; text outside ASCII is split by this one.
_MARKED_TOKEN_RE: Final = re.compile(_PLACEHOLDER + rf"|[^\W_](?:[^\W_]|[{_MARKS}])*|[%$€£¥#+!?]")
# Points that writing may leave out: Arabic short vowels and the other Arabic points, the
# tatweel that stretches a word, and Hebrew vowel points and cantillation ("شكراً" is
# "شكرا", "شكــــرا" too). Dropped, so a word reads the same with or without them.
_POINTS: Final = (
    "".join(
        chr(cp)
        for first, last in (
            (0x0591, 0x05C7),
            (0x0610, 0x061A),
            (0x064B, 0x065F),
            (0x0670, 0x0670),
            (0x06D6, 0x06ED),
            (0x08D3, 0x08FF),
        )
        for cp in range(first, last + 1)
        if unicodedata.category(chr(cp)) == "Mn"
    )
    + "\u0640"
)
_POINTS_RE: Final = re.compile(f"[{_POINTS}]")
_NO_POINTS: Final = str.maketrans(dict.fromkeys(_POINTS))
_CJK_RE: Final = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_LEET: Final = str.maketrans("013457@$", "oieastas")
# In ASCII text, a word mixing letters and digits ("f0ll0w") has a letter next to a digit.
_LETTER_DIGIT_RE: Final = re.compile(r"[A-Za-z][0-9]|[0-9][A-Za-z]")
# An "@" or "$" written for a letter ("b@ck", "gue$t", "$ubscribe", "cla$$"): between two
# letters, a "$" that opens a word of letters, or "$"s that end one. The tokens split at
# them, so the de-leeted tokens come from the text with them made letters. After masking,
# an "@" left in the text belongs to no handle or e-mail address; "$5" stays a price.
_LEET_SIGN_RE: Final = re.compile(
    r"(?<=[^\W\d_])[@$]+(?=[^\W\d_])|(?<![^\W_])\$(?=[^\W\d_]{2})"
    r"|(?<=[^\W\d_]{2})\$+(?![^\W_]| ?<)"
)
_TEMPLATE_SLOT_RE: Final = re.compile(r"\{(name|handle|url|number|day)\}")
_SLOT_TOKEN: Final = {
    "name": "<name>",
    "handle": "<user>",
    "url": "<url>",
    "number": "<num>",
    "day": "<day>",
}


@dataclass(frozen=True, slots=True)
class TextView:
    """One message, normalised once, as every extractor sees it.

    ``text`` is the normalised message (NFKC, invisible characters removed, look-alike
    letters folded inside Latin words, styled words spelt plainly, whitespace collapsed), at most
    :data:`MAX_CHARS` long. ``masked`` is ``text`` casefolded with links,
    e-mails, handles, numbers, greeted names and weekdays replaced by
    ``<url>``, ``<email>``, ``<user>``, ``<num>``, ``<name>`` and ``<day>``;
    ``tokens`` are its word tokens. ``flags`` says what had to be undone.
    ``number_shapes`` holds the shape of each ``<num>`` in ``masked``, in order (``<num5>``).
    """

    text: str
    masked: str
    tokens: tuple[str, ...]
    leet_tokens: tuple[str, ...] | None
    links: tuple[Link, ...]
    handles: int
    emails: int
    flags: frozenset[str]
    has_cjk: bool
    original_length: int
    number_shapes: tuple[str, ...] = ()

    @property
    def plain_tokens(self) -> tuple[str, ...]:
        """``tokens`` with leetspeak undone in words that mix letters and digits ("f0ll0w")."""
        return self.tokens if self.leet_tokens is None else self.leet_tokens

    @property
    def shaped_tokens(self) -> tuple[str, ...]:
        """``plain_tokens`` with each ``<num>`` carrying its number's shape (``<num£4>``).

        A ``<num>`` the sender typed has no number behind it and stays as it is.
        """
        tokens = self.plain_tokens
        if not self.number_shapes:
            return tokens
        shapes = iter(self.number_shapes)
        return tuple(next(shapes, t) if t == "<num>" else t for t in tokens)


def _check(message: object) -> str:
    if isinstance(message, str):
        return message
    if isinstance(message, bytes | bytearray | memoryview):
        raise InvalidInputError(
            "`message` must be str, not bytes; decode it first, e.g. "
            "message.decode('utf-8', errors='replace')."
        )
    raise InvalidInputError(f"`message` must be a str. Got {describe(message)} instead.")


def check_unicode(text: str, name: str = "message") -> str:
    """Return ``text``, refusing lone surrogates: they are not text, and cannot be saved."""
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidInputError(
                f"`{name}` holds lone surrogate code points, which are not text; repair it, "
                "e.g. text.encode('utf-8', 'surrogatepass').decode('utf-8', 'replace')."
            ) from None
    return text


def check_message(message: object) -> None:
    """Raise the :class:`InvalidInputError` that :func:`view` raises for ``message``, if
    any, without viewing it."""
    raw = _check(message)
    if not raw.isascii():
        check_unicode(raw[:MAX_CHARS])


def _normalise(raw: str) -> tuple[str, set[str]]:
    flags: set[str] = set()
    if len(raw) > MAX_CHARS:
        raw = raw[:MAX_CHARS]
        flags.add("truncated")
    if not raw.isascii():
        check_unicode(raw)
        if _ZW_INSIDE_WORD_RE.search(raw):
            flags.add("zero_width")
        if _BIDI_CONTROL_RE.search(raw) and _bidi_hides_letters(raw):
            flags.add("bidi_controls")
        raw = _INVISIBLE_RE.sub("", raw)
        if "\u3164" in raw or "\uffa0" in raw:  # Hangul fillers: blanks
            raw = raw.translate(_BLANKS)
        if "zero_width" in flags:
            raw = _SELECTOR_IN_WORD_RE.sub("", raw)
        if _STYLED_RE.search(raw):
            raw, spelt = _fold_styled_words(raw)
            if spelt:
                flags.add("styled_letters")
        # NFKC would turn the lunate sigmas (ϲ, Ϲ) into σ-forms that look nothing like c;
        # hand them to the confusable fold as the Cyrillic с and С they resemble.
        raw = raw.translate(_LUNATE_SIGMAS)
        if _CIRCLED_M in raw:  # the emoji, alone: NFKC would make it the letter M
            raw = _CIRCLED_M.join(
                unicodedata.normalize("NFKC", part) for part in raw.split(_CIRCLED_M)
            )
        else:
            raw = unicodedata.normalize("NFKC", raw)
        if _POINTS_RE.search(raw):
            raw = raw.translate(_NO_POINTS)
        if len(raw) > MAX_CHARS:  # NFKC can expand a few characters many times over
            raw = raw[:MAX_CHARS]
            flags.add("truncated")
    raw = _CONTROL_RE.sub(" ", raw)
    # Spaces first: a link spelt out ("b i t . l y / a-b-c-d") then keeps its path as is.
    if _SPACED_LETTERS_RE.search(raw):
        raw, joined = _join_spaced_letters(raw)
        if joined:
            flags.add("spaced_letters")
    if _SEPARATED_HINT_RE.search(raw):
        raw, joined = _join_separated_letters(raw)
        if joined:
            flags.add("spaced_letters")
    text = " ".join(raw.split())
    if not text.isascii() and _FOLDABLE_RE.search(text):
        # Letters first, then the words they spell: "föllоw" with a Cyrillic о is "föllow"
        # before its diacritics are read.
        if _SMALL_CAPITAL_RE.search(text):
            text, folded = _fold_small_capitals(text)
            if folded:
                flags.add("styled_letters")
        if _CONFUSABLE_RE.search(text):
            text, folded = _fold_confusables(text)
            if folded:
                flags.add("confusables")
        if _ACCENTED_LATIN_RE.search(text):
            text, folded = _fold_strewn_diacritics(text)
            if folded:
                flags.add("diacritics")
    return text, flags


def tokenize(masked: str) -> tuple[str, ...]:
    """Split casefolded, masked text into word, placeholder and symbol tokens; a word keeps
    the combining marks written on its letters ("धन्यवाद" is one token)."""
    return tuple((_TOKEN_RE if masked.isascii() else _MARKED_TOKEN_RE).findall(masked))


def view(message: object) -> TextView:
    """Normalise ``message`` once and find everything the extractors need.

    Raises
    ------
    InvalidInputError
        If ``message`` is not a ``str`` (bytes get a hint on decoding) or holds
        lone surrogates.

    Examples
    --------
    >>> v = view("Hi Maria! Thanks for the follow, see bit . ly/x7 \u200b")
    >>> v.masked
    'hi <name>! thanks for the follow, see <url>'
    >>> sorted(v.flags)
    ['obfuscated_link']
    """
    raw = _check(message)
    text, flags = _normalise(raw)
    linked, obfuscated = _deobfuscate_links(text)
    masked, links, handles, emails, numbers = _mask(linked)
    if obfuscated and links:
        flags.add("obfuscated_link")
    has_cjk = bool(_CJK_RE.search(text))
    if has_cjk:
        masked = _CJK_NAME_RE.sub(_cjk_name, masked)
    # casefold turns Turkish "İ" into "i" + U+0307 COMBINING DOT ABOVE; drop the dot so
    # "İş birliği" tokenizes like "iş birliği".
    masked = _mask_names(masked).casefold().replace("i\u0307", "i")
    tokens = tokenize(masked)
    leet_tokens = None
    signed = masked
    if ("@" in masked or "$" in masked) and _LEET_SIGN_RE.search(masked):
        signed = _LEET_SIGN_RE.sub(lambda m: m.group().translate(_LEET), masked)
    if signed is not masked or (
        _LETTER_DIGIT_RE.search(masked)
        if masked.isascii()
        else any(not t.isalpha() and not t.isdigit() and t.isalnum() for t in tokens)
    ):
        leet_tokens = tuple(
            t.translate(_LEET) if t.isalnum() and not t.isdigit() and not t.isalpha() else t
            for t in (tokens if signed is masked else tokenize(signed))
        )
    return TextView(
        text=text,
        masked=masked,
        tokens=tokens,
        leet_tokens=leet_tokens,
        links=tuple(links),
        handles=handles,
        emails=emails,
        flags=frozenset(flags),
        has_cjk=has_cjk,
        original_length=len(raw),
        number_shapes=tuple(numbers),
    )


def mask_template(template: str) -> str:
    """Turn a bank template with ``{name}``-style slots into masked form, like a message."""
    # "@{handle}" becomes "<user>", as "@bob" does in a message.
    filled = _TEMPLATE_SLOT_RE.sub(
        lambda m: _SLOT_TOKEN[m.group(1)], template.replace("@{handle}", "{handle}")
    )
    return view(filled).masked
