"""group_campaigns on inboxes of distinct texts and on a mixed inbox, beside the search it
replaced.

    python benchmarks/campaigns.py [--quick] [--repeat N]

The baseline, timed in the same run on the same messages, is group_campaigns as it was
before the character-count bound: every representative within the length window scored by
rapidfuzz for every new text (copied below). Both must return the same campaigns, except
in the inbox of one bag of letters, where the cap on groups scored a text (128, those with
the most runs of three characters in common) is met and a few pairs may be missed: the "lost"
column counts the messages the baseline put in a campaign and the current one did not. The
script exits 1 if any other inbox differs. Prints, per inbox, the median seconds of each,
their ratio (how many times faster the current one is), and how many distinct masked texts
and campaigns there were. Inboxes: texts of 6 to 14 random words, all distinct, drawn from
the 800 English words of tests/cases (5,000, 10,000 and 20,000 of them), then from 22
words only (whose texts have alike letters, so the bound rules fewer out); a mixed inbox,
60 % auto-DMs of 60 templates with names, links and numbers varied and a word dropped now
and then, among people's distinct messages; and the bound's worst case, 3,000 orders of
the same 13 words, where it rules nothing out and only costs; and 300 texts of 4,096
random letters, the longest messages an attacker may send, alike in their letters but in
nothing else. With --quick, 2,000 and 5,000 texts, 1,000 orders, 100 long texts, one run
each.
"""

from __future__ import annotations

import argparse
import bisect
import json
import random
import re
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from rapidfuzz import fuzz, process

import autodm
from autodm import Campaign
from autodm._campaigns import campaigns_of
from autodm._text import view
from autodm.extractors.template import DUPLICATE_SIMILARITY

CASES = Path(__file__).resolve().parent.parent / "tests" / "cases"
FEW_WORDS = [
    "coffee", "meeting", "tomorrow", "slides", "budget", "climbing", "ramen", "birthday",
    "plumber", "sister", "book", "dog", "train", "station", "weekend", "photos", "recipe",
    "garden", "guitar", "exam", "flight", "hotel",
]  # fmt: skip
NAMES = ["Sam", "Priya", "Kenji", "Olu", "Marta", "Jonas", "Aisha", "Diego", "Mei", "Ravi"]


def _window(length: int, similarity: float) -> tuple[int, int]:
    low = int(length * similarity / (2 - similarity))
    high = length * (2 - similarity) / similarity + 1
    return low, int(min(high, 2**62))


def before(messages: Sequence[str], min_size: int = 2) -> list[Campaign]:
    """group_campaigns before the bound, its checks of the arguments and senders left out."""
    similarity = DUPLICATE_SIMILARITY
    items = list(messages)
    groups: list[tuple[str, list[int]]] = []
    exact: dict[str, int] = {}
    by_length: list[tuple[int, int]] = []  # (length, group index), sorted
    cutoff = similarity * 100
    for index, message in enumerate(items):
        masked = view(message).masked
        found = exact.get(masked)
        if found is None:
            low, high = _window(len(masked), similarity)
            start = bisect.bisect_left(by_length, (low, -1))
            stop = bisect.bisect_right(by_length, (high, len(groups)))
            candidates = [groups[g][0] for _, g in by_length[start:stop]]
            best = process.extractOne(masked, candidates, scorer=fuzz.ratio, score_cutoff=cutoff)
            if best is not None:
                found = by_length[start + best[2]][1]
            else:
                found = len(groups)
                groups.append((masked, []))
                bisect.insort(by_length, (len(masked), found))
            exact[masked] = found
        groups[found][1].append(index)
    return campaigns_of(items, groups, None, min_size)


def english_words() -> list[str]:
    words: set[str] = set()
    for name in ("human.json", "automated.json"):
        for case in json.loads((CASES / name).read_text(encoding="utf-8")):
            if case.get("lang", "en") == "en":
                words.update(re.findall(r"[a-z]+", case["text"].lower()))
    return sorted(words)


