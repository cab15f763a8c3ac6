"""The command line's subcommands, demo to campaigns, and how they write their output."""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import sys
import tempfile
import warnings
from collections.abc import Iterable
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Any, Final

from ._cli_input import (
    _batches,
    _context,
    _csv_records,
    _is_csv,
    _labelled,
    _looks_like_file,
    _noting_misspelt_keys,
    _open_input,
    _open_live,
    _open_stdin,
    _records,
    _undecoded,
)
from ._detector import Detector
from ._resources import read_text
from ._text import check_message
from ._types import Verdict, shown
from .errors import AutoDMError, InvalidInputError, ThinDataWarning


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
    if payload.get("id") is not None and not isinstance(payload["id"], str):  # as JSON spells it
        row["id"] = json.dumps(payload["id"], ensure_ascii=False)
    return row


class _Rows:
    """Rows written with "\r\n" line ends, passed on with "\n": the csv module quotes a
    cell that holds a character of its line end, so a cell holding a bare "\r" (an id
    from the input) is quoted, where "\n" line ends would leave it bare and split the row."""

    def __init__(self, out: IO[str]) -> None:
        self._out = out

    def write(self, row: str) -> int:
        return self._out.write(row[:-2] + "\n" if row.endswith("\r\n") else row)


def _csv_writer(out: IO[str]) -> csv.DictWriter[str]:
    """A writer of ``classify``'s CSV output, its header row already written."""
    writer = csv.DictWriter(_Rows(out), fieldnames=_CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    return writer


def _classify(args: argparse.Namespace, out: IO[str]) -> int:
    detector = _detector(args)
    source = args.input
    if args.text is not None or (source != "-" and not _names_input(source)):
        if args.text is not None:
            source = args.text
        elif _looks_like_file(source):
            raise InvalidInputError(
                f"no file {source!r}. (To classify that text as a message, send it as JSONL on "
                'standard input: echo \'{"text": "..."}\' | autodm classify -)'
            )
        payload = detector.classify(source).to_dict()
        if args.output_format == "csv":
            _csv_writer(out).writerow(_csv_row(payload))
        else:
            _emit(out, payload)
        return 0
    is_csv = _is_csv(source, args.input_format)
    writer: csv.DictWriter[str] | None = None
    if (args.output_format or ("csv" if is_csv else "jsonl")) == "csv":
        writer = _csv_writer(out)
    # A regular file is read and scored in batches; standard input, a pipe or a device in
    # batches of what has arrived, each batch's verdicts written out at once, so that a live
    # producer gets a verdict as soon as its line arrives (a pipe's output is otherwise held
    # until a buffer fills).
    regular = source != "-" and Path(source).is_file()
    progress = sys.stderr.isatty() and regular
    failed = done = 0
    with ExitStack() as stack:
        if regular:
            stream = stack.enter_context(_open_input(Path(source)))
            lines: Iterable[str] = stream
            ready = None
        else:
            lines, ready = stack.enter_context(_open_live(source, csv_rows=is_csv))
        size = max(Path(source).stat().st_size, 1) if regular else 0
        records = _noting_misspelt_keys((_csv_records if is_csv else _records)(lines), "classify")
        stopped: Exception | None = None
        for batch, error in _batches(records, _CLI_BATCH, ready):
            stopped = error
            for payload in _payloads(detector, batch):
                failed += "error" in payload
                if writer is None:
                    _emit(out, payload)
                else:
                    writer.writerow(_csv_row(payload))
            done += len(batch)
            if not regular:
                out.flush()
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
    """One output object per record, in order: its id (if it has one), its line and its
    verdict, or its line and its error."""
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
        # The line it came from, on every record: blank lines are skipped, so a count of
        # output lines does not say which input line a verdict belongs to.
        where = {"id": record["id"], "line": number} if "id" in record else {"line": number}
        payloads.append({**where, **verdict.to_dict()})
    return payloads


def _progress(share: float, done: int, width: int = 24) -> str:
    """A progress bar for standard error: the share of the file read, and messages done."""
    filled = round(share * width)
    return f"autodm: [{'#' * filled}{'.' * (width - filled)}] {share:4.0%} {done:,} messages"


def _bar(weight: float, scale: float = 2.0, width: int = 12) -> str:
    filled = min(width, round(abs(weight) / scale * width))
    return ("+" if weight > 0 else "-") * max(filled, 1)


#: How close to 0 or 1 a probability may be for its log-odds to be read back from it to
#: within 0.001: nearer, a float keeps too few digits of 1 - p (log-odds beyond ±27.6).
_READABLE: Final = 1e-12


def _log_odds(probability: float) -> float:
    """The log-odds of a probability; infinite where a float keeps too little of it."""
    if _READABLE < probability < 1.0 - _READABLE:
        return math.log(probability) - math.log1p(-probability)
    return math.copysign(math.inf, probability - 0.5)


def _names_input(argument: str) -> bool:
    """Whether a classify argument names something to read: a file, or a pipe or device
    such as ``/dev/stdin`` or a shell's ``<(command)``; not a folder."""
    try:
        return os.path.exists(argument) and not os.path.isdir(argument)
    except (OSError, ValueError):  # too long for a path, or holding a NUL
        return False


def _explain_text(verdict: Verdict, base: float) -> str:
    """A verdict for a person to read: its reasons, then how they add up to the log-odds
    and how far those lie from the threshold's."""
    probability, threshold = shown(verdict.probability, verdict.threshold)
    lines = [f"verdict      {verdict.label} (P(automated) = {probability}, threshold {threshold})"]
    if verdict.template:
        lines.append(f"template     {verdict.template}")
    if verdict.flags:
        lines.append(f"text layer   {', '.join(verdict.flags)}")
    lines.append("reasons      (weight on the log-odds of 'automated')")
    for reason in verdict.reasons:
        lines.append(f"  {reason.weight:+7.2f} {_bar(reason.weight):<13} {reason.message}")
    summed = sum(reason.weight for reason in verdict.reasons)
    total = _log_odds(verdict.probability)
    if math.isfinite(total):
        rest = total - base - summed
        sum_line = f"{total:+.2f} = {base:+.2f} (base: an average message) {summed:+.2f} (reasons)"
        if abs(rest) >= 0.005:
            sum_line += f" {rest:+.2f} (smaller terms)"
    else:  # P is too near 0 or 1 for a float to say how near
        edge = math.log(1.0 / _READABLE - 1.0)
        side = f"beyond +{edge:.1f}" if total > 0 else f"below -{edge:.1f}"
        sum_line = f"{side}: {base:+.2f} (base) {summed:+.2f} (reasons) and smaller terms"
    lines.append(f"log-odds     {sum_line}")
    cut = _log_odds(verdict.threshold)
    if math.isfinite(cut) and math.isfinite(total):
        side = "above" if total >= cut else "below"
        distance = f"{abs(total - cut):.2f} {side}"
        lines.append(f"threshold    {cut:+.2f} in log-odds: this message is {distance}")
    return "\n".join(lines)


def _explain(args: argparse.Namespace, out: IO[str]) -> int:
    try:
        context = json.loads(args.context) if args.context else None
    except json.JSONDecodeError as error:
        raise InvalidInputError(
            f'--context must be a JSON object, e.g. \'{{"sender_id": "bob"}}\': {error}'
        ) from None
    except (RecursionError, ValueError):  # nested too deeply, or an int too long to read
        raise InvalidInputError(
            '--context must be a JSON object, e.g. \'{"sender_id": "bob"}\'; this one is '
            "nested too deeply or holds a number too long to read."
        ) from None
    text = args.text
    if text == "-":
        with _open_stdin() as stream:
            text = stream.read()
        # One message: all of standard input, less the line break that ends its last line.
        text = text[:-2] if text.endswith("\r\n") else text.removesuffix("\n")
        if problem := _undecoded(text, "send the message as UTF-8"):
            raise InvalidInputError(f"standard input is {problem}")
        if not text.strip():
            raise InvalidInputError(
                "standard input held no message; pipe the text in (autodm explain - < message.txt) "
                "or give it as an argument"
            )
    detector = _detector(args)
    verdict = detector.classify(text, context)
    out.write(_explain_text(verdict, detector._scorer.base) + "\n")
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


def _check_writable(path: Path, option: str) -> None:
    """Refuse an output path under a folder that cannot be written, before the work: the
    nearest folder of it that exists (the writer creates the missing ones) is tried with a
    temporary file, as permissions alone miss a read-only file system or a system folder."""
    real = Path(os.path.realpath(path))  # a link is followed when the output is written
    folder = real if real.is_dir() else real.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError:
        raise InvalidInputError(f"{option}: cannot write into {str(folder)!r}.") from None


def _check_out(path: Path) -> None:
    """Refuse an ``--out`` that :meth:`Bundle.save` could not write."""
    from ._bundle import save_target

    _check_writable(path, "--out")
    try:
        save_target(path)
    except InvalidInputError as error:
        raise InvalidInputError(f"--out: {error}") from None


def _four_places(threshold: float) -> str:
    """A threshold to four places, unless they would round it onto 0 or 1, which flag
    everything or nothing (0.99995 is not 1.0000): then as Python writes it."""
    text = f"{threshold:.4f}"
    return repr(threshold) if text in ("0.0000", "1.0000") and threshold not in (0.0, 1.0) else text


def _train(args: argparse.Namespace, out: IO[str]) -> int:
    from ._training import train

    _check_out(args.out)  # before the training, which may take minutes, not after it
    texts, labels, contexts, sources, groups = _labelled(args.input, args.input_format, "train")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ThinDataWarning)
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
        f"wrote {path}: threshold {_four_places(bundle.threshold)}; out-of-fold ROC-AUC "
        f"{metrics['roc_auc']:.4f}, recall {metrics['recall']:.4f}, "
        f"false-positive rate {metrics['fpr']:.4f}\n"
    )
    for warning in caught:
        if issubclass(warning.category, ThinDataWarning):
            print(f"autodm train: note: {warning.message}", file=sys.stderr)
        else:  # as if it had not been caught
            warnings.showwarning(
                warning.message, warning.category, warning.filename, warning.lineno
            )
    return 0


