"""Reading a user's data file: only a regular file, never through a link, its size known first.

A FIFO named `projects/02-x.yaml` used to hang `check` and `build`; a project file linked to
/dev/zero was read without end; a 1.5 GB file was read whole before the size limit refused it.
Here a file is opened with O_NOFOLLOW | O_NONBLOCK (a FIFO or a link cannot block or redirect
the open), checked with fstat on the opened descriptor (what is read is what was checked), its
size compared with the limit before a byte is read, and read no further than the limit.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the build's digest walks the tree without loading the checks
    from pipeline.problems.records import Issues, Loc

_KINDS = {
    stat.S_IFDIR: "文件夹",
    stat.S_IFIFO: "命名管道（FIFO）",
    stat.S_IFCHR: "字符设备",
    stat.S_IFBLK: "块设备",
    stat.S_IFSOCK: "套接字",
    stat.S_IFLNK: "符号链接",
}


NO_PERMISSION = "没有读取权限（请让运行 annex 的用户能读取它，例如 chmod u+r）"


class Refused(Exception):
    """A file annex will not read: `code` is its catalogue code, `fields` the template's fields."""

    def __init__(self, code: str, **fields: object):
        super().__init__(code)
        self.code = code
        self.fields = fields


def kind_of(mode: int) -> str:
    return _KINDS.get(stat.S_IFMT(mode), "特殊文件")


def size_text(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n} 字节"


def _link_target(path: Path) -> str:
    try:
        return os.fsencode(os.readlink(path)).decode("utf-8", "backslashreplace")
    except OSError:
        return "?"


def _refuse_mode(path: Path, mode: int) -> None:
    if stat.S_ISLNK(mode):
        raise Refused("data-symlink", target=_link_target(path))
    if not stat.S_ISREG(mode):
        raise Refused("data-not-regular", kind=kind_of(mode))


def _unreadable(exc: OSError) -> Refused:
    if exc.errno in (errno.EACCES, errno.EPERM):
        return Refused("file-unreadable", reason=NO_PERMISSION)
    return Refused("file-unreadable", reason=exc.strerror or str(exc))


def read_regular(path: Path, limit: int) -> bytes:
    """The bytes of `path`, a regular file of at most `limit` bytes; else `Refused`
    (FileNotFoundError when there is nothing there)."""
    try:
        _refuse_mode(path, os.lstat(path).st_mode)  # not even opened: a device open can act
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # became a link after the lstat
            raise Refused("data-symlink", target=_link_target(path)) from None
        raise _unreadable(exc) from None
    try:
        st = os.fstat(fd)
        _refuse_mode(path, st.st_mode)
        if st.st_size > limit:
            raise Refused("file-too-large", size=size_text(st.st_size), limit=size_text(limit))
        chunks, total = [], 0
        while True:  # up to one byte past the limit: a file growing while read is refused too
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise Refused("file-too-large", size=f"超过 {size_text(limit)}", limit=size_text(limit))
        return b"".join(chunks)
    except OSError as exc:
        raise _unreadable(exc) from None
    finally:
        os.close(fd)


def read_or_report(path: Path, limit: int, loc: Loc, issues: Issues) -> bytes | None:
    """read_regular, with a refusal recorded in `issues` at `loc` (None then)."""
    try:
        return read_regular(path, limit)
    except FileNotFoundError:
        issues.report("file-unreadable", loc, reason="文件在读取时不见了")
    except Refused as r:
        issues.report(r.code, loc, **r.fields)
    return None
