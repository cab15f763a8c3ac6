"""Value types of the public API: Context, Signal, Reason and Verdict."""

from __future__ import annotations

import math
import numbers
import re
from collections import deque
from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, Final, Literal, Never, TypeGuard

import numpy as np

from ._text import MAX_CHARS, check_unicode
from .errors import InvalidInputError, describe

__all__ = ["Context", "Label", "Reason", "Signal", "Verdict", "as_context"]

Label = Literal["automated", "human"]

#: The most history messages a Context keeps (the most recent ones); bounds work per message.
MAX_HISTORY: Final = 1000
#: The most characters of history a Context keeps, each message counted up to the
#: :data:`MAX_CHARS` that is read of it: the most recent messages that fit. All 1,000 of
#: 131 characters (a DM's usual length) fit; 32 at the longest. Each history message is
#: read, masked and compared with the message, so a history of 1,000 long messages would
#: take seconds to score, for no better evidence.
MAX_HISTORY_CHARS: Final = 1 << 17
#: The longest id, in characters: platforms' ids, handles and e-mail addresses are far
#: shorter, and a memory keeps up to millions of them.
MAX_ID_CHARS: Final = 1024
#: The largest epoch-seconds value a time may be, either side of 1970: the end of the year
#: 9999 in any time zone (a day past it in UTC), the last a datetime can hold, so every time
#: a datetime gives is also accepted as a number. Epoch milliseconds of any date since 1978
#: are larger, so a time given in milliseconds is refused instead of being read as a date
#: thousands of years away (which would turn the timing evidence around).
MAX_EPOCH_SECONDS: Final = 253_402_387_200.0

#: A calendar date (extended or basic form) and the character that follows it; not a
#: decimal mark after eight digits, which is a number ("17000000.5"), not a date.
_DATE_THEN: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}([^0-9])|[0-9]{8}([^0-9.,])")


