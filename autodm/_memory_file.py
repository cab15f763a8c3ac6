"""Reading a saved SenderMemory back: the JSON, and a check of every field in it.

A saved memory is data from disk that may have been edited by hand, truncated, or written
by someone else. Every value is checked against what :meth:`SenderMemory.save` writes
before it becomes state: a negative count would make recipient counts negative, a text of
``null`` would become the text "None", and a time given as a string would never expire.
"""

from __future__ import annotations

import json
import math
import os
import reprlib
import stat
from pathlib import Path
from typing import Final

from ._text import MAX_MASKED_CHARS
from ._types import MAX_EPOCH_SECONDS, MAX_ID_CHARS
from .errors import InvalidInputError, describe

__all__ = [
    "FORMAT",
    "VERSION",
    "Malformed",
    "check_cluster",
    "check_id",
    "check_latest",
    "outgrown_id",
    "quoted",
    "read_payload",
]

FORMAT: Final = "autodm.SenderMemory"
VERSION: Final = 1
#: The largest count a saved memory may hold: the largest a float (and so a Signal) holds
#: exactly. A bot sending a message a millisecond would take 285,000 years to reach it.
MAX_COUNT: Final = 2**53
_CLUSTER_FIELDS: Final = ("text", "count", "first_seen", "last_seen", "anonymous", "recipients")


class Malformed(ValueError):
    """A value that :meth:`SenderMemory.save` would never have written."""


def read_payload(path: object) -> dict[str, object]:
    """The JSON object of the file at ``path``, of this format and version.

    Raises InvalidInputError for a path that is not a str or path, a file that cannot be
    read or parsed, and JSON that is not a saved memory of :data:`VERSION`.
    """
    if not isinstance(path, str | os.PathLike):
        raise InvalidInputError(
            f"`path` must be a str or path of a saved SenderMemory. Got {describe(path)} instead."
        )
    where = str(path)
    if "\0" in os.fsdecode(path):  # no file system takes one
        raise InvalidInputError(
            f"`path` must be a path of a saved SenderMemory; {where!r} holds a NUL character."
        )
    try:
        # Not a device or a named pipe, which save() never writes: /dev/zero would be read
        # until memory ran out, and a pipe would block until something wrote to it.
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise InvalidInputError(
                f"cannot read sender memory {where!r}: it is not a regular file (a folder, a "
                "device or a named pipe); SenderMemory.save writes one."
            )
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInputError(f"cannot read sender memory {where!r}: {error}") from None
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInputError(f"cannot read sender memory {where!r}: {error}") from None
    except RecursionError:
        raise InvalidInputError(
            f"cannot read sender memory {where!r}: its JSON nests too deeply to read; a saved "
            "memory nests six levels deep."
        ) from None
    except ValueError:  # an integer of more digits than Python converts
        raise InvalidInputError(
            f"cannot read sender memory {where!r}: it holds an integer of more than 4,300 "
            f"digits; the counts of a saved memory are at most {MAX_COUNT}."
        ) from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise InvalidInputError(f"{where!r} is not a saved autodm SenderMemory.")
    version = payload.get("version")
    # true == 1 and 1.0 == 1 in Python, but save writes the int and nothing else.
    if type(version) is not int or version != VERSION:
        raise InvalidInputError(
            f"sender memory {where!r} has version {describe(payload.get('version'))}; "
            f"this autodm reads version {VERSION}."
        )
    return payload


def check_id(where: str, value: object) -> str:
    """A sender or recipient id: a non-empty str that can be saved again. ``where`` names
    the value in an error message, in backticks where it is a path (``senders['bot']``)."""
    if not isinstance(value, str) or not value or len(value) > MAX_ID_CHARS:
        raise Malformed(
            f"{where} must be a non-empty str id of at most {MAX_ID_CHARS:,} characters. "
            f"Got {describe(value)} instead."
        )
    return _encodable(where, value)


def _count(where: str, value: object, least: int) -> int:
    """A count: an int (not a bool, not a float) from ``least`` to :data:`MAX_COUNT`."""
    if isinstance(value, bool) or not isinstance(value, int) or not least <= value <= MAX_COUNT:
        raise Malformed(
            f"{where} must be an int from {least} to {MAX_COUNT}. Got {describe(value)} instead."
        )
    return value


