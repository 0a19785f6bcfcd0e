"""Where a build writes before its output is whole: the staging folder next to build/<year>/, the
previous build set aside when the system cannot swap folders atomically, and the lock file."""

from __future__ import annotations

import os
from pathlib import Path

from pipeline.build.paths import CACHE_DIR
from pipeline.files.tree import recover_aside, remove_tree
from pipeline.files.write import create_new
from pipeline.build.state import BuildState


def lock_path(out: Path, year: int) -> Path:
    return out / f".{year}.lock"


def staging_path(out: Path, year: int) -> Path:
    return out / f".staging-{year}-{os.getpid()}"


def pieces_dir(out: Path, year: int) -> Path:
    """The year's cache: the 项目清单's PDF pieces a build keeps for the next (pipeline/build/pieces.py)."""
    return out / CACHE_DIR / str(year)


def aside_path(out: Path, year: int) -> Path:
    return out / f".old-{year}-{os.getpid()}"


def clean_leftovers(out: Path, year: int) -> list[str]:
    """What killed builds left: staging folders (removed), a previous build set aside (put back)."""
    target = out / str(year)
    ours = lambda p: p.is_dir() and not p.is_symlink()  # noqa: E731 - annex makes folders, never links
    recover_aside(target, sorted(p for p in out.glob(f".old-{year}-*") if ours(p)))
    removed = []
    for p in sorted(p for p in out.glob(f".staging-{year}-*") if ours(p)):
        remove_tree(p)
        removed.append(p.name)
    return removed


def link_kept(build_dir: Path, staging: Path, state: BuildState) -> None:
    """Kept outputs go into the new build as hard links: no copy, and the old build stays whole."""
    for o in state.files():
        src, dest = build_dir / o.path, staging / o.path
        try:
            os.link(src, dest)
        except OSError:
            create_new(dest, src.read_bytes())
