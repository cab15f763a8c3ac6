"""Long fuzzing run of autodm.classify: every call gives a valid verdict or a typed error.

    python benchmarks/fuzz.py [--count 100000] [--seed 0] [--show 3]

Generates ``--count`` inputs with a seeded RNG (no hypothesis needed): random Unicode
strings (every plane, lone surrogates, controls, combining marks, right-to-left text,
emoji ZWJ sequences, look-alike letters), adversarial constructions (long runs of
link, dot, bracket, handle and digit fragments; NFKC expanders; zero-width splits),
golden auto-DMs rewritten by ``autodm.testing.perturb``, a few non-str messages, and
random contexts (known and unknown keys; None, bools, ints, floats including nan and
inf, strings, naive and aware datetimes, lists). Each input goes to
``autodm.classify``; the outcome is one of

* a verdict, checked: probability finite in [0, 1], label consistent with the
  threshold, ``to_dict()`` JSON-serialisable (every 10th input is also classified
  twice and must give the same ``to_dict()``);
* a typed error: a subclass of ``autodm.AutoDMError``;
* an untyped exception: anything else, a bug.

Prints the counts, throughput, and the untyped exceptions and invalid verdicts grouped
by type and place with a few example inputs. Exits 1 when there is any untyped
exception or invalid verdict, else 0. CI does not run this; ``tests/test_fuzz.py`` is
the short version that does.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
import traceback
from collections import Counter, defaultdict
from dataclasses import fields
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import autodm
from autodm.testing import KINDS, perturb

CASES = Path(__file__).resolve().parent.parent / "tests" / "cases"
CONTEXT_KEYS = tuple(f.name for f in fields(autodm.Context))
UNKNOWN_KEYS = ("sent", "sender", "followed", "", "SENDER_ID", "text", "__class__", "0")

# Character pools, each a list of code points or short sequences.
_RANGES = {
    "ascii": [(0x20, 0x7E)],
    "control": [(0x00, 0x1F), (0x7F, 0x9F)],
    "latin_ext": [(0xA0, 0x24F)],
    "combining": [(0x0300, 0x036F), (0x1AB0, 0x1AFF), (0x20D0, 0x20FF)],
    "rtl": [(0x0590, 0x05FF), (0x0600, 0x06FF), (0x0700, 0x074F)],
    "cyrillic_greek": [(0x0370, 0x03FF), (0x0400, 0x04FF), (0x0500, 0x052F)],
    "cjk": [(0x3040, 0x30FF), (0x4E00, 0x9FFF), (0xAC00, 0xD7AF)],
    "fullwidth": [(0xFF01, 0xFF5E)],
    "math_letters": [(0x1D400, 0x1D7FF), (0x24B6, 0x24E9), (0x1F130, 0x1F189)],
    "emoji": [(0x1F300, 0x1FAFF), (0x2600, 0x27BF)],
    "surrogates": [(0xD800, 0xDFFF)],
    "private_use": [(0xE000, 0xF8FF), (0xF0000, 0xF00FF)],
    "specials": [(0xFFF0, 0xFFFF), (0xFDD0, 0xFDEF)],
}
_INVISIBLE = "\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u180e"
_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
_SEQUENCES = [
    "👩\u200d💻",
    "👨\u200d👩\u200d👧\u200d👦",
    "🏳\ufe0f\u200d🌈",
    "👍🏽",
    "🇺🇳",
    "❤\ufe0f",
    "1\ufe0f\u20e3",
    "e\u0301",
    "\u0915\u094d\u200d",
    "ﷺ",
    "ﷻ",
    "㌀",
    "\u2474",
    "\U0001f16a",
]
# Fragments that stress the link, handle, number and de-obfuscation patterns.
_FRAGMENTS = [
    "http://a.b/",
    "https://",
    "hxxp[:]//",
    "h**ps://",
    "www.",
    "a.",
    ".",
    " . ",
    " . com",
    "[.]",
    "(dot)",
    "{.}",
    "x[.]",
    "@",
    "@a",
    "a@b.c",
    "a.b.c.d@",
    "1.2.3,",
    "$9,99",
    "((((",
    "[[[[",
    "<url>",
    "{name}",
    "%",
    "bit . ly/",
    "bit,ly/",
    "a,b,",
    "bit.ly/x1Ab",
    "example.com",
    "点bit.ly/x",
    "联系我a@b.co",
    "の@a_b",
    "-",
    "_",
    "/",
    "?",
    "#",
    "\u200b",
    "а",
    "𝐅",
    "Ｆ",
    " ",
    "\n",
    "\t",
]


def load_texts() -> list[str]:
    texts = []
    for name in ("automated.json", "human.json"):
        path = CASES / name
        if path.exists():
            texts += [case["text"] for case in json.loads(path.read_text(encoding="utf-8"))]
    return texts or ["Thanks for the follow! Like my page: bit.ly/x1Ab", "see you at 6"]


def random_char(rng: random.Random, pool: str) -> str:
    low, high = rng.choice(_RANGES[pool])
    return chr(rng.randint(low, high))


def random_unicode(rng: random.Random) -> str:
    """Any code point at all; one string in five may hold lone surrogates."""
    n = rng.choice((0, 1, 2, 5, 20, 100, 400))
    surrogates = rng.random() < 0.2
    out = []
    for _ in range(rng.randint(0, n)):
        code = rng.randrange(0x110000)
        while not surrogates and 0xD800 <= code <= 0xDFFF:
            code = rng.randrange(0x110000)
        out.append(chr(code))
    return "".join(out)


def mixed_unicode(rng: random.Random) -> str:
    """Characters from a few pools, with invisible, bidi and multi-code-point sequences."""
    pools = rng.sample(sorted(_RANGES), k=rng.randint(1, 4))
    out = []
    for _ in range(rng.randint(0, rng.choice((10, 60, 300)))):
        roll = rng.random()
        if roll < 0.08:
            out.append(rng.choice(_INVISIBLE))
        elif roll < 0.12:
            out.append(rng.choice(_BIDI))
        elif roll < 0.2:
            out.append(rng.choice(_SEQUENCES))
        elif roll < 0.3:
            out.append(" ")
        else:
            out.append(random_char(rng, rng.choice(pools)))
    return "".join(out)


def adversarial(rng: random.Random) -> str:
    """Long repeats of pattern-stressing fragments, up to a few hundred thousand characters."""
    parts = rng.sample(_FRAGMENTS, k=rng.randint(1, 3))
    unit = "".join(parts)
    repeat = rng.choice((1, 10, 100, 1000, 5000, 50_000)) // max(1, len(unit) // 4)
    text = unit * max(1, repeat)
    if rng.random() < 0.3:
        text = rng.choice(_SEQUENCES) * rng.randint(1, 3000) + text
    return text


def perturbed(rng: random.Random, texts: list[str]) -> str:
    text = rng.choice(texts)
    for _ in range(rng.randint(1, 3)):
        text = perturb(text, rng.choice(KINDS), seed=rng.randrange(1000))
    return text


def random_datetime(rng: random.Random, aware: bool) -> datetime:
    moment = datetime(1, 1, 1) + timedelta(seconds=rng.randrange(int(3.15e11)))
    if not aware:
        return moment
    offset = timedelta(minutes=rng.randint(-23 * 60 - 59, 23 * 60 + 59))
    return moment.replace(tzinfo=rng.choice((UTC, timezone(offset))))


def random_value(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(14 if depth == 0 else 10)
    if kind == 0:
        return None
    if kind == 1:
        return rng.random() < 0.5
    if kind == 2:
        if rng.random() < 0.02:  # beyond float range, and beyond int-to-str conversion
            return rng.choice((2**1024, -(10**400), 10**5000))
        return rng.choice((0, 1, -1, 7, 2**31, -(2**63), 10**18, rng.randint(-(10**12), 10**12)))
    if kind == 3:
        return rng.choice(
            (
                math.nan,
                math.inf,
                -math.inf,
                0.0,
                -0.0,
                1e308,
                -1e308,
                5e-324,
                rng.uniform(-1e9, 2e9),
            )
        )
    if kind == 4:
        return mixed_unicode(rng)[:40]
    if kind == 5:
        stamp = random_datetime(rng, aware=rng.random() < 0.5).isoformat()
        return rng.choice((stamp, stamp + "Z", stamp[:10], stamp.replace("T", " "), " " + stamp))
    if kind == 6:
        return random_datetime(rng, aware=False)
    if kind == 7:
        return random_datetime(rng, aware=True)
    if kind == 8:
        return rng.choice(("", "twitter", "u_1", "0", "1970-01-01T00:00:00+00:00"))
    if kind == 9:
        return rng.choice((b"bytes", bytearray(b"x"), 1j, object(), {"a": 1}, {1, 2}))
    # Containers, sometimes of text, sometimes of anything.
    items = [
        rng.choice(_FRAGMENTS) * rng.randint(1, 5)
        if rng.random() < 0.6
        else random_value(rng, depth + 1)
        for _ in range(rng.choice((0, 1, 3, 20, 1500)))
    ]
    return rng.choice((list, tuple, list))(items)


def plausible_value(rng: random.Random, key: str) -> Any:
    """A value of the type the key takes, so that most contexts are valid."""
    if key in ("sender_id", "recipient_id"):
        return rng.choice((f"u_{rng.randrange(50)}", rng.randrange(10**9), mixed_unicode(rng)[:20]))
    if key in ("sent_at", "followed_at"):
        moment = random_datetime(rng, aware=True)
        return rng.choice(
            (moment, moment.isoformat(), rng.uniform(-1e10, 1e10), rng.randrange(10**10))
        )
    if key == "sender_history":
        return [
            perturb(rng.choice(_FRAGMENTS) * 3, rng.choice(KINDS)) for _ in range(rng.randint(0, 8))
        ]
    if key == "platform":
        return rng.choice(("twitter", "instagram", "", mixed_unicode(rng)[:20]))
    return rng.random() < 0.5  # the yes/no keys


def random_context(rng: random.Random) -> Any:
    roll = rng.random()
    if roll < 0.35:
        return None
    if roll < 0.38:
        return rng.choice(("twitter", 42, ["sender_id"], b"{}"))
    keys = list(CONTEXT_KEYS) + (list(UNKNOWN_KEYS) if rng.random() < 0.15 else [])
    mapping = {
        key: plausible_value(rng, key)
        if key in CONTEXT_KEYS and rng.random() < 0.7
        else random_value(rng)
        for key in rng.sample(keys, k=rng.randint(0, 4))
    }
    if roll < 0.45:  # built into a Context inside the try of the run, since that may raise
        return _AsContext({k: v for k, v in mapping.items() if k in CONTEXT_KEYS})
    return mapping


class _AsContext(dict[str, Any]):
    """Keyword arguments that the run turns into an ``autodm.Context`` before classifying."""


def generate(rng: random.Random, texts: list[str]) -> tuple[Any, Any]:
    roll = rng.random()
    if roll < 0.25:
        message: Any = random_unicode(rng)
    elif roll < 0.55:
        message = mixed_unicode(rng)
    elif roll < 0.7:
        message = adversarial(rng)
    elif roll < 0.98:
        message = perturbed(rng, texts)
    else:
        message = rng.choice((None, b"hi", 42, ["hi"], bytearray(b"x")))
    return message, random_context(rng)


def check(verdict: Any) -> str | None:
    """What is wrong with a verdict, or None."""
    if not isinstance(verdict, autodm.Verdict):
        return f"not a Verdict: {type(verdict).__name__}"
    p, t = verdict.probability, verdict.threshold
    if not (isinstance(p, float) and math.isfinite(p) and 0.0 <= p <= 1.0):
        return f"probability {p!r}"
    if verdict.label != ("automated" if p >= t else "human"):
        return f"label {verdict.label!r} with probability {p!r} and threshold {t!r}"
    try:
        json.dumps(verdict.to_dict(), allow_nan=False)
    except (TypeError, ValueError) as error:
        return f"to_dict() not JSON-serialisable: {error}"
    return None


def _plain(value: Any) -> Any:
    """``value`` with ints too long to print (over 4,300 digits) replaced by a description."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 14_000:
        return _Raw(f"<int of {value.bit_length()} bits>")
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_plain(v) for v in value)
    return value


