"""The command line's input: records read from JSONL and CSV files and standard input."""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import json
import math
import os
import queue
import re
import select
import stat
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Final, TextIO

from ._text import check_message, check_unicode
from ._types import CONTEXT_KEYS, as_context, misspelt_context_keys
from .errors import AutoDMError, InvalidInputError

#: A number in a CSV cell: epoch seconds as written by hand or by a spreadsheet, which
#: may give them in scientific notation ("1.77245E+09").
_NUMBER: Final = re.compile(
    r"-?\d{1,20}(?:\.(?P<decimals>\d{1,20}))?(?:[eE]\+?(?P<exponent>\d{1,3}))?"
)
#: What a byte that is not UTF-8 becomes when an input file is read (``_open_input``).
_UNDECODED: Final = re.compile("[\udc80-\udcff]")


#: The longest line read, in characters with its line end (a CSV cell may be as long). A
#: record needs far less (4,096 characters of a message are read, 131,072 of a sender's
#: history kept); a longer line is a file of another kind, or no line at all (/dev/zero),
#: which would otherwise be read into memory whole.
MAX_LINE_CHARS: Final = 1 << 24


class _LineTooLong(InvalidInputError):
    """A line of the input is longer than :data:`MAX_LINE_CHARS`: reading stops there."""


def _too_long(where: str) -> _LineTooLong:
    return _LineTooLong(
        f"{where} is longer than {MAX_LINE_CHARS:,} characters, which no record needs "
        "(is the input a JSONL or CSV file?)"
    )


def _bounded(stream: Iterable[str]) -> Iterator[str]:
    """The lines of ``stream``, none read past :data:`MAX_LINE_CHARS` characters: a longer
    one raises :class:`_LineTooLong`. Live input comes as lines its breaker has bounded."""
    readline = getattr(stream, "readline", None)
    if readline is None:
        yield from stream
        return
    number = 0
    while line := readline(MAX_LINE_CHARS + 1):
        number += 1
        if len(line) > MAX_LINE_CHARS:
            raise _too_long(f"line {number:,}")
        yield line


#: Said of a first line that is not JSON: the file may be a table read as JSONL.
_NOT_JSONL: Final = (
    " (the input is read as JSONL, one JSON object a line; for CSV with a header row, "
    "name the file *.csv or pass --input-format csv; tab-separated text is not read)"
)


def _records(stream: Iterable[str]) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """Yield (line number, record) or (line number, error message) for each non-blank line."""
    first = True
    for number, line in enumerate(_bounded(stream), start=1):
        if not line.strip():
            continue
        if problem := _undecoded(line):
            yield number, problem
            continue
        # A first line that is no JSON object at all: likely a table's header.
        hint = _NOT_JSONL if first and not line.lstrip().startswith("{") else ""
        first = False
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            yield number, f"not JSON: {error}{hint}"
            continue
        except (RecursionError, ValueError):  # nested too deeply, or an int too long to read
            yield number, "JSON nested too deeply or holding a number too long to read"
            continue
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            yield number, 'each line must be a JSON object with a string "text"'
            continue
        if problem := _unwritable(record):
            yield number, problem
            continue
        yield number, record


#: The keys whose values the commands write back out: a verdict's id, a campaign's ids and
#: senders, the sources and groups of the metrics.
_ECHOED: Final = ("id", "sender_id", "source", "group")


def _unwritable(record: dict[str, Any]) -> str | None:
    """Why a record cannot be written back out, if it cannot: a value it echoes holds a lone
    surrogate (a JSON escape such as ``\\ud800`` alone), which UTF-8 output cannot hold, or
    an id holding NaN or an infinity (``1e400`` is read as one), which JSON output cannot
    hold."""
    for key in _ECHOED:
        value = record.get(key)
        if value is None or (isinstance(value, str) and value.isascii()):
            continue  # what nearly every record holds, checked without a dump
        try:
            # An id is written back as given; the others are read (a source of NaN is "all").
            text = json.dumps(value, ensure_ascii=False, allow_nan=key != "id")
        except ValueError:
            return (
                "`id` holds NaN or an infinity (or a number too large for a float), which the "
                "JSON output cannot hold"
            )
        try:
            check_unicode(text, key)
        except InvalidInputError as error:
            return str(error)
    return None


