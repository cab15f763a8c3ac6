"""Each extractor on its own: the shared contract and feature-specific behaviour."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta, timezone
from importlib import resources
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autodm import Context, Signal, load_bundle
from autodm._text import MAX_CHARS, view
from autodm._types import _epoch, as_context
from autodm.errors import InvalidInputError
from autodm.extractors import (
    CallToAction,
    Extractor,
    LinkDensity,
    Template,
    TemplateSimilarity,
    TimingAfterFollow,
    template,
)
from autodm.extractors.cta import phrase_tokens

NAMES = [
    "Ann", "Bob", "Carl", "Dina", "Eve", "Fay", "Gus", "Hal", "Ivy", "Jo",
    "Kim", "Lu", "Max", "Ned", "Oli", "Pam", "Quin", "Rob", "Sue", "Tom",
]  # fmt: skip


@pytest.fixture(scope="module")
def template_similarity() -> TemplateSimilarity:
    return TemplateSimilarity()


@pytest.fixture(scope="module")
def cta() -> CallToAction:
    return CallToAction()


# ---------------------------------------------------------------------------------------------
# The contract, for all four
# ---------------------------------------------------------------------------------------------

EXTRACTORS = {
    "TemplateSimilarity": TemplateSimilarity,
    "LinkDensity": LinkDensity,
    "TimingAfterFollow": TimingAfterFollow,
    "CallToAction": CallToAction,
}
CONTEXTS = {
    "none": None,
    "mapping": {"followed_at": 100, "sent_at": 104, "sender_history": ["hello there", "hi"]},
    "context": Context(followed_at=100, sent_at=104, sender_history=("hello there",)),
    "empty_mapping": {},
}
MESSAGES = [
    "Thanks for the follow! Like my page: bit.ly/x1Ab",
    "hey, are we still on for lunch tomorrow?",
    "",
    "感谢关注！欢迎订阅我的公众号",
    "f0ll0w b4ck pl0x @someone https://example.com/a",
]


@pytest.fixture(scope="module", params=list(EXTRACTORS), ids=list(EXTRACTORS))
def extractor(request: pytest.FixtureRequest) -> Extractor:
    return EXTRACTORS[request.param]()


def test_is_an_extractor(extractor: Extractor) -> None:
    assert isinstance(extractor, Extractor)
    assert isinstance(extractor.feature_names, tuple)
    assert extractor.feature_names, "an extractor needs at least one feature"
    assert len(set(extractor.feature_names)) == len(extractor.feature_names)
    assert all(isinstance(n, str) and n == n.lower() for n in extractor.feature_names)


def test_a_plain_object_without_extract_is_not_an_extractor() -> None:
    class NotOne:
        feature_names = ("x",)

    assert not isinstance(NotOne(), Extractor)


@pytest.mark.parametrize("context", list(CONTEXTS.values()), ids=list(CONTEXTS))
@pytest.mark.parametrize("message", MESSAGES)
def test_extract_honours_the_contract(extractor: Extractor, message: str, context: object) -> None:
    signals = extractor.extract(message, context)
    assert tuple(signals) == extractor.feature_names
    for signal in signals.values():
        assert isinstance(signal, Signal)
        assert isinstance(signal.evidence, str)
        if signal.value is not None:
            assert isinstance(signal.value, float)
            assert math.isfinite(signal.value)


def test_extract_accepts_a_prebuilt_view(extractor: Extractor) -> None:
    message = "Thanks for the follow! Like my page: bit.ly/x1Ab"
    assert extractor.extract(view(message)) == extractor.extract(message)


@pytest.mark.parametrize("bad", [None, b"hi", 3.5, "\ud800"])
def test_extract_refuses_bad_messages(extractor: Extractor, bad: object) -> None:
    with pytest.raises(InvalidInputError):
        extractor.extract(bad)  # type: ignore[arg-type]


def test_extract_refuses_bad_context(extractor: Extractor) -> None:
    with pytest.raises(InvalidInputError, match="unknown context key"):
        extractor.extract("hi", {"nope": 1})
    with pytest.raises(InvalidInputError):
        extractor.extract("hi", ["not", "a", "context"])  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# TemplateSimilarity
# ---------------------------------------------------------------------------------------------


def _values(signals: dict[str, Signal]) -> dict[str, float | None]:
    return {name: s.value for name, s in signals.items()}


def test_names_are_masked_before_comparing(template_similarity: TemplateSimilarity) -> None:
    alex = template_similarity.extract(
        "Hi Alex, thanks for the follow! Glad to connect with you here."
    )
    maria = template_similarity.extract(
        "Hi Maria, thanks for the follow! Glad to connect with you here."
    )
    assert alex == maria
    assert alex["template_similarity"].value > 0.9


def test_paraphrase_of_a_bank_template_matches_it(
    template_similarity: TemplateSimilarity,
) -> None:
    # en-social-001: "Thanks for the follow! Please also like my Facebook page: {url}"
    paraphrase = "Thank you for the follow! Please like my Facebook page too: https://fb.com/abc"
    template, score = template_similarity.best_match(paraphrase)
    assert template.id == "en-social-001"
    assert template.family == "social_push"
    assert score >= 0.8
    signals = template_similarity.extract(paraphrase)
    assert signals["template_similarity"].value == pytest.approx(score, abs=0.01)
    assert signals["template_similarity"].evidence.startswith("en-social-001")
    assert signals["template_coverage"].value >= 0.5


def test_a_chat_message_is_far_from_every_template(
    template_similarity: TemplateSimilarity,
) -> None:
    signals = template_similarity.extract("are we still on for lunch tomorrow? I'll bring salad")
    assert signals["template_similarity"].value < 0.6
    assert signals["template_coverage"].value < 0.3


def test_history_is_none_without_history(template_similarity: TemplateSimilarity) -> None:
    signals = template_similarity.extract("Hi Zoe, thanks for the follow!")
    assert signals["history_similarity"].value is None
    assert signals["history_duplicates"].value is None


def test_history_duplicates_counts_copies_with_other_names(
    template_similarity: TemplateSimilarity,
) -> None:
    text = (
        "Hi {}, thanks for the follow! Check out my new podcast episode at https://pod.example/ep{}"
    )
    history = [text.format(name, i) for i, name in enumerate(NAMES)]
    history += ["lunch at noon?", "the parser bug is fixed, merging now"]
    signals = template_similarity.extract(text.format("Zoe", 99), {"sender_history": history})
    assert signals["history_duplicates"].value == 20.0
    assert signals["history_similarity"].value == 1.0


def test_history_of_unrelated_messages_has_no_duplicates(
    template_similarity: TemplateSimilarity,
) -> None:
    history = ["lunch at noon tomorrow, the usual place?", "did you see the match last night?"]
    signals = template_similarity.extract(
        "Hi Zoe, thanks for the follow! Check out my new podcast", {"sender_history": history}
    )
    assert signals["history_duplicates"].value == 0.0
    assert 0.0 <= signals["history_similarity"].value < 0.85


@pytest.mark.parametrize("short", ["ok see you then", "lunch at noon?", "thanks!"])
def test_short_texts_never_count_as_duplicates(
    template_similarity: TemplateSimilarity, short: str
) -> None:
    signals = template_similarity.extract(short, {"sender_history": [short] * 10})
    assert signals["history_similarity"].value == 1.0
    # Documented: None ("too short to judge copies"), never a count.
    assert signals["history_duplicates"].value is None


def test_custom_templates_from_mappings_and_template_objects() -> None:
    bank = [
        {
            "id": "shop-1",
            "family": "promo",
            "text": "Hi {name}, {number}% off everything at {url} today",
        },
        Template(id="fb-1", family="follow_back", lang="en", text="Follow me back {name} or else"),
    ]
    ts = TemplateSimilarity(bank)
    assert [t.id for t in ts.templates] == ["shop-1", "fb-1"]
    assert ts.templates[0].lang == "und"
    template, score = ts.best_match("Hi Kim, 40% off everything at shop.example.com today")
    assert (template.id, score) == ("shop-1", 1.0)
    template, _ = ts.best_match("Follow me back Kim or else")
    assert template.id == "fb-1"
    signals = ts.extract("Hi Kim, 40% off everything at shop.example.com today")
    assert signals["template_similarity"].value == 1.0
    assert signals["template_coverage"].value == 1.0


@pytest.mark.parametrize(
    ("change", "match"),
    [
        # Regression: the id was cut at its first space where a verdict names it ("shop").
        ({"id": "shop one"}, "must hold no whitespace"),
        ({"id": ""}, "`id` must be a non-empty str"),
        ({"family": " "}, "`family` must be a non-empty str"),
        ({"lang": None}, "`lang` must be a non-empty str"),  # was read as the str "None"
        ({"text": b"Hi {name}"}, "`text` must be a non-empty str"),
        ({"id": "shop-\ud800"}, "lone surrogate"),
    ],
)
def test_a_template_is_refused_unless_each_field_is_text(
    change: dict[str, object], match: str
) -> None:
    fields = {"id": "shop-1", "family": "promo", "lang": "en", "text": "Hi {name}, 40% off"}
    with pytest.raises(InvalidInputError, match=match):
        TemplateSimilarity([{**fields, **change}])
    with pytest.raises(InvalidInputError, match=match):
        Template(**{**fields, **change})  # type: ignore[arg-type]


@pytest.mark.parametrize("templates", [1, "a template", {"id": "x", "family": "f", "text": "t"}])
def test_templates_must_be_a_list_of_templates(templates: object) -> None:
    # Regression: an int raised a bare TypeError; a str or one mapping was read item by item.
    with pytest.raises(InvalidInputError, match="`templates` must be an ordered iterable"):
        TemplateSimilarity(templates)  # type: ignore[arg-type]


def test_excluding_hides_templates_from_extract(template_similarity: TemplateSimilarity) -> None:
    message = "Hey Priya, thanks for the follow! Glad to connect with you here."
    best, _ = template_similarity.best_match(message)
    excluded = template_similarity.excluding(best.family, best.lang)
    assert excluded.size >= 1
    assert all(template_similarity.templates[i].family == best.family for i in excluded)
    plain = template_similarity.extract(message)
    hidden = template_similarity.extract(message, exclude=excluded)
    assert hidden["template_similarity"].value < plain["template_similarity"].value
    assert not hidden["template_similarity"].evidence.startswith(best.id + " ")


@pytest.mark.parametrize(
    "bad",
    [
        [],
        [{"id": "x", "family": "f"}],  # no text
        [{"id": 1, "family": "f", "text": "hi"}],  # id not a str
        [42],
        "just a string",
        [None],
    ],
    ids=["empty", "no-text", "int-id", "int-item", "str-bank", "none-item"],
)
def test_bad_templates_are_refused(bad: object) -> None:
    with pytest.raises(InvalidInputError):
        TemplateSimilarity(bad)  # type: ignore[arg-type]


def test_handle_slot_rendered_verbatim_is_identical() -> None:
    ts = TemplateSimilarity(
        [
            {
                "id": "h",
                "family": "f",
                "text": "Welcome aboard @{handle}! Really appreciate the follow.",
            }
        ]
    )
    signals = ts.extract("Welcome aboard @bob! Really appreciate the follow.")
    assert signals["template_similarity"].value == 1.0


# ---------------------------------------------------------------------------------------------
# LinkDensity
# ---------------------------------------------------------------------------------------------


def _links(message: str) -> dict[str, float | None]:
    return _values(LinkDensity().extract(message))


def test_no_links() -> None:
    values = _links("no links here at all, just words")
    assert all(v == 0.0 for name, v in values.items() if name != "word_count")


@pytest.mark.parametrize(
    ("message", "feature", "host"),
    [
        ("hey check bit.ly/abc when you can", "shortener_link", "bit.ly"),
        ("all my stuff: https://linktr.ee/foo", "shortener_link", "linktr.ee"),
        ("my insta is instagram.com/foo", "social_link", "instagram.com"),
        ("find me at m.facebook.com/page", "social_link", "m.facebook.com"),
        ("buy at amazon.com/dp/x please", "store_link", "amazon.com"),
        ("pay at paypal.me/x", "store_link", "paypal.me"),
        ("verify at truetwit.com/v", "store_link", "truetwit.com"),
        ("visit cheap.xyz/deal", "suspicious_tld", "cheap.xyz"),
        ("win.top/x", "suspicious_tld", "win.top"),
    ],
)
def test_link_kinds(message: str, feature: str, host: str) -> None:
    signals = LinkDensity().extract(message)
    assert signals[feature].value == 1.0
    assert signals[feature].evidence == host
    assert signals["link_count"].value == 1.0


def test_plain_link_has_no_kind() -> None:
    values = _links("the doc is at https://example.com/docs/q3 have a look")
    assert values["link_count"] == 1.0
    for feature in (
        "shortener_link",
        "social_link",
        "store_link",
        "obfuscated_link",
        "suspicious_tld",
    ):
        assert values[feature] == 0.0


@pytest.mark.parametrize(
    "message",
    ["grab it at bit . ly/3xYzAb", "claim at example[.]com/boost", "go hxxp://example.org/v"],
)
def test_obfuscated_link(message: str) -> None:
    values = _links(message)
    assert values["obfuscated_link"] == 1.0
    assert values["link_count"] == 1.0


def test_word_count_is_log1p_of_the_words() -> None:
    # Words are tokens that are not links, handles, numbers or symbols.
    signal = LinkDensity().extract("hey @bob see https://x.example.com/a at 5 pm !!")["word_count"]
    assert signal.value == pytest.approx(math.log1p(4))  # hey, see, at, pm
    assert signal.evidence == "4 words"
    assert LinkDensity().extract("")["word_count"].value == 0.0
    assert LinkDensity().extract("Welcome!")["word_count"].evidence == "1 word"


def test_link_density_says_how_many_links_in_how_many_tokens() -> None:
    signals = LinkDensity().extract("see https://a.example.com/x and https://b.example.com/y")
    assert signals["links_per_token"].value == pytest.approx(2 / 4)
    assert signals["links_per_token"].evidence == "2 links in 4 tokens"
    assert LinkDensity().extract("https://a.example.com/x")["links_per_token"].evidence == (
        "1 link in 1 token"
    )


def test_link_only_and_density() -> None:
    bare = _links("https://a.example.com/x https://b.example.com/y")
    assert bare["link_only"] == 1.0
    assert bare["link_count"] == 2.0
    assert bare["links_per_token"] == 1.0
    chatty = _links(
        "nice to meet you, the link is https://example.com/x and I think you will like it"
    )
    assert chatty["link_only"] == 0.0
    assert chatty["link_count"] == 1.0
    assert 0.0 < chatty["links_per_token"] < 0.2


def test_link_count_is_capped_at_ten() -> None:
    message = " ".join(f"https://site{i}.example.com/p" for i in range(15))
    assert _links(message)["link_count"] == 10.0


# ---------------------------------------------------------------------------------------------
# TimingAfterFollow
# ---------------------------------------------------------------------------------------------


def _delay(context: object) -> float | None:
    return TimingAfterFollow().extract("hi", context)["seconds_after_follow"].value


def test_four_second_delay_from_epoch_seconds() -> None:
    signals = TimingAfterFollow().extract("hi", {"followed_at": 100, "sent_at": 104})
    assert signals["seconds_after_follow"] == Signal(4.0, "sent 4 s after the follow")


@pytest.mark.parametrize(
    "context",
    [
        {"followed_at": "2026-03-02T10:15:00+00:00", "sent_at": "2026-03-02T10:15:04+00:00"},
        {"followed_at": "2026-03-02T10:15:00Z", "sent_at": "2026-03-02T10:15:04Z"},
        # Different offsets, same instants.
        {"followed_at": "2026-03-02T11:15:00+01:00", "sent_at": "2026-03-02T10:15:04+00:00"},
        {
            "followed_at": datetime(2026, 1, 1, tzinfo=UTC),
            "sent_at": datetime(2026, 1, 1, 0, 0, 4, tzinfo=UTC),
        },
        {
            "followed_at": datetime(2026, 1, 1, 2, tzinfo=timezone(timedelta(hours=2))),
            "sent_at": 1767225604.0,
        },
        Context(followed_at=1.5, sent_at=5.5),
    ],
    ids=["iso-offset", "iso-z", "iso-mixed-offsets", "aware-datetimes", "mixed-kinds", "context"],
)
def test_four_second_delay_in_every_accepted_form(context: object) -> None:
    assert _delay(context) == 4.0


@pytest.mark.parametrize(
    "context",
    [None, {}, {"followed_at": 100}, {"sent_at": 100}, Context()],
    ids=["none", "empty", "no-sent", "no-follow", "empty-context"],
)
def test_none_when_a_time_is_missing(context: object) -> None:
    assert _delay(context) is None


def test_none_when_sent_before_the_follow() -> None:
    signal = TimingAfterFollow().extract("hi", {"followed_at": 100, "sent_at": 90})
    assert signal["seconds_after_follow"].value is None
    assert "before the follow" in signal["seconds_after_follow"].evidence


def test_zero_delay_is_not_none() -> None:
    assert _delay({"followed_at": 100, "sent_at": 100}) == 0.0


@pytest.mark.parametrize(
    "context",
    [
        {"followed_at": datetime(2026, 1, 1), "sent_at": 104},
        {"followed_at": 100, "sent_at": datetime(2026, 1, 1, 0, 0, 4)},
        {"followed_at": "2026-03-02T10:15:00", "sent_at": 104},
        {"followed_at": "2026-03-02", "sent_at": 104},
    ],
    ids=["naive-follow", "naive-sent", "iso-no-offset", "date-only"],
)
def test_naive_times_are_refused(context: object) -> None:
    with pytest.raises(InvalidInputError, match=r"timezone-aware|with a UTC offset"):
        TimingAfterFollow().extract("hi", context)


@pytest.mark.parametrize(
    ("value", "glue"), [("2026-03-02+05:30", "+"), ("20260302-0800", "-"), ("2026-03-02z", "z")]
)
def test_a_date_with_an_offset_and_no_time_is_named_as_such(value: str, glue: str) -> None:
    """Python reads any character between a date and a time as their separator:
    "2026-03-02+05:30" was 05:30 with no zone, and refused as naive."""
    with pytest.raises(InvalidInputError, match="'T' \\(or a space\\) between its date") as e:
        TimingAfterFollow().extract("hi", {"followed_at": value, "sent_at": 104})
    assert f"whose {glue!r} after the date" in str(e.value)


def test_a_number_in_a_string_is_not_told_to_put_t_after_a_date() -> None:
    # Found in review: eight digits and a decimal mark read as a date with a separator.
    with pytest.raises(InvalidInputError, match="ISO-8601 timestamp with a UTC offset") as e:
        TimingAfterFollow().extract("hi", {"followed_at": "17000000.5", "sent_at": 104})
    assert "'T'" not in str(e.value)


@settings(max_examples=150, deadline=None)
@given(
    st.datetimes(
        min_value=datetime(1971, 1, 1),
        max_value=datetime(9998, 1, 1),
        timezones=st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30))]),
    ),
    st.characters(codec="ascii").filter(lambda c: not c.isdigit()),
)
def test_an_iso_time_reads_with_t_or_a_space_and_no_other_separator(
    moment: datetime, separator: str
) -> None:
    for sep in ("T", "t", " "):
        assert _epoch("sent_at", moment.isoformat(sep=sep)) == moment.timestamp()
    if separator not in "Tt ":
        with pytest.raises(InvalidInputError, match="between its date and its time"):
            _epoch("sent_at", moment.isoformat(sep=separator))


def test_nat_is_named_as_no_time() -> None:
    """pandas' NaT is a datetime without a zone; it was called a naive datetime."""
    pd = pytest.importorskip("pandas")
    with pytest.raises(InvalidInputError, match="is NaT, which is no time") as caught:
        TimingAfterFollow().extract("hi", {"followed_at": pd.NaT, "sent_at": 104})
    assert "naive" not in str(caught.value)


