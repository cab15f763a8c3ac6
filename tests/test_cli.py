"""The command line: python -m autodm demo | classify | explain | train | evaluate (JSONL, CSV)."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import re
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import hypothesis
import pytest
from hypothesis import strategies as st

import autodm
from autodm.__main__ import main

SPAM = "Thx 4 the follow!! Like my FB page: bit.ly/x1Ab"
CHAT = "see you at 6, I'll bring the cake"


def _lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_classify_a_text_argument(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["classify", SPAM]) == 0
    (verdict,) = _lines(capsys)
    assert verdict["label"] == "automated"
    assert verdict["reasons"]


def test_classify_reads_ids_as_pandas_writes_them_to_jsonl(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Regression: `DataFrame.to_json` writes an int column with gaps as floats ("12345.0"),
    # and that record was refused.
    path = tmp_path / "in.jsonl"
    path.write_text(
        json.dumps({"text": SPAM, "sender_id": 12345.0}) + "\n" + json.dumps({"text": CHAT}),
        encoding="utf-8",
    )
    assert main(["classify", str(path)]) == 0
    assert [o["label"] for o in _lines(capsys)] == ["automated", "human"]


def test_classify_jsonl_streams_verdicts_and_reports_bad_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(
        "\n".join(
            [
                json.dumps({"id": "a", "text": SPAM, "followed_at": 0, "sent_at": 3}),
                json.dumps({"id": "b", "text": CHAT, "note": "ignored"}),
                "not json",
                json.dumps({"text": 5}),
                json.dumps({"text": "hi", "sent_at": "2026-01-01T00:00:00"}),  # naive
                "",
            ]
        ),
        encoding="utf-8",
    )
    assert main(["classify", str(path)]) == 1
    out = _lines(capsys)
    assert [o.get("id") for o in out[:2]] == ["a", "b"]
    assert [o["label"] for o in out[:2]] == ["automated", "human"]
    assert [o["line"] for o in out[2:]] == [3, 4, 5]
    assert "with a UTC offset" in str(out[4]["error"])


def test_classify_reads_standard_input(capsys: pytest.CaptureFixture[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "autodm", "classify", "-", "--threshold", "strict"],
        input=json.dumps({"text": CHAT}) + "\n",
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    verdict = json.loads(result.stdout)
    assert verdict["label"] == "human"
    assert result.stderr == ""  # no progress output when stderr is not a terminal


@pytest.mark.parametrize("options", [[], ["--output-format", "csv"]])
def test_classify_writes_each_verdict_as_its_line_arrives(options: list[str]) -> None:
    # Regression: the verdicts of standard input were written only when it ended, since
    # a pipe's output is held in a buffer (unless PYTHONUNBUFFERED is set, as it is not here).
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    with subprocess.Popen(
        [sys.executable, "-m", "autodm", "classify", "-", *options],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=environment,
    ) as process:
        assert process.stdin is not None
        assert process.stdout is not None
        process.stdin.write(json.dumps({"id": "m1", "text": SPAM}).encode() + b"\n")
        process.stdin.flush()
        # The first verdict comes while standard input is still open.
        ready, _, _ = select.select([process.stdout], [], [], 60)
        assert ready, "no verdict before the end of the input"
        first = process.stdout.readline().decode()
        if options:  # CSV: the header, then the row
            first = process.stdout.readline().decode()
        assert "m1" in first
        assert "automated" in first
        process.stdin.write(json.dumps({"id": "m2", "text": CHAT}).encode() + b"\n")
        process.stdin.close()
        assert "m2" in process.stdout.read().decode()


def test_classify_scores_a_csv_row_as_it_arrives() -> None:
    # Regression: a CSV row from a live producer was held until the next row came.
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    with subprocess.Popen(
        [sys.executable, "-m", "autodm", "classify", "-", "--input-format", "csv"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=environment,
        bufsize=0,  # so that reading the header reads nothing past it
    ) as process:
        assert process.stdin is not None
        assert process.stdout is not None
        process.stdin.write(f'id,text\nm1,"{SPAM}"\n'.encode())
        process.stdin.flush()
        assert process.stdout.readline().decode().startswith("id,line,label")
        ready, _, _ = select.select([process.stdout], [], [], 60)
        assert ready, "no verdict before the next row"
        assert process.stdout.readline().decode().startswith("m1,2,automated,")
        process.stdin.write(f'm2,"{CHAT}"\n'.encode())
        process.stdin.close()
        assert process.stdout.read().decode().startswith("m2,3,human,")


def _record(i: int) -> tuple[int, dict[str, Any]]:
    return i + 1, {"text": f"message {i}"}


@hypothesis.given(
    n=st.integers(0, 40),
    size=st.integers(1, 9),
    arrived=st.none() | st.lists(st.booleans(), max_size=40),
)
def test_input_batches_hold_every_record_once_in_order(
    n: int, size: int, arrived: list[bool] | None
) -> None:
    from autodm._cli_input import _batches

    records = [_record(i) for i in range(n)]
    answers = iter(arrived or [])
    ready = None if arrived is None else lambda: next(answers, True)
    batches = list(_batches(iter(records), size, ready))
    assert all(1 <= len(batch) <= size and error is None for batch, error in batches)
    assert [record for batch, _ in batches for record in batch] == records


@pytest.mark.parametrize("live", [False, True])
def test_input_batches_keep_what_was_read_before_an_error(live: bool) -> None:
    from autodm._cli_input import _batches

    def stopped() -> Iterator[tuple[int, dict[str, Any]]]:
        yield from (_record(i) for i in range(5))
        raise UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte")

    batches = list(_batches(stopped(), 3, (lambda: True) if live else None))
    assert [r for batch, _ in batches for r in batch] == [_record(i) for i in range(5)]
    assert isinstance(batches[-1][1], UnicodeDecodeError)
    assert all(error is None for _, error in batches[:-1])


@pytest.mark.parametrize("live", [False, True])
def test_input_batches_give_what_was_read_before_a_failure_then_raise_it(live: bool) -> None:
    from autodm._cli_input import _batches

    def broken() -> Iterator[tuple[int, dict[str, Any]]]:
        yield _record(0)
        raise OSError(5, "Input/output error")

    batches = _batches(broken(), 3, (lambda: True) if live else None)
    assert next(batches) == ([_record(0)], None)
    with pytest.raises(OSError, match="Input/output"):
        next(batches)


_PIECES = st.lists(st.sampled_from(["a", "é", " ", "\r", "\n", "\r\n", "\u2028", "\x0c"]))


@hypothesis.given(pieces=_PIECES, cuts=st.lists(st.integers(0, 60), max_size=6))
def test_live_lines_are_cut_as_a_file_is_read(pieces: list[str], cuts: list[int]) -> None:
    from autodm._cli_input import _LineBreaker

    text = "".join(pieces)
    breaker, start = _LineBreaker(), 0
    for cut in sorted(c for c in cuts if c <= len(text)):
        breaker.add(text[start:cut])
        start = cut
    breaker.add(text[start:], final=True)
    as_a_file = io.TextIOWrapper(io.BytesIO(text.encode()), encoding="utf-8", newline="")
    assert list(breaker.lines) == as_a_file.readlines()


_CSV_LINES = st.lists(
    st.tuples(st.text(alphabet='a," ', max_size=10), st.sampled_from(["\n", "\r\n", "\r"])).map(
        "".join
    ),
    max_size=4,
)


@hypothesis.given(_CSV_LINES)
def test_a_quoted_cell_left_open_is_told_as_the_csv_module_reads_it(lines: list[str]) -> None:
    # Regression: quotes were counted, and a row such as x,a"b,"c (a quote inside a cell,
    # then a quoted cell that goes on) was taken as whole, so a live input waited for
    # the producer's next line before scoring the record before it.
    from autodm._cli_input import _ends_in_quoted_cell

    quoted = False
    for line in lines:
        quoted = _ends_in_quoted_cell(line, quoted)
    # A line read after them is a row of its own unless a quoted cell is still open.
    rows = list(csv.reader(io.StringIO("".join(lines) + "Z\n", newline="")))
    assert quoted == (rows[-1] != ["Z"])


def _live_pipe() -> tuple[Any, int]:
    from autodm._cli_input import _LiveInput

    read_end, write_end = os.pipe()
    return _LiveInput(read_end, owns_fd=True), write_end


def test_live_input_is_scored_as_it_arrives_and_in_batches_once_it_waits() -> None:
    """A record that has arrived is not held back for the next one; records that arrived
    while the last batch was scored are scored together (``cat file | autodm classify -``
    as fast as a file)."""
    from autodm._cli_input import _batches, _records

    live, write_end = _live_pipe()
    try:
        os.write(write_end, b'{"text": "first"}\n')
        batches = _batches(_records(live), 4, live.ready)
        first, _ = next(batches)  # while the producer has yet to write more
        assert [record for _, record in first] == [{"text": "first"}]
        os.write(write_end, b"".join(b'{"text": "m%d"}\r\n' % i for i in range(10)))
        os.close(write_end)
        assert [len(batch) for batch, _ in batches] == [4, 4, 2]
    finally:
        live.close()


def test_live_input_decodes_pieces_cut_inside_a_character_and_keeps_bad_bytes() -> None:
    from autodm._cli_input import _undecoded

    live, write_end = _live_pipe()
    try:
        encoded = "\ufeffcafé\nn\xe9e\n".encode()
        for i in range(len(encoded)):  # one byte at a time, each read on its own
            os.write(write_end, encoded[i : i + 1])
            assert live.ready() is False or b"\n" in encoded[: i + 1]
        os.write(write_end, b"caf\xe9\n")
        os.close(write_end)
        lines = list(live)
    finally:
        live.close()
    assert lines[:2] == ["café\n", "née\n"]
    assert _undecoded(lines[2]) == "not valid UTF-8 (byte 0xe9); save the file as UTF-8"


@pytest.mark.parametrize(
    ("first", "more", "csv_rows"),
    [
        (b'{"text": "one"}\n\n', b'{"text": "two"}\n', False),
        (b"text\none\n\n", b"two\n", True),
        (b'text\none\n"two, in a cell\n', b'of two lines"\n', True),
        # A quote inside a cell is a character; the second opens a cell that goes on.
        (b'text,a,b\none,,\ntwo,a"b,"c\n', b'd"\n', True),
    ],
    ids=["jsonl blank line", "csv blank line", "csv row begun", "csv quote inside a cell"],
)
def test_a_live_record_is_scored_though_what_follows_it_is_not_a_record_yet(
    first: bytes, more: bytes, csv_rows: bool
) -> None:
    # Regression: a record followed by a blank line, or by the first line of a CSV row
    # that goes on, waited for the producer's next record.
    from autodm._cli_input import _batches, _csv_records, _LiveInput, _records

    read_end, write_end = os.pipe()
    live = _LiveInput(read_end, owns_fd=True, csv_rows=csv_rows)
    once = threading.Lock()

    def write_the_rest() -> None:  # by the test, or after 30 s if the record waits for it
        if once.acquire(blocking=False):
            os.write(write_end, more)
            os.close(write_end)

    rest = threading.Timer(30, write_the_rest)
    try:
        os.write(write_end, first)
        rest.start()
        batches = _batches((_csv_records if csv_rows else _records)(live), 8, live.ready)
        (batch, _) = next(batches)
        assert once.acquire(blocking=False), "the record waited for the next one"
        once.release()
        write_the_rest()
        texts = [record["text"] for b, _ in [(batch, None), *batches] for _, record in b]  # type: ignore[index]
        assert texts[0] == "one"
        assert texts[1].startswith("two")
        assert len(texts) == 2
    finally:
        rest.cancel()
        write_the_rest()
        live.close()


@pytest.mark.skipif(os.name != "posix", reason="access modes are read with fcntl")
def test_classify_refuses_a_standard_input_open_for_writing_only() -> None:
    # Regression: it waited forever for bytes that could not come.
    read_end, write_end = os.pipe()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "autodm", "classify", "-"],
            stdin=write_end,
            capture_output=True,
            check=False,
            timeout=120,
        )
    finally:
        os.close(read_end)
        os.close(write_end)
    assert result.returncode == 2
    assert "standard input is open for writing only" in result.stderr.decode()


@pytest.mark.skipif(os.name != "posix", reason="select on pipes is POSIX")
def test_a_closed_live_input_reads_nothing_more() -> None:
    # Regression: the reading thread went on reading standard input after the command had
    # returned, taking lines that the program calling it in-process meant to read itself.
    from autodm._cli_input import _LiveInput

    read_end, write_end = os.pipe()
    try:
        live = _LiveInput(read_end, owns_fd=False)
        os.write(write_end, b'{"text": "one"}\n')
        assert next(live) == '{"text": "one"}\n'
        live.close()
        os.write(write_end, b"left for the caller\n")
        ready, _, _ = select.select([read_end], [], [], 60)
        assert ready
        assert os.read(read_end, 100) == b"left for the caller\n"
    finally:
        os.close(read_end)
        os.close(write_end)


@contextlib.contextmanager
def _child_sigint(handler: Any) -> Iterator[None]:
    """Start children with SIGINT ignored (``signal.SIG_IGN``, as a shell starts a
    background job) or not (a Python handler, which a child resets to the default), whatever
    this process was started with: a child inherits an ignored SIGINT through ``exec``, and
    Python then leaves it ignored."""
    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _start_classify(
    source: str, tmp_path: Path, sigint: Any = signal.default_int_handler
) -> tuple[subprocess.Popen[bytes], BinaryIO]:
    """``classify`` reading a live input that stays open, started with ``sigint`` as
    :func:`_child_sigint` says; returns the process and its input, unbuffered, for the
    caller to close."""
    arguments = [sys.executable, "-m", "autodm", "classify"]
    if source == "stdin":
        with _child_sigint(sigint):
            process = subprocess.Popen(
                [*arguments, "-"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        assert process.stdin is not None
        return process, open(process.stdin.fileno(), "wb", buffering=0, closefd=False)
    fifo = tmp_path / "inbox.jsonl"
    os.mkfifo(fifo)
    with _child_sigint(sigint):
        process = subprocess.Popen(
            [*arguments, str(fifo)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
    deadline = time.monotonic() + 60
    while True:
        try:
            end = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            break
        except OSError:  # no reader yet
            assert time.monotonic() < deadline
            assert process.poll() is None
            time.sleep(0.05)
    os.set_blocking(end, True)
    return process, open(end, "wb", buffering=0)


def _signal_state(pid: int) -> str:
    """What the kernel says of a process's signals (Linux): blocked, ignored, caught and
    pending masks, for a test that waits in vain for one to end it."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return "unknown"
    return ", ".join(line for line in lines if line.startswith(("Sig", "ShdPnd")))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes and signals are POSIX")
