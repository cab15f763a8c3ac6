"""The exceptions autodm raises.

Every error autodm raises on purpose derives from :class:`AutoDMError`, so one
``except autodm.AutoDMError`` catches them all. Errors about bad arguments also
derive from the built-in exception that older code would expect::

    AutoDMError(Exception)
     ├── InvalidInputError(AutoDMError, ValueError, TypeError)
     │       a message, context, option or training set that autodm cannot accept
     ├── BundleError(AutoDMError, ValueError)
     │       a model bundle that is missing, corrupt, hostile or of another version
     ├── ExtractorError(AutoDMError)
     │       a feature extractor that broke its contract (wrong names, non-finite values)
     └── MissingDependencyError(AutoDMError, ModuleNotFoundError)
             an optional dependency (pandas, matplotlib) that the requested feature needs

and two warnings (``UserWarning``): :class:`DataDriftWarning`, a bundle trained with other
versions of the shipped lexicons, domain lists or template bank than this autodm's, and
:class:`ThinDataWarning`, training data too thin to measure the false-positive rate asked for.

Every message says what was wrong, what is accepted and what was received.
"""

from __future__ import annotations

__all__ = [
    "AutoDMError",
    "BundleError",
    "DataDriftWarning",
    "ExtractorError",
    "InvalidInputError",
    "MissingDependencyError",
    "ThinDataWarning",
]


class AutoDMError(Exception):
    """Base class of every exception that autodm raises on purpose."""


class InvalidInputError(AutoDMError, ValueError, TypeError):
    """An argument autodm cannot accept: wrong type, wrong value or unknown key."""


class BundleError(AutoDMError, ValueError):
    """A model bundle that cannot be loaded safely: missing, corrupt, hostile or too new."""


class ExtractorError(AutoDMError):
    """A feature extractor returned something that breaks the extractor contract."""


class MissingDependencyError(AutoDMError, ModuleNotFoundError):
    """An optional dependency that the requested feature needs is not installed.

    The message names the extra that installs it, e.g. ``pip install 'autodm[report]'``.
    """


class DataDriftWarning(UserWarning):
    """A bundle was trained with other versions of the lexicons, template bank or domain
    lists than this autodm ships: its verdicts may differ slightly from the figures in its
    manifest. Retrain it with this autodm to keep them exact."""


class ThinDataWarning(UserWarning):
    """``train`` was given too few human messages of a source to measure its target
    false-positive rate there: the threshold sits above all of their scores, and new
    human messages of that kind will be flagged more often than the target."""


def describe(value: object, limit: int = 60) -> str:
    """Return a short, safe description of ``value`` for error messages.

    Never raises: a value whose repr fails (an int of more digits than Python will
    print, a hostile ``__repr__``) is described by its type alone.
    """
    try:
        text = repr(value)
    except Exception:  # describing bad input must not fail in turn
        if isinstance(value, int):
            return f"int of {value.bit_length()} bits"
        return f"{type(value).__name__} (unprintable)"
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return f"{type(value).__name__} {text}"
