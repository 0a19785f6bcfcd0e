"""One process at a time: an exclusive lock on a file (flock), the holder's pid written in it.

The lock goes away with the process, so a killed build never leaves a stale lock. The lock file is
created or reused, but never through a link or onto a FIFO or device.
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline.errors import Abort
from pipeline.files.paths import display_path
from pipeline.problems.stops import LOCK_HOLDER, LOCK_WAITED


class UnsafeLock(Abort):
    """The lock file is a link, a FIFO or a device: annex would write through it."""


class LockBusy(Abort):
    """Another process holds the lock and did not release it in time."""

    def __init__(self, path: Path, holder: str, wait: float, subject: str):
        who = LOCK_HOLDER.format(pid=holder) if holder else ""
        waited = LOCK_WAITED.format(seconds=wait) if wait > 0 else ""
        super().__init__("lock-busy", who=who, subject=subject, waited=waited, lock=display_path(path))
        self.path = path
        self.holder = holder


@contextmanager
def hold_lock(path: Path, wait: float, on_wait: Callable[[str], None] | None = None,
              subject: str = "") -> Iterator[int]:
    """Hold an exclusive lock on `path` (flock), waiting up to `wait` seconds for another holder.
    `subject`: what the lock guards, as LockBusy's message names it (default: the lock's folder).

    The holder writes its pid into the file so that a waiting process can say who it waits for.
    Yields the descriptor, which forked children must close so that the lock does not outlive
    the holder.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    subject = subject or display_path(path.parent)
    fd = _open_lock(path)
    try:
        if not _try_lock(fd):
            holder = _holder(fd)
            if wait <= 0:
                raise LockBusy(path, holder, wait, subject)
            if on_wait:
                on_wait(holder)
            deadline = time.monotonic() + wait
            while not _try_lock(fd):
                if time.monotonic() >= deadline:
                    raise LockBusy(path, _holder(fd), wait, subject)
                time.sleep(0.05)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield fd
    finally:
        os.close(fd)  # closing releases the flock


def _open_lock(path: Path) -> int:
    """The lock file, created or reused, but never through a link or onto a FIFO or device: the
    holder truncates it and writes its pid."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        if exc.errno != errno.ELOOP:
            raise
        raise UnsafeLock("lock-link", lock=path) from None
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise UnsafeLock("lock-not-regular", lock=path)
    if st.st_nlink != 1:  # a hard link to another file: writing the pid would overwrite that file
        os.close(fd)
        raise UnsafeLock("lock-hard-link", lock=path)
    return fd


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def _holder(fd: int) -> str:
    text = os.pread(fd, 32, 0).decode(errors="replace").strip()
    return text if text.isdigit() else ""
