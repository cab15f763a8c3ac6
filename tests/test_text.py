"""The text layer: ``autodm._text.view`` and ``mask_template``."""

from __future__ import annotations

import random
import re
import unicodedata

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from autodm import _finder, _names, _obfuscation, _text
from autodm._resources import domains
from autodm._text import MAX_CHARS, TextView, mask_template, view
from autodm.errors import InvalidInputError
from autodm.testing import HOMOGLYPHS

# ---------------------------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------------------------


def test_nfkc_folds_fullwidth_letters() -> None:
    v = view("ＦＲＥＥ ＧＩＦＴ for following")
    assert v.text == "FREE GIFT for following"
    assert v.masked == "free gift for following"
    # Fullwidth forms are not "styled" letters and are not hidden, so nothing is flagged.
    assert v.flags == frozenset()


def test_nfkc_folds_styled_letters_and_flags_them() -> None:
    v = view("𝐅𝐑𝐄𝐄 course")
    assert v.text == "FREE course"
    assert "styled_letters" in v.flags


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("\U0001d405\U0001d411\U0001d404\U0001d404 course", "FREE course"),  # 𝐅𝐑𝐄𝐄
        ("\U0001f175\U0001f181\U0001f174\U0001f174 gift", "FREE gift"),  # 🅵🆁🅴🅴
        ("\U0001f155\U0001f161\U0001f154\U0001f154 gift", "FREE gift"),  # 🅕🅡🅔🅔
        ("\u24bb\u24c7\u24ba\u24ba gift", "FREE gift"),  # ⒻⓇⒺⒺ
        ("\u24c2\u24b6\u24c7\u24be\u24b6", "MARIA"),  # Ⓜ in a word is M
        ("\U0001d405ollow back", "Follow back"),  # one inside a Latin word
        ("f\U0001f17eLLOW back", "fOLLOW back"),
        ("\U0001d405 \U0001d411 \U0001d404 \U0001d404 gift", "FREE gift"),  # spaced out
        ("\U0001d5d9-\U0001d5e5-\U0001d5d8-\U0001d5d8 gift", "FREE gift"),
    ],
)
def test_words_spelt_in_styled_letters_are_folded_and_flagged(raw: str, text: str) -> None:
    v = view(raw)
    assert v.text == text
    assert "styled_letters" in v.flags


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("Meet me at the \U0001f17f\ufe0f lot near gate B", None),
        ("Meet me at the \U0001f17f lot near gate B", None),
        ("my blood type is \U0001f170\ufe0f not \U0001f171\ufe0f lol", None),
        ("\u24c2\ufe0f stop", None),
        ("\u24c2 stop \u24c2\ufe0f\u24c2\ufe0f", None),
        ("\U0001f170\ufe0f\U0001f171\ufe0f", None),  # emoji side by side spell nothing
        ("so f(\U0001d465) = \U0001d465\u00b2 + 1 right?", "so f(x) = x2 + 1 right?"),
        ("\U0001d53c[X] = 3", "E[X] = 3"),
        ("let \U0001d465 and \U0001d466 be reals", "let x and y be reals"),
        ("\u24b6 or \u24b7?", "A or B?"),
    ],
)
def test_a_lone_styled_letter_or_an_emoji_is_no_styled_word(raw: str, text: str | None) -> None:
    v = view(raw)
    assert v.text == (raw if text is None else text)  # emoji stay emoji
    assert v.flags == frozenset()


_EMOJI_LETTERS = [chr(c) for c in range(0x1F170, 0x1F18A)] + ["\u24c2"]
_MATH_LETTERS = [
    ch
    for ch in map(chr, range(0x1D400, 0x1D7CE))
    if unicodedata.category(ch) in ("Lu", "Ll") and unicodedata.normalize("NFKC", ch).isascii()
]


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(_EMOJI_LETTERS + _MATH_LETTERS),
    st.booleans(),
    st.sampled_from(["I'll be at ", "so ", "(", "= ", ""]),
    st.sampled_from([" tomorrow", ")", " + 1", "!", ""]),
)
def test_one_styled_letter_alone_never_flags(
    letter: str, selector: bool, before: str, after: str
) -> None:
    v = view(before + letter + ("\ufe0f" if selector else "") + after)
    assert "styled_letters" not in v.flags
    if letter in _EMOJI_LETTERS:
        assert letter in v.text  # an emoji, not a letter
        assert v.tokens == view(before + " " + after).tokens


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_MATH_LETTERS + _EMOJI_LETTERS[:-1]), min_size=2, max_size=8))
def test_two_or_more_styled_letters_in_a_row_always_flag(letters: list[str]) -> None:
    v = view("Claim your " + "".join(letters) + " now")
    assert "styled_letters" in v.flags
    assert v.text.isascii()


def test_nfkc_of_ideographic_space_collapses_to_one_space() -> None:
    assert view("Ｆｒｅｅ\u3000ｇｉｆｔ").text == "Free gift"


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("S U B S C R I B E to my channel", "SUBSCRIBE to my channel"),
        ("get it at t i n y u r l . c o m / sub4sub", "get it at tinyurl.com/sub4sub"),
        ("someone made a f a k e account", "someone made afake account"),  # "a" joins too
        ("Claim a F R E E gift", "Claim a FREE gift"),  # but not in another case
        ("F R E E o", "FREE o"),
        ("see b i t . l y / x1Ab", "see bit.ly/x1Ab"),
        ("T H A N K S . Love you", "THANKS. Love you"),  # only a slash takes the next word
        ("S H O P . example.com/shop", "SHOP. example.com/shop"),
        ("한 F R E E gift", "한 FREE gift"),  # Hangul ends a run, Latin letters join
        ("I am S O  D O N E", "I am S O DONE"),  # two spaces end a run; "S O" is too short
        ("フ ォ ロ バ な い と", "フォロバないと"),
        ("ب ا س ت خ د ا م الكود", "باستخدام الكود"),
        ("c l a i m\nnow", "claim now"),
        # One character between the letters instead of a space.
        ("Get F.R.E.E followers", "Get FREE followers"),
        ("f-o-l-l-o-w me", "follow me"),
        ("(F.R.E.E)!", "(FREE)!"),
        ("f🔥o🔥l🔥l🔥o🔥w back", "follow back"),
        ("F_R_E_E gift", "FREE gift"),
        ("F.R.E.E.", "FREE."),
        ("s-o-r-r-y", "sorry"),
        ("f❤️o❤️l❤️l❤️o❤️w", "follow"),
        ("“F.R.E.E”", "“FREE”"),
        ("b i t . l y / a-b-c-d", "bit.ly/a-b-c-d"),  # a spelt-out link keeps its path
        ("R.S.V.P. by Friday", "RSVP. by Friday"),
    ],
)
def test_spaced_out_words_are_joined_and_flagged(raw: str, text: str) -> None:
    v = view(raw)
    assert v.text == text
    assert "spaced_letters" in v.flags


@pytest.mark.parametrize(
    "raw",
    [
        "U.S.A. trip",
        "a.k.a. Bob",
        "1.2.3.4",
        "x-x-x-x",
        "call 555-123-4567",
        "bit.ly/a.b.c.d",  # inside a link
        "a.b-c.d",  # two separators
        "e.g. this",
        "@f.o.l.l.o.w",
        "तानाशाह",  # vowel signs are no separators
        "한·미·일·중",  # list dots
        "日・米・英・仏",
        "a/b/c/d a+b+c+d a|b|c|d a,b,c,d",  # notation
    ],
)
def test_letters_with_characters_between_that_are_not_a_word_stay(raw: str) -> None:
    v = view(raw)
    assert "spaced_letters" not in v.flags
    assert v.text == raw


@pytest.mark.parametrize(
    "word",
    [
        "धन्यवाद",  # Hindi: vowel signs and a virama
        "सब्सक्राइब",
        "ধন্যবাদ",  # Bengali
        "நன்றி",  # Tamil
        "ధన్యవాదాలు",  # Telugu
        "ขอบคุณ",  # Thai: vowels and a tone mark
        "អរគុណ",  # Khmer
        "ကျေးဇူး",  # Myanmar
        "f̈ollow",  # a diacritic typed as a combining mark, where no letter holds it
    ],
)
def test_a_word_keeps_the_marks_written_on_its_letters(word: str) -> None:
    # ``\w`` leaves combining marks out, which cut such words at every mark ("धन्यवाद" was
    # read as "धन", "यव", "द").
    assert view(word).tokens == (unicodedata.normalize("NFKC", word),)
    assert view(f"ok {word}!").tokens == ("ok", unicodedata.normalize("NFKC", word), "!")


def test_marks_that_follow_no_letter_make_no_token() -> None:
    # An emoji's variation selector is a mark too: it starts no word.
    assert view("I ❤️ you ́ too").tokens == ("i", "you", "too")


@pytest.mark.parametrize(
    ("raw", "bare"),
    [
        ("شُكْرًا لِلْمُتَابَعَة", "شكرا للمتابعة"),  # Arabic short vowels, tanwin, sukun
        ("بَرَكَة", "بركة"),
        ("شكــــرا", "شكرا"),  # the tatweel that stretches a word
        ("שָׁלוֹם", "שלום"),  # Hebrew vowel points
    ],
)
def test_points_that_writing_may_leave_out_are_dropped(raw: str, bare: str) -> None:
    v = view(raw)
    assert v.text == bare
    assert v.tokens == view(bare).tokens == tuple(bare.split())
    assert not v.flags


@given(st.text(max_size=60))
@settings(max_examples=300, deadline=None)
def test_every_token_is_in_the_masked_text_and_starts_with_no_mark(raw: str) -> None:
    v = view(raw)
    for token in v.tokens:
        assert token in v.masked
        assert not unicodedata.category(token[0]).startswith("M")


