"""Property tests: whatever text, context or timestamp arrives, autodm answers or says why.

Every ``autodm.classify`` call either returns a valid verdict (probability finite in
[0, 1], label consistent with the threshold, the same verdict on a second call,
``to_dict()`` JSON-serialisable) or raises a subclass of ``autodm.AutoDMError``; never
anything else. ``SenderMemory.observe`` and ``group_campaigns`` are held to the same
rule. The text strategies cover every Unicode category (lone surrogates ``Cs``
included), combining marks, right-to-left scripts and bidi controls, emoji ZWJ
sequences, control and zero-width characters; contexts mix accepted and unknown keys
with None, bools, ints, floats (nan and inf included), strings, naive and aware
datetimes and lists.

The example counts are modest so the suite stays fast; ``HYPOTHESIS_PROFILE=fuzz``
(registered in conftest.py) runs each property with many more examples. The longer,
hypothesis-free run is ``python benchmarks/fuzz.py``.

Inputs that once broke the rule (ints beyond float range or longer than Python's
4,300-digit int-to-str limit, similarities below 1e-300, non-iterable ``messages``/
``senders``) are pinned by the regression tests at the end with their exact inputs; the
property strategies still keep to ordinary ranges so that they explore everything else.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from dataclasses import fields
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import autodm
from autodm.testing import EMOJI, HOMOGLYPHS, KINDS, perturb

T = TypeVar("T")

FUZZING = os.environ.get("HYPOTHESIS_PROFILE") == "fuzz"


def _settings(examples: int) -> settings:
    """``examples`` examples, or the ``fuzz`` profile's count under HYPOTHESIS_PROFILE=fuzz."""
    if FUZZING:
        return settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
    return settings(
        max_examples=examples, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )


CONTEXT_KEYS = tuple(f.name for f in fields(autodm.Context))
UNKNOWN_KEYS = ("sent", "sender", "followed", "", "SENDER_ID", "text", "__class__")
CASES_DIR = Path(__file__).resolve().parent / "cases"
GOLDEN = [
    case["text"]
    for name in ("automated.json", "human.json")
    for case in json.loads((CASES_DIR / name).read_text(encoding="utf-8"))
]

# ---------------------------------------------------------------------------- text

#: Every general category, lone surrogates (Cs) and unassigned code points included.
ANY_CHAR = st.characters(exclude_categories=())
SPECIALS = st.sampled_from(
    [
        *"\u0301\u0308\u0327\u20dd\u1ab0",  # combining marks
        *"שלוםمرحباܐ",  # right-to-left letters
        *"\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c",
        *"\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e",  # zero-width and invisible
        *"\x00\x07\x1b\x7f\x85\x9f\t\n\r\x0b\x0c\u2028\u2029",  # controls and separators
        *"".join(HOMOGLYPHS.values()),  # look-alike letters
        *"ＦＲＥＥ𝐅𝐑𝐄𝐄ⓕ🅵ﷺ㌀⑴",  # fullwidth, styled, NFKC expanders
        *EMOJI,
        "👨\u200d👩\u200d👧\u200d👦",  # emoji ZWJ sequences, skin tones, flags, keycaps
        "🏳\ufe0f\u200d🌈",
        "👍🏽",
        "🇺🇳",
        "1\ufe0f\u20e3",
        "http://",
        "hxxp[:]//",
        "www.",
        "bit . ly/",
        "example[.]com",
        "(dot)",
        "@",
        "@a",
        "a@b.co",
        "1.2,3",
        "$9",
        "<url>",
        "{name}",
        " . ",
        " ",
        ".",
        "/",
    ]
)
TEXT = st.one_of(
    st.text(ANY_CHAR, max_size=200),
    st.lists(st.one_of(SPECIALS, st.text(ANY_CHAR, max_size=4)), max_size=80).map("".join),
    st.builds(perturb, st.sampled_from(GOLDEN), st.sampled_from(KINDS), seed=st.integers(0, 10**6)),
)
MESSAGE = st.one_of(TEXT, st.sampled_from([None, b"hi", bytearray(b"x"), 42, 1.5, ["hi"]]))

# -------------------------------------------------------------------------- values

