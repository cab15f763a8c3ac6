"""Speed of autodm beside the scikit-learn pipeline a user would write instead.

    python benchmarks/speed.py [--quick]

The peer, timed in the same run: Pipeline(TfidfVectorizer(analyzer="char_wb",
ngram_range=(2, 5)), LogisticRegression()) trained on the same messages (the bundled
demo examples plus synthetic variations made here) and loaded with joblib, as a user
would ship it. Needs no data outside the repository.

Prints, for each measurement, autodm's figure, the peer's where there is one, and
the ratio: how many times faster autodm is (below 1: slower). Timings are medians of
repeated runs; the machine is noisy, so compare the ratios, not the absolute figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

import numpy as np

import autodm
from autodm._sharing import scoring_key
from autodm._text import view

FILLERS = ["Sam", "Priya", "Kenji", "Olu", "Marta", "Jonas", "Aisha", "Diego", "Mei", "Ravi"]
EXTRA = [
    "ok see you at {n}",
    "did you get my email about the {n} tickets?",
    "Thanks for the follow {name}! Check out my shop: bit.ly/s{n}",
    "Follow back or I unfollow in {n} hours!!",
    "lol {name} that was hilarious, send me the video",
    "Use code SAVE{n} for {n}% off today only",
    "can you review my PR when you have {n} minutes? github.com/example/repo/pull/{n}",
    "Hey {name}, I came across your profile and would love to connect about our platform",
]


def corpus(size: int, seed: int = 0) -> list[str]:
    """Demo messages and synthetic variations of them and of EXTRA, deterministic."""
    demo = resources.files("autodm.data").joinpath("demo.jsonl").read_text(encoding="utf-8")
    base = [json.loads(line)["text"] for line in demo.splitlines() if line.strip()]
    rng = random.Random(seed)
    out = []
    for i in range(size):
        if i % 2:
            text = rng.choice(base)
            words = text.split()
            if len(words) > 4 and rng.random() < 0.5:
                del words[rng.randrange(len(words))]
            out.append(" ".join(words))
        else:
            out.append(rng.choice(EXTRA).format(name=rng.choice(FILLERS), n=rng.randint(1, 99)))
    return out


def distinct_corpus(size: int, seed: int = 0) -> list[str]:
    """Like :func:`corpus`, but no two texts look alike to autodm: each gets a made-up word
    and a number, and a text is kept only if its view (what a verdict without context
    reads: the masked text, number shapes, link hosts, flags) is new. autodm scores every
    one of them; none takes the verdict of another."""
    syllables = ["ka", "lo", "mi", "ne", "su", "ta", "ri", "vo", "pe", "du", "zo", "ba"]
    rng = random.Random(seed)
    seen: set[tuple[object, ...]] = set()
    out = []
    for text in corpus(size * 3, seed):
        tokens = text.split()
        tokens.insert(rng.randrange(len(tokens) + 1), "".join(rng.choices(syllables, k=3)))
        tokens.append(str(rng.randrange(10**6)))
        varied = " ".join(tokens)
        key = scoring_key(view(varied))
        if key not in seen:
            seen.add(key)
            out.append(varied)
        if len(out) == size:
            break
    if len(out) < size:
        raise SystemExit(f"only {len(out)} distinct texts could be made; {size} were asked for")
    return out


def peer(texts: list[str], folder: Path) -> Path:
    """Train the peer pipeline, save it with joblib, return the path."""
    import joblib
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    labels = [int(autodm.classify(t).is_automated) for t in texts]
    model = Pipeline(
        [
            ("tfidf", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5))),
            ("lr", LogisticRegression(max_iter=1000)),
        ]
    )
    model.fit(texts, labels)
    path = folder / "peer.joblib"
    joblib.dump(model, path)
    return path


def latencies(fn, items, repeat: int) -> np.ndarray:
    out = np.empty(repeat * len(items))
    k = 0
    for _ in range(repeat):
        for item in items:
            start = time.perf_counter_ns()
            fn(item)
            out[k] = time.perf_counter_ns() - start
            k += 1
    return out / 1000.0  # microseconds


def throughput(fn, batch: list[str], runs: int = 3) -> float:
    """Messages per second of ``fn(batch)``, the median of ``runs`` runs."""
    took = []
    for _ in range(runs):
        start = time.perf_counter()
        fn(batch)
        took.append(time.perf_counter() - start)
    return len(batch) / statistics.median(took)


def fresh_throughput(batch: list[str], runs: int = 3, **options: object) -> float:
    """Messages per second of ``classify_many(batch)`` on a new detector each run (built
    before the clock starts): a detector keeps verdicts, and a second run would reuse them."""
    took = []
    for _ in range(runs):
        detector = autodm.Detector()
        start = time.perf_counter()
        detector.classify_many(batch, **options)  # type: ignore[arg-type]
        took.append(time.perf_counter() - start)
    return len(batch) / statistics.median(took)


#: Appended to a cold start's code: print the process's peak resident memory in bytes. On
#: Linux from /proc (a process started from this one would report this one's peak as its
#: ``ru_maxrss``, which survives the fork); elsewhere ``ru_maxrss``, in bytes on macOS.
_PRINT_PEAK = """
import resource, sys
try:
    with open("/proc/self/status") as status:
        print(1024 * int(next(s for s in status if s.startswith("VmHWM:")).split()[1]))