@given(
    st.lists(st.sampled_from(list("شكرالمتبعةسيحبن")), min_size=1, max_size=12),
    st.lists(
        st.sampled_from(list("\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0640")), max_size=12
    ),
    st.randoms(use_true_random=False),
)
@settings(max_examples=200, deadline=None)
def test_points_strewn_in_an_arabic_word_leave_its_tokens(
    letters: list[str], points: list[str], rng: random.Random
) -> None:
    word = "".join(letters)
    marked = list(word)
    for point in points:  # each after a letter, as points are written
        marked.insert(rng.randrange(1, len(marked) + 1), point)
    assert view("".join(marked)).tokens == view(word).tokens == (word,)


_SEPARATED_WORD = st.builds(
    lambda letters, separator, wrap: wrap[0] + separator.join(letters) + wrap[1],
    st.lists(st.sampled_from(list("abcDEF12ßжЖ字é")), min_size=1, max_size=8),
    st.sampled_from([".", "-", "*", "🔥", "❤️", "/", "·", "、", "+"]),
    st.sampled_from([("", ""), ("(", ")!"), ("“", "”"), ("", "-"), ("#", "")]),
)


@given(
    st.lists(
        st.one_of(_SEPARATED_WORD, st.text(st.characters(exclude_categories=["Cs"]), max_size=4)),
        max_size=6,
    ),
    st.sampled_from([" ", "  ", "\n"]),
)
def test_joining_separated_letters_only_drops_separators(words: list[str], gap: str) -> None:
    raw = gap.join(words)
    joined, changed = _obfuscation._join_separated_letters(raw)
    assert changed == (joined != raw)
    kept = iter(raw)  # what is left is the raw text with some characters taken out
    assert all(any(ch == r for r in kept) for ch in joined)
    # only separators go: every letter and digit stays, in order
    assert [ch for ch in joined if ch.isalnum()] == [ch for ch in raw if ch.isalnum()]
    assert _obfuscation._join_separated_letters(joined)[0] == joined


def test_the_separated_word_strategy_does_join() -> None:
    """The property above sees joined words, not only words left alone."""
    assert _obfuscation._join_separated_letters("(a.b.D.2)! x")[0] == "(abD2)! x"
    assert _obfuscation._join_separated_letters("“ж🔥Ж🔥é🔥ß”")[0] == "“жЖéß”"
    assert _obfuscation._join_separated_letters("a+b+c+d 字.字.字.字")[1] is False


@pytest.mark.parametrize(
    "raw",
    [
        "love you x x x x",  # kisses: one letter
        "h a h a h a",  # two letters
        "options 1 2 3 4 5",  # digits
        "a b c",  # three
        "나 더 잘 할 수 있어",  # one-syllable Korean words
        "J R R Tolkien",
        "e . g . this",  # two letters
        "a F",
        "plan A or plan B, a or b",
    ],
)
def test_single_letters_that_are_not_a_spaced_word_are_left_alone(raw: str) -> None:
    v = view(raw)
    assert v.text == raw
    assert "spaced_letters" not in v.flags


_SPACED = st.lists(
    st.one_of(
        st.sampled_from(["a", "b", "c", "d", "x", "1", ".", "/", ":", "é", "字", "한", " ", ""]),
        st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=4),
    ),
    max_size=40,
).map(" ".join)


@given(_SPACED)
def test_joining_spaced_letters_only_removes_spaces_and_is_idempotent(raw: str) -> None:
    joined, changed = _obfuscation._join_spaced_letters(raw)
    assert joined.replace(" ", "") == raw.replace(" ", "")
    assert changed == (joined != raw)
    assert _obfuscation._join_spaced_letters(joined)[0] == joined


def test_zero_width_inside_a_word_is_removed_and_flagged() -> None:
    v = view("Fol\u200blow me on Insta\u200dgram")
    assert v.text == "Follow me on Instagram"
    assert "zero_width" in v.flags


def test_soft_hyphen_inside_a_word_is_removed_without_flag() -> None:
    # A hyphenation hint, as text pasted from web pages, word processors and PDFs carries.
    v = view("Thanks for the follow! I saw your post about the con\u00adference, are you going?")
    assert v.text == "Thanks for the follow! I saw your post about the conference, are you going?"
    assert v.flags == frozenset()
    assert view("fol\u00adlow").text == "follow"


@given(st.lists(st.from_regex(r"[A-Za-z]{1,8}", fullmatch=True), min_size=1, max_size=8))
def test_soft_hyphens_between_syllables_never_flag(syllables: list[str]) -> None:
    v = view("\u00ad".join(syllables) + " \u00ad " + "x\u00ad\u00ady")
    assert v.text == "".join(syllables) + " xy"
    assert "zero_width" not in v.flags


def test_zero_width_beside_a_soft_hyphen_is_still_flagged() -> None:
    for text in ("fol\u00ad\u200blow", "fol\u200b\u00adlow", "fo\u00ad\u00ad\u2060\u00adllow"):
        v = view(text)
        assert v.text == "follow"
        assert v.flags == {"zero_width"}


# Characters that show nothing and that no word needs, beyond the zero-width ones: the
# combining grapheme joiner, Khmer's invisible vowels, Mongolian variation selectors, the
# Hangul fillers, a musical formatting character, a tag character, and variation selectors.
_MORE_INVISIBLES = (
    "\u034f\u17b4\u17b5\u180b\u180f\u115f\u1160\u206a\U0001bca0\U0001d173\U000e0001"
    "\U000e0020\ufe0f\ufe00\U000e0100"
)


@pytest.mark.parametrize("invisible", list(_MORE_INVISIBLES))
def test_other_invisible_characters_inside_a_word_are_removed_and_flagged(invisible: str) -> None:
    v = view(f"Fol{invisible}low back or I will unfol{invisible}low you")
    assert v.text == "Follow back or I will unfollow you"
    assert v.flags == {"zero_width"}
    v = view(f"check this out b{invisible}it.ly/x1Ab")
    assert [link.host for link in v.links] == ["bit.ly"]


@pytest.mark.parametrize("filler", ["\u3164", "\uffa0"])
def test_the_hangul_filler_is_a_blank(filler: str) -> None:
    # It shows as a wide blank, and chats use it for one: a space, not a hidden character.
    v = view(f"hey{filler}there friend {filler}")
    assert v.text == "hey there friend"
    assert v.flags == frozenset()


def test_variation_selectors_of_emoji_and_a_region_flag_stay_unflagged() -> None:
    england = "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"
    v = view(f"I \u2764\ufe0f it 1\ufe0f\u20e3 {england} \u845b\U000e0100")
    assert v.flags == frozenset()
    assert "\u2764\ufe0f" in v.text
    assert "1\ufe0f\u20e3" in v.text
    assert "\U0001f3f4" in v.text
    assert "\U000e0067" not in v.text


def test_zero_width_between_words_is_removed_without_flag() -> None:
    v = view("hello \u200b world \ufeff")
    assert v.text == "hello world"
    assert "zero_width" not in v.flags


def test_bidi_controls_are_removed_and_flagged() -> None:
    v = view("abc\u202edef\u202c ok")
    assert v.text == "abcdef ok"
    assert "bidi_controls" in v.flags


@pytest.mark.parametrize(
    "raw",
    [
        "شكرا على الدعوة، أكيد سأحضر! رقمي \u202a+966 55 123 4567\u202c",
        "ممنون از دعوت، حتما میام! شماره‌ام \u202a+98 912 345 6789\u202c",
        "תודה על ההזמנה, בטח אגיע! המספר שלי \u202a+972 52 123 4567\u202c",
        "شوف الصور هنا \u2068https://photos.app.goo.gl/abc123\u2069",
        "تابعني \u2066@maria_k\u2069 شكرا",
        "شكرا\u2066Maria\u2069!",  # a left-to-right name against a right-to-left word
        "\u2068Maria Lopez\u2069 liked your photo \u202bمرحبا\u202c",
    ],
)
def test_embeddings_and_isolates_around_a_run_are_removed_without_flag(raw: str) -> None:
    v = view(raw)
    assert not _INVISIBLE_BIDI.search(v.text)
    assert v.flags == frozenset()


_BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_INVISIBLE_BIDI = re.compile(f"[{_BIDI_CONTROLS}]")
_EMBEDDINGS = st.sampled_from(
    [("\u202a", "\u202c"), ("\u202b", "\u202c"), *((o, "\u2069") for o in "\u2066\u2067\u2068")]
)


@settings(max_examples=150, deadline=None)
@given(
    st.text(
        st.characters(exclude_categories=("Cs",), exclude_characters=_BIDI_CONTROLS), max_size=80
    ),
    st.from_regex(r"\+?[0-9][0-9 ]{0,15}[0-9]", fullmatch=True),
    _EMBEDDINGS,
)
def test_wrapping_a_number_in_an_embedding_or_isolate_never_flags(
    before: str, number: str, embedding: tuple[str, str]
) -> None:
    plain = view(before + " " + number)
    opened, closed = embedding
    wrapped = view(before + " " + opened + number + closed)
    assert "bidi_controls" not in wrapped.flags
    assert wrapped.flags == plain.flags


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.from_regex(r"[^\W\d_]{1,10}", fullmatch=True), min_size=1, max_size=6), _EMBEDDINGS
)
def test_wrapping_whole_words_in_an_embedding_or_isolate_never_flags(
    words: list[str], embedding: tuple[str, str]
) -> None:
    opened, closed = embedding
    assert "bidi_controls" not in view("ok " + opened + " ".join(words) + closed + " ok").flags


@pytest.mark.parametrize(
    "raw",
    [
        "\u202eThanks for the follow",  # an override anywhere
        "wollof\u202d",
        "fol\u202elow back",  # a control inside a word
        "f\u202eollow\u202c back",
        "fol\u2066low back",
        "fol\u202a\u200blow back",
        "ממנו\u202bן",  # two right-to-left letters
    ],
)
def test_bidi_controls_that_reorder_letters_are_flagged(raw: str) -> None:
    assert "bidi_controls" in view(raw).flags


def test_bidi_marks_are_removed_without_flag() -> None:
    v = view("a\u200ftext\u200e")
    assert v.text == "atext"
    assert v.flags == frozenset()


