"""annex deletes only what it created and recorded: anything else in a replaced build is kept.

A rebuild swaps a new build/<year> in and deletes the previous one. A file the user added there
(notes, a signed scan) or changed (a table edited in Word) is not annex's to delete: before the
previous build goes, each such file is moved to build/<year>-保留/<when>/, under its own path.
What annex recorded (the state file's outputs, with the size it wrote) and the state file itself
are deleted with the build.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Mapping
from pathlib import Path

KEPT_SUFFIX = "-保留"


def kept_root(out: Path, year: int) -> Path:
    return out / f"{year}{KEPT_SUFFIX}"


def move_aside(old: Path, recorded: Mapping[str, int], ours: set[str], dest: Path) -> list[str]:
    """Move out of `old` every file that is not a recorded output of the recorded size, nor one of
    `ours` (annex's own files, such as the state); returns their paths inside `old`."""
    moved: list[str] = []
    for folder, dirs, names in os.walk(old):
        dirs.sort()
        for name in sorted(names) + [d for d in dirs if os.path.islink(os.path.join(folder, d))]:
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, old).replace(os.sep, "/")
            if rel in ours or _is_recorded(path, recorded.get(rel)):
                continue
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            os.rename(path, target)  # same file system: out/ holds both
            moved.append(rel)
    return moved


def _is_recorded(path: str, size: int | None) -> bool:
    if size is None:
        return False
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode) and st.st_size == size


def stamp() -> str:
    """The kept files' folder: when they were set aside (local time, as the user reads it)."""
    return time.strftime("%Y%m%d-%H%M%S")
