"""Where a build writes before its output is whole: the staging folder next to build/<year>/, the
previous build set aside when the system cannot swap folders atomically, and the lock file."""

from __future__ import annotations

import os
from pathlib import Path

from pipeline.build.paths import CACHE_DIR
from pipeline.build import keep
from pipeline.files.tree import remove_tree
from pipeline.files.write import create_new
from pipeline.build.state import STATE_FILE, BuildState, load_state


def lock_path(out: Path, year: int) -> Path:
    return out / f".{year}.lock"


def staging_path(out: Path, year: int) -> Path:
    return out / f".staging-{year}-{os.getpid()}"


def pieces_dir(out: Path, year: int) -> Path:
    """The year's cache: the 项目清单's PDF pieces a build keeps for the next (pipeline/build/pieces.py)."""
    return out / CACHE_DIR / str(year)


def aside_path(out: Path, year: int) -> Path:
    return out / f".old-{year}-{os.getpid()}"


def clean_leftovers(out: Path, year: int, moved: list[str] | None = None) -> list[str]:
    """What killed builds left: staging folders (removed), a previous build set aside (put back, or
    discarded if a newer build is in place). What the user edited or added in them is moved aside
    first (their new paths appended to `moved`): once the swap ran, the staging folder *is* the
    previous build, and a kill, Ctrl-C or error before its edits were moved out left them there."""
    target = out / str(year)
    ours = lambda p: p.is_dir() and not p.is_symlink()  # noqa: E731 - annex makes folders, never links
    removed = []
    for p in sorted(p for p in out.glob(f".old-{year}-*") if ours(p)):
        if not target.exists():
            os.rename(p, target)
        elif discard(p, out, year, moved):
            removed.append(p.name)
    for p in sorted(p for p in out.glob(f".staging-{year}-*") if ours(p)):
        if discard(p, out, year, moved):
            removed.append(p.name)
    return removed


def discard(folder: Path, out: Path, year: int, moved: list[str] | None = None) -> bool:
    """Remove a folder that may hold a previous build, never whole: a folder with a build record
    first gives up to build/<year>.已修改-<时间>/ every file that is not as recorded (keep.py); one
    without (a staging folder not finished) holds only annex's partial outputs. If moving fails the
    folder stays (False) for the next command: nothing is deleted that was not checked."""
    try:
        state = load_state(folder)
        if state is not None:
            dest = keep.kept_dir(out, year)
            gone = keep.move_aside(folder, state, STATE_FILE, dest)
            if moved is not None:
                moved.extend(f"{dest}/{rel}" for rel in gone)
        remove_tree(folder)
    except OSError:
        return False
    return True


def link_kept(build_dir: Path, staging: Path, state: BuildState) -> None:
    """Kept outputs go into the new build as hard links: no copy, and the old build stays whole."""
    for o in state.files():
        src, dest = build_dir / o.path, staging / o.path
        try:
            os.link(src, dest)
        except OSError:
            create_new(dest, src.read_bytes())
