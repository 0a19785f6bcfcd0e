"""Files as annex reads, names and writes them: a file's hash, a folder's digest, a path as the user
sees it, and the safe ways to write one.

One place for each, so that what a build records, what the archive verifies and what a message
prints agree.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

CHUNK = 1 << 20


def sha256_file(path: str | os.PathLike) -> str:
    """The sha256 of a file's bytes, read in chunks (an output may be a bundle of 1000 tables)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def tree_digest(hashes: dict[str, str]) -> str:
    """One hash for a folder's files, from each file's path (relative, '/') and sha256."""
    h = hashlib.sha256()
    for rel in sorted(hashes):
        h.update(rel.encode() + b"\0")
        h.update(bytes.fromhex(hashes[rel]))
    return h.hexdigest()


def display_path(path: Path, base: Path | None = None) -> str:
    """A path as the user typed it: relative to `base` (the working directory) when inside it. A
    link at the end is named as itself, not as what it points to (only the folder holding it is
    resolved)."""
    if path.name not in ("", ".", "..") and os.path.islink(path):
        real = path.parent.resolve() / path.name
    else:
        real = path.resolve()
    try:
        return real.relative_to((base or Path.cwd()).resolve()).as_posix()
    except ValueError:
        return path.as_posix()


# --- writing: every file annex creates refuses links and is durable when the call returns ---------

def fsync_dir(path: Path) -> None:
    """Make a folder's entries (new names, renames) durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_file(path: Path, data: bytes) -> None:
    """Write and fsync a new file that nobody reads yet (inside a staging folder): created here
    (O_EXCL), never through a link (O_NOFOLLOW)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Replace `path` with `data` so that readers see the old or the new file, never a mix. The
    temporary file is created new (mkstemp: O_EXCL), so nothing is written through a link."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)