@pytest.mark.parametrize(
    "value", [True, float("nan"), float("inf"), "1772446504", "yesterday", [1], object()]
)
def test_bad_time_values_are_refused(value: object) -> None:
    with pytest.raises(InvalidInputError):
        TimingAfterFollow().extract("hi", {"followed_at": 0, "sent_at": value})


@pytest.mark.parametrize(
    "exclude",
    [
        [0.5],
        np.array([-1]),
        np.array([10**6]),
        np.array([[0, 1]]),
        "0",
        [True],
        [True, 3],
        [np.True_, 3],
        object(),
    ],
)
def test_excluded_templates_must_be_bank_indices(exclude: Any) -> None:
    with pytest.raises(InvalidInputError, match="bank indices"):
        TemplateSimilarity().extract("thanks for the follow!", exclude=exclude)


def test_excluded_templates_may_be_a_list_or_an_empty_array() -> None:
    ts = TemplateSimilarity()
    message = "Thanks for the follow! Check out my page"
    best = ts.best_match(message)[0]
    index = ts.templates.index(best)
    as_list = ts.extract(message, exclude=[index])
    assert as_list == ts.extract(message, exclude=np.array([index]))
    assert as_list["template_similarity"].value < ts.extract(message)["template_similarity"].value
    assert ts.extract(message, exclude=np.array([], dtype=float)) == ts.extract(message)
    with pytest.raises(InvalidInputError, match="bank indices"):
        ts.extract_many([view(message)], [Context()], exclude=[len(ts.templates)])


