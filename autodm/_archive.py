"""Reading a bundle's files, zip members and ``.npy`` arrays with bounded memory.

Sizes come from whoever made the file: a file under ``/proc`` reports 0 whatever it holds,
and a zip member's header states its size and leaves the data to say otherwise. So files
and members are read in chunks, and reading stops with :class:`~autodm.BundleError` as
soon as more bytes come out than the caller allows. Only stored and deflated zip members
are read: Python's zipfile inflates those a chunk at a time, but decompresses a bzip2 or
LZMA member whole in one call, whatever size it was asked for.

``numpy.load`` allocates the array an ``.npy`` header describes before it reads the data,
so an npz is read here instead: each array's header is parsed with
``numpy.lib.format`` and handed to the caller's check, and only then are the bytes its
shape needs read. Nothing is unpickled: an array whose dtype the check accepts holds
numbers only.
"""

from __future__ import annotations

import io
import math
import struct
import zipfile
import zlib
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import IO, Any, Final

import numpy as np
from numpy.lib import format as npy
from numpy.typing import NDArray

from .errors import BundleError

__all__ = [
    "MAX_ZIP_ENTRIES",
    "NpyHeader",
    "open_zip",
    "read_at_most",
    "read_file",
    "read_member",
    "read_npy",
    "read_npz",
]

#: What an ``.npy`` header says: the array's shape, whether it is in Fortran order, its dtype.
NpyHeader = tuple[tuple[int, ...], bool, np.dtype[Any]]

#: Bytes asked for per read: a hostile file costs at most this much memory past the limit.
_CHUNK: Final = 1 << 16
#: The compression methods read: those that Bundle.save and numpy.savez(_compressed) write.
_METHODS: Final = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflated"}
#: How each entry of a zip's central directory begins. zipfile refuses an entry that does
#: not, so a zip whose bytes hold the signature n times has at most n entries to parse.
_ENTRY_SIGNATURE: Final = b"PK\x01\x02"
#: The .npy format versions read, with the layout of their header's length field. numpy
#: writes 1.0, and 2.0 for a header over 64 KiB; 3.0 only adds UTF-8 names of fields.
_NPY_VERSIONS: Final = {(1, 0): "<H", (2, 0): "<I"}
#: Longest .npy header read: numpy's own limit (``max_header_size``) for an untrusted file.
_MAX_NPY_HEADER: Final = 10_000
#: Most entry signatures a zip may hold. A bundle zip has 2 entries (3 with a folder),
#: and its weights.npz 5 or 6, which a zip of stored members holds as they are.
MAX_ZIP_ENTRIES: Final = 64


def read_at_most(stream: IO[bytes], limit: int, what: str) -> bytes:
    """All of ``stream``, or a BundleError once more than ``limit`` bytes come out of it."""
    chunks: list[bytes] = []
    size = 0
    while chunk := stream.read(min(_CHUNK, limit + 1 - size)):
        size += len(chunk)
        if size > limit:
            raise BundleError(f"{what} is larger than {limit} bytes.")
        chunks.append(chunk)
    return b"".join(chunks)


def read_file(path: Path, limit: int, what: str) -> bytes:
    """The bytes of the file at ``path``: at most ``limit`` of them, whatever stat says."""
    try:
        with path.open("rb") as stream:
            return read_at_most(stream, limit, what)
    except OSError as error:
        raise BundleError(f"{what} cannot be read: {error}") from None


def open_zip(data: bytes, what: str) -> zipfile.ZipFile:
    """``data`` opened as a zip, if it cannot hold more than :data:`MAX_ZIP_ENTRIES` entries.

    Opening a zip parses its whole central directory, at about 500 bytes of memory and
    7 µs per entry, before any of it can be looked at; counting the entry signature first
    is a bound that does not depend on which end record zipfile finds.
    """
    entries = data.count(_ENTRY_SIGNATURE)
    if entries > MAX_ZIP_ENTRIES:
        raise BundleError(
            f"{what} may list {entries} entries; at most {MAX_ZIP_ENTRIES} are read "
            "(a bundle zip has 2, its weights.npz 6)."
        )
    return zipfile.ZipFile(io.BytesIO(data))


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, what: str) -> bytes:
    """The uncompressed bytes of a stored or deflated member: at most ``limit`` of them,
    whatever its header says (a bzip2 member of 3 KB can hold 4 GB)."""
    if info.file_size > limit:  # refused before reading; the read is bounded anyway
        raise BundleError(f"{what} is larger than {limit} bytes.")
    with _open_member(archive, info, what) as stream:
        return read_at_most(stream, limit, what)