def test_confusables_inside_latin_words_are_folded_and_flagged() -> None:
    # "Thаnks fоr fоllоwing" with Cyrillic а and о.
    v = view("Th\u0430nks f\u043er f\u043ell\u043ewing")
    assert v.text == "Thanks for following"
    assert "confusables" in v.flags


def test_plain_russian_sentence_is_untouched() -> None:
    sentence = "Привет, как дела? Сегодня хорошая погода, пойдём гулять."
    v = view(sentence)
    assert v.text == sentence
    assert "confusables" not in v.flags
    assert v.flags == frozenset()


def test_plain_greek_sentence_is_untouched() -> None:
    sentence = "Καλημέρα, τι κάνεις σήμερα;"
    v = view(sentence)
    assert v.text == sentence
    assert "confusables" not in v.flags


def test_cyrillic_word_next_to_latin_word_is_not_folded() -> None:
    # Mixing happens per word: a Russian word beside an English one is left alone.
    v = view("Рим is nice")
    assert v.text == "Рим is nice"
    assert "confusables" not in v.flags


@pytest.mark.parametrize(
    "raw",
    [
        "Telegram-канал",
        "Подпишись на мой Telegram-канал, там всё",
        "Видела тебя в Instagram-е",
        "YouTube-канал",
        "QR-код",
        "купи SIM-карту",
        "Wi-Fi-пароль на холодильнике",
        "PDF-файл",
        "Almaty-ге барамын",
        "Привiт! Як справи? Коли будеш у Києвi?",  # Latin i for the Ukrainian і
        "Яке гарне мiсто, тi люди",
        "Привет,Sam! Как дела?",
        "https://школа.рф/расписание",
        "ivan@почта.рф",
        "α-helix",
        "TNF-α and IFN-γ",
        "TNFα, PPARγ2 and 5α-reductase",
        "ρ=1000kg/m³ and ν=50Hz",
        "say /ɡʊd/",
    ],
)
def test_words_of_other_scripts_beside_latin_are_not_folded(raw: str) -> None:
    v = view(raw)
    assert v.text == unicodedata.normalize("NFKC", raw)
    assert v.flags == frozenset()


_LATIN_PREFIX = st.from_regex(r"[A-Za-z]{1,10}(-[A-Za-z]{1,6})?", fullmatch=True)
_CYRILLIC_WORD = st.from_regex(r"[а-яёА-ЯЁіїєґІЇЄҐ]{1,12}", fullmatch=True)


@settings(max_examples=200, deadline=None)
@given(_LATIN_PREFIX, st.sampled_from("-,./=@:"), _CYRILLIC_WORD)
def test_a_cyrillic_word_after_a_latin_one_keeps_its_letters(
    latin: str, separator: str, cyrillic: str
) -> None:
    v = view(f"{latin}{separator}{cyrillic} {cyrillic}{separator}{latin}")
    assert "confusables" not in v.flags
    assert v.text.count(cyrillic) == 2


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"[асекмпортхуАСЕКМОРТХ]{1,10}", fullmatch=True), st.data())
def test_one_stray_latin_letter_in_a_cyrillic_word_is_no_trick(word: str, data) -> None:
    at = data.draw(st.integers(0, len(word)))
    stray = data.draw(st.sampled_from("iIaeoc"))
    raw = "Дякую, " + word[:at] + stray + word[at:] + " буде"
    v = view(raw)
    assert v.text == raw
    assert "confusables" not in v.flags


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("\u0501\u043ew, thanks for the follow", "dow, thanks for the follow"),  # ԁоw
        ("C\u04cf\u0430\u0456m now", "Claim now"),  # Cӏаіm: Latin letters the fewer
        ("N\u03bfw or never", "Now or never"),
        ("f0l\u04cf0w back", "f0ll0w back"),  # digits inside a run
        ("t\u043e all my fans", "to all my fans"),
    ],
)
def test_latin_words_in_disguise_are_folded_and_flagged(raw: str, text: str) -> None:
    v = view(raw)
    assert v.text == text
    assert "confusables" in v.flags


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"[a-z]{3,12}", fullmatch=True), st.data())
def test_a_latin_word_with_a_look_alike_swapped_in_is_folded_and_flagged(word: str, data) -> None:
    swappable = [i for i, ch in enumerate(word) if ch in HOMOGLYPHS]
    assume(swappable)
    at = data.draw(st.sampled_from(swappable))
    look_alike = data.draw(st.sampled_from(HOMOGLYPHS[word[at]]))
    v = view(f"Claim {word[:at]}{look_alike}{word[at + 1 :]} now")
    assert v.text == f"Claim {word} now"
    assert "confusables" in v.flags


def test_whitespace_and_controls_collapse_to_single_spaces() -> None:
    v = view("  a \t\n\r b\x00\x07c\x7f  ")
    assert v.text == "a b c"


def test_truncation_at_max_chars_is_flagged() -> None:
    v = view("x" * (MAX_CHARS + 10))
    assert len(v.text) == MAX_CHARS
    assert "truncated" in v.flags
    assert v.original_length == MAX_CHARS + 10


def test_exactly_max_chars_is_not_truncated() -> None:
    v = view("y" * MAX_CHARS)
    assert len(v.text) == MAX_CHARS
    assert "truncated" not in v.flags


def test_nfkc_expansion_is_truncated_too() -> None:
    # U+FDFA expands to 18 code points under NFKC.
    v = view("\ufdfa" * 300)
    assert len(v.text) <= MAX_CHARS
    assert "truncated" in v.flags


# ---------------------------------------------------------------------------------------------
# Masking
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "masked"),
    [
        ("Hi Maria, thanks", "hi <name>, thanks"),
        ("Hey Alex! welcome", "hey <name>! welcome"),
        ("Dear John", "dear <name>"),
        ("thanks Maria!", "thanks <name>!"),
        ("Hola José, gracias", "hola <name>, gracias"),
        # Glued to the next clause (CJK text puts no space after its full-width comma).
        ("Hey Sam，想了解下", "hey <name>,想了解下"),
        ("Hi Tom,long time", "hi <name>,long time"),
        ("see you Friday,ok", "see you <day>,ok"),
        # Names joined by a hyphen or an apostrophe.
        ("Hi Jean-Luc, welcome", "hi <name>, welcome"),
        ("Hey O'Brien!", "hey <name>!"),
        ("Hi e-mail me", "hi e-mail me"),
        ("Hi I'm Sam", "hi i'm sam"),
        ("HEY I'M SAM", "hey i'm sam"),
        ("HI DON'T MISS OUT", "hi don't miss out"),
        ("Hi Jean-Luc,thanks", "hi <name>,thanks"),
        ("Hi Harish's rent", "hi harish's rent"),
        ("Hi Check-in today", "hi check-in today"),
        # Where Chinese, Japanese and Korean put a name: next to 你好, before さん or 님.
        ("你好Sam，感谢关注", "你好<name>,感谢关注"),
        ("Sam你好，好久不见", "<name>你好,好久不见"),
        ("Samさん、ありがとう", "<name>さん、ありがとう"),
        ("안녕하세요 Sam님", "안녕하세요 <name>님"),
        ("OK你好", "ok你好"),
        ("你好Jean-Luc", "你好<name>"),
        ("你好Paweł，", "你好<name>,"),
        # Nor is a greeting, a company before 様, or a word glued to a digit.
        ("Hello 你好！", "hello 你好!"),
        ("嗨 Thanks for the follow", "嗨 thanks for the follow"),
        ("Apple様、いつも", "apple様、いつも"),
        ("1Samさん", "1samさん"),
        # An emoji between the greeting and the name.
        ("Hi 👋 Maria, welcome", "hi 👋 <name>, welcome"),
        ("Hi ❤️ Maria", "hi ❤️ <name>"),
        ("Hi 👋, Maria", "hi 👋, <name>"),
        ("Hi Maria؟", "hi <name>؟"),
        ("Hi 👋🏽 Maria", "hi 👋🏽 <name>"),
        # "there" or a title between the greeting and the name, and more greetings.
        ("Hi there Sam!", "hi there <name>!"),
        ("Hi there, Sam", "hi there, <name>"),
        ("Hello Mr Smith", "hello mr <name>"),
        ("Hi Dr. Lee, thanks", "hi dr. <name>, thanks"),
        ("Good morning Sam!", "good morning <name>!"),
        ("Howdy Sam", "howdy <name>"),
        ("Привет Sam!", "привет <name>!"),
        ("Hi there! Long time", "hi there! long time"),
        ("Hi there Check out my page", "hi there check out my page"),
        ("Hi Mr", "hi mr"),
        ("Hi there. Sam", "hi there. sam"),
        ("Hi there? Sam", "hi there? sam"),
        ("Hi Mr! Click here", "hi mr! click here"),
        ("Hi Dr.", "hi dr."),
        ("Morning Sam", "morning <name>"),
        ("Good evening Sam", "good evening <name>"),
        ("gm Sam", "gm <name>"),
        ("Buenas Diego", "buenas <name>"),
        # A surname that ends the greeting joins the name: one <name>.
        ("Hi Sam Smith", "hi <name>"),
        ("Hello John Doe!", "hello <name>!"),
        ("Hi Sam Smith, are you coming?", "hi <name>, are you coming?"),
        ("Hi Anna Lee 👋", "hi <name> 👋"),
        ("Hello Mr Smith Jones!", "hello mr <name>!"),
        # A capitalised word that goes on, a second one, or a weekday is no surname; nor is
        # a word in capitals, in brackets or after a name glued to punctuation.
        ("Hey Sam Bitcoin is up", "hey <name> bitcoin is up"),
        ("Hey Sam Happy Tuesday", "hey <name> happy <day>"),
        ("Hi Sam GIVEAWAY!", "hi <name> giveaway!"),
        ("Hi Sam (Smith)", "hi <name> (smith)"),
        ("Hi Sam,check Bitcoin!", "hi <name>,check bitcoin!"),
        ("Hi Sam:Free Bitcoin!", "hi <name>:free bitcoin!"),
        ("Hi Sam Thanks!", "hi <name> thanks!"),
        ("Hi Sam Smith Jones", "hi <name> smith jones"),
        ("Hi Sam Monday", "hi <name> <day>"),
        ("Hi Sam, Smith", "hi <name>, smith"),
        ("Hi Sam Follow back!", "hi <name> follow back!"),
        # A time of day greets only at the start or after "good".
        ("this morning Click here", "this morning click here"),
        ("see you this evening Sam", "see you this evening sam"),
        # Family, friends and groups are greeted too, in any language (German capitalises
        # every noun); and titles in other languages come before a name.
        ("Hallo Zusammen, wer kommt?", "hallo zusammen, wer kommt?"),
        ("Hallo Schatz, bin gleich da", "hallo schatz, bin gleich da"),
        ("Hi Mom, running late", "hi mom, running late"),
        ("Hola Chicos!", "hola chicos!"),
        ("Merhaba Abi, müsait misin?", "merhaba abi, müsait misin?"),
        ("Ciao Ragazzi", "ciao ragazzi"),
        ("Olá Pessoal, quem vem?", "olá pessoal, quem vem?"),
        ("Hallo Frau Dr. Schmidt, danke", "hallo frau dr. <name>, danke"),
        ("Bonjour Madame Roux", "bonjour madame <name>"),
        ("Bonjour Madame, merci", "bonjour madame, merci"),
        ("Hola Señora García", "hola señora <name>"),
        ("Halo Kak Dewi, besok jadi?", "halo kak <name>, besok jadi?"),
        # Nor is the word a call to action opens with a name, after any greeting.
        ("Hi Follow me back please", "hi follow me back please"),
        ("Good morning Follow me back", "good morning follow me back"),
        ("Hi there, Join my team", "hi there, join my team"),
        ("Hey Mr Free followers here", "hey mr free followers here"),
        # A Latin name after an Arabic greeting or vocative.
        ("أهلاً Pablo، شكراً", "أهلا <name>، شكرا"),  # Arabic points are dropped
        ("السلام عليكم يا Oksana", "السلام عليكم يا <name>"),
        # A lowercase word after a greeting is not a name.
        ("Hi maria", "hi maria"),
        ("hi there", "hi there"),
        # Nor are the capitalised words that follow a greeting in everyday writing.
        ("Thank You so much", "thank you so much"),
        ("Hi All, quick update", "hi all, quick update"),
        ("Hi There!", "hi there!"),
        ("Thanks Everyone", "thanks everyone"),
        ("Hi, I used the code", "hi, i used the code"),
        ("Hi All,quick update", "hi all,quick update"),
        ("Hi 👋 Check out my page", "hi 👋 check out my page"),
        ("Hey, Just checking in", "hey, just checking in"),
        # Nor is the first word of the next sentence.
        ("Hi! Long time no see", "hi! long time no see"),
        ("Thanks. Great to hear", "thanks. great to hear"),
        ("Hi ! Long time no see", "hi ! long time no see"),
        ("Hi。Long time no see", "hi。long time no see"),
        # Punctuation is not an emoji: it does not carry the greeting to the next word.
        ("Thanks - Brilliant", "thanks - brilliant"),
        ("Thanks :) Amazing", "thanks :) amazing"),
    ],
)
def test_names_after_greetings_are_masked(message: str, masked: str) -> None:
    assert view(message).masked == masked


