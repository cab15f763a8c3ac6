"""SenderMemory: bounds, clustering, persistence, threads, and its use by Detector."""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import autodm._detector
from autodm import Detector, InvalidInputError, SenderMemory
from autodm._text import MAX_MASKED_CHARS, view
from autodm._types import blank
from autodm.extractors.timing import describe_delay

TEMPLATE = "Hi {name}! Thanks for the follow, my new e-book on sourdough is out: bit.ly/x1Ab"
NAMES = [f"Name{chr(65 + i)}" for i in range(26)]
VARIED = [
    "are we still on for the climbing gym on saturday morning?",
    "my sister says the new ramen place near the station is great",
    "can you send me the slides from yesterday's planning meeting",
    "happy birthday!! hope the party was fun, we missed you a lot",
    "the plumber finally came, the kitchen sink works again, hooray",
    "did you finish the book? I need to know what happens to the dog",
]


def test_observe_returns_what_was_known_before() -> None:
    memory = SenderMemory()
    first = memory.observe("bot", TEMPLATE.format(name="Sam"), "sam", at=100)
    assert (first.other_recipients, first.sends, first.since) == (0, 0, None)
    for i, name in enumerate(NAMES[:5]):
        memory.observe("bot", TEMPLATE.format(name=name), name, at=101 + i)
    recall = memory.recall("bot", TEMPLATE.format(name="Zoe"), "zoe", at=200)
    assert recall.other_recipients == 6
    assert recall.sends == 6
    assert recall.since == 100.0
    # The recipient asking is not one of the "other" recipients.
    assert memory.recall("bot", TEMPLATE.format(name="Sam"), "sam", at=200).other_recipients == 5


def test_sends_without_recipient_count_one_each() -> None:
    memory = SenderMemory()
    for name in NAMES[:3]:
        memory.observe("bot", TEMPLATE.format(name=name), at=10)
    assert memory.recall("bot", TEMPLATE.format(name="Zoe"), at=10).other_recipients == 3


def test_same_recipient_twice_is_one_recipient() -> None:
    memory = SenderMemory()
    for _ in range(4):
        memory.observe("bot", TEMPLATE.format(name="Sam"), "sam", at=10)
    recall = memory.recall("bot", TEMPLATE.format(name="Zoe"), "zoe", at=10)
    assert (recall.other_recipients, recall.sends) == (1, 4)


def test_varied_messages_are_not_duplicates() -> None:
    memory = SenderMemory()
    for i, text in enumerate(VARIED[:-1]):
        memory.observe("person", text, f"friend{i}", at=10)
    assert memory.recall("person", VARIED[-1], "friend9", at=10).other_recipients == 0
    assert memory.clusters() == len(VARIED) - 1


def test_short_messages_never_match() -> None:
    memory = SenderMemory()
    for i in range(10):
        memory.observe("person", "ok see you then", f"friend{i}", at=10)
    assert memory.recall("person", "ok see you then", "friend99", at=10).other_recipients == 0
    assert (len(memory), memory.clusters()) == (0, 0)  # never compared, so never kept


def test_short_sends_cannot_push_out_a_template() -> None:
    # Regression: each short send took a cluster of its own, so 32 "thanks!" between a
    # bot's template sends evicted the template and its recipients with it.
    memory = SenderMemory()
    for i, name in enumerate(NAMES[:3]):
        memory.observe("bot", TEMPLATE.format(name=name), name, at=10 + i)
    for i in range(memory.max_clusters_per_sender * 2):
        memory.observe("bot", "thanks!", f"filler{i}", at=20 + i)
    recall = memory.recall("bot", TEMPLATE.format(name="Zoe"), "zoe", at=100)
    assert (recall.other_recipients, recall.sends) == (3, 3)
    assert memory.clusters() == 1


def test_load_drops_short_texts_an_older_file_kept(tmp_path: Path) -> None:
    memory = SenderMemory()
    memory.observe("bot", TEMPLATE.format(name="Sam"), "sam", at=10)
    path = memory.save(tmp_path / "m.json")
    payload = json.loads(path.read_text(encoding="utf-8"))
    short = dict(payload["senders"]["bot"][0], text="thanks!", last_seen=20.0)
    payload["senders"]["bot"].insert(0, short)
    payload["senders"]["person"] = [short]
    path.write_text(json.dumps(payload), encoding="utf-8")
    loaded = SenderMemory.load(path)
    assert (len(loaded), loaded.clusters()) == (1, 1)
    assert loaded.recall("bot", TEMPLATE.format(name="Zoe"), "zoe", at=20).sends == 1


def test_senders_are_separate() -> None:
    memory = SenderMemory()
    memory.observe("bot1", TEMPLATE.format(name="Sam"), "sam", at=10)
    assert memory.recall("bot2", TEMPLATE.format(name="Zoe"), "zoe", at=10).other_recipients == 0


def test_max_senders_evicts_least_recently_seen() -> None:
    memory = SenderMemory(max_senders=3)
    for sender in ["a", "b", "c"]:
        memory.observe(sender, TEMPLATE.format(name="Sam"), "sam", at=10)
    memory.observe("a", TEMPLATE.format(name="Ann"), "ann", at=11)  # "a" is fresh again
    memory.observe("d", TEMPLATE.format(name="Sam"), "sam", at=12)
    assert len(memory) == 3
    assert memory.recall("b", TEMPLATE.format(name="Zoe"), "zoe", at=12).other_recipients == 0
    assert memory.recall("a", TEMPLATE.format(name="Zoe"), "zoe", at=12).other_recipients == 2


def test_max_clusters_per_sender_evicts_least_recently_used() -> None:
    memory = SenderMemory(max_clusters_per_sender=2)
    memory.observe("p", VARIED[0], "x", at=10)
    memory.observe("p", VARIED[1], "x", at=11)
    memory.observe("p", VARIED[0], "y", at=12)  # VARIED[0] used again
    memory.observe("p", VARIED[2], "x", at=13)  # evicts VARIED[1]
    assert memory.clusters() == 2
    assert memory.recall("p", VARIED[1], "z", at=13).sends == 0
    assert memory.recall("p", VARIED[0], "z", at=13).sends == 2


def test_max_recipients_caps_ids_kept() -> None:
    memory = SenderMemory(max_recipients=5)
    for i in range(50):
        memory.observe("bot", TEMPLATE.format(name="Sam"), f"r{i}", at=10)
    recall = memory.recall("bot", TEMPLATE.format(name="Zoe"), "zoe", at=10)
    assert recall.other_recipients == 5
    assert recall.sends == 50
    assert recall.at_least  # a lower bound: older recipient ids may have been let go
    under = SenderMemory(max_recipients=5)
    for i in range(4):
        under.observe("bot", TEMPLATE.format(name="Sam"), f"r{i}", at=10)
    assert not under.recall("bot", TEMPLATE.format(name="Zoe"), "zoe", at=10).at_least


