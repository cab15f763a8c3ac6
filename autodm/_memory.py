"""SenderMemory: a bounded, thread-safe memory of what each sender sent recently.

Messages are masked by the text layer (names, handles, links, numbers) and grouped,
per sender, into clusters of near-duplicates. A cluster keeps one representative
text, how often it was sent, and the distinct recipients who got it, so a bot's
10,000 sends of one template cost one cluster. A text shorter than 25 masked
characters ("thanks!") is never compared, so it is not kept either: it cannot push a
template's cluster out, and it neither counts as seeing its sender nor expires that
sender's clusters. Every limit holds whatever a sender sends:

* at most ``max_senders`` senders (least recently seen, by their last kept send,
  evicted first);
* at most ``max_clusters_per_sender`` clusters a sender (least recently used evicted);
* at most ``max_recipients`` recipient ids kept a cluster (counts go on past it);
* clusters not seen for ``ttl`` seconds are dropped; a send is compared only with
  clusters whose sends come within ``ttl`` of it, before or after, and one already
  expired by the memory's time (a late send of long ago) is counted in such a cluster
  or not kept.

Time is the memory's own: the send times it observes. A sender's clusters expire when
that sender's next kept send is observed, by its time (``recall`` only leaves them out);
``save``, ``load`` and ``clusters()`` expire every sender's by the latest send time
observed (or the current time, if that is earlier: one send dated in the future must not
expire everyone else), so an expired text is never written to disk; ``len()`` drops
expired senders from the least recently seen end, which costs O(1) a call on average.

A query compares the message with the sender's clusters only: O(clusters), never
O(messages).
"""

from __future__ import annotations

import json
import math
import numbers
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final

from rapidfuzz import fuzz, process

from ._files import replace_atomically, writable_path
from ._memory_file import (
    FORMAT,
    VERSION,
    Malformed,
    check_cluster,
    check_id,
    check_latest,
    outgrown_id,
    quoted,
    read_payload,
)
from ._text import MAX_MASKED_CHARS, check_unicode, view
from ._types import _epoch, _identifier, blank, finite_float, whole_number
from .errors import InvalidInputError, describe
from .extractors.template import DUPLICATE_SIMILARITY, MIN_DUPLICATE_CHARS

__all__ = ["Recall", "SenderMemory"]


@dataclass(slots=True)
class _Cluster:
    text: str
    count: int
    first_seen: float
    last_seen: float
    recipients: OrderedDict[str, float] = field(default_factory=OrderedDict)
    anonymous: int = 0  # sends without a recipient id


@dataclass(frozen=True, slots=True)
class Recall:
    """What the memory knew about a text before it was observed.

    ``other_recipients`` is how many distinct recipients other than this one got a
    near-duplicate of the text (sends without a recipient id count one each);
    ``sends`` is the cluster's total sends; ``since`` and ``until`` are the times of
    its earliest and latest sends (epoch seconds), or None when the text is new.
    Sends observed out of time order can make ``until`` later than the message asked
    about. ``at_least`` is True when the cluster keeps as many recipient ids as the
    memory's ``max_recipients``: older ones may have been let go, so ``other_recipients``
    is a lower bound.
    """

    other_recipients: int
    sends: int
    since: float | None
    until: float | None = None
    at_least: bool = False


_NOTHING: Final = Recall(0, 0, None)
_LIMITS: Final = frozenset({"max_senders", "max_clusters_per_sender", "max_recipients", "ttl"})


def _positive_int(name: str, value: object) -> int:
    number = whole_number(value)
    if number is None or number < 1:
        raise InvalidInputError(f"`{name}` must be a positive int. Got {describe(value)} instead.")
    return number