def test_name_masking_makes_two_greetings_identical() -> None:
    assert (
        view("Hi Alex, thanks for the follow!").masked
        == view("Hi Maria, thanks for the follow!").masked
    )


def test_handles_emails_urls_numbers_and_weekdays_are_masked() -> None:
    v = view("Hey @bob_1 mail me at a.b@c.com https://x.com/a on Monday at 5:30 for $20")
    assert v.masked == "hey <user> mail me at <email> <url> on <day> at <num> for <num>"
    assert v.handles == 1
    assert v.emails == 1
    assert [link.text for link in v.links] == ["https://x.com/a"]
    assert "<user>" in v.tokens
    assert "<email>" in v.tokens
    assert "<day>" in v.tokens


@pytest.mark.parametrize("day", ["monday", "Tuesday", "WEDNESDAY", "sunday"])
def test_weekdays_are_masked_in_any_case(day: str) -> None:
    assert view(f"see you {day}!").masked == "see you <day>!"


@pytest.mark.parametrize("message", ["version 1.2.3", "€100", "call me at 12:30", "3,000.50 total"])
def test_numbers_are_masked(message: str) -> None:
    assert "<num>" in view(message).masked
    assert not re.search(r"\d", view(message).masked)


@pytest.mark.parametrize(
    ("message", "masked"),
    [
        ("Zalo của mình là @minh.nguyen nhé", "zalo của mình là <user> nhé"),
        ("follow @the.bakery_co.uk!", "follow <user>!"),
        ("ping @sam.", "ping <user>."),
        ("ping @sam. See you", "ping <user>. see you"),
        ("ask @sam... or me", "ask <user>... or me"),
        ("@a.b.c", "<user>"),
    ],
)
def test_a_handle_with_dots_is_one_handle(message: str, masked: str) -> None:
    v = view(message)
    assert v.masked == masked
    assert v.handles == 1


def test_email_is_not_a_link() -> None:
    v = view("write to Foo.Bar+x@Example.co.uk please")
    assert v.emails == 1
    assert v.links == ()
    assert v.masked == "write to <email> please"


def test_mask_template_slots() -> None:
    assert (
        mask_template("Hi {name}, thanks! {url} {handle} {number} {day}")
        == "hi <name>, thanks! <url> <user> <num> <day>"
    )


def test_mask_template_matches_a_rendered_message() -> None:
    template = "Hi {name}, my course has {number} lessons, see {url} on {day}"
    message = "Hi Bob, my course has 12 lessons, see https://a.example.com/x on Friday"
    assert mask_template(template) == view(message).masked


# ---------------------------------------------------------------------------------------------
# Links
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "link_text", "host"),
    [
        ("Thanks! Check my page: bit . ly/abc9Xq", "bit.ly/abc9Xq", "bit.ly"),
        ("claim at example[.]com/boost now", "example.com/boost", "example.com"),
        ("claim at example(dot)com today", "example.com", "example.com"),
        ("verify: hxxp://example.org/verify", "http://example.org/verify", "example.org"),
        ("see hxxps://evil.xyz/a", "https://evil.xyz/a", "evil.xyz"),
        # Ideographic full stops, which browsers read as dots in a host name.
        ("Thanks! Check my page: bit\u3002ly/abc9Xq", "bit.ly/abc9Xq", "bit.ly"),
        ("grab it: bit\uff61ly/abc9Xq", "bit.ly/abc9Xq", "bit.ly"),
        ("verify at https://evil\u3002shop/a", "https://evil.shop/a", "evil.shop"),
    ],
)
def test_obfuscated_links_are_found_and_flagged(message: str, link_text: str, host: str) -> None:
    v = view(message)
    assert [link.text for link in v.links] == [link_text]
    assert v.links[0].host == host
    assert "obfuscated_link" in v.flags
    assert "<url>" in v.masked


def test_plain_link_is_not_flagged_as_obfuscated() -> None:
    v = view("see https://example.com/x and www.example.org")
    assert len(v.links) == 2
    assert "obfuscated_link" not in v.flags


@pytest.mark.parametrize(
    "message",
    [
        "run setup.py first",
        "then ./run.sh",
        "edit README.md",
        "node.js rocks",
        "a.b",
        "I sent you the backup.zip",
        "here's the video.mov",
        "check main.tf and vars.tf",
    ],
)
def test_file_names_are_not_links(message: str) -> None:
    assert view(message).links == ()


@pytest.mark.parametrize(
    "message",
    [
        "Just saw your message.it was fine",
        "ok see you at home.in a bit",
        "sorry its my mistake.my bad",
        "goodnight, with all her.love",
        "I'll reply.Be there at 5",
        "saw the news.By the way, call me",
        "you won! Quiz.Win big",
        "haha.lol",
        "see you at 7.lol",
        "I'm at work.work is busy",
        "good game everyone.gg",
        "aku pergi.ke pasar",
        "oo nga.sa bahay na lang",
        "can someone.help me",
    ],
)
def test_words_run_together_at_a_full_stop_are_not_links(message: str) -> None:
    v = view(message)
    assert v.links == ()
    assert "<url>" not in v.masked


@pytest.mark.parametrize(
    ("message", "host"),
    [
        ("grab it on amzn.to", "amzn.to"),  # a known host needs no path
        ("our shop: miosito.it/saldi", "miosito.it"),  # a path makes it a link
        ("mehr auf meinshop.de", "meinshop.de"),  # a country's TLD that is not a word
        ("VISIT FIREPA.COM NOW", "firepa.com"),  # all capitals, the TLD too
        ("new on PocketBabe.co.uk", "pocketbabe.co.uk"),
    ],
)
def test_bare_domains_that_read_as_words_are_links_where_something_says_so(
    message: str, host: str
) -> None:
    assert [link.host for link in view(message).links] == [host]


@pytest.mark.parametrize(
    ("message", "host", "has_path"),
    [
        ("see docs.python.org/3/ now", "docs.python.org", True),
        ("see docs.python.org", "docs.python.org", False),
        ("docs.rs/foo", "docs.rs", True),
        ("t.co/abc", "t.co", True),
    ],
)
def test_bare_domains_are_links(message: str, host: str, has_path: bool) -> None:
    (link,) = view(message).links
    assert link.host == host
    assert link.has_path is has_path
    assert link.has_scheme is False


def test_www_link_is_found_without_trailing_dot_and_www_is_dropped_from_host() -> None:
    (link,) = view("visit www.example.com/path?x=1.").links
    assert link.text == "www.example.com/path?x=1"
    assert link.host == "example.com"
    assert link.has_path is True


@pytest.mark.parametrize(
    ("message", "host"),
    [
        # Regression: the host was cut at its first colon ("[2001").
        ("see http://[2001:DB8::1]:8080/abc", "[2001:db8::1]"),
        ("see http://[2001:db8::1]/x", "[2001:db8::1]"),
        ("see http://user:pw@example.com:80/x", "example.com"),
    ],
)
def test_a_link_host_is_cut_from_its_port_and_user(message: str, host: str) -> None:
    (link,) = view(message).links
    assert link.host == host


