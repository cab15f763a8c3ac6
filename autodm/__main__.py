"""The command line: ``python -m autodm`` or ``autodm``.

Commands
--------
demo      classify the bundled demo messages and print a table
classify  classify a text argument, or JSONL from a file or stdin; JSONL verdicts out
explain   a person-readable breakdown of one message (a text argument, or - for stdin)
train     train a bundle from labelled JSONL or CSV
evaluate  measure a bundle on labelled JSONL or CSV; --report DIR writes an HTML report
campaigns group near-duplicate messages of a JSONL or CSV file; JSONL campaigns out, largest first

JSONL lines hold ``text`` and optionally ``id``, ``label``, ``source``, ``group``
and the context keys (``sender_id``, ``recipient_id``, ``sent_at``,
``followed_at``, ``sender_history``, ``platform``, ``first_message``,
``recipient_wrote_first``); other keys are ignored. Every command that reads a
file also reads CSV (a file ending in ``.csv``, or ``--input-format csv``)
with a header row of the same column names; ``classify`` writes CSV with
``--output-format csv`` (the default for CSV input). Each verdict of a file's or standard
input's records carries the ``line`` its record starts on (blank lines are skipped), and its
``id`` if it had one.
``classify`` streams its input: memory stays constant whatever the file size (a file is
scored 512 records at a time; standard input or a pipe in batches of what has arrived, so
each verdict comes as soon as its line does). ``train``, ``evaluate`` and ``campaigns``
read the whole file first, and their memory grows with it (``evaluate``: about 1 KB a
message). When standard error is a terminal, a progress
bar is shown there.

Exit codes: 0 success; 1 some input lines could not be processed (``classify``
writes an ``{"line": N, "error": ...}`` record for each, ``campaigns`` names each on
standard error, and the rest go on); 2 bad usage or an unreadable file or bundle.
Ctrl-C ends the program by SIGINT, without a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import math
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from . import __version__
from ._commands import _COMMANDS
from .errors import AutoDMError

__all__ = ["main"]


_EXAMPLES: Final = """examples:
  autodm demo
  autodm classify "Thx 4 the follow! Like my page: bit.ly/x1Ab"
  autodm classify --text="$MESSAGE"   # from a script: always the message, never a file
  autodm classify messages.jsonl > verdicts.jsonl
  autodm classify inbox.csv > verdicts.csv
  cat messages.jsonl | autodm classify - --threshold strict
  autodm explain "Thanks for following! Grab my free e-book: example.com/book"
  autodm explain - < message.txt
  autodm train labelled.jsonl --out my-bundle
  autodm train labelled.csv --out my-bundle
  autodm evaluate labelled.jsonl --bundle my-bundle --report report/
  autodm campaigns inbox.jsonl --min-size 5
"""


_LABELLED_INPUT: Final = """input:
  JSONL: one object per line. CSV: a header row, then one message per row.
  Both use the same names:
    text        the message (required)
    label       automated/human (also auto, spam, bot / ham, person, 1/0, true/false)
    source      a source name for per-source metrics (default "all")
    group       a group for grouped cross-validation in train, e.g. the sender
                (default: each row its own group)
    sender_id, recipient_id, sent_at, followed_at, sender_history, platform,
    first_message, recipient_wrote_first
                the context; in CSV, sent_at/followed_at are epoch seconds or ISO
                strings, first_message/recipient_wrote_first true/false, and
                sender_history a JSON list of strings. An empty cell is absent.
  Other keys and columns are ignored. A bad line or row stops the command (exit 2).
"""


def _threshold(value: str) -> float | str:
    if value in ("strict", "balanced", "lenient"):
        return value
    try:
        return float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be strict, balanced, lenient or a number in [0, 1]; got {value!r}"
        ) from None


def _path(value: str) -> Path:
    """A path argument; "" is refused, since Path("") is the current folder."""
    if not value:
        raise argparse.ArgumentTypeError("must be a path, not an empty string")
    return Path(value)


def _rate(value: str) -> float:
    try:
        rate = float(value)
    except ValueError:
        rate = math.nan
    if not 0.0 <= rate <= 1.0:
        raise argparse.ArgumentTypeError(
            f"must be a share of human messages in [0, 1], e.g. 0.005; got {value!r}"
        )
    return rate + 0.0  # "-0" is 0, not the -0.0 that would be printed back


def _names(value: str) -> list[str]:
    names = [name.strip() for name in value.split(",") if name.strip()]
    if not names:
        raise argparse.ArgumentTypeError(
            f"must name at least one source, e.g. sms,irc; got {value!r}"
        )
    return names


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="autodm",
        description="Tell automated direct messages from messages people wrote.",
        epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"autodm {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _with_model(commands.add_parser("demo", help="classify the bundled demo messages"))
    _add_classify(commands)
    _add_explain(commands)
    _add_train(commands)
    _add_evaluate(commands)
    _add_campaigns(commands)
    return parser


def _with_model(sub: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The options of the commands that classify: which bundle, and its threshold."""
    sub.add_argument("--bundle", type=_path, help="bundle folder or .zip (default: bundled)")
    sub.add_argument(
        "--threshold",
        type=_threshold,
        help="strict, balanced, lenient or a probability (default: the bundle's)",
    )
    return sub