@pytest.mark.parametrize("source", ["stdin", "fifo"])
@pytest.mark.parametrize("ending", ["output closed", "Ctrl-C"])
def test_live_classify_ends_at_once_while_the_producer_waits(
    source: str, ending: str, tmp_path: Path
) -> None:
    # Regression: with the producer idle, a closed output aborted the interpreter at exit
    # ("could not acquire lock ... at interpreter shutdown"), and on a named pipe a closed
    # output or Ctrl-C left the command hanging.
    process, producer = _start_classify(source, tmp_path)
    with process, producer:
        assert process.stdout is not None
        assert process.stderr is not None
        producer.write(json.dumps({"id": "m1", "text": SPAM}).encode() + b"\n")
        assert "m1" in process.stdout.readline().decode()
        if ending == "output closed":
            process.stdout.close()
            producer.write(json.dumps({"id": "m2", "text": CHAT}).encode() + b"\n")
        else:
            process.send_signal(signal.SIGINT)
        try:
            code = process.wait(timeout=60)  # the input is still open: the producer waits
        except subprocess.TimeoutExpired:
            pytest.fail(f"the command did not end; its signal state: {_signal_state(process.pid)}")
        error = process.stderr.read().decode()
    # Interrupted, it ends by the signal, as a shell expects, and without a traceback.
    assert (code, error) == ((0, "") if ending == "output closed" else (-signal.SIGINT, ""))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes and signals are POSIX")