def test_trailing_punctuation_is_not_part_of_a_link() -> None:
    (link,) = view("see google.com.").links
    assert link.text == "google.com"
    assert view("see google.com.").masked == "see <url>."


def test_uppercase_https_scheme_is_a_link() -> None:
    v = view("HTTPS://example.com/x")
    assert [link.host for link in v.links] == ["example.com"]


@pytest.mark.parametrize(
    "message",
    [
        "We lost money last year. Net profit is up this year though.",
        "Call me later. Info is on the board.",
    ],
)
def test_sentence_break_is_not_an_obfuscated_link(message: str) -> None:
    v = view(message)
    assert v.links == ()
    assert "obfuscated_link" not in v.flags


@pytest.mark.parametrize(
    ("message", "links"),
    [
        ("我买了iPhone\u3002很好", []),
        ("日本語です\u3002ok", []),
        ("新しいMac\u3002Com", []),
        # Two sentences typed without a space after the full stop, the second opening with a
        # word that is also a TLD: no path follows, so no link.
        ("see you tomorrow\u3002gl on your exam!", []),
        ("thanks for following me\u3002info about the meetup is in my bio", []),
        ("Haha thanks\u3002io games are addictive lol", []),
        ("Amazon\u3002com、楽天、Yahoo!で買えます", []),
        # A host glued to the text before it is no link, so nothing is rewritten and the
        # plain link after it is not flagged.
        ("今天学了Java\u3002net 是另一个框架 https://example.com", ["https://example.com"]),
        ("我用了Node\u3002js/React", []),  # no common TLD or known host
        # After a scheme, a capital opens the next sentence, not a TLD.
        ("请访问 http://intranet\u3002Thanks for following", ["http://intranet"]),
    ],
)
def test_an_ideographic_full_stop_ending_a_sentence_is_no_dot(
    message: str, links: list[str]
) -> None:
    v = view(message)
    assert [link.text for link in v.links] == links
    assert "obfuscated_link" not in v.flags
    assert "\u3002" in v.masked


@pytest.mark.parametrize(
    ("message", "link_text"),
    [
        ("访问https://baidu\u3002com获取", "https://baidu.com"),
        ("see sub\u3002example\u3002com/x", "sub.example.com/x"),
        ("go http://a\u3002b\u3002c\u3002d\u3002e\u3002com/x", "http://a.b.c.d.e.com/x"),
        # Links in capitals, as spam writes them.
        ("HTTPS://BIT\u3002LY/X", "https://BIT.LY/X"),
        ("Http://Bit\u3002Ly/x", "http://Bit.Ly/x"),
        ("免费领取 HTTP://GIFT\u3002COM/X", "http://GIFT.COM/X"),
        ("grab it: BIT\u3002LY/abc", "BIT.LY/abc"),
        # "www" makes a host a link without a path.
        ("访问 www\u3002google\u3002com", "www.google.com"),
        # Glued to the words around it, as Chinese and Japanese text writes a link.
        ("点击bit\u3002ly/x1Ab领取", "bit.ly/x1Ab"),
        ("关注我linktr\u3002ee/samfit谢谢", "linktr.ee/samfit"),
        ("访问www\u3002example\u3002com了解", "www.example.com"),
    ],
)
def test_every_ideographic_full_stop_of_a_host_is_a_dot(message: str, link_text: str) -> None:
    v = view(message)
    assert [link.text for link in v.links] == [link_text]
    assert "obfuscated_link" in v.flags


# Dots a reader takes for one in a link: middle dots, bullets, dot operators, the katakana
# middle dot (and its half-width form, which NFKC makes it), the Greek ano teleia (NFKC: a
# middle dot), the Arabic and Armenian full stops.
_DOT_LIKES = "\u00b7\u2022\u2219\u22c5\u30fb\uff65\u0387\u2027\u2e31\u2e33\u06d4\u0589\ua78f"


@pytest.mark.parametrize("dot", list(_DOT_LIKES))
def test_a_dot_look_alike_in_a_host_is_a_dot(dot: str) -> None:
    v = view(f"Like my page: bit{dot}ly/x1Ab")
    assert [(link.text, link.host) for link in v.links] == [("bit.ly/x1Ab", "bit.ly")]
    assert "obfuscated_link" in v.flags


@settings(max_examples=150, deadline=None)
@given(
    st.from_regex(r"[a-z][a-z0-9]{0,11}", fullmatch=True),
    st.sampled_from(["com", "net", "org", "io", "ly", "xyz", "info"]),
    st.from_regex(r"/[A-Za-z0-9_~-]{0,12}", fullmatch=True),
    st.sampled_from(list(_DOT_LIKES + "\u3002")),
)
def test_any_host_written_with_a_dot_look_alike_is_that_host(
    label: str, tld: str, path: str, dot: str
) -> None:
    assume(label != "www")  # "www.com" is the host "com"
    v = view(f"grab it: {label}{dot}{tld}{path} now")
    assert [link.host for link in v.links] == [f"{label}.{tld}"]
    assert "obfuscated_link" in v.flags


@pytest.mark.parametrize(
    ("message", "link_text", "host"),
    [
        # A known link host whatever its TLD.
        ("linktr\u00b7ee/samfit", "linktr.ee/samfit", "linktr.ee"),
        ("youtu\u30fbbe/abc12", "youtu.be/abc12", "youtu.be"),
        # After a scheme, any host.
        ("https://example\u00b7shop/free", "https://example.shop/free", "example.shop"),
        # The dot spelt out, or set apart by spaces, before a path: a known link host.
        ("check this out bit dot ly/x1Ab", "bit.ly/x1Ab", "bit.ly"),
        ("visita linktr punto ee/tienda", "linktr.ee/tienda", "linktr.ee"),
        ("bit DOT ly/x1Ab", "bit.ly/x1Ab", "bit.ly"),
        ("grab it at www.amazon.co . uk/dp/B0123", "www.amazon.co.uk/dp/B0123", "amazon.co.uk"),
        # Brackets with spaces inside, and angle brackets.
        ("check this out bit[ . ]ly/x1Ab", "bit.ly/x1Ab", "bit.ly"),
        ("claim at example( dot )com now", "example.com", "example.com"),
        ("bit<dot>ly/x1Ab", "bit.ly/x1Ab", "bit.ly"),
        ("new video youtu . be/abc12", "youtu.be/abc12", "youtu.be"),
        # a known host ends a longer name: a sentence run into it
        ("Hello.bit dot ly/x", "Hello.bit.ly/x", "hello.bit.ly"),
        ("linktr . ee/samfit", "linktr.ee/samfit", "linktr.ee"),
        # A space before the colon of a scheme is put there to dodge filters.
        ("Like my page: https ://bit.ly/x1Ab", "https://bit.ly/x1Ab", "bit.ly"),
        # Commas typed for the dots of a known link host, before a path.
        ("get it at bit,ly/abc12", "bit.ly/abc12", "bit.ly"),
        ("new video: youtu,be/abc12", "youtu.be/abc12", "youtu.be"),
        ("BIT,LY/X1AB", "BIT.LY/X1AB", "bit.ly"),
        ("deal: amazon,co,uk/dp/B0123", "amazon.co.uk/dp/B0123", "amazon.co.uk"),
        ("deal: www,amazon,com/dp/B0123", "www.amazon.com/dp/B0123", "amazon.com"),
        ("https://bit,ly/x1Ab", "https://bit.ly/x1Ab", "bit.ly"),
        ("thanks,bit,ly/x1Ab", "bit.ly/x1Ab", "bit.ly"),  # run into the word before it
        ("so,yes,no,bit,ly/x1Ab", "bit.ly/x1Ab", "bit.ly"),  # or into a list
        ("链接 bit\uff0cly/x1Ab", "bit.ly/x1Ab", "bit.ly"),  # a full-width comma (NFKC)
        ("链接 bit\u3001ly/x1Ab", "bit.ly/x1Ab", "bit.ly"),  # the ideographic comma
        ("رابط bit\u060cly/x1Ab", "bit.ly/x1Ab", "bit.ly"),  # the Arabic comma
        ("点击bit,ly/x1Ab领取", "bit.ly/x1Ab", "bit.ly"),  # glued to unspaced words
        ("get it here...bit,ly/x1Ab", "bit.ly/x1Ab", "bit.ly"),  # after an ellipsis
        ("https//bit,ly/x1Ab", "https://bit.ly/x1Ab", "bit.ly"),  # and a mistyped scheme
        ("my page: linktr,ee/samFit", "linktr.ee/samFit", "linktr.ee"),  # an inner capital
    ],
)
def test_more_obfuscated_links_are_found_and_flagged(
    message: str, link_text: str, host: str
) -> None:
    v = view(message)
    assert [(link.text, link.host) for link in v.links] == [(link_text, host)]
    assert "obfuscated_link" in v.flags