#: Largest CSV cell read, in characters.
_MAX_CSV_FIELD: Final = 1 << 24


def _csv_records(stream: Iterable[str]) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """Like :func:`_records` for CSV with a header row; cells are converted to context types."""
    # A message is examined up to 4,096 characters, but a cell may hold more; the csv
    # module's default limit (131,072) would stop the whole file at one long cell.
    csv.field_size_limit(max(csv.field_size_limit(), _MAX_CSV_FIELD))
    lines = _Lines(_bounded(stream))
    reader = csv.DictReader(lines)
    if reader.fieldnames and (problem := _undecoded("".join(reader.fieldnames))):
        yield 1, problem  # a file saved as UTF-16, say: every row would be as unreadable
        return
    if reader.fieldnames is None or "text" not in reader.fieldnames:
        yield 1, _no_text_column(reader.fieldnames)
        return
    if twice := sorted(n for n, k in Counter(reader.fieldnames).items() if k > 1):
        # The reader would keep the last of the cells under one name, without a word.
        yield 1, f"the CSV header names {twice} more than once; which cell counts would be a guess"
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
            if exponent is not None and len(decimals) < int(exponent) <= 12:
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
            # "1.0" and "0.0" are what pandas' to_csv writes for a 0/1 column with gaps.
            record[key] = {
                "true": True, "1": True, "1.0": True, "false": False, "0": False, "0.0": False
            }.get(value.strip().lower(), value)  # fmt: skip
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

    def __init__(self, stream: Iterable[str]) -> None:
        self._lines = iter(stream)
        self.taken: list[str] = []
        self.read = 0  # lines handed out: the csv reader's line_num lags on a broken row

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.taken.append(line)
        self.read += 1
        return line


def _rows(reader: csv.DictReader[str], lines: _Lines) -> Iterator[tuple[int, dict[Any, Any], bool]]:
    """Each row with the file line it starts at, and whether it holds a quote left open.

    A quote that is never closed takes every line after it into one cell of the last row,
    which the lenient reader ends at the end of the file without a word. A broken row stops
    the rows with an error that says where it began.
    """
    try:
        for row in reader:
            # A row is yielded as soon as it is read (a live producer's row is scored before
            # the next one comes): only the last row can end inside a quote.
            start = _row_start(lines)
            raw = "".join(lines.taken)
            lines.taken.clear()
            yield start, row, _ends_inside_quotes(raw)
    except csv.Error as error:
        start = _row_start(lines)
        raise csv.Error(f"the CSV row that starts at line {start} is broken ({error})") from None


def _row_start(lines: _Lines) -> int:
    """The file line the row being read starts at: the lines taken since the last row, less
    the blank lines before it, which the reader skips. (Counted here: the csv reader's
    ``line_num`` leaves out the lines of a row it fails on, and a broken row that took a
    million lines was said to start at line -932,067.)"""
    blank = 0
    for line in lines.taken:
        if line.strip("\r\n"):
            break
        blank += 1
    return lines.read - len(lines.taken) + 1 + blank


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


@contextmanager
def _open_input(path: Path) -> Iterator[TextIO]:
    """An input file as text, or standard input for ``-`` (read whole, not live): UTF-8, a
    leading byte-order mark skipped (spreadsheet exports).

    Bytes that are not UTF-8 become lone surrogates instead of stopping the whole file, so
    only the records that hold them are refused, each with its own line number.
    """
    if str(path) == "-":
        with _open_stdin() as stream:
            yield stream
        return
    with _decoded(path.open("rb")) as stream:
        yield stream


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


def _noting_misspelt_keys(
    records: Iterable[tuple[int, dict[str, Any] | str]],
    command: str,
    keys: Sequence[str] = CONTEXT_KEYS,
) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """``records`` as they are, saying on standard error, once for each of ``keys`` (those
    the command reads), that a field which spells it in another case or with other
    separators ("Sent_At") is not read."""
    noted: set[str] = set()
    for number, record in records:
        if not isinstance(record, str) and len(noted) < len(keys):
            for name, key in misspelt_context_keys(record).items():
                if key in keys and key not in noted:
                    noted.add(key)
                    print(
                        f"autodm {command}: {name!r} (line {number}) is not read; "
                        f"the key is {key!r}",
                        file=sys.stderr,
                    )
        yield number, record


