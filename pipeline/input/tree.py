"""The year folder as one tree of regular files and folders, walked without following links.

Change detection (the build's data digest), reading (`check`) and archiving must see the same
files. A `projects/` linked to a folder elsewhere was read by `check`, not walked by the digest
(a changed figure gave "没有变化") and not copied by the archive. So a year folder holds folders
and regular files only: a symbolic link (to anything, anywhere), a FIFO, a device or a socket is
an error located at it, and so is a folder named like a data file or a name that is not UTF-8.
Nothing under the year folder is ever followed out of it. (The year folder itself, and the data
folder, may be links: they are where the user keeps the data.)
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the build's digest walks the tree without loading the checks
    from pipeline.problems.records import Issues
from pipeline.files.paths import link_target
from pipeline.files.read import kind_of

# A folder with one of these names is a mistake (e.g. a folder named 预算执行.csv): say so, not skip it.
DATA_SUFFIXES = (".yaml", ".yml", ".csv", ".xlsx")


@dataclass(frozen=True)
class Refusal:
    rel: str  # inside the year folder, "/"-separated, printable
    code: str
    fields: dict  # as data: pipeline/problems/refusals.py gives the words


@dataclass
class Scan:
    files: dict[str, Path] = field(default_factory=dict)  # rel -> path, regular files only
    refused: list[Refusal] = field(default_factory=list)


def printable(name: str) -> str:
    """A file name as text that can be printed and encoded: undecodable bytes as \\xNN."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def name_ok(name: str) -> bool:
    try:
        name.encode("utf-8")
        return True
    except UnicodeEncodeError:  # os.listdir's surrogate escapes: the name's bytes are not UTF-8
        return False


def scan(year_dir: Path) -> Scan:
    out = Scan()
    folders = [(Path(year_dir), "")]  # a stack, not recursion: a folder nested 10,000 deep is fine
    while folders:
        folder, prefix = folders.pop()
        folders.extend(reversed(_list(folder, prefix, out)))
    out.files = dict(sorted(out.files.items()))
    return out


def _list(folder: Path, prefix: str, out: Scan) -> list[tuple[Path, str]]:
    """Record one folder's files and refusals; return its sub-folders to walk."""
    subfolders: list[tuple[Path, str]] = []
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: os.fsencode(e.name))
    except OSError as exc:
        reason = "permission" if isinstance(exc, PermissionError) else (exc.strerror or str(exc))
        out.refused.append(Refusal(prefix.rstrip("/") or ".", "file-unreadable", {"reason": reason}))
        return subfolders
    for e in entries:
        rel = prefix + printable(e.name)
        if not name_ok(e.name):
            out.refused.append(Refusal(rel, "data-name-encoding", {}))
            continue
        try:
            mode = e.stat(follow_symlinks=False).st_mode
        except OSError:
            continue  # removed while walked
        if stat.S_ISLNK(mode):
            out.refused.append(Refusal(rel, "data-symlink", {"target": link_target(e.path)}))
        elif stat.S_ISDIR(mode):
            if e.name.lower().endswith(DATA_SUFFIXES):
                out.refused.append(Refusal(rel, "data-not-regular", {"kind": kind_of(mode)}))
            else:
                subfolders.append((Path(e.path), rel + "/"))
        elif stat.S_ISREG(mode):
            out.files[rel] = Path(e.path)
        else:
            out.refused.append(Refusal(rel, "data-not-regular", {"kind": kind_of(mode)}))
    return subfolders


def report(found: Scan, shown_dir: str, issues: Issues) -> None:
    """Each refused entry once, at its path as the user sees it."""
    from pipeline.problems.refusals import refusal_fields
    from pipeline.problems.records import Loc

    for r in found.refused:
        where = shown_dir if r.rel == "." else f"{shown_dir}/{r.rel}"
        issues.report(r.code, Loc(where), **refusal_fields(r.code, r.fields))


def file_hashes(year_dir: Path) -> dict[str, str]:
    """rel -> sha256 of every regular file, and a marker for every refused entry: whatever is
    added, removed, linked or changed under the year folder changes these (read in chunks, never
    through a link)."""
    found = scan(year_dir)
    hashes = {}
    for rel, path in found.files.items():
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError as exc:
            hashes[rel] = _marker(f"unreadable:{exc.errno}")
            continue
        h = hashlib.sha256()
        try:
            with os.fdopen(fd, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
        except OSError as exc:
            hashes[rel] = _marker(f"unreadable:{exc.errno}")
            continue
        hashes[rel] = h.hexdigest()
    for r in found.refused:
        hashes[r.rel] = _marker(f"{r.code}:{sorted(r.fields.items())}")
    return hashes


def _marker(text: str) -> str:
    return hashlib.sha256(b"annex-refused\0" + text.encode("utf-8", "backslashreplace")).hexdigest()


def is_regular(path: Path) -> bool:
    """A regular file, not a link, with a UTF-8 name: what the loaders read (the rest `scan` reports)."""
    try:
        return name_ok(path.name) and stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def entries(folder: Path) -> list[Path]:
    """A folder's entries, [] when it cannot be listed (`scan` reports why)."""
    try:
        return list(folder.iterdir())
    except OSError:
        return []


def listable(folder: Path) -> bool:
    """The folder's entries can be read (else `scan` reported it: nothing more to say about it)."""
    try:
        with os.scandir(folder):
            return True
    except OSError:
        return False