@pytest.mark.parametrize(
    "message",
    [
        "Anem a la col\u00b7lecció d'art",  # Catalan's middle dot
        "ジョン・スミスさんに会いました",
        "Tom\u00b7Jerry\u00b7Spike",
        "eggs \u2022 milk \u2022 bread",
        "my shop\u00b7example/x",  # not a common TLD nor a known host
        "the dot com bubble burst",
        "polka dot to/do list",
        # Prose with "point" or a spaced full stop before a word and a slash.
        "Meet me at the point info/desk at 3",
        "Rendez-vous au point info/accueil du salon",
        "a 5 point net/gross gap",
        "the dot com/dot net era",
        "fine . in/out tomorrow",
        "thanks . it/s fine",
        # Words run into commas and slashes: not a known link host, no path, a space, or a
        # path that holds no id (a digit, or a capital after a small letter).
        "yes,no/maybe",
        "red,green,blue/grey",
        "it,co/founder of the shop",
        "the ratio is 3,ly/2",
        "bit,ly",
        "a bit, ly/x1Ab",
        "a-bit,ly/x1Ab",
        "in,out/shake",
        "we take cash,app/venmo/zelle",
        "a,co/op housing",
        "x,com/twitter is down",
        "line,me/whatsapp",
        "bit,ly/ 12",
        "x\u3001com/twitter",
        "我们\u3001你们/他们",
    ],
)
def test_words_around_a_dot_look_alike_or_a_spelt_dot_stay_words(message: str) -> None:
    v = view(message)
    assert v.links == ()
    assert "obfuscated_link" not in v.flags


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(sorted(domains().link_hosts)),
    st.from_regex(r"/[a-z_~-]{0,6}[0-9][A-Za-z0-9_~-]{0,6}", fullmatch=True),  # an id
    st.sampled_from(["", "see ", "hey,", "👉", "here...", "点击"]),
    st.sampled_from([",", "\u3001", "\u060c"]),
)
def test_any_known_link_host_written_with_commas_is_that_host(
    host: str, path: str, before: str, comma: str
) -> None:
    v = view(f"{before}{host.replace('.', comma)}{path} now")
    assert [link.host for link in v.links] == [host]
    assert "obfuscated_link" in v.flags


@pytest.mark.parametrize(
    "message",
    [
        "check this out https//bit.ly/x1Ab",
        "check this out https:/bit.ly/x1Ab",
        "check this out https:///bit.ly/x1Ab",
        # A phone's keyboard puts a space after a colon.
        "check this out https: //bit.ly/x1Ab",
        "check this out HTTPS//bit.ly/x1Ab",
    ],
)
def test_a_mistyped_scheme_is_a_link_and_no_obfuscation(message: str) -> None:
    v = view(message)
    assert [(link.text, link.host) for link in v.links] == [("https://bit.ly/x1Ab", "bit.ly")]
    assert v.links[0].has_scheme
    assert "obfuscated_link" not in v.flags


@pytest.mark.parametrize(
    ("message", "link_text"),
    [
        ("https//münchen.de/x", "https://münchen.de/x"),
        ("https:/192.168.1.1/admin", "https://192.168.1.1/admin"),
        ("HTTPS: //例子.中国/x", "https://例子.中国/x"),
        # with the host's dots written as look-alikes too: both undone
        ("HTTPS:/EXAMPLE\u3002COM/X", "https://EXAMPLE.COM/X"),
        ("https//bit\u00b7ly/x", "https://bit.ly/x"),
        ("https//bit\u2219ly/x", "https://bit.ly/x"),
    ],
)
def test_a_mistyped_scheme_before_any_host_is_read(message: str, link_text: str) -> None:
    assert [link.text for link in view(message).links] == [link_text]


@pytest.mark.parametrize(
    "message",
    [
        "HTTP/2 is faster",
        "the http:// prefix",
        "an https: link",
        "see the docs at http:/https: both",
        "ls https: /usr/bin",
        "HTTPS: //docs are here",
    ],
)
def test_a_scheme_without_a_host_is_no_link(message: str) -> None:
    assert view(message).links == ()


@pytest.mark.parametrize(
    ("message", "link_text"),
    [
        ("check this out...bit.ly/x1Ab", "bit.ly/x1Ab"),
        ("check this out\u2026bit.ly/x1Ab", "bit.ly/x1Ab"),  # NFKC: "..."
        ("check this out _bit.ly/x1Ab_", "bit.ly/x1Ab"),  # italics in chat apps
        ("check this out __bit.ly/x1Ab__", "bit.ly/x1Ab"),  # underline
        ("so good..example.com", "example.com"),
        ("https://www.ebay.com/itm/__phone__", "https://www.ebay.com/itm/__phone__"),
    ],
)
def test_a_bare_link_after_an_ellipsis_or_an_underscore_is_found(
    message: str, link_text: str
) -> None:
    v = view(message)
    assert [link.text for link in v.links] == [link_text]
    assert "obfuscated_link" not in v.flags


@pytest.mark.parametrize(
    "message",
    [
        "sub.example.com",
        "my-shop.com",
        "files/report.com",
        "a.b.c.d.e.f.com",
        "x@y.com",
        "my_site.com",
        "self._client.app",
    ],
)
def test_a_bare_link_does_not_start_inside_a_host_a_name_or_a_path(message: str) -> None:
    links = view(message).links
    assert [link.text for link in links] in ([], [message])


@pytest.mark.parametrize(
    ("message", "link_text", "host", "masked"),
    [
        (
            "wir treffen uns hier: https://münchen.de/veranstaltungen",
            "https://münchen.de/veranstaltungen",
            "münchen.de",
            "wir treffen uns hier: <url>",
        ),
        ("https://Café-Müller.de", "https://Café-Müller.de", "café-müller.de", "<url>"),
        (
            "网址是https://例子.中国/路径。谢谢",
            "https://例子.中国/路径",
            "例子.中国",
            "网址是<url>。谢谢",
        ),
        (
            "https://hi.wikipedia.org/wiki/भारत देखो",
            "https://hi.wikipedia.org/wiki/भारत",
            "hi.wikipedia.org",
            "<url> देखो",
        ),
        ("ดูที่ https://ไทย.th/ข่าว นะ", "https://ไทย.th/ข่าว", "ไทย.th", "ดูที่ <url> นะ"),
    ],
)
def test_links_with_letters_of_any_script_are_one_link(
    message: str, link_text: str, host: str, masked: str
) -> None:
    v = view(message)
    assert [(link.text, link.host) for link in v.links] == [(link_text, host)]
    assert v.masked == masked


def test_a_link_in_cyrillic_is_one_link_with_its_host() -> None:
    masked, links, _, emails, _ = _finder._mask("сайт https://школа.рф/расписание и ivan@почта.рф")
    assert masked == "сайт <url> и <email>"
    assert [(link.text, link.host, link.has_path) for link in links] == [
        ("https://школа.рф/расписание", "школа.рф", True)
    ]
    assert emails == 1
    assert view("https://школа.рф/расписание").masked == "<url>"
    assert view("пиши на ivan@почта.рф").masked == "пиши на <email>"


@pytest.mark.parametrize(
    ("message", "masked", "link_text"),
    [
        # A word of a script written without spaces, glued to a link, is not part of it.
        ("看https://example.com/abc谢谢", "看<url>谢谢", "https://example.com/abc"),
        ("网址https://example.com，有事找我", "网址<url>,有事找我", "https://example.com"),
        ("https://naver.com에서 봤어", "<url>에서 봤어", "https://naver.com"),
        ("https://example.com/?q=東京 ok", "<url> ok", "https://example.com/?q=東京"),
    ],
)
def test_a_word_glued_to_a_link_stays_out_of_it(message: str, masked: str, link_text: str) -> None:
    v = view(message)
    assert v.masked == masked
    assert [link.text for link in v.links] == [link_text]


@pytest.mark.parametrize(
    ("message", "masked", "link_text"),
    [
        # A link without a scheme starts where a script written without spaces gives way to
        # other letters, as one with a scheme does.
        ("点击bit.ly/x1Ab领取", "点击<url>领取", "bit.ly/x1Ab"),
        ("关注我的频道youtube.com/c/abc谢谢", "关注我的频道<url>谢谢", "youtube.com/c/abc"),
        ("詳しくはexample.com/abcへ", "詳しくは<url>へ", "example.com/abc"),
        ("지금bit.ly/x1Ab에서", "지금<url>에서", "bit.ly/x1Ab"),
        ("请访问taobao.com了解", "请访问<url>了解", "taobao.com"),  # a known host
        ("naver.com에서 봤어", "<url>에서 봤어", "naver.com"),
    ],
)
def test_a_bare_link_glued_to_unspaced_words_is_found(
    message: str, masked: str, link_text: str
) -> None:
    v = view(message)
    assert v.masked == masked
    assert [link.text for link in v.links] == [link_text]


@pytest.mark.parametrize(
    ("message", "masked"),
    [
        ("联系我abc@gmail.com谢谢", "联系我<email>谢谢"),
        ("メールはinfo@example.jpまで", "メールは<email>まで"),
        ("张三@example.com", "<email>"),  # a local part in the glued script, whole
        ("关注我@abc_official", "关注我<user>"),
        ("私の@tanaka_shopをフォロー", "私の<user>をフォロー"),
        ("지금@kim_shop팔로우", "지금<user>팔로우"),
        ("转发给@张三", "转发给<user>"),
    ],
)
def test_an_address_or_handle_glued_to_unspaced_words_leaves_them_out(
    message: str, masked: str
) -> None:
    assert view(message).masked == masked


@pytest.mark.parametrize(
    ("message", "host", "has_path"),
    [
        ("treffen: münchen.de/x", "münchen.de", True),
        ("treffen: münchen.de", "münchen.de", False),
        ("treffen: münchen.de/", "münchen.de", False),
        ("İstanbul.com/a", "i̇stanbul.com", True),
    ],
)
def test_bare_domains_with_letters_of_any_script_are_links(
    message: str, host: str, has_path: bool
) -> None:
    (link,) = view(message).links
    assert (link.host, link.has_path, link.has_scheme) == (host, has_path, False)


@pytest.mark.parametrize(
    "message",
    [
        "школа.рф",  # a TLD outside the list, as "example.invalid" is
        "über.py",  # a file name, as "setup.py" is
        # Glued to unspaced text, only a path or a known host says a name is a domain.
        "请访问example.com了解",
        "学了Java.net",
        "用Node.js写的",
        "例子.com",
        "Schöne.Grüße",
    ],
)
def test_bare_names_with_letters_of_any_script_follow_the_ascii_rules(message: str) -> None:
    assert view(message).links == ()


# ---------------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [b"hi", bytearray(b"hi"), memoryview(b"hi")])
def test_bytes_are_refused_with_a_decoding_hint(bad: object) -> None:
    with pytest.raises(InvalidInputError, match="decode"):
        view(bad)


@pytest.mark.parametrize("bad", [None, 3.5, 42, ["hi"], object()])
def test_non_str_is_refused(bad: object) -> None:
    with pytest.raises(InvalidInputError, match="must be a str"):
        view(bad)


