"""File access for the archive: never through a symlink, only regular files, sizes checked first.

Everything annex writes under build/archive/ is created here with O_EXCL and O_NOFOLLOW, so a link
planted where a file is about to be written makes the write fail instead of landing elsewhere; and
everything it reads from a version is opened with O_NOFOLLOW (and O_NONBLOCK, so a FIFO planted in
its place cannot hang `annex verify`) and checked to be a regular file before a byte is read.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

CHUNK = 1 << 20
MAX_MANIFEST_BYTES = 64 << 20  # a manifest of 10,000 tables is ~3 MB
_READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


class NotRegular(OSError):
    """The path is a symlink, a folder, a FIFO or a device: the archive holds regular files only."""


class TooLarge(OSError):
    """Larger than a file of its kind can be."""


@dataclass(frozen=True)
class Hashed:
    sha256: str
    mode: int  # permission bits
    size: int


def _open_regular(path: Path | str) -> tuple[int, os.stat_result]:
    try:
        fd = os.open(path, _READ_FLAGS)
    except OSError as e:
        if e.errno == 40:  # ELOOP: the last component is a symlink
            raise NotRegular(e.errno, "symbolic link", str(path)) from None
        raise
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise NotRegular(0, "not a regular file", str(path))
    return fd, st


def read_regular(path: Path | str, limit: int = MAX_MANIFEST_BYTES) -> bytes:
    """The bytes of a regular file that is not a symlink and not larger than `limit`."""
    fd, st = _open_regular(path)
    with os.fdopen(fd, "rb") as f:
        if st.st_size > limit:
            raise TooLarge(0, f"larger than {limit} bytes", str(path))
        data = f.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(0, f"larger than {limit} bytes", str(path))
    return data


def hash_regular(path: Path | str) -> Hashed:
    """sha256, permission bits and size of a regular file (never through a symlink)."""
    fd, st = _open_regular(path)
    h = hashlib.sha256()
    with os.fdopen(fd, "rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            h.update(chunk)
    return Hashed(h.hexdigest(), stat.S_IMODE(st.st_mode), st.st_size)


def copy_new(src: Path | str, dest: Path, mode: int) -> Hashed:
    """Copy a regular file (not a link) to a new file `dest` (which must not exist, not even as a
    link), with the given permissions; returns the hash of the bytes written."""
    fd_in, st = _open_regular(src)
    h = hashlib.sha256()
    with os.fdopen(fd_in, "rb") as fin, os.fdopen(os.open(dest, _CREATE_FLAGS, 0o600), "wb") as fout:
        size = 0
        for chunk in iter(lambda: fin.read(CHUNK), b""):
            h.update(chunk)
            fout.write(chunk)
            size += len(chunk)
        fout.flush()
        os.fchmod(fout.fileno(), mode)
        os.fsync(fout.fileno())
    return Hashed(h.hexdigest(), mode, size)


def write_new(path: Path, data: bytes, mode: int) -> None:
    """Write a new file (refusing an existing file or link at `path`), fsync it, set its mode."""
    with os.fdopen(os.open(path, _CREATE_FLAGS, 0o600), "wb") as f:
        f.write(data)
        f.flush()
        os.fchmod(f.fileno(), mode)
        os.fsync(f.fileno())


def replace_file(path: Path, data: bytes, mode: int) -> None:
    """Replace `path` in one step (readers see the old or the new file): written under a new name in
    the same folder, then renamed over it. A rename replaces a symlink at `path`, never its target."""
    tmp = path.parent / f".{path.name}.{os.getpid()}.tmp"
    try:
        os.unlink(tmp)  # left by a killed process with our pid
    except FileNotFoundError:
        pass
    try:
        write_new(tmp, data, mode)
        os.rename(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    fsync_dir(path.parent)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def lstat(path: Path | str) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        return None


def is_real_dir(path: Path | str) -> bool:
    st = lstat(path)
    return st is not None and stat.S_ISDIR(st.st_mode)


def mode_text(mode: int) -> str:
    return f"{mode:04o}"
