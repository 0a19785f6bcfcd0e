"""Where the newest version of a year is recorded, and how the record is read back.

Two copies of one `HeadRecord`: `head.json` in the year's archive folder (it travels with the
archive) and `.<year>.archive-head.json` in the output folder, next to the year's lock (it
outlives the archive folder, so deleting the whole archive of a year is noticed). Both are
written by the build that holds the year's lock, each in one rename.
"""

from __future__ import annotations

import stat
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.files.digest import sha256_bytes
from pipeline.files.paths import lstat
from pipeline.files.read import NotRegular, TooLarge, read_regular
from pipeline.files.write import write_atomic
from pipeline.archive.manifest import HEAD, MANIFEST, MAX_MANIFEST_BYTES, HeadRecord, Link

HEAD_MODE = 0o444
MAX_HEAD_BYTES = 64 << 10


def head_path(root: Path) -> Path:
    return root / HEAD


def witness_path(root: Path) -> Path:
    """root is <out>/archive/<year>: the copy lives in <out>, outside the archive."""
    return root.parent.parent / f".{root.name}.archive-head.json"


def manifest_sha(root: Path, version: str) -> str | None:
    """sha256 of a version's manifest.json as it is on disk (None: not there or not a regular file)."""
    try:
        return sha256_bytes(read_regular(root / version / MANIFEST, MAX_MANIFEST_BYTES))
    except OSError:
        return None


def effective_head(rec: HeadRecord, root: Path) -> Link | None:
    """The newest version: the pending one if its folder holds exactly the manifest announced
    (the build was stopped after storing it, before clearing `pending`), else the head."""
    if rec.pending is not None and manifest_sha(root, rec.pending.version) == rec.pending.sha256:
        return rec.pending
    return rec.head


@dataclass
class HeadState:
    head: Link | None  # the newest version as recorded (None: nothing recorded)
    last_number: int  # the highest number ever given out
    recorded: bool  # some head record exists (in the archive or next to it)
    problems: list[str] = field(default_factory=list)  # Chinese, for verify and the build's notes


def _read(path: Path, label: str, year: int, problems: list[str]) -> HeadRecord | None:
    try:
        st = lstat(path)
    except OSError as e:
        problems.append(f"{label} 无法读取（{e.strerror}）")
        return None
    if st is None:
        return None
    if stat.S_ISLNK(st.st_mode):
        problems.append(f"{label} 被换成了链接（annex 只写普通文件）")
        return None
    try:
        rec = HeadRecord.from_json(read_regular(path, MAX_HEAD_BYTES))
    except (NotRegular, TooLarge):
        problems.append(f"{label} 不是 annex 写的普通文件")
        return None
    except (OSError, ValueError, KeyError, TypeError):
        problems.append(f"{label} 无法读取（已损坏或被改写）")
        return None
    if rec.year != year:
        problems.append(f"{label} 记录的是 {rec.year} 年度，不是 {year} 年度")
        return None
    return rec


def read_head_state(root: Path) -> HeadState:
    year = int(root.name)
    problems: list[str] = []
    in_archive = _read(head_path(root), f"归档里的 {HEAD}", year, problems)
    witness = witness_path(root)
    copy = _read(witness, f"输出文件夹里的副本 {witness.name}", year, problems)
    records = [r for r in (in_archive, copy) if r is not None]
    last = max((r.last_number for r in records), default=0)
    if not records:
        return HeadState(None, 0, bool(problems), problems)
    heads = [effective_head(r, root) for r in records]
    if lstat(head_path(root)) is None and copy is not None and lstat(root) is not None:
        problems.append(f"归档里的 {HEAD}（记录最新版本的文件）不见了")
    if len(heads) == 2 and heads[0] != heads[1]:
        names = "、".join(h.version if h else "无" for h in heads)
        problems.append(f"归档里的 {HEAD} 与输出文件夹里的副本 {witness.name} 记录的最新版本不同（{names}）")
    # Trust the record that knows the later version: a version is never taken back.
    head = max(heads, key=lambda h: h.number if h else 0)
    return HeadState(head, max(last, head.number if head else 0), True, problems)


def write_head(root: Path, rec: HeadRecord) -> None:
    data = rec.to_json().encode()
    write_atomic(head_path(root), data, HEAD_MODE)
    write_atomic(witness_path(root), data, HEAD_MODE)