def test_history_masks_are_compared_to_max_chars() -> None:
    # Masking lengthens a text of numbers three times over ("1" becomes "<num>"); the
    # comparison, whose cost is the product of two lengths, reads at most MAX_CHARS of each.
    numbers = ("1 " * MAX_CHARS)[:MAX_CHARS]
    assert len(view(numbers).masked) > 2 * MAX_CHARS
    assert len(template._masked(numbers)) == MAX_CHARS
    signals = TemplateSimilarity().extract(numbers[:-1] + "x", {"sender_history": [numbers] * 3})
    assert signals["history_similarity"].value == 1.0
    assert signals["history_duplicates"].value == 3.0


# ---------------------------------------------------------------------------------------------
# CallToAction
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "message",
    [
        "$5 off your first order",
        "US$5 off",
        "US$ 5 off",
        "mail me@example.com",
        "meet @ 5",
        "ping @sam ok",
    ],
)
def test_prices_addresses_and_handles_are_no_leetspeak(message: str) -> None:
    leet = view(message).leet_tokens
    assert leet is None or leet == view(message).tokens


@pytest.mark.parametrize(
    ("message", "feature"),
    [
        ("Hey! I followed you, please follow back 🙏", "cta_follow_back"),
        ("Follow back or I'll unfollow in 24 hours.", "cta_follow_back"),
        ("f0ll0w b4ck pl0x", "cta_follow_back"),
        # "@" and "$" written for letters: between two letters, opening or ending a word.
        ("pls follow b@ck", "cta_follow_back"),
        ("$ubscribe to my channel", "cta_asks"),
        ("like my p@ge!!", "cta_asks"),
        ("cla$$ starts: $ign up now", "cta_asks"),
        ("Thanks for the follow! Have a nice day", "cta_thanks_follow"),
        ("thx for the follow!!", "cta_thanks_follow"),
        ("This account uses TrueTwit. Verify you are human here", "cta_validation"),
        ("Great to connect! — sent via Crowdfire", "cta_tool_signature"),
        ("This is an automated message, do not reply", "cta_tool_signature"),
        ("Use code SAVE10 for 10% off your first order", "cta_promo_code"),
        ("Check out my new ebook, it's free", "cta_self_promo"),
        ("someone is saying bad things about you, look", "cta_lure"),
        # Chinese and Japanese phrases match as substrings (no spaces).
        ("大家好感谢关注我会每天更新", "cta_thanks_follow"),
        ("互关吗？回关一下吧", "cta_follow_back"),
        ("新しいフォローありがとうございます！よろしく", "cta_thanks_follow"),
        ("全商品30%OFF！クーポンコード：THANKS30", "cta_promo_code"),
        # Spanish, German, French.
        ("¡Gracias por seguirme! Un saludo", "cta_thanks_follow"),
        ("Usa el código HOLA10 en la tienda", "cta_promo_code"),
        ("Danke fürs Folgen! Schönen Tag noch", "cta_thanks_follow"),
        ("Ich folge zurück, versprochen", "cta_follow_back"),
        ("Merci pour le follow ! Bonne journée", "cta_thanks_follow"),
        ("Utilisez le code BIENVENUE pour 10 % de réduction", "cta_promo_code"),
    ],
)
def test_phrases_set_their_feature(cta: CallToAction, message: str, feature: str) -> None:
    signals = cta.extract(message)
    assert signals[feature].value == 1.0, cta.matches(message)
    assert signals[feature].evidence