def read_npz(
    raw: bytes,
    required: Sequence[str],
    optional: Sequence[str],
    check: Callable[[str, NpyHeader], None],
    what: str,
) -> dict[str, NDArray[Any]]:
    """The arrays of an npz holding the ``required`` arrays and perhaps ``optional`` ones.

    ``check(name, header)`` sees each array's header before its data is read (see
    :func:`read_npy`). Names are as ``numpy.load`` gives them, without ``.npy``. Arrays are
    read in the order of their names, so that of several bad ones, the same one is refused
    in every run.
    """
    try:
        with open_zip(raw, what) as archive:
            members: dict[str, zipfile.ZipInfo] = {}
            for info in archive.infolist():
                name = info.filename.removesuffix(".npy")
                if name in members:
                    raise BundleError(f"{what} holds {info.filename} twice.")
                members[name] = info
            unknown = set(members) - set(required) - set(optional)
            missing = set(required) - set(members)
            if unknown or missing:
                raise BundleError(
                    f"{what} must hold {list(required)} (and optionally {list(optional)}); "
                    f"missing {sorted(missing)}, unexpected {sorted(unknown)}."
                )
            return {
                name: read_npy(archive, info, partial(check, name), f"{info.filename} in {what}")
                for name, info in sorted(members.items())
            }
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, ValueError) as error:
        if isinstance(error, BundleError):
            raise
        raise BundleError(
            f"{what} is not a readable npz of plain float arrays: {type(error).__name__}: {error}"
        ) from None


def read_npy(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    check: Callable[[NpyHeader], None],
    what: str,
) -> NDArray[Any]:
    """The read-only array of an ``.npy`` member, if ``check`` accepts its header.

    ``check`` raises BundleError for a header it refuses, before any of the array's data
    is read; then exactly the bytes that its shape and dtype take are read, and a member
    with fewer or more is refused. Memory: the array once, and a 64 KiB chunk.
    """
    with _open_member(archive, info, what) as stream:
        try:
            version = npy.read_magic(io.BytesIO(_read_exactly(stream, npy.MAGIC_LEN, what)))
        except ValueError as error:
            raise BundleError(f"{what} is not an .npy array: {error}") from None
        layout = _NPY_VERSIONS.get(version)
        if layout is None:
            raise BundleError(f"{what} is in .npy format {version}; 1.0 and 2.0 are read.")
        length_field = _read_exactly(stream, struct.calcsize(layout), what)
        (length,) = struct.unpack(layout, length_field)
        if length > _MAX_NPY_HEADER:
            raise BundleError(
                f"{what} has an .npy header of {length} bytes; at most {_MAX_NPY_HEADER} are read."
            )
        header = io.BytesIO(length_field + _read_exactly(stream, length, what))
        try:
            if version == (1, 0):
                parsed = npy.read_array_header_1_0(header, _MAX_NPY_HEADER)
            else:
                parsed = npy.read_array_header_2_0(header, _MAX_NPY_HEADER)
        except Exception as error:  # numpy's parser raises many types on hostile headers
            raise BundleError(
                f"{what} has an unreadable .npy header: {type(error).__name__}: {error}"
            ) from None
        check(parsed)
        shape, fortran_order, dtype = parsed
        if any(n < 0 for n in shape):  # a read of a negative size reads everything
            raise BundleError(f"{what} has a negative length in its shape {shape}.")
        data = _read_exactly(stream, math.prod(shape) * dtype.itemsize, what)
        if stream.read(1):
            raise BundleError(f"{what} holds more bytes than its header says its array takes.")
    return np.frombuffer(data, dtype=dtype).reshape(shape, order="F" if fortran_order else "C")


def _read_exactly(stream: IO[bytes], size: int, what: str) -> bytes:
    """The next ``size`` bytes of ``stream``; a caller bounds ``size`` before asking."""
    data = stream.read(size)
    if len(data) != size:
        raise BundleError(f"{what} is truncated: it ends {size - len(data)} bytes early.")
    return data


def _open_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, what: str) -> IO[bytes]:
    """A stream of a stored or deflated, unencrypted member's uncompressed bytes."""
    method = _METHODS.get(info.compress_type)
    if method is None:
        raise BundleError(
            f"{what} is compressed with zip method {info.compress_type}; only stored (0) and "
            "deflated (8) members are read."
        )
    if info.flag_bits & 0x1:
        raise BundleError(f"{what} is encrypted.")
    return archive.open(info)