def _evaluate(args: argparse.Namespace, out: IO[str]) -> int:
    from ._checks import labels_to_array
    from ._evaluation import evaluate

    if args.report is not None:
        from ._report import check_dependencies, report_folder

        # Before the work, not after it: a report that cannot be written fails at once.
        try:
            report_folder(args.report)
        except InvalidInputError as error:
            raise InvalidInputError(f"--report: {error}") from None
        _check_writable(args.report / "index.html", "--report")
        check_dependencies()
    detector = _detector(args)  # a bad --bundle or --threshold fails before the file is read
    texts, labels, contexts, sources, _ = _labelled(args.input, args.input_format, "evaluate")
    if args.fpr is not None and labels_to_array(labels).all():
        raise InvalidInputError(
            f"--fpr fits a threshold to the human messages of {args.input}, and it holds "
            f"no message labelled human (0 of {len(labels)})."
        )
    result = evaluate(texts, labels, contexts, detector=detector, sources=sources)
    metrics = result.to_dict()
    if args.fpr is not None:
        metrics["threshold_for"] = {"fpr": args.fpr, "threshold": result.threshold_for(args.fpr)}
    _emit(out, metrics)
    if args.report is not None:
        path = result.write_report(args.report, title=f"autodm evaluation: {args.input.name}")
        print(f"autodm evaluate: wrote {path}", file=sys.stderr)
    return 0


