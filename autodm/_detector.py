"""Detector, classify and classify_many: the front door."""

from __future__ import annotations

import os
import threading
import time
import warnings
from collections.abc import Iterable, Mapping, Sequence
from itertools import pairwise
from typing import Any, Final

from ._batches import ContextLike, _batch, _check_jobs, _checked
from ._bundle import Bundle, load_bundle
from ._featurizer import Featurizer
from ._memory import Recall, SenderMemory
from ._model import Scorer
from ._ngrams import batch_slices
from ._resources import data_digest
from ._sharing import Key, VerdictStore, distinct_messages
from ._text import MAX_CHARS, TextView, view
from ._types import Context, Signal, Verdict, as_context, blank, finite_float, is_real
from .errors import BundleError, DataDriftWarning, InvalidInputError, describe
from .extractors import Template
from .extractors.template import MIN_DUPLICATE_CHARS
from .extractors.timing import describe_delay

__all__ = ["Detector", "classify", "classify_many"]

#: Template similarity from which a verdict names the matched template.
TEMPLATE_MATCH: Final = 0.6
_PRESETS: Final = ("strict", "balanced", "lenient")
#: Smallest batch that classify_many splits over processes; smaller ones run serially,
#: since starting workers costs more than they save.
PARALLEL_MIN_BATCH: Final = 2000
#: Messages scored together in one pass of the vectorised path (bounds its memory).
BATCH: Final = 1024
#: Verdicts a detector keeps from its calls (classify, and classify_many of up to this many
#: messages) for messages without context, by what they read of a message (autodm._sharing):
#: a bot meets a campaign's message again and again, its names and numbers changed.
RECENT_VERDICTS: Final = 2048
#: Verdicts one classify_many call keeps for the messages of its later slices.
CALL_VERDICTS: Final = 16384


