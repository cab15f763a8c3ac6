"""The model bundle: ``manifest.json`` + ``weights.npz``, loaded without running any code.

A bundle is a folder (or a ``.zip`` of one) holding two members:

``manifest.json``
    format version, autodm version, feature names, threshold and operating
    points, context likelihood-ratio tables, training data and metrics.
``weights.npz``
    float32 or float64 arrays only, never unpickled: ``mean``, ``scale``,
    ``coef`` (one per feature), ``intercept`` (1), ``calibration`` (2: slope,
    offset) and optionally ``ngram_coef`` (one per hash bucket, at most 2**22) and the
    TF-IDF model's ``tfidf_idf`` and ``tfidf_coef`` (one per bucket of its own) and
    ``tfidf_intercept`` (1).

Loading checks every member (names, dtypes, shapes, finiteness, the range of the
weights scoring makes of them; autodm._bundle_checks) and refuses anything else with
:class:`~autodm.BundleError`. Nothing is unpickled, evaluated or extracted to disk,
so a bundle from a stranger cannot run code. Files and zip members are read in chunks
up to their size limits, whatever their headers declare (autodm._archive), so nor can it
exhaust memory. A zip must hold the two members and nothing else; from a folder only the
two are read, so files beside them (a README, a ``.DS_Store``, what :meth:`Bundle.save`
leaves in place) are ignored.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Final, cast

import numpy as np
from numpy.typing import NDArray

from ._archive import open_zip, read_file, read_member
from ._bundle_checks import (
    FORMAT_VERSION,
    BucketArray,
    FloatArray,
    _parse_manifest,
    _parse_weights,
)
from ._files import check_replaceable, replace_atomically, writable_path
from ._resources import data_files
from .errors import BundleError, InvalidInputError, describe

__all__ = ["FORMAT_VERSION", "Bundle", "load_bundle"]

_MAX_MANIFEST_BYTES: Final = 1 << 20
_MAX_WEIGHTS_BYTES: Final = 16 << 20
_MEMBERS: Final = ("manifest.json", "weights.npz")
#: The largest bundle zip read: both members at their limits, stored, and a MiB for their
#: headers and the few KiB that deflate adds to data it cannot compress.
_MAX_ZIP_BYTES: Final = _MAX_MANIFEST_BYTES + _MAX_WEIGHTS_BYTES + (1 << 20)


@dataclass(frozen=True, slots=True, eq=False)
class Bundle:
    """A trained model: its manifest and its validated, read-only weights.

    Build one with :func:`autodm.train` or :func:`load_bundle`; write it with
    :meth:`save`. ``features`` are the signal names the linear model reads, in
    order; ``threshold`` is the default decision threshold on P(automated). A bundle
    with a second text model (``manifest["tfidf"]``, autodm._tfidf) holds its idf and
    weights per bucket (float32 as stored, widened as scoring reads them) and its
    intercept; others hold None and 0. The other weights are float64.
    """

    manifest: Mapping[str, Any]
    mean: FloatArray
    scale: FloatArray
    coef: FloatArray
    intercept: float
    calibration: tuple[float, float]
    ngram_coef: FloatArray | None
    tfidf_idf: BucketArray | None = None
    tfidf_coef: BucketArray | None = None
    tfidf_intercept: float = 0.0

    def __setstate__(self, state: list[Any]) -> None:
        """Unpickle, keeping the arrays read-only as :func:`load_bundle` makes them (pickle
        brings arrays back writable, and detectors score with them as they are). A bundle
        pickled before the TF-IDF fields existed gets their defaults."""
        for index, field in enumerate(fields(self)):
            value = state[index] if index < len(state) else field.default
            if isinstance(value, np.ndarray):
                value.setflags(write=False)
            object.__setattr__(self, field.name, value)

    @property
    def features(self) -> tuple[str, ...]:
        """Names of the signals the model reads, in weight order."""
        return tuple(self.manifest["features"])

    @property
    def threshold(self) -> float:
        """The default decision threshold on P(automated)."""
        return float(self.manifest["threshold"])

    @property
    def operating_points(self) -> dict[str, dict[str, float]]:
        """Named thresholds (``strict``, ``balanced``, ``lenient``) with their measured rates."""
        return {k: dict(v) for k, v in self.manifest.get("operating_points", {}).items()}

    @property
    def context_evidence(self) -> dict[str, dict[str, list[float]]]:
        """Likelihood-ratio tables for context signals: ``{signal: {edges, log_lr}}``."""
        return {k: dict(v) for k, v in self.manifest.get("context_evidence", {}).items()}

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the bundle to a folder, or to a zip when ``path`` ends in ``.zip``.

        Returns the path written; missing parent folders are created. An existing
        folder's two members are replaced; nothing else in it is touched. Either way, a
        write that fails (a full disk) leaves the bundle that was there whole, and raises
        the OSError.

        Raises
        ------
        InvalidInputError
            If ``path`` is not a str or Path, is an existing file (a folder bundle is
            written into a folder), or ends in ``.zip`` and is an existing folder.
        BundleError
            If :func:`load_bundle` would refuse what would be written (a Bundle built in
            code with a NaN threshold, say); nothing is written then.
        """
        target = save_target(path)
        is_zip = target.suffix.lower() == ".zip"
        manifest = _manifest_text(self.manifest)
        arrays = self._stored_arrays()
        buffer = io.BytesIO()
        np.savez_compressed(buffer, allow_pickle=False, **arrays)
        # A Bundle built in code skips the checks of loading: write nothing load would refuse.
        where = f"the bundle to save at {str(target)!r}"
        raw = manifest.encode("utf-8")
        _parse_weights(buffer.getvalue(), _parse_manifest(raw, where), where)
        _check_manifest_size(len(raw) + (not is_zip), where)  # a folder's ends in "\n"
        if is_zip:
            packed = io.BytesIO()
            with zipfile.ZipFile(packed, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                archive.writestr("manifest.json", manifest)
                archive.writestr("weights.npz", buffer.getvalue())
            replace_atomically(target, packed.getvalue())  # an existing zip: whole or as was
        else:
            _replace_members(target, (manifest + "\n").encode("utf-8"), buffer.getvalue())
        return target

    def _stored_arrays(self) -> dict[str, NDArray[Any]]:
        """The arrays of ``weights.npz`` as :meth:`save` writes them: float64, but the
        per-bucket ones float32 (a Bundle built in code may hold other dtypes)."""
        arrays: dict[str, NDArray[Any]] = {
            "mean": np.asarray(self.mean, dtype=np.float64),
            "scale": np.asarray(self.scale, dtype=np.float64),
            "coef": np.asarray(self.coef, dtype=np.float64),
            "intercept": np.array([self.intercept], dtype=np.float64),
            "calibration": np.array(self.calibration, dtype=np.float64),
        }
        if self.ngram_coef is not None:
            arrays["ngram_coef"] = self.ngram_coef.astype(np.float32)
        if self.tfidf_idf is not None and self.tfidf_coef is not None:
            arrays["tfidf_idf"] = self.tfidf_idf.astype(np.float32)
            arrays["tfidf_coef"] = self.tfidf_coef.astype(np.float32)
            arrays["tfidf_intercept"] = np.array([self.tfidf_intercept], dtype=np.float64)
        return arrays


def _manifest_text(manifest: Mapping[str, Any]) -> str:
    """The manifest as :meth:`Bundle.save` writes it."""
    return json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False)


