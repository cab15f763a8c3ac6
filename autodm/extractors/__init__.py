"""Feature extractors, each usable alone.

Every extractor has a stable ``feature_names`` tuple and an
``extract(message, context=None) -> Mapping[str, Signal]`` method (the
:class:`Extractor` protocol). ``message`` may be a ``str`` or a view already
built by the text layer, so a detector normalises each message once.
"""

from __future__ import annotations

from ._base import Extractor
from .cta import CallToAction
from .links import LinkDensity
from .template import Template, TemplateSimilarity
from .timing import TimingAfterFollow

__all__ = [
    "CallToAction",
    "Extractor",
    "LinkDensity",
    "Template",
    "TemplateSimilarity",
    "TimingAfterFollow",
]