def _time(where: str, value: object) -> float:
    """A time: epoch seconds as a JSON number, as ``save`` writes them."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Malformed(f"{where} must be epoch seconds, a number. Got {describe(value)} instead.")
    try:
        seconds = float(value)
    except OverflowError:
        seconds = float("inf")
    if not abs(seconds) <= MAX_EPOCH_SECONDS:
        raise Malformed(
            f"{where} must be epoch seconds, at most {MAX_EPOCH_SECONDS:.0f} either side of "
            f"1970. Got {describe(value)} instead: milliseconds, saved before autodm refused "
            "them, or not a finite number. Remembered texts with such times would never expire."
        )
    return seconds


def check_latest(value: object) -> float:
    """The latest send time a memory observed, saved as ``latest``; absent (-inf) in
    files written before it was saved."""
    return -math.inf if value is None else _time("`latest`", value)


def outgrown_id(value: object) -> bool:
    """Whether a saved id is one that autodm before version 1's limits kept and no longer
    takes: empty (an unknown sender or recipient) or over :data:`MAX_ID_CHARS` long.
    A memory drops such a sender on loading, and counts a send to such a recipient as
    one without a recipient, rather than refuse a whole file it wrote itself."""
    return isinstance(value, str) and (not value or len(value) > MAX_ID_CHARS)


def check_cluster(
    path: str, value: object
) -> tuple[str, int, float, float, int, list[tuple[str, float]]] | None:
    """A saved cluster's fields: text, count, first_seen, last_seen, anonymous, recipients;
    None for a cluster of a text longer than a masked view holds, which older autodm kept
    and a memory now drops.

    ``path`` says where the cluster is (``senders['bot'][0]``). Besides each field, checks
    what every save holds: first_seen is not after last_seen, and the count covers the
    sends without a recipient plus one a listed recipient.
    """
    if not isinstance(value, dict):
        raise Malformed(
            f"`{path}` must be a JSON object (a cluster). Got {describe(value)} instead."
        )
    missing = [name for name in _CLUSTER_FIELDS if name not in value]
    if missing:
        raise Malformed(
            f"`{path}` lacks {', '.join(missing)}; a cluster has {', '.join(_CLUSTER_FIELDS)}."
        )
    text = value["text"]
    if not isinstance(text, str):
        raise Malformed(f"`{path}.text` must be a str. Got {describe(text)} instead.")
    count = _count(f"`{path}.count`", value["count"], 1)
    first_seen = _time(f"`{path}.first_seen`", value["first_seen"])
    last_seen = _time(f"`{path}.last_seen`", value["last_seen"])
    if first_seen > last_seen:
        raise Malformed(
            f"`{path}.first_seen` must not be later than its `last_seen`. Got {first_seen!r} "
            f"and {last_seen!r} instead."
        )
    anonymous = _count(f"`{path}.anonymous`", value["anonymous"], 0)
    pairs = value["recipients"]
    if not isinstance(pairs, list):
        raise Malformed(
            f"`{path}.recipients` must be a list of [id, time] pairs. "
            f"Got {describe(pairs)} instead."
        )
    recipients = []
    for i, pair in enumerate(pairs):
        at = f"{path}.recipients[{i}]"
        if not isinstance(pair, list) or len(pair) != 2:
            raise Malformed(f"`{at}` must be an [id, time] pair. Got {describe(pair)} instead.")
        seen = _time(f"`{at}[1]`", pair[1])
        if outgrown_id(pair[0]):
            anonymous += 1  # the count already holds this send
            continue
        recipients.append((check_id(f"`{at}[0]`", pair[0]), seen))
    listed = len(dict(recipients))
    if count < anonymous + listed:
        raise Malformed(
            f"`{path}.count` must be at least its sends without a recipient plus one a listed "
            f"recipient ({anonymous} + {listed}). Got {count} instead."
        )
    if len(text) > MAX_MASKED_CHARS:  # each later look-up would compare with it
        return None
    return _encodable(f"`{path}.text`", text), count, first_seen, last_seen, anonymous, recipients


def quoted(value: str) -> str:
    """A sender id as it appears in an error message: quoted, cut short."""
    return reprlib.repr(value)


def _encodable(where: str, text: str) -> str:
    # Lone surrogates (which JSON escapes can spell) would make every later save fail.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise Malformed(f"{where} holds lone surrogate code points, which are not text.") from None
    return text
