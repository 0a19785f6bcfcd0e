"""Edits made in build/<year>/ are moved to build/<year>.已修改-<时间>/, never deleted; the data
still decides the new outputs (pipeline/build/keep.py)."""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from pathlib import Path

from pipeline.build.keep import kept_dir, move_aside, not_as_written, without
from pipeline.build.state import BuildState, OutputFile, ProjectState
from tests.user_runs import annex, files

STATE = ".annex-state.json"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _folder(tmp_path: Path) -> tuple[Path, BuildState]:
    """An output folder as a build leaves it: the outputs, then the record written last."""
    build = tmp_path / "build" / "2024"
    (build / "分表").mkdir(parents=True)
    outputs = {"汇编.docx": b"bundle", "分表/01-甲.docx": b"one", "分表/01-甲.pdf": b"pdf"}
    for rel, data in outputs.items():
        (build / rel).write_bytes(data)
    rec = {rel: OutputFile(rel, _sha(data), len(data)) for rel, data in outputs.items()}
    state = BuildState("0", 2024, "hubei-2023", "", "汇编", ["docx", "pdf"], "", 0,
                       [ProjectState("01-甲", "01-甲", "", "", {"docx": rec["分表/01-甲.docx"],
                                                                "pdf": rec["分表/01-甲.pdf"]})],
                       "", {"docx": rec["汇编.docx"]})
    (build / STATE).write_text("{}")
    return build, state


def _later(path: Path) -> None:
    t = time.time_ns() + 5_000_000_000
    os.utime(path, ns=(t, t))


def test_untouched_outputs_stay(tmp_path):
    build, state = _folder(tmp_path)
    assert not_as_written(build, state, STATE) == []


def test_changed_same_size_and_added_files_are_found_and_moved_with_their_place(tmp_path):
    build, state = _folder(tmp_path)
    (build / "分表" / "01-甲.docx").write_bytes(b"one, with a paragraph added in Word")
    (build / "汇编.docx").write_bytes(b"BUNDLE")  # the same size, other bytes, saved later
    _later(build / "汇编.docx")
    (build / "我的说明.txt").write_text("给领导的说明", encoding="utf-8")
    os.symlink("/etc/hostname", build / "分表" / "链接")
    assert not_as_written(build, state, STATE) == ["我的说明.txt", "汇编.docx", "分表/01-甲.docx", "分表/链接"]
    assert [o.path for o in without(state, ["汇编.docx", "分表/01-甲.docx"]).files()] == ["分表/01-甲.pdf"]
    dest = kept_dir(tmp_path / "build", 2024)
    assert dest.name.startswith("2024.已修改-")
    moved = move_aside(build, state, STATE, dest)
    assert sorted(moved) == sorted(["我的说明.txt", "汇编.docx", "分表/01-甲.docx", "分表/链接"])
    assert (dest / "汇编.docx").read_bytes() == b"BUNDLE"
    assert (dest / "分表" / "01-甲.docx").read_bytes() == b"one, with a paragraph added in Word"
    assert os.path.islink(dest / "分表" / "链接")
    assert (build / "分表" / "01-甲.pdf").read_bytes() == b"pdf"  # what annex wrote stays for the build
    dest.mkdir(exist_ok=True)
    assert kept_dir(tmp_path / "build", 2024) != dest  # never two sets of edits in one folder


def test_no_record_sets_every_file_aside(tmp_path):
    build, _ = _folder(tmp_path)
    assert not_as_written(build, None, STATE) == ["汇编.docx", "分表/01-甲.docx", "分表/01-甲.pdf"]


# --- the scenario, end to end --------------------------------------------------------------

def _built(tmp_path: Path) -> Path:
    root = tmp_path / "w"
    shutil.copytree(Path(__file__).resolve().parent.parent / "data" / "2023", root / "data" / "2023")
    result = annex(root, "build", "--no-archive", "-f", "docx")
    assert result.exit_code == 0, result.output
    return root


def test_a_word_edit_and_a_note_survive_the_next_build(tmp_path):
    import docx

    root = _built(tmp_path)
    build = root / "build" / "2023"
    table = next((build / "分表").glob("01-*.docx"))
    fresh = table.read_bytes()
    d = docx.Document(table)
    d.add_paragraph("领导批示：同意。")
    d.save(table)
    edited = table.read_bytes()
    (build / "我的说明.txt").write_text("给财务科的说明", encoding="utf-8")
    p = next((root / "data" / "2023" / "projects").glob("02-*.yaml"))  # and the data changes too
    p.write_text(p.read_text(encoding="utf-8").replace("执行数: 155.65", "执行数: 155.66"), encoding="utf-8")

    result = annex(root, "build", "--no-archive", "-f", "docx")
    assert result.exit_code == 0, result.output
    [kept] = (root / "build").glob("2023.已修改-*")
    assert files(kept) == {f"分表/{table.name}": edited, "我的说明.txt": "给财务科的说明".encode()}
    assert table.read_bytes() == fresh  # the data decides the new output
    assert not (build / "我的说明.txt").exists()
    out = result.output.replace("\n", "")
    assert kept.name in out and "我的说明.txt" in out and "annex import" in out

    again = annex(root, "build", "--no-archive", "-f", "docx")  # nothing changed: nothing moved
    assert again.exit_code == 0 and "已修改" not in again.output
    assert len(list((root / "build").glob("2023.已修改-*"))) == 1

    back = annex(root, "import", f"build/{kept.name}/分表/{table.name}", "--data", "edit")
    assert back.exit_code == 0, back.output  # the edited table reads back into data


def test_an_output_changed_in_place_with_its_size_is_rendered_again(tmp_path):
    """Saved again by some program with the same size (a one-character fix can keep a zip's size):
    not linked into the new build as if annex wrote it, and not lost."""
    root = _built(tmp_path)
    bundle = next((root / "build" / "2023").glob("*自评表.docx"))
    fresh = bundle.read_bytes()
    changed = fresh[:-1] + bytes([fresh[-1] ^ 1])
    bundle.write_bytes(changed)
    _later(bundle)
    result = annex(root, "build", "--no-archive", "-f", "docx")
    assert result.exit_code == 0, result.output
    assert bundle.read_bytes() == fresh
    [kept] = (root / "build").glob("2023.已修改-*")
    assert (kept / bundle.name).read_bytes() == changed