@pytest.mark.parametrize("bad", ["\ud800", "ok \udfff then", "a\ud83d"])
def test_lone_surrogates_are_refused(bad: str) -> None:
    with pytest.raises(InvalidInputError, match="surrogate"):
        view(bad)


def test_empty_text_gives_an_empty_view() -> None:
    v = view("")
    assert v.text == v.masked == ""
    assert v.tokens == ()
    assert v.links == ()
    assert v.flags == frozenset()


# ---------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------

_NO_SURROGATES = st.characters(exclude_categories=("Cs",))
_TRICKY = st.sampled_from(
    list("\u200b\u202e\u00ad\u200f аеорсхуΑΒ.:/[]()@#$%0123456789hxtpsHTTPS𝐅ⓕ🅵\ufdfaİß \n\t")
)
_TEXT = st.text(st.one_of(_NO_SURROGATES, _TRICKY), max_size=300)
_PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_PROPERTY
@given(_TEXT)
def test_view_never_raises_on_text_without_surrogates(message: str) -> None:
    v = view(message)
    assert isinstance(v, TextView)


@_PROPERTY
@given(_TEXT, st.characters(categories=["Cs"]), st.data())
def test_view_raises_only_invalid_input_error(message: str, surrogate: str, data) -> None:
    at = data.draw(st.integers(0, len(message)))
    tainted = message[:at] + surrogate + message[at:]
    with pytest.raises(InvalidInputError, match="surrogate"):
        view(tainted)


@_PROPERTY
@given(st.text(st.characters(), max_size=200))
def test_view_of_any_text_raises_nothing_but_invalid_input(message: str) -> None:
    if any(unicodedata.category(c) == "Cs" for c in message):
        with pytest.raises(InvalidInputError):
            view(message)
    else:
        assert isinstance(view(message), TextView)  # anything raised fails the test


@_PROPERTY
@given(_TEXT)
def test_text_is_bounded_masked_is_lowercase_and_view_is_deterministic(message: str) -> None:
    v = view(message)
    assert len(v.text) <= MAX_CHARS
    assert not re.search("[A-Z]", v.masked)
    assert view(message) == v


_LONG_TEXT = st.builds(
    lambda unit, size: (unit * (MAX_CHARS // len(unit) + 2))[:size],
    st.text(st.one_of(_NO_SURROGATES, _TRICKY), min_size=1, max_size=40),
    st.integers(MAX_CHARS - 50, MAX_CHARS + 200),
)


@settings(max_examples=40, deadline=None)
@given(_LONG_TEXT)
def test_long_text_is_bounded(message: str) -> None:
    v = view(message)
    assert len(v.text) <= MAX_CHARS
    if len(message) > MAX_CHARS:
        assert "truncated" in v.flags


_WORDS = st.from_regex(r"[a-z]{1,10}", fullmatch=True)
_URLS = st.builds(
    lambda host, tld, path: f"https://{host}.{tld}{path}",
    st.from_regex(r"[a-z0-9]{1,12}(\.[a-z0-9]{1,12}){0,2}", fullmatch=True),
    st.sampled_from(["com", "org", "net", "io", "dev", "co.uk"]),
    st.from_regex(r"(/[A-Za-z0-9_~-]{0,12}){0,3}(\?[a-z]{1,5}=[0-9]{1,4})?", fullmatch=True),
)


def _reference_link_count(message: str) -> int:
    """Slow and obviously right: every space-separated piece starting with https:// is a link."""
    count = 0
    for piece in message.split(" "):
        if piece[:8] == "https://":
            count += 1
    return count


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(_WORDS, _URLS), max_size=40))
def test_link_finder_equals_reference_count(pieces: list[str]) -> None:
    message = " ".join(pieces)
    v = view(message)
    assert len(v.links) == _reference_link_count(message)
    assert [link.text for link in v.links] == [p for p in pieces if p.startswith("https://")]
    assert all(link.has_scheme for link in v.links)
    assert v.masked.count("<url>") == len(v.links)


def _alphabet(letters: str) -> str:
    return "".join(c for c in letters if unicodedata.normalize("NFKC", c) == c)


# Letters of several scripts (each keeps its form under NFKC); Devanagari ones with a vowel
# sign, a combining mark. Cyrillic and Greek are left out of messages given to ``view``: in a
# word with Latin letters ("https") the text layer folds their look-alikes to Latin.
_NOT_FOLDED = _alphabet("äöüßéèçñøåłšžőابتثجحخدرسشصعفقلمنهوאבגדהוזחטיכלמנסעפצקרשת")
_SPACED_LETTERS = _NOT_FOLDED + "абвгджзклмнптфцчшщыэюяαβγδζηθκλμνξπρστφχψω"
_GLUED_LETTERS = _alphabet(
    "中国例子北京大学東京ひらがなカタカナ한국어네이버กขคงจฉชซดตถทนบปผพมยรลวสหอ"
)
_MARKED = st.tuples(
    st.sampled_from(_alphabet("कखगचजटडतदनपबमयरलवसह")), st.sampled_from(_alphabet("ािीुूेैोौं"))
).map("".join)


_IDN_TLDS = ("com", "de", "org", "中国", "ไทย")


def _not_www(label: str) -> bool:
    return label != "www"  # dropped from a host


def _idn_label(spaced: str) -> st.SearchStrategy[str]:
    letters = st.one_of(st.sampled_from(spaced), st.sampled_from(_GLUED_LETTERS), _MARKED)
    return st.lists(letters, min_size=2, max_size=12).map("".join)


def _idn_host(spaced: str, tlds: tuple[str, ...]) -> st.SearchStrategy[str]:
    """Labels of letters of several scripts or of ASCII, then a TLD, as "例子.münchen.de"."""
    label = _idn_label(spaced)
    return st.builds(
        lambda labels, tld: ".".join([*labels, tld]),
        st.lists(
            st.one_of(label, st.from_regex(r"[a-z0-9]{2,8}", fullmatch=True).filter(_not_www)),
            min_size=1,
            max_size=3,
        ),
        st.one_of(st.sampled_from(tlds), label),
    )


def _idn_path(spaced: str) -> st.SearchStrategy[str]:
    return st.one_of(st.just(""), _idn_label(spaced).map("/".__add__), st.just("/a?b=1"))


@_PROPERTY
@given(
    st.lists(st.sampled_from(_GLUED_LETTERS), min_size=1, max_size=4).map("".join),
    st.sampled_from(sorted(domains().link_hosts)),
    st.from_regex(r"/[A-Za-z0-9]{1,12}", fullmatch=True),
    st.lists(st.sampled_from(_GLUED_LETTERS), max_size=4).map("".join),
)
def test_a_known_link_glued_between_unspaced_words_is_one_link(
    before: str, host: str, path: str, after: str
) -> None:
    v = view(f"{before}{host}{path}{after}")
    assert [(link.host, link.has_path) for link in v.links] == [(host, True)]
    assert v.masked == f"{before}<url>{after}".casefold()


@_PROPERTY
@given(_idn_host(_SPACED_LETTERS, (*_IDN_TLDS, "рф")), _idn_path(_SPACED_LETTERS), st.booleans())
def test_any_link_with_an_idn_host_is_one_link_with_that_host(
    host: str, path: str, upper: bool
) -> None:
    assume(not (upper and "ß" in host))  # "SS": the ASCII letters a glued word ends a link at
    url = f"https://{host.upper() if upper else host}{path}"
    masked, links, _, _, _ = _finder._mask(f"hier {url} bitte, {url}")
    assert masked == "hier <url> bitte, <url>"
    assert [(link.text, link.host) for link in links] == [(url, url[8:].split("/")[0].lower())] * 2
    assert all(link.has_path is bool(path) for link in links)


@_PROPERTY
@given(_idn_host(_NOT_FOLDED, _IDN_TLDS), _idn_path(_NOT_FOLDED))
def test_a_message_with_an_idn_link_masks_it_whole(host: str, path: str) -> None:
    v = view(f"schau mal: https://{host}{path} !")
    assert v.masked == "schau mal: <url> !"
    assert [link.host for link in v.links] == [host]


@_PROPERTY
@given(
    st.lists(st.one_of(st.sampled_from(_SPACED_LETTERS), _MARKED), min_size=2, max_size=12).map(
        "".join
    ),
    st.sampled_from(["com", "de", "org"]),
    st.from_regex(r"[a-z0-9]{1,6}", fullmatch=True),
)
def test_any_bare_idn_domain_with_a_known_tld_is_a_link(label: str, tld: str, path: str) -> None:
    masked, links, _, _, _ = _finder._mask(f"see {label}.{tld}/{path} now")
    assert masked == "see <url> now"
    assert [(link.host, link.has_path) for link in links] == [(f"{label}.{tld}".lower(), True)]


_DIGIT_RUNS = st.text(st.sampled_from("0123456789０１２３４５６７８９"), min_size=1, max_size=31)


@_PROPERTY
@given(st.sampled_from(_GLUED_LETTERS), _DIGIT_RUNS, st.sampled_from(_GLUED_LETTERS))
def test_any_digit_run_between_two_letters_of_unspaced_scripts_is_masked(
    before: str, digits: str, after: str
) -> None:
    v = view(f"{before}{digits}{after}")
    assert v.masked == f"{before}<num>{after}"
    assert v.number_shapes == (f"<num{min(len(digits), 8)}>",)


@_PROPERTY
@given(
    st.sampled_from(_GLUED_LETTERS),
    st.from_regex(r"[A-Za-z]{1,8}", fullmatch=True),
    _DIGIT_RUNS,
    st.sampled_from(_GLUED_LETTERS),
    st.booleans(),
)
def test_a_number_glued_to_latin_letters_is_not_masked_between_unspaced_words(
    before: str, word: str, digits: str, after: str, digits_first: bool
) -> None:
    glued = digits + word if digits_first else word + digits
    assert "<num" not in view(f"{before}{glued}{after}").masked
    assert "<num" not in view(glued).masked


# At most 30 characters, as on Instagram.
_DOTTED_HANDLES = st.from_regex(r"[a-z0-9_]{1,6}(\.[a-z0-9_]{1,6}){1,3}", fullmatch=True)


