"""annex deletes only what it created and recorded: anything else in a replaced build is kept.

A rebuild swaps a new build/<year> in and deletes the previous one. A file the user added there
(notes, a signed scan) or changed (a table edited in Word) is not annex's to delete: before the
previous build goes, each such file is moved to build/<year>.已修改-<时间>/, under its own path,
and the build lists it with how to bring a Word edit back (`annex import`). Each file is compared
with what annex recorded writing (path, size, sha256: always the hash, never a timestamp); a changed output is rendered again from the
data, never kept as it is. The state file itself is deleted with the build.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from pipeline.build.hashcache import Hashes
from pipeline.build.state import BuildState, as_written
from pipeline.files.paths import display_path, stamped_free_path
from pipeline.hints import annex_command

KEPT_MARK = ".已修改-"


def kept_dir(out: Path, year: int) -> Path:
    """build/<year>.已修改-<时间>/ (local time, as the user reads it; a suffix if that one exists)."""
    return stamped_free_path(out, f"{year}{KEPT_MARK}")


def _walk(folder: Path, ours: set[str]):
    """(path, relative path) of every file and link under `folder` but `ours`, sorted."""
    for parent, dirs, names in os.walk(folder):
        dirs.sort()
        for name in sorted(names) + [d for d in dirs if os.path.islink(os.path.join(parent, d))]:
            path = os.path.join(parent, name)
            rel = os.path.relpath(path, folder).replace(os.sep, "/")
            if rel not in ours:
                yield path, rel


def not_as_written(folder: Path, state: BuildState | None, state_file: str,
                   hashes: Hashes | None = None) -> list[str]:
    """Paths inside `folder` that are not as annex recorded writing them (changed outputs, the
    user's own files)."""
    if not folder.is_dir():
        return []
    recorded = {o.path: o for o in state.files()} if state is not None else {}
    return [rel for path, rel in _walk(folder, {state_file}) if not as_written(path, recorded.get(rel), hashes)]


def without(state: BuildState | None, paths: list[str]) -> BuildState | None:
    """The record without the outputs at `paths`: the build renders them again instead of keeping them."""
    if state is None or not paths:
        return state
    gone = set(paths)
    projects = [replace(p, outputs={f: o for f, o in p.outputs.items() if o.path not in gone}) for p in state.projects]
    return replace(state, projects=projects, bundle={f: o for f, o in state.bundle.items() if o.path not in gone})


def move_aside(old: Path, state: BuildState | None, state_file: str, dest: Path,
               hashes: Hashes | None = None) -> list[str]:
    """Move out of `old` every file that is not as annex recorded writing it; returns their paths
    inside `old`. A rename: `out/` holds both, nothing is copied, nothing lost if interrupted."""
    moved = []
    for rel in not_as_written(old, state, state_file, hashes):
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        os.rename(old / rel, target)
        moved.append(rel)
    return moved


def moved_line(source: Path, dest: Path) -> str:
    """One moved file as the report names it: from where to where, each path as it is (a link is
    named as the link, with what it points to, never as its target)."""
    line = f"  {display_path(source)} → {display_path(dest)}"
    if os.path.islink(dest):
        line += f"（符号链接，指向 {os.readlink(dest)}；移走的是链接本身）"
    return line


def summary(build_dir: Path, kept: list[str]) -> list[str]:
    """What the build's report says about the files it moved aside (`kept`: their new paths,
    <out>/<year>.已修改-<时间>/<path inside build/<year>>)."""
    lines = [f"上一次的 {display_path(build_dir)}/ 里有 {len(kept)} 个文件被改动过或不是 annex 生成的，"
             "没有删除，已移走："]
    for p in kept:
        rel = Path(*Path(p).relative_to(build_dir.parent).parts[1:])
        lines.append(moved_line(build_dir / rel, Path(p)))
    if any(p.endswith(".docx") for p in kept):
        lines.append(f"新的输出仍按数据生成。要取回 Word 里的改动：{annex_command('import', '<改过的.docx>', '--data', '<临时文件夹>')}，"
                     f"对照读出的数据改 data/ 里的文件，再 {annex_command('build')}。")
    return lines
