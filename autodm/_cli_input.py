"""The command line's input: records read from JSONL and CSV files and standard input."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import queue
import re
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Final, TextIO

from ._text import check_message
from ._types import CONTEXT_KEYS, as_context
from .errors import AutoDMError, InvalidInputError

#: A number in a CSV cell: epoch seconds as written by hand or by a spreadsheet, which
#: may give them in scientific notation ("1.77245E+09").
_NUMBER: Final = re.compile(
    r"-?\d{1,20}(?:\.(?P<decimals>\d{1,20}))?(?:[eE]\+?(?P<exponent>\d{1,3}))?"
)
#: What a byte that is not UTF-8 becomes when an input file is read (``_open_input``).
_UNDECODED: Final = re.compile("[\udc80-\udcff]")


def _records(stream: IO[str]) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """Yield (line number, record) or (line number, error message) for each non-blank line."""
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        if problem := _undecoded(line):
            yield number, problem
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            yield number, f"not JSON: {error}"
            continue
        except (RecursionError, ValueError):  # nested too deeply, or an int too long to read
            yield number, "JSON nested too deeply or holding a number too long to read"
            continue
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            yield number, 'each line must be a JSON object with a string "text"'
            continue
        yield number, record


#: Largest CSV cell read, in characters.
_MAX_CSV_FIELD: Final = 1 << 24


def _csv_records(stream: IO[str]) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """Like :func:`_records` for CSV with a header row; cells are converted to context types."""
    # A message is examined up to 4,096 characters, but a cell may hold more; the csv
    # module's default limit (131,072) would stop the whole file at one long cell.
    csv.field_size_limit(max(csv.field_size_limit(), _MAX_CSV_FIELD))
    lines = _Lines(stream)
    reader = csv.DictReader(lines)
    if reader.fieldnames is None or "text" not in reader.fieldnames:
        yield 1, _no_text_column(reader.fieldnames)
        return
    lines.taken.clear()  # the header's
    columns = len(reader.fieldnames)
    for start, row, left_open in _rows(reader, lines):
        if left_open:
            yield (
                start,
                (
                    "a quote opened in this row is never closed, so every line after it was read "
                    "into one cell; close the quote"
                ),
            )
            continue
        extra = row.pop(None, None) or []
        if any(extra):  # cells past the header's: a comma in an unquoted cell cut it
            yield (
                start,
                (
                    f"the row has {columns + len(extra)} cells and the header names {columns}; "
                    "quote a cell that holds a comma"
                ),
            )
            continue
        if row["text"] is None:  # a short row (the cells it lacks count as empty), too short
            cells = columns - sum(v is None for v in row.values())
            yield (
                start,
                (
                    f'the row has {cells} cell{"s" if cells != 1 else ""} and none for "text", '
                    f"column {reader.fieldnames.index('text') + 1} of the header"
                ),
            )
            continue
        record: dict[str, Any] = {k: v for k, v in row.items() if v is not None and v != ""}
        record.setdefault("text", "")
        if problem := _undecoded("".join(v for v in record.values() if isinstance(v, str))):
            yield start, problem
            continue
        if problem := _read_cells(record):
            yield start, problem
            continue
        yield start, record


def _read_cells(record: dict[str, Any]) -> str | None:
    """Convert a CSV record's context cells from text, in place; what is wrong, if anything."""
    for key in ("sent_at", "followed_at"):
        value = record.get(key)
        if isinstance(value, str) and (number := _NUMBER.fullmatch(value.strip())):
            decimals, exponent = number.group("decimals") or "", number.group("exponent")
            if exponent is not None and len(decimals) < int(exponent):
                # 1.77245E+09 is a time rounded to 10,000 s: read as exact, it would make
                # a reply hours later look sent the second after the follow.
                return (
                    f"{key} {value.strip()!r} is rounded to {len(decimals) + 1} significant "
                    "digits, too few for a time to the second; format the column as a number"
                )
            record[key] = float(value)
    for key in ("first_message", "recipient_wrote_first"):
        value = record.get(key)
        if isinstance(value, str):
            record[key] = {"true": True, "1": True, "false": False, "0": False}.get(
                value.strip().lower(), value
            )
    history = record.get("sender_history")
    if isinstance(history, str):
        try:
            record["sender_history"] = json.loads(history)
        except (ValueError, RecursionError):  # not JSON, nested too deeply, an int too long
            return "sender_history must be a JSON list of strings"
    return None


class _Lines:
    """The lines of a stream, each also kept in ``taken`` until the reader clears it: the
    raw text of the CSV row being read."""

    def __init__(self, stream: IO[str]) -> None:
        self._lines = iter(stream)
        self.taken: list[str] = []

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.taken.append(line)
        return line