def _context(record: dict[str, Any]) -> dict[str, Any]:
    return {key: record[key] for key in CONTEXT_KEYS if record.get(key) is not None}


_Record = tuple[int, dict[str, Any] | str]
#: Errors that stop reading an input but keep what was read before them: bytes that are
#: not UTF-8 where no line can be told apart any more, a broken CSV file, a line too long.
_STOPPING: Final = (UnicodeDecodeError, csv.Error, _LineTooLong)


def _batches(
    records: Iterator[_Record], size: int, ready: Callable[[], bool] | None = None
) -> Iterator[tuple[list[_Record], Exception | None]]:
    """Batches of at most ``size`` records; the last one with the error that stopped
    reading, if one did (the records read before it are kept).

    A file is read ``size`` records at a time. For live input (standard input, a pipe)
    ``ready`` tells whether another record has arrived, and a batch is what has arrived,
    one record at least: a producer that writes a line now and then gets each verdict as
    its line comes, and one that writes fast (``cat file |``) gets them scored in batches,
    as a file is.
    """
    while True:
        batch: list[_Record] = []
        try:
            while len(batch) < size and (not batch or ready is None or ready()):
                batch.append(next(records))
        except StopIteration:
            if batch:
                yield batch, None
            return
        except _STOPPING as error:
            yield batch, error
            return
        except Exception:  # raised once the records read before it are out
            if batch:
                yield batch, None
            raise
        yield batch, None


#: Where a line ends when lines are read with ``newline=""``, as every input is: the line
#: end is kept, and a carriage return alone ends a line too.
_LINE_END: Final = re.compile(r"\r\n|\r|\n")


class _LineBreaker:
    """Text that comes in pieces, cut into lines as :func:`_decoded` streams cut them."""

    def __init__(self) -> None:
        self._partial: list[str] = []  # the line being read; a held-back "\r" ends it
        self._length = 0  # of the line being read
        self._read = 0  # lines ended so far
        self.lines: list[str] = []

    def add(self, text: str, *, final: bool = False) -> None:
        """Take the next piece; ``final`` when no more will come."""
        partial, start = self._partial, 0
        if partial and partial[-1].endswith("\r") and (text or final):
            if text.startswith("\n"):  # a "\r\n" cut between two pieces
                self._take("\n")
                start = 1
            self._end_line()
        for end in _LINE_END.finditer(text, start):
            self._take(text[start : end.end()])
            start = end.end()
            if end.group() == "\r" and start == len(text) and not final:
                return  # a "\n" may yet follow in the next piece
            self._end_line()
        if start < len(text):
            self._take(text[start:])
        if final and partial:
            self._end_line()

    def _take(self, piece: str) -> None:
        self._length += len(piece)
        if self._length > MAX_LINE_CHARS:
            self._partial.clear()  # what is not kept cannot fill the memory
            raise _too_long(f"line {self._read + 1:,}")
        self._partial.append(piece)

    def _end_line(self) -> None:
        self.lines.append("".join(self._partial))
        self._partial.clear()
        self._length = 0
        self._read += 1


def _ends_in_quoted_cell(line: str, quoted: bool) -> bool:
    """Whether a CSV line, begun inside a quoted cell or not (``quoted``), ends inside one,
    as the csv module reads it: a quote opens a cell only at the cell's start (elsewhere it
    is a character of the cell), and inside a quoted cell two quotes are one character.
    Each step jumps to the next quote, so the work is one pass over the line."""
    at = 0
    while True:
        if not quoted:  # at the start of a cell
            if line.startswith('"', at):
                at += 1
            elif (opening := line.find(',"', at)) >= 0:
                at = opening + 2
            else:
                return False
            quoted = True
        closing = line.find('"', at)
        if closing < 0:
            return True
        if line.startswith('"', closing + 1):  # a quote written as two
            at = closing + 2
            continue
        # The cell is closed; what follows up to the next comma is read into it.
        if (comma := line.find(",", closing + 1)) < 0:
            return False
        at, quoted = comma + 1, False