@pytest.mark.parametrize("source", ["stdin", "fifo"])
def test_live_classify_started_with_ctrl_c_ignored_keeps_reading(
    source: str, tmp_path: Path
) -> None:
    # A shell starts a background job (`autodm classify - < feed &`) with SIGINT ignored,
    # so that Ctrl-C at the terminal leaves it running: the command keeps that, and ends
    # when its input does. (Started so by a test run in the background, the test above
    # waited in vain for a Ctrl-C to end the command; its children now start with SIGINT
    # at the default.)
    before = signal.getsignal(signal.SIGINT)
    process, producer = _start_classify(source, tmp_path, sigint=signal.SIG_IGN)
    with process, producer:
        assert process.stdout is not None
        assert process.stderr is not None
        producer.write(json.dumps({"id": "m1", "text": SPAM}).encode() + b"\n")
        assert "m1" in process.stdout.readline().decode()
        process.send_signal(signal.SIGINT)
        producer.write(json.dumps({"id": "m2", "text": CHAT}).encode() + b"\n")
        assert "m2" in process.stdout.readline().decode()
        producer.close()
        if process.stdin is not None:  # the producer writes to its descriptor
            process.stdin.close()
        code = process.wait(timeout=60)
        assert (code, process.stdout.read(), process.stderr.read()) == (0, b"", b"")
    assert signal.getsignal(signal.SIGINT) is before  # this process's own handler is back


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_classify_reads_a_named_pipe_not_its_name(tmp_path: Path) -> None:
    # Regression: a path that is not a regular file (a named pipe, /dev/stdin, a shell's
    # <(command)) was classified as the text of a message.
    fifo = tmp_path / "inbox.jsonl"
    os.mkfifo(fifo)
    process = subprocess.Popen(
        [sys.executable, "-m", "autodm", "classify", str(fifo)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    # Write once the command opens the pipe for reading; give up if it ends without doing so.
    while process.poll() is None:
        try:
            end = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError:  # no reader yet
            time.sleep(0.05)
            continue
        os.write(end, json.dumps({"id": "m1", "text": SPAM}).encode() + b"\n")
        os.close(end)
        break
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    verdict = json.loads(out)
    assert (verdict["id"], verdict["label"]) == ("m1", "automated")


@pytest.mark.parametrize(
    ("given", "options"),
    [
        (json.dumps({"id": "m1", "text": CHAT}) + "\n", ["--output-format", "csv"]),
        (f'id,text\r\nm1,"{CHAT}"\r\n', ["--input-format", "csv"]),
    ],
    ids=["jsonl", "csv"],
)
def test_standard_input_skips_a_byte_order_mark(given: str, options: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "autodm", "classify", "-", *options],
        input="\ufeff".encode() + given.encode(),
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    (row,) = csv.DictReader(io.StringIO(result.stdout.decode()))
    assert (row["id"], row["label"], row["error"]) == ("m1", "human", "")


def test_classify_csv_in_and_out(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "inbox.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text", "sender_id", "sent_at", "followed_at", "first_message"])
        writer.writerow(["1", CHAT, "", "", "", ""])
        writer.writerow(["2", SPAM, "bot", "4", "0", "true"])
        writer.writerow(["3", "hello", "", "", "", "maybe"])
    assert main(["classify", str(path)]) == 1
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["label"] for r in rows[:2]] == ["human", "automated"]
    assert rows[1]["template"]
    assert rows[1]["top_reason"]
    assert rows[2]["line"] == "4"
    assert "True, False, 1, 0 or None" in rows[2]["error"]
    assert main(["classify", str(path), "--output-format", "jsonl"]) == 1
    assert _lines(capsys)[1]["label"] == "automated"