def test_asks_add_up_by_kind(cta: CallToAction) -> None:
    message = "Please like my page, download my app, click here and join my newsletter"
    signals = cta.extract(message)
    assert signals["cta_asks"].value == 4.0
    assert set(cta.matches(message)) >= {"ask_engage", "ask_download", "ask_click", "ask_join"}


def test_plain_chat_has_no_call_to_action(cta: CallToAction) -> None:
    signals = cta.extract("are we still on for lunch tomorrow? I can bring the salad")
    assert all(s.value == 0.0 for s in signals.values())
    assert cta.matches("are we still on for lunch tomorrow?") == {}


def test_phrases_need_whole_tokens(cta: CallToAction) -> None:
    # "follow backs" / "unfollowing" are not the phrase "follow back" / "unfollow you".
    assert "follow_back" not in cta.matches("my follow backstage pass arrived")


def test_language_subset_only_loads_those_lexicons() -> None:
    english = CallToAction(["en"])
    assert english.languages == ("en",)
    assert english.extract("感谢关注！")["cta_thanks_follow"].value == 0.0
    assert english.extract("Thanks for the follow!")["cta_thanks_follow"].value == 1.0
    assert CallToAction(["zh"]).extract("感谢关注！")["cta_thanks_follow"].value == 1.0