class _LiveInput:
    """The lines of a pipe, a terminal or a device, its bytes read on a thread of its own
    while what has arrived is scored.

    The thread holds no lock of Python's while it waits for input (it reads the file
    descriptor with ``os.read``, not through ``sys.stdin``), so Ctrl-C or an error can end
    the command at any time; :meth:`close` stops the thread before it reads more (on
    POSIX; elsewhere it ends when the input next has bytes, dropping them). The bytes are
    decoded and cut into lines here, as :func:`_decoded` does. Standard input is read from
    its descriptor: bytes that the embedding program has already read into ``sys.stdin``'s
    buffers are not seen, and what the thread has read ahead (up to 4 MiB) when the
    command stops early is dropped.
    """

    def __init__(self, fd: int, *, owns_fd: bool, csv_rows: bool = False) -> None:
        self._chunks: queue.Queue[bytes | BaseException | None] = queue.Queue(maxsize=_READ_AHEAD)
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="surrogateescape")
        self._breaker = _LineBreaker()
        self._head = 0  # lines before it have been handed out
        self._csv_rows = csv_rows
        self._ended = False
        self._stop = threading.Event()
        # A byte on the wake pipe wakes the thread (POSIX); the thread closes its read end.
        self._wake: tuple[int, int] | None = None
        try:
            if os.name == "posix":
                self._wake = os.pipe()
            wake = None if self._wake is None else self._wake[0]
            threading.Thread(target=self._read, args=(fd, owns_fd, wake), daemon=True).start()
        except BaseException:
            for end in (*(self._wake or ()), *((fd,) if owns_fd else ())):
                os.close(end)
            raise

    def __iter__(self) -> _LiveInput:
        return self

    def __next__(self) -> str:
        lines = self._breaker.lines
        while self._head == len(lines):
            if self._ended:
                raise StopIteration
            # A wait with a timeout, so that Ctrl-C is seen on every platform.
            with contextlib.suppress(queue.Empty):
                self._take(self._chunks.get(timeout=0.5))
        line = lines[self._head]
        self._head += 1
        if self._head > 1024 and 2 * self._head > len(lines):
            del lines[: self._head]
            self._head = 0
        return line

    def ready(self) -> bool:
        """Whether the next record has arrived whole, to be had without waiting for the
        producer: a line that is not blank (blank lines are skipped) and, for CSV, one that
        leaves no quote open since the last record ended."""
        lines, quoted, at = self._breaker.lines, False, self._head
        while True:
            while at < len(lines):
                line = lines[at]
                at += 1
                if self._csv_rows:
                    quoted = _ends_in_quoted_cell(line, quoted)
                if line.strip() and not quoted:
                    return True
            if self._ended:
                return True
            try:
                self._take(self._chunks.get_nowait())
            except queue.Empty:
                return False

    def close(self) -> None:
        """Stop the reading thread: it reads nothing more, and closes what it opened."""
        self._stop.set()
        if self._wake is not None:
            with contextlib.suppress(OSError):
                os.write(self._wake[1], b"x")
            os.close(self._wake[1])
            self._wake = None
        with contextlib.suppress(queue.Empty):  # a thread waiting to hand over a piece
            while True:
                self._chunks.get_nowait()

    def _take(self, chunk: bytes | BaseException | None) -> None:
        if isinstance(chunk, BaseException):
            self._ended = True
            raise chunk
        if chunk is None:
            self._ended = True
        text = self._decoder.decode(chunk or b"", final=chunk is None)
        self._breaker.add(text, final=chunk is None)

    def _read(self, fd: int, owns_fd: bool, wake: int | None) -> None:
        try:
            poller = None
            if wake is not None:
                poller = select.poll()
                poller.register(fd, select.POLLIN)
                poller.register(wake, select.POLLIN)
            while not self._stop.is_set():
                if poller is not None:
                    woken = {f for f, _ in poller.poll()}
                    if wake in woken or self._stop.is_set():
                        return
                chunk = os.read(fd, _CHUNK)
                self._chunks.put(chunk or None)
                if not chunk:
                    return
        except BaseException as error:  # raised where the lines are read
            self._chunks.put(error)
        finally:
            if wake is not None:
                os.close(wake)
            if owns_fd:
                os.close(fd)