@_PROPERTY
@given(_DOTTED_HANDLES, st.sampled_from(["", ".", "!", ",", "...", " ok", ". Ok"]))
def test_a_dotted_handle_is_one_handle(handle: str, after: str) -> None:
    v = view(f"follow @{handle}{after}")
    assert v.masked == f"follow <user>{after.lower()}"
    assert v.handles == 1


# ---------------------------------------------------------------------------------------------
# Shortcuts: each cheap pre-check must never skip work that would have changed something
# ---------------------------------------------------------------------------------------------

_HINTY = st.lists(
    st.one_of(
        st.text(st.one_of(_NO_SURROGATES, _TRICKY), max_size=6),
        st.sampled_from(["hi ", "Hey ", "THANKS ", "olá ", "monday", "Friday.", "(hi)", "www."]),
    ),
    max_size=20,
).map("".join)


@_PROPERTY
@given(st.one_of(_HINTY, _TEXT))
def test_scanning_candidate_words_finds_what_scanning_the_text_finds(text: str) -> None:
    text = " ".join(text.split())  # as _normalise leaves it: single spaces
    expected = [(m.span(), m.lastgroup) for m in _finder._FINDER_RE.finditer(text)]
    assert [(m.span(), m.lastgroup) for m in _finder._finder_matches(text)] == expected


_MIXED_SCRIPTS = st.lists(
    st.one_of(
        st.sampled_from(list(_SPACED_LETTERS + _GLUED_LETTERS + "0123456789.,:/@-_ aZ")),
        st.sampled_from(["https://", "www.", ".com", ".de", "，", "。", "भा"]),
    ),
    max_size=40,
).map("".join)


@_PROPERTY
@given(_MIXED_SCRIPTS)
def test_scanning_candidate_words_of_any_script_finds_what_scanning_the_text_finds(
    text: str,
) -> None:
    text = " ".join(text.split())
    expected = [(m.span(), m.lastgroup) for m in _finder._FINDER_RE.finditer(text)]
    assert [(m.span(), m.lastgroup) for m in _finder._finder_matches(text)] == expected


@_PROPERTY
@given(_HINTY)
def test_text_without_a_name_hint_holds_no_greeting_or_weekday(text: str) -> None:
    if not _names._NAME_HINT_RE.search(text):
        cores = {w.strip(".,!?;:'\"()").lower() for w in text.split(" ")}
        cores |= {c.rstrip(",") for c in cores}
        assert not cores & (_names._GREETINGS | _names._WEEKDAYS)


@_PROPERTY
@given(st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=80))
def test_ascii_leet_check_equals_the_token_rule(text: str) -> None:
    tokens = _text.tokenize(text)
    by_tokens = any(not t.isalpha() and not t.isdigit() and t.isalnum() for t in tokens)
    assert bool(_text._LETTER_DIGIT_RE.search(text)) == by_tokens


@pytest.mark.parametrize(
    ("message", "shapes"),
    [
        ("call 07700900123 now", ("<num8>",)),
        ("txt WIN to 87121, only £1,000 or $5", ("<num5>", "<num£4>", "<num$1>")),
        ("see you at 12:30", ("<num4>",)),
        ("no numbers here", ()),
    ],
)
def test_numbers_keep_their_shape_apart_from_the_masked_text(
    message: str, shapes: tuple[str, ...]
) -> None:
    v = view(message)
    assert v.number_shapes == shapes
    assert [t for t in v.shaped_tokens if t.startswith("<num")] == list(shapes)
    assert "<num>" in v.masked or not shapes  # the masked text itself is unchanged


def test_a_typed_placeholder_is_not_given_a_shape() -> None:
    v = view("the <NUM> tag, then 42")
    assert v.number_shapes == ("<num>", "<num2>")
    assert [t for t in v.shaped_tokens if t.startswith("<num")] == ["<num>", "<num2>"]


@pytest.mark.parametrize(
    ("message", "masked", "shapes"),
    [
        ("我的电话是13812345678，有事打给我", "我的电话是<num>有事打给我", ("<num8>",)),
        ("明天3点见", "明天<num>点见", ("<num1>",)),
        ("เบอร์ผมคือ0812345678นะครับ", "เบอร์ผมคือ<num>นะครับ", ("<num8>",)),
        (
            "電話は０９０－１２３４－５６７８です",
            "電話は<num>-<num>-<num>です",
            ("<num3>", "<num4>", "<num4>"),
        ),
        ("내일 10시에 봐", "내일 <num>시에 봐", ("<num2>",)),
        ("全场满100减30元", "全场满<num>减<num>元", ("<num3>", "<num2>")),
    ],
)
def test_numbers_touching_words_of_unspaced_scripts_are_masked(
    message: str, masked: str, shapes: tuple[str, ...]
) -> None:
    v = view(message)
    assert v.masked == masked
    assert v.number_shapes == shapes


@pytest.mark.parametrize(
    "message", ["abc123", "mp3", "4k video", "deadbeef12", "买了iPhone15啦", "例abc123例", "v2版"]
)
def test_numbers_glued_to_latin_letters_stay_unmasked(message: str) -> None:
    v = view(message)
    assert "<num" not in v.masked
    assert v.number_shapes == ()


@_PROPERTY
@given(_TEXT)
def test_shaped_tokens_differ_from_plain_tokens_only_at_numbers(message: str) -> None:
    v = view(message)
    assert len(v.shaped_tokens) == len(v.plain_tokens)
    for shaped, plain in zip(v.shaped_tokens, v.plain_tokens, strict=True):
        assert shaped == plain or (plain == "<num>" and shaped.startswith("<num"))
    assert len(v.number_shapes) == v.masked.count("<num>")  # one shape per placeholder


# ---------------------------------------------------------------------------------------------
# A greeting and nothing else
# ---------------------------------------------------------------------------------------------

_GREETINGS_ALONE = [
    "Hi Sam",
    "hey Sam!",
    "Hi Sam 👋",
    "Hello Brazil 😻✌💓",
    "Hi there!",
    "hey hey!!",
    "Good morning!",
    "Good afternoon!",
    "good evening?",
    "Hola Diego!",
    "Oi Júlia!",
    "Sam你好",
    "안녕하세요 Sam님",
    "안녕하세요 민준님!",  # a Hangul name with 님 stays one word, and counts as the name
    "지수님 안녕하세요",
    "こんにちは！",
    "مرحبا Sam",
    "Привет!",
    "Hi Sam :D",
    "hey Sam xD",
    "hi Sam xx",
    "Hi there Sam!",
    "Hello Mr Smith",
    "Hi Ms. Lee!",
    "Good morning Sam!",
    "gm Sam",
    "Hi Sam Smith",
    "Hello John Doe!",
    "Hi Anna Lee 👋",
]
_MORE_THAN_A_GREETING = [
    "Hi Sam, follow back?",
    "Hey Sam! happy birthday",
    "Thanks Sam!",  # a thank-you says more than hello
    "Welcome Sam!",
    "Dear Mrs. Jones,",  # a letter's opening, not a salutation
    "Hi there Follow back",
    "Good morning Follow me back please",
    "Sam!",  # a name alone greets nobody
    "there!",
    "good",
    "good hi",
    "Hi Sam 2",
    "hi https://bit.ly/x",
    "hi @sam_k",  # a handle may be the message ("hi @crypto_signals")
    "Hey Sam! @crypto_signals_vip",
    "hi @a @b @c",
    "Hello Winner Hey Claim Hi Prize",  # each salutation masks a word as a name
    "hey hey hey hey hey",
    "hi :D :D :D :D",  # five words
    "Hi Sam Smith Jones",  # a third name is more
    "안녕하세요 민준님 지수님",  # so is a second Hangul name
    "고객님 안녕하세요",  # a template's "customer" is no name
    "안녕하세요 팔로워님!",
    "안녕하세요 민준님! 팔로우 감사합니다",
    "Hey Sam Happy Tuesday",
    "x",
    "",
]


@pytest.mark.parametrize("text", _GREETINGS_ALONE)
def test_a_greeting_alone_is_greeting_only(text: str) -> None:
    assert _names.greeting_only(view(text).shaped_tokens), view(text).shaped_tokens


@pytest.mark.parametrize("text", _MORE_THAN_A_GREETING)
def test_more_than_a_greeting_is_not_greeting_only(text: str) -> None:
    assert not _names.greeting_only(view(text).shaped_tokens), view(text).shaped_tokens


_SALUTATION = st.sampled_from(sorted(_names._SALUTATIONS))


@given(
    st.lists(_SALUTATION, min_size=1, max_size=2),
    st.booleans(),
    st.sampled_from([(), ("there",), ("good", "morning"), ("good", "evening")]),
    st.lists(st.sampled_from(["!", "?"]), max_size=5),
    st.randoms(use_true_random=False),
    st.text(st.characters(categories=["Ll", "Lo", "Nd"]), min_size=1),
)
def test_greeting_only_is_a_short_salutation_and_no_more(
    salutations: list[str],
    named: bool,
    filler: tuple[str, ...],
    marks: list[str],
    order: random.Random,
    word: str,
) -> None:
    """One or two salutations, at most a name, "there" or a good time of day, any "!" and
    "?" in any order: a greeting alone. A second name, or one word of anything else, makes
    it more."""
    parts: list[tuple[str, ...]] = [(s,) for s in salutations] + [filler] + [(m,) for m in marks]
    if named:
        parts.append(("<name>",))
    order.shuffle(parts)
    tokens = tuple(t for part in parts for t in part)
    if sum(t not in ("!", "?") for t in tokens) <= 4:
        assert _names.greeting_only(tokens)
    assert not _names.greeting_only((*tokens, "<name>", "<name>"))
    greeting_words = _names._SALUTATIONS | _names._GREETED | _names._TIMES_OF_DAY | {"good"}
    if word not in greeting_words:
        where = order.randint(0, len(tokens))
        assert not _names.greeting_only((*tokens[:where], word, *tokens[where:]))
