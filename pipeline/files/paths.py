"""Paths as the user sees them, and what is at a path without following a link."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path


def display_path(path: Path, base: Path | None = None) -> str:
    """A path as the user typed it: relative to `base` (the working directory) when inside it. A
    link at the end is named as itself, not as what it points to (only the folder holding it is
    resolved): a report of moved files once named a link's target as what was moved."""
    if path.name not in ("", ".", "..") and os.path.islink(path):
        real = path.parent.resolve() / path.name
    else:
        real = path.resolve()
    try:
        return real.relative_to((base or Path.cwd()).resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def printable(name: str) -> str:
    """A name found on disk as text that is safe to print: bytes that are not UTF-8 and control
    characters (a newline in a planted file's name) as \\xNN, never sent to the terminal."""
    text = os.fsencode(name).decode("utf-8", "backslashreplace")
    return "".join(f"\\x{ord(c):02x}" if ord(c) < 0x20 or 0x7f <= ord(c) < 0xa0 else c for c in text)


def link_target(path: Path | str) -> str:
    """Where a symlink points, as text a message can show ("?" when it cannot be read)."""
    try:
        return os.fsencode(os.readlink(path)).decode("utf-8", "backslashreplace")
    except OSError:
        return "?"


def lstat(path: Path | str) -> os.stat_result | None:
    """The path's own status (a link's, not its target's); None when nothing is there."""
    try:
        return os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None


def is_real_dir(path: Path | str) -> bool:
    """A folder, not a link to one."""
    st = lstat(path)
    return st is not None and stat.S_ISDIR(st.st_mode)


def mode_text(mode: int) -> str:
    """Permission bits as a message shows them: 0444."""
    return f"{mode:04o}"


def stamped_free_path(folder: Path, stem: str) -> Path:
    """`folder/<stem><local time>`, or with -2, -3 … when that name is taken: a place to move
    things aside to that never lands on anything already there."""
    base = folder / f"{stem}{time.strftime('%Y%m%d-%H%M%S')}"
    candidate, n = base, 1
    while os.path.lexists(candidate):
        n += 1
        candidate = base.with_name(f"{base.name}-{n}")
    return candidate