def _write_only(fd: int) -> bool:
    """Whether ``fd`` is open for writing only (as a pipe's write end handed over as
    standard input is): waiting for it to have bytes would wait forever."""
    try:
        import fcntl
    except ImportError:  # not POSIX: reading it fails instead
        return False
    return fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_WRONLY


#: Bytes read from live input at once, and how many such pieces may wait to be scored.
_CHUNK: Final = 1 << 16
_READ_AHEAD: Final = 64


@contextmanager
def _open_live(
    source: str, *, csv_rows: bool = False
) -> Iterator[tuple[Iterable[str], Callable[[], bool] | None]]:
    """The lines of ``source`` (a path that is not a regular file, or ``-`` for standard
    input), and what tells whether the next record has arrived: None when all of it is
    there to read (standard input redirected from a file, a stand-in without a file
    descriptor), read as a file is. ``csv_rows``: the records are CSV rows."""
    if source != "-":
        live = _LiveInput(os.open(source, os.O_RDONLY), owns_fd=True, csv_rows=csv_rows)
    else:
        try:
            fd = sys.stdin.fileno() if sys.stdin is not None else -1
            regular = fd >= 0 and stat.S_ISREG(os.fstat(fd).st_mode)
        except (OSError, ValueError):  # a stand-in with no descriptor, or a closed one
            fd, regular = -1, False
        if fd < 0 or regular:
            with _open_stdin() as stream:
                yield stream, None
            return
        if _write_only(fd):
            raise InvalidInputError(
                "standard input is open for writing only; pipe the input in, or name a file"
            )
        live = _LiveInput(fd, owns_fd=False, csv_rows=csv_rows)
    try:
        yield live, live.ready
    finally:
        live.close()


def _is_csv(source: str, input_format: str | None) -> bool:
    """Whether to read ``source`` as CSV: by ``--input-format``, else by its name."""
    if input_format is not None:
        return input_format == "csv"
    return source.lower().endswith(".csv")


def _labelled(
    path: Path, input_format: str | None = None, command: str = "train"
) -> tuple[list[str], list[Any], list[dict[str, Any] | None], list[str], list[str | None] | None]:
    """Texts, labels, contexts (None for a record without one, as ``classify`` reads it, so
    that repeated messages are scored once), sources and groups (None when no record has
    one; a record without one has None, a group of its own) of a labelled JSONL or CSV file;
    a bad record stops the reading, named by its file and line."""
    from ._checks import label_value, source_name

    texts: list[str] = []
    labels: list[Any] = []
    contexts: list[dict[str, Any] | None] = []
    sources: list[str] = []
    groups: list[str | None] = []
    grouped = False
    read = _csv_records if _is_csv(str(path), input_format) else _records
    with _open_input(path) as stream:
        for number, record in _noting_misspelt_keys(read(stream), command):
            if isinstance(record, str) or "label" not in record:
                problem = record if isinstance(record, str) else 'no "label"'
                raise AutoDMError(f"{path}:{number}: {problem}")
            try:
                check_message(record["text"])
                label_value(record["label"])
                as_context(_context(record))
                source = source_name(record.get("source"), "source")
            except AutoDMError as error:
                raise AutoDMError(f"{path}:{number}: {error}") from None
            texts.append(record["text"])
            labels.append(record["label"])
            contexts.append(_context(record) or None)
            sources.append(source)
            group = _given(record, "group")
            grouped = grouped or group is not None
            groups.append(group)  # None: a group of its own (train's rule)
    # Without any group, the folds are not grouped (as train records), not one row a group.
    return texts, labels, contexts, sources, groups if grouped else None


def _given(record: dict[str, Any], key: str) -> str | None:
    """A record's ``group`` as a str, or None where it has none: no such key, or ``null``,
    ``NaN`` or ``""`` in it (what ``DataFrame.to_json`` and Python's ``json`` write for a
    missing value, and an empty CSV cell), so that messages without a group are not pooled
    into one named "None" or "nan"."""
    value = record.get(key)
    if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value)