# Ints within float range: larger ones are covered by the regression tests at the end.
INTS = st.integers(min_value=-(10**300), max_value=10**300)
FLOATS = st.floats()  # nan, inf and -inf included
OFFSETS = st.builds(
    timezone,
    st.timedeltas(
        min_value=timedelta(hours=-23, minutes=-59), max_value=timedelta(hours=23, minutes=59)
    ),
)
NAIVE = st.datetimes()
AWARE = st.datetimes(timezones=st.one_of(st.just(UTC), OFFSETS))
ISO = st.one_of(NAIVE, AWARE).map(datetime.isoformat)
TIMESTAMP = st.one_of(
    AWARE, ISO, st.floats(allow_nan=False, allow_infinity=False), INTS, NAIVE, FLOATS
)
SCALARS = st.one_of(
    st.none(), st.booleans(), INTS, FLOATS, st.text(ANY_CHAR, max_size=20), ISO, NAIVE, AWARE
)
VALUES = st.one_of(
    SCALARS,
    st.lists(st.one_of(TEXT, SCALARS), max_size=6),
    st.lists(SCALARS, max_size=3).map(tuple),
    st.sampled_from([b"raw", {"a": 1}, {1, 2}, 1j, ["hi"] * 1500]),
)
#: A value of the kind each key takes, to reach past validation often.
PLAUSIBLE = {
    "sender_id": st.one_of(st.text(ANY_CHAR, max_size=12), INTS),
    "recipient_id": st.one_of(st.text(ANY_CHAR, max_size=12), INTS),
    "sent_at": TIMESTAMP,
    "followed_at": TIMESTAMP,
    "sender_history": st.lists(TEXT, max_size=6),
    "platform": st.text(ANY_CHAR, max_size=12),
}


def _value_for(key: str) -> st.SearchStrategy[Any]:
    plausible = PLAUSIBLE.get(key, st.booleans())  # keys added later are yes/no flags so far
    return st.one_of(plausible, VALUES)


CONTEXT = st.one_of(
    st.none(),
    st.lists(st.sampled_from(CONTEXT_KEYS + UNKNOWN_KEYS), unique=True, max_size=5).flatmap(
        lambda keys: st.fixed_dictionaries({key: _value_for(key) for key in keys})
    ),
    st.sampled_from(["twitter", 42, ["sender_id"], b"{}"]),
)


def _typed_or(call: Callable[[], T]) -> T | None:
    """Run ``call``: its result, or None for an AutoDMError; any other exception fails."""
    try:
        return call()
    except autodm.AutoDMError:
        return None


def _assert_valid(verdict: autodm.Verdict) -> None:
    assert isinstance(verdict, autodm.Verdict)
    p, threshold = verdict.probability, verdict.threshold
    assert isinstance(p, float)
    assert math.isfinite(p)
    assert 0.0 <= p <= 1.0
    assert verdict.label == ("automated" if p >= threshold else "human")
    assert verdict.is_automated == (verdict.label == "automated")
    json.dumps(verdict.to_dict(), allow_nan=False)
    assert all(isinstance(f, str) for f in verdict.flags)
    assert all(math.isfinite(r.weight) for r in verdict.reasons)


# ---------------------------------------------------------------------- properties


@_settings(300)
@given(message=MESSAGE, context=CONTEXT)
def test_classify_gives_a_verdict_or_a_typed_error(message: Any, context: Any) -> None:
    verdict = _typed_or(lambda: autodm.classify(message, context))
    if verdict is None:
        return
    _assert_valid(verdict)
    again = autodm.classify(message, context)
    assert again.to_dict() == verdict.to_dict()


@_settings(100)
@given(
    message=TEXT,
    kwargs=st.lists(st.sampled_from(CONTEXT_KEYS), unique=True, max_size=6).flatmap(
        lambda keys: st.fixed_dictionaries({key: _value_for(key) for key in keys})
    ),
)
def test_context_objects_give_a_verdict_or_a_typed_error(
    message: str, kwargs: dict[str, Any]
) -> None:
    context = _typed_or(lambda: autodm.Context(**kwargs))
    if context is None:
        return
    verdict = _typed_or(lambda: autodm.classify(message, context))
    if verdict is not None:
        _assert_valid(verdict)


@_settings(100)
@given(message=TEXT, sent_at=TIMESTAMP, followed_at=TIMESTAMP)
def test_timestamps_give_a_verdict_or_a_typed_error(
    message: str, sent_at: Any, followed_at: Any
) -> None:
    context = {"sent_at": sent_at, "followed_at": followed_at, "sender_id": "s"}
    verdict = _typed_or(lambda: autodm.classify(message, context))
    if verdict is not None:
        _assert_valid(verdict)
        assert autodm.classify(message, context).to_dict() == verdict.to_dict()


OBSERVATION = st.tuples(
    st.one_of(st.sampled_from(["a", "b", 1, 2]), PLAUSIBLE["sender_id"], VALUES),
    st.one_of(st.sampled_from(GOLDEN), MESSAGE),
    st.one_of(st.none(), st.sampled_from(["r1", "r2", 3]), PLAUSIBLE["recipient_id"], VALUES),
    st.one_of(st.none(), TIMESTAMP, VALUES),
)


