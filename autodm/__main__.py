"""The command line: ``python -m autodm`` or ``autodm``.

Commands
--------
demo      classify the bundled demo messages and print a table
classify  classify a text argument, or JSONL from a file or stdin; JSONL verdicts out
explain   a person-readable breakdown of one message
train     train a bundle from labelled JSONL or CSV
evaluate  measure a bundle on labelled JSONL or CSV; --report DIR writes an HTML report
campaigns group near-duplicate messages of a JSONL or CSV file; JSONL campaigns out, largest first

JSONL lines hold ``text`` and optionally ``id``, ``label``, ``source``, ``group``
and the context keys (``sender_id``, ``recipient_id``, ``sent_at``,
``followed_at``, ``sender_history``, ``platform``, ``first_message``,
``recipient_wrote_first``); other keys are ignored. Every command that reads a
file also reads CSV (a file ending in ``.csv``, or ``--input-format csv``)
with a header row of the same column names; ``classify`` writes CSV with
``--output-format csv`` (the default for CSV input).
Input is streamed: memory stays constant whatever the file size (a file is scored
512 records at a time; standard input line by line, so each verdict comes as soon
as its line does). When standard error is a terminal, a progress bar is shown there.

Exit codes: 0 success; 1 some input lines could not be processed (each gets an
``{"line": N, "error": ...}`` record and the rest go on); 2 bad usage or an
unreadable file or bundle.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import sys
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Any, Final

from ._cli_input import (
    _context,
    _csv_records,
    _is_csv,
    _labelled,
    _looks_like_file,
    _open_input,
    _records,
    _take,
)
from ._detector import Detector
from ._resources import read_text
from ._text import check_message
from ._types import Verdict
from .errors import AutoDMError, InvalidInputError

__all__ = ["main"]


_EXAMPLES: Final = """examples:
  autodm demo
  autodm classify "Thx 4 the follow! Like my page: bit.ly/x1Ab"
  autodm classify messages.jsonl > verdicts.jsonl
  autodm classify inbox.csv > verdicts.csv
  cat messages.jsonl | autodm classify - --threshold strict
  autodm explain "Thanks for following! Grab my free e-book: example.com/book"
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


