"""Many threads: a shared Detector gives the serial verdicts; a shared memory loses nothing.

* 8 threads share one ``autodm.Detector()`` over 10,000 messages (the golden cases over
  and over, with their contexts, without, and with made-up ones): every verdict's
  ``to_dict()`` equals that of a serial run, and no thread raises.
* 8 threads share one ``Detector(memory=SenderMemory())``: no thread raises, no
  observation is lost (the sends the memory recorded equal the messages classified with
  a ``sender_id``), and with tight limits the limits hold during and after the run.

The interpreter's thread switch interval is shortened while the threads run, so they
interleave far more often than they would by default.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import autodm
from autodm import Detector, SenderMemory
from autodm._text import view
from autodm.extractors.template import MIN_DUPLICATE_CHARS

CASES_DIR = Path(__file__).resolve().parent / "cases"
CASES: list[dict[str, Any]] = [
    case
    for name in ("automated.json", "human.json")
    for case in json.loads((CASES_DIR / name).read_text(encoding="utf-8"))
]
THREADS = 8
MESSAGES = 10_000
BASE_TIME = 1_767_225_600  # 2026-01-01T00:00:00Z


def _context(i: int, case: dict[str, Any]) -> Any:
    """The i-th message's context: the case's own, none, or a made-up one, in turn."""
    turn = (i // len(CASES)) % 3
    if turn == 0:
        return case.get("context")
    if turn == 1:
        return None
    return {
        "sender_id": f"s{i % 13}",
        "recipient_id": i % 29,
        "followed_at": BASE_TIME,
        "sent_at": BASE_TIME + (i % 4000),
        "sender_history": [c["text"] for c in CASES[i % 50 : i % 50 + i % 4]],
    }


WORKLOAD: list[tuple[str, Any]] = [
    (CASES[i % len(CASES)]["text"], _context(i, CASES[i % len(CASES)])) for i in range(MESSAGES)
]


@pytest.fixture
def busy_switching() -> Iterator[None]:
    """Make threads switch every 10 microseconds instead of every 5 milliseconds."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def _run_threads(work: Callable[[int], None], n: int = MESSAGES) -> list[BaseException]:
    """Run ``work(i)`` for i in range(n) over THREADS threads started together."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(THREADS)

    def worker(first: int) -> None:
        try:
            barrier.wait()
            for i in range(first, n, THREADS):
                work(i)
        except BaseException as error:  # reported by the test, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return errors


@pytest.mark.usefixtures("busy_switching")
def test_shared_detector_gives_the_serial_verdicts() -> None:
    reference = Detector()
    serial = [reference.classify(text, ctx).to_dict() for text, ctx in WORKLOAD]

    shared = Detector()  # cold: its first uses happen in all threads at once
    results: list[dict[str, Any] | None] = [None] * MESSAGES

    def work(i: int) -> None:
        text, ctx = WORKLOAD[i]
        results[i] = shared.classify(text, ctx).to_dict()

    errors = _run_threads(work)
    assert not errors, errors[:3]
    mismatched = [i for i in range(MESSAGES) if results[i] != serial[i]]
    assert not mismatched, (
        f"{len(mismatched)} verdicts differ from the serial run, first: "
        f"{WORKLOAD[mismatched[0]]!r}: {results[mismatched[0]]} != {serial[mismatched[0]]}"
    )


def _memory_workload(n: int) -> list[tuple[str, dict[str, Any] | None]]:
    """Golden texts from 5 senders in runs of 50, so threads meet on one sender's clusters.

    Every fifth message has no sender; a third of the others have no recipient.
    """
    items = []
    for i in range(n):
        text = CASES[(i // 6) % len(CASES)]["text"]  # each text 6 times in a row
        if i % 5 == 4:
            ctx = None if i % 10 == 4 else {"recipient_id": f"r{i % 101}"}
        else:
            ctx = {"sender_id": f"sender-{(i // 50) % 5}", "sent_at": BASE_TIME + i}
            if i % 3:
                ctx["recipient_id"] = f"r{i % 101}"
        items.append((text, ctx))
    return items


def _saved(memory: SenderMemory, path: Path) -> dict[str, list[dict[str, Any]]]:
    """The memory's senders and clusters, read back through its public JSON format."""
    payload = json.loads(memory.save(path).read_text(encoding="utf-8"))
    senders: dict[str, list[dict[str, Any]]] = payload["senders"]
    return senders