def test_classify_csv_times_in_milliseconds_are_named_as_such(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "ms.csv"
    path.write_text("text,followed_at,sent_at\nhi,1772446500000,1772446504000\n", encoding="utf-8")
    assert main(["classify", str(path), "--output-format", "jsonl"]) == 1
    assert "milliseconds" in str(_lines(capsys)[0]["error"])


def test_classify_csv_reads_epoch_seconds_in_scientific_notation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # As a spreadsheet exports large numbers; 4 s after the follow.
    path = tmp_path / "sheet.csv"
    rows = ["text,followed_at,sent_at", "hi,1.772446500E+009,1.772446504e9", "hi,1.77245E+09,"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert main(["classify", str(path), "--output-format", "jsonl"]) == 1
    verdict, rounded = _lines(capsys)
    assert any(r["code"] == "follow_delay" for r in verdict["reasons"])
    # Rounded to 10,000 s, a time would make any reply look sent the second after the follow.
    assert rounded == {
        "line": 3,
        "error": "followed_at '1.77245E+09' is rounded to 6 significant digits, too few for "
        "a time to the second; format the column as a number",
    }


def test_classify_csv_rows_with_too_many_or_too_few_cells(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "inbox.csv"
    rows = ["id,text,sent_at", "1,see you at 6, bring cake, and plates", "2", "3,see you", "4,ok,"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert main(["classify", str(path), "--output-format", "jsonl"]) == 1
    out = _lines(capsys)
    # An unquoted comma cut the message: refused, not classified as "see you at 6".
    assert out[0] == {
        "line": 2,
        "error": "the row has 4 cells and the header names 3; quote a cell that holds a comma",
    }
    assert out[1] == {
        "line": 3,
        "error": 'the row has 1 cell and none for "text", column 2 of the header',
    }
    # A row that stops before its empty last cells is read as if it had them.
    assert [o.get("id") for o in out[2:]] == ["3", "4"]
    assert all("label" in o for o in out[2:])


_CSV_ROW_KINDS = st.sampled_from(["one line", "quoted lines", "too many cells"])


@hypothesis.given(
    rows=st.lists(
        st.tuples(st.integers(0, 3), _CSV_ROW_KINDS, st.integers(1, 3)), min_size=1, max_size=8
    ),
    newline=st.sampled_from(["\n", "\r\n"]),
)
def test_csv_rows_are_named_by_the_line_they_start_at(
    rows: list[tuple[int, str, int]], newline: str
) -> None:
    # Regression: blank lines before a row, which the reader skips, were counted into the
    # row, so its error named the line after the last row instead of its own.
    from autodm._cli_input import _csv_records

    lines = ["id,text"]
    starts = []
    for blank, kind, height in rows:
        lines += [""] * blank
        starts.append(len(lines) + 1)
        if kind == "one line":
            lines.append(f"{starts[-1]},see you at 6")
        elif kind == "quoted lines":  # a cell over `height` + 1 lines
            lines += [f'{starts[-1]},"see you', *"abc"[: height - 1], 'at 6"']
        else:
            lines.append(f"{starts[-1]},see you at 6, bring cake")
    text = newline.join(lines) + newline
    read = list(_csv_records(io.StringIO(text, newline="")))
    assert [line for line, _ in read] == starts
    for (line, record), (_, kind, _) in zip(read, rows, strict=True):
        if kind == "too many cells":
            assert isinstance(record, str)
            assert "quote a cell that holds a comma" in record
        else:
            assert isinstance(record, dict)
            assert record["id"] == str(line)


def test_classify_csv_names_a_quote_left_open(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Regression: the open cell swallowed the rest of the file, and the exit code was 0.
    path = tmp_path / "inbox.csv"
    path.write_text('id,text\n1,hi\n2,"oops\n3,see you at 6\n4,ok\n', encoding="utf-8")
    assert main(["classify", str(path), "--output-format", "jsonl"]) == 1
    first, broken = _lines(capsys)
    assert first["id"] == "1"
    assert broken["line"] == 3
    assert str(broken["error"]).startswith("a quote opened in this row is never closed")
    # A quote closed before more text, or quoted cells over several lines, are read as they
    # were before (a strict reader stops at the first).
    rows = ["id,text,sender_id", '1,"hello" there,bob', '2,"a ""quoted""\nline",ann', "3,ok,,"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert main(["classify", str(path), "--output-format", "jsonl"]) == 0
    assert [o["id"] for o in _lines(capsys)] == ["1", "2", "3"]  # "3,ok,," ends in empty cells
    # A last row with a literal quote and a cell over two lines is whole.
    path.write_text('id,text,note\n1,Bought a 12" pizza,"line1\nline2"\n', encoding="utf-8")
    assert main(["classify", str(path), "--output-format", "jsonl"]) == 0
    assert [o["id"] for o in _lines(capsys)] == ["1"]


@pytest.mark.parametrize("end", ["", "\n", "\r\n"])
def test_a_quote_left_open_is_named_whatever_ends_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], end: str
) -> None:
    path = tmp_path / "inbox.csv"
    path.write_bytes(f'id,text{end or chr(10)}1,"abc{end or chr(10)}2,def{end}'.encode())
    assert main(["classify", str(path), "--output-format", "jsonl"]) == 1
    (broken,) = _lines(capsys)
    assert broken["line"] == 2
    assert str(broken["error"]).startswith("a quote opened in this row is never closed")


def test_classify_csv_history_too_deep_to_read_fails_its_row_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "inbox.csv"
    deep = "[" * 100_000 + "]" * 100_000
    path.write_text(f'text,sender_history\nhi,"{deep}"\nhi,"[{"9" * 5000}]"\nok,\n')
    assert main(["classify", str(path), "--output-format", "jsonl"]) == 1
    out = _lines(capsys)
    assert [o.get("error") for o in out[:2]] == [
        "sender_history must be a JSON list of strings"
    ] * 2
    assert out[2]["label"] == "human"


def test_classify_jsonl_line_too_deep_or_too_long_a_number_fails_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "inbox.jsonl"
    lines = [
        '{"text": ' + "[" * 100_000 + "]" * 100_000 + "}",
        json.dumps({"text": CHAT}),
        '{"text": "hi", "n": ' + "9" * 5000 + "}",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["classify", str(path)]) == 1
    out = _lines(capsys)
    assert [o.get("line") for o in out] == [1, 2, 3]
    assert out[1]["label"] == "human"
    assert "nested too deeply or holding a number too long" in str(out[2]["error"])


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_a_line_too_long_stops_reading_after_the_records_before_it(
    suffix: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Regression: a line had no length limit, so `autodm classify /dev/zero` read until
    # memory ran out.
    import autodm._cli_input as cli_input

    monkeypatch.setattr(cli_input, "MAX_LINE_CHARS", 1000)
    path = tmp_path / f"inbox{suffix}"
    if suffix == ".csv":
        lines = ["text\n", f"{CHAT}\n", "x" * 999 + "\n", "y" * 1001 + "\n", f"{SPAM}\n"]
    else:
        at_limit = json.dumps({"text": "x" * 987}) + "\n"
        lines = [json.dumps({"text": CHAT}) + "\n", at_limit, "0" * 1001 + "\n"]
        lines.append(json.dumps({"text": SPAM}) + "\n")
    path.write_text("".join(lines), encoding="utf-8")
    assert main(["classify", str(path), "--output-format", "jsonl"]) == 2
    captured = capsys.readouterr()
    out = [json.loads(line) for line in captured.out.splitlines()]
    # The line at the limit (1,000 characters with its line end) is read; the one past it
    # stops the reading, after the verdicts of the records before it.
    assert [o["line"] for o in out] == ([2, 3] if suffix == ".csv" else [1, 2])
    too_long = 4 if suffix == ".csv" else 3
    assert f"line {too_long} is longer than 1,000 characters" in captured.err


def test_live_input_stops_at_a_line_too_long_holding_no_more_of_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import autodm._cli_input as cli_input

    monkeypatch.setattr(cli_input, "MAX_LINE_CHARS", 100)
    breaker = cli_input._LineBreaker()
    breaker.add("a" * 99 + "\n" + "b" * 60)
    assert breaker.lines == ["a" * 99 + "\n"]
    with pytest.raises(cli_input._LineTooLong, match="line 2 is longer than 100"):
        breaker.add("b" * 60)
    assert breaker._partial == []  # nothing of it kept


def test_a_field_that_misspells_a_context_key_is_named_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Regression: "Sent_At" was dropped in silence, and with it the timing evidence.
    path = tmp_path / "inbox.jsonl"
    records = [
        {"text": SPAM, "Sent_At": 4, "followed_at": 0, "note": "kept as it was"},
        {"text": CHAT, "Sent_At": 9, "sender-history": []},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    assert main(["classify", str(path)]) == 0
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        "autodm classify: 'Sent_At' (line 1) is not read; the key is 'sent_at'",
        "autodm classify: 'sender-history' (line 2) is not read; the key is 'sender_history'",
    ]
    assert len(captured.out.splitlines()) == 2
    # Once a key, however many ways a file spells it (found in review: one note a spelling,
    # so the notes, and the set behind them, grew with the file).
    spellings = [
        "".join(c.upper() if k >> i & 1 else c for i, c in enumerate("sentat")) for k in range(64)
    ]
    path.write_text(
        "".join(json.dumps({"text": CHAT, name: 4}) + "\n" for name in spellings), encoding="utf-8"
    )
    assert main(["classify", str(path)]) == 0
    assert len(capsys.readouterr().err.splitlines()) == 1
    table = tmp_path / "inbox.csv"
    table.write_text(f'text,Sender_ID\n"{CHAT}",a\n"{CHAT}",b\n', encoding="utf-8")
    assert main(["campaigns", str(table)]) == 0
    assert "'Sender_ID' (line 2) is not read; the key is 'sender_id'" in capsys.readouterr().err


def test_text_option_classifies_its_value_whatever_it_spells(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A message that names a file, is "-" or starts with "-" would be read as a file, as
    # standard input or as an option; --text=TEXT is always the message.
    named = tmp_path / "hello"
    named.write_text(json.dumps({"text": SPAM}) + "\n", encoding="utf-8")
    for text in (str(named), "-", "--help", "-x y"):
        assert main(["classify", f"--text={text}"]) == 0
        assert _lines(capsys) == [autodm.classify(text).to_dict()]
    assert main(["classify", str(named)]) == 0  # as an argument, the file's records
    assert _lines(capsys)[0]["label"] == "automated"
    with pytest.raises(SystemExit) as exit_info:
        main(["classify", "--text=hi", str(named)])  # one or the other
    assert exit_info.value.code == 2
    capsys.readouterr()


def test_a_broken_csv_row_is_named_by_the_line_it_starts_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Regression: the csv reader's line_num leaves out the lines of a row it fails on, so a
    # quote never closed over a million lines was "the CSV row that starts at line -932067".
    import autodm._cli_input as cli_input

    monkeypatch.setattr(cli_input, "_MAX_CSV_FIELD", 100)
    before = csv.field_size_limit(100)
    try:
        path = tmp_path / "inbox.csv"
        path.write_text(f'text\n"{CHAT}"\n\n"hello\n' + "line of text here\n" * 20, "utf-8")
        assert main(["classify", str(path)]) == 2
    finally:
        csv.field_size_limit(before)
    captured = capsys.readouterr()
    assert [row["line"] for row in csv.DictReader(io.StringIO(captured.out))] == ["2"]
    assert "the CSV row that starts at line 4 is broken" in captured.err


def test_version_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"autodm {autodm.__version__}\n"


def test_every_verdict_names_its_input_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Regression: blank lines are skipped and verdicts carried no line, so records without
    # ids could not be matched to their input lines.
    path = tmp_path / "inbox.jsonl"
    path.write_text(
        f"{json.dumps({'text': CHAT})}\n\n  \n{json.dumps({'text': SPAM})}\nnot json\n",
        encoding="utf-8",
    )
    assert main(["classify", str(path)]) == 1
    out = _lines(capsys)
    assert [(o["line"], o.get("label")) for o in out] == [(1, "human"), (4, "automated"), (5, None)]
    table = tmp_path / "inbox.csv"
    table.write_text(f'text\n"{CHAT}\nsecond line"\n\n"{SPAM}"\n', encoding="utf-8")
    assert main(["classify", str(table)]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["line"], r["label"]) for r in rows] == [("2", "human"), ("5", "automated")]


def test_a_text_argument_honours_the_output_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["classify", SPAM, "--output-format", "csv"]) == 0
    from_text = capsys.readouterr().out
    path = tmp_path / "one.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([["text"], [SPAM]])
    assert main(["classify", str(path)]) == 0
    (row,) = csv.DictReader(io.StringIO(from_text))
    (from_file,) = csv.DictReader(io.StringIO(capsys.readouterr().out))
    # The same header and row as for a file, but for the line: a text argument has none.
    assert (row["line"], from_file["line"]) == ("", "2")
    assert {**row, "line": "2"} == from_file
    assert row["label"] == "automated"
    assert main(["classify", SPAM, "--output-format", "jsonl"]) == 0
    assert _lines(capsys)[0]["label"] == "automated"


def test_classify_csv_needs_a_text_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("message\nhello\n", encoding="utf-8")
    assert main(["classify", str(path), "--output-format", "jsonl"]) == 1
    assert "text" in str(_lines(capsys)[0]["error"])


@pytest.mark.parametrize(
    ("header", "found", "hint"),
    [
        ("message,label", "found ['message', 'label']", None),
        ("id;text;label", "found ['id;text;label']", 'it seems to use ";" as separator'),
        ("id\ttext\tlabel", "found ['id\\ttext\\tlabel']", "it seems to use a tab as separator"),
        (",".join(["x" * 100] * 50), "found ['" + "x" * 39 + "…', ", None),
    ],
    ids=["other-names", "semicolons", "tabs", "long"],
)
def test_a_csv_header_without_text_names_what_it_found(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], header: str, found: str, hint: str | None
) -> None:
    path = tmp_path / "export.csv"
    path.write_text(f"{header}\nhello\n", encoding="utf-8")
    assert main(["evaluate", str(path)]) == 2
    err = capsys.readouterr().err
    assert f'{path}:1: the CSV header must name a "text" column; {found}' in err
    if hint is None:
        assert "separator" not in err
    else:
        assert f"{hint}, and autodm reads comma-separated CSV" in err
    assert len(err) < 800  # the header is the file writer's text: only some of it is shown
    if len(header) > 1000:
        assert err.rstrip().endswith(", and 40 more]")


@pytest.mark.parametrize("threshold", ["strict", "lenient", "0.5"])
def test_threshold_option(threshold: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["classify", CHAT, "--threshold", threshold]) == 0
    (verdict,) = _lines(capsys)
    assert 0.0 < float(str(verdict["threshold"])) < 1.0


def test_bad_threshold_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["classify", CHAT, "--threshold", "nope"])
    assert exit_info.value.code == 2
    assert "strict, balanced, lenient" in capsys.readouterr().err


def test_explain_prints_reasons(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", SPAM, "--context", '{"followed_at": 0, "sent_at": 4}']) == 0
    text = capsys.readouterr().out
    assert text.startswith("verdict      automated")
    assert "sent 4 s after you followed" in text


def _log_odds(p: float) -> float:
    return math.log(p / (1 - p))


@pytest.mark.parametrize("message", [SPAM, CHAT, "Hi Olu, are you free tomorrow?"])
def test_explain_adds_the_reasons_up_to_the_log_odds(
    message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["explain", message]) == 0
    lines = capsys.readouterr().out.splitlines()
    verdict = autodm.classify(message)
    (sum_line,) = (line for line in lines if line.startswith("log-odds"))
    numbers = [float(n) for n in re.findall(r"[-+]\d+\.\d+", sum_line)]
    total, base, reasons, *rest = numbers
    assert total == pytest.approx(_log_odds(verdict.probability), abs=0.006)
    assert total == pytest.approx(base + reasons + sum(rest), abs=0.016)
    assert reasons == pytest.approx(sum(r.weight for r in verdict.reasons), abs=0.006)
    (cut_line,) = (line for line in lines if line.startswith("threshold"))
    cut = _log_odds(verdict.threshold)
    side = "above" if verdict.is_automated else "below"
    assert cut_line.endswith(f"{abs(_log_odds(verdict.probability) - cut):.2f} {side}")


def test_explain_says_when_the_log_odds_are_past_a_float_probability() -> None:
    from autodm._commands import _explain_text

    reason = autodm.Reason("wording", "wording typical of auto-DMs ('follow')", 40.0)
    certain = autodm.Verdict(label="automated", probability=1.0, threshold=0.9, reasons=(reason,))
    text = _explain_text(certain, base=-0.8)
    assert "log-odds     beyond +27.6: -0.80 (base) +40.00 (reasons) and smaller terms" in text
    assert "threshold" not in text.splitlines()[-1]  # no distance from an unknown sum
    # Short of 0 or 1 too, where a float keeps too few digits to give the log-odds back.
    near = autodm.Verdict(label="automated", probability=1 - 1e-15, threshold=0.9)
    assert "beyond +27.6" in _explain_text(near, base=-0.8)
    low = _explain_text(autodm.Verdict(label="human", probability=1e-14, threshold=0.5), base=-0.8)
    assert "log-odds     below -27.6" in low


def test_explain_reads_the_message_from_standard_input(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    message = "Thx 4 the follow!!\ncafé: Like my FB page: bit.ly/x1Ab"
    explained: list[str] = []
    classify = autodm.Detector.classify

    def spy(self: autodm.Detector, text: str, *args: Any, **kwargs: Any) -> autodm.Verdict:
        explained.append(text)
        return classify(self, text, *args, **kwargs)

    monkeypatch.setattr(autodm.Detector, "classify", spy)
    assert main(["explain", message]) == 0
    by_argument = capsys.readouterr().out
    for given in (message + "\n", message + "\r\n", "\ufeff" + message):
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(given.encode())))
        assert main(["explain", "-"]) == 0
        assert capsys.readouterr().out == by_argument
    assert explained == [message] * 4  # the whole input, one line break and the mark dropped
    for locale_errors in ("strict", "surrogateescape"):  # the same, whatever the locale's
        stdin = io.TextIOWrapper(io.BytesIO(b"caf\xe9"), errors=locale_errors)
        monkeypatch.setattr(sys, "stdin", stdin)
        assert main(["explain", "-"]) == 2
        assert "standard input is not valid UTF-8 (byte 0xe9)" in capsys.readouterr().err
    for empty in (b"", b"\n", b"  \r\n"):
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(empty)))
        assert main(["explain", "-"]) == 2
        assert "standard input held no message" in capsys.readouterr().err


