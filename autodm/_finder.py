"""Links, e-mails, handles and numbers: found in one linear pass and masked by placeholders."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from ._resources import domains

__all__ = ["Link"]


def _mark_ranges() -> str:
    """The combining marks of the scripts whose words need them (Indic vowel signs, Arabic
    and Hebrew points, Thai tone marks, ...), as ranges for a character class; ``\\w``
    leaves them out, so "भारत" would be cut after its first letter without them."""
    marks = [
        cp
        for block in (range(0x0300, 0x1100), range(0x1700, 0x1800))
        for cp in block
        if unicodedata.category(chr(cp)).startswith("M")
    ]
    ranges: list[str] = []
    first = last = marks[0]
    for cp in [*marks[1:], -1]:
        if cp != last + 1:
            ranges.append(chr(first) if first == last else f"{chr(first)}-{chr(last)}")
            first = cp
        last = cp
    return "".join(ranges)


#: :func:`_mark_ranges`, computed once.
_MARKS: Final = _mark_ranges()

# A letter, digit or combining mark outside ASCII, of any script: the characters of an
# internationalised domain name ("münchen.de", "школа.рф") and of a path in its language.
_LETTER: Final = rf"(?:[^\x00-\x7f\W]|[{_MARKS}])"
# Scripts written without spaces between words (Chinese, Japanese, Thai, Lao, Khmer,
# Myanmar) or with particles glued to the word before (Korean): in these a number or a link
# can touch the words around it, so where it starts or ends is told by the script change.
_GLUED: Final = (
    "\u0e00-\u0eff\u1000-\u109f\u1100-\u11ff\u1780-\u17ff\u3040-\u30ff\u3130-\u318f"
    "\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f"
)
# Any letter other than those of the glued scripts; a glued-script letter only where it
# cannot be a word glued on: not right after an ASCII letter or digit ("example.com谢谢",
# "naver.com에서") or after sentence punctuation ("example.com,有事", the "，" of Chinese
# text after NFKC). So "https://例子.中国/路径" is one link.
_IDN_CHAR: Final = (
    rf"(?:(?![{_GLUED}]){_LETTER}|(?<![A-Za-z0-9!$'()*,;:\[\]])(?=[{_GLUED}]){_LETTER})"
)
_URL_CHARS: Final = rf"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]|{_IDN_CHAR})"
# A label of a domain without a scheme: ASCII letters and digits, or letters of a script
# written with spaces ("münchen", "школа"); not of a glued script, where nothing would tell
# where the domain begins ("请访问example.com").
_LABEL_CHAR: Final = rf"(?:[A-Za-z0-9]|(?![{_GLUED}]){_LETTER})"
_LABEL: Final = rf"{_LABEL_CHAR}(?:(?:{_LABEL_CHAR}|-){{0,61}}{_LABEL_CHAR})?"
# Next to a number, a letter of a glued script is a word boundary ("明天3点见"); any other
# word character (a Latin letter: "mp3", "4k", "abc123"; a digit) is not.
_NOT_BEFORE_NUMBER: Final = rf"(?<![<])(?:(?<!\w)|(?<=[{_GLUED}])(?<!\d))"
_NOT_AFTER_NUMBER: Final = rf"(?!(?![{_GLUED}])\w|\d)"
# Likewise a link, an e-mail address or a handle of other letters may start right after a
# letter of a glued script ("点击bit.ly/x1Ab领取", "联系我abc@example.com", "关注我@abc"), and
# a handle of other letters ends where one starts ("@tanaka_shopをフォロー").
# One character class each, not a look-ahead and a class: the finder tries them at every
# position of the words it scans.
_NOT_GLUED_WORD: Final = rf"[^\W{_GLUED}]"
_NOT_GLUED_LETTER: Final = rf"[^\W_{_GLUED}]"
_FINDER_RE: Final = re.compile(
    rf"(?P<url>(?i:https?://|www\.){_URL_CHARS}{{1,500}})"
    rf"|(?P<email>(?:(?<!{_NOT_GLUED_WORD})(?<![.+-])(?:{_NOT_GLUED_WORD}|[.+-]){{1,64}}"
    rf"|(?<![\w.+-])[{_GLUED}]{{1,64}})@(?:[A-Za-z0-9-]|{_IDN_CHAR}){{1,63}}"
    rf"(?:\.(?:[A-Za-z0-9-]|{_IDN_CHAR}){{1,63}}){{1,4}})"
    # A bare domain starts a word: not inside one, a hyphenated name, a path or a longer
    # host. Underscores that open a word ("_bit.ly/x_", "__bit.ly/x__": italics and underline
    # in chat apps; not the one of "my_site.com" or "self._client.app") and an ellipsis
    # ("look...bit.ly") before it are punctuation, and so is a letter of a glued script.
    rf"|(?P<bare>(?<!{_NOT_GLUED_LETTER})(?<![@\-/{_MARKS}])(?<!(?<!\.)\.)(?<![^\W_]_)(?<!\._)(?:{_LABEL}\.){{1,4}}"
    rf"(?P<tld>[A-Za-z]{{2,24}})(?!{_NOT_GLUED_LETTER}|[\-@])(?P<path>/{_URL_CHARS}{{0,500}})?)"
    # A handle may hold dots (Instagram, TikTok: "@minh.nguyen"), each followed by a word
    # character, so the dot that ends a sentence ("ping @sam.") stays outside.
    rf"|(?P<handle>(?<!{_NOT_GLUED_WORD})(?<!@)@(?:{_NOT_GLUED_WORD}"
    rf"(?:{_NOT_GLUED_WORD}|\.(?={_NOT_GLUED_WORD})){{0,29}}|\w(?:\w|\.(?=\w)){{0,29}}))"
    rf"|(?P<num>{_NOT_BEFORE_NUMBER}[$€£¥]?\d[\d.,:]{{0,30}}{_NOT_AFTER_NUMBER})"
)
# Nothing _FINDER_RE matches holds whitespace, and everything it matches holds an "@"
# (e-mails, handles), a digit, a ":" (of "://") or a "." ("www.", a bare domain's TLD). So
# it only needs to scan the words that hold one of those: found here from their first
# character on (the look-behind keeps this linear), about a quarter of a typical message.
_GLUED_CHAR_RE: Final = re.compile(f"[{_GLUED}]")
_FINDER_WORD_RE: Final = re.compile(r"(?<!\S)[^\s@\d.:]*+[@\d.:]\S*")
# Top-level domains that are also common file extensions ("setup.py", "run.sh") or everyday
# words that a sentence typed without a space runs into ("saw your message.it was",
# "home.in", "you.my", "with her.love"): a bare name with one of these counts as a link only
# when it has a path or a known host ("amzn.to", "youtu.be"). Twitter's own link finder
# goes further and needs a path after any one-label country-code domain ("example.jp");
# here "meinshop.de" stays a link.
_FILE_EXTENSION_TLDS: Final = (
    "py sh rs md pl so cc pm mk ps sc cs am do ms ml ws st js ts sy mo ai ac cfg zip mov tf"
)
# In English and the languages whose auto-DMs the bank holds (Indonesian "ke", Tagalog
# "sa"), and chat's own words ("haha.lol", "see you at 7.gg").
_WORD_TLDS: Final = (
    "it is in at to me be no my by us as im pa se si ne la ma nu re cu ke sa"
    " love life name xxx fun one new live today world lol gg wtf rip help fit work"
    " pizza cafe fyi"
)
_NEEDS_PATH_TLDS: Final = frozenset(f"{_FILE_EXTENSION_TLDS} {_WORD_TLDS}".split())
_TRAILING_PUNCT: Final = ".,!?;:'\")]}*"


@dataclass(frozen=True, slots=True)
class Link:
    """A link found in a message. Nothing is ever resolved or fetched."""

    text: str
    host: str
    has_path: bool
    has_scheme: bool


def _host_of(url: str) -> str:
    rest = url.split("://", 1)[-1]
    host = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0].rsplit("@", 1)[-1]
    if host.startswith("[") and "]" in host:  # an IPv6 address: "[2001:db8::1]:8080"
        host = host[: host.index("]") + 1]
    else:
        host = host.split(":", 1)[0]
    host = host.lower().strip(".")
    return host[4:] if host.startswith("www.") else host


def _mask(text: str) -> tuple[str, list[Link], int, int, list[str]]:
    """Replace links, e-mails, handles and numbers by placeholders, in one linear pass.

    Also returns the shape of each ``<num>`` of the result, in order (see
    :func:`_number_shape`); one the sender typed has none and stays ``<num>``.
    """
    known = domains()
    links: list[Link] = []
    numbers: list[str] = []
    handles = emails = 0
    parts: list[str] = []
    last = 0
    for match in _finder_matches(text):
        kind = match.lastgroup
        start, end = match.span()
        if kind in ("url", "bare"):
            token = match.group(0).rstrip(_TRAILING_PUNCT)
            if kind == "bare" and start and text[start - 1] == "_":  # "_bit.ly/x_", italics
                token = token.rstrip("_").rstrip(_TRAILING_PUNCT)
            end = start + len(token)
            host = _host_of(token)
            if kind == "bare":
                tld = (match.group("tld") or "").lower()
                # A path is more than its "/"; measured on the token, not on the host, since
                # lower-casing can lengthen a host ("İ" becomes "i" and a combining dot).
                path_start = match.start("path")
                has_path = path_start >= 0 and end > path_start + 1
                is_known = host in known.link_hosts
                if tld not in known.tlds or (
                    not has_path
                    and not is_known
                    and (_reads_as_words(match.group("tld"), tld) or _glued_before(text, start))
                ):
                    continue
            else:
                has_path = "/" in token.split("://", 1)[-1].rstrip("/")
            links.append(Link(token, host, has_path, kind == "url"))
            placeholder = "<url>"
        elif kind == "email":
            emails += 1
            placeholder = "<email>"
        elif kind == "handle":
            handles += 1
            placeholder = "<user>"
        else:
            placeholder = "<num>"
        _typed_placeholders(text[last:start], numbers)
        if placeholder == "<num>":
            numbers.append(_number_shape(match.group(0)))
        parts.append(text[last:start])
        parts.append(placeholder)
        last = end
    _typed_placeholders(text[last:], numbers)
    parts.append(text[last:])
    return "".join(parts), links, handles, emails, numbers


def _glued_before(text: str, start: int) -> bool:
    """True when a letter of a glued script touches ``text[start]`` from the left: nothing
    but a path or a known host then says that what follows is a domain ("学了Java.net")."""
    return start > 0 and _GLUED_CHAR_RE.fullmatch(text[start - 1]) is not None


def _reads_as_words(typed_tld: str, tld: str) -> bool:
    """True when a bare name without a path reads as words, not a domain.

    Its TLD is a file extension or an everyday word, or is capitalised where the name is
    not all capitals: "reply.Be there", "the news.By the way", "Quiz.Win" begin a sentence.
    """
    return tld in _NEEDS_PATH_TLDS or (typed_tld != tld and not typed_tld.isupper())


def _typed_placeholders(segment: str, numbers: list[str]) -> None:
    """Record a shapeless ``<num>`` for each one typed in ``segment``, so shapes stay in step."""
    if "<" in segment:
        numbers.extend(["<num>"] * segment.casefold().count("<num>"))


def _number_shape(number: str) -> str:
    """A number's placeholder with its shape: currency sign and digit count (8 for 8 or more).

    "150" -> "<num3>", "£1,000" -> "<num£4>", "07700900123" -> "<num8>": a short code,
    a price and a phone number stay apart without their digits being kept.
    """
    digits = sum(ch.isdigit() for ch in number)
    sign = number[0] if number[0] in "$€£¥" else ""
    return f"<num{sign}{min(digits, 8)}>"


def _finder_matches(text: str) -> Iterator[re.Match[str]]:
    """What ``_FINDER_RE.finditer(text)`` finds, scanning only the words that can hold it.

    Scanning a word with ``pos`` and ``endpos`` is scanning the whole text there: its
    look-behinds still see the space before the word, and its look-aheads see the end
    of the word as they would the space after it.
    """
    for word in _FINDER_WORD_RE.finditer(text):
        yield from _FINDER_RE.finditer(text, word.start(), word.end())