def _labelled_input(sub: argparse.ArgumentParser) -> None:
    """The input of train and evaluate: a labelled JSONL or CSV file."""
    sub.add_argument(
        "input",
        type=_path,
        help="JSONL, or CSV with a header row, with text and label; - for standard input",
    )
    sub.add_argument(
        "--input-format", choices=("jsonl", "csv"), help="default: csv for *.csv, else jsonl"
    )


def _add_classify(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    classify = _with_model(
        commands.add_parser("classify", help="classify text, JSONL or CSV; verdicts out")
    )
    classify.add_argument(
        "--input-format", choices=("jsonl", "csv"), help="default: by file name, else jsonl"
    )
    classify.add_argument(
        "--output-format", choices=("jsonl", "csv"), help="default: csv for csv input, else jsonl"
    )
    given = classify.add_mutually_exclusive_group(required=True)
    given.add_argument(
        "input",
        nargs="?",
        help="a message, or the path of a JSONL or CSV file, or - for JSONL on standard input "
        "(an argument that names an existing file is read as a file: CSV when its name ends "
        "in .csv, else JSONL)",
    )
    given.add_argument(
        "--text",
        help="the message itself, never read as a file (for a script that passes text it did "
        "not write, which may be '-' or a file's name; write --text=TEXT, with '=', when it "
        "may start with '-')",
    )


def _add_explain(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    explain = _with_model(commands.add_parser("explain", help="explain one message's verdict"))
    explain.add_argument(
        "text",
        help="the message, or - to read it from standard input (all of it, as UTF-8, one "
        "trailing newline dropped)",
    )
    explain.add_argument("--context", help="context as a JSON object", default=None)


def _add_train(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    train = commands.add_parser(
        "train",
        help="train a bundle from labelled JSONL or CSV",
        description="Train a bundle from labelled messages.",
        epilog=_LABELLED_INPUT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _labelled_input(train)
    train.add_argument("--out", type=_path, required=True, help="bundle folder or .zip to write")
    train.add_argument("--C", type=float, default=1.0, help="inverse regularisation strength")
    train.add_argument("--no-ngrams", action="store_true", help="signals only, no n-grams")
    train.add_argument(
        "--target-fpr",
        type=_rate,
        default=0.005,
        metavar="RATE",
        help="false-positive rate on the out-of-fold human messages of every source that sets "
        "the default threshold (default: 0.005)",
    )
    train.add_argument(
        "--threshold-sources",
        type=_names,
        metavar="NAMES",
        help="comma-separated sources whose human messages set the thresholds (default: all)",
    )
    train.add_argument(
        "--calibration-sources",
        type=_names,
        metavar="NAMES",
        help="comma-separated sources whose messages calibrate probability (default: all); "
        "leave out rendered or hand-written examples",
    )


def _add_evaluate(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    evaluate = _with_model(
        commands.add_parser(
            "evaluate",
            help="measure on labelled JSONL or CSV",
            description="Measure a bundle on labelled messages; prints the metrics as one "
            "JSON line.",
            epilog=_LABELLED_INPUT,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
    )
    _labelled_input(evaluate)
    evaluate.add_argument(
        "--report",
        type=_path,
        metavar="DIR",
        help="also write an HTML report to DIR/index.html (needs matplotlib: "
        "pip install 'autodm[report]')",
    )
    evaluate.add_argument(
        "--fpr",
        type=_rate,
        metavar="RATE",
        help="also give the lowest threshold that flags at most RATE of the human messages "
        "(key threshold_for)",
    )


def _add_campaigns(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    campaigns = commands.add_parser("campaigns", help="group near-duplicate messages")
    campaigns.add_argument(
        "input",
        type=_path,
        help="JSONL, or CSV with a header row, with text (and sender_id); - for standard input",
    )
    campaigns.add_argument(
        "--input-format", choices=("jsonl", "csv"), help="default: csv for *.csv, else jsonl"
    )
    campaigns.add_argument("--min-size", type=int, default=2, help="smallest group reported")
    campaigns.add_argument(
        "--similarity", type=float, default=0.85, help="masked-text similarity, 0..1"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    out = sys.stdout
    if out is None:  # what Python gives a process started with >&-
        print(
            f"autodm {args.command}: standard output is closed; give it a file, a pipe "
            "or /dev/null (> verdicts.jsonl)",
            file=sys.stderr,
        )
        return 2
    try:
        code = _COMMANDS[args.command](args, out)
        # Flushed here, not at exit, so that a reader gone before a short output was
        # written is met by the handler below.
        out.flush()
        return code
    except BrokenPipeError:
        # The reader went away (`autodm classify big.jsonl | head`): stop quietly, and
        # keep Python from complaining again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), out.fileno())
        return 0
    except (AutoDMError, OSError, json.JSONDecodeError, UnicodeDecodeError, csv.Error) as error:
        print(f"autodm {args.command}: {error}", file=sys.stderr)
        return 2


def _run() -> int:
    """The program ``autodm`` and ``python -m autodm``: :func:`main`, and on Ctrl-C no
    traceback (what was scored is out) but an end by SIGINT, as a shell expects of an
    interrupted command (a script's loop stops there too)."""
    try:
        return main()
    except KeyboardInterrupt:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
        if hasattr(signal, "SIGINT") and os.name == "posix":
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGINT)
        return 130


if __name__ == "__main__":
    raise SystemExit(_run())