def test_a_count_past_max_recipients_reads_as_a_lower_bound() -> None:
    # Regression: 50 copies to 50 recipients with max_recipients=5 read "went to 5 other
    # recipients", a count stated as exact.
    detector = Detector(memory=SenderMemory(max_recipients=5))
    messages = []
    for i, name in enumerate(NAMES[:12]):
        context = {"sender_id": "b", "recipient_id": name, "sent_at": 60 * i}
        verdict = detector.classify(TEMPLATE.format(name=name), context)
        messages.append({r.code: r.message for r in verdict.reasons}.get("sender_duplicates"))
    assert "went to 4 other recipients in the last" in str(messages[4])
    assert "went to at least 5 other recipients in the last" in str(messages[5])
    assert "went to at least 5 other recipients in the last" in str(messages[11])


def test_ttl_forgets_old_clusters() -> None:
    memory = SenderMemory(ttl=60)
    memory.observe("bot", TEMPLATE.format(name="Sam"), "sam", at=0)
    assert memory.recall("bot", TEMPLATE.format(name="Zoe"), "zoe", at=59).other_recipients == 1
    assert memory.recall("bot", TEMPLATE.format(name="Zoe"), "zoe", at=61).other_recipients == 0


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c", "d", "e"]),
            st.sampled_from(VARIED + [TEMPLATE.format(name=n) for n in NAMES[:4]]),
            st.one_of(st.none(), st.sampled_from(["r1", "r2", "r3", "r4"])),
            st.floats(min_value=0, max_value=1e6),
        ),
        max_size=60,
    )
)
def test_limits_hold_for_any_sequence(
    sends: list[tuple[str, str, str | None, float]],
) -> None:
    memory = SenderMemory(max_senders=3, max_clusters_per_sender=2, max_recipients=2, ttl=1e5)
    for sender, text, recipient, at in sends:
        memory.observe(sender, text, recipient, at=at)
        assert len(memory) <= 3
        assert all(len(c) <= 2 for c in memory._senders.values())
        assert all(len(k.recipients) <= 2 for c in memory._senders.values() for k in c)


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    memory = SenderMemory(max_clusters_per_sender=4, ttl=1e9)
    for i, name in enumerate(NAMES[:6]):
        memory.observe("bot", TEMPLATE.format(name=name), name, at=1000 + i)
    memory.observe("person", VARIED[0], "x", at=1000)
    path = memory.save(tmp_path / "memory.json")
    loaded = SenderMemory.load(path)
    assert (len(loaded), loaded.clusters()) == (2, 2)
    assert loaded.max_clusters_per_sender == 4
    before = memory.recall("bot", TEMPLATE.format(name="Zoe"), "zoe", at=2000)
    after = loaded.recall("bot", TEMPLATE.format(name="Zoe"), "zoe", at=2000)
    assert before == after
    assert after.other_recipients == 6
    assert [p.name for p in tmp_path.iterdir()] == ["memory.json"]


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        "[]",
        json.dumps({"format": "something else", "version": 1}),
        json.dumps({"format": "autodm.SenderMemory", "version": 99}),
        json.dumps({"format": "autodm.SenderMemory", "version": 1, "limits": {}, "senders": 5}),
        json.dumps(
            {
                "format": "autodm.SenderMemory",
                "version": 1,
                "limits": {"max_senders": -1},
                "senders": {},
            }
        ),
        json.dumps(
            {
                "format": "autodm.SenderMemory",
                "version": 1,
                "limits": {},
                "senders": {"s": [{"text": "x"}]},
            }
        ),
    ],
    ids=["text", "list", "format", "version", "senders", "limits", "cluster"],
)
def test_load_refuses_malformed_files(tmp_path: Path, content: str) -> None:
    path = tmp_path / "memory.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InvalidInputError):
        SenderMemory.load(path)


def test_load_of_missing_file_is_typed(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="cannot read"):
        SenderMemory.load(tmp_path / "absent.json")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_load_reads_regular_files_only(tmp_path: Path) -> None:
    # Regression: /dev/zero was read until memory ran out (a bare MemoryError), and a named
    # pipe blocked until something wrote to it; save() writes neither.
    pipe = tmp_path / "memory.json"
    os.mkfifo(pipe)
    for where in (pipe, tmp_path, Path(os.devnull)):
        with pytest.raises(InvalidInputError, match="not a regular file"):
            SenderMemory.load(where)


@pytest.mark.parametrize(
    "options",
    [{"max_senders": 0}, {"max_clusters_per_sender": True}, {"ttl": -1}, {"ttl": float("inf")}],
)
def test_bad_limits_are_refused(options: dict[str, object]) -> None:
    with pytest.raises(InvalidInputError):
        SenderMemory(**options)  # type: ignore[arg-type]


@pytest.mark.parametrize("sender", [None, "", True, 1.5, b"bot"])
def test_bad_sender_ids_are_refused(sender: object) -> None:
    with pytest.raises(InvalidInputError):
        SenderMemory().observe(sender, TEMPLATE)  # type: ignore[arg-type]


def test_naive_times_are_refused() -> None:
    from datetime import datetime

    with pytest.raises(InvalidInputError, match="timezone-aware"):
        SenderMemory().observe("bot", TEMPLATE, at=datetime(2026, 1, 1))


def test_threads_lose_no_observation() -> None:
    memory = SenderMemory(max_recipients=10_000)
    per_thread = 250

    def work(thread: int) -> None:
        for i in range(per_thread):
            memory.observe("bot", TEMPLATE.format(name=NAMES[i % 26]), f"t{thread}-{i}", at=10)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    recall = memory.recall("bot", TEMPLATE.format(name="Zoe"), "zoe", at=10)
    assert recall.sends == 8 * per_thread
    assert recall.other_recipients == 8 * per_thread
    assert memory.clusters() == 1


def test_detector_flags_the_twentieth_recipient_with_a_count_reason() -> None:
    text = (
        "Hey {name}, great to have you here. Let me know what you think of my latest "
        "project when you get a chance."
    )
    detector = Detector(memory=SenderMemory())
    first = detector.classify(
        text.format(name="Ann"), {"sender_id": "b", "recipient_id": "ann", "sent_at": 0}
    )
    assert "sender_duplicates" not in [r.code for r in first.reasons]
    verdict = first
    for i, name in enumerate(NAMES[:20]):
        verdict = detector.classify(
            text.format(name=name), {"sender_id": "b", "recipient_id": name, "sent_at": 60 * i}
        )
    reasons = {r.code: r for r in verdict.reasons}
    assert "sender_duplicates" in reasons
    assert reasons["sender_duplicates"].weight > 0
    assert "20 other recipients" in reasons["sender_duplicates"].message
    assert verdict.probability > first.probability