@_settings(100)
@given(observations=st.lists(OBSERVATION, max_size=12))
def test_sender_memory_observe_gives_a_recall_or_a_typed_error(
    observations: list[tuple[Any, Any, Any, Any]],
) -> None:
    memory = autodm.SenderMemory(max_senders=3, max_clusters_per_sender=2, max_recipients=2)
    for sender, text, recipient, at in observations:
        recall = _typed_or(lambda: memory.observe(sender, text, recipient, at))  # noqa: B023
        if recall is not None:
            assert isinstance(recall, autodm.Recall)
            assert recall.other_recipients >= 0
            assert recall.sends >= 0
            assert recall.since is None or isinstance(recall.since, float)
        assert len(memory) <= 3
        assert memory.clusters() <= 3 * 2


SIMILARITY = st.one_of(
    st.floats(min_value=1e-300, max_value=1.0),  # tinier ones: a regression test below
    st.sampled_from([0.85, 1.0, 0.0, -0.5, 1.5, math.nan, math.inf, 1, True, "0.9", None]),
)


@_settings(60)
@given(
    messages=st.lists(st.one_of(st.sampled_from(GOLDEN), MESSAGE), max_size=12),
    senders=st.one_of(st.none(), st.lists(SCALARS, max_size=12)),
    similarity=SIMILARITY,
    min_size=st.one_of(st.integers(-2, 5), st.sampled_from([True, 1.5, "2", None])),
)
def test_group_campaigns_gives_campaigns_or_a_typed_error(
    messages: list[Any], senders: list[Any] | None, similarity: Any, min_size: Any
) -> None:
    kwargs = {"senders": senders, "similarity": similarity, "min_size": min_size}
    campaigns = _typed_or(lambda: autodm.group_campaigns(messages, **kwargs))
    if campaigns is None:
        return
    seen: set[int] = set()
    for campaign in campaigns:
        assert campaign.size == len(campaign.indices) >= min_size
        assert not seen & set(campaign.indices)
        seen |= set(campaign.indices)
        json.dumps(campaign.to_dict())
    assert seen <= set(range(len(messages)))
    assert [c.size for c in campaigns] == sorted((c.size for c in campaigns), reverse=True)


# ------------------------------------------------- fixed bugs, kept as regression tests

_HUGE = 10**5000  # more digits than Python converts to str (4,300 by default)


@pytest.mark.parametrize("key", ["sent_at", "followed_at"])
def test_timestamp_int_beyond_float_range_is_a_typed_error(key: str) -> None:
    with pytest.raises(autodm.AutoDMError):
        autodm.classify("hi", {key: 2**1024})


def test_sender_id_with_too_many_digits_is_a_typed_error() -> None:
    with pytest.raises(autodm.AutoDMError):
        autodm.classify("hi", {"sender_id": _HUGE})


@pytest.mark.parametrize(
    "context",
    [{"platform": _HUGE}, {"sender_history": [_HUGE]}, {"sent_at": [_HUGE]}],
    ids=["platform", "sender_history", "sent_at-list"],
)
def test_error_message_for_a_huge_int_is_a_typed_error(context: dict[str, Any]) -> None:
    with pytest.raises(autodm.AutoDMError):
        autodm.classify("hi", context)


@pytest.mark.parametrize(
    "args",
    [("s", "hi", "r", 2**1024), (_HUGE, "hi", "r", None), ("s", "hi", _HUGE, None)],
    ids=["at", "sender_id", "recipient_id"],
)
def test_sender_memory_huge_ints_are_typed_errors(args: tuple[Any, Any, Any, Any]) -> None:
    with pytest.raises(autodm.AutoDMError):
        autodm.SenderMemory().observe(*args)


def test_sender_memory_huge_ttl_is_a_typed_error() -> None:
    with pytest.raises(autodm.AutoDMError):
        autodm.SenderMemory(ttl=10**400)


def test_tiny_similarity_groups_campaigns() -> None:
    campaigns = autodm.group_campaigns(["hello there friend", "bye"], similarity=5e-324)
    assert sum(c.size for c in campaigns) == 2


@pytest.mark.parametrize(
    "call",
    [
        lambda: autodm.group_campaigns(5),
        lambda: autodm.group_campaigns(None),
        lambda: autodm.group_campaigns(["a", "b"], senders=5),
        # An iterator of senders is read like any ordered iterable; a set has no order.
        lambda: autodm.group_campaigns(["a", "b"], senders={1, 2}),
        lambda: autodm.group_campaigns(["a", "b"], senders=iter([1, 2, 3])),
    ],
    ids=["messages-int", "messages-None", "senders-int", "senders-set", "senders-too-many"],
)
def test_group_campaigns_bad_argument_types_are_typed_errors(call: Callable[[], Any]) -> None:
    with pytest.raises(autodm.AutoDMError):
        call()