def test_all_shipped_languages_load_by_default(cta: CallToAction) -> None:
    assert cta.languages == (
        "ar", "bn", "de", "en", "es", "fr", "hi", "id", "it", "ja", "ko", "pt", "ru", "tr",
        "uk", "zh",
    )  # fmt: skip


@pytest.mark.parametrize("languages", [["xx"], ["en", "klingon"]])
def test_unknown_language_is_refused(languages: object) -> None:
    with pytest.raises(InvalidInputError, match="no call-to-action lexicon"):
        CallToAction(languages)  # type: ignore[arg-type]


@pytest.mark.parametrize("languages", ["en", 5])
def test_languages_must_be_a_list_of_codes(languages: object) -> None:
    # Regression: "en" was read letter by letter ("no lexicon for language 'e'"), and 5
    # raised a bare TypeError.
    with pytest.raises(InvalidInputError, match="`languages` must be an ordered iterable"):
        CallToAction(languages)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("extra_phrases", "match"),
    [
        ({"ask_nicely": ["pretty please"]}, "unknown call-to-action category"),
        # Regression: a str was split into letters, so "a" became a self-promotion phrase.
        ({"self_promo": "my sourdough class"}, "must be a list, tuple or set of phrases"),
        ({"self_promo": None}, "must be a list, tuple or set of phrases"),
        ({"self_promo": [None]}, "must be a non-empty str"),  # was the phrase "None"
        ({"self_promo": [" "]}, "must be a non-empty str"),
        ([("self_promo", ["x"])], "`extra_phrases` must be a mapping"),
        # Phrases that match nothing (emoji are not read), or every link, handle or number.
        ({"ask_click": ["💯"]}, "must hold a word: .* as nothing"),
        ({"ask_visit": ["bit.ly"]}, "must hold a word: .* as <url>"),
        ({"ask_dm": ["@sam"]}, "must hold a word: .* as <user>"),
        ({"promo_code": ["20 %"]}, "must hold a word"),
    ],
)
def test_extra_phrases_are_refused_unless_a_mapping_of_phrases(
    extra_phrases: object, match: str
) -> None:
    with pytest.raises(InvalidInputError, match=match):
        CallToAction(["en"], extra_phrases=extra_phrases)  # type: ignore[arg-type]
    # A set of phrases is taken: their order does not matter.
    assert CallToAction(["en"], extra_phrases={"self_promo": {"my sourdough class"}}).matches(
        "my sourdough class"
    ) == {"self_promo": ["my sourdough class"]}


