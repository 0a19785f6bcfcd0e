"""Hashes: a file's sha256, a regular file's hash with its mode and size, a folder's digest."""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from pipeline.files.read import open_regular

CHUNK = 1 << 20


@dataclass(frozen=True)
class Hashed:
    sha256: str
    mode: int  # permission bits
    size: int


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | os.PathLike) -> str:
    """The sha256 of a file's bytes, read in chunks (an output may be a bundle of 1000 tables)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def hash_regular(path: Path | str) -> Hashed:
    """sha256, permission bits and size of a regular file (never through a symlink)."""
    fd, st = open_regular(path)
    h = hashlib.sha256()
    with os.fdopen(fd, "rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            h.update(chunk)
    return Hashed(h.hexdigest(), stat.S_IMODE(st.st_mode), st.st_size)


def tree_digest(hashes: dict[str, str]) -> str:
    """One hash for a folder's files, from each file's path (relative, '/') and sha256."""
    h = hashlib.sha256()
    for rel in sorted(hashes):
        h.update(rel.encode() + b"\0")
        h.update(bytes.fromhex(hashes[rel]))
    return h.hexdigest()
