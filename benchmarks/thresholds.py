"""How steady the bundled recipe's thresholds are, and what they flag of new human messages.

    python benchmarks/thresholds.py [--data ../shared/data] [--repeats 6] [--halvings 400]

Trains the bundled recipe once with ``--repeats`` fold splits (``train(cv_repeats=...)``)
and keeps every split's out-of-fold log-odds, calibrated as the bundle calibrates them.
Each human source's threshold for a false-positive rate is then set two ways, on the
scores of the first three splits pooled (as the bundle pools them):

* ``highest``: just above the ``floor(rate * n) + 1``-th highest score, as thresholds were
  set until 2026-11-30;
* ``tail``: read from an exponential tail fitted to the highest tenth of the scores
  (``autodm._fitting._tail_log_odds``), as ``train`` sets them now.

For each rate and source it prints (1) over ``--halvings`` random halvings of the
source's human messages, the threshold set on one half (its standard deviation in
log-odds) and the share of the other half that scores at or above it, the rate a new
message of the kind meets; (2) the standard deviation of the threshold over every choice of
three of the splits, with all messages: how far the folds alone move it. Then the recall
of the real and rendered auto-DMs at the thresholds of all sources together (the largest).
Needs ``../shared/data`` (says so and exits 2 without it); about 2 minutes a split.
"""

from __future__ import annotations

import argparse
import itertools
import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "training"))

import devdata

from autodm import _fitting as fitting
from autodm import _training as training

RATES = (0.001, 0.002, 0.005, 0.02)
POOLED = 3  # the bundle's cv_repeats


def highest(scores: np.ndarray, rate: float) -> float:
    """Just above the (floor(rate * n) + 1)-th highest score (as log-odds)."""
    ordered = np.sort(scores)[::-1]
    allowed = fitting._allowed(rate, ordered.size)
    return float(np.nextafter(ordered[allowed], np.inf)) if allowed < ordered.size else -math.inf


def tail(scores: np.ndarray, rate: float) -> float:
    fitted = fitting._tail_log_odds(scores, rate)
    return highest(scores, rate) if fitted is None else fitted


RULES = {"highest": highest, "tail": tail}


def out_of_fold_log_odds(data: Path, repeats: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every split's calibrated out-of-fold log-odds of the messages that set the
    thresholds (a row a split), their labels and their sources."""
    kept: dict[str, np.ndarray] = {}
    choose = training._operating_points

    def record(oof, y, rows, slope, offset, target_fpr):  # type: ignore[no-untyped-def]
        measured = rows.measured
        kept["log_odds"] = (slope * oof + offset)[:, measured]
        kept["y"], kept["sources"] = np.asarray(y)[measured], rows.source_array[measured]
        return choose(oof, y, rows, slope, offset, target_fpr)

    training._operating_points = record
    try:
        devdata.train(devdata.training_rows(data), cv_repeats=repeats)
    finally:
        training._operating_points = choose
    return kept["log_odds"], kept["y"], kept["sources"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=devdata.DEFAULT_DATA)
    parser.add_argument("--repeats", type=int, default=6)
    parser.add_argument("--halvings", type=int, default=400)
    args = parser.parse_args()
    if not (args.data / "auto_dm_dev.jsonl").exists():
        print(f"no development data at {args.data}; nothing to measure.", file=sys.stderr)
        return 2
    if args.repeats < POOLED:
        parser.error(f"--repeats must be at least {POOLED}")
    log_odds, y, sources = out_of_fold_log_odds(args.data, args.repeats)
    humans = {s: np.flatnonzero((sources == s) & (y == 0)) for s in np.unique(sources[y == 0])}
    automated = log_odds[:POOLED, y == 1]
    rng = np.random.default_rng(0)
    print(
        f"{args.repeats} fold splits; thresholds on {POOLED} pooled; {args.halvings} halvings"
        "\nper source: rate on the other half (threshold's SD over halvings, in log-odds) "
        f"| SD over the {math.comb(args.repeats, POOLED)} choices of {POOLED} splits"
    )
    for rate in RATES:
        print(f"\ntarget {rate:.1%}")
        halves = [
            {s: rng.permutation(rows) for s, rows in humans.items()} for _ in range(args.halvings)
        ]
        for name, rule in RULES.items():
            cells, largest = [], []
            for source, rows in humans.items():
                met, set_at = [], []
                for draw in halves:
                    order = draw[source]
                    first, other = order[: order.size // 2], order[order.size // 2 :]
                    t = rule(log_odds[:POOLED, first].ravel(), rate)
                    set_at.append(t)
                    met.append(float(np.mean(log_odds[:POOLED, other] >= t)))
                splits = [
                    rule(log_odds[list(chosen)][:, rows].ravel(), rate)
                    for chosen in itertools.combinations(range(args.repeats), POOLED)
                ]
                spread = f"({np.std(set_at):.2f} | {np.std(splits):.2f})"
                cells.append(f"{source[:10]} {np.mean(met):.3%} {spread}")
                largest.append(rule(log_odds[:POOLED, rows].ravel(), rate))
            threshold = max(largest)
            recall = float(np.mean(automated >= threshold))
            probability = 0.5 * (1 + math.tanh(threshold / 2))
            print(f"  {name:<8}" + "  ".join(cells), end="")
            print(f"  | all: P {probability:.4f}, recall {recall:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
