"""Reading a bundle's files and zip members with bounded memory, whatever they claim.

Sizes come from whoever made the file: a file under ``/proc`` reports 0 whatever it holds,
and a zip member's header states its size and leaves the data to say otherwise. So files
and members are read in chunks, and reading stops with :class:`~autodm.BundleError` as
soon as more bytes come out than the caller allows. Only stored and deflated zip members
are read: Python's zipfile inflates those a chunk at a time, but decompresses a bzip2 or
LZMA member whole in one call, whatever size it was asked for.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import IO, Final

from .errors import BundleError

__all__ = ["MAX_ZIP_ENTRIES", "open_zip", "read_at_most", "read_file", "read_member"]

#: Bytes asked for per read: a hostile file costs at most this much memory past the limit.
_CHUNK: Final = 1 << 16
#: The compression methods read: those that Bundle.save and numpy.savez(_compressed) write.
_METHODS: Final = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflated"}
#: How each entry of a zip's central directory begins. zipfile refuses an entry that does
#: not, so a zip whose bytes hold the signature n times has at most n entries to parse.
_ENTRY_SIGNATURE: Final = b"PK\x01\x02"
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
    method = _METHODS.get(info.compress_type)
    if method is None:
        raise BundleError(
            f"{what} is compressed with zip method {info.compress_type}; only stored (0) and "
            "deflated (8) members are read."
        )
    if info.flag_bits & 0x1:
        raise BundleError(f"{what} is encrypted.")
    if info.file_size > limit:  # refused before reading; the read below is bounded anyway
        raise BundleError(f"{what} is larger than {limit} bytes.")
    with archive.open(info) as stream:
        return read_at_most(stream, limit, what)