def _campaigns(args: argparse.Namespace, out: IO[str]) -> int:
    from ._campaigns import check_options, group_campaigns

    check_options(args.similarity, args.min_size)  # before a long file is read
    texts: list[str] = []
    senders: list[object] = []
    numbers: list[int] = []  # each message's line (CSV: row) in the file
    ids: list[Any] = []
    failed = 0
    read = _csv_records if _is_csv(str(args.input), args.input_format) else _records
    with _open_input(args.input) as stream:
        for number, record in _noting_misspelt_keys(read(stream), "campaigns", ("sender_id",)):
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
            senders.append(record.get("sender_id"))  # None (missing or null) is no sender
            numbers.append(number)
            ids.append(record.get("id"))
    found = group_campaigns(
        texts,
        senders=senders,
        similarity=args.similarity,
        min_size=args.min_size,
    )
    has_ids = any(i is not None for i in ids)
    for campaign in found:
        # Positions among the messages read mean little once a line is skipped: the file's
        # own line numbers (and ids, when the records have them) say where each one is.
        payload = campaign.to_dict()
        del payload["indices"]
        payload["lines"] = [numbers[i] for i in campaign.indices]
        if has_ids:
            payload["ids"] = [ids[i] for i in campaign.indices]
        _emit(out, payload)
    return 1 if failed else 0


_COMMANDS: Final = {
    "demo": _demo,
    "classify": _classify,
    "explain": _explain,
    "train": _train,
    "evaluate": _evaluate,
    "campaigns": _campaigns,
}
