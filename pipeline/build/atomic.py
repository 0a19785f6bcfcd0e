"""Writing outputs so that a reader never sees half a file or half a build, and one build at a time.

Files go to a temporary name in their own folder and are renamed into place after an fsync. A whole
build is written into a staging folder and swapped with the live folder in one rename, so the live
folder always holds a complete build. `build_lock` serialises builds of one output folder.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import shutil
import stat
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline.errors import Abort
from pipeline.files import display_path, fsync_dir, write_atomic, write_file  # noqa: F401  (re-exported: the build imports them here)

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


class UnsafeLock(Abort):
    """The lock file is a link, a FIFO or a device: annex would write through it."""


class LockBusy(Abort):
    """Another process holds the lock and did not release it in time."""

    def __init__(self, path: Path, holder: str, wait: float, subject: str):
        who = f"（进程 {holder}）" if holder else ""
        waited = f"，等待 {wait:g} 秒后仍未结束" if wait > 0 else ""
        super().__init__(f"另一次生成{who}正在写入 {subject}{waited}；请稍后再试（锁文件 {display_path(path)}）")
        self.path = path
        self.holder = holder


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux renameat2); False where the system cannot."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(a), None, str(b))


def swap_in(staging: Path, target: Path, aside: Path,
            before_delete: Callable[[Path], object] | None = None) -> None:
    """Put the complete folder `staging` at `target`; the previous `target` is deleted (after
    `before_delete`, given where it now is, has moved out what is not annex's).

    With an atomic exchange there is no moment without a complete `target`. Without it, the old
    folder waits at `aside` until the new one is in place; `recover_aside` puts it back if the
    process died in between.
    """
    if not target.exists():
        os.rename(staging, target)
    elif _exchange(staging, target):
        if before_delete is not None:
            before_delete(staging)  # now holds the previous build
        remove_tree(staging)
    else:
        os.rename(target, aside)
        os.rename(staging, target)
        if before_delete is not None:
            before_delete(aside)
        remove_tree(aside)
    fsync_dir(target.parent)


def recover_aside(target: Path, aside_dirs: list[Path]) -> None:
    """After a crash between the two renames of `swap_in`'s fallback: restore the previous build."""
    for aside in aside_dirs:
        if not target.exists():
            os.rename(aside, target)
        else:
            remove_tree(aside)


def remove_tree(path: Path) -> None:
    """Delete a folder, including read-only files and folders inside it (a half-made archive version)."""

    def make_writable_and_retry(func, p, _exc):
        parent = os.path.dirname(p)
        os.chmod(parent, os.stat(parent).st_mode | stat.S_IWUSR | stat.S_IXUSR)
        if os.path.isdir(p) and not os.path.islink(p):
            os.chmod(p, os.stat(p).st_mode | stat.S_IWUSR | stat.S_IXUSR | stat.S_IRUSR)
        func(p)

    if path.is_symlink():
        path.unlink()  # the link only: never what it points to
    elif path.exists():
        shutil.rmtree(path, onerror=make_writable_and_retry)


@contextmanager
def build_lock(path: Path, wait: float, on_wait: Callable[[str], None] | None = None,
               subject: str = "") -> Iterator[int]:
    """Hold an exclusive lock on `path` (flock), waiting up to `wait` seconds for another holder.
    `subject`: what the lock guards, as LockBusy's message names it (default: the lock's folder).

    The holder writes its pid into the file so that a waiting process can say who it waits for.
    The lock goes away with the process, so a killed build never leaves a stale lock. Yields the
    descriptor, which forked children must close so that the lock does not outlive the build.
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
        raise UnsafeLock(f"锁文件 {path} 是一个符号链接，不是 annex 创建的；annex 不经过链接写入。"
                         "请删除这个链接后再运行") from None
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise UnsafeLock(f"锁文件 {path} 不是普通文件；请删除它后再运行")
    if st.st_nlink != 1:  # a hard link to another file: writing the pid would overwrite that file
        os.close(fd)
        raise UnsafeLock(f"锁文件 {path} 另有硬链接（与别的文件是同一个文件），annex 不写入它；请删除它后再运行")
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
