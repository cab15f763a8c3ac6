"""The four extractors run over one shared view of each message."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import Any

import numpy as np

from ._text import TextView
from ._types import Context, Signal
from .extractors import CallToAction, LinkDensity, Template, TemplateSimilarity, TimingAfterFollow

__all__ = ["Featurizer", "shared_lexicons", "shared_templates"]


class Featurizer:
    """The four extractors run over one shared view of each message."""

    def __init__(self, templates: Iterable[Template | Mapping[str, Any]] | None = None) -> None:
        # The default extractors are immutable; every detector shares one set, so building
        # a detector (per threshold, per worker) does not index the bank and lexicons again.
        self.template = shared_templates() if templates is None else TemplateSimilarity(templates)
        self.extractors = (self.template, LinkDensity(), TimingAfterFollow(), shared_lexicons())
        self.feature_names: tuple[str, ...] = tuple(
            name for extractor in self.extractors for name in extractor.feature_names
        )

    def signals(
        self, message_view: TextView, ctx: Context, *, exclude: np.ndarray | None = None
    ) -> dict[str, Signal]:
        """Every extractor's signals for one message, by feature name.

        ``exclude`` holds template-bank indices the template extractor ignores
        (used when training on the bank's own texts).
        """
        return self.signals_many([message_view], [ctx], exclude=exclude)[0]

    def signals_many(
        self,
        views: Sequence[TextView],
        contexts: Sequence[Context],
        *,
        exclude: np.ndarray | None = None,
    ) -> list[dict[str, Signal]]:
        """:meth:`signals` for a batch; the template bank is compared with all at once."""
        batch = self.template.extract_many(views, contexts, exclude=exclude)
        for signals, message_view, ctx in zip(batch, views, contexts, strict=True):
            for extractor in self.extractors[1:]:
                signals.update(extractor.extract(message_view, ctx))
        return batch


@cache
def shared_templates() -> TemplateSimilarity:
    """The bundled template bank, indexed once per process."""
    return TemplateSimilarity()


@cache
def shared_lexicons() -> CallToAction:
    """The bundled call-to-action lexicons, compiled once per process."""
    return CallToAction()