def test_detector_memory_leaves_varied_senders_alone() -> None:
    detector = Detector(memory=SenderMemory())
    for i, text in enumerate(VARIED):
        verdict = detector.classify(text, {"sender_id": "p", "recipient_id": f"f{i}"})
        assert "sender_duplicates" not in [r.code for r in verdict.reasons]
        assert verdict.label == "human"


def test_detector_refuses_a_non_memory() -> None:
    with pytest.raises(InvalidInputError, match="SenderMemory"):
        Detector(memory={})  # type: ignore[arg-type]


_SURROGATE = st.characters(categories=["Cs"])
_ID = st.text(st.one_of(st.characters(), _SURROGATE), min_size=1, max_size=8)


def _has_surrogate(text: str) -> bool:
    return any("\ud800" <= c <= "\udfff" for c in text)


def _id_problem(identifier: str) -> str | None:
    """What the memory says of an id it refuses: lone surrogates, or only whitespace."""
    if _has_surrogate(identifier):
        return "holds lone surrogate"
    return r"must be a non-empty str \(not only whitespace\)" if blank(identifier) else None


@settings(max_examples=100, deadline=None)
@given(sender=_ID, recipient=st.one_of(st.none(), _ID))
@example(sender=" ", recipient=None)
@example(sender="bot", recipient="\t")
@example(sender="\ud800 ", recipient=" ")
def test_ids_with_lone_surrogates_are_refused_and_others_saved(
    tmp_path_factory: pytest.TempPathFactory, sender: str, recipient: str | None
) -> None:
    memory = SenderMemory()
    bad, problem = "sender_id", _id_problem(sender)
    if problem is None and recipient is not None:
        bad, problem = "recipient_id", _id_problem(recipient)
    if problem is None:
        memory.observe(sender, TEMPLATE.format(name="Sam"), recipient, at=10)
        memory.recall(sender, TEMPLATE.format(name="Sam"), recipient, at=10)
    else:
        with pytest.raises(InvalidInputError, match=f"`{bad}` {problem}"):
            memory.observe(sender, TEMPLATE.format(name="Sam"), recipient, at=10)
        with pytest.raises(InvalidInputError, match=f"`{bad}` {problem}"):
            memory.recall(sender, TEMPLATE.format(name="Sam"), recipient, at=10)
        with pytest.raises(InvalidInputError, match=f"`{bad}` {problem}"):
            memory.remember_masked(sender, "hi <name>! thanks", recipient, 10.0)
    folder = tmp_path_factory.mktemp("memory")
    loaded = SenderMemory.load(memory.save(folder / "m.json"))
    assert len(loaded) == (problem is None)
    assert [p.name for p in folder.iterdir()] == ["m.json"]


@pytest.mark.parametrize(
    "context",
    [{"sender_id": "\ud83d", "recipient_id": "me"}, {"sender_id": "bot", "recipient_id": "\udc80"}],
)
def test_detector_refuses_surrogate_ids_before_they_reach_the_memory(
    tmp_path: Path, context: dict[str, str]
) -> None:
    memory = SenderMemory()
    detector = Detector(memory=memory)
    with pytest.raises(InvalidInputError, match="lone surrogate"):
        detector.classify("Hi Sam! Thanks for the follow", context)
    assert len(memory) == 0
    memory.save(tmp_path / "m.json")
    assert [p.name for p in tmp_path.iterdir()] == ["m.json"]


def test_remember_masked_refuses_a_surrogate_text() -> None:
    with pytest.raises(InvalidInputError, match="`masked` holds lone surrogate"):
        SenderMemory().remember_masked("bot", "hi <name> \ud800", None, 10.0)


def test_remember_masked_refuses_more_text_than_a_masked_view_holds() -> None:
    # Regression: a 1 MB text was kept, and every later look-up compared with it (10 s each).
    memory = SenderMemory()
    memory.remember_masked("bot", "x" * MAX_MASKED_CHARS, None, 10.0)
    with pytest.raises(InvalidInputError, match="`masked` must be at most 32,768 characters"):
        memory.remember_masked("bot", "x" * (MAX_MASKED_CHARS + 1), None, 10.0)
    assert memory.clusters() == 1


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(["1", "a", "@b", "£2", "x.co", "Sam", "Hi", ",", " ", "\u2474", "\ufdfa"]),
        max_size=3000,
    )
)
def test_a_masked_view_never_exceeds_what_a_memory_accepts(pieces: list[str]) -> None:
    # What the detector remembers of any message, a memory must load back.
    assert len(view("".join(pieces)).masked) <= MAX_MASKED_CHARS


def test_failed_save_leaves_no_temporary_file_and_the_old_file_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    memory = SenderMemory()
    memory.observe("bot", TEMPLATE.format(name="Sam"), "sam", at=10)
    path = memory.save(tmp_path / "m.json")
    saved = path.read_bytes()
    memory.observe("bot", TEMPLATE.format(name="Ann"), "ann", at=11)

    def refuse(source: object, target: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        memory.save(path)
    assert path.read_bytes() == saved
    assert [p.name for p in tmp_path.iterdir()] == ["m.json"]


def test_save_over_a_folder_is_refused_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    folder = tmp_path / "taken"
    folder.mkdir()
    (folder / "inside").write_text("keep", encoding="utf-8")
    with pytest.raises(InvalidInputError, match=r"'.*taken' is a folder"):
        SenderMemory().save(folder)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]
    assert (folder / "inside").read_text(encoding="utf-8") == "keep"


@pytest.mark.parametrize("where", ["sender", "text", "recipient"])
def test_load_refuses_lone_surrogates_escaped_in_json(tmp_path: Path, where: str) -> None:
    cluster = {
        "text": "\ud800 hi" if where == "text" else "hi",
        "count": 1,
        "first_seen": 1.0,
        "last_seen": 1.0,
        "anonymous": 0,
        "recipients": [["\udfff" if where == "recipient" else "r", 1.0]],
    }
    payload = {
        "format": "autodm.SenderMemory",
        "version": 1,
        "limits": {},
        "senders": {"\ud83d" if where == "sender" else "s": [cluster]},
    }
    path = tmp_path / "m.json"
    path.write_text(json.dumps(payload), encoding="utf-8")  # ASCII: surrogates as \u escapes
    with pytest.raises(InvalidInputError, match="malformed"):
        SenderMemory.load(path)


