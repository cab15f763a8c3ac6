"""autodm: tell automated direct messages (auto-DMs) from messages a person wrote.

>>> import autodm
>>> autodm.classify("Thanks for the follow! Like my page: bit.ly/x1Ab").is_automated
True
"""

from __future__ import annotations

from ._bundle import Bundle, load_bundle
from ._campaigns import Campaign, group_campaigns
from ._detector import Detector, classify, classify_many
from ._memory import Recall, SenderMemory
from ._training import evaluate, train
from ._types import Context, Reason, Signal, Verdict
from .errors import AutoDMError, BundleError, ExtractorError, InvalidInputError

__version__ = "0.1.0"

__all__ = [
    "AutoDMError",
    "Bundle",
    "BundleError",
    "Campaign",
    "Context",
    "Detector",
    "ExtractorError",
    "InvalidInputError",
    "Reason",
    "Recall",
    "SenderMemory",
    "Signal",
    "Verdict",
    "__version__",
    "classify",
    "classify_many",
    "evaluate",
    "group_campaigns",
    "load_bundle",
    "train",
]