class Detector:
    """Classifies messages as automated or human with one model bundle.

    A detector's bundle, threshold and memory are fixed at construction, and it is
    safe to share across threads. It keeps the verdicts of up to 2,048 recent messages
    without context, from ``classify`` and from ``classify_many`` calls of up to 2,048
    messages (forgotten all at once when full), by what a verdict reads of them: a
    message that differs from one of them only in greeted names, handles, numbers of
    the same shape or link paths gets that verdict without being scored again (it is
    the verdict scoring would give).

    Parameters
    ----------
    bundle : Bundle, str or path object (``pathlib.Path``, any ``os.PathLike``), optional
        A loaded bundle, or the path of one; the bundled model by default.
    threshold : float or {"strict", "balanced", "lenient"}, optional
        Decision threshold on P(automated): a number in [0, 1], or a named
        operating point of the bundle. Defaults to the bundle's threshold.
    memory : SenderMemory, optional
        When given, every classified message with a ``sender_id`` that is not empty or
        blank is
        compared with what that sender sent other recipients before, then remembered
        (if at least 25 masked characters long);
        "the same text went to 37 other recipients" becomes evidence even when
        the caller passes no ``sender_history``. The memory is shared state:
        verdicts then depend on arrival order (see :class:`SenderMemory`).
    templates : iterable of Template or mapping, optional
        Template bank for :class:`~autodm.extractors.TemplateSimilarity`;
        the bundled bank by default.

    Raises
    ------
    InvalidInputError
        For a threshold out of range or an unknown preset.
    BundleError
        For a bundle path that cannot be loaded safely, or a bundle that reads
        features this autodm does not produce.

    Warns
    -----
    autodm.errors.DataDriftWarning
        For a bundle trained with other versions of the shipped lexicons, domain
        lists or (unless ``templates`` is given) template bank than this autodm's.

    Examples
    --------
    >>> detector = Detector(threshold="strict")
    >>> detector.classify("Thx 4 the follow!! Like my FB page: bit.ly/x1Ab").label
    'automated'
    """

    def __init__(
        self,
        bundle: Bundle | str | os.PathLike[str] | None = None,
        *,
        threshold: float | str | None = None,
        memory: SenderMemory | None = None,
        templates: Iterable[Template | Mapping[str, Any]] | None = None,
    ) -> None:
        if memory is not None and not isinstance(memory, SenderMemory):
            raise InvalidInputError(
                f"`memory` must be an autodm.SenderMemory or None. Got {describe(memory)} instead."
            )
        self._memory = memory
        self._bundle = bundle if isinstance(bundle, Bundle) else load_bundle(bundle)
        self._threshold = _resolve_threshold(self._bundle, threshold)
        self._featurizer = Featurizer(templates)
        unknown = [f for f in self._bundle.features if f not in self._featurizer.feature_names]
        if unknown:
            raise BundleError(
                f"the bundle reads features {unknown} that no extractor of this autodm "
                f"produces; known features are {list(self._featurizer.feature_names)}. "
                "A bundle trained by a newer autodm needs that version: upgrade autodm, "
                "or retrain the bundle with this one."
            )
        if bundle is not None:  # the shipped bundle is tested against the shipped files
            _warn_on_drift(self._bundle, own_templates=templates is not None)
        self._scorer = Scorer(self._bundle)
        self.feature_names: tuple[str, ...] = self._featurizer.feature_names
        self._recent = VerdictStore(RECENT_VERDICTS)

    # Read-only: the verdicts a detector keeps were given with its bundle and threshold.
    @property
    def bundle(self) -> Bundle:
        """The model bundle."""
        return self._bundle

    @property
    def threshold(self) -> float:
        """The decision threshold on P(automated)."""
        return self._threshold

    @property
    def memory(self) -> SenderMemory | None:
        """The sender memory, or None."""
        return self._memory

    def __getstate__(self) -> dict[str, Any]:
        # Workers of classify_many(n_jobs=...) get the detector without its recent verdicts.
        return {**self.__dict__, "_recent": VerdictStore(RECENT_VERDICTS)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        if not isinstance(self.__dict__.get("_recent"), VerdictStore):
            self._recent = VerdictStore(RECENT_VERDICTS)

    def __repr__(self) -> str:
        return (
            f"Detector(features={len(self.bundle.features)}, threshold={self.threshold:.4f}, "
            f"templates={len(self._featurizer.template.templates)})"
        )

    def features(self, message: str, context: ContextLike = None) -> dict[str, Signal]:
        """Return every extractor's signals for ``message``, by feature name.

        Examples
        --------
        >>> Detector().features("see you at 6")["link_count"].value
        0.0
        """
        return self._featurizer.signals(view(message), as_context(context))

    def classify(self, message: str, context: ContextLike = None) -> Verdict:
        """Classify one message; see :func:`autodm.classify`."""
        if context is not None or self.memory is not None:
            return self._classify_batch([message], [context])[0]
        message_view = view(message)
        key = self._recent.key(message_view)
        if key is not None and (seen := self._recent.get(key)) is not None:
            return seen
        verdict = self._score([message_view], [as_context(None)])[0]
        if key is not None:
            self._recent.put(key, verdict)
        return verdict

    def _classify_batch(
        self,
        messages: Sequence[str],
        contexts: Sequence[ContextLike],
        known: VerdictStore | None = None,
    ) -> list[Verdict]:
        """Verdicts for a batch, each as :meth:`classify` gives it alone, in input order.

        Every message is viewed and its context checked first, so a bad item raises
        before the memory has seen any of this slice (``classify_many`` checks the whole
        call before its first slice).

        With ``known`` (and no memory), messages without context that read alike (see
        autodm._sharing) are scored once, and one already in ``known`` is not scored
        again: an auto-DM campaign's texts differ in names, numbers and links, what a
        verdict reads of them does not. New verdicts are added to ``known``.
        """
        views = [view(m) for m in messages]
        ctxs = [as_context(c) for c in contexts]
        if known is None or self.memory is not None:
            return self._score(views, ctxs)
        keys = [known.key(v) if c is None else None for v, c in zip(views, contexts, strict=True)]
        before: dict[int, Verdict] = {}
        first: dict[Key, int] = {}
        chosen = []
        for i, key in enumerate(keys):
            if key is not None:
                if (seen := known.get(key)) is not None:
                    before[i] = seen
                    continue
                if first.setdefault(key, i) != i:
                    continue
            chosen.append(i)
        scored = dict(
            zip(
                chosen,
                self._score([views[i] for i in chosen], [ctxs[i] for i in chosen]),
                strict=True,
            )
        )
        for key, i in first.items():
            known.put(key, scored[i])
        return [
            before[i] if i in before else scored[i if key is None else first[key]]
            for i, key in enumerate(keys)
        ]

    def _score(self, views: Sequence[TextView], ctxs: Sequence[Context]) -> list[Verdict]:
        """Verdicts of viewed messages with checked contexts (remembered when there is a
        memory), in order."""
        batch = self._featurizer.signals_many(views, ctxs)
        if self.memory is not None:
            for message_view, ctx, signals in zip(views, ctxs, batch, strict=True):
                if not blank(ctx.sender_id):
                    self._recall(message_view, ctx, signals)
        verdicts = []
        for message_view, signals, scored in zip(
            views, batch, self._scorer.score_many(views, batch), strict=True
        ):
            similarity = signals["template_similarity"]
            template = None
            if similarity.value is not None and similarity.value >= TEMPLATE_MATCH:
                template = similarity.evidence.split(" ", 1)[0]
            verdicts.append(
                Verdict(
                    label="automated" if scored.probability >= self.threshold else "human",
                    probability=scored.probability,
                    threshold=self.threshold,
                    reasons=scored.reasons,
                    template=template,
                    flags=tuple(sorted(message_view.flags)),
                )
            )
        return verdicts

    def _recall(self, message_view: TextView, ctx: Context, signals: dict[str, Signal]) -> None:
        """Remember this message and fold what the memory knew into ``history_duplicates``.

        An empty or blank ``sender_id`` is no sender (``event.get("sender_id", "")``
        gives one for every unknown sender, whose messages must not pool as one sender's
        copies), as in :func:`group_campaigns`; such a ``recipient_id`` is no recipient.
        """
        memory, sender = self.memory, ctx.sender_id
        if memory is None or sender is None or blank(sender):
            return
        # The view and the Context have checked every value already.
        recipient = None if blank(ctx.recipient_id) else ctx.recipient_id
        now = ctx.sent_at if ctx.sent_at is not None else time.time()
        before = memory._remember(sender, message_view.masked, recipient, now)
        if len(message_view.masked) < MIN_DUPLICATE_CHARS:
            return
        known = signals["history_duplicates"].value
        if before.other_recipients and (known is None or before.other_recipients > known):
            n = before.other_recipients
            bound = "at least " if before.at_least else ""
            evidence = f"{bound}{n} other recipient{'s' if n != 1 else ''}{_span(before, now)}"
            signals["history_duplicates"] = Signal(float(n), evidence)

    def classify_many(
        self,
        messages: Iterable[str],
        contexts: Iterable[ContextLike] | None = None,
        *,
        n_jobs: int = 1,
    ) -> list[Verdict]:
        """Classify many messages; see :func:`autodm.classify_many`.

        With a memory, the batch is classified in this process whatever ``n_jobs``
        says: the memory sees every message in input order, as with ``n_jobs=1``.
        """
        items, ctxs = _batch(messages, contexts)
        n_jobs = _check_jobs(n_jobs)
        ctxs = _checked(items, ctxs)
        if self.memory is None:
            items, ctxs, where = distinct_messages(items, ctxs)
            verdicts = self._classify_spread(items, ctxs, n_jobs)
            return [verdicts[i] for i in where]
        # The memory must see every message in order, and a worker would update a copy of it.
        return _classify_chunk(self, items, ctxs)

    def _classify_spread(
        self, items: Sequence[str], ctxs: Sequence[ContextLike], n_jobs: int
    ) -> list[Verdict]:
        """Classify in this process, or over ``n_jobs`` workers when the batch is large."""
        workers = 1
        if n_jobs != 1 and len(items) >= PARALLEL_MIN_BATCH:
            from joblib import effective_n_jobs

            workers = min(effective_n_jobs(n_jobs), len(items) // (PARALLEL_MIN_BATCH // 2))
        if workers <= 1:
            return _classify_chunk(self, items, ctxs)
        from joblib import Parallel, delayed

        # One contiguous chunk per worker: the detector is sent to each worker once.
        bounds = [len(items) * i // workers for i in range(workers + 1)]
        chunks = Parallel(n_jobs=workers)(
            delayed(_classify_chunk)(self, items[a:b], ctxs[a:b]) for a, b in pairwise(bounds)
        )
        return [verdict for chunk in chunks for verdict in chunk]


def _classify_chunk(
    detector: Detector, messages: Sequence[str], contexts: Sequence[ContextLike]
) -> list[Verdict]:
    """Classify in slices of at most :data:`BATCH` messages and ``MAX_BATCH_CHARS``
    characters examined, so memory stays bounded however long the messages are.

    A message that reads like one scored before takes its verdict: in a call of up to
    :data:`RECENT_VERDICTS` messages, one the detector met in its recent calls (a stream
    scored in small batches); in a longer call, one of an earlier slice of the same call.
    """
    lengths = [min(len(m), MAX_CHARS) if isinstance(m, str) else 1 for m in messages]
    known = detector._recent if len(messages) <= RECENT_VERDICTS else VerdictStore(CALL_VERDICTS)
    verdicts: list[Verdict] = []
    for start, stop in batch_slices(lengths, BATCH):
        verdicts.extend(detector._classify_batch(messages[start:stop], contexts[start:stop], known))
    return verdicts


def _span(before: Recall, now: float) -> str:
    """When the earlier copies were sent, relative to this message sent at ``now``.

    Messages can arrive out of time order (a backlog with ``sent_at`` after live calls
    without it, a late webhook), so copies may have been sent after this one.
    """
    since, until = before.since, before.until
    if since is None or until is None:
        return ""
    if until <= now:
        return f" in the last {describe_delay(now - since)}"
    if since >= now:
        return f" in the {describe_delay(until - now)} after this message"
    return (
        f" between {describe_delay(now - since)} before and {describe_delay(until - now)} "
        "after this message"
    )


def _resolve_threshold(bundle: Bundle, threshold: float | str | None) -> float:
    if threshold is None:
        return bundle.threshold
    if isinstance(threshold, str):
        points = bundle.operating_points
        if not points:
            raise InvalidInputError(
                f"`threshold` {threshold!r} names a preset, and this bundle has none (its "
                "manifest holds no operating points): give a float in [0, 1]."
            )
        if threshold not in points:
            raise InvalidInputError(
                f"`threshold` preset must be one of {list(points)} or a float in [0, 1]. "
                f"Got {threshold!r} instead."
            )
        return float(points[threshold]["threshold"])
    if not is_real(threshold):
        raise InvalidInputError(
            f"`threshold` must be a float in [0, 1] or one of {list(_PRESETS)}. "
            f"Got {describe(threshold)} instead."
        )
    number = finite_float(threshold)
    if number is None or not 0.0 <= number <= 1.0:
        raise InvalidInputError(f"`threshold` must be in [0, 1]. Got {threshold!r} instead.")
    return number + 0.0  # -0.0 is 0 (it was shown as -0.0000)


def _warn_on_drift(bundle: Bundle, own_templates: bool) -> None:
    """Warn when ``bundle`` records other shipped data files than this autodm's (the
    template bank only when the detector reads it)."""
    training = bundle.manifest.get("training")
    recorded = training.get("data_digest") if isinstance(training, Mapping) else None
    if not isinstance(recorded, Mapping):
        return
    here = data_digest()
    kinds = [k for k in here if not (own_templates and k == "templates")]
    drifted = [k for k in kinds if isinstance(recorded.get(k), str) and recorded[k] != here[k]]
    if drifted:
        warnings.warn(
            DataDriftWarning(
                f"this bundle was trained with other {' and '.join(drifted)} than this autodm "
                "ships, so its verdicts may differ slightly from the figures in its manifest; "
                "retrain it with this autodm to keep them exact."
            ),
            stacklevel=3,
        )


_DEFAULT: list[Detector] = []
_DEFAULT_LOCK = threading.Lock()


def default_detector() -> Detector:
    """The shared detector on the bundled model, built on first use: once, however many
    threads ask for it first (the others wait for it rather than load a bundle each)."""
    if not _DEFAULT:
        with _DEFAULT_LOCK:
            if not _DEFAULT:
                _DEFAULT.append(Detector())
    return _DEFAULT[0]


def classify(message: str, context: ContextLike = None) -> Verdict:
    """Classify one message as ``"automated"`` or ``"human"``, with the reasons why.

    Uses a detector on the bundled model, built once and shared.

    Parameters
    ----------
    message : str
        The DM text. Only its first 4,096 code points are examined (the verdict's
        ``flags`` then include ``"truncated"``). Empty text is classified too.
    context : Context or mapping, optional
        What is known besides the text: ``sender_id``, ``recipient_id``,
        ``sent_at``, ``followed_at`` (when the recipient followed the sender),
        ``sender_history``, ``platform``, ``first_message``, ``recipient_wrote_first``.

    Returns
    -------
    Verdict

    Raises
    ------
    InvalidInputError
        If ``message`` is not a str (or holds lone surrogates), or the context
        has unknown keys or bad values (naive datetimes, for one).

    Examples
    --------
    >>> classify("Thanks for following! Follow back or I'll unfollow you :)").label
    'automated'
    >>> classify("hey, are we still on for lunch tomorrow?").label
    'human'
    """
    return default_detector().classify(message, context)


def classify_many(
    messages: Iterable[str],
    contexts: Iterable[ContextLike] | None = None,
    *,
    n_jobs: int = 1,
) -> list[Verdict]:
    """Classify many messages with the shared detector; see :func:`classify`.

    Parameters
    ----------
    messages : iterable of str, or pandas.DataFrame
        The messages; a bare ``str`` is refused (it would be read letter by letter).
        A DataFrame is read by rows: messages from its ``text`` column, contexts
        from the columns named after Context keys (see :func:`autodm.classify_frame`).
    contexts : iterable of Context or mapping, optional
        One per message, or None for none.
    n_jobs : int, default 1
        Worker processes (joblib); ``-1`` uses every core. Batches under 2,000
        messages always run in this process, where workers would cost more
        than they save. Verdicts are the same either way, in input order,
        and each is the one :func:`classify` gives that message alone. A text
        repeated without context is scored once (its verdicts are one object),
        and so are texts without context that differ only in what autodm masks:
        greeted names, handles, numbers of one shape, link paths.

    Examples
    --------
    >>> [v.label for v in classify_many(["see you at 6", "Thx 4 the follow! bit.ly/x1Ab"])]
    ['human', 'automated']
    """
    return default_detector().classify_many(messages, contexts, n_jobs=n_jobs)