def _replace_members(folder: Path, manifest: bytes, weights: bytes) -> None:
    """Write a folder bundle's two members so that a failure leaves the bundle that was
    there whole: each member is replaced atomically, the weights first, and if the manifest
    then fails the old weights are put back (or the new ones removed, where there were none)."""
    weights_path = folder / "weights.npz"
    try:
        old: bytes | None = weights_path.read_bytes() if weights_path.is_file() else None
    except OSError:
        old = None
    replace_atomically(weights_path, weights)
    try:
        replace_atomically(folder / "manifest.json", manifest)
    except BaseException:
        with contextlib.suppress(OSError):  # the first error is the one to report
            if old is None:
                weights_path.unlink()
            else:
                replace_atomically(weights_path, old)
        raise


def _read_members(path: Path) -> dict[str, bytes]:
    if path.is_dir():
        members = {}
        for name in _MEMBERS:
            member = path / name
            if not member.is_file():
                raise BundleError(
                    f"bundle folder {str(path)!r} must hold {list(_MEMBERS)}; {name} is missing."
                )
            limit = _MAX_MANIFEST_BYTES if name.endswith(".json") else _MAX_WEIGHTS_BYTES
            members[name] = read_file(member, limit, f"{name} of bundle {str(path)!r}")
        return members
    if path.is_file() and zipfile.is_zipfile(path):
        return _read_zip(path)
    if path.exists():
        raise BundleError(
            f"a bundle must be a folder or a .zip holding {list(_MEMBERS)}. "
            f"Got {str(path)!r}, which is neither."
        )
    raise BundleError(f"no bundle at {str(path)!r}: the path does not exist.")


def _read_zip(path: Path) -> dict[str, bytes]:
    what = f"bundle zip {str(path)!r}"
    # Read whole, so that the bytes zipfile parses are the bytes counted, and at most
    # _MAX_ZIP_BYTES of them whatever the file system says its size is.
    data = read_file(path, _MAX_ZIP_BYTES, what)
    members: dict[str, bytes] = {}
    try:
        with open_zip(data, what) as archive:
            for info in archive.infolist():
                name = info.filename
                if name.startswith(("/", "\\")) or ".." in name.replace("\\", "/").split("/"):
                    raise BundleError(
                        f"{what} holds an unsafe member path {name!r}; "
                        f"members must be {list(_MEMBERS)}."
                    )
                base = name.rsplit("/", 1)[-1]
                if info.is_dir():
                    continue
                if base not in _MEMBERS or name.count("/") > 1:
                    raise BundleError(
                        f"{what} holds an unexpected member {name!r}; "
                        f"only {list(_MEMBERS)} are accepted."
                    )
                if base in members:
                    raise BundleError(f"{what} holds {base} twice.")
                limit = _MAX_MANIFEST_BYTES if base.endswith(".json") else _MAX_WEIGHTS_BYTES
                members[base] = read_member(archive, info, limit, f"{name} of {what}")
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, ValueError) as error:
        if isinstance(error, BundleError):
            raise
        raise BundleError(f"{what} is corrupt or truncated: {error}") from None
    missing = [m for m in _MEMBERS if m not in members]
    if missing:
        raise BundleError(f"{what} lacks {missing}; it needs {list(_MEMBERS)}.")
    return members