def test_extra_phrase_with_known_category_is_used() -> None:
    message = "ping me on signal about the collab"
    assert CallToAction(["en"]).extract(message)["cta_asks"].value == 0.0
    extended = CallToAction(["en"], extra_phrases={"ask_dm": ["ping me on signal"]})
    signals = extended.extract(message)
    assert signals["cta_asks"].value == 1.0
    assert signals["cta_asks"].evidence == "ping me on signal"
    assert extended.matches(message) == {"ask_dm": ["ping me on signal"]}


def _lexicon_entries() -> list[tuple[str, str, str]]:
    folder = resources.files("autodm.data").joinpath("lexicons")
    entries = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.startswith("cta_") and entry.name.endswith(".json"):
            lang = entry.name[4:-5]
            categories = json.loads(entry.read_text(encoding="utf-8"))["categories"]
            for category, phrases in categories.items():
                entries.extend((lang, category, phrase) for phrase in phrases)
    return entries


def test_every_lexicon_phrase_matches_itself(cta: CallToAction) -> None:
    entries = _lexicon_entries()
    assert len(entries) > 500
    missed = [
        (lang, category, phrase)
        for lang, category, phrase in entries
        if phrase not in cta.matches(phrase).get(category, [])
    ]
    assert missed == []


@pytest.mark.parametrize(
    "text",
    [
        "see example .COM now, and thanks a lot",  # masking it twice would make "<url>"
        "Thanks 4 the follow!! Check my shop",
        "Merci pour le suivi ! Mon lien : www.exemple.fr",
    ],
)
def test_a_custom_template_covers_a_message_with_its_own_text(text: str) -> None:
    bank = TemplateSimilarity([{"id": "mine", "family": "custom", "text": text}])
    assert bank.extract(text)["template_coverage"].value == 1.0


