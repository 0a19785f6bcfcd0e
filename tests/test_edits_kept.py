"""Edits made in build/<year>/ are moved aside, never deleted (pipeline/build/edits.py)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from pipeline.build.edits import find_edits, kept_dir, set_aside


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _folder(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    build = tmp_path / "build" / "2024"
    (build / "分表").mkdir(parents=True)
    outputs = {"汇编.docx": b"bundle", "分表/01-甲.docx": b"one", "分表/01-甲.pdf": b"pdf"}
    for rel, data in outputs.items():
        (build / rel).write_bytes(data)
    (build / ".annex-state.json").write_text("{}")
    return build, {rel: _sha(data) for rel, data in outputs.items()}


def test_untouched_outputs_are_no_edits(tmp_path):
    build, recorded = _folder(tmp_path)
    assert find_edits(build, recorded, frozenset({".annex-state.json"})) == []


def test_changed_and_added_files_are_found_and_moved_with_their_place(tmp_path):
    build, recorded = _folder(tmp_path)
    (build / "分表" / "01-甲.docx").write_bytes(b"one, with a paragraph added in Word")
    (build / "我的说明.txt").write_text("给领导的说明", encoding="utf-8")
    os.symlink("/etc/hostname", build / "分表" / "链接")
    edits = find_edits(build, recorded, frozenset({".annex-state.json"}))
    assert edits == ["分表/01-甲.docx", "分表/链接", "我的说明.txt"]
    dest = kept_dir(tmp_path / "build", 2024, now=0)
    assert dest.name.startswith("2024.已修改-1970") or dest.name.startswith("2024.已修改-19")
    moved = set_aside(build, edits, dest)
    assert [p.relative_to(dest).as_posix() for p in moved] == edits
    assert (dest / "我的说明.txt").read_text(encoding="utf-8") == "给领导的说明"
    assert (dest / "分表" / "01-甲.docx").read_bytes() == b"one, with a paragraph added in Word"
    assert os.path.islink(dest / "分表" / "链接")
    assert not (build / "我的说明.txt").exists()
    assert (build / "分表" / "01-甲.pdf").read_bytes() == b"pdf"  # the untouched stay


def test_kept_folders_never_collide(tmp_path):
    first = kept_dir(tmp_path, 2024, now=100)
    first.mkdir()
    second = kept_dir(tmp_path, 2024, now=100)
    assert second != first and second.name.endswith("-2")
