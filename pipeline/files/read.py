"""Reading a file annex did not write: only a regular file, never through a link, its size known first.

A FIFO named `projects/02-x.yaml` used to hang `check` and `build`; a project file linked to
/dev/zero was read without end; a 1.5 GB file was read whole before the size limit refused it.
Here a file is opened with O_NOFOLLOW | O_NONBLOCK (a FIFO or a link cannot block or redirect
the open), checked with fstat on the opened descriptor (what is read is what was checked), its
size compared with the limit before a byte is read, and read no further than the limit.

A refusal is an `OSError` (callers that treat any unreadable file alike keep doing so) carrying the
catalogue code that reports it and its fields as data (a kind of file as a key of
`problems.refusals.FILE_KIND`, sizes in bytes); the reader that reports it to the user turns them
into words (`input/read_file.py`).
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from pipeline.files.paths import link_target

READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC

_KINDS = {
    stat.S_IFDIR: "folder",
    stat.S_IFIFO: "fifo",
    stat.S_IFCHR: "char-device",
    stat.S_IFBLK: "block-device",
    stat.S_IFSOCK: "socket",
    stat.S_IFLNK: "symlink",
}


class Refused(OSError):
    """A file annex will not read: `code` is its catalogue code, `fields` the template's fields as data."""

    def __init__(self, code: str, **fields: object):
        super().__init__(code)
        self.code = code
        self.fields = fields

    def __reduce__(self):
        return _rebuild, (type(self), self.code, self.fields)


def _rebuild(cls, code, fields):
    return cls(code, **fields)


class NotRegular(Refused):
    """A symlink (`data-symlink`, field `target`) or not a regular file (`data-not-regular`, `kind`)."""


class TooLarge(Refused):
    """Larger than `limit` bytes (`file-too-large`; `size` None when it grew past the limit while read)."""


class Unreadable(Refused):
    """The system refused the read (`file-unreadable`; `reason` "permission" or the system's words)."""


def kind_of(mode: int) -> str:
    """The kind of a file that is not regular, as a key of `problems.refusals.FILE_KIND`."""
    return _KINDS.get(stat.S_IFMT(mode), "special")


def refuse_mode(path: Path | str, mode: int) -> None:
    """Raise `NotRegular` unless `mode` (from lstat or fstat) is a regular file's."""
    if stat.S_ISLNK(mode):
        raise NotRegular("data-symlink", target=link_target(path))
    if not stat.S_ISREG(mode):
        raise NotRegular("data-not-regular", kind=kind_of(mode))


def unreadable(exc: OSError) -> Unreadable:
    if exc.errno in (errno.EACCES, errno.EPERM):
        return Unreadable("file-unreadable", reason="permission")
    return Unreadable("file-unreadable", reason=exc.strerror or str(exc))


def open_regular(path: Path | str) -> tuple[int, os.stat_result]:
    """A descriptor open on a regular file at `path` (not a link, not a FIFO or device), and its status."""
    try:
        fd = os.open(path, READ_FLAGS)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # the last component is a symlink
            raise NotRegular("data-symlink", target=link_target(path)) from None
        raise
    st = os.fstat(fd)
    try:
        refuse_mode(path, st.st_mode)
    except NotRegular:
        os.close(fd)
        raise
    return fd, st


def read_regular(path: Path | str, limit: int) -> bytes:
    """The bytes of `path`, a regular file of at most `limit` bytes; else `Refused`
    (FileNotFoundError when there is nothing there)."""
    try:
        refuse_mode(path, os.lstat(path).st_mode)  # not even opened: a device open can act
        fd, st = open_regular(path)
    except (FileNotFoundError, Refused):
        raise
    except OSError as exc:
        raise unreadable(exc) from None
    try:
        if st.st_size > limit:
            raise TooLarge("file-too-large", size=st.st_size, limit=limit)
        chunks, total = [], 0
        while True:  # up to one byte past the limit: a file growing while read is refused too
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise TooLarge("file-too-large", size=None, limit=limit)
        return b"".join(chunks)
    except Refused:
        raise
    except OSError as exc:
        raise unreadable(exc) from None
    finally:
        os.close(fd)