def save_target(path: object) -> Path:
    """``path`` as :meth:`Bundle.save` writes it, or the InvalidInputError it raises."""
    target = writable_path(path, "path", "a bundle folder or .zip")
    is_zip = target.suffix.lower() == ".zip"
    if target.exists() and target.is_dir() == is_zip:
        raise InvalidInputError(
            f"`path` must name a folder (new or existing) or, ending in .zip, a zip "
            f"file; {str(target)!r} is an existing {'folder' if is_zip else 'file'}."
        )
    for written in [target] if is_zip else [target / member for member in _MEMBERS]:
        check_replaceable(written)  # and again as it is written
    return target


def bundle_from_parts(
    manifest: dict[str, Any], arrays: Mapping[str, FloatArray], where: str = "the new bundle"
) -> Bundle:
    """Validate a manifest and its arrays (as loading does) and build a :class:`Bundle`."""
    manifest = _parse_manifest(json.dumps(manifest).encode("utf-8"), where)
    # As a folder's manifest.json, with its final newline, the larger of save's two forms.
    _check_manifest_size(len(_manifest_text(manifest).encode("utf-8")) + 1, where)
    buffer = io.BytesIO()
    np.savez(buffer, allow_pickle=False, **{k: np.asarray(v) for k, v in arrays.items()})
    checked = _parse_weights(buffer.getvalue(), manifest, where)
    return _assemble(manifest, checked)


def _check_manifest_size(size: int, where: str) -> None:
    """Refuse a manifest.json of ``size`` bytes that load_bundle would not read."""
    if size > _MAX_MANIFEST_BYTES:
        raise BundleError(
            f"manifest.json of {where} would take {size:,} bytes; load_bundle reads at most "
            f"{_MAX_MANIFEST_BYTES:,}."
        )


def _assemble(manifest: dict[str, Any], arrays: dict[str, FloatArray | BucketArray]) -> Bundle:
    # _parse_weights gives float64 for all but the TF-IDF model's per-bucket arrays.
    wide = cast(dict[str, FloatArray], arrays)
    calibration = arrays["calibration"]
    return Bundle(
        manifest=manifest,
        mean=wide["mean"],
        scale=wide["scale"],
        coef=wide["coef"],
        intercept=float(arrays["intercept"][0]),
        calibration=(float(calibration[0]), float(calibration[1])),
        ngram_coef=wide.get("ngram_coef"),
        tfidf_idf=arrays.get("tfidf_idf"),
        tfidf_coef=arrays.get("tfidf_coef"),
        tfidf_intercept=float(arrays["tfidf_intercept"][0]) if "tfidf_intercept" in arrays else 0.0,
    )


def load_bundle(path: str | os.PathLike[str] | None = None) -> Bundle:
    """Load and validate a model bundle; ``None`` loads the one shipped with autodm.

    Parameters
    ----------
    path : str or path object (``pathlib.Path``, any ``os.PathLike``), optional
        A bundle folder, or a ``.zip`` holding ``manifest.json`` and ``weights.npz``.

    Raises
    ------
    BundleError
        If the bundle is missing, corrupt, of a newer format, or holds anything
        but the expected JSON and float arrays.

    Examples
    --------
    >>> bundle = load_bundle()
    >>> 0.0 < bundle.threshold < 1.0
    True
    """
    if path is None:
        folder = data_files().joinpath("model")
        raw = {name: folder.joinpath(name).read_bytes() for name in _MEMBERS}
        where = "the bundled model"
    else:
        if isinstance(path, os.PathLike) and isinstance(os.fspath(path), str):
            path = Path(path)  # any path object, as save() takes (pytest's tmpdir, say)
        if not isinstance(path, str | Path):
            raise BundleError(
                f"`path` must be a str or path object (pathlib.Path, os.PathLike) of a bundle "
                f"folder or .zip, or None. Got {describe(path)} instead."
            )
        if str(path) == "":  # Path("") is the current folder, which nobody means by ""
            raise BundleError(
                "`path` is empty; give the path of a bundle folder or .zip, or None for the "
                "bundled model."
            )
        where = repr(str(path))
        raw = _read_members(Path(path))
    manifest = _parse_manifest(raw["manifest.json"], where)
    arrays = _parse_weights(raw["weights.npz"], manifest, where)
    return _assemble(manifest, arrays)