@pytest.mark.parametrize("command", [["classify", "-"], ["explain", "-"]])
def test_closed_standard_input_is_a_usage_error(
    command: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", None)  # what Python gives a process started with <&-
    assert main(command) == 2
    assert "standard input is closed" in capsys.readouterr().err


def test_closed_standard_output_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Regression: started with >&-, classify ended in an AttributeError traceback.
    monkeypatch.setattr(sys, "stdout", None)
    assert main(["classify", CHAT]) == 2
    assert "standard output is closed" in capsys.readouterr().err


@pytest.mark.skipif(os.name != "posix", reason="a pipe with no reader fails writes on POSIX")
@pytest.mark.parametrize("records", [1, 600])
def test_a_reader_gone_before_the_output_is_written_ends_quietly(
    records: int, tmp_path: Path
) -> None:
    # Regression: a short output, held in the buffer until the interpreter flushed it at
    # exit, met the closed pipe there: "Exception ignored ... BrokenPipeError", exit 120.
    path = tmp_path / "messages.jsonl"
    lines = (json.dumps({"text": f"{CHAT} {i}"}) + "\n" for i in range(records))
    path.write_text("".join(lines), encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"}
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "autodm", "classify", str(path)],
            stdout=write_end,
            stderr=subprocess.PIPE,
            check=False,
            timeout=120,
            env=env,
        )
    finally:
        os.close(write_end)
    assert (result.returncode, result.stderr.decode()) == (0, "")


@hypothesis.given(
    key=st.sampled_from(["id", "sender_id", "source", "group"]),
    value=st.one_of(
        st.text(max_size=8),
        st.tuples(st.text(max_size=4), st.characters(categories=["Cs"]), st.text(max_size=4)).map(
            "".join
        ),
    ),
)
def test_a_value_written_back_out_must_be_text_utf8_can_hold(key: str, value: str) -> None:
    # Regression: an id written as a lone "\\ud800" escape was read, then stopped the
    # whole output with a UnicodeEncodeError when its verdict was written.
    from autodm._cli_input import _records

    line = json.dumps({"text": "see you at 6", key: value, "other": "\ud800"}) + "\n"
    ((number, record),) = _records([line])
    assert number == 1
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        assert record == (
            f"`{key}` holds lone surrogate code points, which are not text; repair it, "
            "e.g. text.encode('utf-8', 'surrogatepass').decode('utf-8', 'replace')."
        )
    else:  # a key the commands do not write back ("other") may hold anything
        assert isinstance(record, dict)
        assert record[key] == value


def test_a_record_with_an_id_that_cannot_be_written_fails_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "messages.jsonl"
    path.write_text('{"id": "\\ud800", "text": "hi"}\n{"id": 2, "text": "ok"}\n', "utf-8")
    assert main(["classify", str(path)]) == 1
    out = _lines(capsys)
    assert out[0]["line"] == 1
    assert "`id` holds lone surrogate code points" in str(out[0]["error"])
    assert out[1]["id"] == 2


@pytest.mark.parametrize("locale_errors", ["strict", "surrogateescape"])
def test_a_line_of_standard_input_that_is_not_utf8_fails_alone(locale_errors: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "autodm", "classify", "-"],
        input=b'{"text": "see you at 6"}\n{"text": "caf\xe9"}\n{"text": "ok"}\n',
        capture_output=True,
        check=False,
        timeout=120,
        env={**os.environ, "PYTHONIOENCODING": f"utf-8:{locale_errors}"},
    )
    assert result.returncode == 1, result.stderr
    lines = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert [line.get("label") for line in lines] == ["human", None, "human"]
    assert "not valid UTF-8 (byte 0xe9)" in lines[1]["error"]


def test_demo_prints_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith(("automated", "human"))]
    assert len(rows) >= 10
    assert any(r.startswith("automated") for r in rows)
    assert any(r.startswith("human") for r in rows)


def test_missing_bundle_is_exit_code_two(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["classify", CHAT, "--bundle", str(tmp_path / "absent")]) == 2
    assert "does not exist" in capsys.readouterr().err


def _labelled_jsonl(path: Path) -> None:
    lines = []
    for i in range(12):
        text = f"Thanks for the follow {i}! Like my page bit.ly/p{i}"
        lines.append({"text": text, "label": "auto", "source": "bots", "group": f"b{i}"})
        text = f"are we still on for lunch on day {i}? bring the book"
        lines.append({"text": text, "label": "human", "source": "friends"})
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")


def _labelled_csv(path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label", "source", "group", "followed_at", "sent_at", "note"])
        for i in range(12):
            text = f"Thanks for the follow {i}! Like my page bit.ly/p{i}"
            writer.writerow([text, "auto", "bots", f"b{i}", "0", "4", "ignored"])
            text = f'are we still on for lunch on day {i}? bring the book, "the" one'
            writer.writerow([text, "human", "friends", f"h{i}", "", "", ""])


@pytest.mark.parametrize(
    ("name", "write"), [("labelled.jsonl", _labelled_jsonl), ("labelled.csv", _labelled_csv)]
)
def test_train_then_evaluate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, write: Any
) -> None:
    data = tmp_path / name
    write(data)
    bundle = tmp_path / "bundle"
    assert main(["train", str(data), "--out", str(bundle)]) == 0
    assert (bundle / "manifest.json").is_file()
    assert "out-of-fold ROC-AUC" in capsys.readouterr().out
    assert main(["evaluate", str(data), "--bundle", str(bundle)]) == 0
    (result,) = _lines(capsys)
    assert result["n"] == 24
    confusion = result["confusion"]
    assert isinstance(confusion, dict)
    assert sum(confusion.values()) == 24
    by_source = result["by_source"]
    assert isinstance(by_source, dict)
    assert {name: row["n"] for name, row in by_source.items()} == {"bots": 12, "friends": 12}
    assert by_source["bots"]["automated"] == 12


