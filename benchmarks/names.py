"""Does a person's name move the verdict? The bundled model on tests/cases/names.json.

    python benchmarks/names.py [--bundle DIR]

Each frame ("see you {name}", "{name} are you there?", ...) is classified with each of
about 400 real names in many languages and scripts. A name's gap is its mean log-odds over
the frames minus the median name's. Printed: the gaps' median, 95th percentile and largest
(absolute), the names with the largest, and per frame how far apart the highest- and
lowest-scoring names put it (the spread, in log-odds) with the median name's P(automated).
tests/test_names.py bounds the 95th percentile at 0.6 and the largest at 2.5.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

import autodm

CASES = Path(__file__).resolve().parents[1] / "tests" / "cases" / "names.json"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, help="a bundle directory (default: bundled)")
    args = parser.parse_args()
    cases = json.loads(CASES.read_text(encoding="utf-8"))
    names, frames = cases["names"], cases["frames"]
    detector = autodm.Detector(args.bundle)
    texts = [frame.format(name=name) for name in names for frame in frames]
    p = np.array([v.probability for v in detector.classify_many(texts)]).clip(1e-9, 1 - 1e-9)
    log_odds = np.log(p / (1 - p)).reshape(len(names), len(frames))
    median = np.median(log_odds, axis=0)
    gaps = (log_odds - median).mean(axis=1)
    size = np.abs(gaps)
    print(f"{len(names)} names x {len(frames)} frames; gap = a name's mean log-odds - the median's")
    print(
        f"|gap|: median {np.median(size):.3f}  95th percentile {np.percentile(size, 95):.3f}  "
        f"largest {size.max():.3f}"
    )
    top = np.argsort(-size)[:8]
    print("largest: " + ", ".join(f"{names[i]} {gaps[i]:+.2f}" for i in top))
    print(f"\n{'frame':<32} {'P median':>8} {'spread':>7}")
    for j, frame in enumerate(frames):
        spread = log_odds[:, j].max() - log_odds[:, j].min()
        print(f"{frame:<32} {1 / (1 + np.exp(-median[j])):8.3f} {spread:7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