class _Raw(str):
    def __repr__(self) -> str:
        return str(self)


def safe_repr(value: Any, limit: int = 160) -> str:
    try:
        text = repr(_plain(value))
    except Exception as error:
        text = f"<{type(value).__name__} whose repr raised {type(error).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def place(error: BaseException) -> str:
    frames = traceback.extract_tb(error.__traceback__)
    inside = [f for f in frames if "autodm" in f.filename and "benchmarks" not in f.filename]
    frame = (inside or frames)[-1]
    return f"{type(error).__name__} at {Path(frame.filename).name}:{frame.lineno} ({frame.name})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="inputs to generate")
    parser.add_argument("--seed", type=int, default=0, help="RNG seed")
    parser.add_argument("--show", type=int, default=3, help="example inputs per failure kind")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    texts = load_texts()
    autodm.classify("warm-up")  # build the shared detector outside the timing
    outcomes: Counter[str] = Counter()
    typed: Counter[str] = Counter()
    failures: dict[str, list[str]] = defaultdict(list)
    failure_counts: Counter[str] = Counter()
    chars = 0
    start = time.perf_counter()
    for i in range(args.count):
        message, context = generate(rng, texts)
        if isinstance(message, str):
            chars += len(message)
        try:
            if isinstance(context, _AsContext):
                context = autodm.Context(**context)
            verdict = autodm.classify(message, context)
            problem = check(verdict)
            if problem is None and i % 10 == 0:
                again = autodm.classify(message, context)
                if again.to_dict() != verdict.to_dict():
                    problem = "not deterministic: a second call gave another verdict"
        except autodm.AutoDMError as error:
            outcomes["typed error"] += 1
            typed[type(error).__name__] += 1
            continue
        except Exception as error:
            outcomes["untyped exception"] += 1
            key = place(error)
            failure_counts[key] += 1
            if len(failures[key]) < args.show:
                failures[key].append(
                    f"message={safe_repr(message)} context={safe_repr(context)}: "
                    f"{safe_repr(str(error), 200)}"
                )
            continue
        if problem is None:
            outcomes["verdict"] += 1
        else:
            outcomes["invalid verdict"] += 1
            key = "invalid verdict: " + problem.split(":")[0]
            failure_counts[key] += 1
            if len(failures[key]) < args.show:
                failures[key].append(
                    f"message={safe_repr(message)} context={safe_repr(context)}: {problem}"
                )
    elapsed = time.perf_counter() - start

    print(
        f"autodm {autodm.__version__}: fuzzed classify with {args.count:,} inputs, seed {args.seed}"
    )
    for name in ("verdict", "typed error", "untyped exception", "invalid verdict"):
        print(f"  {name:<18} {outcomes[name]:>9,}")
    for name, count in typed.most_common():
        print(f"    {name:<16} {count:>9,}")
    print(f"  time               {elapsed:9.1f} s")
    print(f"  throughput         {args.count / elapsed:9,.0f} inputs/s  ({chars:,} characters)")
    for key, count in failure_counts.most_common():
        print(f"\n{key}: {count:,}")
        for example in failures[key]:
            print(f"  {example}")
    bad = outcomes["untyped exception"] + outcomes["invalid verdict"]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
