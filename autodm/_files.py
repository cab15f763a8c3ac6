"""Files written whole or not at all: a uniquely named partial file, renamed into place."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

__all__ = ["replace_atomically"]


def replace_atomically(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` so that a reader sees the old file or the new, never half.

    The bytes go to a partial file of its own name in the same folder, which is then renamed
    over ``target``: two writers of one path at once do not share a partial file, and each
    leaves a whole one. The partial file is created with the mode of any new file (0666 less
    the umask), so the result is as readable as a file written directly, and it is removed
    if anything fails.
    """
    partial = target.with_name(f".{target.name}.{secrets.token_hex(8)}.partial")
    try:
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
        os.replace(partial, target)
    except BaseException:
        with contextlib.suppress(OSError):  # the first error is the one to report
            partial.unlink(missing_ok=True)
        raise