@pytest.mark.parametrize("sender", ["", "   ", "\u3000"])
def test_a_detector_treats_an_empty_sender_id_as_none(sender: str) -> None:
    # event.get("sender_id", "") gives "" for every unknown sender: five people, not one;
    # a padded empty cell gives spaces, which group_campaigns reads as no sender too.
    memory = SenderMemory()
    detector = Detector(memory=memory)
    text = "hey! are you coming to the climbing gym on saturday? bring the blue rope"
    for i in range(5):
        verdict = detector.classify(text, {"sender_id": sender, "recipient_id": f"me{i}"})
        assert "sender_duplicates" not in [r.code for r in verdict.reasons]
    verdicts = detector.classify_many([text] * 3, [{"sender_id": sender}] * 3)
    assert all("sender_duplicates" not in [r.code for r in v.reasons] for v in verdicts)
    assert (len(memory), memory.clusters()) == (0, 0)


def test_a_detector_treats_an_empty_recipient_id_as_none(tmp_path: Path) -> None:
    runs = []
    for recipient in (None, "", " \t"):
        memory = SenderMemory()
        detector = Detector(memory=memory)
        verdicts = [
            detector.classify(
                TEMPLATE.format(name=name),
                {"sender_id": "bot", "recipient_id": recipient, "sent_at": 100 + i},
            ).to_dict()
            for i, name in enumerate(NAMES[:4])
        ]
        saved = memory.save(tmp_path / "m.json").read_text(encoding="utf-8")
        runs.append((verdicts, saved))
    assert runs[1] == runs[0]
    assert runs[2] == runs[0]
    assert "3 other recipients" in str(runs[1][0][-1]["reasons"])


@pytest.mark.parametrize(
    ("sender", "recipient", "bad"),
    [("", "r", "sender_id"), ("bot", "", "recipient_id"), (" ", "r", "sender_id")],
)
def test_remember_masked_refuses_empty_ids_as_observe_does(
    sender: str, recipient: str, bad: str
) -> None:
    memory = SenderMemory()
    with pytest.raises(InvalidInputError, match=f"`{bad}` must be a non-empty str"):
        memory.remember_masked(sender, "hi <name>! thanks for the follow", recipient, 10.0)
    with pytest.raises(InvalidInputError, match=f"`{bad}` must be a non-empty str"):
        memory.observe(sender, "hi Sam! thanks for the follow", recipient, at=10.0)
    assert len(memory) == 0


def test_saves_to_one_path_at_once_each_leave_a_whole_file(tmp_path: Path) -> None:
    memory = SenderMemory()
    for i, name in enumerate(NAMES[:6]):
        memory.observe("bot", TEMPLATE.format(name=name), name, at=1000 + i)
    path = tmp_path / "memory.json"
    errors: list[BaseException] = []

    def save() -> None:
        try:
            for _ in range(20):
                memory.save(path)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=save) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(SenderMemory.load(path)) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["memory.json"]


@pytest.mark.parametrize("at", ["soon", float("nan"), [1]])
def test_remember_masked_refuses_a_bad_time(at: object) -> None:
    memory = SenderMemory()
    with pytest.raises(InvalidInputError, match="`at`"):
        memory.remember_masked("bot", "hi <name> thanks for the follow", None, at)  # type: ignore[arg-type]
    assert len(memory) == 0


def test_times_in_milliseconds_are_refused() -> None:
    memory = SenderMemory()
    with pytest.raises(InvalidInputError, match="milliseconds"):
        memory.observe("bot", "Thanks for the follow! Like my page", at=1_772_446_504_000)
    assert memory.observe("bot", "Thanks for the follow! Like my page", at=1_772_446_504).sends == 0
    recall = memory.recall("bot", "Thanks for the follow! Like my page", at=1_772_446_505)
    assert recall.since == 1_772_446_504


def test_save_makes_missing_folders_and_refuses_what_is_not_a_path(tmp_path: Path) -> None:
    memory = SenderMemory()
    memory.observe("bot", TEMPLATE.format(name="Sam"), "sam", at=10)
    path = memory.save(tmp_path / "state" / "bot" / "memory.json")
    assert SenderMemory.load(path).recall("bot", TEMPLATE.format(name="Ann"), at=11).sends == 1
    for bad in (123, None, b"memory.json"):
        with pytest.raises(InvalidInputError, match="`path` must be a str or path"):
            memory.save(bad)  # type: ignore[arg-type]


def test_load_refuses_a_memory_saved_with_times_in_milliseconds(tmp_path: Path) -> None:
    # Saved before milliseconds were refused, such times would never expire once loaded.
    memory = SenderMemory()
    memory.observe("bot", TEMPLATE.format(name="Sam"), "sam", at=1_772_446_504)
    path = memory.save(tmp_path / "m.json")
    payload = json.loads(path.read_text(encoding="utf-8"))
    (cluster,) = payload["senders"]["bot"]
    for field, value in (("first_seen", 1_772_446_504_000), ("recipients", [["sam", 1e13]])):
        broken = json.loads(json.dumps(payload))
        broken["senders"]["bot"][0][field] = value
        path.write_text(json.dumps(broken), encoding="utf-8")
        with pytest.raises(InvalidInputError, match="milliseconds"):
            SenderMemory.load(path)
    assert cluster["first_seen"] == 1_772_446_504


def test_a_time_late_in_the_year_9999_west_of_utc_saves_and_loads(tmp_path: Path) -> None:
    late = datetime(9999, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=-5)))
    memory = SenderMemory()
    memory.observe("bot", TEMPLATE.format(name="Sam"), "sam", at=late)
    loaded = SenderMemory.load(memory.save(tmp_path / "m.json"))
    assert loaded.recall("bot", TEMPLATE.format(name="Ann"), at=late).since == late.timestamp()


def test_load_refuses_numbers_too_large_for_a_float(tmp_path: Path) -> None:
    memory = SenderMemory()
    memory.observe("bot", TEMPLATE.format(name="Sam"), "sam", at=10)
    path = memory.save(tmp_path / "m.json")
    text = path.read_text(encoding="utf-8")
    assert '"first_seen": 10.0' in text
    path.write_text(text.replace('"first_seen": 10.0', '"first_seen": 1' + "0" * 400), "utf-8")
    with pytest.raises(InvalidInputError, match="malformed"):
        SenderMemory.load(path)


