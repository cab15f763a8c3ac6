"""Evasion: auto-DMs rewritten to dodge filters are still caught, and the trick is reported.

The golden auto-DMs (tests/cases/automated.json) are rewritten with every kind of
:func:`autodm.testing.perturb`, with three seeds. For each kind, recall on the rewritten
messages must be at least 95 % of recall on the clean ones, measured here with
``autodm.Detector()``. Hidden letters (look-alikes, zero-width characters) must show in
the verdict's ``flags`` and as an ``obfuscated_text`` reason; a rewritten link must show
as the ``obfuscated_link`` flag. ``python benchmarks/evasion.py`` prints the same figures.

Kinds and inputs the detector misses today are strict expected failures with the
measured figures, so a fix makes the run fail until the mark is removed.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autodm
from autodm._model import OBFUSCATION_FLAGS
from autodm.testing import (
    DIACRITICS,
    DOT_LOOKALIKES,
    EMOJI,
    HOMOGLYPHS,
    KINDS,
    LEET,
    SEPARATORS,
    SMALL_CAPITALS,
    ZERO_WIDTH_SPACE,
    perturb,
)

CASES_DIR = Path(__file__).resolve().parent / "cases"
AUTOMATED: list[dict[str, Any]] = json.loads(
    (CASES_DIR / "automated.json").read_text(encoding="utf-8")
)
SEEDS = (0, 1, 2)
MIN_RATIO = 0.95

# Measured with the bundled model (manifest "created" 2026-11-26T15:42:32Z), seeds 0-2:
# clean recall 92/96 = 0.9583; leetspeak recall 239/288 = 0.8299, ratio 0.866. The n-gram
# ("wording") and template features read the raw tokens; only the call-to-action lexicons
# read the de-leeted ones, e.g. "Ver1fy y0ur 4ccount t0 ke3p m3ss4ging: hxxp://example.org/verify"
# drops from P=0.998 to 0.354.
# Kinds whose recall ratio is known to fall below 0.95, with the measured figures.
# (Leetspeak was here at 0.866 until the n-grams read de-leeted tokens.)
BELOW_RATIO: dict[str, str] = {
    "diacritics": (
        "strewn diacritics are undone in English only: in other languages the templates and "
        "lexicons hold too few words to tell a disguise from a spelling ('cómo', 'como'), "
        "and English words the tables lack ('thrïller') stay as written"
    ),
}

# Golden auto-DMs whose link has a scheme and a host whose top-level domain is not in the
# text layer's short list for " . " (com, net, org, io, ly, ...): perturb writes
# "https://shop . example/ebook"; once missed, now undone after the scheme.
SPACED_LINK_MISSES = {
    "auto-book-01",
    "auto-book-03",
    "auto-deal-01",
    "auto-ctx-03",
    "auto-ctx-es-01",
    "auto-book-fr-01",
    "auto-deal-tr-01",
}

_ZW_BETWEEN_ALNUM = re.compile(f"[A-Za-z0-9]{ZERO_WIDTH_SPACE}[A-Za-z0-9]")


@pytest.fixture(scope="module")
def evasion_detector() -> autodm.Detector:
    return autodm.Detector()


@pytest.fixture(scope="module")
def clean_verdicts(evasion_detector: autodm.Detector) -> list[autodm.Verdict]:
    return [evasion_detector.classify(c["text"], c.get("context")) for c in AUTOMATED]


def _recall(verdicts: list[autodm.Verdict]) -> float:
    return sum(v.is_automated for v in verdicts) / len(verdicts)


def _kind_params() -> list[Any]:
    return [
        pytest.param(
            kind,
            id=kind,
            marks=[pytest.mark.xfail(strict=True, reason=BELOW_RATIO[kind])]
            if kind in BELOW_RATIO
            else [],
        )
        for kind in KINDS
    ]


# ------------------------------------------------------------------------- recall


@pytest.mark.parametrize("kind", _kind_params())
def test_recall_holds_under_perturbation(
    evasion_detector: autodm.Detector, clean_verdicts: list[autodm.Verdict], kind: str
) -> None:
    clean = _recall(clean_verdicts)
    assert clean > 0.9
    perturbed = []
    lost = []
    for seed in SEEDS:
        for case, before in zip(AUTOMATED, clean_verdicts, strict=True):
            text = perturb(case["text"], kind, seed=seed)
            verdict = evasion_detector.classify(text, case.get("context"))
            perturbed.append(verdict)
            if before.is_automated and not verdict.is_automated:
                lost.append(f"{case['id']} seed {seed}: P={verdict.probability:.3f} {text!r}")
    recall = _recall(perturbed)
    assert recall >= MIN_RATIO * clean, (
        f"{kind}: recall {recall:.4f} vs clean {clean:.4f}, ratio {recall / clean:.3f} "
        f"< {MIN_RATIO}; lost: {lost}"
    )


# -------------------------------------------------------------- reported tricks


@pytest.mark.parametrize(
    ("kind", "flag"),
    [
        ("homoglyph", "confusables"),
        ("zero_width", "zero_width"),
        ("small_capitals", "styled_letters"),
    ],
)
def test_hidden_letters_are_flagged_with_a_reason(
    evasion_detector: autodm.Detector, kind: str, flag: str
) -> None:
    checked = 0
    missing = []
    for seed in SEEDS:
        for case in AUTOMATED:
            text = perturb(case["text"], kind, seed=seed)
            if kind in ("homoglyph", "small_capitals") and text == case["text"]:
                continue  # no Latin letter to swap (ar, zh, ja)
            if kind == "zero_width" and not _ZW_BETWEEN_ALNUM.search(text):
                continue  # only inside other scripts' words, where it is part of the writing
            checked += 1
            verdict = evasion_detector.classify(text, case.get("context"))
            codes = [r.code for r in verdict.reasons]
            if flag not in verdict.flags or "obfuscated_text" not in codes:
                missing.append(f"{case['id']} seed {seed}: {verdict.flags} {codes} {text!r}")
    assert checked >= 200
    assert not missing


@pytest.mark.parametrize("kind", ["spaced_letters", "separated_letters"])
def test_spaced_out_words_are_flagged_but_are_no_evidence(
    evasion_detector: autodm.Detector, kind: str
) -> None:
    """People space letters out for emphasis ("S O  H A P P Y") as often as the real data's
    auto-DMs do to dodge a filter, so the joined word is read and the flag reported, but
    the flag itself adds nothing."""
    checked = 0
    missing = []
    for seed in SEEDS:
        for case in AUTOMATED:
            text = perturb(case["text"], kind, seed=seed)
            if text == case["text"]:
                continue  # no word of four letters or more
            checked += 1
            verdict = evasion_detector.classify(text, case.get("context"))
            codes = [r.code for r in verdict.reasons]
            clean = evasion_detector.classify(case["text"], case.get("context"))
            hidden = OBFUSCATION_FLAGS & set(clean.flags)  # the case's own tricks
            if "spaced_letters" not in verdict.flags or ("obfuscated_text" in codes) != bool(
                hidden
            ):
                missing.append(f"{case['id']} seed {seed}: {verdict.flags} {codes} {text!r}")
    assert checked >= 200
    assert not missing


def test_spaced_links_are_flagged(evasion_detector: autodm.Detector) -> None:
    checked = 0
    missing = []
    for case in AUTOMATED:
        if case["id"] in SPACED_LINK_MISSES:
            continue
        links = evasion_detector.features(case["text"], case.get("context"))["link_count"]
        if not links.value or "spaced_letters" in evasion_detector.classify(case["text"]).flags:
            continue  # no link, or one spelt letter by letter, out of perturb's sight
        for seed in SEEDS:
            text = perturb(case["text"], "spaced_link", seed=seed)
            checked += 1
            verdict = evasion_detector.classify(text, case.get("context"))
            if "obfuscated_link" not in verdict.flags:
                missing.append(f"{case['id']} seed {seed}: {verdict.flags} {text!r}")
    assert checked >= 60
    assert not missing


@pytest.mark.parametrize(
    ("kind", "dots"), [("ideographic_dot", "\u3002"), ("dot_lookalike", "".join(DOT_LOOKALIKES))]
)
def test_look_alike_dots_in_links_are_flagged(
    evasion_detector: autodm.Detector, kind: str, dots: str
) -> None:
    """Every rewritten link after a scheme, or to a common TLD with a path, is read as that
    link and flagged; other hosts without a scheme (the golden cases' shop.example) are left
    as text, as two sentences typed without a space would be."""
    checked = 0
    missing = []
    for seed in SEEDS:
        for case in AUTOMATED:
            text = perturb(case["text"], kind, seed=seed)
            hosts = re.findall(rf"(https?://)?[\w{dots}-]+[{dots}](\w+)(/)?", text)
            if not any(
                scheme or (tld in ("com", "net", "org", "io", "ly", "co", "me", "to") and path)
                for scheme, tld, path in hosts
            ):
                continue
            checked += 1
            verdict = evasion_detector.classify(text, case.get("context"))
            if "obfuscated_link" not in verdict.flags:
                missing.append(f"{case['id']} seed {seed}: {verdict.flags} {text!r}")
    assert checked >= 100
    assert not missing


def test_spaced_link_after_a_scheme_is_flagged(evasion_detector: autodm.Detector) -> None:
    texts = ["Grab it: https://myshop . de/sale", "Grab it: https://shop . store/sale"]
    texts += [perturb(c["text"], "spaced_link") for c in AUTOMATED if c["id"] in SPACED_LINK_MISSES]
    assert len(texts) == 2 + len(SPACED_LINK_MISSES)
    unflagged = [t for t in texts if "obfuscated_link" not in evasion_detector.classify(t).flags]
    assert not unflagged


# Look-alikes from Unicode's confusables data (MA table) that the toolkit does not use
# because the text layer does not fold them.
MORE_LOOK_ALIKES = {
    "ρ": "p",
    "ι": "i",
    "υ": "u",
    "γ": "y",
    "σ": "o",
    "ϳ": "j",
    "Ϲ": "C",
    "ѡ": "w",
    "ѵ": "v",
    "ү": "y",
    "У": "Y",
    "Ԝ": "W",
}
_WORDS = "support gift bonus yours follow verify Click enjoy wow YES WIN"


def _word_with(latin: str) -> str:
    return next(w for w in _WORDS.split() if latin in w)


# Look-alikes in the text layer's own confusable table that are never folded: NFKC runs
# first and turns U+03F2 GREEK LUNATE SIGMA SYMBOL into U+03C2 GREEK SMALL LETTER FINAL SIGMA,
# which the table lacks. "Claim your free gift abϲd now" gets no flag at all.
NOT_FOLDED: dict[str, str] = {}


def _toolkit_look_alikes() -> list[Any]:
    return [
        pytest.param(
            look_alike,
            latin,
            id=f"{look_alike}-{unicodedata.name(look_alike)}",
            marks=[pytest.mark.xfail(strict=True, reason=NOT_FOLDED[look_alike])]
            if look_alike in NOT_FOLDED
            else [],
        )
        for latin, options in HOMOGLYPHS.items()
        for look_alike in options
    ]


@pytest.mark.parametrize(("look_alike", "latin"), _toolkit_look_alikes())
def test_every_toolkit_look_alike_is_folded(look_alike: str, latin: str) -> None:
    word = "ab" + latin + "cd"
    text = f"Claim your free gift {word.replace(latin, look_alike)} now"
    verdict = autodm.classify(text)
    assert "confusables" in verdict.flags
    assert "obfuscated_text" in {r.code for r in verdict.reasons}


@pytest.mark.parametrize(
    ("look_alike", "latin"),
    list(MORE_LOOK_ALIKES.items()),
    ids=[f"{a}-{unicodedata.name(a)}" for a in MORE_LOOK_ALIKES],
)
def test_more_look_alikes_are_folded(look_alike: str, latin: str) -> None:
    word = _word_with(latin)
    text = f"Claim your free {word.replace(latin, look_alike, 1)} now"
    assert "confusables" in autodm.classify(text).flags


# ------------------------------------------------------- people's writing is no trick

# What people's phones, keyboards and copy-paste put in a message, beside the same message
# without it: neither may raise an obfuscation flag, and both must score the same.
PEOPLE_WRITE = [
    (
        "شكرا على الدعوة، أكيد سأحضر! رقمي \u202a+966 55 123 4567\u202c",
        "شكرا على الدعوة، أكيد سأحضر! رقمي +966 55 123 4567",
    ),
    (
        "عکس‌ها اینجاست \u2068https://photos.app.goo.gl/abc123\u2069",
        "عکس‌ها اینجاست https://photos.app.goo.gl/abc123",
    ),
    (
        "Thanks for the follow! I saw your post about the con\u00adference, are you going?",
        "Thanks for the follow! I saw your post about the conference, are you going?",
    ),
]


# What people write that looks like a trick and is not: no obfuscation flag.
PEOPLE_WRITE_UNFLAGGED = [
    "Meet me at the \U0001f17f\ufe0f lot near gate B",
    "my blood type is \U0001f170\ufe0f not \U0001f171\ufe0f lol",
    "\u24c2\ufe0f stop, see you there",
    "so f(\U0001d465) = \U0001d465\u00b2 + 1 right?",
    "\U0001d53c[X] = 3",
    "Подпишись на мой Telegram-канал, там всё",
    "Привiт! Як справи? Коли будеш у Києвi?",
    "Привет,Sam! Как дела?",
    "Расписание тут: https://школа.рф/расписание, пиши на ivan@почта.рф",
    "TNF-α and IFN-γ drive the α-helix story; ρ=1000kg/m³ and ν=50Hz",
    "the vowel of 'bit' is /bɪt/, of 'put' /pʊt/, and French has a uvular ʀ",
]


@pytest.mark.parametrize("written", PEOPLE_WRITE_UNFLAGGED)
def test_what_people_write_raises_no_obfuscation_flag(written: str) -> None:
    verdict = autodm.classify(written)
    assert not OBFUSCATION_FLAGS & set(verdict.flags)
    assert "obfuscated_text" not in {r.code for r in verdict.reasons}


def test_styled_letters_spelling_a_word_are_still_flagged() -> None:
    for text in (
        "\U0001d405\U0001d411\U0001d404\U0001d404 followers, just follow back",  # 𝐅𝐑𝐄𝐄
        "\U0001f175\U0001f181\U0001f174\U0001f174 followers, just follow back",  # 🅵🆁🅴🅴
        "ꜰʀᴇᴇ followers, just follow back",
    ):
        verdict = autodm.classify(text)
        assert "styled_letters" in verdict.flags
        assert "obfuscated_text" in {r.code for r in verdict.reasons}


@pytest.mark.parametrize(
    ("styled", "plain"),
    [
        # Regression: small capitals were read as letters of their own, and this scored 0.947.
        (
            "ᴛʜᴀɴᴋꜱ ꜰᴏʀ ᴛʜᴇ ꜰᴏʟʟᴏᴡ! ɢʀᴀʙ ᴍʏ ꜰʀᴇᴇ ᴇ-ʙᴏᴏᴋ: bit.ly/x1Ab",
            "thanks for the follow! grab my free e-book: bit.ly/x1Ab",
        ),
        (
            "Thanks ꜰᴏʀ the ꜰᴏʟʟᴏᴡ, ᴀ ꜰʀᴇᴇ ᴇxᴛʀᴀ for you",
            "Thanks for the follow, a free extra for you",
        ),
        ("ꜰ ʀ ᴇ ᴇ followers", "free followers"),  # spaced out as well
        ("ᴛʜᴀɴᴋꜱ 谢谢关注", "thanks 谢谢关注"),
    ],
)
def test_words_in_small_capitals_read_as_their_letters(styled: str, plain: str) -> None:
    from autodm._text import view

    assert view(styled).masked == view(plain).masked
    assert "styled_letters" in view(styled).flags


@pytest.mark.parametrize(
    ("strewn", "plain"),
    [
        # Regression: strewn diacritics hid the words, and this scored 0.943 (human).
        (
            "Thänks för thé föllöw! Gräb my frèé e-book",
            "thanks for the follow! grab my free e-book",
        ),
        ("THÄNKS FÖR THE FÖLLÖW, Gräb my FRÈÉ book", "THANKS FOR THE FOLLOW, Grab my FREE book"),
        # With a look-alike letter as well (a Cyrillic о): letters first, then words.
        (
            "Thanks för thé föllоw! Gräb my free e-book",
            "thanks for the follow! grab my free e-book",
        ),
        # Marks typed as combining characters, where no precomposed letter exists (f̈, n̈).
        (
            "T\u0308han\u0308ks f\u0308or the f\u0308ollow! Grab my fr\u0308ee e-book",
            "thanks for the follow! grab my free e-book",
        ),
    ],
)
def test_diacritics_strewn_over_words_are_undone(strewn: str, plain: str) -> None:
    from autodm._text import view

    assert view(strewn).masked == view(plain).masked
    verdict = autodm.classify(strewn)
    assert "diacritics" in verdict.flags
    assert "obfuscated_text" in {r.code for r in verdict.reasons}


@pytest.mark.parametrize(
    "written",
    [
        "I love the café near the station, très naïve of me",  # loanwords, not the bank's
        "Merci pour le thé à la menthe",  # French: "thé" and "à" are not strewn English
        "haha thật à, không tin nổi",  # Vietnamese, written with diacritics throughout
        "Gracias por seguirme, está genial",  # spelt as Spanish spells it
        "Danke für das Folgen, schönen Tag!",
        "Takip için teşekkürler, görüşürüz!",
        "Obrigado por me seguir, até já!",
        # Found in review: each was respelt when a language's few table words decided what
        # its spelling was ("cómo", "él", "où", "là", "é", "só" are words, not disguises).
        "¿Qué tal? ¿Cómo estás?",
        "Él está en casa.",
        "Sólo quería saber cómo está.",
        "¡Qué bonito! ¿Cómo se llama?",
        "T'es où ? Je suis là.",
        "Tu es sûr qu'il est là ?",
        "Il a dû oublier, j'en suis sûr.",
        "É só isso.",
        "Ela é de lá.",
        "Eles têm razão, vou à praia.",
        "Chi è? È già là.",
        "Ma dov'è? È là!",
        "İyi misin? İş yoğun mu?",
        "İŞ İÇİN TEŞEKKÜRLER",
        "Soup à la carte, then a rôle in the play.",
        "Mërci pöur l'abonnément ! Clïquez ici",  # strewn French: other languages keep theirs
    ],
)
def test_words_spelt_with_their_own_diacritics_read_as_written(written: str) -> None:
    from autodm._text import view

    assert view(written).text == " ".join(written.split())
    assert "diacritics" not in autodm.classify(written).flags


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_the_bank_and_lexicons_own_spellings_are_never_respelt(data: st.DataObject) -> None:
    # Whatever mix of the words of any language's templates and lexicons, spelt as they
    # spell them, is read as written (found in review: "é lá", two Portuguese words, was
    # respelt when drawn from one language at a time, so the old form of this test passed).
    from autodm._obfuscation import _fold_strewn_diacritics, _spellings

    english, spelt, _ = _spellings()
    forms = sorted(spelt) + sorted(english)
    words = data.draw(st.lists(st.sampled_from(forms), min_size=1, max_size=12))
    text = " ".join(words)
    assert _fold_strewn_diacritics(text) == (text, False)
    assert _fold_strewn_diacritics("é lá") == ("é lá", False)


@pytest.mark.parametrize(
    "written",
    [
        "bɪt",
        "ᴀ",
        "a ʀ and a ɢ",
        # Found in review: IPA letters that are small capitals, two in a word, were folded.
        "partir se prononce /paʀtiʀ/",
        "busy /bɪzɪ/, pity /pɪtɪ/",
    ],
)
def test_small_capitals_fold_only_in_styled_text(written: str) -> None:
    # Phonetics (or a stray small capital) is no styled text: it reads as written.
    from autodm._text import view

    assert view(written).masked == written
    assert "styled_letters" not in view(written).flags


@pytest.mark.parametrize(("written", "plain"), PEOPLE_WRITE)
def test_what_people_write_scores_as_without_it(written: str, plain: str) -> None:
    verdict = autodm.classify(written)
    assert not OBFUSCATION_FLAGS & set(verdict.flags)
    assert verdict.probability == pytest.approx(autodm.classify(plain).probability)


# --------------------------------------------------------------- the toolkit itself

SAMPLE = (
    "Thanks for the follow, Priya! Grab my e-book at https://bit.ly/3xYq9Lm "
    "or mail me@example.com @kenji_t"
)
LINK_PARTS = ("https://bit.ly/3xYq9Lm", "me@example.com", "@kenji_t")


@pytest.mark.parametrize("kind", KINDS)
def test_perturb_is_deterministic_and_changes_the_text(kind: str) -> None:
    results = {perturb(SAMPLE, kind, seed=seed) for seed in range(5)}
    assert all(perturb(SAMPLE, kind, seed=s) == perturb(SAMPLE, kind, seed=s) for s in range(5))
    assert SAMPLE not in results
    link_kinds = ("spaced_link", "ideographic_dot", "dot_lookalike")
    if kind not in link_kinds:
        assert len(results) > 1  # the seed matters
    for text in results:
        kept = [part for part in LINK_PARTS if part in text]
        assert kept == (list(LINK_PARTS[1:]) if kind in link_kinds else list(LINK_PARTS))


def test_each_kind_does_what_it_says() -> None:
    for seed in range(20):
        homoglyph = perturb(SAMPLE, "homoglyph", seed=seed)
        for before, after in zip(SAMPLE.split(" "), homoglyph.split(" "), strict=True):
            if before != after:
                assert re.search("[A-Za-z]", after), after  # a Latin letter is left
                assert all(b == a or a in HOMOGLYPHS[b] for b, a in zip(before, after, strict=True))
        zero_width = perturb(SAMPLE, "zero_width", seed=seed)
        assert zero_width.replace(ZERO_WIDTH_SPACE, "") == SAMPLE
        assert all(
            zero_width[i - 1].isalnum() and zero_width[i + 1].isalnum()
            for i, ch in enumerate(zero_width)
            if ch == ZERO_WIDTH_SPACE
        )
        leet = perturb(SAMPLE, "leetspeak", seed=seed)
        assert len(leet) == len(SAMPLE)
        assert all(b == a or LEET.get(b) == a for b, a in zip(SAMPLE, leet, strict=True))
        noise = perturb(SAMPLE, "case_noise", seed=seed)
        assert noise.lower() == SAMPLE.lower()
        separated = perturb(SAMPLE, "separated_letters", seed=seed)
        for before, after in zip(SAMPLE.split(" "), separated.split(" "), strict=True):
            if before != after:
                assert len(set(before.casefold())) >= 3
                assert after[::2] == before
                assert len(set(after[1::2])) == 1
                assert after[1] in SEPARATORS
        spaced = perturb(SAMPLE, "spaced_letters", seed=seed)
        assert spaced.replace(" ", "") == SAMPLE.replace(" ", "")
        # each word is as it was or spaced out letter by letter, and only words of 4+ letters
        respaced = re.sub(r"(?<!\S)(?:\w )+\w(?!\S)", lambda m: m[0].replace(" ", ""), spaced)
        assert respaced == SAMPLE
        assert all(len(w) >= 4 and w.isalpha() for w in set(SAMPLE.split()) - set(spaced.split()))
        strewn = perturb(SAMPLE, "diacritics", seed=seed)
        changed = 0
        for before, after in zip(SAMPLE.split(" "), strewn.split(" "), strict=True):
            if before != after:
                changed += 1
                assert len(after) == len(before)
                assert all(
                    b == a or a.lower() in DIACRITICS[b.lower()]
                    for b, a in zip(before, after, strict=True)
                )
        assert changed >= 2
        small = perturb(SAMPLE, "small_capitals", seed=seed)
        for before, after in zip(SAMPLE.split(" "), small.split(" "), strict=True):
            if before != after:
                assert before.isalpha()
                assert after == "".join(SMALL_CAPITALS.get(ch.casefold(), ch) for ch in before)
        padded = perturb(SAMPLE, "emoji_padding", seed=seed)
        words = padded.split(" ")
        assert words[0] in EMOJI
        assert words[-1] in EMOJI
        assert [w for w in words if w not in EMOJI] == SAMPLE.split(" ")
    assert perturb("see bit.ly/x1Ab", "spaced_link") == "see bit . ly/x1Ab"
    assert perturb(SAMPLE, "ideographic_dot") == SAMPLE.replace("bit.ly", "bit\u3002ly")
    assert {perturb(SAMPLE, "dot_lookalike", seed=s) for s in range(20)} == {
        SAMPLE.replace("bit.ly", f"bit{dot}ly") for dot in DOT_LOOKALIKES
    }
    assert (
        perturb("see https://www.shop.example.com/a.b or example.com.", "ideographic_dot")
        == "see https://www\u3002shop\u3002example\u3002com/a.b or example\u3002com."
    )
    assert {perturb("see example.com", "spaced_link", seed=s) for s in range(10)} == {
        "see example[.]com",
        "see example(dot)com",
    }


@settings(max_examples=200, deadline=None)
@given(st.text(st.sampled_from("aoecpxyiOSAB \n\t-.,"), max_size=40), st.integers(0, 99))
def test_homoglyph_leaves_every_changed_word_a_latin_letter(text: str, seed: int) -> None:
    # A word is a run of letters, as the text layer reads one: a newline, a tab, a hyphen
    # or a full stop ends it as a space does.
    out = perturb(text, "homoglyph", seed=seed)
    assert len(out) == len(text)
    for run in re.finditer(r"[^\W_]+", text):
        after = out[run.start() : run.end()]
        if after != run.group():
            assert re.search("[A-Za-z]", after), (text, out)


@pytest.mark.parametrize("kind", KINDS)
def test_perturb_leaves_what_it_cannot_change(kind: str) -> None:
    assert perturb("", kind) == ""
    assert perturb("   ", kind) == "   "
    if kind not in ("emoji_padding", "zero_width"):  # CJK letters are letters to those
        assert perturb("谢谢关注！", kind) == "谢谢关注！"


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        ((b"hi", "homoglyph"), {}),
        (("hi", "rot13"), {}),
        (("hi", "homoglyph"), {"seed": 1.5}),
        (("hi", "homoglyph"), {"seed": True}),
        (("\ud800 free stuff", "leetspeak"), {}),  # a lone surrogate is no text
        (("hi", ["leetspeak"]), {}),
    ],
)
def test_perturb_refuses_bad_arguments(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    with pytest.raises(autodm.InvalidInputError):
        perturb(*args, **kwargs)
