"""Files written whole or not at all: a uniquely named partial file, renamed into place."""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

from .errors import InvalidInputError, describe

__all__ = ["check_replaceable", "replace_atomically", "writable_path"]


def writable_path(value: object, name: str, what: str) -> Path:
    """``value`` as a path to write ``what`` at, or the InvalidInputError that says why not.

    It must be a str or path, and the nearest part of it that exists must be a folder, since
    the folders that are missing are made when it is written.
    """
    if not isinstance(value, str | os.PathLike):
        raise InvalidInputError(
            f"`{name}` must be a str or path of {what}. Got {describe(value)} instead."
        )
    text = os.fsdecode(value)
    if not text or "\0" in text:  # "" is the current folder; no file system takes a NUL
        problem = "is empty" if not text else "holds a NUL character"
        raise InvalidInputError(f"`{name}` must be a path of {what}; {text!r} {problem}.")
    path = Path(value)
    existing = next((parent for parent in path.parents if parent.exists()), None)
    if existing is not None and not existing.is_dir():
        raise InvalidInputError(
            f"`{name}` must be a path whose missing folders can be made; {str(path)!r} lies "
            f"under {str(existing)!r}, which is a file."
        )
    return path


def check_replaceable(path: Path) -> os.stat_result | None:
    """The status of the file at ``path`` that a write will replace (None if there is none,
    or a link to nothing, which the write creates), or the InvalidInputError that says why
    it cannot be replaced: it is not a regular file (a folder, a named pipe, a device), or
    its status cannot be read (a loop of links)."""
    try:
        status = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise InvalidInputError(f"{str(path)!r} cannot be written: {error.strerror}.") from None
    if not stat.S_ISREG(status.st_mode):
        raise InvalidInputError(
            f"{str(path)!r} exists and is not a regular file; autodm replaces only files. "
            "Choose a new path or an existing file's."
        )
    return status


def replace_atomically(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` so that a reader sees the old file or the new, never half.

    The bytes go to a partial file of its own name beside the file, flushed to disk, which
    is then renamed over it: two writers of one path at once do not share a partial file,
    and each leaves a whole one. A symlink is followed (the file it points to is replaced,
    the link stays), and an existing file keeps its permission bits and, where the writer may
    set them, its owner and group; a new one gets the mode of any new file (0666 less the
    umask). Hard links to an existing file keep the old contents. The partial file is removed
    if anything fails, and the OSError raised. Anything but a regular file (a device, a
    named pipe) is refused, not replaced.
    """
    target = Path(os.path.realpath(target))
    target.parent.mkdir(parents=True, exist_ok=True)  # missing folders, a link's included
    before = check_replaceable(target)
    partial = target.with_name(f".{target.name}.{secrets.token_hex(8)}.partial")
    try:
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        if before is not None:
            os.chmod(partial, stat.S_IMODE(before.st_mode) & 0o777)
            with contextlib.suppress(OSError):  # only the owner's own ids, unless privileged
                os.chown(partial, before.st_uid, before.st_gid)
        os.replace(partial, target)
    except BaseException:
        with contextlib.suppress(OSError):  # the first error is the one to report
            partial.unlink(missing_ok=True)
        raise
