"""Context evidence: delay after the follow, replies, first contact, documented ratios."""

from __future__ import annotations

import math

import pytest

from autodm import Context, Detector, InvalidInputError
from autodm._model import DEFAULT_CONTEXT_EVIDENCE

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


@pytest.mark.parametrize("value", ["yes", 1, 0.0])
def test_conversation_flags_must_be_bools(value: object) -> None:
    with pytest.raises(InvalidInputError, match="True, False or None"):
        Context(first_message=value)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="True, False or None"):
        Context(recipient_wrote_first=value)  # type: ignore[arg-type]
