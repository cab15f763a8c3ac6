"""Does a person's name move the verdict? The bundled model on tests/cases/names.json.

    python benchmarks/names.py [--bundle DIR]

Each frame ("see you {name}", "{name} are you there?", ...) is classified with the first
30 names of training/names.txt (names training rendered into auto-DM templates) and with
30 names held out of that list. Printed per frame: the mean P(automated) with each set, and
the gap between their mean log-odds; then the mean gap, and how far apart the highest- and
lowest-scoring name put one frame (its spread, in log-odds). tests/test_names.py holds
the mean gap to 0.3 and each frame's to 0.6.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
from pathlib import Path

import autodm

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "tests" / "cases" / "names.json"
POOL = ROOT / "training" / "names.txt"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, help="a bundle directory (default: bundled)")
    args = parser.parse_args()
    cases = json.loads(CASES.read_text(encoding="utf-8"))
    unseen = cases["held_out_names"]
    lines = POOL.read_text(encoding="utf-8").splitlines()
    seen = [n.strip() for n in lines if n.strip() and not n.startswith("#")][: len(unseen)]
    detector = autodm.Detector(args.bundle)

    def log_odds(text: str) -> float:
        p = min(max(detector.classify(text).probability, 1e-9), 1 - 1e-9)
        return math.log(p / (1 - p))

    print(f"{len(seen)} names used in training, {len(unseen)} held out; gap = seen - unseen")
    print(f"{'frame':<32} {'P seen':>7} {'P unseen':>8} {'gap':>6} {'spread':>7}")
    gaps, spreads = [], []
    for frame in cases["frames"]:
        a = [log_odds(frame.format(name=n)) for n in seen]
        b = [log_odds(frame.format(name=n)) for n in unseen]
        gap = statistics.fmean(a) - statistics.fmean(b)
        spread = max(a + b) - min(a + b)
        gaps.append(gap)
        spreads.append(spread)
        p_seen = statistics.fmean(1 / (1 + math.exp(-x)) for x in a)
        p_unseen = statistics.fmean(1 / (1 + math.exp(-x)) for x in b)
        print(f"{frame:<32} {p_seen:7.3f} {p_unseen:8.3f} {gap:+6.2f} {spread:7.2f}")
    print(f"mean gap {statistics.fmean(gaps):+.3f}  largest {max(gaps, key=abs):+.3f}")
    median, widest = statistics.median(spreads), max(spreads)
    print(f"spread over all {len(seen) + len(unseen)} names: median {median:.2f}, max {widest:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