except (OSError, StopIteration):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(peak if sys.platform == "darwin" else 1024 * peak)
"""


def cold_start(code: str, runs: int) -> tuple[float, float]:
    """Median wall time of a new process running ``code``, as an installed package starts
    (with its bytecode cache: pip writes it at install; the first, untimed run writes it
    here even where PYTHONDONTWRITEBYTECODE is set, which would recompile every module),
    and the median of the processes' peak resident memory, in MiB."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    code += _PRINT_PEAK
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, env=env)
    times, peaks = [], []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", code], check=True, capture_output=True, env=env, text=True
        )
        times.append(time.perf_counter() - start)
        peaks.append(int(done.stdout.split()[-1]) / 2**20)
    return statistics.median(times), statistics.median(peaks)


def row(name: str, ours: float, theirs: float | None, unit: str, *, rate: bool = False) -> None:
    """One line; the ratio is how many times faster autodm is (rates: ours / theirs)."""
    ratio = "      -"
    if theirs:
        ratio = f"{(ours / theirs if rate else theirs / ours):6.1f}x"
    peer_text = f"{theirs:10.1f} {unit}" if theirs else " " * (11 + len(unit))
    print(f"{name:<46}{ours:10.1f} {unit}  {peer_text}  {ratio}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args()
    repeat = 2 if args.quick else 10
    texts = corpus(2000)
    detector = autodm.Detector()
    with tempfile.TemporaryDirectory() as tmp:
        import joblib

        path = peer(texts, Path(tmp))
        model = joblib.load(path)
        print(f"{'measurement':<46}{'autodm':>13}  {'peer':>13}  {'ratio':>7}")

        # Every message new to the detector: none takes a verdict it keeps (Detector.classify).
        sample = distinct_corpus(300 * repeat, seed=2)
        ours = latencies(detector.classify, sample, 1)
        theirs = latencies(lambda t: model.predict_proba([t]), sample[: 150 * repeat], 1)
        row("classify one message, median", float(np.median(ours)), float(np.median(theirs)), "us")
        row(
            "classify one message, p99",
            float(np.percentile(ours, 99)),
            float(np.percentile(theirs, 99)),
            "us",
        )
        # Messages met again (after the first pass); a campaign's next message, its names and
        # numbers changed, takes the same path.
        repeats = texts[:300]
        seen = latencies(detector.classify, repeats, repeat)[len(repeats) :]
        row(
            "classify one message met before, median",
            float(np.median(seen)),
            float(np.median(theirs)),
            "us",
        )

        batch = distinct_corpus(20_000, seed=1)
        ours_rate = fresh_throughput(batch)
        peer_rate = throughput(model.predict_proba, batch)
        row("classify_many 20,000 distinct views", ours_rate, peer_rate, "msg/s", rate=True)
        row(
            "classify_many 20,000 distinct views, n_jobs=2",
            fresh_throughput(batch, n_jobs=2),
            peer_rate,
            "msg/s",
            rate=True,
        )
        campaign = corpus(20_000, seed=1)
        views = len({scoring_key(view(t)) for t in campaign})
        row(
            f"classify_many 20,000: {len(set(campaign)):,} texts, {views} views",
            fresh_throughput(campaign),
            throughput(model.predict_proba, campaign),
            "msg/s",
            rate=True,
        )
        # New messages each run: a call this small takes the verdicts the detector keeps.
        serial, spread = [], []
        for i in range(7):
            start = time.perf_counter()
            detector.classify_many(batch[400 * i : 400 * i + 200])
            serial.append(time.perf_counter() - start)
            start = time.perf_counter()
            detector.classify_many(batch[400 * i + 200 : 400 * i + 400], n_jobs=2)
            spread.append(time.perf_counter() - start)
        ratio = statistics.median(spread) / statistics.median(serial)
        row("classify_many 200 messages: n_jobs=2 / serial time", ratio, None, "x ")

        runs = 3 if args.quick else 7
        ours_cold, ours_peak = cold_start("import autodm; autodm.classify('hi')", runs)
        peer_cold, peer_peak = cold_start(
            f"import joblib; joblib.load({str(path)!r}).predict_proba(['hi'])", runs
        )
        row("cold start: new process, import + one call", ours_cold * 1000, peer_cold * 1000, "ms")
        # (the ratio: how many times less memory autodm takes)
        row("  its peak resident memory", ours_peak, peer_peak, "MiB")

        # The command line on 3,000 JSONL lines, the file named or piped to standard input
        # (read as it arrives, and scored in batches of what has arrived).
        inbox = Path(tmp) / "inbox.jsonl"
        lines = "".join(json.dumps({"text": t}) + "\n" for t in distinct_corpus(3000, seed=3))
        inbox.write_text(lines, encoding="utf-8")
        command = [sys.executable, "-m", "autodm", "classify"]
        named, piped = [], []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run([*command, str(inbox)], check=True, stdout=subprocess.DEVNULL)
            named.append(time.perf_counter() - start)
            start = time.perf_counter()
            subprocess.run(
                [*command, "-"], input=lines.encode(), check=True, stdout=subprocess.DEVNULL
            )
            piped.append(time.perf_counter() - start)
        row(
            "command line, 3,000 lines: piped / named time",
            statistics.median(piped) / statistics.median(named),
            None,
            "x ",
        )

    loads = []
    for _ in range(20):
        start = time.perf_counter()
        autodm.load_bundle()
        loads.append(time.perf_counter() - start)
    row("load the bundled model", statistics.median(loads) * 1000, None, "ms")
    size = sum(
        f.stat().st_size
        for f in Path(resources.files("autodm.data").joinpath("model")).iterdir()  # type: ignore[arg-type]
    )
    row("bundle size on disk", size / 1024, None, "KiB")

    history = [f"Hi {FILLERS[i % 10]}, thanks for connecting! message {i}" for i in range(1000)]
    context = autodm.Context(sender_history=history)
    template = detector._featurizer.template
    message = view("Hi Olu, thanks for connecting! message 5")
    first = latencies(lambda _: template.extract(message, context), [0], 1)
    row("template similarity, 1,000-message history, first", float(first[0]) / 1000, None, "ms")
    took = latencies(lambda _: template.extract(message, context), [0], 20)
    row("  ... same history again (masks cached)", float(np.median(took)) / 1000, None, "ms")
    # The longest a caller can give: 1,000 messages of 4,096 characters, of which a Context
    # keeps the most recent that fit MAX_HISTORY_CHARS.
    longest = [
        (f"{i}: Hi, thanks for connecting! See example.com/x " * 90)[:4096] for i in range(1000)
    ]
    context = autodm.Context(sender_history=longest)
    first = latencies(lambda _: template.extract(message, context), [0], 1)
    row("template similarity, longest history, first", float(first[0]) / 1000, None, "ms")
    took = latencies(lambda _: template.extract(message, context), [0], 20)
    row("  ... same history again (masks cached)", float(np.median(took)) / 1000, None, "ms")
    # The costliest history to compare with: numbers, which masking makes three times longer,
    # and a message as long and alike, so that no comparison can stop early.
    numbers = [(f"{i} " + "1 " * 2048)[:4096] for i in range(32)]
    context = autodm.Context(sender_history=numbers)
    like_them = view(numbers[0][:-1] + "x")
    template.extract(like_them, context)
    took = latencies(lambda _: template.extract(like_them, context), [0], 5)
    row(
        "template similarity, 32 x 4,096 numbers, alike (cached)",
        float(np.median(took)) / 1000,
        None,
        "ms",
    )

    worst = {
        "url fragments": "http://a.b/" * 100_000,
        "a. x 10^5": "a." * 100_000,
        "punctuation runs": "((((((((([[[[[[[[!!!!!!!" * 40_000,
        "mixed scripts": "аa\u200bсc Ωο 𝐅𝐑𝐄𝐄 ﷺ 漢字 " * 40_000,
        "handles": "@a " * 333_333,
        "greetings": "Hi " * 333_333,
        "combining marks": "a" + "\u0301" * 999_999,
        "combining marks before dots": ("\u0301" * 60 + ".") * 16_400,
        "combining marks and digits": "\u03011" * 500_000,
        "hyphenated labels and ideographic full stops": ("a-" * 31 + "b\u3002") * 16_000,
        "middle dots between letters": "a\u00b7" * 500_000,
        # 2,048 numbers of one digit each in the 4,096 characters read, each a placeholder
        "digits between ideographs": "\u660e3" * 500_000,
    }
    bundle = detector.bundle
    for name, text in worst.items():
        # A detector keeps the verdicts of its recent messages: each timing gets a new one,
        # so the text is scored every time, not only viewed.
        took = []
        for _ in range(5):
            fresh = autodm.Detector(bundle)
            start = time.perf_counter_ns()
            fresh.classify(text)
            took.append((time.perf_counter_ns() - start) / 1000.0)
        row(f"worst case, 1 MB of {name}", float(np.median(took)) / 1000, None, "ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