def _epoch(name: str, value: object) -> float | None:
    """Convert an aware datetime, ISO-8601 string with offset, or epoch seconds to epoch seconds."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise InvalidInputError(
            f"`{name}` must be a timezone-aware datetime, an ISO-8601 string with a UTC offset "
            f"or epoch seconds. Got {describe(value)} instead."
        )
    if isinstance(value, numbers.Real):  # int, float and numpy scalars alike
        try:
            seconds = float(value)
        except OverflowError:
            raise InvalidInputError(
                f"`{name}` must be epoch seconds within the range of a float. "
                f"Got {describe(value)} instead."
            ) from None
        if not math.isfinite(seconds):
            raise InvalidInputError(
                f"`{name}` must be finite epoch seconds. Got {value!r} instead."
            )
        if abs(seconds) > MAX_EPOCH_SECONDS:
            raise InvalidInputError(
                f"`{name}` must be epoch seconds, at most {MAX_EPOCH_SECONDS:.0f} either side "
                f"of 1970 (the year 9999). Got {value!r}, which looks like milliseconds or "
                f"finer, as JavaScript and many platform APIs give them: divide by 1000 (or "
                f"1e6) first."
            )
        return seconds
    if isinstance(value, str):
        text = value.strip().upper()  # RFC 3339 allows "t" and "z" in lower case
        glued = _DATE_THEN.match(text)
        after = glued.lastindex if glued else None
        if glued and after and glued.group(after) not in ("T", " "):
            # datetime.fromisoformat takes any character between the date and the time,
            # so "2026-03-02+05:30" would be 05:30 on that day, with no zone.
            raise InvalidInputError(
                f"`{name}` must have 'T' (or a space) between its date and its time of day, as "
                f"in '2026-03-02T10:15:04+05:30'; a date alone has no UTC offset. Got "
                f"{describe(value)}, whose {value.strip()[glued.start(after)]!r} after the date "
                "would read what follows as a time."
            )
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            parsed = None
        if parsed is None or parsed.utcoffset() is None:
            raise InvalidInputError(
                f"`{name}` must be an ISO-8601 timestamp with a UTC offset such as "
                f"'2026-03-02T10:15:04+00:00' (or 'Z' for UTC). Got {describe(value)}"
                + (" instead." if parsed is None else ", which has none.")
            )
        value = parsed
    if isinstance(value, datetime):
        if value != value:  # pandas' NaT, the one datetime unequal to itself
            raise InvalidInputError(
                f"`{name}` is NaT, which is no time; leave the key out (or pass None) for a "
                "message without one."
            )
        if value.tzinfo is None or value.utcoffset() is None:
            raise InvalidInputError(
                f"`{name}` must be timezone-aware (naive datetimes are ambiguous); attach a "
                f"zone, e.g. value.replace(tzinfo=datetime.timezone.utc). Got naive {value!r}."
            )
        return value.timestamp()
    raise InvalidInputError(
        f"`{name}` must be a timezone-aware datetime, an ISO-8601 string with a UTC offset or "
        f"epoch seconds. Got {describe(value)} instead."
    )


def blank(identifier: str | None) -> bool:
    """True for an id that names no one: None, "" or only whitespace (what
    ``event.get("sender_id", "")`` or a padded empty cell gives)."""
    return identifier is None or not identifier.strip()


def absent(value: object) -> bool:
    """True for None, NaN (of any float type), NaT (pandas' or numpy's) and pd.NA: a table
    cell with nothing in it."""
    if value is None:
        return True
    if is_real(value):
        return value != value  # NaN alone is unequal to itself
    if isinstance(value, np.datetime64 | np.timedelta64):
        return bool(np.isnat(value))
    return type(value).__name__ in ("NAType", "NaTType")


def ordered_digits(probability: float, threshold: float, digits: int) -> int | None:
    """The decimals, ``digits`` to 17, at which ``probability`` and ``threshold`` round to
    numbers in the order of the verdict's label (at or above for automated, below for
    human): rounded alike, 0.99999996 against a threshold of 1 would read as automated.
    None when no such rounding does (a threshold of 1e-150): write them unrounded."""
    automated = probability >= threshold
    while (round(probability, digits) >= round(threshold, digits)) != automated:
        if digits == 17:
            return None
        digits += 1
    return digits


def shown(probability: float, threshold: float, digits: int = 3) -> tuple[str, str]:
    """``probability`` and ``threshold`` written for a person, with as many decimals as
    :func:`ordered_digits` needs (``digits`` or more) so that they read in the label's order."""
    places = ordered_digits(probability, threshold, digits)
    if places is None:
        return repr(probability), repr(threshold)
    return f"{probability:.{places}f}", f"{threshold:.{places}f}"


def is_real(value: object) -> TypeGuard[numbers.Real]:
    """Whether ``value`` is a real number: an int, a float, a numpy scalar or any other
    :class:`numbers.Real`, but not a bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def finite_float(value: object) -> float | None:
    """``value`` as a plain float if it is a finite real number (see :func:`is_real`), else
    None; an int too large for a float is not one."""
    if not is_real(value):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def whole_number(value: object) -> int | None:
    """``value`` as a plain int if it is an integer (an int, a numpy integer or any other
    :class:`numbers.Integral`, but not a bool), else None."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        return None
    return int(value)


#: A float holds every int below this exactly and alone; from it on, neighbours share a
#: float (2**53 + 1 is stored as 2**53), so an id may have been rounded.
_EXACT_FLOAT_INTS: Final = 2**53


def _identifier(name: str, value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        # An int id as JSON or pandas may hand it out: pandas stores an int column with gaps
        # as floats, and writes them so ("12345.0") to JSON and CSV.
        if abs(value) >= _EXACT_FLOAT_INTS:
            raise InvalidInputError(
                f"`{name}` is the float {value!r}, too large to hold an id exactly: pandas "
                "stores an int column with gaps as floats, which round ids from 2**53 (64-bit "
                "platform ids) onto their neighbours'. Keep ids as int or str: read such a "
                f"column as Int64 or str when loading it (dtype={{{name!r}: 'Int64'}} for "
                "read_csv); converting the floats afterwards keeps the rounding."
            )
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, str | numbers.Integral):
        raise InvalidInputError(f"`{name}` must be a str or int id. Got {describe(value)} instead.")
    if isinstance(value, str):
        if len(value) > MAX_ID_CHARS:
            raise InvalidInputError(
                f"`{name}` must be an id of at most {MAX_ID_CHARS:,} characters. "
                f"Got a str of {len(value):,}."
            )
        return check_unicode(str(value), name)  # numpy's str_ stored as a plain str
    try:
        text = str(int(value))
    except ValueError:  # more digits than Python converts to str
        text = ""
    if not text or len(text) > MAX_ID_CHARS:
        raise InvalidInputError(
            f"`{name}` must be a str or int id of at most {MAX_ID_CHARS:,} characters or "
            f"digits. Got {describe(value)} instead."
        )
    return text


