"""Where the time goes: the top functions of one classify and of a classify_many batch.

    python benchmarks/hotspots.py [--top 15] [--messages 5000]

Runs the standard library's cProfile over (a) one `classify` call per message and (b) one
`classify_many` over the same distinct messages (the corpus of benchmarks/speed.py), and
prints each profile's top functions by own time, then the time per message of each stage of
the pipeline measured without the profiler (which inflates small Python calls): one message
at a time, and over one batch, where the batch's comparison with the template bank is also
timed alone (rapidfuzz's compiled `cdist`, the one stage no Python code of autodm runs in).
Needs no data outside the repository.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from speed import distinct_corpus

import autodm
from autodm._text import view
from autodm._types import as_context


def top(label: str, code: str, env: dict[str, object], count: int) -> None:
    """Print the ``count`` functions with the most own time while ``code`` runs."""
    profiler = cProfile.Profile()
    profiler.runctx(code, env, env)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(count)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
    print(f"\n{label}")
    for line in lines[start : start + count + 1]:
        print("  " + line.replace(str(Path(autodm.__file__).parent), "autodm"))


def stages(texts: list[str]) -> None:
    """Microseconds per message of each stage, one message at a time, without a profiler."""
    detector = autodm.Detector()
    featurizer = detector._featurizer
    views = [view(t) for t in texts]
    contexts = [as_context(None)] * len(views)
    signals = featurizer.signals_many(views, contexts)
    parts = {
        "text layer (view)": lambda: [view(t) for t in texts],
        "template similarity": lambda: [
            featurizer.template.extract_many([v], [c]) for v, c in zip(views, contexts, strict=True)
        ],
        **{
            type(e).__name__: (
                lambda e=e: [e.extract(v, c) for v, c in zip(views, contexts, strict=True)]
            )
            for e in featurizer.extractors[1:]
        },
        "scoring and reasons": lambda: [
            detector._scorer.score_many([v], [s]) for v, s in zip(views, signals, strict=True)
        ],
        "classify, each met before": lambda: [detector.classify(t) for t in texts],
    }
    for t in texts:
        detector.classify(t)
    print("\nper message, one at a time (best of 3 runs)")
    for name, run in parts.items():
        took = min(timeit.repeat(run, number=1, repeat=3)) / len(texts) * 1e6
        print(f"  {name:<24}{took:8.1f} us")
    # A new detector each run, built before the clock starts: one keeps the verdicts of the
    # messages it met.
    runs = []
    for _ in range(3):
        fresh = autodm.Detector()
        start = time.perf_counter()
        for t in texts:
            fresh.classify(t)
        runs.append(time.perf_counter() - start)
    print(f"  {'classify (all of it)':<24}{min(runs) / len(texts) * 1e6:8.1f} us")


def batch_stages(texts: list[str]) -> None:
    """Microseconds per message of each stage, the whole batch at once, without a profiler."""
    import numpy as np
    from rapidfuzz import fuzz, process

    detector = autodm.Detector()
    featurizer = detector._featurizer
    template = featurizer.template
    views = [view(t) for t in texts]
    masked = [v.masked for v in views]
    contexts = [as_context(None)] * len(views)
    signals = featurizer.signals_many(views, contexts)
    parts = {
        "text layer (view)": lambda: [view(t) for t in texts],
        "template similarity": lambda: template.extract_many(views, contexts),
        "  its cdist alone": lambda: process.cdist(
            template._masked, masked, scorer=fuzz.ratio, dtype=np.uint8
        ),
        "other three extractors": lambda: [
            [e.extract(v, c) for e in featurizer.extractors[1:]]
            for v, c in zip(views, contexts, strict=True)
        ],
        "scoring and reasons": lambda: detector._scorer.score_many(views, signals),
    }
    print(f"\nper message, one batch of {len(texts)} (best of 3 runs)")
    for name, run in parts.items():
        took = min(timeit.repeat(run, number=1, repeat=3)) / len(texts) * 1e6
        print(f"  {name:<24}{took:8.1f} us")
    runs = []
    for _ in range(3):
        fresh = autodm.Detector()  # one that has met none of the messages
        start = time.perf_counter()
        fresh.classify_many(texts)
        runs.append(time.perf_counter() - start)
    print(f"  {'classify_many (all of it)':<24}{min(runs) / len(texts) * 1e6:8.1f} us")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--messages", type=int, default=5000)
    args = parser.parse_args()
    texts = distinct_corpus(args.messages, seed=1)
    autodm.Detector().classify_many(texts[:200])  # warm the shared caches and imports
    # A new detector for each profile: one keeps the verdicts of the messages it met.
    env: dict[str, object] = {"detector": autodm.Detector(), "texts": texts}
    top("one classify per message", "for t in texts: detector.classify(t)", env, args.top)
    env["detector"] = autodm.Detector()
    top("one classify_many over all", "detector.classify_many(texts)", env, args.top)
    stages(texts[:2000])
    batch_stages(texts[:2000])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