def distinct(n: int, words: list[str], rng: random.Random) -> list[str]:
    seen: set[str] = set()
    texts: list[str] = []
    while len(texts) < n:
        text = " ".join(rng.choice(words) for _ in range(rng.randint(6, 14)))
        if text not in seen:
            seen.add(text)
            texts.append(text)
    return texts


def mixed(n: int, rng: random.Random) -> list[str]:
    """60 % auto-DMs of 60 templates, varied; 40 % people's distinct messages."""
    automated = json.loads((CASES / "automated.json").read_text(encoding="utf-8"))
    templates = [c["text"] for c in automated if c.get("lang", "en") == "en"][:60]
    people = iter(distinct(n, english_words(), rng))
    texts = []
    for _ in range(n):
        if rng.random() >= 0.6:
            texts.append(next(people))
            continue
        words = f"Hi {rng.choice(NAMES)}! {rng.choice(templates)}".split()
        if rng.random() < 0.3:
            del words[rng.randrange(2, len(words))]  # a word dropped, not masked away
        texts.append(" ".join(words) + f" bit.ly/{rng.randrange(10**6)} #{rng.randrange(100)}")
    return texts


def shuffled(n: int, rng: random.Random) -> list[str]:
    """Distinct orders of the same 13 words: texts of one bag of letters, which the bound
    cannot tell apart, so every representative in the length window is scored."""
    words = list(FEW_WORDS[:13])
    texts: dict[str, None] = {}
    while len(texts) < n:
        rng.shuffle(words)
        texts[" ".join(words)] = None
    return list(texts)


def long_random(n: int, rng: random.Random) -> list[str]:
    """Texts of 4,096 random letters and spaces: the bound rules none of them out, and
    every pair the scorer compares is long."""
    letters = "abcdefghijklmnopqrstuvwxyz "
    return ["".join(rng.choices(letters, k=4_096)) for _ in range(n)]


def median_seconds(call: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller inboxes, one run each")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (default 3)")
    args = parser.parse_args()
    repeat = 1 if args.quick else args.repeat
    rng = random.Random(0)
    words = english_words()
    sizes = (2_000, 5_000) if args.quick else (5_000, 10_000, 20_000)
    inboxes = [(f"distinct, {len(words)} words", distinct(n, words, rng)) for n in sizes]
    inboxes.append((f"distinct, {len(FEW_WORDS)} words", distinct(sizes[1], FEW_WORDS, rng)))
    inboxes.append(("mixed inbox", mixed(sizes[-1], rng)))
    inboxes.append(("one bag, shuffled", shuffled(1_000 if args.quick else 3_000, rng)))
    inboxes.append(("4,096 random letters", long_random(100 if args.quick else 300, rng)))

    print(f"median of {repeat} run(s); ratio = before / now")
    header = f"{'inbox':<22} {'messages':>8} {'distinct':>8} {'campaigns':>9}"
    print(f"{header} {'before s':>9} {'now s':>7} {'ratio':>6} {'lost':>5}")
    failed = False
    for name, texts in inboxes:
        now = autodm.group_campaigns(texts)
        old = before(texts)
        same = old == now
        failed |= not same and name != "one bag, shuffled"
        lost = sum(c.size for c in old) - sum(c.size for c in now)
        old_s = median_seconds(lambda texts=texts: before(texts), repeat)
        new_s = median_seconds(lambda texts=texts: autodm.group_campaigns(texts), repeat)
        masked = len({view(t).masked for t in texts})
        row = f"{name:<22} {len(texts):>8,} {masked:>8,} {len(now):>9,}"
        verdict = "" if same else "  DIFFERENT CAMPAIGNS"
        print(f"{row} {old_s:>9.2f} {new_s:>7.2f} {old_s / new_s:>5.1f}x {lost:>5}{verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