def _flag(name: str, value: object) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, np.bool_):  # what a pandas or numpy boolean column holds
        return bool(value)
    # 1 and 0 as a spreadsheet or a pandas int column holds them (1.0 and 0.0 in a float
    # column with gaps), as the command line reads "1" and "0".
    if isinstance(value, numbers.Real) and value in (0, 1):
        return bool(value)
    raise InvalidInputError(
        f"`{name}` must be True, False, 1, 0 or None. Got {describe(value)} instead."
    )


def ordered(values: object, name: str, what: str) -> Iterable[Any]:
    """``values`` if it is an ordered iterable of ``what``, else an InvalidInputError.

    A str or bytes would be read letter by letter, a mapping by its keys, and a set in an
    order that matches nothing else, so each is refused.
    """
    # A 0-d numpy array is an Iterable to isinstance, but iterating it raises TypeError.
    if (
        isinstance(values, str | bytes | bytearray | Mapping | Set)
        or not isinstance(values, Iterable)
        or getattr(values, "ndim", None) == 0
    ):
        raise InvalidInputError(
            f"`{name}` must be an ordered iterable of {what} (a list, a tuple, a generator, an "
            f"array), not a str, a mapping or a set. Got {describe(values)} instead."
        )
    return values


def _history(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    items = ordered(value, "sender_history", "str, oldest first")
    # Only the last MAX_HISTORY are kept. Of a list or tuple only they are read and checked,
    # so a list of millions costs what its last 1,000 do; a generator is read (and checked)
    # whole, as it must be to reach its end, in bounded memory.
    if isinstance(items, list | tuple):
        first = max(len(items) - MAX_HISTORY, 0)
        window: Iterable[tuple[int, Any]] = enumerate(items[first:], first)
    else:
        window = enumerate(items)
    kept: deque[str] = deque(maxlen=MAX_HISTORY)
    for i, item in window:
        if not isinstance(item, str):
            raise InvalidInputError(
                f"every item of `sender_history` must be a str; `sender_history[{i}]` is "
                f"{describe(item)}."
            )
        check_unicode(item[:MAX_CHARS], f"sender_history[{i}]")  # what is read of it
        kept.append(str(item))  # numpy's str_ (from an array) as a plain str
    budget, first = MAX_HISTORY_CHARS, len(kept)
    while first and (budget := budget - min(len(kept[first - 1]), MAX_CHARS)) >= 0:
        first -= 1
    return tuple(kept)[first:]


TimeLike = datetime | str | float | int | None


@dataclass(frozen=True, slots=True, init=False)
class Context:
    """What is known about a message besides its text. Every field is optional.

    Parameters
    ----------
    sender_id, recipient_id : str or int, optional
        Platform ids; ints are stored as str.
    sent_at, followed_at : datetime, str or float, optional
        When the DM was sent and when the recipient followed the sender: a
        timezone-aware ``datetime``, an ISO-8601 string with a UTC offset, or
        epoch seconds. Stored as epoch seconds (float). Naive datetimes raise
        :class:`~autodm.InvalidInputError`.
    sender_history : ordered iterable of str, optional
        The same sender's recent messages to other people, oldest first (not a set or a
        mapping). Only the most recent are kept: the last 1,000, and of those the last
        that hold 131,072 characters together (each counted up to the 4,096 that are read
        of a message). Of a list or tuple, only the last 1,000 are read or checked.
    platform : str, optional
        Free text such as ``"twitter"`` or ``"instagram"``; informative only.
    first_message : bool, optional
        True when this is the sender's first message to the recipient; False when
        they have written to each other before.
    recipient_wrote_first : bool, optional
        True when the recipient had written to the sender before this message (the
        message is a reply); auto-DMs fire on follows, rarely as replies.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> ctx = Context(followed_at=0, sent_at=datetime(1970, 1, 1, 0, 0, 5, tzinfo=timezone.utc))
    >>> ctx.sent_at - ctx.followed_at
    5.0
    """

    sender_id: str | None
    recipient_id: str | None
    sent_at: float | None
    followed_at: float | None
    sender_history: tuple[str, ...]
    platform: str | None
    first_message: bool | None
    recipient_wrote_first: bool | None

    def __init__(
        self,
        *positional: Never,
        sender_id: str | int | None = None,
        recipient_id: str | int | None = None,
        sent_at: TimeLike = None,
        followed_at: TimeLike = None,
        sender_history: Iterable[str] | None = None,
        platform: str | None = None,
        first_message: bool | None = None,
        recipient_wrote_first: bool | None = None,
        **unknown: Never,
    ) -> None:
        # Caught here rather than by Python's own TypeError, so that every mistake in a
        # context is an InvalidInputError that lists the accepted keys.
        if unknown:
            raise InvalidInputError(_unknown_keys(unknown))
        if positional:
            raise InvalidInputError(
                f"`Context` takes keyword arguments only, with keys {sorted(CONTEXT_KEYS)}. "
                f"Got {len(positional)} positional argument(s) instead."
            )
        if platform is not None and not isinstance(platform, str):
            raise InvalidInputError(
                f"`platform` must be a str such as 'twitter'. Got {describe(platform)} instead."
            )
        set_ = object.__setattr__
        set_(self, "sender_id", _identifier("sender_id", sender_id))
        set_(self, "recipient_id", _identifier("recipient_id", recipient_id))
        set_(self, "sent_at", _epoch("sent_at", sent_at))
        set_(self, "followed_at", _epoch("followed_at", followed_at))
        set_(self, "sender_history", _history(sender_history))
        set_(
            self, "platform", None if platform is None else check_unicode(str(platform), "platform")
        )
        set_(self, "first_message", _flag("first_message", first_message))
        set_(self, "recipient_wrote_first", _flag("recipient_wrote_first", recipient_wrote_first))


CONTEXT_KEYS: Final = tuple(f.name for f in fields(Context))


def _squeezed(name: str) -> str:
    return "".join(ch for ch in name.casefold() if ch.isalnum())


_SQUEEZED_KEYS: Final = {_squeezed(key): key for key in CONTEXT_KEYS}
#: The longest name taken for a context key spelt otherwise: a longer one is no spelling
#: of a key, and is not worth quoting back (a field name can be a megabyte long).
_MAX_KEY_SPELLING: Final = 64


def misspelt_context_keys(names: Iterable[object]) -> dict[str, str]:
    """The names among ``names`` that spell a context key in another case or with other
    separators ("Sent_At", "sent-at", "sentAt"), each with the key it spells: a column or
    field so named is not read, and a caller says so rather than drop it in silence.

    Examples
    --------
    >>> misspelt_context_keys(["text", "Sent_At", "followedAt", "sent_at", "note"])
    {'Sent_At': 'sent_at', 'followedAt': 'followed_at'}
    """
    return {
        name: key
        for name in names
        if isinstance(name, str)
        and len(name) <= _MAX_KEY_SPELLING
        and name not in CONTEXT_KEYS
        and (key := _SQUEEZED_KEYS.get(_squeezed(name))) is not None
    }


_EMPTY_CONTEXT: Final = Context()


def _unknown_keys(keys: Iterable[object]) -> str:
    # Named safely and boundedly: a key may be an int too long to print, a megabyte of
    # text, or one of a million.
    unknown = sorted(
        (k if len(k) <= 60 else k[:57] + "...") if isinstance(k, str) else describe(k)
        for k in keys
        if k not in CONTEXT_KEYS
    )
    named = f"{unknown[:10]}" + (f" and {len(unknown) - 10:,} more" if len(unknown) > 10 else "")
    return f"unknown context key(s) {named}; accepted keys are {sorted(CONTEXT_KEYS)}."


def as_context(context: Context | Mapping[str, Any] | None) -> Context:
    """Return ``context`` as a :class:`Context`, validating a plain mapping's keys."""
    if context is None:
        return _EMPTY_CONTEXT
    if isinstance(context, Context):
        return context
    if isinstance(context, Mapping):
        if any(k not in CONTEXT_KEYS for k in context):
            raise InvalidInputError(_unknown_keys(context))
        return Context(**context)
    raise InvalidInputError(
        "`context` must be an autodm.Context, a mapping with keys "
        f"{sorted(CONTEXT_KEYS)}, or None. Got {describe(context)} instead."
    )


@dataclass(frozen=True, slots=True)
class Signal:
    """One named piece of evidence from an extractor.

    ``value`` is a finite float (counts, ratios, similarities in 0..1, or 0/1
    flags), or None where the signal does not apply (timing without a follow
    time); ``evidence`` says in words what was seen, for reasons and debugging.
    """

    value: float | None
    evidence: str = ""


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason behind a verdict.

    ``code`` is a stable snake_case identifier, ``message`` a sentence for a person,
    and ``weight`` the signed contribution to the log-odds of "automated"
    (positive pushes towards automated, negative towards human).
    """

    code: str
    message: str
    weight: float

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled as a constructor call: about half the time of the default slots state,
        # and classify_many(n_jobs=...) sends every verdict back from its workers.
        return (Reason, (self.code, self.message, self.weight))


@dataclass(frozen=True, slots=True, kw_only=True)
class Verdict:
    """The result of classifying one message.

    Attributes
    ----------
    label : {"automated", "human"}
        ``"automated"`` when ``probability >= threshold``.
    probability : float
        P(automated) in [0, 1].
    threshold : float
        The decision threshold that produced ``label``.
    reasons : tuple of Reason
        Strongest first, by absolute weight.
    template : str or None
        Id of the best-matching template of the bank when it is close, else None.
    flags : tuple of str
        What the text layer had to undo or skip, e.g. ``"zero_width"``,
        ``"confusables"``, ``"truncated"``.
    """

    label: Label
    probability: float
    threshold: float
    reasons: tuple[Reason, ...] = ()
    template: str | None = None
    flags: tuple[str, ...] = field(default=())

    @property
    def is_automated(self) -> bool:
        """True when the label is ``"automated"``."""
        return self.label == "automated"

    def _repr_html_(self) -> str:
        """A small self-contained HTML table for notebooks: the label, the probability and
        each reason with its signed weight drawn as a bar (red towards automated, blue
        towards human). Every piece of text is escaped."""
        from ._display import verdict_html

        return verdict_html(self)

    def __reduce__(self) -> tuple[Any, ...]:
        # As Reason: a constructor call, not the slots state (see Reason.__reduce__).
        fields = (self.label, self.probability, self.threshold)
        return (_verdict, (*fields, self.reasons, self.template, self.flags))

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict (new objects; mutating it does not touch the verdict)."""
        digits = ordered_digits(self.probability, self.threshold, 6)
        return {
            "label": self.label,
            "probability": self.probability if digits is None else round(self.probability, digits),
            "is_automated": self.is_automated,
            "threshold": self.threshold if digits is None else round(self.threshold, digits),
            "template": self.template,
            "flags": list(self.flags),
            "reasons": [
                {"code": r.code, "message": r.message, "weight": round(r.weight, 4)}
                for r in self.reasons
            ],
        }


def _verdict(
    label: Label,
    probability: float,
    threshold: float,
    reasons: tuple[Reason, ...],
    template: str | None,
    flags: tuple[str, ...],
) -> Verdict:
    """Rebuild a pickled :class:`Verdict` (its fields are keyword-only)."""
    return Verdict(
        label=label,
        probability=probability,
        threshold=threshold,
        reasons=reasons,
        template=template,
        flags=flags,
    )
