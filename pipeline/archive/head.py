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
from pipeline.problems.phrases import listing
from pipeline.problems.findings import head_record
from pipeline.archive.manifest import HEAD, MANIFEST, MAX_MANIFEST_BYTES, HeadRecord, Link
from pipeline.files.oserrors import reason

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
    problems: list[tuple[str, dict]] = field(default_factory=list)  # (finding code, fields): verify, the build's notes


def _read(path: Path, record: str, year: int, problems: list[tuple[str, dict]]) -> HeadRecord | None:
    """One head record; `record`: which one, as catalogue.head_record names it."""
    try:
        st = lstat(path)
    except OSError as e:
        problems.append(("archive-head-unreadable", {"record": record, "reason": reason(e)}))
        return None
    if st is None:
        return None
    if stat.S_ISLNK(st.st_mode):
        problems.append(("archive-head-link", {"record": record}))
        return None
    try:
        rec = HeadRecord.from_json(read_regular(path, MAX_HEAD_BYTES))
    except (NotRegular, TooLarge):
        problems.append(("archive-head-not-regular", {"record": record}))
        return None
    except (OSError, ValueError, KeyError, TypeError):
        problems.append(("archive-head-damaged", {"record": record}))
        return None
    if rec.year != year:
        problems.append(("archive-head-wrong-year", {"record": record, "recorded": rec.year, "year": year}))
        return None
    return rec


def read_head_state(root: Path) -> HeadState:
    year = int(root.name)
    problems: list[tuple[str, dict]] = []
    in_archive = _read(head_path(root), head_record("archive", HEAD), year, problems)
    witness = witness_path(root)
    copy = _read(witness, head_record("copy", witness.name), year, problems)
    records = [r for r in (in_archive, copy) if r is not None]
    last = max((r.last_number for r in records), default=0)
    if not records:
        return HeadState(None, 0, bool(problems), problems)
    heads = [effective_head(r, root) for r in records]
    if lstat(head_path(root)) is None and copy is not None and lstat(root) is not None:
        problems.append(("archive-head-gone", {"record": head_record("archive", HEAD)}))
    if len(heads) == 2 and heads[0] != heads[1]:
        names = listing(h.version if h else "无" for h in heads)
        problems.append(("archive-head-disagree", {"record": head_record("archive", HEAD),
                                                   "copy": head_record("copy", witness.name), "names": names}))
    # Trust the record that knows the later version: a version is never taken back.
    head = max(heads, key=lambda h: h.number if h else 0)
    return HeadState(head, max(last, head.number if head else 0), True, problems)


def write_head(root: Path, rec: HeadRecord) -> None:
    data = rec.to_json().encode()
    write_atomic(head_path(root), data, HEAD_MODE)
    write_atomic(witness_path(root), data, HEAD_MODE)