def test_a_null_or_empty_group_or_source_is_none_given(tmp_path: Path) -> None:
    """As DataFrame.to_json writes a missing value: not one group, or a source, named "None"."""
    from autodm._cli_input import _labelled

    records = [
        {"text": "hi", "label": "human", "group": None, "source": None},
        {"text": "hey", "label": "human", "group": "", "source": ""},
        {"text": "yo", "label": "human", "group": 0, "source": "sms"},
        {"text": "hello", "label": "human"},
        # Python's json writes a missing float as NaN (pandas' to_dict, then json.dumps);
        # it was read as a group named "nan" that pooled every such row into one fold.
        {"text": "hiya", "label": "human", "group": math.nan, "source": math.nan},
    ]
    path = tmp_path / "labelled.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    texts, _, contexts, sources, groups = _labelled(path)
    assert sources == ["all", "all", "sms", "all", "all"]
    assert groups == [None, None, "0", None, None]  # each None a group of its own in train
    # No context is None, as classify reads it: a Detector scores repeated texts once then.
    assert contexts == [None] * len(texts)
    # Regression: a file without any group gave every row one, and the bundle said its
    # folds were grouped.
    del records[2]["group"]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    assert _labelled(path)[-1] is None


def test_train_passes_its_threshold_and_calibration_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "labelled.csv"
    _labelled_csv(data)
    bundle = tmp_path / "bundle"
    options = ["--target-fpr", "0.1", "--threshold-sources", "friends"]
    calibrate = ["--calibration-sources", " friends, bots "]
    assert main(["train", str(data), "--out", str(bundle), *options, *calibrate]) == 0
    training = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))["training"]
    assert training["target_fpr"] == 0.1
    assert training["calibration_messages"] == 24
    capsys.readouterr()
    assert main(["train", str(data), "--out", str(bundle), "--threshold-sources", "bots"]) == 2
    assert "['friends']" in capsys.readouterr().err  # names the sources it could have used
    for bad in (["--calibration-sources", " , "], ["--target-fpr", "2"]):
        with pytest.raises(SystemExit) as exit_info:
            main(["train", str(data), "--out", str(bundle), *bad])
        assert exit_info.value.code == 2


def test_evaluate_gives_the_threshold_for_a_false_positive_rate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "labelled.jsonl"
    _labelled_jsonl(data)
    assert main(["evaluate", str(data), "--fpr", "0.25"]) == 0
    (result,) = _lines(capsys)
    rows = [json.loads(line) for line in data.read_text(encoding="utf-8").splitlines()]
    human = [r["text"] for r in rows if r["label"] == "human"]
    expected = autodm.evaluate(human, ["human"] * len(human)).threshold_for(0.25)
    assert result["threshold_for"] == {"fpr": 0.25, "threshold": expected}
    assert main(["evaluate", str(data), "--fpr", "-0"]) == 0
    (result,) = _lines(capsys)
    assert math.copysign(1.0, result["threshold_for"]["fpr"]) == 1.0  # 0.0, not -0.0
    for bad in ("1.5", "-0.1", "nan", "half"):
        with pytest.raises(SystemExit) as exit_info:
            main(["evaluate", str(data), "--fpr", bad])
        assert exit_info.value.code == 2
        assert "[0, 1]" in capsys.readouterr().err
    bots = tmp_path / "bots.jsonl"
    bots.write_text(json.dumps({"text": SPAM, "label": "automated"}) + "\n", encoding="utf-8")
    assert main(["evaluate", str(bots), "--fpr", "0.01"]) == 2
    assert "--fpr" in capsys.readouterr().err


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs a folder nobody can write")
def test_evaluate_refuses_a_report_folder_it_cannot_write_before_scoring(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Regression: only "is it a file" was checked; the metrics were printed, then writing
    # the report failed with exit code 2. /proc/self stands for a read-only folder that
    # permissions do not show as such (to root, every folder is writable).
    data = tmp_path / "labelled.jsonl"
    _labelled_jsonl(data)
    args = ["evaluate", str(data), "--report", "/proc/self/report"]
    _refused_before_the_work(capsys, args, "autodm evaluate: --report: cannot write into '/proc/")


def _refused_before_the_work(
    capsys: pytest.CaptureFixture[str], args: list[str], shown: str
) -> None:
    """The command exits 2 with ``shown`` in its error, having printed nothing."""
    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert shown in captured.err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_evaluate_refuses_a_report_over_a_named_pipe_before_scoring(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Regression: the metrics were printed, then the write was refused with exit code 2.
    data = tmp_path / "labelled.jsonl"
    _labelled_jsonl(data)
    (tmp_path / "site").mkdir()
    os.mkfifo(tmp_path / "site" / "index.html")
    args = ["evaluate", str(data), "--report", str(tmp_path / "site")]
    _refused_before_the_work(capsys, args, "index.html' exists and is not a regular file")


def test_outputs_that_are_loops_of_links_are_refused_before_the_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Regression: Path.exists() is False for a loop, so the up-front checks passed it and
    # the write failed after scoring or training.
    data = tmp_path / "labelled.jsonl"
    _labelled_jsonl(data)
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").symlink_to("index.html")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "manifest.json").symlink_to("manifest.json")
    (tmp_path / "loop.zip").symlink_to("loop.zip")
    runs = [
        ["evaluate", str(data), "--report", str(tmp_path / "site")],
        ["train", str(data), "--out", str(tmp_path / "out")],
        ["train", str(data), "--out", str(tmp_path / "loop.zip")],
    ]
    for run in runs:
        _refused_before_the_work(
            capsys, run, "cannot be written: Too many levels of symbolic links"
        )


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["evaluate", "DATA", "--report", ""], "--report"),
        (["train", "DATA", "--out", ""], "--out"),
        (["classify", "hi", "--bundle", ""], "--bundle"),
        (["evaluate", "DATA", "--bundle", ""], "--bundle"),
        (["evaluate", ""], "input"),
        (["train", "", "--out", "model"], "input"),
    ],
)
def test_an_empty_path_is_refused(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    option: str,
) -> None:
    # Regression: Path("") is the current folder, so --report '' wrote ./index.html and
    # --out '' wrote a bundle into the current folder; the library refuses "".
    data = tmp_path / "labelled.jsonl"
    _labelled_jsonl(data)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    with pytest.raises(SystemExit) as exited:
        main([str(data) if a == "DATA" else a for a in args])
    assert exited.value.code == 2
    assert f"argument {option}: must be a path, not an empty string" in capsys.readouterr().err
    assert list(work.iterdir()) == []


def test_evaluate_refuses_a_report_path_that_is_a_file_before_scoring(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import autodm._commands as commands

    data = tmp_path / "labelled.jsonl"
    _labelled_jsonl(data)
    notes = tmp_path / "notes.txt"
    notes.write_text("keep me", encoding="utf-8")
    assert main(["evaluate", str(data), "--report", str(notes)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # no metrics: nothing was scored
    assert "autodm evaluate: --report: `directory` must be a folder" in captured.err
    assert f"{str(notes)!r} is a file." in captured.err
    assert notes.read_text(encoding="utf-8") == "keep me"

    def read(*_: object) -> None:
        raise AssertionError("the input was read before --report was checked")

    monkeypatch.setattr(commands, "_labelled", read)
    assert main(["evaluate", str(data), "--report", str(notes)]) == 2
    capsys.readouterr()
    assert main(["evaluate", str(data), "--report", str(notes / "deeper" / "out")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"lies under {str(notes)!r}, which is a file." in captured.err


def test_evaluate_refuses_a_bad_bundle_before_reading_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Regression: the whole file was read and checked first, however large.
    import autodm._commands as commands

    def read(*_: object) -> None:
        raise AssertionError("the input was read before the detector was made")

    monkeypatch.setattr(commands, "_labelled", read)
    monkeypatch.chdir(tmp_path)
    assert main(["evaluate", "labelled.jsonl", "--bundle", "no-such-bundle"]) == 2
    assert "no bundle at" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["evaluate", "train"])
@pytest.mark.parametrize(
    ("source", "shown"),
    [
        ("tw\0", "holds a NUL character"),
        ("\ud800", "holds lone surrogate"),
        (True, "must be a str or an int"),
        ({"a": 1}, "must be a str or an int"),
        ([1], "must be a str or an int"),
        (1.5, "must be a str or an int"),
    ],
)
def test_a_source_that_cannot_be_a_name_is_refused_by_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, source: object, shown: str
) -> None:
    # Regression: a NUL was refused as `sources[1]` once the whole file was read, with no
    # line; a bool, an object or a list became a source named by its Python spelling
    # ("True", "{'a': 1}"), where the library refuses them.
    path = tmp_path / "labelled.jsonl"
    records = [
        {"text": "Thanks for the follow! Grab my e-book at bit.ly/x", "label": "automated"},
        {"text": "are we still on for lunch tomorrow?", "label": "human", "source": source},
    ]
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    extra = ["--out", str(tmp_path / "bundle")] if command == "train" else []
    assert main([command, str(path), *extra]) == 2
    err = capsys.readouterr().err
    assert f"{path}:2: `source` " in err
    assert shown in err
    assert not (tmp_path / "bundle").exists()


def test_evaluate_reads_a_source_as_the_library_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "labelled.jsonl"
    sources = ['"7"', "7", "null", "NaN", '""']  # as JSON spells them
    lines = [
        f'{{"text": "message number {i}", "label": "human", "source": {source}}}'
        for i, source in enumerate(sources)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["evaluate", str(path)]) == 0
    by_source = json.loads(capsys.readouterr().out)["by_source"]
    assert {name: row["n"] for name, row in by_source.items()} == {"7": 2, "all": 3}


@pytest.mark.parametrize("command", ["evaluate", "campaigns"])
def test_labelled_commands_read_standard_input_for_a_dash(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    command: str,
) -> None:
    # Regression: "No such file or directory: '-'", where classify reads standard input.
    data = tmp_path / "labelled.jsonl"
    _labelled_jsonl(data)
    assert main([command, str(data)]) == 0
    from_file = capsys.readouterr().out
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data.read_bytes())))
    assert main([command, "-"]) == 0
    assert capsys.readouterr().out == from_file


