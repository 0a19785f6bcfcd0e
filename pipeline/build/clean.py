"""`annex clean` (and `make clean`): remove the year outputs annex wrote, and nothing else.

`make clean` used to `rm -rf` everything in build/ but the archive, a table edited in Word and a
signed scan dropped into build/<year>/ included. It now does what a rebuild does before it replaces
build/<year>/: under the year's lock, every file that is not as annex recorded writing it (by its
hash, keep.py) is moved to build/<year>.已修改-<时间>/, and only then is the folder deleted. What
killed builds left (staging folders, a build set aside) goes the way the next build would take it.
The archive, the head record's copy, the folders of kept edits and anything else the user put in
build/ are not touched.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.build import keep
from pipeline.files.lock import hold_lock
from pipeline.files.tree import remove_tree
from pipeline.build.hashcache import Hashes, cache_path
from pipeline.build.staging import clean_leftovers, lock_path
from pipeline.build.state import STATE_FILE, load_state
from pipeline.files.paths import display_path


@dataclass
class YearCleaned:
    year: int
    folder: Path
    removed: int = 0  # annex's own files deleted
    kept: list[Path] = field(default_factory=list)  # moved aside: their new paths
    kept_dir: Path | None = None
    left: str = ""  # why the folder was left as it is (not annex's)


def output_years(out: Path) -> list[int]:
    """Years with something of annex's in `out`: a year folder, its lock, staging or set-aside folders."""
    years = set()
    for name in os.listdir(out):
        head = name.lstrip(".").split(".")[0].split("-")
        for part in head:
            if len(part) == 4 and part.isdigit():
                years.add(int(part))
                break
    return sorted(years)


def clean(out: Path) -> list[YearCleaned]:
    """Clean every year's outputs in `out`; the archive and the user's files stay."""
    if not out.is_dir():
        return []
    return [_clean_year(out, year) for year in output_years(out)]


def _clean_year(out: Path, year: int) -> YearCleaned:
    folder = out / str(year)
    done = YearCleaned(year, folder)
    lock = lock_path(out, year)
    with hold_lock(lock, 0, subject=display_path(folder)):
        clean_leftovers(out, year)  # a set-aside build comes back to build/<year> and is cleaned below
        try:
            st = os.lstat(folder)
        except FileNotFoundError:
            st = None
        if st is not None and not stat.S_ISDIR(st.st_mode):
            done.left = "不是 annex 生成的文件夹（" + ("符号链接" if stat.S_ISLNK(st.st_mode) else "文件") + "），未改动"
        elif st is not None:
            hashes = Hashes(cache_path(out, year))
            state = load_state(folder)
            dest = keep.kept_dir(out, year)
            moved = keep.move_aside(folder, state, STATE_FILE, dest, hashes)
            done.kept = [dest / rel for rel in moved]
            done.kept_dir = dest if moved else None
            done.removed = sum(len(files) for _, _, files in os.walk(folder))
            remove_tree(folder)
        cache_path(out, year).unlink(missing_ok=True)
        lock.unlink(missing_ok=True)  # still held: a build waiting on it takes a fresh one
    return done


def summary(cleaned: list[YearCleaned]) -> list[str]:
    """What `annex clean` says it did, one line per action (the clerk wants to see that nothing was lost)."""
    lines = []
    for c in cleaned:
        where = display_path(c.folder)
        if c.left:
            lines.append(f"{where}：{c.left}")
            continue
        if c.removed:
            lines.append(f"已删除 {where}/ 里 annex 生成的 {c.removed} 个文件")
        if c.kept:
            lines.append(f"{where}/ 里有 {len(c.kept)} 个文件被改动过或不是 annex 生成的，没有删除，已移到 "
                         f"{display_path(c.kept_dir)}/：")
            lines += [keep.moved_line(c.folder / p.relative_to(c.kept_dir), p) for p in c.kept]
    if not lines:
        lines.append("没有要清理的输出")
    lines.append("归档（archive/）与之前移出的改动（*.已修改-*）都保留未动")
    return lines
