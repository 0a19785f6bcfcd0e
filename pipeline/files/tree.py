"""Folders: removing one annex made, and swapping a complete folder into place in one step.

A whole build is written into a staging folder and swapped with the live folder in one rename, so
the live folder always holds a complete build.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import stat
from collections.abc import Callable
from pathlib import Path

from pipeline.files.write import fsync_dir

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


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


def exchange(a: Path, b: Path) -> bool:
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
    elif exchange(staging, target):
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