def _rate(value: str) -> float:
    try:
        rate = float(value)
    except ValueError:
        rate = math.nan
    if not 0.0 <= rate <= 1.0:
        raise argparse.ArgumentTypeError(
            f"must be a share of human messages in [0, 1], e.g. 0.005; got {value!r}"
        )
    return rate


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
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def with_model(sub: argparse.ArgumentParser) -> argparse.ArgumentParser:
        sub.add_argument("--bundle", type=Path, help="bundle folder or .zip (default: bundled)")
        sub.add_argument(
            "--threshold",
            type=_threshold,
            help="strict, balanced, lenient or a probability (default: the bundle's)",
        )
        return sub

    def labelled_input(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "input", type=Path, help="JSONL, or CSV with a header row, with text and label"
        )
        sub.add_argument(
            "--input-format", choices=("jsonl", "csv"), help="default: csv for *.csv, else jsonl"
        )

    with_model(commands.add_parser("demo", help="classify the bundled demo messages"))
    classify = with_model(
        commands.add_parser("classify", help="classify text, JSONL or CSV; verdicts out")
    )
    classify.add_argument(
        "--input-format", choices=("jsonl", "csv"), help="default: by file name, else jsonl"
    )
    classify.add_argument(
        "--output-format", choices=("jsonl", "csv"), help="default: csv for csv input, else jsonl"
    )
    classify.add_argument(
        "input",
        help="a message, or the path of a JSONL or CSV file, or - for JSONL on standard input "
        "(an argument that names an existing file is read as a file: CSV when its name ends "
        "in .csv, else JSONL)",
    )
    explain = with_model(commands.add_parser("explain", help="explain one message's verdict"))
    explain.add_argument("text", help="the message")
    explain.add_argument("--context", help="context as a JSON object", default=None)
    train = commands.add_parser(
        "train",
        help="train a bundle from labelled JSONL or CSV",
        description="Train a bundle from labelled messages.",
        epilog=_LABELLED_INPUT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    labelled_input(train)
    train.add_argument("--out", type=Path, required=True, help="bundle folder or .zip to write")
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
    evaluate = with_model(
        commands.add_parser(
            "evaluate",
            help="measure on labelled JSONL or CSV",
            description="Measure a bundle on labelled messages; prints the metrics as one "
            "JSON line.",
            epilog=_LABELLED_INPUT,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
    )
    labelled_input(evaluate)
    evaluate.add_argument(
        "--report",
        type=Path,
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
    campaigns = commands.add_parser("campaigns", help="group near-duplicate messages")
    campaigns.add_argument(
        "input", type=Path, help="JSONL, or CSV with a header row, with text (and sender_id)"
    )
    campaigns.add_argument(
        "--input-format", choices=("jsonl", "csv"), help="default: csv for *.csv, else jsonl"
    )
    campaigns.add_argument("--min-size", type=int, default=2, help="smallest group reported")
    campaigns.add_argument(
        "--similarity", type=float, default=0.85, help="masked-text similarity, 0..1"
    )
    return parser


def _detector(args: argparse.Namespace) -> Detector:
    return Detector(args.bundle, threshold=args.threshold)


def _emit(out: IO[str], payload: dict[str, Any]) -> None:
    out.write(json.dumps(payload, ensure_ascii=False) + "\n")


_CSV_COLUMNS: Final = (
    "id", "line", "label", "probability", "is_automated", "threshold", "template", "flags",
    "top_reason", "error",
)  # fmt: skip


def _csv_row(payload: dict[str, Any]) -> dict[str, Any]:
    reasons = payload.get("reasons") or []
    row = {key: payload.get(key, "") for key in _CSV_COLUMNS}
    row["flags"] = ",".join(payload.get("flags") or [])
    row["top_reason"] = reasons[0]["message"] if reasons else ""
    row["template"] = payload.get("template") or ""
    return row


def _classify(args: argparse.Namespace, out: IO[str]) -> int:
    detector = _detector(args)
    source = args.input
    if source != "-" and not Path(source).is_file():
        if _looks_like_file(source):
            raise InvalidInputError(
                f"no file {source!r}. (To classify that text as a message, send it as JSONL on "
                'standard input: echo \'{"text": "..."}\' | autodm classify -)'
            )
        _emit(out, detector.classify(source).to_dict())
        return 0
    is_csv = _is_csv(source, args.input_format)
    writer: csv.DictWriter[str] | None = None
    if (args.output_format or ("csv" if is_csv else "jsonl")) == "csv":
        writer = csv.DictWriter(out, fieldnames=_CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
    progress = sys.stderr.isatty() and source != "-"
    # A file is read and scored in batches; standard input one line at a time, so that a
    # live producer gets each verdict as soon as its line arrives.
    batch_size = 1 if source == "-" else _CLI_BATCH
    failed = done = 0
    with ExitStack() as stack:
        stream = sys.stdin if source == "-" else stack.enter_context(_open_input(Path(source)))
        size = 0 if source == "-" else max(Path(source).stat().st_size, 1)
        records = (_csv_records if is_csv else _records)(stream)
        stopped: Exception | None = None
        while not stopped:
            batch, stopped = _take(records, batch_size)
            if not batch:
                break
            for payload in _payloads(detector, batch):
                failed += "error" in payload
                if writer is None:
                    _emit(out, payload)
                else:
                    writer.writerow(_csv_row(payload))
            done += len(batch)
            if progress:
                share = min(stream.buffer.tell() / size, 1.0)
                print(f"\r{_progress(share, done)}", end="", file=sys.stderr, flush=True)
    if progress:
        print(f"\r{_progress(1.0, done)}, {failed:,} failed", file=sys.stderr)
    if stopped is not None:
        # The verdicts of every record read so far are out; say where reading stopped.
        records_read = f"{done:,} record{'s' if done != 1 else ''}"
        print(f"autodm classify: stopped after {records_read}: {stopped}", file=sys.stderr)
        return 2
    return 1 if failed else 0


#: Records of a file scored together by ``classify`` (memory stays bounded by it).
_CLI_BATCH: Final = 512


def _payloads(
    detector: Detector, batch: list[tuple[int, dict[str, Any] | str]]
) -> list[dict[str, Any]]:
    """One output object per record, in order: its verdict, or its line and error."""
    good = [(number, record) for number, record in batch if not isinstance(record, str)]
    try:
        verdicts = detector.classify_many(
            [record["text"] for _, record in good],
            [_context(record) or None for _, record in good],
        )
    except AutoDMError:
        verdicts = None  # some record is bad: score one at a time, so each gets its own error
    scored = None if verdicts is None else iter(verdicts)
    payloads: list[dict[str, Any]] = []
    for number, record in batch:
        if isinstance(record, str):
            payloads.append({"line": number, "error": record})
            continue
        try:
            if scored is not None:
                verdict = next(scored)
            else:
                verdict = detector.classify(record["text"], _context(record))
        except AutoDMError as error:
            payloads.append({"line": number, "error": str(error)})
            continue
        payload = verdict.to_dict()
        payloads.append({"id": record["id"], **payload} if "id" in record else payload)
    return payloads


def _progress(share: float, done: int, width: int = 24) -> str:
    """A progress bar for standard error: the share of the file read, and messages done."""
    filled = round(share * width)
    return f"autodm: [{'#' * filled}{'.' * (width - filled)}] {share:4.0%} {done:,} messages"


def _bar(weight: float, scale: float = 2.0, width: int = 12) -> str:
    filled = min(width, round(abs(weight) / scale * width))
    return ("+" if weight > 0 else "-") * max(filled, 1)


def _explain_text(verdict: Verdict) -> str:
    lines = [
        f"verdict      {verdict.label} (P(automated) = {verdict.probability:.3f}, "
        f"threshold {verdict.threshold:.3f})",
    ]
    if verdict.template:
        lines.append(f"template     {verdict.template}")
    if verdict.flags:
        lines.append(f"text layer   {', '.join(verdict.flags)}")
    lines.append("reasons      (weight on the log-odds of 'automated')")
    for reason in verdict.reasons:
        lines.append(f"  {reason.weight:+7.2f} {_bar(reason.weight):<13} {reason.message}")
    return "\n".join(lines)


def _explain(args: argparse.Namespace, out: IO[str]) -> int:
    try:
        context = json.loads(args.context) if args.context else None
    except json.JSONDecodeError as error:
        raise InvalidInputError(
            f'--context must be a JSON object, e.g. \'{{"sender_id": "bob"}}\': {error}'
        ) from None
    verdict = _detector(args).classify(args.text, context)
    out.write(_explain_text(verdict) + "\n")
    return 0


def _demo(args: argparse.Namespace, out: IO[str]) -> int:
    detector = _detector(args)
    out.write(f"autodm demo: {detector!r}\n\n")
    header = f"{'verdict':<10} {'P(auto)':>7}  {'message':<46} top reason"
    out.write(header + "\n" + "-" * len(header) + "\n")
    for line in read_text("demo.jsonl").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        verdict = detector.classify(record["text"], _context(record))
        text = " ".join(record["text"].split())
        text = text if len(text) <= 46 else text[:45] + "…"
        top = verdict.reasons[0].message if verdict.reasons else ""
        out.write(f"{verdict.label:<10} {verdict.probability:>7.3f}  {text:<46} {top}\n")
        if record.get("note"):
            out.write(f"{'':<10} {'':>7}  ({record['note']})\n")
    out.write('\nExplain one: python -m autodm explain "<message>"\n')
    return 0


def _check_out(path: Path) -> None:
    """Refuse an ``--out`` that :meth:`Bundle.save` could not write."""
    from ._bundle import save_target

    try:
        save_target(path)
    except InvalidInputError as error:
        raise InvalidInputError(f"--out: {error}") from None
    folder = path.absolute() if path.is_dir() else path.absolute().parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent  # save creates the folders that are missing
    if not folder.is_dir() or not os.access(folder, os.W_OK):
        raise InvalidInputError(f"--out: cannot write into {str(folder)!r}.")


def _train(args: argparse.Namespace, out: IO[str]) -> int:
    from ._training import train

    _check_out(args.out)  # before the training, which may take minutes, not after it
    texts, labels, contexts, sources, groups = _labelled(args.input, args.input_format)
    bundle = train(
        texts,
        labels,
        contexts,
        groups=groups,
        sources=sources,
        C=args.C,
        ngrams=not args.no_ngrams,
        target_fpr=args.target_fpr,
        threshold_sources=args.threshold_sources,
        calibration_sources=args.calibration_sources,
    )
    path = bundle.save(args.out)
    metrics = bundle.manifest["metrics"]["out_of_fold"]
    out.write(
        f"wrote {path}: threshold {bundle.threshold:.4f}; out-of-fold ROC-AUC "
        f"{metrics['roc_auc']:.4f}, recall {metrics['recall']:.4f}, "
        f"false-positive rate {metrics['fpr']:.4f}\n"
    )
    for note in _too_few_humans(labels, sources, args.threshold_sources, args.target_fpr):
        print(f"autodm train: note: {note}", file=sys.stderr)
    return 0


def _too_few_humans(
    labels: list[Any], sources: list[str], threshold_sources: list[str] | None, target: float
) -> list[str]:
    """A note for each source whose human messages are too few to measure ``target``."""
    from ._checks import labels_to_array

    need = math.ceil(1 / target - 1e-9)
    humans: dict[str, int] = {}
    for source, label in zip(sources, labels_to_array(labels).tolist(), strict=True):
        if not label and (threshold_sources is None or source in threshold_sources):
            humans[source] = humans.get(source, 0) + 1
    return [
        f"source {source!r} has {n} human message{'s' if n != 1 else ''}, too few to measure "
        f"a false-positive rate of {target:.2%} (that takes {need:,} or more): the threshold "
        "sits above the highest of their scores, and new human messages of that kind will be "
        "flagged more often than that."
        for source, n in sorted(humans.items())
        if n < need
    ]


def _evaluate(args: argparse.Namespace, out: IO[str]) -> int:
    from ._checks import labels_to_array
    from ._evaluation import evaluate

    if args.report is not None:
        from ._report import check_dependencies

        check_dependencies()  # before the work, not after it
    texts, labels, contexts, sources, _ = _labelled(args.input, args.input_format)
    if args.fpr is not None and labels_to_array(labels).all():
        raise InvalidInputError(
            f"--fpr fits a threshold to the human messages of {args.input}, and it holds "
            f"no message labelled human (0 of {len(labels)})."
        )
    result = evaluate(texts, labels, contexts, detector=_detector(args), sources=sources)
    metrics = result.to_dict()
    if args.fpr is not None:
        metrics["threshold_for"] = {"fpr": args.fpr, "threshold": result.threshold_for(args.fpr)}
    _emit(out, metrics)
    if args.report is not None:
        path = result.write_report(args.report, title=f"autodm evaluation: {args.input.name}")
        print(f"autodm evaluate: wrote {path}", file=sys.stderr)
    return 0


def _campaigns(args: argparse.Namespace, out: IO[str]) -> int:
    from ._campaigns import group_campaigns

    texts: list[str] = []
    senders: list[str] = []
    failed = 0
    read = _csv_records if _is_csv(str(args.input), args.input_format) else _records
    with _open_input(args.input) as stream:
        for number, record in read(stream):
            if not isinstance(record, str):
                try:
                    check_message(record["text"])
                except AutoDMError as error:
                    record = str(error)
            if isinstance(record, str):
                failed += 1
                print(f"autodm campaigns: {args.input}:{number}: {record}", file=sys.stderr)
                continue
            texts.append(record["text"])
            senders.append(str(record.get("sender_id", "")))
    found = group_campaigns(
        texts,
        senders=senders if any(senders) else None,
        similarity=args.similarity,
        min_size=args.min_size,
    )
    for campaign in found:
        _emit(out, campaign.to_dict())
    return 1 if failed else 0


_COMMANDS: Final = {
    "demo": _demo,
    "classify": _classify,
    "explain": _explain,
    "train": _train,
    "evaluate": _evaluate,
    "campaigns": _campaigns,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        return _COMMANDS[args.command](args, sys.stdout)
    except BrokenPipeError:
        # The reader went away (`autodm classify big.jsonl | head`): stop quietly, and
        # keep Python from complaining again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (AutoDMError, OSError, json.JSONDecodeError, UnicodeDecodeError, csv.Error) as error:
        print(f"autodm {args.command}: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
