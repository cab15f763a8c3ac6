"""Context evidence: delay after the follow, replies, first contact, documented ratios."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autodm import Context, Detector, InvalidInputError, classify
from autodm._model import DEFAULT_CONTEXT_EVIDENCE
from autodm._types import as_context

#: These tests train on a dozen messages, too few human ones to measure the target rate;
#: the warning that says so is tested in test_training.py.
pytestmark = pytest.mark.filterwarnings("ignore::autodm.errors.ThinDataWarning")

BORDERLINE = "Hey! We're running a small meetup next week, details here: example.com/meetup"
DAY = 86_400.0


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


@pytest.fixture(scope="module")
def borderline_detector() -> Detector:
    """A detector whose threshold sits one log-odds unit above the text-only score."""
    p0 = Detector().classify(BORDERLINE).probability
    assert 0.001 < p0 < 0.999
    return Detector(threshold=_sigmoid(_logit(p0) + 1.0))


def test_five_seconds_after_the_follow_tips_a_borderline_message(
    borderline_detector: Detector,
) -> None:
    fast = borderline_detector.classify(BORDERLINE, {"followed_at": 0, "sent_at": 5})
    slow = borderline_detector.classify(BORDERLINE, {"followed_at": 0, "sent_at": 3 * DAY})
    alone = borderline_detector.classify(BORDERLINE)
    assert fast.label == "automated"
    assert slow.label == "human"
    assert alone.label == "human"
    assert slow.probability < alone.probability < fast.probability
    delay = {r.code: r for r in fast.reasons}["follow_delay"]
    assert delay.weight == pytest.approx(math.log(6.0), abs=1e-3)
    assert "5 s after you followed" in delay.message


@pytest.mark.parametrize(
    ("seconds", "ratio"),
    [(0, 6.0), (59, 6.0), (60, 2.0), (599, 2.0), (3599, None), (3600, 0.7), (DAY, 0.5)],
)
def test_delay_bins_follow_the_documented_table(seconds: float, ratio: float | None) -> None:
    verdict = Detector().classify(BORDERLINE, {"followed_at": 0, "sent_at": seconds})
    reasons = {r.code: r.weight for r in verdict.reasons}
    if ratio is None:
        assert "follow_delay" not in reasons
    else:
        assert reasons["follow_delay"] == pytest.approx(math.log(ratio), abs=1e-3)


def test_sent_before_the_follow_gives_no_timing_evidence() -> None:
    verdict = Detector().classify(BORDERLINE, {"followed_at": 100, "sent_at": 50})
    assert "follow_delay" not in [r.code for r in verdict.reasons]
    assert verdict.probability == Detector().classify(BORDERLINE).probability


def test_a_reply_and_an_ongoing_conversation_point_to_a_person() -> None:
    detector = Detector()
    alone = detector.classify(BORDERLINE).probability
    reply = detector.classify(BORDERLINE, {"recipient_wrote_first": True})
    ongoing = detector.classify(BORDERLINE, {"first_message": False})
    first = detector.classify(BORDERLINE, {"first_message": True})
    assert reply.probability < alone
    assert ongoing.probability < alone < first.probability
    reply_weight = {r.code: r.weight for r in reply.reasons}["reply"]
    assert reply_weight == pytest.approx(math.log(0.3), abs=1e-3)
    assert "earlier conversation" in {r.code: r.message for r in ongoing.reasons}["first_contact"]
    not_reply = detector.classify(BORDERLINE, {"recipient_wrote_first": False})
    assert not_reply.probability == alone


def test_documented_tables_are_ratios_of_the_code() -> None:
    assert [round(math.exp(x), 2) for x in DEFAULT_CONTEXT_EVIDENCE["first_message"]["log_lr"]] == [
        0.3,
        1.5,
    ]


@pytest.mark.parametrize("value", ["yes", "1", 2, -1, 0.5, float("nan"), np.int64(2), 1j])
def test_conversation_flags_must_be_bools(value: object) -> None:
    with pytest.raises(InvalidInputError, match="True, False, 1, 0 or None"):
        Context(first_message=value)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="True, False, 1, 0 or None"):
        Context(recipient_wrote_first=value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "flag"),
    [
        (1, True),
        (0, False),
        (np.int64(1), True),
        (np.uint8(0), False),
        (1.0, True),
        (np.float32(0.0), False),
    ],
)
def test_one_and_zero_are_flags(value: object, flag: bool) -> None:
    """As a pandas column of 0/1 holds them (1.0/0.0 with gaps), and the command line reads."""
    context = Context(first_message=value, recipient_wrote_first=value)  # type: ignore[arg-type]
    assert context.first_message is flag
    assert context.recipient_wrote_first is flag


def _labelled_with_delays(n: int) -> tuple[list[str], list[str], list[dict[str, float]]]:
    texts, labels, contexts = [], [], []
    for i in range(n):
        texts.append(f"Thanks for the follow {i}! Like my page bit.ly/p{i}")
        labels.append("automated")
        contexts.append({"followed_at": 0.0, "sent_at": 1.0 + i % 50})
        texts.append(f"are we still on for lunch on day {i}? bring the book")
        labels.append("human")
        contexts.append({"followed_at": 0.0, "sent_at": 7200.0 + 1000.0 * i})
    return texts, labels, contexts


def test_train_learns_delay_ratios_from_labelled_context() -> None:
    from autodm import train

    texts, labels, contexts = _labelled_with_delays(40)
    bundle = train(texts, labels, contexts, cv=3)
    origin = bundle.manifest["training"]["context_evidence"]
    assert origin["seconds_after_follow"].startswith("learned from 40 automated and 40 human")
    assert origin["history_duplicates"].startswith("default")
    ratios = [math.exp(x) for x in bundle.context_evidence["seconds_after_follow"]["log_lr"]]
    # Add-one smoothing over 5 bins: every automated delay is under a minute, every human
    # one over an hour.
    assert ratios[0] == pytest.approx((41 / 45) / (1 / 45))
    assert ratios[1] == pytest.approx(1.0)
    assert ratios[3] < 1.0


def test_train_keeps_defaults_without_enough_context() -> None:
    from autodm import train

    texts, labels, contexts = _labelled_with_delays(10)
    bundle = train(texts, labels, contexts, cv=3)
    table = bundle.context_evidence["seconds_after_follow"]
    assert table == DEFAULT_CONTEXT_EVIDENCE["seconds_after_follow"]


def test_train_stores_given_tables() -> None:
    from autodm import train

    texts, labels, _ = _labelled_with_delays(10)
    given = {"seconds_after_follow": {"edges": [0.0, 30.0], "log_lr": [2.0, 0.0]}}
    bundle = train(texts, labels, cv=3, context_evidence=given)
    assert bundle.context_evidence["seconds_after_follow"] == given["seconds_after_follow"]
    verdict = Detector(bundle).classify(BORDERLINE, {"followed_at": 0, "sent_at": 5})
    assert {r.code: r.weight for r in verdict.reasons}["follow_delay"] == pytest.approx(2.0)


_SURROGATE = st.characters(categories=["Cs"])
_TEXT = st.text(st.one_of(st.characters(), _SURROGATE), max_size=12)


def _has_surrogate(text: str) -> bool:
    return any("\ud800" <= c <= "\udfff" for c in text)


@settings(max_examples=100, deadline=None)
@given(field=st.sampled_from(["sender_id", "recipient_id", "platform"]), value=_TEXT)
def test_ids_with_lone_surrogates_are_refused_by_name(field: str, value: str) -> None:
    if _has_surrogate(value):
        with pytest.raises(InvalidInputError, match=f"`{field}` holds lone surrogate"):
            Context(**{field: value})  # type: ignore[arg-type]
    else:
        assert getattr(Context(**{field: value}), field) == value  # type: ignore[arg-type]


@pytest.mark.parametrize("field", ["sender_id", "recipient_id"])
def test_ids_are_bounded_in_length(field: str) -> None:
    # A memory keeps up to millions of ids; one of a megabyte each would exhaust it.
    assert getattr(Context(**{field: "x" * 1024}), field) == "x" * 1024  # type: ignore[arg-type]
    assert getattr(Context(**{field: 10**1023}), field) == str(10**1023)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match=f"`{field}` must be an id of at most 1,024"):
        Context(**{field: "x" * 1025})  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="at most 1,024 characters or digits"):
        Context(**{field: 10**1024})  # type: ignore[arg-type]


@pytest.mark.parametrize("field", ["sender_id", "recipient_id"])
def test_whole_number_float_ids_are_read_as_ints(field: str) -> None:
    # Regression: an int id as pandas writes a column with gaps to JSON ("12345.0") was
    # refused by classify and the command line, though classify_frame read it as 12345.
    assert getattr(Context(**{field: 12345.0}), field) == "12345"  # type: ignore[arg-type]
    assert getattr(Context(**{field: np.float64(-7.0)}), field) == "-7"  # type: ignore[arg-type]
    assert getattr(Context(**{field: 2.0**53 - 1}), field) == str(2**53 - 1)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match=f"`{field}` is the float .* Int64"):
        Context(**{field: 2.0**53})  # type: ignore[arg-type]
    for bad in (1.5, math.nan, math.inf):
        with pytest.raises(InvalidInputError, match=f"`{field}` must be a str or int id"):
            Context(**{field: bad})  # type: ignore[arg-type]


def test_unknown_keys_are_named_safely_and_boundedly() -> None:
    with pytest.raises(InvalidInputError, match=r"\['int of 16610 bits'\]"):
        as_context({10**5000: 1})
    with pytest.raises(InvalidInputError, match=r"'k09'\] and 20 more; accepted"):
        as_context({f"k{i:02}": 1 for i in range(30)})
    with pytest.raises(InvalidInputError) as error:
        as_context({"x" * 1_000_000: 1})
    assert len(str(error.value)) < 300


@settings(max_examples=100, deadline=None)
@given(history=st.lists(_TEXT, max_size=6))
def test_history_with_lone_surrogates_names_the_first_bad_item(history: list[str]) -> None:
    bad = [i for i, text in enumerate(history) if _has_surrogate(text)]
    if bad:
        with pytest.raises(InvalidInputError, match=rf"`sender_history\[{bad[0]}\]` holds lone"):
            Context(sender_history=history)
        with pytest.raises(InvalidInputError, match=rf"`sender_history\[{bad[0]}\]` holds lone"):
            classify("Hi Sam! Thanks for the follow", {"sender_history": history})
    else:
        assert Context(sender_history=history).sender_history == tuple(history)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: Context(foo=1), r"unknown context key\(s\) \['foo'\]; accepted keys are \["),
        (lambda: Context(sender="a", sent=5), r"\['sender', 'sent'\]; accepted keys are"),
        (lambda: Context(5), r"keyword arguments only, with keys \['first_message'"),
        (lambda: Context("a", sender_id="b"), "Got 1 positional argument"),
    ],
    ids=["unknown", "two-unknown", "positional", "positional-and-keyword"],
)
def test_constructor_mistakes_are_typed_and_list_the_keys(call: object, match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        call()  # type: ignore[operator]


def test_unknown_keys_read_alike_as_keyword_or_mapping() -> None:
    with pytest.raises(InvalidInputError) as keyword:
        Context(sent=5)  # type: ignore[call-arg]
    with pytest.raises(InvalidInputError) as mapping:
        classify("hi", {"sent": 5})
    assert str(keyword.value) == str(mapping.value)


@pytest.mark.parametrize(
    "history",
    [{"b", "a"}, frozenset({"a"}), {"a": "x", "b": "y"}, {"a": "x"}.keys(), "ab", b"ab"],
    ids=["set", "frozenset", "dict", "keys", "str", "bytes"],
)
def test_unordered_or_string_histories_are_refused(history: object) -> None:
    with pytest.raises(InvalidInputError, match="ordered iterable of str"):
        Context(sender_history=history)  # type: ignore[arg-type]


def test_ordered_iterables_keep_their_order_as_history() -> None:
    def sent() -> Iterator[str]:
        yield from ("first", "second", "third")

    assert Context(sender_history=sent()).sender_history == ("first", "second", "third")
    assert Context(sender_history={"k": "only"}.values()).sender_history == ("only",)
    assert Context(sender_history=np.array(["a", "b"])).sender_history == ("a", "b")


@pytest.mark.parametrize("value", [np.int64(5), np.int32(5), np.uint16(5), np.float32(5.0)])
def test_numpy_numbers_are_epoch_seconds(value: object) -> None:
    context = Context(sent_at=value, followed_at=value)  # type: ignore[arg-type]
    assert context.sent_at == context.followed_at == 5.0
    assert type(context.sent_at) is float


LAST = datetime.max.replace(tzinfo=UTC).timestamp() + 86_400  # the year 9999's end anywhere


@given(
    st.one_of(
        st.floats(min_value=-LAST, max_value=LAST),
        st.integers(min_value=-int(LAST), max_value=int(LAST)),
        st.datetimes(
            timezones=st.builds(
                timezone,
                st.timedeltas(
                    min_value=timedelta(hours=-23, minutes=-59),
                    max_value=timedelta(hours=23, minutes=59),
                ),
            )
        ),
    )
)
def test_epoch_seconds_up_to_the_year_9999_are_taken_as_given(value: object) -> None:
    context = Context(sent_at=value)  # type: ignore[arg-type]
    expected = value.timestamp() if isinstance(value, datetime) else float(value)  # type: ignore[arg-type]
    assert context.sent_at == expected
    # Every time a Context holds can be given back to it as a number.
    assert Context(sent_at=context.sent_at).sent_at == expected


@given(
    st.one_of(
        st.floats(min_value=LAST, exclude_min=True, allow_infinity=False),
        st.floats(max_value=-LAST, exclude_max=True, allow_infinity=False),
        st.integers(min_value=int(LAST) + 1, max_value=10**300),
    )
)
def test_epoch_values_past_the_year_9999_are_refused_as_milliseconds(value: float) -> None:
    with pytest.raises(InvalidInputError, match="milliseconds"):
        Context(followed_at=value)


def test_epoch_milliseconds_are_refused_not_read_as_a_far_future() -> None:
    # JavaScript and most platform APIs give epoch milliseconds; read as seconds, a DM sent
    # 4 s after the follow would be "20 million days" later, evidence for a person.
    follow, sent = 1_772_446_500_000, 1_772_446_504_000
    for bad in ({"followed_at": follow, "sent_at": sent}, {"sent_at": np.int64(sent)}):
        with pytest.raises(InvalidInputError, match="divide by 1000"):
            classify("Thanks for following! Check out my course", bad)  # type: ignore[arg-type]
    seconds = classify("hi", {"followed_at": follow / 1000, "sent_at": sent / 1000})
    assert any(r.code == "follow_delay" and r.weight > 0 for r in seconds.reasons)


def test_numpy_datetimes_are_refused() -> None:
    with pytest.raises(InvalidInputError, match="timezone-aware datetime"):
        Context(sent_at=np.datetime64("2026-03-02T10:15:04"))  # type: ignore[arg-type]


def test_a_long_history_generator_keeps_its_last_items_and_names_a_bad_one() -> None:
    context = Context(sender_history=(f"message {i}" for i in range(5000)))
    assert len(context.sender_history) == 1000
    assert context.sender_history[0] == "message 4000"
    assert context.sender_history[-1] == "message 4999"
    bad = (f"message {i}" if i != 2500 else 7 for i in range(5000))
    with pytest.raises(InvalidInputError, match=r"`sender_history\[2500\]` is int 7"):
        Context(sender_history=bad)


def test_numpy_booleans_are_flags() -> None:
    context = Context(first_message=np.True_, recipient_wrote_first=np.False_)  # type: ignore[arg-type]
    assert context.first_message is True
    assert context.recipient_wrote_first is False
    with pytest.raises(InvalidInputError, match="True, False, 1, 0 or None"):
        Context(first_message=np.int64(3))  # type: ignore[arg-type]
