"""Edits made in the outputs are never lost: before a build replaces build/<year>/, every file
there is compared with what annex recorded writing. A generated file that was changed (a typo fixed
in Word) or a file annex never wrote (a note saved beside the tables) is moved, with its place
inside the folder, to build/<year>.已修改-<时间>/ and listed in the build's summary. The data still
decides the new outputs; `annex import` reads a Word edit back.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

CHUNK = 1 << 20
KEPT_MARK = ".已修改-"


def _sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def find_edits(build_dir: Path, recorded: dict[str, str], own: frozenset[str] = frozenset()) -> list[str]:
    """Paths (relative, '/') under `build_dir` that are not as annex wrote them: changed outputs and
    files (or links) annex did not write. `recorded`: path -> sha256 of each output; `own`: annex's
    bookkeeping files, never an edit."""
    found = []
    if not build_dir.is_dir():
        return found
    for parent, dirs, names in os.walk(build_dir):
        rel_dir = os.path.relpath(parent, build_dir)
        for name in names + [d for d in dirs if os.path.islink(os.path.join(parent, d))]:
            path = os.path.join(parent, name)
            rel = name if rel_dir == "." else f"{rel_dir}/{name}".replace(os.sep, "/")
            if rel in own:
                continue
            want = recorded.get(rel)
            if want is None or os.path.islink(path) or not os.path.isfile(path) or _sha256(path) != want:
                found.append(rel)
    return sorted(found)


def kept_dir(out: Path, year: int, now: float | None = None) -> Path:
    """build/<year>.已修改-<时间>/ (local time, to the second; a suffix when that one exists)."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    base = out / f"{year}{KEPT_MARK}{stamp}"
    candidate, n = base, 1
    while os.path.lexists(candidate):
        n += 1
        candidate = base.with_name(f"{base.name}-{n}")
    return candidate


def set_aside(build_dir: Path, rels: list[str], dest: Path) -> list[Path]:
    """Move each of `rels` from `build_dir` to the same place under `dest` (a rename: the same
    file system, nothing copied, nothing lost if interrupted). Returns the new paths."""
    moved = []
    for rel in rels:
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        os.rename(build_dir / rel, target)
        moved.append(target)
    return moved
