"""Template similarity: how close a message is to known auto-DM wording.

Names, handles, links, numbers and weekdays are masked on both sides first, so
"Hi Alex, thanks for the follow" and "Hi Maria, thanks for the follow" are the
same text to this extractor.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Any, Final

import numpy as np
from rapidfuzz import fuzz, process

from .._resources import load_json
from .._text import MAX_CHARS, TextView, check_unicode, mask_template, tokenize, view
from .._types import Context, Signal, ordered
from ..errors import InvalidInputError, describe
from ._base import prepare

__all__ = ["Template", "TemplateSimilarity", "default_templates"]

#: Similarity (0..1) above which a history message counts as the same text.
DUPLICATE_SIMILARITY: Final = 0.85
#: Masked messages shorter than this many characters are never near-duplicates:
#: "ok see you then" is sent to many people by everyone.
MIN_DUPLICATE_CHARS: Final = 25
#: The history signals of a message without sender history, shared (signals are immutable).
_NO_HISTORY: Final = Signal(None, "no sender history")
#: Batch size from which the bank is compared as rapidfuzz's queries (faster, same scores).
_TEMPLATES_AS_QUERIES: Final = 8


@dataclass(frozen=True, slots=True)
class Template:
    """One template of the bank: an id, its family, its language and its text.

    Each is a non-empty str; the id holds no whitespace, since a verdict names the
    template it matches by it. Anything else raises :class:`~autodm.InvalidInputError`.
    """

    id: str
    family: str
    lang: str
    text: str

    def __post_init__(self) -> None:
        for name in ("id", "family", "lang", "text"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise InvalidInputError(
                    f"a template's `{name}` must be a non-empty str. Got {describe(value)} "
                    f"instead (template id {self.id!r})."
                )
            check_unicode(value, f"template {name}")
        if any(c.isspace() for c in self.id):
            raise InvalidInputError(
                f"a template's `id` must hold no whitespace (a verdict names its template "
                f"by it). Got {self.id!r}."
            )


def default_templates() -> tuple[Template, ...]:
    """The template bank shipped with autodm (``autodm/data/templates.json``)."""
    raw = load_json("templates.json")
    return tuple(
        Template(id=t["id"], family=t["family"], lang=t["lang"], text=t["text"])
        for t in raw["templates"]
    )


def _bigrams(tokens: tuple[str, ...]) -> set[str]:
    return {f"{a} {b}" for a, b in pairwise(tokens)}


class TemplateSimilarity:
    """Similarity to a bank of auto-DM templates and to the sender's other messages.

    Features
    --------
    template_similarity
        Best normalised Indel similarity (rapidfuzz ``ratio``, 0..1) between the
        masked message and a masked template of the bank.
    template_coverage
        Largest share (0..1) of one template's word pairs that occur in the
        message; high when a template is embedded in a longer message.
    history_similarity
        Best similarity (0..1) to the sender's messages to other people
        (``context.sender_history``); None when there is no history.
    history_duplicates
        How many of those messages are near-duplicates of this one (similarity
        >= 0.85 once masked); None when there is no history, and None for
        messages under 25 masked characters, which everyone sends alike.

    Parameters
    ----------
    templates : iterable of Template or mapping, optional
        The bank; each item needs ``id``, ``family`` and ``text`` (slots
        ``{name}``, ``{handle}``, ``{url}``, ``{number}``, ``{day}``) and may
        have ``lang``. Defaults to the bundled bank.

    Examples
    --------
    >>> ts = TemplateSimilarity()
    >>> signals = ts.extract("Hey Priya, thanks for the follow! Glad to connect with you here.")
    >>> signals["template_similarity"].value > 0.9
    True
    >>> ts.best_match("Hey Priya, thanks for the follow! Glad to connect with you here.")[0].family
    'thanks_follow'
    """

    feature_names: Final = (
        "template_similarity",
        "template_coverage",
        "history_similarity",
        "history_duplicates",
    )
    #: Signals that can only point to automation: models keep their weights non-negative.
    automation_only: Final = frozenset(feature_names[:2])

    def __init__(self, templates: Iterable[Template | Mapping[str, Any]] | None = None) -> None:
        if templates is None:
            bank = default_templates()
        else:
            items = ordered(templates, "templates", "Template objects or mappings")
            bank = tuple(_as_template(t) for t in items)
        if not bank:
            raise InvalidInputError("`templates` must hold at least one template. Got none.")
        self.templates: tuple[Template, ...] = bank
        self._masked: list[str] = [mask_template(t.text) for t in bank]
        index: dict[str, list[int]] = {}
        sizes = np.zeros(len(bank), dtype=np.float64)
        for i, masked in enumerate(self._masked):
            # The tokens view() gives a message with this text (it is masked already).
            grams = _bigrams(tokenize(masked))
            sizes[i] = max(len(grams), 1)
            for gram in grams:
                index.setdefault(gram, []).append(i)
        self._index = {gram: np.array(ids, dtype=np.intp) for gram, ids in index.items()}
        self._sizes = sizes

    def best_match(self, message: str | TextView) -> tuple[Template, float]:
        """Return the closest template and its similarity (0..1)."""
        masked = (message if isinstance(message, TextView) else view(message)).masked
        _, score, i = process.extractOne(masked, self._masked, scorer=fuzz.ratio)
        return self.templates[i], score / 100.0

    def _coverage(self, tokens: tuple[str, ...], excluded: np.ndarray | None) -> tuple[float, int]:
        hits = [ids for gram in _bigrams(tokens) if (ids := self._index.get(gram)) is not None]
        if not hits:
            return 0.0, 0
        counts = np.bincount(np.concatenate(hits), minlength=len(self.templates))
        shares = counts / self._sizes
        if excluded is not None:
            shares[excluded] = 0.0
        best = int(np.argmax(shares))
        return float(shares[best]), best

    def excluding(self, family: str, lang: str) -> np.ndarray:
        """Indices of the bank's templates of one family and language.

        Training on the bank's own texts passes these to :meth:`extract` so that
        a rendered template is not compared with itself or its close siblings.
        """
        return np.array(
            [i for i, t in enumerate(self.templates) if t.family == family and t.lang == lang],
            dtype=np.intp,
        )

    def extract(
        self,
        message: str | TextView,
        context: Context | Mapping[str, Any] | None = None,
        *,
        exclude: Sequence[int] | np.ndarray | None = None,
    ) -> dict[str, Signal]:
        """Return the four template signals for ``message``; see the class docstring.

        ``exclude`` holds bank indices to ignore (see :meth:`excluding`).
        """
        message_view, ctx = prepare(message, context)
        return self.extract_many([message_view], [ctx], exclude=exclude)[0]

    def _indices(self, exclude: object) -> np.ndarray | None:
        """``exclude`` as an array of bank indices, or a typed error saying what it takes."""
        if exclude is None:
            return None
        n = len(self.templates)
        accepted = (
            f"`exclude` must be a 1-d sequence or array of bank indices, whole numbers from 0 "
            f"to {n - 1} (see `excluding`)"
        )
        try:
            indices = np.asarray(exclude)
        except (TypeError, ValueError):
            raise InvalidInputError(f"{accepted}. Got {describe(exclude)} instead.") from None
        if indices.dtype == object or (
            isinstance(exclude, list | tuple)
            and any(isinstance(i, bool | np.bool_) for i in exclude)
        ):  # True among numbers is no index
            raise InvalidInputError(f"{accepted}. Got {describe(exclude)} instead.")
        if indices.size == 0:
            return indices.astype(np.intp).reshape(0)
        if indices.ndim != 1 or indices.dtype.kind not in "iu":
            raise InvalidInputError(f"{accepted}. Got {describe(exclude)} instead.")
        outside = (indices < 0) | (indices >= n)
        if outside.any():
            raise InvalidInputError(
                f"{accepted}. Got {indices[outside][0]} at position "
                f"{int(np.flatnonzero(outside)[0])}, outside the bank of {n} templates."
            )
        return indices.astype(np.intp)

    def extract_many(
        self,
        views: Sequence[TextView],
        contexts: Sequence[Context],
        *,
        exclude: Sequence[int] | np.ndarray | None = None,
    ) -> list[dict[str, Signal]]:
        """:meth:`extract` for a batch of prepared messages, compared with the bank at once."""
        excluded = self._indices(exclude)
        masked = [v.masked for v in views]
        if len(masked) >= _TEMPLATES_AS_QUERIES:
            # Same scores; rapidfuzz prepares each query once, and with many messages it is
            # cheaper to prepare the templates.
            scores = process.cdist(self._masked, masked, scorer=fuzz.ratio, dtype=np.uint8).T
        else:
            scores = process.cdist(masked, self._masked, scorer=fuzz.ratio, dtype=np.uint8)
        if excluded is not None and excluded.size:
            scores[:, excluded] = 0
        best_of = np.argmax(scores, axis=1).tolist()
        out = []
        for message_view, ctx, row, best in zip(views, contexts, scores, best_of, strict=True):
            coverage, covered = self._coverage(message_view.tokens, excluded)
            similarity = float(row[best]) / 100.0
            match = self.templates[best]
            by_cover = self.templates[covered]
            signals = {
                "template_similarity": Signal(
                    similarity, f"{match.id} ({match.family}), {similarity:.0%} similar"
                ),
                "template_coverage": Signal(
                    coverage,
                    f"{by_cover.id} ({by_cover.family}), {coverage:.0%} of its word pairs",
                ),
            }
            signals.update(self._history(message_view.masked, ctx.sender_history))
            out.append(signals)
        return out

    @staticmethod
    def _history(masked: str, history: tuple[str, ...]) -> dict[str, Signal]:
        if not history:
            return {"history_similarity": _NO_HISTORY, "history_duplicates": _NO_HISTORY}
        # Only the first MAX_CHARS of a message are read: the cache keys on no more, so it
        # holds a bounded amount of text, not every long history message a caller once sent.
        # Masks are compared to MAX_CHARS characters too: masking can lengthen a text ("1"
        # becomes "<num>"), and a comparison costs the product of the two lengths.
        others = [_masked(text[:MAX_CHARS]) for text in history]
        scores = process.cdist([masked[:MAX_CHARS]], others, scorer=fuzz.ratio, dtype=np.uint8)[0]
        best = float(scores.max()) / 100.0
        similarity = Signal(best, f"best of {len(others)} history messages")
        if len(masked) < MIN_DUPLICATE_CHARS:
            # Everyone sends "ok, see you then" to many people: no evidence either way.
            return {
                "history_similarity": similarity,
                "history_duplicates": Signal(None, "too short to judge copies"),
            }
        duplicates = int(np.count_nonzero(scores >= DUPLICATE_SIMILARITY * 100))
        return {
            "history_similarity": similarity,
            "history_duplicates": Signal(
                float(duplicates),
                f"{duplicates} other recipient{'s' if duplicates != 1 else ''} "
                f"(of {len(others)} history messages)",
            ),
        }


@lru_cache(maxsize=2048)
def _masked(text: str) -> str:
    """The masked form of a history message (its first :data:`MAX_CHARS`, which is all
    that :func:`view` reads), to its first :data:`MAX_CHARS` characters. Callers pass the
    same sender history with every message, so the masks are kept (at most 2,048, least
    recently used dropped: at most about 64 MiB of text, key and mask)."""
    return view(text).masked[:MAX_CHARS]


def _as_template(item: Template | Mapping[str, Any]) -> Template:
    if isinstance(item, Template):
        return item
    if isinstance(item, Mapping) and all(k in item for k in ("id", "family", "text")):
        return Template(
            id=item["id"], family=item["family"], lang=item.get("lang", "und"), text=item["text"]
        )
    raise InvalidInputError(
        "each template must be an autodm.extractors.Template or a mapping with non-empty str "
        "'id' (no spaces), 'family' and 'text' (and optional 'lang'). "
        f"Got {describe(item)} instead."
    )
