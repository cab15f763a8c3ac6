"""SenderMemory: bounded memory and bounded query time, whatever senders send.

    python benchmarks/memory.py [--observations 1000000]

Prints (1) the peak resident memory of a process that feeds a SenderMemory a million
observations from many senders, bots and people alike, with the clusters held at the end
against the limits; (2) the median time of one query (recall) after a sender has sent
100 and after 10,000 messages, for a bot that repeats one template and for a person whose
messages are all different, and the ratio of the two, which the limits keep near 1.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import time

from autodm import SenderMemory

WORDS = [
    "coffee", "meeting", "tomorrow", "slides", "budget", "climbing", "ramen", "birthday",
    "plumber", "sister", "book", "dog", "train", "station", "weekend", "photos", "recipe",
    "garden", "guitar", "exam", "flight", "hotel",
]  # fmt: skip
TEMPLATE = "Hi {name}! Thanks for the follow, my new e-book on {topic} is out: bit.ly/{code}"


def person_message(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14))) + f" {rng.random()}"


def bot_message(rng: random.Random) -> str:
    name = rng.choice(["Sam", "Priya", "Kenji", "Olu", "Marta"])
    return TEMPLATE.format(name=name, topic="sourdough", code=rng.randint(1, 9999))


def query_time(memory: SenderMemory, sender: str, text: str, repeat: int = 200) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter_ns()
        memory.recall(sender, text, "someone-new", at=0)
        times.append(time.perf_counter_ns() - start)
    return statistics.median(times) / 1000.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--observations", type=int, default=1_000_000)
    args = parser.parse_args()
    rng = random.Random(0)

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    memory = SenderMemory(max_senders=20_000, max_clusters_per_sender=32, max_recipients=200)
    start = time.perf_counter()
    for i in range(args.observations):
        sender = f"s{rng.randrange(50_000)}"
        text = bot_message(rng) if i % 3 else person_message(rng)
        memory.observe(sender, text, f"r{rng.randrange(1_000_000)}", at=0)
    took = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{args.observations:,} observations in {took:.1f} s ({args.observations / took:,.0f}/s)")
    print(
        f"senders held {len(memory):,} (limit 20,000); clusters {memory.clusters():,} "
        f"(limit {20_000 * 32:,})"
    )
    print(f"peak RSS {peak / 1024:,.0f} MiB (at start {before / 1024:,.0f} MiB)")

    kinds = (("bot, one template", bot_message), ("person, all different", person_message))
    for kind, make in kinds:
        small = SenderMemory()
        large = SenderMemory()
        for i in range(10_000):
            text = make(rng)
            if i < 100:
                small.observe("x", text, f"r{i}", at=0)
            large.observe("x", text, f"r{i}", at=0)
        probe = make(rng)
        t100 = query_time(small, "x", probe)
        t10k = query_time(large, "x", probe)
        print(
            f"query, {kind:<24} 100 sent: {t100:7.1f} us   10,000 sent: {t10k:7.1f} us   "
            f"ratio {t10k / t100:4.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
