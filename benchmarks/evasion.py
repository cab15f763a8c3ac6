"""Recall on the golden auto-DMs, clean and rewritten by each evasion kind of autodm.testing.

    python benchmarks/evasion.py [--seeds 3]

Classifies tests/cases/automated.json with ``autodm.Detector()`` as written, then after
``autodm.testing.perturb`` with each kind (``--seeds`` seeds each, pooled), and prints
recall per kind, its ratio to clean recall (tests/test_evasion.py asks for at least
0.95), how many messages were caught clean but missed rewritten, and how many
rewritten messages carry the flag the trick should raise.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import autodm
from autodm.testing import KINDS, ZERO_WIDTH_SPACE, perturb

CASES = Path(__file__).resolve().parent.parent / "tests" / "cases" / "automated.json"
FLAG = {
    "homoglyph": "confusables",
    "zero_width": "zero_width",
    "spaced_link": "obfuscated_link",
    "spaced_letters": "spaced_letters",
    "separated_letters": "spaced_letters",
    "ideographic_dot": "obfuscated_link",
    "dot_lookalike": "obfuscated_link",
    "small_capitals": "styled_letters",
    "diacritics": "diacritics",
}
_ZW_BETWEEN_ALNUM = re.compile(f"[A-Za-z0-9]{ZERO_WIDTH_SPACE}[A-Za-z0-9]")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3, help="seeds per kind, pooled")
    args = parser.parse_args()
    cases = json.loads(CASES.read_text(encoding="utf-8"))
    detector = autodm.Detector()
    clean = [detector.classify(c["text"], c.get("context")) for c in cases]
    clean_recall = sum(v.is_automated for v in clean) / len(cases)
    has_link = [
        bool(detector.features(c["text"], c.get("context"))["link_count"].value) for c in cases
    ]

    print(f"autodm {autodm.__version__}, {len(cases)} golden auto-DMs, seeds 0..{args.seeds - 1}")
    print(f"{'kind':<17} {'recall':>7} {'ratio':>6} {'lost':>5}  flagged")
    print(f"{'clean':<17} {clean_recall:7.4f} {1:6.3f} {'':>5}  -")
    for kind in KINDS:
        caught = lost = flagged = applicable = 0
        for seed in range(args.seeds):
            for case, before, link in zip(cases, clean, has_link, strict=True):
                text = perturb(case["text"], kind, seed=seed)
                verdict = detector.classify(text, case.get("context"))
                caught += verdict.is_automated
                lost += before.is_automated and not verdict.is_automated
                flag = FLAG.get(kind)
                if flag is None:
                    continue
                if (
                    (
                        kind
                        in (
                            "homoglyph",
                            "spaced_letters",
                            "separated_letters",
                            "small_capitals",
                            "diacritics",
                        )
                        and text != case["text"]
                    )
                    or (kind == "zero_width" and _ZW_BETWEEN_ALNUM.search(text))
                    # (a link spelt letter by letter is out of perturb's sight)
                    or (kind == "spaced_link" and link and "spaced_letters" not in before.flags)
                    or (kind in ("ideographic_dot", "dot_lookalike") and text != case["text"])
                ):
                    applicable += 1
                    flagged += flag in verdict.flags
        recall = caught / (len(cases) * args.seeds)
        flags = f"{flagged}/{applicable} {FLAG[kind]}" if kind in FLAG else "-"
        ratio = recall / clean_recall
        mark = "" if ratio >= 0.95 else "  < 0.95"
        print(f"{kind:<17} {recall:7.4f} {ratio:6.3f} {lost:5d}  {flags}{mark}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
