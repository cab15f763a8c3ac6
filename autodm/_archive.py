"""Reading a bundle's files with bounded memory, whatever their sizes claim.

A file's size as ``stat`` reports it may be wrong (files under ``/proc`` report 0), so
files are read in chunks, and reading stops with :class:`~autodm.BundleError` as soon as
more bytes come out than the caller allows.
"""

from __future__ import annotations

from typing import BinaryIO, Final

from .errors import BundleError

__all__ = ["read_at_most"]

#: Bytes asked for per read: a hostile file costs at most this much memory past the limit.
_CHUNK: Final = 1 << 16


def read_at_most(stream: BinaryIO, limit: int, what: str) -> bytes:
    """All of ``stream``, or a BundleError once more than ``limit`` bytes come out of it."""
    chunks: list[bytes] = []
    size = 0
    while chunk := stream.read(min(_CHUNK, limit + 1 - size)):
        size += len(chunk)
        if size > limit:
            raise BundleError(f"{what} is larger than {limit} bytes.")
        chunks.append(chunk)
    return b"".join(chunks)