class SenderMemory:
    """Remembers each sender's recent messages as near-duplicate clusters.

    Parameters
    ----------
    max_senders : int, default 100_000
    max_clusters_per_sender : int, default 32
    max_recipients : int, default 1_000
        Recipient ids kept a cluster; the count of distinct recipients stops
        growing there (it is a lower bound past it).
    ttl : float, default 7 days
        Seconds after which an unused cluster is forgotten. A send matches only clusters
        whose sends come within ``ttl`` of it, either way (a backlog replayed late).

    Use it through ``Detector(memory=SenderMemory())``: every classified message
    that has a ``sender_id`` is recalled, then remembered (if long enough to be
    compared: 25 masked characters). Verdicts therefore
    depend on the order messages arrive in: the 20th copy of a template is
    flagged with a recipient-count reason, the 1st is judged on its text alone.
    With many threads the order is whatever order the threads reach the memory.
    A copy or pickle is a snapshot, a memory of its own; :meth:`save` is the format for disk.

    Examples
    --------
    >>> memory = SenderMemory()
    >>> for name in ["Sam", "Priya", "Kenji"]:
    ...     _ = memory.observe("bot1", f"Hi {name}! Thanks for the follow, grab my e-book", name)
    >>> recall = memory.recall("bot1", "Hi Olu! Thanks for the follow, grab my e-book", "Olu")
    >>> recall.other_recipients
    3
    """

    def __init__(
        self,
        *,
        max_senders: int = 100_000,
        max_clusters_per_sender: int = 32,
        max_recipients: int = 1_000,
        ttl: float = 7 * 86400.0,
    ) -> None:
        self.max_senders = _positive_int("max_senders", max_senders)
        self.max_clusters_per_sender = _positive_int(
            "max_clusters_per_sender", max_clusters_per_sender
        )
        self.max_recipients = _positive_int("max_recipients", max_recipients)
        seconds = finite_float(ttl)
        if seconds is None or not seconds > 0:
            raise InvalidInputError(
                f"`ttl` must be positive, finite seconds. Got {describe(ttl)} instead."
            )
        self.ttl = seconds
        self._senders: OrderedDict[str, list[_Cluster]] = OrderedDict()
        self._latest = -math.inf  # the latest send time observed
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        """A snapshot, copied under the lock: a pickle or ``copy.copy`` of the memory is a
        memory of its own, which later sends to the original do not reach."""
        with self._lock:
            senders = OrderedDict(
                (sender, [replace(c, recipients=OrderedDict(c.recipients)) for c in clusters])
                for sender, clusters in self._senders.items()
            )
            return {**self.__dict__, "_senders": senders, "_lock": None}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def __len__(self) -> int:
        """Number of senders remembered.

        Senders whose clusters have all expired are dropped from the least recently
        seen end first, so the count is exact when sends arrive in time order (and
        after :meth:`clusters`, :meth:`save` or :meth:`load` whatever their order).
        """
        with self._lock:
            self._expire_oldest()
            return len(self._senders)

    def __repr__(self) -> str:
        with self._lock:  # another thread may be adding a sender
            self._expire_all()
            senders = len(self._senders)
            clusters = sum(len(c) for c in self._senders.values())
        return f"SenderMemory(senders={senders}, clusters={clusters})"

    def clusters(self) -> int:
        """Number of clusters held, over all senders, once every expired one is dropped."""
        with self._lock:
            self._expire_all()
            return sum(len(c) for c in self._senders.values())

    def _now(self) -> float:
        """The memory's time: the latest send observed, or now if that is earlier."""
        return min(self._latest, time.time())

    def _expire_all(self) -> None:
        """Drop every cluster expired by :meth:`_now`, and the senders left with none.
        O(clusters held)."""
        now, ttl = self._now(), self.ttl
        emptied = []
        for key, clusters in self._senders.items():
            for cluster in clusters:
                if now - cluster.last_seen > ttl:
                    self._expire(clusters, now)
                    break
            if not clusters:
                emptied.append(key)
        for key in emptied:
            del self._senders[key]

    def _expire_oldest(self) -> None:
        """Drop senders from the least recently seen end while all their clusters have
        expired by :meth:`_now`. Each sender is dropped once: O(1) a call on average."""
        now = self._now()
        while self._senders:
            key, clusters = next(iter(self._senders.items()))
            self._expire(clusters, now)
            if clusters:
                return
            del self._senders[key]

    @staticmethod
    def _key(sender_id: object, name: str = "sender_id") -> str:
        if (
            isinstance(sender_id, bool)
            or not isinstance(sender_id, str | numbers.Integral)
            or (isinstance(sender_id, str) and blank(sender_id))
        ):
            raise InvalidInputError(
                f"`{name}` must be a non-empty str (not only whitespace) or an int. Got "
                f"{describe(sender_id)} instead."
            )
        key = _identifier(name, sender_id)
        assert key is not None
        return key

    def _arguments(
        self, sender_id: object, text: object, recipient_id: object, at: object
    ) -> tuple[str, str, str | None, float]:
        """Validate the public methods' arguments: (sender key, masked text, recipient, time)."""
        key = self._key(sender_id)
        masked = view(text).masked
        recipient = None if recipient_id is None else self._key(recipient_id, "recipient_id")
        seconds = _epoch("at", at)
        return key, masked, recipient, time.time() if seconds is None else seconds

    def _match(self, clusters: list[_Cluster], masked: str, now: float) -> int | None:
        """The index of the cluster ``masked`` falls in among those within ``ttl`` of
        ``now`` either way: a late send of long ago is no copy of a cluster whose sends all
        came months after it, as a send is none of one whose sends ended months before."""
        if not clusters or len(masked) < MIN_DUPLICATE_CHARS:
            return None
        ttl = self.ttl
        reach = {
            i: c.text
            for i, c in enumerate(clusters)
            if now - c.last_seen <= ttl and c.first_seen - now <= ttl
        }
        found = process.extractOne(
            masked, reach, scorer=fuzz.ratio, score_cutoff=DUPLICATE_SIMILARITY * 100
        )
        return None if found is None else int(found[2])

    def _expire(self, clusters: list[_Cluster], now: float) -> None:
        clusters[:] = [c for c in clusters if now - c.last_seen <= self.ttl]

    def _summary(self, cluster: _Cluster, recipient: str | None) -> Recall:
        others = len(cluster.recipients) - (recipient in cluster.recipients) + cluster.anonymous
        full = len(cluster.recipients) >= self.max_recipients
        return Recall(others, cluster.count, cluster.first_seen, cluster.last_seen, full)

    def recall(
        self,
        sender_id: str | int,
        text: str,
        recipient_id: str | int | None = None,
        at: object = None,
    ) -> Recall:
        """What the memory holds about ``text`` from ``sender_id``, without remembering it.

        Only clusters whose sends come within ``ttl`` of ``at`` (now by default), before or
        after it, are matched; the others are not forgotten: a look-up changes nothing, so
        a look-up without ``at`` in a memory of past sends (a backlog replayed with their
        times) loses none of them.
        """
        key, masked, recipient, now = self._arguments(sender_id, text, recipient_id, at)
        with self._lock:
            clusters = self._senders.get(key)
            if clusters is None:
                return _NOTHING
            index = self._match(clusters, masked, now)
            return _NOTHING if index is None else self._summary(clusters[index], recipient)

    def observe(
        self,
        sender_id: str | int,
        text: str,
        recipient_id: str | int | None = None,
        at: object = None,
    ) -> Recall:
        """Remember that ``sender_id`` sent ``text`` (to ``recipient_id``, at ``at``).

        Returns what the memory held before this observation, as :meth:`recall` would.
        ``at`` is a timezone-aware datetime, an ISO-8601 string with offset, or epoch
        seconds; now by default.
        """
        checked = self._arguments(sender_id, text, recipient_id, at)  # masking needs no lock
        with self._lock:
            return self._observe(*checked)

    def _observe(self, key: str, masked: str, recipient: str | None, now: float) -> Recall:
        if now > self._latest:
            self._latest = now
        if len(masked) < MIN_DUPLICATE_CHARS:
            # Too short to match anything, so it is not kept: a cluster of it could only
            # push out a template's cluster ("thanks!" 32 times evicted a bot's).
            return _NOTHING
        clusters = self._senders.get(key)
        if now < self._now() - self.ttl and (
            clusters is None or self._match(clusters, masked, now) is None
        ):
            # Expired by the memory's time already (a late send of long ago) and a copy of
            # none of the sender's clusters: a cluster of it could only push out a live one
            # (or a live sender), and a save would drop it.
            return _NOTHING
        if clusters is None:
            clusters = self._senders[key] = []
            while len(self._senders) > self.max_senders:
                self._senders.popitem(last=False)
        else:
            self._senders.move_to_end(key)
            self._expire(clusters, now)
        index = self._match(clusters, masked, now)
        if index is None:
            before = _NOTHING
            cluster = _Cluster(masked, 0, now, now)
            clusters.append(cluster)
            if len(clusters) > self.max_clusters_per_sender:
                # Least recently used first: clusters are kept in order of last use.
                del clusters[0]
        else:
            cluster = clusters.pop(index)
            before = self._summary(cluster, recipient)
            clusters.append(cluster)
        cluster.count += 1
        # Sends may be observed out of time order (a backlog, a late webhook).
        cluster.first_seen = min(cluster.first_seen, now)
        cluster.last_seen = max(cluster.last_seen, now)
        if recipient is None:
            cluster.anonymous += 1
        else:
            cluster.recipients[recipient] = now
            cluster.recipients.move_to_end(recipient)
            if len(cluster.recipients) > self.max_recipients:
                cluster.recipients.popitem(last=False)
        return before

    def remember_masked(
        self, sender_id: str, masked: str, recipient_id: str | None, at: float | None
    ) -> Recall:
        """:meth:`observe` for a text the caller has already masked; its ids and time are
        checked as :meth:`observe` checks them, and the text for lone surrogates, since
        one kept here would make every later save fail."""
        key = self._key(sender_id)
        if not isinstance(masked, str):
            raise InvalidInputError(f"`masked` must be a str. Got {describe(masked)} instead.")
        if len(masked) > MAX_MASKED_CHARS:  # each later look-up compares with it
            raise InvalidInputError(
                f"`masked` must be at most {MAX_MASKED_CHARS:,} characters, the most a masked "
                f"view of a message holds. Got {len(masked):,}."
            )
        return self._remember(
            key,
            check_unicode(masked, "masked"),
            None if recipient_id is None else self._key(recipient_id, "recipient_id"),
            _epoch("at", at),
        )

    def _remember(
        self, sender_id: str, masked: str, recipient_id: str | None, at: float | None
    ) -> Recall:
        """:meth:`remember_masked` for values already checked: a detector's view of a
        message and the ids and time of its :class:`Context`."""
        now = time.time() if at is None else at
        with self._lock:
            return self._observe(sender_id, masked, recipient_id, now)

    def _items(self) -> Iterator[tuple[str, list[_Cluster]]]:
        return iter(list(self._senders.items()))

    def save(self, path: str | Path) -> Path:
        """Write the memory as JSON (never pickle), so a bot survives a restart.

        Clusters expired by the memory's time (the latest send it observed, or now if
        that is earlier) are dropped first, here and from the file, and so are senders
        left without any: an expired text is never written. Missing parent folders are
        created. Raises :class:`InvalidInputError` when ``path`` is not a str or Path,
        or is an existing folder or anything else but a regular file (a device, a named
        pipe, a loop of links); and the ``OSError`` when the system refuses the write (a
        full disk, no permission, a name too long), leaving the file that was there as it
        was.
        """
        target = writable_path(path, "path", "a file")
        if target.is_dir():
            raise InvalidInputError(
                f"`path` must name a file (new or existing); {str(target)!r} is a folder."
            )
        with self._lock:
            self._expire_all()
            payload = {
                "format": FORMAT,
                "version": VERSION,
                "limits": {
                    "max_senders": self.max_senders,
                    "max_clusters_per_sender": self.max_clusters_per_sender,
                    "max_recipients": self.max_recipients,
                    "ttl": self.ttl,
                },
                # The memory's clock: a later send may have been short, or evicted.
                "latest": self._latest if math.isfinite(self._latest) else None,
                "senders": {
                    key: [
                        {
                            "text": c.text,
                            "count": c.count,
                            "first_seen": c.first_seen,
                            "last_seen": c.last_seen,
                            "anonymous": c.anonymous,
                            "recipients": list(c.recipients.items()),
                        }
                        for c in clusters
                    ]
                    for key, clusters in self._items()
                },
            }
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        replace_atomically(target, data)  # a crash or a second saver never leaves half a file
        return target

    @classmethod
    def load(cls, path: str | Path) -> SenderMemory:
        """Read a memory written by :meth:`save`, validating every field.

        Clusters expired by the latest send time in the file (or now, if that is
        earlier) are dropped, as :meth:`save` drops them.

        Raises
        ------
        InvalidInputError
            If ``path`` is not a str or path; if the file cannot be read, or is not a
            SenderMemory JSON of a version this autodm reads; or if it holds a value
            :meth:`save` never writes (a count below one, a time that is not a number, a
            first send after the last, an empty id...), named by where it is.
        """
        payload = read_payload(path)
        try:
            return cls._restore(payload)
        except (Malformed, InvalidInputError) as error:
            raise InvalidInputError(f"sender memory {str(path)!r} is malformed: {error}") from None

    @classmethod
    def _restore(cls, payload: dict[str, object]) -> SenderMemory:
        """The memory a checked payload describes; Malformed for a value save never writes."""
        limits, senders = payload.get("limits"), payload.get("senders")
        if not isinstance(limits, dict) or not limits.keys() <= _LIMITS:
            raise Malformed(
                f"`limits` must be a JSON object with keys from {sorted(_LIMITS)}. "
                f"Got {describe(limits)} instead."
            )
        memory = cls(**limits)
        memory._latest = check_latest(payload.get("latest"))
        if not isinstance(senders, dict):
            raise Malformed(
                "`senders` must be a JSON object of sender ids to lists of clusters. "
                f"Got {describe(senders)} instead."
            )
        for sender, clusters in senders.items():
            if outgrown_id(sender):  # pooled unknown senders, or an id past the limit
                continue
            key = check_id("a key of `senders`", sender)
            path = f"senders[{quoted(key)}]"
            if not isinstance(clusters, list):
                raise Malformed(
                    f"`{path}` must be a list of clusters. Got {describe(clusters)} instead."
                )
            restored = []
            for i, saved in enumerate(clusters):
                fields = check_cluster(f"{path}[{i}]", saved)
                if fields is None:
                    continue
                text, count, first_seen, last_seen, anonymous, recipients = fields
                memory._latest = max(memory._latest, last_seen)
                if len(text) < MIN_DUPLICATE_CHARS:  # kept by an older autodm; never matched
                    continue
                restored.append(
                    _Cluster(
                        text=text,
                        count=count,
                        first_seen=first_seen,
                        last_seen=last_seen,
                        recipients=OrderedDict(recipients[-memory.max_recipients :]),
                        anonymous=anonymous,
                    )
                )
            if restored:
                memory._senders[key] = restored[-memory.max_clusters_per_sender :]
        memory._expire_all()  # a file saved by an older autodm may hold expired texts
        while len(memory._senders) > memory.max_senders:
            memory._senders.popitem(last=False)
        return memory