@pytest.mark.usefixtures("busy_switching")
def test_shared_memory_loses_no_observation(tmp_path: Path) -> None:
    # Limits no run can reach, so that every send must still be counted at the end.
    memory = SenderMemory(
        max_senders=1_000, max_clusters_per_sender=1_000, max_recipients=1_000, ttl=10**7
    )
    detector = Detector(memory=memory)
    items = _memory_workload(MESSAGES)
    verdicts: list[autodm.Verdict | None] = [None] * MESSAGES

    def work(i: int) -> None:
        verdicts[i] = detector.classify(*items[i])

    errors = _run_threads(work)
    assert not errors, errors[:3]
    assert all(v is not None and 0.0 <= v.probability <= 1.0 for v in verdicts)
    # Texts too short to compare are not kept.
    kept = [
        ctx
        for text, ctx in items
        if ctx and "sender_id" in ctx and len(view(text).masked) >= MIN_DUPLICATE_CHARS
    ]
    senders = _saved(memory, tmp_path / "memory.json")
    assert len(senders) == 5
    assert sum(c["count"] for clusters in senders.values() for c in clusters) == len(kept)
    anonymous = sum(1 for ctx in kept if "recipient_id" not in ctx)
    assert sum(c["anonymous"] for clusters in senders.values() for c in clusters) == anonymous


@pytest.mark.usefixtures("busy_switching")
def test_shared_memory_keeps_its_limits(tmp_path: Path) -> None:
    limits = {"max_senders": 3, "max_clusters_per_sender": 4, "max_recipients": 2}
    memory = SenderMemory(**limits)
    detector = Detector(memory=memory)
    n = 4_000
    items = _memory_workload(n)
    seen_clusters: list[int] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            seen_clusters.append(memory.clusters())

    watcher = threading.Thread(target=watch)
    watcher.start()

    def work(i: int) -> None:
        detector.classify(*items[i])

    try:
        errors = _run_threads(work, n)
    finally:
        done.set()
        watcher.join()
    assert not errors, errors[:3]
    assert seen_clusters
    assert max(seen_clusters) <= limits["max_senders"] * limits["max_clusters_per_sender"]
    senders = _saved(memory, tmp_path / "memory.json")
    assert len(memory) == len(senders) <= limits["max_senders"]
    for clusters in senders.values():
        assert len(clusters) <= limits["max_clusters_per_sender"]
        for cluster in clusters:
            assert len(cluster["recipients"]) <= limits["max_recipients"]
            assert cluster["count"] >= 1


@pytest.mark.usefixtures("busy_switching")
def test_threads_first_calling_classify_share_one_bundled_detector(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Regression: the shared detector of autodm.classify was built by each thread that
    # asked for it before the first had finished: eight bundles in memory, not one.
    import autodm._detector as detector_module

    built: list[Detector] = []

    class Counted(Detector):
        def __init__(self) -> None:
            super().__init__()
            built.append(self)

    monkeypatch.setattr(detector_module, "Detector", Counted)
    monkeypatch.setattr(detector_module, "_DEFAULT", [])
    labels: dict[int, str] = {}

    def first_call(i: int) -> None:
        labels[i] = autodm.classify(CASES[i]["text"]).label

    errors = _run_threads(first_call, 64)
    assert errors == []
    assert len(built) == 1
    serial = Detector()
    assert labels == {i: serial.classify(CASES[i]["text"]).label for i in range(64)}
