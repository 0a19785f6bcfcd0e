"""Writing: every file annex creates refuses links and is durable when the call returns.

A new file is created here (O_EXCL) and never through a link (O_NOFOLLOW), so a link planted where a
file is about to be written makes the write fail instead of landing elsewhere. A file replaced is
written under a new name in its folder and renamed over the old one: readers see the old or the new
file, never a mix, and a rename replaces a link at the path, never its target.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from pipeline.files.digest import CHUNK, Hashed
from pipeline.files.read import open_regular

CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


def fsync_dir(path: Path) -> None:
    """Make a folder's entries (new names, renames) durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def create_new(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write and fsync a new file (refusing an existing file or link at `path`). With `mode` its
    permissions are exactly those; without, 0644 as the umask leaves them."""
    fd = os.open(path, CREATE_FLAGS, 0o644 if mode is None else 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        if mode is not None:
            os.fchmod(f.fileno(), mode)
        os.fsync(f.fileno())


def write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Replace `path` with `data` so that readers see the old or the new file, never a mix. The
    temporary file (`.<name>.<pid>.<random>.tmp` beside it) is created new (mkstemp: O_EXCL); the
    pid lets the next command tell one a killed process left from one being written now."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fchmod(f.fileno(), mode)
            os.fsync(f.fileno())
        _replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def _replace(tmp: str, path: Path) -> None:
    """os.replace, whose error names the file the user asked for: the temporary name (gone once
    the error is handled) is no place a message can send anyone to (`--out x.xlsx` being a folder)."""
    try:
        os.replace(tmp, path)
    except OSError as e:
        raise type(e)(e.errno, e.strerror, str(path)) from e


def temp_pattern(name: str) -> str:
    """A regular expression for the temporary names `write_atomic(<folder>/name)` uses, which a
    killed process may leave behind (the archive clears and verify names them)."""
    return rf"\.{re.escape(name)}\.(?:\d+\.)?[A-Za-z0-9_]+\.tmp"


def copy_new(src: Path | str, dest: Path, mode: int) -> Hashed:
    """Copy a regular file (not a link) to a new file `dest` (which must not exist, not even as a
    link), with the given permissions; returns the hash of the bytes written."""
    fd_in, _ = open_regular(src)
    h = hashlib.sha256()
    with os.fdopen(fd_in, "rb") as fin, os.fdopen(os.open(dest, CREATE_FLAGS, 0o600), "wb") as fout:
        size = 0
        for chunk in iter(lambda: fin.read(CHUNK), b""):
            h.update(chunk)
            fout.write(chunk)
            size += len(chunk)
        fout.flush()
        os.fchmod(fout.fileno(), mode)
        os.fsync(fout.fileno())
    return Hashed(h.hexdigest(), mode, size)