def test_a_csv_file_saved_as_utf16_is_named_as_such(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Regression: the header was read first, and refused for lacking a "text" column
    # among names such as '\udcff\udcfet\x00e\x00x\x00t\x00'.
    path = tmp_path / "labelled.csv"
    path.write_text("text,label\nhello,human\n", encoding="utf-16")
    assert main(["evaluate", str(path)]) == 2
    assert f"{path}:1: not valid UTF-8 (byte 0xff); save the file as UTF-8" in (
        capsys.readouterr().err
    )


def test_input_format_csv_reads_any_file_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "labelled.txt"
    _labelled_csv(data)
    assert main(["evaluate", str(data)]) == 2  # read as JSONL by default
    assert "not JSON" in capsys.readouterr().err
    assert main(["evaluate", str(data), "--input-format", "csv"]) == 0
    (result,) = _lines(capsys)
    assert result["n"] == 24


def test_labelled_csv_needs_a_label_on_every_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "labelled.csv"
    data.write_text("text,label\nsee you at 6,human\nhello,\n", encoding="utf-8")
    assert main(["evaluate", str(data)]) == 2
    assert f'{data}:3: no "label"' in capsys.readouterr().err
    data.write_text("message,label\nsee you at 6,human\n", encoding="utf-8")
    assert main(["train", str(data), "--out", str(tmp_path / "b")]) == 2
    assert 'the CSV header must name a "text" column' in capsys.readouterr().err


def test_help_lists_commands_and_examples() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "autodm", "--help"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0
    for word in ("demo", "classify", "explain", "train", "evaluate", "campaigns", "examples:"):
        assert word in result.stdout


@pytest.mark.parametrize("command", ["train", "evaluate"])
def test_labelled_commands_document_their_columns(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    assert "--input-format {jsonl,csv}" in text
    for line in (
        "    text        the message (required)",
        "    label       automated/human",
        "    source      a source name",
        "    group       a group for grouped cross-validation",
        "    sender_id, recipient_id, sent_at, followed_at, sender_history, platform,",
    ):
        assert line in text
    assert "CSV: a header row" in text
    assert ("--report DIR" in text) == (command == "evaluate")


def test_a_file_is_scored_in_batches_with_each_bad_line_reported_in_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    texts = [f"{SPAM} {i}" if i % 2 else f"{CHAT} {i}" for i in range(1200)]
    lines = [json.dumps({"id": i, "text": t}) for i, t in enumerate(texts)]
    bad = {5: "not json", 700: json.dumps({"text": 7}), 1199: json.dumps({"text": "\ud800x"})}
    for where, line in bad.items():
        lines[where] = line
    path = tmp_path / "inbox.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["classify", str(path)]) == 1
    out = _lines(capsys)
    assert len(out) == len(lines)
    detector = autodm.Detector()
    for i, payload in enumerate(out):
        if i in bad:
            assert payload["line"] == i + 1
            assert payload["error"]
        else:
            assert payload["id"] == i
            assert payload == {"id": i, "line": i + 1, **detector.classify(texts[i]).to_dict()}


def test_a_progress_bar_shows_on_a_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "inbox.jsonl"
    path.write_text("\n".join(json.dumps({"text": CHAT}) for _ in range(1500)), encoding="utf-8")
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert main(["classify", str(path)]) == 0
    err = capsys.readouterr().err
    assert "[" in err
    assert err.rstrip().endswith("100% 1,500 messages, 0 failed")


def test_bytes_that_are_not_utf8_fail_only_their_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "inbox.jsonl"
    good = "\n".join(json.dumps({"id": i, "text": CHAT}) for i in range(3))
    path.write_bytes(good.encode() + b'\n{"text": "caf\xe9 \xff"}\n' + b'{"id": 9, "text": "ok"}\n')
    assert main(["classify", str(path)]) == 1  # one line failed, the rest were classified
    out = _lines(capsys)
    assert [o.get("id") for o in out] == [0, 1, 2, None, 9]
    assert out[3]["line"] == 4
    assert "not valid UTF-8 (byte 0xe9)" in str(out[3]["error"])


@pytest.mark.parametrize(
    ("bad", "problem"),
    [
        ({"text": "yo", "label": "maybe"}, "each label must be"),
        ({"text": "yo", "label": "human", "sent_at": "soon"}, "`sent_at` must be"),
        ({"text": "yo \ud83d", "label": "human"}, "lone surrogate"),
    ],
)
@pytest.mark.parametrize("command", ["train", "evaluate"])
def test_a_bad_labelled_record_is_named_by_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, bad: dict, problem: str
) -> None:
    path = tmp_path / "labelled.jsonl"
    rows = [{"text": CHAT, "label": "human"}, {"text": SPAM, "label": "automated"}, bad]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    extra = ["--out", str(tmp_path / "model")] if command == "train" else []
    assert main([command, str(path), *extra]) == 2
    err = capsys.readouterr().err
    assert f"{path}:3: " in err
    assert problem in err
    assert not (tmp_path / "model").exists()


@pytest.mark.parametrize("name", ["inbox.jsonl", "./exports/week12.CSV", "C:\\data\\x.json"])
def test_a_missing_file_is_not_classified_as_a_message(
    capsys: pytest.CaptureFixture[str], name: str
) -> None:
    assert main(["classify", name]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"no file {name!r}" in captured.err


def test_a_message_that_mentions_a_file_is_still_classified(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for message in (
        "can you send me results.csv",
        "grab the sheet at https://example.com/prices.csv",
        "https://example.com/prices.csv",
    ):
        assert main(["classify", message]) == 0
        (verdict,) = _lines(capsys)
        assert 0.0 <= float(str(verdict["probability"])) <= 1.0


def test_explain_says_when_the_context_is_not_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", CHAT, "--context", "{sender_id: bob}"]) == 2
    assert "--context must be a JSON object" in capsys.readouterr().err


@pytest.mark.parametrize(
    "context",
    ["[" * 100_000, "1" * 5_000, '{"sent_at": ' + "1" * 5_000 + "}"],
    ids=["deep", "long-int", "long-time"],
)
def test_explain_says_when_the_context_is_too_deep_or_long_to_read(
    capsys: pytest.CaptureFixture[str], context: str
) -> None:
    # Regression: a RecursionError or a ValueError reached the user as a traceback.
    assert main(["explain", CHAT, "--context", context]) == 2
    assert "nested too deeply or holds a number too long" in capsys.readouterr().err


def test_campaigns_skip_a_record_that_is_not_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "outbox.jsonl"
    rows = [{"text": SPAM}, {"text": "bad \ud83d"}, {"text": SPAM}]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    assert main(["campaigns", str(path)]) == 1
    assert f"{path}:2: " in capsys.readouterr().err


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_campaigns_name_the_lines_and_ids_of_their_messages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    rows = [
        {"id": "m1", "text": "Hi Sam! Thanks for the follow, grab my free e-book at bit.ly/a1"},
        {"id": "m2", "text": CHAT},
        {"id": "m3", "text": "Hi Priya! Thanks for the follow, grab my free e-book at bit.ly/b2"},
    ]
    path = tmp_path / f"inbox{suffix}"
    if suffix == ".csv":
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, ["id", "text"])
            writer.writeheader()
            writer.writerows([rows[0], {"id": "m2", "text": "see you at 6,\nbring cake"}, rows[2]])
        expected_lines = [2, 5]  # the lines the rows start on: m2's cell spans lines 3 and 4
    else:
        # A blank line and a bad one before the campaign's second message: positions among
        # the messages read (0 and 1) would not say where it is.
        lines = [json.dumps(rows[0]), "", "{not json", json.dumps(rows[2])]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        expected_lines = [1, 4]
    assert main(["campaigns", str(path)]) == (0 if suffix == ".csv" else 1)
    (campaign,) = _lines(capsys)
    assert campaign["size"] == 2
    assert campaign["lines"] == expected_lines
    assert campaign["ids"] == ["m1", "m3"]
    assert "indices" not in campaign
    spam = [{"text": SPAM, "sender_id": "a"}, {"text": SPAM}, {"text": SPAM, "sender_id": None}]
    path.write_text("".join(json.dumps(r) + "\n" for r in spam))
    assert main(["campaigns", str(path), "--input-format", "jsonl"]) == 0
    (campaign,) = _lines(capsys)
    assert campaign["lines"] == [1, 2, 3]
    assert "ids" not in campaign  # no record has one


def test_csv_with_a_byte_order_mark_long_cells_and_multiline_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "excel.csv"
    long_text = "see you at 6 " * 20_000  # a cell over the csv module's default limit
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "sender_history"])
        writer.writerow(["first line\nsecond line of one message", ""])
        writer.writerow([long_text, ""])
        writer.writerow([CHAT, "not a list"])
    assert main(["classify", str(path), "--output-format", "jsonl"]) == 1
    out = _lines(capsys)
    assert [o.get("label") for o in out[:2]] == ["human", "human"]
    assert out[2]["line"] == 5  # the row starts on file line 5 (the first row spans 2-3)


