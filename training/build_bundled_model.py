"""Train the model bundle shipped in autodm/data/model from ../shared/data.

    python training/build_bundled_model.py [--data ../shared/data] [--out autodm/data/model]

Prints the sender-grouped, out-of-fold recall and false-positive rate per source
at each operating point, and writes the bundle (manifest.json + weights.npz).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import devdata

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=devdata.DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=ROOT / "autodm" / "data" / "model")
    parser.add_argument("--no-ngrams", action="store_true")
    parser.add_argument("--dry-run", action="store_true", help="print figures, write nothing")
    args = parser.parse_args()
    if not (args.data / "auto_dm_dev.jsonl").exists():
        print(f"no development data at {args.data}; nothing to train on.", file=sys.stderr)
        return 2
    rows = devdata.training_rows(args.data)
    own = [json.loads(line) for line in devdata.OWN_CORPUS.read_text("utf-8").splitlines()]
    everyday = [
        json.loads(line) for line in devdata.OWN_MULTILINGUAL.read_text("utf-8").splitlines()
    ]
    others = len({row["lang"] for row in everyday} - {"en"})
    bundle = devdata.train(
        rows,
        ngrams=not args.no_ngrams,
        description={
            "data": "autodm development corpora (see docs/model.md): auto-DMs re-rendered 3x "
            "with invented names, filter phrases, autodm's own template bank rendered "
            "2x, autodm's own training texts "
            f"({sum(r['label'] == 'automated' for r in own):,} automated, "
            f"{sum(r['label'] == 'human' for r in own):,} hard human negatives, "
            f"{len(everyday):,} everyday human messages in English and {others} other "
            "languages); human: customer tweets, IRC, chatterbot, SMS ham, YouTube ham",
            "validation": "5-fold StratifiedGroupKFold by sender",
        },
    )
    metrics = bundle.manifest["metrics"]["out_of_fold"]
    print(json.dumps(bundle.manifest["operating_points"], indent=1))
    print(
        f"threshold {bundle.threshold:.4f}  roc_auc {metrics['roc_auc']:.4f}  "
        f"recall {metrics['recall']:.4f}  fpr {metrics['fpr']:.4f}"
    )
    print(
        f"{'source':<28}{'n':>6}  "
        + "  ".join(f"{p:>9}" for p in ("strict", "balanced", "lenient"))
    )
    for source, row in metrics["by_source"].items():
        for kind in ("recall", "fpr"):
            if kind in row:
                print(
                    f"{source:<28}{row['n']:>6}  "
                    + "  ".join(f"{row[kind][p]:>9.4f}" for p in ("strict", "balanced", "lenient"))
                    + f"  ({kind})"
                )
    if not args.dry_run:
        bundle.save(args.out)
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