def test_shipped_phrases_are_tokenised_as_the_text_layer_would() -> None:
    for _, _, phrase in _lexicon_entries():
        folded = " ".join(phrase.casefold().split())
        assert phrase_tokens(folded) == view(folded).tokens, phrase


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=9),
            st.sampled_from(["monday", "friday", "www", "http", "com", "hi", "dm", "i"]),
        ),
        min_size=1,
        max_size=6,
    ).map(" ".join)
)
def test_plain_phrases_take_a_short_cut_to_the_same_tokens(folded: str) -> None:
    assert phrase_tokens(folded) == view(folded).tokens


@pytest.mark.parametrize("phrase", ["100% follow back", "thx 4 the follow", "thanks 4 the follow"])
def test_lexicon_phrase_with_a_number_matches_itself(cta: CallToAction, phrase: str) -> None:
    # Regression: phrases with a standalone number were tokenised unmasked, messages masked.
    assert phrase in [p for found in cta.matches(phrase).values() for p in found]


@pytest.mark.parametrize(
    ("message", "phrase"),
    [
        ("フォローありがとうございます!フォロバ100%です", "フォロバ100"),
        ("フォロバ率99%!", "フォロバ率100"),
    ],
)
def test_a_cjk_phrase_with_a_number_matches_a_message_with_one(
    cta: CallToAction, message: str, phrase: str
) -> None:
    # Numbers against Chinese or Japanese words are masked; so are those of such phrases.
    assert phrase in cta.matches(message).get("follow_back", [])


