"""Evasion perturbations: rewrite a message the way a sender dodging filters would.

A test or a benchmark takes messages the detector catches, rewrites them with
:func:`perturb` and checks that the detector still catches them and says that it
saw the trick (``verdict.flags``, the ``obfuscated_text`` reason). The kinds are
listed in :data:`KINDS`:

``homoglyph``
    Swap some Latin letters for Cyrillic or Greek look-alikes (``a`` → ``а``),
    always leaving at least one Latin letter in the word, as a sender hiding a
    word from a keyword filter does.
``zero_width``
    Insert U+200B ZERO WIDTH SPACE between two letters or digits inside words.
``spaced_link``
    Break the dot before a link's top-level domain: a link with a path is spaced
    (``bit.ly/x`` → ``bit . ly/x``), one without becomes ``example[.]com`` or
    ``example(dot)com``.
``leetspeak``
    Replace some ``o``, ``e``, ``a``, ``i`` by ``0``, ``3``, ``4``, ``1``.
``emoji_padding``
    Put emoji between some words and at both ends (runs of whitespace become
    single spaces).
``case_noise``
    Flip the case of some Latin letters at random.
``spaced_letters``
    Write some words of four or more letters (three of them different) with a space
    between the letters (``free`` → ``f r e e``), as a sender hiding a word from a
    keyword filter does.
``separated_letters``
    The same with another character between the letters, one per word, from
    :data:`SEPARATORS` (``free`` → ``f.r.e.e``, ``f-r-e-e``, ``f🔥r🔥e🔥e``).
``ideographic_dot``
    Write the dots of a link's host as ideographic full stops (U+3002), which
    browsers read as dots: ``bit.ly/x`` → ``bit。ly/x``.
``dot_lookalike``
    Write the dots of a link's host as one of :data:`DOT_LOOKALIKES` (a middle dot, a
    bullet, a bullet operator, a katakana middle dot), which a reader takes for dots:
    ``bit.ly/x`` → ``bit·ly/x``.
``small_capitals``
    Write some words of two or more letters in small capitals (:data:`SMALL_CAPITALS`),
    as "font" generators do: ``free`` → ``ꜰʀᴇᴇ`` (``x``, which has none, stays).
``diacritics``
    Strew diacritics (:data:`DIACRITICS`) over the letters of some words of three or more
    ASCII letters, two words at least where there are two: ``Thanks for the follow`` →
    ``Thänks för the föllöw``.

Links, e-mail addresses and @handles are left intact by every kind but
``spaced_link``, ``ideographic_dot`` and ``dot_lookalike`` (which only touch links), so the
message still works for its reader. Each call is deterministic: the same ``text``,
``kind`` and ``seed`` give the same result on every run and platform. Every kind changes
the text when it finds anything to change (a letter it rewrites, a word, a link) and
returns it as is otherwise. Nothing else in autodm imports this module.

Examples
--------
>>> from autodm.testing import KINDS, perturb
>>> perturb("Follow me at bit.ly/x1Ab", "spaced_link")
'Follow me at bit . ly/x1Ab'
>>> all(perturb("see you at 6", kind, seed=3) == perturb("see you at 6", kind, seed=3)
...     for kind in KINDS)
True
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from typing import Final

from ._text import check_unicode
from ._types import whole_number
from .errors import InvalidInputError, describe

__all__ = [
    "DIACRITICS",
    "DOT_LOOKALIKES",
    "EMOJI",
    "HOMOGLYPHS",
    "KINDS",
    "LEET",
    "SEPARATORS",
    "SMALL_CAPITALS",
    "ZERO_WIDTH_SPACE",
    "perturb",
]

#: The perturbation kinds :func:`perturb` knows, in a stable order.
KINDS: Final = (
    "homoglyph",
    "zero_width",
    "spaced_link",
    "leetspeak",
    "emoji_padding",
    "case_noise",
    "spaced_letters",
    "separated_letters",
    "ideographic_dot",
    "dot_lookalike",
    "small_capitals",
    "diacritics",
)

#: The dots ``dot_lookalike`` writes in a link's host, one per link.
DOT_LOOKALIKES: Final = ("\u00b7", "\u2022", "\u2219", "\u30fb")

#: The characters ``separated_letters`` puts between letters.
SEPARATORS: Final = (".", "-", "*", "_", "•", "🔥")

#: Cyrillic and Greek look-alikes of Latin letters, per Latin letter (Unicode confusables).
HOMOGLYPHS: Final[dict[str, str]] = {
    "a": "аα",
    "c": "сϲ",
    "d": "ԁ",
    "e": "е",
    "h": "һ",
    "i": "і",
    "j": "ј",
    "l": "ӏ",
    "o": "оο",
    "p": "р",
    "q": "ԛ",
    "s": "ѕ",
    "v": "ν",
    "w": "ԝ",
    "x": "х",
    "y": "у",
    "A": "АΑ",
    "B": "ВΒ",
    "C": "С",
    "E": "ЕΕ",
    "H": "НΗ",
    "I": "ІΙ",
    "J": "Ј",
    "K": "КΚ",
    "M": "МΜ",
    "N": "Ν",
    "O": "ОΟ",
    "P": "РΡ",
    "S": "Ѕ",
    "T": "ТΤ",
    "X": "ХΧ",
    "Y": "ҮΥ",
    "Z": "Ζ",
}

#: The small capital of each Latin letter that has one, as ``small_capitals`` writes them.
SMALL_CAPITALS: Final[dict[str, str]] = dict(
    zip("abcdefghijklmnopqrstuvwyz", "ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘꞯʀꜱᴛᴜᴠᴡʏᴢ", strict=True)
)

#: The letters ``diacritics`` writes for each lower-case letter that it rewrites.
DIACRITICS: Final[dict[str, str]] = {
    "a": "àáâäã",
    "c": "ç",
    "e": "èéêë",
    "i": "ìíîï",
    "n": "ñ",
    "o": "òóôöõ",
    "u": "ùúûü",
    "y": "ýÿ",
}

#: Letters that ``leetspeak`` replaces, and their digits.
LEET: Final[dict[str, str]] = {"o": "0", "e": "3", "a": "4", "i": "1"}

#: Emoji that ``emoji_padding`` inserts; one is a ZWJ sequence, one has a variation selector.
EMOJI: Final = ("🔥", "✨", "💯", "🙌", "👉", "🎉", "😊", "💥", "⭐", "❤️", "👩\u200d💻", "🚀")

#: The character ``zero_width`` inserts.
ZERO_WIDTH_SPACE: Final = "\u200b"

# Links, e-mail addresses and @handles: left intact (only ``spaced_link`` rewrites links).
_PROTECTED_RE: Final = re.compile(
    r"(?P<link>(?:[A-Za-z][A-Za-z0-9+.-]{0,15}://|www\.)\S+"
    r"|(?<![\w@.\-/])(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,4}[a-z]{2,24}"
    r"(?![\w@-])(?:/\S*)?)"
    r"|[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
    r"|@\w+"
)
# The host of a link: after the scheme, up to the first "/", "?", "#" or ":".
_HOST_RE: Final = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]{0,15}://)?(?P<host>[^/?#:\s]+)")
_TRAILING: Final = ".,!?;:'\")]}*"
_WORD_RE: Final = re.compile(r"\S+")
_LETTER_RUN_RE: Final = re.compile(r"[^\W_]+")


def _pieces(text: str) -> list[tuple[str, bool]]:
    """Split ``text`` into (piece, is_protected) runs, protected ones being links and such."""
    pieces: list[tuple[str, bool]] = []
    last = 0
    for match in _PROTECTED_RE.finditer(text):
        start, end = match.span()
        token = match.group(0)
        if match.lastgroup == "link":
            stripped = token.rstrip(_TRAILING)
            end = start + len(stripped)
        pieces.append((text[last:start], False))
        pieces.append((text[start:end], True))
        last = end
    pieces.append((text[last:], False))
    return [(piece, protected) for piece, protected in pieces if piece]


def _rewrite_letters(
    text: str, rng: random.Random, candidates: Callable[[str, int], str | None], rate: float
) -> str:
    """Replace characters outside links; ``candidates(word, i)`` names a replacement or None.

    Each eligible character is replaced with probability ``rate``; when none was but one
    could have been, one eligible character is replaced, so the text always changes when
    it can.
    """
    chars = list(text)
    protected = [False] * len(text)
    position = 0
    for piece, is_protected in _pieces(text):
        if is_protected:
            protected[position : position + len(piece)] = [True] * len(piece)
        position += len(piece)
    eligible: list[tuple[int, str]] = []
    for word in _WORD_RE.finditer(text):
        start = word.start()
        if protected[start]:
            continue
        letters = word.group(0)
        for offset in range(len(letters)):
            if protected[start + offset]:
                continue
            replacement = candidates(letters, offset)
            if replacement is not None:
                eligible.append((start + offset, replacement))
    chosen = [item for item in eligible if rng.random() < rate]
    if not chosen and eligible:
        chosen = [rng.choice(eligible)]
    for index, replacement in chosen:
        chars[index] = replacement
    return "".join(chars)


def _homoglyph(text: str, rng: random.Random) -> str:
    def look_alike(word: str, offset: int) -> str | None:
        options = HOMOGLYPHS.get(word[offset])
        return None if options is None else rng.choice(options)

    swapped = list(_rewrite_letters(text, rng, look_alike, 0.3))
    # Leave every word (a run of letters and digits, as the text layer reads one) at least
    # one Latin letter, as a sender dodging a filter does (a word written wholly in another
    # script is just that script). Each look-alike is one character for one, so a word
    # starts and ends at the same place in both texts.
    for run in _LETTER_RUN_RE.finditer(text):
        start, end = run.span()
        if swapped[start:end] != list(run.group()) and not any(
            "a" <= ch.lower() <= "z" for ch in swapped[start:end]
        ):
            keep = start + rng.choice(
                [i for i, ch in enumerate(run.group()) if "a" <= ch.lower() <= "z"]
            )
            swapped[keep] = text[keep]
    return "".join(swapped)


def _zero_width(text: str, rng: random.Random) -> str:
    def gap(word: str, offset: int) -> str | None:
        # Between two letters or digits of a word: the letter gets a zero-width space after it.
        if offset + 1 < len(word) and word[offset].isalnum() and word[offset + 1].isalnum():
            return word[offset] + ZERO_WIDTH_SPACE
        return None

    return _rewrite_letters(text, rng, gap, 0.15)


def _leetspeak(text: str, rng: random.Random) -> str:
    return _rewrite_letters(text, rng, lambda word, i: LEET.get(word[i]), 0.5)


def _case_noise(text: str, rng: random.Random) -> str:
    def flip(word: str, offset: int) -> str | None:
        ch = word[offset]
        return ch.swapcase() if ch.isascii() and ch.isalpha() else None

    return _rewrite_letters(text, rng, flip, 0.4)


def _rewrite_hosts(text: str, rewrite: Callable[[str, re.Match[str]], str]) -> str:
    """``text`` with each link whose host has a dot replaced by ``rewrite(link, host)``."""
    out = []
    for piece, protected in _pieces(text):
        host = _HOST_RE.match(piece) if protected and "@" not in piece else None
        if host is None or "." not in host.group("host").strip("."):
            out.append(piece)
        else:
            out.append(rewrite(piece, host))
    return "".join(out)


def _spaced_link(text: str, rng: random.Random) -> str:
    def spaced(link: str, host: re.Match[str]) -> str:
        # The dot before the top-level domain.
        dot = host.start("host") + host.group("host").rstrip(".").rindex(".")
        has_path = "/" in link[host.end("host") :]
        form = " . " if has_path else rng.choice(("[.]", "(dot)"))
        return link[:dot] + form + link[dot + 1 :]

    return _rewrite_hosts(text, spaced)


def _ideographic_dot(text: str, rng: random.Random) -> str:
    def ideographic(link: str, host: re.Match[str]) -> str:
        start, end = host.span("host")
        # A dot that ends the host ends a sentence, not a label.
        name = host.group("host")
        bare = name.rstrip(".")
        return link[:start] + bare.replace(".", "\u3002") + name[len(bare) :] + link[end:]

    return _rewrite_hosts(text, ideographic)


def _dot_lookalike(text: str, rng: random.Random) -> str:
    def lookalike(link: str, host: re.Match[str]) -> str:
        start, end = host.span("host")
        name = host.group("host")
        bare = name.rstrip(".")  # a dot that ends the host ends a sentence
        dot = rng.choice(DOT_LOOKALIKES)
        return link[:start] + bare.replace(".", dot) + name[len(bare) :] + link[end:]

    return _rewrite_hosts(text, lookalike)


def _emoji_padding(text: str, rng: random.Random) -> str:
    words = text.split()
    if not words:
        return text
    padded = [rng.choice(EMOJI)]
    for i, word in enumerate(words):
        padded.append(word)
        if i + 1 < len(words) and rng.random() < 0.3:
            padded.append(rng.choice(EMOJI))
    padded.append(rng.choice(EMOJI))
    return " ".join(padded)


def _spaced_letters(text: str, rng: random.Random) -> str:
    return _letters_apart(text, rng, lambda: " ")


def _separated_letters(text: str, rng: random.Random) -> str:
    return _letters_apart(text, rng, lambda: rng.choice(SEPARATORS))


def _rewrite_words(
    text: str,
    rng: random.Random,
    eligible: Callable[[str], bool],
    rewrite: Callable[[str], str],
    rate: float,
    at_least: int = 1,
) -> str:
    """Rewrite some of the space-separated words outside links that are ``eligible``: each
    with probability ``rate``, and ``at_least`` of them (as many as there are, if fewer)."""
    pieces = _pieces(text)
    words = [piece.split(" ") if not protected else [] for piece, protected in pieces]
    candidates = [
        (p, w) for p, split in enumerate(words) for w, word in enumerate(split) if eligible(word)
    ]
    chosen = [item for item in candidates if rng.random() < rate]
    while len(chosen) < min(at_least, len(candidates)):
        chosen.append(rng.choice([item for item in candidates if item not in chosen]))
    for p, w in chosen:
        words[p][w] = rewrite(words[p][w])
    return "".join(
        piece if protected else " ".join(words[p]) for p, (piece, protected) in enumerate(pieces)
    )


def _letters_apart(text: str, rng: random.Random, separator: Callable[[], str]) -> str:
    """Set apart the letters of some words of four or more letters (nothing else; three
    different) outside links."""
    return _rewrite_words(
        text,
        rng,
        lambda word: len(word) >= 4 and word.isalpha() and len(set(word.casefold())) >= 3,
        lambda word: separator().join(word),
        0.3,
    )


def _small_capitals(text: str, rng: random.Random) -> str:
    """Write some words outside links (two or more letters that have small capitals, nothing
    but letters) in small capitals, upper-case letters too."""
    return _rewrite_words(
        text,
        rng,
        lambda word: (
            word.isascii()
            and word.isalpha()
            and sum(ch.casefold() in SMALL_CAPITALS for ch in word) >= 2
        ),
        lambda word: "".join(SMALL_CAPITALS.get(ch.casefold(), ch) for ch in word),
        0.5,
    )


def _diacritics(text: str, rng: random.Random) -> str:
    """Strew diacritics over some words outside links: three or more ASCII letters, one of
    them with a form in :data:`DIACRITICS`; half the words, two at least, and in each half
    its letters that have one, one at least."""

    def strew(word: str) -> str:
        letters = list(word)
        places = [i for i, ch in enumerate(letters) if ch.lower() in DIACRITICS]
        picked = [i for i in places if rng.random() < 0.5] or [rng.choice(places)]
        for i in picked:
            mark = rng.choice(DIACRITICS[letters[i].lower()])
            letters[i] = mark.upper() if letters[i].isupper() else mark
        return "".join(letters)

    return _rewrite_words(
        text,
        rng,
        lambda word: (
            word.isascii()
            and sum(ch.isalpha() for ch in word) >= 3
            and any(ch.lower() in DIACRITICS for ch in word)
        ),
        strew,
        0.5,
        at_least=2,
    )


_PERTURBATIONS: Final[dict[str, Callable[[str, random.Random], str]]] = {
    "homoglyph": _homoglyph,
    "zero_width": _zero_width,
    "spaced_link": _spaced_link,
    "leetspeak": _leetspeak,
    "emoji_padding": _emoji_padding,
    "case_noise": _case_noise,
    "spaced_letters": _spaced_letters,
    "separated_letters": _separated_letters,
    "ideographic_dot": _ideographic_dot,
    "dot_lookalike": _dot_lookalike,
    "small_capitals": _small_capitals,
    "diacritics": _diacritics,
}


def perturb(text: str, kind: str, *, seed: int = 0) -> str:
    """Rewrite ``text`` with the evasion trick ``kind``, deterministically for ``seed``.

    Parameters
    ----------
    text : str
        The message to rewrite.
    kind : str
        One of :data:`KINDS`.
    seed : int, default 0
        Picks which letters, words and forms are used; the same seed gives the
        same result on every run.

    Returns
    -------
    str
        The rewritten message; ``text`` itself when the kind finds nothing to
        rewrite (no link for ``spaced_link``, no Latin letter for ``homoglyph``).

    Raises
    ------
    InvalidInputError
        For a ``text`` that is not a str, an unknown ``kind`` or a ``seed`` that is
        not an int.

    Examples
    --------
    >>> perturb("grab it at example.com", "spaced_link", seed=2)
    'grab it at example[.]com'
    >>> perturb("grab it at example.com", "spaced_link", seed=1)
    'grab it at example(dot)com'
    >>> perturb("Thanks for the follow!", "leetspeak")
    'Thanks for the f0ll0w!'
    >>> perturb("Thanks for the follow!", "zero_width", seed=2)
    'Thanks for the f\\u200bol\\u200blow!'
    >>> swapped = perturb("free gift", "homoglyph", seed=1)
    >>> swapped, [f"U+{ord(ch):04X}" for ch in swapped if not ch.isascii()]
    ('frеe gift', ['U+0435'])
    >>> perturb("see bit.ly/x1Ab", "case_noise")
    'SeE bit.ly/x1Ab'
    >>> perturb("hi there", "emoji_padding")
    '🚀 hi there 💥'
    >>> perturb("hi", "rot13")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    autodm.errors.InvalidInputError: `kind` must be one of ('homoglyph', ...). Got 'rot13' instead.
    """
    if not isinstance(text, str):
        raise InvalidInputError(f"`text` must be a str. Got {describe(text)} instead.")
    if not isinstance(kind, str) or kind not in _PERTURBATIONS:
        raise InvalidInputError(f"`kind` must be one of {KINDS}. Got {kind!r} instead.")
    number = whole_number(seed)
    if number is None:
        raise InvalidInputError(f"`seed` must be an int. Got {describe(seed)} instead.")
    # A str seed is hashed with SHA-512 by random: stable across runs, unlike hash(). The
    # text is part of it, so messages perturbed with one seed differ in where they change.
    rng = random.Random(f"autodm.testing:{kind}:{number}:{check_unicode(text, 'text')}")
    return _PERTURBATIONS[kind](text, rng)