def test_save_under_a_file_is_refused_before_writing(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("mine", encoding="utf-8")
    with pytest.raises(InvalidInputError, match=r"lies under '.*notes\.txt', which is a file"):
        SenderMemory().save(notes / "state" / "memory.json")
    assert notes.read_text(encoding="utf-8") == "mine"


def test_repr_while_another_thread_adds_senders() -> None:
    memory = SenderMemory()
    for i in range(5000):
        memory.observe(f"s{i}", TEMPLATE.format(name="Sam"), at=10)
    stop = threading.Event()

    def add() -> None:
        i = 0
        while not stop.is_set():
            memory.observe(f"new{i}", TEMPLATE.format(name="Sam"), at=10)
            i += 1

    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    thread = threading.Thread(target=add)
    thread.start()
    try:
        for _ in range(200):
            assert repr(memory).startswith("SenderMemory(senders=")
    finally:
        stop.set()
        thread.join()
        sys.setswitchinterval(switch)


def test_n_jobs_with_a_memory_gives_the_verdicts_and_memory_of_one_job(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(autodm._detector, "PARALLEL_MIN_BATCH", 4)
    texts = [TEMPLATE.format(name=name) for name in NAMES[:12]] + VARIED
    contexts = [
        {"sender_id": f"s{i % 3}", "recipient_id": f"r{i}", "sent_at": 1000 + i}
        for i in range(len(texts))
    ]
    runs = {}
    for n_jobs in (1, 2):
        memory = SenderMemory()
        verdicts = Detector(memory=memory).classify_many(texts, contexts, n_jobs=n_jobs)
        saved = memory.save(tmp_path / f"{n_jobs}.json").read_text(encoding="utf-8")
        runs[n_jobs] = ([v.to_dict() for v in verdicts], saved)
    assert runs[2] == runs[1]
    last_copy = runs[2][0][11]  # s2's fourth copy: three other recipients before it
    assert "3 other recipients" in str(last_copy["reasons"])


def _described_span(earlier: list[float], now: float) -> str:
    """The reference for a sender_duplicates reason's time span, from every earlier send."""
    first, last = min(earlier), max(earlier)
    if last <= now:
        return f"in the last {describe_delay(now - first)}"
    if first >= now:
        return f"in the {describe_delay(last - now)} after this message"
    return f"between {describe_delay(now - first)} before and {describe_delay(last - now)} after"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=5 * 86400), min_size=2, max_size=8))
def test_memory_reasons_describe_copies_in_any_time_order(offsets: list[int]) -> None:
    detector = Detector(memory=SenderMemory())
    times = [1_772_446_504.0 + offset for offset in offsets]
    for i, at in enumerate(times):
        verdict = detector.classify(
            TEMPLATE.format(name=NAMES[i]),
            {"sender_id": "bot", "recipient_id": NAMES[i], "sent_at": at},
        )
        reasons = [r.message for r in verdict.reasons if r.code == "sender_duplicates"]
        if i == 0:
            assert reasons == []
            continue
        (reason,) = reasons
        assert "-" not in reason
        assert f"{i} other recipient" in reason
        assert _described_span(times[:i], at) in reason


def test_a_backlog_after_live_calls_is_not_described_as_the_last_negative_seconds() -> None:
    memory = SenderMemory()
    detector = Detector(memory=memory)
    for name in NAMES[:3]:  # live: no sent_at, so now
        detector.classify(TEMPLATE.format(name=name), {"sender_id": "bot", "recipient_id": name})
    sent = datetime.now(UTC).replace(microsecond=0) - timedelta(days=3)  # within the ttl
    verdict = detector.classify(
        TEMPLATE.format(name="Eve"),
        {"sender_id": "bot", "recipient_id": "eve", "sent_at": sent.isoformat()},
    )
    (reason,) = [r.message for r in verdict.reasons if r.code == "sender_duplicates"]
    assert reason.startswith("the same text (names masked) went to 3 other recipients in the ")
    assert reason.endswith(" days after this message")
    recall = memory.recall("bot", TEMPLATE.format(name="Zoe"))
    assert recall.since == sent.timestamp()
    assert recall.until is not None
    assert recall.until > recall.since


DAY = 86400.0


def test_save_writes_no_text_expired_by_the_latest_send(tmp_path: Path) -> None:
    memory = SenderMemory(ttl=30 * DAY)
    t0 = 1_772_446_504.0
    memory.observe("alice", "my new address is 12 Rose Street, door code 4471", "me", at=t0)
    memory.observe("bob", "hello! long time no see, how have you been lately?", "me", at=t0)
    memory.observe("bob", VARIED[0], "me", at=t0 + 90 * DAY)  # alice went quiet 90 days ago
    assert len(memory) == 1
    assert memory.clusters() == 1
    path = memory.save(tmp_path / "memory.json")
    text = path.read_text(encoding="utf-8")
    assert "rose street" not in text
    assert "long time no see" not in text
    assert list(json.loads(text)["senders"]) == ["bob"]
    loaded = SenderMemory.load(path)
    assert (len(loaded), loaded.clusters()) == (1, 1)
    assert repr(loaded) == "SenderMemory(senders=1, clusters=1)"


def test_load_drops_what_an_older_save_kept_past_its_ttl(tmp_path: Path) -> None:
    def cluster(text: str, at: float) -> dict[str, object]:
        return {
            "text": text,
            "count": 1,
            "first_seen": at,
            "last_seen": at,
            "anonymous": 0,
            "recipients": [["me", at]],
        }

    payload = {
        "format": "autodm.SenderMemory",
        "version": 1,
        "limits": {"ttl": DAY},
        "senders": {
            "quiet": [cluster(VARIED[1], 1000.0)],
            "emptied": [],  # a sender a look-up had expired every cluster of
            "busy": [cluster(VARIED[2], 1000.0), cluster(VARIED[3], 1000.0 + 2 * DAY)],
        },
    }
    path = tmp_path / "old.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    loaded = SenderMemory.load(path)
    assert (len(loaded), loaded.clusters()) == (1, 1)
    assert loaded.recall("busy", VARIED[3], at=1000.0 + 2 * DAY).sends == 1
    assert "how" not in loaded.save(tmp_path / "new.json").read_text(encoding="utf-8")


def test_a_send_dated_in_the_future_expires_no_one_else(tmp_path: Path) -> None:
    memory = SenderMemory(ttl=DAY)
    memory.observe("friend", VARIED[0], "me", at=time.time() - 3600)
    memory.observe("skewed", VARIED[1], "me", at=time.time() + 365 * DAY)
    loaded = SenderMemory.load(memory.save(tmp_path / "m.json"))
    assert (len(memory), len(loaded)) == (2, 2)


