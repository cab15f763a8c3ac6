"""Hidden letters and links: the tricks that hide words from filters, and how each is undone."""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache, partial
from typing import Final

from ._finder import _GLUED
from ._resources import domains, lexicon_languages, load_json

_ZERO_WIDTH: Final = (
    "\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff\u180e"
    # Other characters that show nothing and that no word needs: the combining grapheme
    # joiner, Khmer's two invisible vowels, the Mongolian variation selectors, the Hangul
    # jamo fillers, the deprecated format characters, the shorthand format controls, the
    # musical formatting characters and the tag characters (which, after the black flag
    # emoji, spell a region's flag: the flag stays a flag).
    "\u034f\u17b4\u17b5\u180b-\u180d\u180f\u115f\u1160\u206a-\u206f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)
# The Hangul filler shows as a wide blank (games' and chats' "blank" names use it): a space.
_BLANKS: Final = str.maketrans(dict.fromkeys("\u3164\uffa0", " "))
# Variation selectors pick an emoji's or an ideograph's glyph ("\u2764\ufe0f"): kept there, and
# removed only between two Latin letters or digits, where they pick nothing and split a word.
_VARIATION_SELECTORS: Final = "\ufe00-\ufe0f\U000e0100-\U000e01ef"
# The soft hyphen is a hyphenation hint that text pasted from web pages, word processors and
# PDFs carries inside long words ("con\u00adference"): removed, never a sign of hiding.
_SOFT_HYPHEN: Final = "\u00ad"
_BIDI_CONTROLS: Final = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_BIDI_MARKS: Final = "\u200e\u200f\u061c"
_INVISIBLE_RE: Final = re.compile(f"[{_ZERO_WIDTH}{_SOFT_HYPHEN}{_BIDI_CONTROLS}{_BIDI_MARKS}]")
# A zero-width character between two letters or digits is hiding a word from filters.
# Zero-width joiners are part of Persian, Indic and emoji writing; between two Latin
# letters or digits they only serve to split a word that a filter would catch.
# (soft hyphens around a zero-width character do not excuse it)
_ZW_INSIDE_WORD_RE: Final = re.compile(
    f"[A-Za-z0-9]{_SOFT_HYPHEN}*[{_ZERO_WIDTH}{_VARIATION_SELECTORS}]"
    f"[{_ZERO_WIDTH}{_VARIATION_SELECTORS}{_SOFT_HYPHEN}]*[A-Za-z0-9]"
)
# What is left of them once the other invisible characters are gone.
_SELECTOR_IN_WORD_RE: Final = re.compile(
    f"(?<=[A-Za-z0-9])[{_VARIATION_SELECTORS}]+(?=[A-Za-z0-9])"
)
_BIDI_CONTROL_RE: Final = re.compile(f"[{_BIDI_CONTROLS}]")
# Overrides (LRO, RLO) force letters into an order other than the one typed: the trick that
# shows "follow" for the stored "wollof". Embeddings (LRE, RLE ... PDF) and isolates
# (LRI, RLI, FSI ... PDI) are what phone apps wrap a left-to-right run in (a phone number,
# a link, a handle, a name inside Arabic or Hebrew text): they reorder nothing inside it.
_BIDI_OVERRIDE_RE: Final = re.compile("[\u202d\u202e]")
# A letter, then invisible characters, then a letter: the characters sit inside a word.
# The classes cannot overlap, so the search is linear.
_INVISIBLE_IN_WORD_RE: Final = re.compile(
    f"[^\\W\\d_][{_ZERO_WIDTH}{_SOFT_HYPHEN}{_BIDI_CONTROLS}{_BIDI_MARKS}]+(?=[^\\W\\d_])"
)
_RIGHT_TO_LEFT: Final = frozenset({"R", "AL"})
# Three letters or digits (or a link's dots, slashes and colons, "b i t . l y"), each after
# a single space and alone: what follows the first letter of a word written with a space
# between its letters ("F R E E"), which hides it from filters. A fixed-length pattern that
# starts with a space, which the search skips to, so it is linear and cheap;
# _join_spaced_letters checks the rest.
_SPACED_LETTERS_RE: Final = re.compile(r" (?:[^\W_]|[./:]) (?:[^\W_]|[./:]) (?:[^\W_]|[./:])(?!\S)")
#: Letters in a row, each alone between spaces, that make a spaced-out word (at least this
#: many, of at least three different letters: "x x x x" and "h a h a" are not words).
_MIN_SPACED_LETTERS: Final = 4
# Inside a spaced-out link ("t i n y u r l . c o m / x") these join the letters too; a run
# that ends in a slash takes the link's path, the next word, with it.
_SPACED_LINK_CHARS: Final = "./:"
_SPACES_RE: Final = re.compile(r"(\s+)")
# Four letters or digits, each pair set apart by the same separator ("F.R.E.E",
# "f-o-l-l-o-w", "f🔥o🔥l🔥l"): the same trick as spacing. The separators are the ones the
# trick uses: a dot, a hyphen, an asterisk, an underscore, a tilde, a bullet, or one symbol
# or emoji (with its variation selector); not the slashes, pluses, bars, commas and middle
# dots of notation and lists ("a/b/c/d", "한·미·일"). The hint is of fixed length; a word is
# then checked whole, in one left-to-right pass (each repetition takes one letter).
_SEPARATOR: Final = "([.\\-*_~\u2022]|[\u2190-\u2bff\U0001f000-\U0001faff]\ufe0f?)"
_SEPARATOR_CHARS: Final = "[.\\-*_~\u2022\u2190-\u2bff\U0001f000-\U0001faff]"
# (any three separators around two letters: a cheap hint; the word is checked whole after)
_SEPARATED_HINT_RE: Final = re.compile(
    f"{_SEPARATOR_CHARS}\ufe0f?[^\\W_]{_SEPARATOR_CHARS}\ufe0f?[^\\W_]{_SEPARATOR_CHARS}"
)
_SEPARATED_RE: Final = re.compile(f"[^\\W_]{_SEPARATOR}[^\\W_](?:\\1[^\\W_])+")
# What may wrap such a word: quotes, brackets, sentence punctuation, a trailing separator
# ("(F.R.E.E)!", "“F.R.E.E”", "¿f-r-e-e-?").
_WRAPPING: Final = "\"'“”‘’«»¿¡([{*.,!?;:)]}-"
# Hangul syllables are whole syllables, and Korean has many one-syllable words.
_HANGUL_RE: Final = re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
# Mathematical alphanumerics, circled and squared letters: "styled" text that NFKC folds.
_STYLED_RE: Final = re.compile("[\U0001d400-\U0001d7ff\u24b6-\u24e9\U0001f130-\U0001f189]")
# The styled characters that are symbols, not letters or digits, to Python.
_STYLED_SYMBOLS: Final = "\u24b6-\u24e9\U0001f130-\U0001f189"
# A word as styled text writes it: letters, digits and styled symbols, with any emoji
# variation selector (U+FE0F). The two classes cannot overlap, so the search is linear.
_STYLED_WORD_RE: Final = re.compile(f"(?:[^\\W_]|[{_STYLED_SYMBOLS}\ufe0f])+")
# At least four styled letters, each pair set apart by a space or by the separators
# _SEPARATED_RE joins ("𝐅 𝐑 𝐄 𝐄", "𝗙-𝗥-𝗘-𝗘"), none an emoji: a styled word spaced out.
# Each repetition takes a gap and a letter, which cannot overlap, so the search is linear.
_STYLED_GAP: Final = (
    "[ .\\-*_~\u2022\u2190-\u24b5\u24ea-\u2bff\U0001f000-\U0001f12f\U0001f18a-\U0001faff]"
)
_SPACED_STYLED_RE: Final = re.compile(
    f"{_STYLED_RE.pattern}(?:{_STYLED_GAP}\ufe0f?{_STYLED_RE.pattern}(?!\ufe0f)){{3,}}"
)
#: Ⓜ, the one styled character that is an emoji and that NFKC folds to a letter.
_CIRCLED_M: Final = "\u24c2"


def _confusable_table() -> dict[int, str]:
    # Cyrillic and Greek letters that render like Latin ones (from Unicode's confusables
    # data), applied after NFKC.
    pairs = (
        "аa сc еe һh іi јj кk мm пn оo рp ѕs тt хx уy ԁd ɡg ӏl ԛq ԝw ѡw ѵv үy "
        "νv οo αa ρp ιi υu γy σo ϳj "
        "АA ВB СC ЕE НH ІI ЈJ КK МM ОO РP ЅS ТT ХX ҮY УY ԜW "
        "ΑA ΒB ΕE ΖZ ΗH ΙI ΚK ΜM ΝN ΟO ΡP ΤT ΥY ΧX"
    )
    return {ord(pair[0]): pair[1] for pair in pairs.split()}


# Negative circled and squared capitals (🅵🅾🅻🅻🅾🆆), which NFKC leaves alone: always letters.
_NEGATIVE_LETTERS: Final = {
    start + i: chr(ord("A") + i) for start in (0x1F150, 0x1F170) for i in range(26)
}
# Standing alone, Ⓜ is the metro emoji; in a styled word, M.
_STYLED_FOLDS: Final = {**_NEGATIVE_LETTERS, ord(_CIRCLED_M): "M"}
_LUNATE_SIGMAS: Final = {0x03F2: "\u0441", 0x03F9: "\u0421"}
# Small capitals ("ᴛʜᴀɴᴋꜱ ꜰᴏʀ ᴛʜᴇ ꜰᴏʟʟᴏᴡ"), a "font" that text generators offer and that NFKC
# leaves alone: the letter each stands for, lower-case (x has none; q's is U+A7AF).
_SMALL_CAPITALS: Final = dict(
    zip(map(ord, "ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘꞯʀꜱᴛᴜᴠᴡʏᴢ"), "abcdefghijklmnopqrstuvwyz", strict=True)
)
_SMALL_CAPITAL_RE: Final = re.compile("[" + "".join(map(chr, _SMALL_CAPITALS)) + "]")
# The small capitals that are IPA letters too ("/paʀtiʀ/", "/bɪzɪ/"): they do not, alone,
# make a word styled text.
_IPA_CAPITALS: Final = frozenset(map(ord, "ʙɢʜɪʟɴʀʏ"))
_CONFUSABLES: Final = _confusable_table()
_CONFUSABLE_RE: Final = re.compile("[" + "".join(map(chr, _CONFUSABLES)) + "]")
# Latin letters with a diacritic (and a few other Latin letters: they decompose to nothing),
# and the combining diacritics, typed after a letter that has no precomposed form.
_ACCENTED_LATIN: Final = "\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u0300-\u036f\u1e00-\u1eff"
_ACCENTED_LATIN_RE: Final = re.compile(f"[{_ACCENTED_LATIN}]")
# A letter that folds to Latin, or a Latin letter with a diacritic: one search of a message
# finds whether to look further.
_FOLDABLE_RE: Final = re.compile(
    "[" + "".join(map(chr, {**_CONFUSABLES, **_SMALL_CAPITALS})) + _ACCENTED_LATIN + "]"
)
#: Diacritics strewn over English words ("Thänks för thé föllöw") are undone only when at
#: least this many words of four or more letters are so written...
MIN_STREWN_WORDS: Final = 2
#: ... and at least this share of the message's words are English words of the templates
#: and lexicons, diacritics aside: other languages keep their accents ("¿Cómo estás?").
MIN_KNOWN_SHARE: Final = 0.4


def _unlike_letters() -> str:
    # The Cyrillic and Greek letters that look like no Latin one (д, л, и, ї, є, λ, ω).
    blocks = ((0x0370, 0x0530), (0x1C80, 0x1C90), (0x1F00, 0x2000), (0xA640, 0xA6A0))
    return "".join(
        ch
        for start, end in blocks
        for ch in map(chr, range(start, end))
        if ch.isalpha() and ord(ch) not in _CONFUSABLES and ord(ch) not in _LUNATE_SIGMAS
    )


# One of these in a message makes it Cyrillic or Greek writing, where a word of look-alikes
# with one Latin letter in it is a keyboard's stray letter (the Latin i typed for the
# Ukrainian і, "мiсто"), not a Latin word in disguise.
_UNLIKE_LETTER_RE: Final = re.compile("[" + re.escape(_unlike_letters()) + "]")
_LATIN_RE: Final = re.compile("[A-Za-z]")
# The letters of the Latin script, with and without diacritics (not IPA's: "/ɡʊd/").
_LATIN_LETTER_RE: Final = re.compile(
    "[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff\u2c60-\u2c7f"
    "\ua720-\ua7ff\uab30-\uab6f]"
)
# Letters and digits in a row (digits for leetspeak, "f0lӏ0w"): hyphens, punctuation, "=",
# "/", "@" and "." end a run, so "Telegram-канал", "TNF-α", "ρ=1000kg" and
# "ivan@почта.рф" are runs of one script each.
_LETTER_RUN_RE: Final = re.compile(r"[^\W_]+")
# A run of letters and digits with the combining diacritics typed after them ("f\u0308ollow",
# where no precomposed letter exists for NFKC to make): the words strewn diacritics hide.
_MARKED_RUN_RE: Final = re.compile("(?:[^\\W_]|[\u0300-\u036f])+")
# Lower-case Greek look-alikes: one at either end of a run in Latin capitals is the
# notation of biology and physics ("TNFα", "PPARγ"), not a disguised letter.
_GREEK_SMALL_RE: Final = re.compile("[\u03b1-\u03c9\u03f3]")

# De-obfuscation of links written to dodge filters: hxxp, [.] and (dot), "bit . ly".
# The ideographic full stop and the dots a reader takes for one in a link (_DOTTED_HOST_RE).
_DOT_LIKE: Final = "\u3002\u00b7\u2022\u2219\u22c5\u30fb\u2027\u2e31\u2e33\u06d4\u0589\ua78f"
# What the scheme pattern starts with: "http", "hxxp" or "h**p", in any case.
_SCHEME_HINT_RE: Final = re.compile(r"(?i)h(?:tt|xx|\*\*)p")
# Schemes, in one pass. Written to dodge filters (the "hidden" group, which is obfuscation):
# "hxxp://", "h**p://", "http[:]//", "https ://" (a space before the colon). Mistyped, which
# leaves the host for a reader to see: "https//", "https:/", "https:///", and "https: //",
# where a phone's keyboard put a space after the colon; typos set no flag, and a host must
# follow, a word with a dot (or a look-alike one) before any slash ("see http:/https:
# both", "https: /usr/bin" stay text). A plain scheme in capitals is lower-cased.
_SCHEME_RE: Final = re.compile(
    r"\b(?:(?P<hidden>h(?:xx|\*\*)ps?(?:\[:\]|\(:\)|:)//|https?(?:\[:\]|\(:\)| :) ?//)"
    rf"|https?(?:(?:: ?/{{1,3}}|//)(?=[^\W_][^\s/]*?[.{_DOT_LIKE}])|://))",
    re.IGNORECASE,
)
_BRACKET_DOT_RE: Final = re.compile(
    r"(?<=[A-Za-z0-9]) ?(?:\[ ?(?:\.|dot) ?\]|\( ?(?:\.|dot) ?\)|\{ ?(?:\.|dot) ?\}|<dot>) ?"
    r"(?=[A-Za-z0-9])",
    re.IGNORECASE,
)
# The common TLDs that the rewrites below need after a host written without a scheme.
_COMMON_TLDS: Final = "com|net|org|io|ly|gl|gd|xyz|info|biz"
# "bit . ly/x", "example .com": a space before the dot, then a common lowercase TLD.
# "bit. ly/x": a sentence-like "word. tld" only when a path follows, so "last year. Net
# profit" stays two sentences.
_SPACED_DOT_RE: Final = re.compile(
    rf"(?<=[A-Za-z0-9])(?: \. ?(?=(?:{_COMMON_TLDS})\b|(?:me|to|co)/)"
    rf"|\. (?=(?:{_COMMON_TLDS}|me|to|co)/))"
)
# "youtu . be/x", "amazon.co . uk/dp/x", "bit dot ly/x": a host's last dot set apart by
# spaces, or spelt out (in English and the languages of the bank), then a path. Prose has
# both ("fine . in/out", "the point info/desk", "a 5 point net/gross gap"), so they are read
# only for a known link host: a shortener, a social network or a store.
# A match starts only where a word does (not after a letter, a digit, a hyphen or a dot), so
# not at every label of "a-a-a-..." or "a.a.a...".
# What the pattern needs somewhere in the text: a spaced dot or one of the words.
_SPELT_DOT_HINT_RE: Final = re.compile(r" \. | (?i:dot|punto|ponto|point|punkt|nokta|titik) ")
_SPELT_DOT_RE: Final = re.compile(
    r"(?<![^\W_])(?<![-.])((?:[A-Za-z0-9][A-Za-z0-9-]{0,62}\.){0,4}[A-Za-z0-9][A-Za-z0-9-]{0,62})"
    r"(?: \. | (?i:dot|punto|ponto|point|punkt|nokta|titik) )([a-z]{2,24})(?=/)"
)
_COMMON_TLD_SET: Final = frozenset(_COMMON_TLDS.split("|")) | {"me", "to", "co"}
# "bit。ly/x": ideographic full stops (U+3002; NFKC has already made U+FF61 one) between the
# labels of a Latin host. Browsers read them as dots in a host name (IDNA maps them so), and
# filters looking for "bit.ly" do not. Other dots that a reader takes for one in a link
# ("bit·ly/x", "bit•ly/x": middle dots, bullets, the dot operators, the katakana middle dot,
# the Arabic and Armenian full stops) are read by the same rules. Chinese and Japanese text
# also ends sentences with one, with no space after it, so without a scheme a host must
# start a word, go on with a path and either end in a common TLD or be a known link host
# ("linktr。ee/x"), or start with "www" ("see you tomorrow。gl on your exam"
# stays two sentences); after http(s):// the host may end in any TLD that is in lower case or
# followed by a path ("http://intranet。Thanks" is a link and a sentence). A label starts with
# a letter or digit, and a host not after one, a hyphen or a dot: a match starts only where a
# word does (or right after a letter of a script written without spaces: "点击bit。ly/x1Ab"),
# not at every label of "a。a。a。…" or "a-a-a-…" (tens of ms a message).
_DOT_LIKE_RE: Final = re.compile(f"[{_DOT_LIKE}]")
_NOT_DOTS: Final = str.maketrans(dict.fromkeys(_DOT_LIKE, "."))
_LABEL: Final = rf"[A-Za-z0-9][A-Za-z0-9-]{{0,62}}[.{_DOT_LIKE}]"
_DOTTED_HOST_RE: Final = re.compile(
    rf"(?<![^\W_{_GLUED}])(?<![-.{_DOT_LIKE}])(?:(?P<bare>(?:{_LABEL}){{1,8}}[A-Za-z]{{2,24}})(?=/)"
    rf"|(?i:www)[.{_DOT_LIKE}](?:{_LABEL}){{0,7}}[A-Za-z]{{2,24}}(?![A-Za-z0-9-]))"
    rf"|(?i:https?)://(?:{_LABEL}){{1,8}}"
    r"(?:[a-z]{2,24}(?![A-Za-z0-9-])|[A-Za-z]{2,24}(?=/))"
)
# "bit,ly/x1Ab", "youtu,be/abc12", "amazon,co,uk/dp/B0123": commas typed for a host's dots,
# which keep the link from filters and from the apps that make links clickable (the comma is
# the dot's neighbour on phone keyboards). Prose runs words and slashes into commas
# ("yes,no/maybe", "we take cash,app/venmo", "x,com/twitter is down"), so only a known link
# host is read so (_comma_host), and only before a path that holds an id: a digit, or a
# capital after a small letter (_ID_RE), as shortened links and product pages do.
# The ideographic and Arabic commas count as commas ("bit、ly/x1Ab"; the full-width one is
# a comma after NFKC). A label starts with a letter or digit, and a match where a word does
# (after a comma too: "thanks,bit,ly/x1Ab"), after an ellipsis or right after a letter of a
# script written without spaces ("here...bit,ly/x1Ab", "点击bit,ly/x1Ab"), as a bare link
# does, and not after a hyphen or a single dot; the labels' characters exclude the
# separators, so there is one way to split a run, and at most five labels are read.
_COMMAS: Final = ",\u3001\u060c"
_COMMA_HOST_RE: Final = re.compile(
    rf"(?<![^\W_{_GLUED}])(?<!-)(?<!(?<!\.)\.)"
    rf"(?:[A-Za-z0-9][A-Za-z0-9-]{{0,62}}[.{_COMMAS}]){{1,4}}[A-Za-z]{{2,24}}(?=/)"
)
_COMMA_RE: Final = re.compile(f"[{_COMMAS}]")
_COMMAS_TO_DOTS: Final = str.maketrans(dict.fromkeys(_COMMAS, "."))
_LABEL_SEPARATOR_RE: Final = re.compile(f"([.{_COMMAS}])")
_ID_RE: Final = re.compile(r"[0-9]|[a-z][A-Z]")
#: How much of the path after a comma-typed host is read for an id.
_PATH_READ: Final = 32
# After an explicit scheme any "host . tld" is a link written to dodge filters.
_SCHEME_SPACED_DOT_RE: Final = re.compile(
    r"((?i:https?)://[A-Za-z0-9-]{1,63}) ?\. ?(?=[A-Za-z]{2,24}\b)"
)


def _fold_styled_words(raw: str) -> tuple[str, bool]:
    """Fold the negative letters of words spelt in styled letters; say whether any were.

    A styled letter (mathematical, circled or enclosed, :data:`_STYLED_RE`) spells a word
    with a second one beside it, or with a plain letter ("𝐅𝐑𝐄𝐄", "🅵🅾🅻🅻🅾🆆", "𝐅ollow"),
    or in a row of four or more set apart as the spacing trick does ("𝐅 𝐑 𝐄 𝐄").
    One alone is notation ("f(𝑥)", "𝔼[X]") or an emoji (🅿, Ⓜ), and one followed by the
    emoji variation selector U+FE0F is always an emoji ("🅰️🅱️"): those spell nothing, and
    the negative letters and Ⓜ among them stay as they are (NFKC then folds the others,
    which are all notation). Ⓜ in a styled word becomes M here.
    """
    spelt = False

    def fold(match: re.Match[str]) -> str:
        nonlocal spelt
        word = match.group()
        styled = plain = 0
        for i, ch in enumerate(word):
            if _STYLED_RE.match(ch):
                styled += word[i + 1 : i + 2] != "\ufe0f"
            elif ch.isalpha():
                plain += 1
        if styled >= 2 or (styled and plain):
            spelt = True
            return word.translate(_STYLED_FOLDS)
        return word

    def fold_spaced(match: re.Match[str]) -> str:
        nonlocal spelt
        spelt = True
        return match.group().translate(_STYLED_FOLDS)

    folded = _SPACED_STYLED_RE.sub(fold_spaced, raw)
    folded = _STYLED_WORD_RE.sub(fold, folded)
    return folded, spelt


def _bidi_hides_letters(raw: str) -> bool:
    """Say whether bidirectional controls in ``raw`` reorder letters to hide them.

    An override (U+202D, U+202E) anywhere does; so does any control inside a word, between
    two letters written in the same direction, where it can only break the word up. An
    embedding or isolate around digits, a link, a handle or whole words, or between a
    right-to-left letter and a left-to-right one, is how apps keep a run in its order.
    """
    if _BIDI_OVERRIDE_RE.search(raw):
        return True
    for match in _INVISIBLE_IN_WORD_RE.finditer(raw):
        if _BIDI_CONTROL_RE.search(match.group()) and (
            unicodedata.bidirectional(match.group()[0]) in _RIGHT_TO_LEFT
        ) == (unicodedata.bidirectional(raw[match.end()]) in _RIGHT_TO_LEFT):
            return True
    return False


def _fold_confusables(text: str) -> tuple[str, bool]:
    """Fold look-alike letters to Latin in runs of letters written in Latin; say whether any were.

    The trick writes a word in Latin with one or a few look-alike letters of another script
    swapped in ("fоllow" with a Cyrillic о) to dodge keyword filters. So a run of letters
    and digits (:data:`_LETTER_RUN_RE`; the digits do not count) is folded only when it
    holds Latin letters and look-alikes (:data:`_CONFUSABLES`) and nothing else. A run
    holding any other letter ("Привiт", "Києвi", IPA's "ɡʊd") is a word of its own script
    with a stray Latin letter, as a keyboard makes; so, in a message that holds a Cyrillic
    or Greek letter that looks like no Latin one, is a run of look-alikes with a single
    Latin letter ("Яке гарне мiсто"); in a message that holds none, such a run is a short
    Latin word in disguise ("ԝоw"). A lower-case Greek letter at either end of a run in
    Latin capitals is notation ("TNFα"). Linear: one pass, and one search of the message.
    """
    changed = False
    written_in_cyrillic_or_greek: bool | None = None

    def fold(match: re.Match[str]) -> str:
        nonlocal changed, written_in_cyrillic_or_greek
        run = match.group()
        if run.isascii():
            return run
        latin = alike = 0
        for ch in run:
            if ord(ch) in _CONFUSABLES:
                alike += 1
            elif _LATIN_LETTER_RE.match(ch):
                latin += 1
            elif not ch.isdigit():
                return run
        if not alike or not latin or _is_notation(run, alike):
            return run
        if latin == 1:
            if written_in_cyrillic_or_greek is None:
                written_in_cyrillic_or_greek = _UNLIKE_LETTER_RE.search(text) is not None
            if written_in_cyrillic_or_greek:
                return run
        changed = True
        return run.translate(_CONFUSABLES)

    folded = _LETTER_RUN_RE.sub(fold, text)
    return (folded, True) if changed else (text, False)


def _fold_small_capitals(text: str) -> tuple[str, bool]:
    """Fold words written in small capitals to plain letters; say whether any were.

    Eight small capitals are IPA letters too (:data:`_IPA_CAPITALS`: "/paʀtiʀ/", "/bɪzɪ/"),
    and phonetics is no disguise. So only a message with a run of letters and digits
    (:data:`_LETTER_RUN_RE`) of nothing but small capitals, ASCII letters and digits, two
    or more of them small capitals and one at least no IPA letter ("ᴛʜᴀɴᴋꜱ", "ᴏʀ"), is
    styled text; there
    every such run is folded, a lone "ᴀ", the "ʙʏ" of "by" or the "ᴇ" of "ᴇ-ʙᴏᴏᴋ" too.
    Linear: two passes over the runs.
    """
    runs = [
        run
        for run in _LETTER_RUN_RE.findall(text)
        if _SMALL_CAPITAL_RE.search(run)
        and all(ch.isascii() or ord(ch) in _SMALL_CAPITALS for ch in run)
    ]
    styled = (
        len(_SMALL_CAPITAL_RE.findall(run)) >= 2
        and any(ord(ch) in _SMALL_CAPITALS and ord(ch) not in _IPA_CAPITALS for ch in run)
        for run in runs
    )
    if not any(styled):
        return text, False
    kept = set(runs)
    folded = _LETTER_RUN_RE.sub(
        lambda m: m.group().translate(_SMALL_CAPITALS) if m.group() in kept else m.group(), text
    )
    return folded, True


@lru_cache(maxsize=1 << 12)
def _bare(word: str) -> str:
    """``word`` without its diacritics: "föllöw" -> "follow", "abonné" -> "abonne". Called
    only for words no longer than the longest English word of the tables, so the cache
    holds short words."""
    decomposed = unicodedata.normalize("NFD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@cache
def _spellings() -> tuple[frozenset[str], frozenset[str], int]:
    """The English words of the template bank and the call-to-action lexicons (casefolded,
    ASCII), every spelling with letters outside ASCII that any language's templates and
    lexicons hold (a word so written is a word, not a disguise: "à", "é", "só", "là"), and
    the length of the longest English word."""
    words: dict[str, set[str]] = {}
    for template in load_json("templates.json")["templates"]:
        words.setdefault(template["lang"], set()).update(
            _LETTER_RUN_RE.findall(template["text"].casefold())
        )
    for lang in lexicon_languages():
        found = words.setdefault(lang, set())
        for phrases in load_json(f"lexicons/cta_{lang}.json")["categories"].values():
            for phrase in phrases:
                found.update(_LETTER_RUN_RE.findall(phrase.casefold()))
    english = frozenset(w for w in words.get("en", ()) if w.isascii())
    spelt = frozenset(w for found in words.values() for w in found if not w.isascii())
    return english, spelt, max(map(len, english), default=0)


def _fold_strewn_diacritics(text: str) -> tuple[str, bool]:
    """Undo diacritics strewn over English words to hide them; say whether any were.

    A word is strewn when, without its diacritics (:func:`_bare`), it is an English word
    of the templates and lexicons, and as written it is no word of any language's
    templates and lexicons ("föllöw", "frèé"; not "à" or "é", which French and Portuguese
    write). The message is rewritten when at least :data:`MIN_KNOWN_SHARE` of its words are
    such English words (diacritics aside), :data:`MIN_STREWN_WORDS` strewn words have four
    or more letters (short ones such as "só" or "él" are words of other languages as often),
    and the strewn words are most of those written outside ASCII (in Vietnamese, "thật à,
    không tin nổi", a few bare words happen to be English). Each strewn word then reads
    without its diacritics, in the case it was typed in; a word here takes the combining
    diacritics typed after its letters (:data:`_MARKED_RUN_RE`). Other languages keep theirs, strewn
    or not: the tables hold too few of their words to tell a disguise from a spelling
    ("como" and "cómo" are both Spanish). Linear: one pass over the words, a look-up each.
    """
    runs = _MARKED_RUN_RE.findall(text)
    folded = [run.casefold() for run in runs]
    marked = [run for run in folded if not run.isascii()]
    if len(marked) < MIN_STREWN_WORDS:
        return text, False
    english, spelt, longest = _spellings()
    bare = {run: _bare(run) for run in marked if len(run) <= longest}
    known = sum((bare.get(run, "") if not run.isascii() else run) in english for run in folded)
    if known < MIN_KNOWN_SHARE * len(runs):
        return text, False
    strewn = {run: b for run, b in bare.items() if b in english and run not in spelt}
    long_enough = sum(len(b) >= 4 for b in strewn.values())
    in_place = sum(run in strewn for run in marked)
    if long_enough < MIN_STREWN_WORDS or 2 * in_place <= len(marked):
        return text, False
    return _MARKED_RUN_RE.sub(partial(_respelt, strewn), text), True


def _respelt(strewn: dict[str, str], match: re.Match[str]) -> str:
    """A word as its language spells it if it is in ``strewn``, in the case it was typed in."""
    run = match.group()
    spelt = strewn.get(run.casefold())
    if spelt is None:
        return run
    if run.isupper() and len(run) > 1:
        return spelt.upper()
    return spelt[:1].upper() + spelt[1:] if run[:1].isupper() else spelt


def _is_notation(run: str, alike: int) -> bool:
    """A run of Latin capitals with one lower-case Greek letter at one end ("TNFα")."""
    run = run.strip("0123456789")
    if alike != 1 or not run:
        return False
    if _GREEK_SMALL_RE.match(run[-1]):
        rest = run[:-1]
    elif _GREEK_SMALL_RE.match(run[0]):
        rest = run[1:]
    else:
        return False
    return rest.isupper()


def _join_separated_letters(raw: str) -> tuple[str, bool]:
    """Join the letters of words whose letters one repeated character sets apart
    ("F.R.E.E" -> "FREE", "f-o-l-l-o-w" -> "follow"); say whether any were.

    A word (quotes, brackets and punctuation around it aside) of at least
    :data:`_MIN_SPACED_LETTERS` single letters or digits, with at least three different
    letters, each pair parted by the same separator (see :data:`_SEPARATOR`: vowel signs,
    list dots and the signs of notation are none). Abbreviations of three letters
    ("U.S.A.", "a.k.a."), "1.2.3.4", "x-x-x-x", "a/b/c/d" and "日・米・英・仏" stay; four or
    more capitals read as one word ("R.S.V.P." as "RSVP").
    """
    parts = _SPACES_RE.split(raw)
    changed = False
    for i in range(0, len(parts), 2):
        word = parts[i]
        start, end = 0, len(word)
        while start < end and word[start] in _WRAPPING:
            start += 1
        while end > start and word[end - 1] in _WRAPPING:
            end -= 1
        core = word[start:end]
        if _SEPARATED_RE.fullmatch(core) is None:
            continue
        letters = "".join(ch for ch in core if ch.isalnum())  # separators hold none
        if (
            len(letters) >= _MIN_SPACED_LETTERS
            and len({ch.casefold() for ch in letters if ch.isalpha()}) >= 3
        ):
            parts[i] = word[:start] + letters + word[end:]
            changed = True
    return ("".join(parts), True) if changed else (raw, False)


def _join_spaced_letters(raw: str) -> tuple[str, bool]:
    """Join the letters of words written with a space between them; say whether any were.

    A run of at least :data:`_MIN_SPACED_LETTERS` single letters or digits, each after a
    single space, with at least three different letters among them, becomes one word
    ("S U B S C R I B E" -> "SUBSCRIBE"). Dots, colons and slashes inside a run join it
    too, and a run that ends in a slash takes the next word, a link's path, with it
    ("t i n y u r l . c o m / x" -> "tinyurl.com/x"). Any other gap (two spaces, a line
    break) ends a run, and so does a Hangul syllable. A lower-case letter before a run in
    capitals, or after one, is a word of its own ("a F R E E gift" -> "a FREE gift").
    One pass over the words: linear in the text.
    """
    parts = _SPACES_RE.split(raw)  # words at even indices, the gaps between them at odd
    out: list[str] = []
    run: list[str] = []
    changed = False

    def flush() -> bool:
        """Write the run out, joined if it is a spaced-out word; True if it ends in "/"."""
        nonlocal changed
        head, body, tail = _apart(run)
        letters = {ch.casefold() for ch in body if ch.isalpha()}
        joins = len(body) >= _MIN_SPACED_LETTERS and len(letters) >= 3
        out.append(" ".join([*head, "".join(body), *tail]) if joins else " ".join(run))
        takes_path = joins and not tail and body[-1] == "/"
        changed |= joins
        run.clear()
        return takes_path

    for i in range(0, len(parts), 2):
        word, gap = parts[i], parts[i - 1] if i else ""
        single = len(word) == 1 and not _HANGUL_RE.match(word)
        if run and gap == " " and single and (word.isalnum() or word in _SPACED_LINK_CHARS):
            run.append(word)
            continue
        if run and flush() and gap == " " and word:
            out[-1] += word
            continue
        out.append(gap)
        if single and word.isalnum():
            run.append(word)
        else:
            out.append(word)
    if run:
        flush()
    return "".join(out), changed


def _apart(run: list[str]) -> tuple[list[str], list[str], list[str]]:
    """Split a one-letter word in lower case off either end of a run in capitals."""
    head, body, tail = [], run, []
    if len(body) > 1 and body[0].islower() and _all_upper(body[1:]):
        head, body = body[:1], body[1:]
    if len(body) > 1 and body[-1].islower() and _all_upper(body[:-1]):
        body, tail = body[:-1], body[-1:]
    return head, body, tail


def _all_upper(chars: list[str]) -> bool:
    cased = [ch for ch in chars if ch.isupper() or ch.islower()]
    return bool(cased) and all(ch.isupper() for ch in cased)


def _scheme(match: re.Match[str]) -> str:
    """The scheme a :data:`_SCHEME_RE` match stands for."""
    return "https://" if "s" in match.group().lower().split("p", 1)[1][:1] else "http://"


def _known_host(host: str) -> bool:
    """Whether ``host`` is a shortener's, a social network's or a store's."""
    return host.lower().removeprefix("www.") in domains().link_hosts


def _undotted(match: re.Match[str]) -> str:
    """A :data:`_DOTTED_HOST_RE` match with its dots made dots; a host without a scheme or
    "www" only if it ends in a common TLD or is a known link host ("linktr·ee/x")."""
    host = match.group().translate(_NOT_DOTS)
    if match.group("bare") is not None and not (
        host.lower().rsplit(".", 1)[-1] in _COMMON_TLD_SET or _known_host(host)
    ):
        return match.group()
    return host


def _spelt(match: re.Match[str]) -> str:
    """A :data:`_SPELT_DOT_RE` match with its dot made one, if the longest known link host
    ends it ("Hello.bit dot ly/x": a sentence run into "bit.ly")."""
    labels = match.group(1).split(".")
    for first in range(len(labels)):
        if _known_host(".".join([*labels[first:], match.group(2)])):
            return f"{match.group(1)}.{match.group(2)}"
    return match.group()


def _comma_host(match: re.Match[str]) -> str:
    """A :data:`_COMMA_HOST_RE` match with the commas inside its longest known link host
    made dots ("thanks,bit,ly" -> "thanks,bit.ly"); as it was if no known host with a
    comma in it ends the match, or if the path after it holds no id. The host is looked
    up first: most matches are prose ("yes,no/maybe"), whose path is then not read."""
    parts = _LABEL_SEPARATOR_RE.split(match.group())  # labels at even indices
    for first in range(0, len(parts) - 2, 2):  # a host has two labels or more
        host = "".join(parts[first:])
        dotted = host.translate(_COMMAS_TO_DOTS)
        if dotted != host and _known_host(dotted):
            after = match.string[match.end() : match.end() + _PATH_READ].split(maxsplit=1)
            if not after or _ID_RE.search(after[0]) is None:
                return match.group()
            return "".join(parts[:first]) + dotted
    return match.group()


def _deobfuscate_links(text: str) -> tuple[str, bool]:
    """Undo link obfuscation; also say whether there was any.

    Each rewrite runs only when the text holds what it looks for, since most
    messages hold none of it.
    """
    hidden: list[str] = []  # the schemes and commas written to dodge filters
    if "/" in text and _COMMA_RE.search(text):
        # First, so that a mistyped scheme sees the host's dots ("https//bit,ly/x1Ab").
        uncommaed = _COMMA_HOST_RE.sub(_comma_host, text)
        if uncommaed != text:
            hidden.append("commas")
            text = uncommaed
    if "/" in text and _SCHEME_HINT_RE.search(text):

        def scheme(match: re.Match[str]) -> str:
            if match.group("hidden"):
                hidden.append(match.group())
            return _scheme(match)

        text = _SCHEME_RE.sub(scheme, text)
    fixed = text
    if "://" in fixed and (" ." in fixed or ". " in fixed):
        fixed = _SCHEME_SPACED_DOT_RE.sub(r"\1.", fixed)
    if "/" in fixed and _SPELT_DOT_HINT_RE.search(fixed):
        fixed = _SPELT_DOT_RE.sub(_spelt, fixed)
    if not fixed.isascii() and _DOT_LIKE_RE.search(fixed):
        fixed = _DOTTED_HOST_RE.sub(_undotted, fixed)
    if "[" in fixed or "(" in fixed or "{" in fixed or "<" in fixed:
        fixed = _BRACKET_DOT_RE.sub(".", fixed)
    if " ." in fixed or ". " in fixed:
        fixed = _SPACED_DOT_RE.sub(".", fixed)
    # A scheme only lower-cased ("HTTPS://" -> "https://") or mistyped is not obfuscation.
    return fixed, bool(hidden) or fixed.lower() != text.lower()