def _rows(reader: csv.DictReader[str], lines: _Lines) -> Iterator[tuple[int, dict[Any, Any], bool]]:
    """Each row with the file line it starts at, and whether it holds a quote left open.

    A quote that is never closed takes every line after it into one cell of the last row,
    which the lenient reader ends at the end of the file without a word. A broken row stops
    the rows with an error that says where it began.
    """
    start = reader.line_num + 1
    pending: tuple[int, dict[Any, Any], str] | None = None
    try:
        for row in reader:
            raw = "".join(lines.taken)
            lines.taken.clear()
            if pending is not None:
                yield pending[0], pending[1], False
            pending, start = (start, row, raw), reader.line_num + 1
    except csv.Error as error:
        if pending is not None:  # read whole before the broken one
            yield pending[0], pending[1], False
        raise csv.Error(f"the CSV row that starts at line {start} is broken ({error})") from None
    if pending is not None:
        first, row, raw = pending
        yield first, row, _ends_inside_quotes(raw)


def _ends_inside_quotes(raw: str) -> bool:
    """Whether a row's text ends inside a quoted cell: the quote was never closed. A
    strict reader says so, and only so, with "unexpected end of data"."""
    if '"' not in raw:
        return False
    try:
        for _ in csv.reader(io.StringIO(raw), strict=True):
            pass
    except csv.Error as error:
        return "unexpected end of data" in str(error)
    return False


#: How many of a header's column names, and how many characters of each, an error shows:
#: the header is text from whoever wrote the file.
_NAMES_SHOWN: Final = 10
_NAME_SHOWN: Final = 40


def _no_text_column(names: Sequence[str] | None) -> str:
    """Why a CSV header without a ``text`` column is refused: the names it has, and a hint
    when it is one name holding semicolons or tabs (a file saved with another separator)."""
    problem = 'the CSV header must name a "text" column'
    if not names:
        return f"{problem}; found no column names"
    shown = [
        name if len(name) <= _NAME_SHOWN else name[: _NAME_SHOWN - 1] + "…"
        for name in names[:_NAMES_SHOWN]
    ]
    more = len(names) - len(shown)
    found = repr(shown)[:-1] + (f", and {more} more]" if more else "]")
    problem = f"{problem}; found {found}"
    if len(names) == 1 and ("\t" in names[0] or ";" in names[0]):
        separator = "a tab" if names[0].count("\t") >= names[0].count(";") else '";"'
        problem += (
            f"; it seems to use {separator} as separator, and autodm reads comma-separated CSV"
        )
    return problem


def _looks_like_file(argument: str) -> bool:
    """Whether a classify argument that names no file is spelt like one (a mistyped path):
    one word, not a link, that ends in a data file's extension. A message that mentions
    such a file ("the sheet is at example.com/prices.csv") has more words."""
    return (
        len(argument.split()) == 1
        and "://" not in argument
        and argument.lower().endswith((".jsonl", ".csv", ".json", ".ndjson"))
    )


def _undecoded(text: str, advice: str = "save the file as UTF-8") -> str | None:
    """Why a record read from a file is refused when it holds bytes that are not UTF-8."""
    found = _UNDECODED.search(text)
    if found is None:
        return None
    return f"not valid UTF-8 (byte 0x{ord(found.group()) - 0xDC00:02x}); {advice}"


def _open_input(path: Path) -> TextIO:
    """An input file as text: UTF-8, a leading byte-order mark skipped (spreadsheet exports).

    Bytes that are not UTF-8 become lone surrogates instead of stopping the whole file, so
    only the records that hold them are refused, each with its own line number.
    """
    return _decoded(path.open("rb"))


def _decoded(binary: IO[bytes]) -> io.TextIOWrapper:
    """How files and standard input are read: UTF-8 with a leading byte-order mark skipped,
    the bytes that are not UTF-8 kept as lone surrogates for :func:`_undecoded` to name, and
    line ends left as they are (CSV needs them)."""
    return io.TextIOWrapper(binary, encoding="utf-8-sig", errors="surrogateescape", newline="")


@contextmanager
def _open_stdin() -> Iterator[TextIO]:
    """Standard input as text, read as a file is: UTF-8, a leading byte-order mark skipped,
    and bytes that are not UTF-8 kept as escapes for :func:`_undecoded` to name, so that
    they fail their own record only, whatever the locale.

    Leaving the block leaves standard input open. A standard input that has been replaced by
    a text stream without bytes under it (as some embedders do) is read as it is.
    """
    stdin = sys.stdin
    if stdin is None or stdin.closed:
        raise InvalidInputError("standard input is closed; pipe the input in, or name a file")
    buffer = getattr(stdin, "buffer", None)
    if buffer is None:
        yield stdin
        return
    stream = _decoded(buffer)
    try:
        yield stream
    finally:
        # Closing the wrapper would close standard input; a stand-in that cannot be flushed
        # (as a test harness gives) must not hide the error that ended the block.
        with contextlib.suppress(Exception):
            stream.detach()