def test_a_look_up_leaves_expired_clusters_out_and_forgets_nothing() -> None:
    """A backlog replayed with its send times, then looked up without a time (now), keeps
    what a save would keep; only a later send of the sender forgets its expired clusters."""
    memory = SenderMemory(ttl=60)
    memory.observe("bot", TEMPLATE.format(name="Sam"), "sam", at=1000)
    ann = TEMPLATE.format(name="Ann")
    assert memory.recall("bot", ann, "ann", at=2000).sends == 0
    assert memory.recall("bot", ann, "ann").sends == 0
    assert memory.recall("bot", ann, "ann", at=1030).sends == 1
    assert (len(memory), memory.clusters()) == (1, 1)
    memory.observe("bot", VARIED[0], "kim", at=2000)
    assert memory.recall("bot", ann, "ann", at=1030).sends == 0
    assert memory.clusters() == 1  # the new text's


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c", "d"]),
            st.sampled_from(VARIED[:3] + [TEMPLATE.format(name=n) for n in NAMES[:2]]),
            st.integers(min_value=0, max_value=10_000),
        ),
        max_size=30,
    ),
    st.booleans(),
)
def test_a_saved_memory_recalls_what_the_live_one_would_later(
    tmp_path_factory: pytest.TempPathFactory,
    sends: list[tuple[str, str, int]],
    in_time_order: bool,
) -> None:
    if in_time_order:
        sends = sorted(sends, key=lambda send: send[2])
    memory = SenderMemory(ttl=1000)
    for i, (sender, text, at) in enumerate(sends):
        memory.observe(sender, text, f"r{i}", at=at)
    latest = max((at for _, _, at in sends), default=0)
    live = {s for s, _, at in sends if latest - max(t for x, _, t in sends if x == s) <= 1000}
    if in_time_order:
        assert len(memory) == len(live)
    path = memory.save(tmp_path_factory.mktemp("m") / "m.json")
    saved = json.loads(path.read_text(encoding="utf-8"))["senders"]
    assert set(saved) == live
    assert all(latest - c["last_seen"] <= 1000 for cs in saved.values() for c in cs)
    loaded = SenderMemory.load(path)
    assert len(memory) == len(loaded) == len(live)
    for sender in "abcd":
        for text in [*VARIED[:3], TEMPLATE.format(name="Zoe")]:
            for at in (latest, latest + 500):
                assert loaded.recall(sender, text, "zoe", at=at) == memory.recall(
                    sender, text, "zoe", at=at
                )


_T0 = 1_772_446_504


