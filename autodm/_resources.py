"""Loading of the data files shipped in ``autodm/data`` (read once, cached, read-only)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any, Final

__all__ = [
    "Domains",
    "data_digest",
    "data_files",
    "domains",
    "lexicon_languages",
    "load_json",
    "read_text",
]

_PACKAGE: Final = "autodm"
_DATA: Final = Path(__file__).resolve().parent / "data"


def data_files() -> Any:
    """The ``autodm/data`` folder: a plain path when the package is installed as files (the
    usual case; start-up then spares importing ``importlib.resources``), else the package's
    resource reader (for instance when autodm is imported from a zip file)."""
    if _DATA.is_dir():
        return _DATA
    from importlib import resources

    # ``data`` is no package of its own, so it is read through autodm's.
    return resources.files(_PACKAGE).joinpath("data")


def read_text(name: str) -> str:
    """Return the text of a file under ``autodm/data`` (``name`` may contain ``/``)."""
    node = data_files()
    for part in name.split("/"):
        node = node.joinpath(part)
    return str(node.read_text(encoding="utf-8"))


def load_json(name: str) -> Any:
    """Parse a JSON file under ``autodm/data``."""
    return json.loads(read_text(name))


def lexicon_languages() -> tuple[str, ...]:
    """Language codes of the shipped call-to-action lexicons, sorted."""
    folder = data_files().joinpath("lexicons")
    names = (entry.name for entry in folder.iterdir())
    return tuple(sorted(n[4:-5] for n in names if n.startswith("cta_") and n.endswith(".json")))


#: What of each shipped data file the signals read (prose such as ``description`` is left out).
_READ_FIELDS: Final = {
    "templates": ("templates",),
    "domains": ("shorteners", "social", "store", "validation", "tlds_suspicious", "tlds"),
    "lexicons": ("categories",),
}


@cache
def data_digest() -> dict[str, str]:
    """SHA-256 (hex) of what the signals read from each kind of shipped data file: the
    template bank (``"templates"``), the domain lists (``"domains"``) and the call-to-action
    lexicons (``"lexicons"``). ``train`` records it in a bundle's manifest, so a detector can
    tell when a bundle was trained on other versions of them. Parsed values are hashed, so
    the layout of a file and its prose do not count."""
    import hashlib

    files = {
        "templates": ["templates.json"],
        "domains": ["domains.json"],
        "lexicons": [f"lexicons/cta_{lang}.json" for lang in lexicon_languages()],
    }
    out = {}
    for kind, names in files.items():
        read = {}
        for name in names:
            raw = load_json(name)
            read[name] = {field: raw.get(field) for field in _READ_FIELDS[kind]}
        canonical = json.dumps(read, sort_keys=True, ensure_ascii=False)
        out[kind] = hashlib.sha256(canonical.encode()).hexdigest()
    return out


class Domains:
    """The shipped domain lists as frozensets of lowercase names."""

    __slots__ = (
        "link_hosts",
        "shorteners",
        "social",
        "store",
        "suspicious_tlds",
        "tlds",
        "validation",
    )

    def __init__(self, raw: dict[str, Any]) -> None:
        def lower_set(key: str) -> frozenset[str]:
            return frozenset(str(item).lower().strip(".") for item in raw.get(key, ()))

        self.shorteners = lower_set("shorteners")
        self.social = lower_set("social")
        self.store = lower_set("store")
        # Hosts that are links whatever they look like: shorteners', social networks', stores'.
        self.link_hosts = self.shorteners | self.social | self.store
        self.validation = lower_set("validation")
        self.suspicious_tlds = lower_set("tlds_suspicious")
        self.tlds = lower_set("tlds") | self.suspicious_tlds


@cache
def domains() -> Domains:
    """The shipped domain lists (shorteners, social, store, validation, TLDs)."""
    return Domains(load_json("domains.json"))
