"""autodm: tell automated direct messages (auto-DMs) from messages a person wrote.

>>> import autodm
>>> autodm.classify("Thanks for the follow! Like my page: bit.ly/x1Ab").is_automated
True
"""

from __future__ import annotations

import typing

from ._bundle import Bundle, load_bundle
from ._detector import Detector, classify, classify_many
from ._memory import Recall, SenderMemory
from ._types import Context, Reason, Signal, Verdict
from .errors import (
    AutoDMError,
    BundleError,
    ExtractorError,
    InvalidInputError,
    MissingDependencyError,
)

if typing.TYPE_CHECKING:  # a module, so no public name is added
    from ._campaigns import Campaign, group_campaigns
    from ._evaluation import evaluate
    from ._frames import classify_frame, to_frame
    from ._sklearn import AutoDMFeatures
    from ._training import train

__version__ = "0.1.0"

__all__ = [
    "AutoDMError",
    "AutoDMFeatures",
    "Bundle",
    "BundleError",
    "Campaign",
    "Context",
    "Detector",
    "ExtractorError",
    "InvalidInputError",
    "MissingDependencyError",
    "Reason",
    "Recall",
    "SenderMemory",
    "Signal",
    "Verdict",
    "__version__",
    "classify",
    "classify_frame",
    "classify_many",
    "evaluate",
    "group_campaigns",
    "load_bundle",
    "to_frame",
    "train",
]

#: Exports whose module is imported on first access (PEP 562), by the module that defines them:
#: ``AutoDMFeatures`` subclasses scikit-learn's estimators, and ``import autodm`` must not
#: import scikit-learn (or scipy); training, evaluation, campaigns and data frames are not
#: needed to classify, so a cold ``import autodm; autodm.classify(...)`` skips their modules.
_LAZY_EXPORTS = {
    "AutoDMFeatures": "._sklearn",
    "Campaign": "._campaigns",
    "group_campaigns": "._campaigns",
    "classify_frame": "._frames",
    "to_frame": "._frames",
    "evaluate": "._evaluation",
    "train": "._training",
}


def __getattr__(name: str) -> object:
    module = _LAZY_EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(module, __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY_EXPORTS))