def _saved(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    """A genuine saved memory: one sender, one cluster with two recipients and one anonymous
    send, and its JSON."""
    memory = SenderMemory()
    for i, recipient in enumerate(["ann", "bob", None]):
        memory.observe("bot", TEMPLATE.format(name="Sam"), recipient, at=_T0 + i)
    path = memory.save(tmp_path / "m.json")
    return path, json.loads(path.read_text(encoding="utf-8"))


def test_a_memory_saved_before_the_id_and_text_limits_loads(tmp_path: Path) -> None:
    # Earlier versions kept an empty sender id (every unknown sender pooled as one), empty
    # recipient ids, ids of any length and remembered texts of any length. A file holding
    # them loads: such senders and texts are dropped, and a send to such a recipient counts
    # as one without a recipient; the rest is kept as it was.
    path, payload = _saved(tmp_path)
    cluster = payload["senders"]["bot"][0]
    (first_recipient, seen), *rest = cluster["recipients"]
    cluster["recipients"] = [["", seen], *rest]
    long_text = dict(cluster, text="x" * 40_000)
    payload["senders"]["bot"].append(long_text)
    payload["senders"][""] = [dict(cluster)]
    payload["senders"]["s" * 2000] = [dict(cluster)]
    path.write_text(json.dumps(payload), encoding="utf-8")
    memory = SenderMemory.load(path)
    assert memory.clusters() == 1
    saved = json.loads(memory.save(tmp_path / "again.json").read_text(encoding="utf-8"))
    assert list(saved["senders"]) == ["bot"]
    (kept,) = saved["senders"]["bot"]
    assert kept["anonymous"] == cluster["anonymous"] + 1
    assert [r for r, _ in kept["recipients"]] == [r for r, _ in rest]
    assert kept["count"] == cluster["count"]
    assert first_recipient not in {r for r, _ in kept["recipients"]}


def _set(payload: dict[str, Any], where: tuple[str | int, ...], value: object) -> None:
    target = payload
    for step in where[:-1]:
        target = target[step]
    target[where[-1]] = value


_CLUSTER = ("senders", "bot", 0)


@pytest.mark.parametrize(
    ("where", "value", "message"),
    [
        ((*_CLUSTER, "count"), -5, r"\.count` must be an int from 1"),
        ((*_CLUSTER, "count"), 0, r"\.count` must be an int from 1"),
        ((*_CLUSTER, "count"), "7", r"\.count` must be an int .* Got str '7'"),
        ((*_CLUSTER, "count"), True, r"\.count` must be an int .* Got bool True"),
        ((*_CLUSTER, "count"), 7.0, r"\.count` must be an int .* Got float 7.0"),
        ((*_CLUSTER, "count"), 2**60, r"\.count` must be an int from 1 to 9007199254740992"),
        ((*_CLUSTER, "count"), 2, r"\.count` must be at least .*\(1 \+ 2\)\. Got 2"),
        ((*_CLUSTER, "anonymous"), -100, r"\.anonymous` must be an int from 0"),
        ((*_CLUSTER, "anonymous"), False, r"\.anonymous` must be an int .* Got bool False"),
        ((*_CLUSTER, "first_seen"), "1772446504", r"first_seen` must be epoch seconds, a number"),
        ((*_CLUSTER, "last_seen"), True, r"last_seen` must be epoch seconds, a number"),
        ((*_CLUSTER, "last_seen"), None, r"last_seen` must be epoch seconds, a number"),
        ((*_CLUSTER, "first_seen"), _T0 + 3, r"first_seen` must not be later than"),
        ((*_CLUSTER, "text"), None, r"\.text` must be a str\. Got NoneType None"),
        ((*_CLUSTER, "text"), 12345, r"\.text` must be a str\. Got int 12345"),
        ((*_CLUSTER, "recipients", 0, 0), None, r"recipients\[0\]\[0\]` must be a non-empty str"),
        ((*_CLUSTER, "recipients", 0, 0), 7, r"recipients\[0\]\[0\]` must be a non-empty str"),
        ((*_CLUSTER, "recipients", 0, 1), "5", r"recipients\[0\]\[1\]` must be epoch seconds"),
        ((*_CLUSTER, "recipients", 0), ["ann"], r"recipients\[0\]` must be an \[id, time\] pair"),
        ((*_CLUSTER, "recipients"), {"ann": 1}, r"recipients` must be a list of \[id, time\]"),
        (("senders", "bot"), {"a": 1}, r"`senders\['bot'\]` must be a list of clusters"),
        (("senders", "bot"), [5], r"`senders\['bot'\]\[0\]` must be a JSON object"),
        (("senders",), [], r"`senders` must be a JSON object"),
        (("limits",), None, r"`limits` must be a JSON object"),
        (("limits", "colour"), 1, r"`limits` must be a JSON object with keys from"),
        (("limits", "max_senders"), 0, r"`max_senders` must be a positive int"),
    ],
)
def test_load_refuses_what_save_never_writes(
    tmp_path: Path, where: tuple[str | int, ...], value: object, message: str
) -> None:
    path, payload = _saved(tmp_path)
    assert SenderMemory.load(path).recall("bot", TEMPLATE.format(name="Zoe"), at=_T0).sends == 3
    _set(payload, where, value)
    path.write_text(json.dumps(payload), encoding="utf-8")
    with pytest.raises(InvalidInputError, match=r"sender memory '.*m\.json' is malformed: .*"):
        SenderMemory.load(path)
    with pytest.raises(InvalidInputError, match=message):
        SenderMemory.load(path)


@pytest.mark.parametrize("path", [123, None, b"memory.json", 1.5])
def test_load_refuses_what_is_not_a_path(path: object) -> None:
    with pytest.raises(InvalidInputError, match="`path` must be a str or path"):
        SenderMemory.load(path)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[" * 100_000 + "]" * 100_000, "nests too deeply"),
        (
            '{"format": "autodm.SenderMemory", "version": 1, "limits": {}, "senders": {"a": '
            '[{"text": "x", "count": ' + "9" * 5000 + "}]}}",
            "more than 4,300 digits",
        ),
        ('{"format": "autodm.SenderMemory", "version": ' + "9" * 5000 + "}", "4,300 digits"),
    ],
    ids=["deep", "long-count", "long-version"],
)
def test_load_refuses_json_python_cannot_read_as_such(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "m.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InvalidInputError, match=f"cannot read sender memory .*{message}"):
        SenderMemory.load(path)


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
_PLACES = [
    ("limits",),
    ("senders",),
    ("senders", "bot"),
    (*_CLUSTER,),
    *[(*_CLUSTER, field) for field in ("text", "count", "first_seen", "last_seen", "anonymous")],
    (*_CLUSTER, "recipients"),
    (*_CLUSTER, "recipients", 0),
    (*_CLUSTER, "recipients", 0, 0),
    (*_CLUSTER, "recipients", 0, 1),
]


@settings(max_examples=300, deadline=None)
@given(where=st.sampled_from(_PLACES), value=_JSON)
def test_load_either_refuses_a_hand_edited_value_or_keeps_a_memory_that_works(
    tmp_path_factory: pytest.TempPathFactory, where: tuple[str | int, ...], value: object
) -> None:
    path, payload = _saved(tmp_path_factory.mktemp("m"))
    _set(payload, where, value)
    path.write_text(json.dumps(payload), encoding="utf-8")
    try:
        memory = SenderMemory.load(path)
    except InvalidInputError as error:
        refused = str(error)
    else:
        refused = ""
    if refused:
        assert "malformed" in refused
        return
    for sender in memory._senders:
        recall = memory.observe(sender, TEMPLATE.format(name="Zoe"), "zoe", at=_T0 + 10)
        assert recall.other_recipients >= 0
        assert recall.sends >= 0
    assert len(SenderMemory.load(memory.save(path))) == len(memory)


def test_a_loaded_memory_keeps_the_clock_of_the_saved_one(tmp_path: Path) -> None:
    # Regression: the latest send time was not saved, and a loaded memory took the latest
    # it still held (1500, not 3000), so it kept a late-arriving old send the saved one
    # forgot.
    memory = SenderMemory(ttl=2000)
    memory.observe("bot", TEMPLATE.format(name="Sam"), "sam", at=1500)
    memory.observe("person", "see you!", "me", at=3000)  # too short to keep; still a send
    loaded = SenderMemory.load(memory.save(tmp_path / "m.json"))
    for m in (memory, loaded):
        m.observe("late", TEMPLATE.format(name="Ann"), "ann", at=950)  # 2050 s before 3000
    assert loaded.clusters() == memory.clusters() == 1
    assert SenderMemory.load(SenderMemory().save(tmp_path / "empty.json")).clusters() == 0


@pytest.mark.parametrize("latest", ["3000", float("inf"), True, 1e15])
def test_load_refuses_a_latest_time_save_never_writes(tmp_path: Path, latest: object) -> None:
    path = SenderMemory().save(tmp_path / "m.json")
    payload = json.loads(path.read_text(encoding="utf-8"))
    payload["latest"] = latest
    path.write_text(json.dumps(payload), encoding="utf-8")
    with pytest.raises(InvalidInputError, match="`latest` must be epoch seconds"):
        SenderMemory.load(path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_save_refuses_a_path_that_is_not_a_regular_file(tmp_path: Path) -> None:
    # Regression: a named pipe (or, for a privileged process, a device) was renamed over.
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    with pytest.raises(InvalidInputError, match="exists and is not a regular file"):
        SenderMemory().save(pipe)
    assert pipe.is_fifo()
    assert [p.name for p in tmp_path.iterdir()] == ["pipe"]


def test_a_write_the_system_refuses_raises_its_oserror_and_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(OSError, match="too long"):  # "File name too long"
        SenderMemory().save(tmp_path / ("x" * 300))
    assert list(tmp_path.iterdir()) == []


def test_load_names_a_nul_in_the_path() -> None:
    # Regression: the ValueError of the NUL was taken for an integer of too many digits.
    with pytest.raises(InvalidInputError, match="holds a NUL character"):
        SenderMemory.load("memory\0.json")


def test_a_short_send_does_not_count_as_seeing_its_sender() -> None:
    # As documented: senders are ranked by their last kept send, so a sender whose old
    # clusters have expired never sits behind live ones.
    memory = SenderMemory(max_senders=2)
    memory.observe("a", TEMPLATE.format(name="Sam"), "r1", at=10)
    memory.observe("b", TEMPLATE.format(name="Sam"), "r1", at=11)
    memory.observe("a", "thanks!", "r2", at=12)
    memory.observe("c", TEMPLATE.format(name="Sam"), "r1", at=13)
    sends = [memory.recall(s, TEMPLATE.format(name="Zoe"), "z", at=13).sends for s in "abc"]
    assert sends == [0, 1, 1]


def test_save_refuses_a_loop_of_links_with_a_typed_error(tmp_path: Path) -> None:
    (tmp_path / "loop.json").symlink_to("loop.json")
    with pytest.raises(InvalidInputError, match="cannot be written"):
        SenderMemory().save(tmp_path / "loop.json")


@pytest.mark.parametrize("how", ["pickle", "copy", "deepcopy"])
def test_a_pickle_or_copy_is_a_snapshot_of_its_own(tmp_path: Path, how: str) -> None:
    """A copy holds what the memory held, with its limits, and a lock of its own; later
    sends to either one do not reach the other."""
    import copy
    import pickle

    memory = SenderMemory(max_senders=7, ttl=3600)
    for name in ["Sam", "Priya"]:
        memory.observe("bot1", TEMPLATE.format(name=name), name, at=1000.0)
    memory.observe("bot2", TEMPLATE.format(name="Kenji"), None, at=1001.0)
    snapshot = {
        "pickle": lambda m: pickle.loads(pickle.dumps(m)),
        "copy": copy.copy,
        "deepcopy": copy.deepcopy,
    }[how](memory)
    memory.save(tmp_path / "original.json")
    snapshot.save(tmp_path / "copy.json")
    assert (tmp_path / "copy.json").read_bytes() == (tmp_path / "original.json").read_bytes()
    assert (snapshot.max_senders, snapshot.ttl) == (7, 3600.0)

    memory.observe("bot1", TEMPLATE.format(name="Olu"), "Olu", at=1002.0)
    snapshot.observe("bot1", TEMPLATE.format(name="Ana"), "Ana", at=1002.0)
    snapshot.observe("bot1", TEMPLATE.format(name="Bo"), "Bo", at=1003.0)
    asked = TEMPLATE.format(name="Zed")
    assert memory.recall("bot1", asked, "Zed", at=1004.0).other_recipients == 3
    assert snapshot.recall("bot1", asked, "Zed", at=1004.0).other_recipients == 4


def test_a_pickled_detector_keeps_a_snapshot_of_its_memory() -> None:
    import pickle

    detector = Detector(memory=SenderMemory())
    context = {"sender_id": "bot1", "recipient_id": "r1", "sent_at": 1000}
    detector.classify(TEMPLATE.format(name="Sam"), context)
    copied = pickle.loads(pickle.dumps(detector))
    assert copied.memory is not None
    assert copied.memory is not detector.memory
    asked = TEMPLATE.format(name="Zed")
    assert copied.memory.recall("bot1", asked, "r2", at=1001).other_recipients == 1


@pytest.mark.parametrize("version", [True, 1.0, "1", None])
def test_load_refuses_a_version_save_never_writes(tmp_path: Path, version: object) -> None:
    """`true` and `1.0` equal 1 in Python; a file saying so was not written by save."""
    path, payload = _saved(tmp_path)
    payload["version"] = version
    path.write_text(json.dumps(payload), encoding="utf-8")
    with pytest.raises(InvalidInputError, match="this autodm reads version 1"):
        SenderMemory.load(path)


def test_a_late_send_of_long_ago_matches_no_cluster_of_months_later() -> None:
    """A backlog observed out of order: a copy sent 60 days before a cluster's first send
    is not within a 7-day ttl of it, either way; one sent a day before it is."""
    memory = SenderMemory(ttl=7 * DAY)
    start = 1_700_000_000.0
    for i, name in enumerate(NAMES[:3]):
        memory.observe("bot", TEMPLATE.format(name=name), name, at=start + i * 3600)
    late = TEMPLATE.format(name="Olu")
    assert memory.recall("bot", late, "olu", at=start - 60 * DAY).sends == 0
    assert memory.recall("bot", late, "olu", at=start - DAY).sends == 3
    assert memory.observe("bot", late, "olu", at=start - 60 * DAY).sends == 0
    # Expired by the memory's time already, the old send is not kept,
    assert memory.recall("bot", TEMPLATE.format(name="Kim"), at=start - 59 * DAY).sends == 0
    # and the newer cluster kept its count.
    assert memory.recall("bot", TEMPLATE.format(name="Kim"), at=start).sends == 3
    assert memory.clusters() == 1


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=40 * int(DAY)), min_size=1, max_size=12),
    st.integers(min_value=0, max_value=40 * int(DAY)),
)
def test_a_recall_counts_the_sends_within_ttl_of_a_cluster_either_way(
    times: list[int], asked: int
) -> None:
    """With sends of one template observed in any order, a look-up at ``asked`` counts
    them only if a cluster reaches it: never one whose sends all lie more than ttl away."""
    ttl = 5 * DAY
    memory = SenderMemory(ttl=ttl)
    for i, at in enumerate(times):
        memory.observe("bot", TEMPLATE.format(name=NAMES[i]), f"r{i}", at=at)
    found = memory.recall("bot", TEMPLATE.format(name="Zed"), "zed", at=asked)
    if found.sends:
        assert found.since is not None
        assert found.until is not None
        assert asked - found.until <= ttl
        assert found.since - asked <= ttl
    if all(abs(asked - at) > ttl for at in times):
        assert found.sends == 0
    if times == sorted(times) and 0 <= asked - max(times) <= ttl:
        assert found.sends >= 1


def test_a_late_send_of_long_ago_pushes_out_no_live_cluster_or_sender() -> None:
    """Found in review: a send 90 days older than the sender's only cluster (room for one)
    started a cluster of its own and pushed the live one out."""
    memory = SenderMemory(max_clusters_per_sender=1, max_senders=1, ttl=7 * DAY)
    for i, name in enumerate(NAMES[:5]):
        memory.observe("bot", TEMPLATE.format(name=name), name, at=100 * DAY + i)
    assert memory.observe("bot", VARIED[0], "kim", at=10 * DAY).sends == 0
    assert memory.observe("other", VARIED[1], "kim", at=10 * DAY).sends == 0
    assert memory.recall("bot", TEMPLATE.format(name="Zoe"), at=100 * DAY).sends == 5
    assert (len(memory), memory.clusters()) == (1, 1)
    # A late copy that a live cluster reaches still counts in it.
    memory.observe("bot", TEMPLATE.format(name="Olu"), "olu", at=95 * DAY)
    assert memory.recall("bot", TEMPLATE.format(name="Zoe"), at=100 * DAY).sends == 6