def test_thx_4_the_follow_is_thanks(cta: CallToAction) -> None:
    signals = cta.extract("Thx 4 the follow! Pls like my page & follow back")
    assert (signals["cta_follow_back"].value, signals["cta_thanks_follow"].value) == (1.0, 1.0)


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        # A thank-you for the follow and a question, nothing else: the shape of a person's note.
        ("thanks for following back! loved your thread, did you use rye?", 1.0),
        ("Grazie per il follow! La tua foto è stupenda, che sentiero hai fatto?", 1.0),
        ("フォローありがとう！どこで撮ったの？", 1.0),  # full-width "？" folds to "?"
        ("شكرا على المتابعة! من وين بتجيب الأقلام؟", 1.0),  # Arabic question mark
        ("Obrigada por seguir de volta! usou polvilho azedo?", 1.0),
        ("Gracias por seguirme! ¿qué lente usaste", 1.0),  # an opening "¿" is enough
        # A follow-back phrase inside the thanks is part of the thanks.
        ("Thanks for the follow back! how was the race?", 1.0),
        ("thanks for the followback! which trail was that?", 1.0),
        ("Danke fürs Zurückfolgen! wie alt ist dein Sauerteig?", 1.0),
        ("Geri takip ettiğin için teşekkürler! hangi atölyeye gidiyosun?", 1.0),
        ("Makasih udah follow balik! pake kamera apa?", 1.0),
        ("感谢回关！你在哪里拍的？", 1.0),
        # No lexicon for the language: a thanks word and the borrowed "follow".
        ("Dzięki za follow! którym szlakiem szedłeś?", 1.0),
        ("Salamat sa pag-follow! Saan mo kinuha yung picture?", 1.0),
        ("Díky za follow back! jak dlouho ho necháváš kynout?", 1.0),
        ("Cảm ơn bạn đã follow nha! chụp ở đâu vậy?", 1.0),
        ("Спасибо за фолоу! где снимал?", 1.0),
        ("Ευχαριστώ για το follow back! σε ποιο γυμναστήριο πας;", 1.0),  # Greek question mark
        ("Makasih banyak udah follow! selalu pergi spot mana?", 1.0),
        ("Merci du follow ! c'était où ?", 1.0),
        # Something more, and it is an ordinary canned thank-you again.
        ("Thanks for the follow! Have you seen my site? example.com", 0.0),
        ("Thanks for the follow! questions? write to me at sam@example.com", 0.0),
        ("Thanks for the follow! Could you follow back?", 0.0),
        ("Thanks for the follow, follow back?", 0.0),
        ("感谢关注！求互关？", 0.0),
        ("Thanks for the follow! have you seen @mybrand?", 0.0),  # a handle pushes an account
        ("thanks for the follow! see profile.php?id=123", 0.0),  # "?" inside an address
        ("welcome to my channel! any questions?", 0.0),  # a welcome is no thanks here
        ("Thanks for connecting! what's your biggest challenge right now?", 0.0),  # nor this
        ("Thanks follow back?", 0.0),  # the borrowed form needs a word between
        ("thank u follow back?", 0.0),
        ("Dzięki za follow up?", 0.0),
        ("Dzięki za follow-up?", 0.0),
        ("Dzięki za follow! like my page?", 0.0),
        ("Dzięki za follow! f0ll0w back?", 0.0),  # a second follow: a demand
        ("Dzięki za followback! follow back?", 0.0),
        ("pretty follow?", 0.0),
        ("Glad to connect! are you the Sam from the gym?", 0.0),  # a connecting opener
        ("Terima kasih, follow balik ya?", 0.0),  # "thanks, follow back": a demand
        ("Dzięki za follow! f4f?", 0.0),  # a swap demand
        ("Dzięki za follow! folow back?", 0.0),  # a misspelt second follow
        ("Thanks for the follow! Follow my backup account?", 0.0),
        ("Thanks! Follow back?", 0.0),  # punctuation between: a demand, not a thanks
        ("Dzięki za follow! follow back?", 0.0),
        ("thanks, I'll follow up tomorrow?", 0.0),
        ("Thanks for the follow! Want 10% off? Use code HI10", 0.0),
        # No question, or no thanks.
        ("Thanks for the follow! Have a great day", 0.0),
        ("did you use rye or just whole wheat?", 0.0),
    ],
)
def test_thanks_then_only_a_question(cta: CallToAction, message: str, expected: float) -> None:
    signal = cta.extract(message)["cta_thanks_question"]
    assert signal.value == expected, cta.matches(message)
    assert bool(signal.evidence) == bool(expected)


def test_the_bundled_model_reads_thanks_then_a_question_as_a_person() -> None:
    # Left out of the sign constraint, the signal learnt a negative weight.
    bundle = load_bundle()
    assert bundle.coef[bundle.features.index("cta_thanks_question")] < 0


#: Fragments of follow thanks, questions, asks, links and plain words, for the property below.
_THANKS_PARTS = "thanks for the follow|!|?|؟|did you|like my page|use code|example.com|a@b.co"
_THANKS_PARTS += "|follow back|感谢关注|？|Sam|photo|@sam|\n"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_THANKS_PARTS.split("|")), max_size=8).map(" ".join))
def test_thanks_question_is_thanks_and_a_question_with_nothing_pushed(message: str) -> None:
    thanks = "thanks for the follow" in message or "感谢关注" in message
    question = any(mark in message for mark in ("?", "？", "؟"))
    pushed = any(
        part in message
        for part in ("like my page", "use code", "example.com", "a@b.co", "follow back", "@sam")
    )
    fires = CallToAction().extract(message)["cta_thanks_question"].value == 1.0
    assert fires == (thanks and question and not pushed)


def test_template_signals_of_a_batch_equal_each_message_alone() -> None:
    """Large batches compare the bank the other way round in rapidfuzz; scores must not move."""
    ts = TemplateSimilarity()
    messages = [
        "Hey Sam, thanks for the follow! Glad to connect with you here.",
        "are we still on for lunch tomorrow?",
        "Use code SAVE20 for 20% off today only",
        "感谢关注！回复1查看最新活动",
        "",
    ] * 4
    views = [view(m) for m in messages]
    contexts = [as_context(None)] * len(views)
    assert ts.extract_many(views, contexts) == [ts.extract(v) for v in views]


@pytest.mark.parametrize(
    "extractor", [LinkDensity(), CallToAction(), TemplateSimilarity(), TimingAfterFollow()]
)
def test_a_caller_changing_its_signals_does_not_change_the_next_message(extractor: Any) -> None:
    """Absent signals are shared objects; the dicts holding them must not be."""
    first = extractor.extract("see you at 6")
    expected = dict(first)
    for name in first:
        first[name] = Signal(123.0, "changed by the caller")
    assert extractor.extract("see you at 6") == expected