def _context(record: dict[str, Any]) -> dict[str, Any]:
    return {key: record[key] for key in CONTEXT_KEYS if record.get(key) is not None}


_Record = tuple[int, dict[str, Any] | str]
#: Errors that stop reading an input but keep what was read before them: bytes that are
#: not UTF-8 where no line can be told apart any more, a broken CSV file.
_STOPPING: Final = (UnicodeDecodeError, csv.Error)


def _take(records: Iterator[_Record], size: int) -> tuple[list[_Record], Exception | None]:
    """The next ``size`` records, and the error that stopped reading if one did; the
    records read before it are kept."""
    batch: list[_Record] = []
    try:
        for item in records:
            batch.append(item)
            if len(batch) == size:
                break
    except _STOPPING as error:
        return batch, error
    return batch, None


def _batches(
    records: Iterator[_Record], size: int, *, live: bool
) -> Iterator[tuple[list[_Record], Exception | None]]:
    """Batches of at most ``size`` records; the last one with the error that stopped
    reading, if one did.

    A file is read ``size`` records at a time. ``live`` input (standard input, a pipe) is
    read on a thread of its own, and a batch is what has arrived, one record at least: a
    producer that writes a line now and then gets each verdict as its line comes, and one
    that writes fast (``cat file |``) gets them scored in batches, as a file is. The
    thread keeps at most ``4 * size`` records ahead of the scoring.
    """
    if not live:
        while True:
            batch, stopped = _take(records, size)
            if batch or stopped:
                yield batch, stopped
            if stopped or len(batch) < size:
                return
    arrived: queue.Queue[_Record | _End] = queue.Queue(maxsize=4 * size)
    threading.Thread(target=_read_ahead, args=(records, arrived), daemon=True).start()
    end: _End | None = None
    while end is None:
        arrived_now: list[_Record] = []
        item = arrived.get()
        while True:
            if isinstance(item, _End):
                end = item
                break
            arrived_now.append(item)
            if len(arrived_now) == size:
                break
            try:
                item = arrived.get_nowait()
            except queue.Empty:
                break
        if end is not None and isinstance(end.error, _STOPPING):
            yield arrived_now, end.error
            return
        if arrived_now:
            yield arrived_now, None
    if end.error is not None:
        raise end.error


class _End:
    """The end of the records read ahead: ``error`` is what ended them, or None."""

    __slots__ = ("error",)

    def __init__(self, error: BaseException | None) -> None:
        self.error = error


def _read_ahead(records: Iterator[_Record], arrived: queue.Queue[_Record | _End]) -> None:
    try:
        for item in records:
            arrived.put(item)
    except BaseException as error:  # handed to the reading thread, raised there
        arrived.put(_End(error))
    else:
        arrived.put(_End(None))


def _is_csv(source: str, input_format: str | None) -> bool:
    """Whether to read ``source`` as CSV: by ``--input-format``, else by its name."""
    if input_format is not None:
        return input_format == "csv"
    return source.lower().endswith(".csv")


def _labelled(
    path: Path, input_format: str | None = None
) -> tuple[list[str], list[Any], list[dict[str, Any]], list[str], list[str]]:
    """Texts, labels, contexts, sources and groups of a labelled JSONL or CSV file; a bad
    record stops the reading, named by its file and line."""
    from ._checks import label_value

    texts, labels, contexts, sources, groups = [], [], [], [], []
    read = _csv_records if _is_csv(str(path), input_format) else _records
    with _open_input(path) as stream:
        for number, record in read(stream):
            if isinstance(record, str) or "label" not in record:
                problem = record if isinstance(record, str) else 'no "label"'
                raise AutoDMError(f"{path}:{number}: {problem}")
            try:
                check_message(record["text"])
                label_value(record["label"])
                as_context(_context(record))
            except AutoDMError as error:
                raise AutoDMError(f"{path}:{number}: {error}") from None
            texts.append(record["text"])
            labels.append(record["label"])
            contexts.append(_context(record))
            sources.append(_given(record, "source") or "all")
            groups.append(_given(record, "group") or f"row{number}")
    return texts, labels, contexts, sources, groups


def _given(record: dict[str, Any], key: str) -> str | None:
    """A record's ``source`` or ``group`` as a str, or None where it has none: no such key,
    or ``null`` or ``""`` in it (what ``DataFrame.to_json`` writes for a missing value, and
    an empty CSV cell), so that messages without a group are not pooled into one named
    "None"."""
    value = record.get(key)
    return None if value is None or value == "" else str(value)