def test_records_read_before_an_unreadable_row_keep_their_verdicts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import autodm._cli_input as cli_input

    previous = csv.field_size_limit()
    monkeypatch.setattr(cli_input, "_MAX_CSV_FIELD", 50)
    csv.field_size_limit(50)  # so that a 60-character cell is more than the reader takes
    try:
        path = tmp_path / "inbox.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["id", "text"])
            writer.writerows([["a", CHAT], ["b", "x" * 60], ["c", CHAT]])
        assert main(["classify", str(path), "--output-format", "jsonl"]) == 2
    finally:
        csv.field_size_limit(previous)
    captured = capsys.readouterr()
    assert [json.loads(line)["id"] for line in captured.out.splitlines()] == ["a"]
    assert "stopped after 1 record:" in captured.err


def test_train_refuses_an_output_it_cannot_write_before_training(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "labelled.jsonl"
    path.write_text("not even read", encoding="utf-8")
    assert main(["train", str(path), "--out", str(path / "model")]) == 2
    assert "--out: cannot write into" in capsys.readouterr().err
    assert main(["train", str(path), "--out", str(path)]) == 2
    assert "is an existing file" in capsys.readouterr().err
    (tmp_path / "model.zip").mkdir()
    assert main(["train", str(path), "--out", str(tmp_path / "model.zip")]) == 2
    assert "is an existing folder" in capsys.readouterr().err
    # Regression: a member that is not a regular file was refused only after training.
    (tmp_path / "folder" / "manifest.json").mkdir(parents=True)
    assert main(["train", str(path), "--out", str(tmp_path / "folder")]) == 2
    assert "manifest.json' exists and is not a regular file" in capsys.readouterr().err
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "pipe.zip")
        assert main(["train", str(path), "--out", str(tmp_path / "pipe.zip")]) == 2
        assert "pipe.zip' exists and is not a regular file" in capsys.readouterr().err


@pytest.mark.parametrize(("rate", "noted"), [("0.005", True), ("0.1", False)])
def test_train_notes_sources_with_too_few_humans_for_the_target(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], rate: str, noted: bool
) -> None:
    data = tmp_path / "labelled.jsonl"
    _labelled_jsonl(data)
    out = tmp_path / "bundle"
    assert main(["train", str(data), "--out", str(out), "--target-fpr", rate]) == 0
    err = capsys.readouterr().err
    expected = "source 'friends' has 12 human messages, too few to measure a false-positive"
    assert (expected in err) is noted
    assert "'bots'" not in err  # no human message there to measure


def test_a_table_read_as_jsonl_says_how_to_read_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A CSV not named *.csv (or a TSV) was read as JSONL and refused as 'not JSON' alone."""
    table = tmp_path / "labelled.txt"
    table.write_text("text,label\nsee you at 6,human\n", encoding="utf-8")
    assert main(["evaluate", str(table)]) == 2
    error = capsys.readouterr().err
    assert "labelled.txt:1: not JSON" in error
    assert "--input-format csv" in error
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"text": "hi", "label": \n', encoding="utf-8")
    assert main(["evaluate", str(broken)]) == 2
    assert "--input-format" not in capsys.readouterr().err  # a JSON line, broken
    assert main(["evaluate", str(table), "--input-format", "csv"]) == 0


def test_classify_output_is_strict_json_and_csv_whatever_the_ids(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Found in review: an id of 1e400 or NaN was written back as Infinity or NaN, which
    strict JSON readers refuse, and a CSV id holding a bare carriage return was written
    unquoted, splitting its row in two."""
    jsonl = tmp_path / "ids.jsonl"
    jsonl.write_text(
        '{"id": 1e400, "text": "a"}\n{"id": [NaN], "text": "b"}\n{"id": "ok", "text": "c"}\n',
        encoding="utf-8",
    )
    assert main(["classify", str(jsonl)]) == 1
    out = capsys.readouterr().out.splitlines()
    records = [json.loads(line, parse_constant=pytest.fail) for line in out]
    assert [r.get("line") for r in records] == [1, 2, 3]
    assert "`id` holds NaN or an infinity" in records[0]["error"]
    assert records[2]["id"] == "ok"

    table = tmp_path / "ids.csv"
    table.write_text('id,text\n"a\rb",hello\n"c\r\nd",bye\n', encoding="utf-8", newline="")
    for args in ([str(table)], [str(jsonl), "--output-format", "csv"]):
        main(["classify", *args])
        rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out, newline="")))
        if args[0] == str(table):
            assert [row["id"] for row in rows] == ["a\rb", "c\r\nd"]
        assert all(row["label"] or row["error"] for row in rows)


def test_a_csv_header_naming_a_column_twice_is_refused_and_flags_read_as_pandas_writes_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Found in review: a header naming "text" twice classified the last such cell without a
    word, and a flag column of 1.0/0.0 (pandas' to_csv of a 0/1 column with gaps) was
    refused while the label column and the library take them."""
    twice = tmp_path / "twice.csv"
    twice.write_text("text,text,id\na,b,1\n", encoding="utf-8")
    assert main(["classify", str(twice)]) == 1
    (row,) = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert "names ['text'] more than once" in row["error"]
    flags = tmp_path / "flags.csv"
    flags.write_text("text,first_message\nhi there,1.0\nhi there,0.0\nhi there,\n", "utf-8")
    assert main(["classify", str(flags)]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    expected = [
        autodm.classify("hi there", {"first_message": value}).to_dict()["probability"]
        for value in (True, False, None)
    ]
    assert [float(row["probability"]) for row in rows] == expected


def test_csv_output_spells_ids_as_json_and_a_huge_time_is_not_called_rounded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Found in review: CSV output wrote a JSONL id the Python way (True, {'x': 1}), and a
    time of 1e400 was said to be "rounded to 1 significant digits"."""
    ids = tmp_path / "ids.jsonl"
    ids.write_text(
        '{"id": true, "text": "a"}\n{"id": {"x": 1}, "text": "b"}\n{"id": 7, "text": "c"}\n'
        '{"id": null, "text": "d"}\n{"id": "x", "text": "e"}\n',
        encoding="utf-8",
    )
    assert main(["classify", str(ids), "--output-format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [row["id"] for row in rows] == ["true", '{"x": 1}', "7", "", "x"]
    times = tmp_path / "times.csv"
    times.write_text("text,sent_at,followed_at\nhi,1e400,0\n", encoding="utf-8")
    assert main(["classify", str(times)]) == 1
    (row,) = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert "finite epoch seconds" in row["error"]
    assert "rounded" not in row["error"]


@pytest.mark.parametrize(
    ("threshold", "shown"),
    [
        (0.5, "0.5000"),
        (0.99994, "0.9999"),
        (0.99995, "0.99995"),  # not "1.0000", which would flag nothing
        (1.0, "1.0000"),
        (4e-05, "4e-05"),  # not "0.0000", which would flag everything
        (0.0, "0.0000"),
    ],
)
def test_train_writes_a_threshold_that_rounding_would_make_0_or_1_in_full(
    threshold: float, shown: str
) -> None:
    # Found in review: `autodm train` printed "threshold 1.0000" for a bundle's 0.99995.
    from autodm._commands import _four_places

    assert _four_places(threshold) == shown
