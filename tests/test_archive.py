"""The archive of builds: what a version holds, that it stays as it was, and the history, diff and
verify commands that read it; plus the field-level diff of two bundles."""

from __future__ import annotations

import hashlib
import json
import shutil
import stat
from dataclasses import fields, is_dataclass, replace
from datetime import datetime
from pathlib import Path

import pytest

from pipeline import __version__
from pipeline.archive import parse_version
from pipeline.build.front import check_year
from pipeline.archive.datadiff import diff_bundles, flatten, project_line
from pipeline.form.filled import FilledBundle
from pipeline.variant import load_variant
from user_runs import annex, files, private_copy

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "2023"


def set_text(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def two_versions(tmp_path_factory) -> Path:
    """data/2023 built (v001), then built again after one changed figure (v002), Word and PDF (a version is a whole bundle)."""
    root = tmp_path_factory.mktemp("archive")
    shutil.copytree(SEED, root / "data" / "2023")
    assert annex(root, "build").exit_code == 0
    set_text(root / "data" / "2023" / "projects" / "02-市综治中心.yaml", "执行数: 155.65\n", "执行数: 156.65\n")
    result = annex(root, "build")
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture
def work(two_versions, tmp_path) -> Path:
    return private_copy(two_versions, tmp_path)


def version(root: Path, name: str) -> Path:
    return root / "build" / "archive" / "2023" / name


def test_version_holds_outputs_data_and_manifest(two_versions):
    v2 = version(two_versions, "v002")
    outputs = files(two_versions / "build" / "2023")
    del outputs[".annex-state.json"]
    assert files(v2 / "outputs") == outputs
    assert files(v2 / "data" / "2023") == files(two_versions / "data" / "2023")

    m = json.loads((v2 / "manifest.json").read_text(encoding="utf-8"))
    on_disk = {p.relative_to(v2).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
               for p in v2.rglob("*") if p.is_file() and p.name != "manifest.json"}
    assert m["files"] == on_disk
    assert (m["version"], m["year"], m["annex_version"], m["variant"]) == ("v002", 2023, __version__, "hubei-2023")
    assert m["templates"] == load_variant("hubei-2023").fingerprint()
    assert datetime.fromisoformat(m["created"]).tzinfo is not None
    assert [p["key"] for p in m["projects"]] == sorted(p.stem for p in (SEED / "projects").glob("*.yaml"))
    v1 = json.loads((version(two_versions, "v001") / "manifest.json").read_text(encoding="utf-8"))
    changed = [a["key"] for a, b in zip(v1["projects"], m["projects"]) if a["inputs"] != b["inputs"]]
    assert changed == ["02-市综治中心"]
    assert m["changes"]["changed"] == ["02-市综治中心"] and m["changes"]["previous"] == "v001"


def test_versions_are_read_only_and_share_unchanged_files(two_versions):
    for v in ("v001", "v002"):
        root = version(two_versions, v)
        for p in [root, *root.rglob("*")]:
            mode = stat.S_IMODE(p.stat().st_mode)
            assert mode == (0o555 if p.is_dir() else 0o444), (p, oct(mode))
    same = "outputs/分表/01-政法智能化建设专项经费.docx"
    changed = "outputs/分表/02-市综治中心专项工作经费.docx"
    v1, v2 = version(two_versions, "v001"), version(two_versions, "v002")
    assert (v1 / same).stat().st_ino == (v2 / same).stat().st_ino  # one copy on disk
    assert (v1 / changed).read_bytes() != (v2 / changed).read_bytes()


def test_history_lists_versions_and_changes(two_versions):
    result = annex(two_versions, "history", "--year", "2023")
    assert result.exit_code == 0, result.output
    assert "首个版本（11 个项目）" in result.output
    assert "修改 02-市综治中心" in result.output
    assert result.output.index("v001") < result.output.index("v002")


@pytest.mark.parametrize("a, b", [("v1", "v2"), ("1", "2"), ("v001", "v002")])
def test_diff_accepts_every_spelling(two_versions, a, b):
    result = annex(two_versions, "diff", a, b)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1:] == ["02-市综治中心 · 执行数: 155.65 → 156.65 · 执行率: 55.59% → 55.95%"]


def test_diff_of_unknown_version(two_versions):
    result = annex(two_versions, "diff", "v1", "v7")
    assert result.exit_code == 1
    assert "没有版本「v7」；现有版本：v001、v002" in result.stderr


def test_parse_version():
    assert [parse_version(t) for t in ("v1", "1", "v001", "V12", "0012")] == [1, 1, 1, 12, 12]
    assert [parse_version(t) for t in ("", "v", "0", "v1a", "-1", "1.0")] == [None] * 6


def test_verify_passes_an_intact_archive(two_versions):
    before = files(two_versions / "build" / "archive")
    result = annex(two_versions, "verify")
    assert result.exit_code == 0, result.output
    n = len(json.loads((version(two_versions, "v001") / "manifest.json").read_text(encoding="utf-8"))["files"])
    assert f"2023/v001：{n} 个文件完好" in result.output
    assert files(two_versions / "build" / "archive") == before


def test_verify_reports_changed_missing_and_extra_files(work):
    v1 = version(work, "v001")
    # Replace files rather than edit them in place: v002 shares unchanged files with v001 (hard links).
    flipped = v1 / "outputs" / "分表" / "02-市综治中心专项工作经费.docx"
    deleted = v1 / "data" / "2023" / "projects" / "05-社会治安综合治理.yaml"
    for d in (v1, flipped.parent, deleted.parent):
        d.chmod(0o755)
    data = bytearray(flipped.read_bytes())
    data[len(data) // 2] ^= 0x01
    flipped.unlink()
    flipped.write_bytes(bytes(data))
    deleted.unlink()
    (v1 / "notes.txt").write_text("extra", encoding="utf-8")
    for p in (flipped, v1 / "notes.txt"):
        p.chmod(0o444)
    for d in (v1, flipped.parent, deleted.parent):
        d.chmod(0o555)  # modes as annex left them: this test is about the content

    result = annex(work, "verify", "--year", "2023")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert "2023/v001 · outputs/分表/02-市综治中心专项工作经费.docx：内容与清单不符（已被改动）" in lines
    assert "2023/v001 · data/2023/projects/05-社会治安综合治理.yaml：文件缺失" in lines
    assert "2023/v001 · notes.txt：清单里没有的多余文件" in lines
    assert any(line.startswith("2023/v002：") and "个文件完好" in line for line in lines)
    assert "归档有 3 处问题" in result.stderr


def test_build_after_tampering_adds_nothing_to_old_versions(work):
    """A new build never writes into an existing version, even one that no longer verifies."""
    v2 = version(work, "v002")
    before = files(v2)
    set_text(work / "data" / "2023" / "projects" / "02-市综治中心.yaml", "执行数: 156.65\n", "执行数: 157.65\n")
    assert annex(work, "build").exit_code == 0
    assert files(v2) == before
    assert version(work, "v003").is_dir()
    assert annex(work, "diff", "2", "3").output.splitlines()[1].startswith("02-市综治中心 · 执行数: 156.65 → 157.65")


# ---------------------------------------------------------------- the field-level diff

# Fields that follow from the form variant or from other fields, not from what the user typed
# (a change in the data always shows in some other field as well).
LAYOUT = {"key", "number", "variant", "file_stem", "attachment_label", "unit_line", "footnotes_title",
          "footnotes", "labels", "indicator_headers", "scoring", "mark", "source_label", "grade_text",
          "outline_title", "unit",
          "title_lines", "tall_rows", "breaks",  # layout of the title and texts (the title itself is diffed)
          "met", "quantitative", "score_computed"}  # an indicator by the rule set: for reports, not printed


def _layout(form, path: tuple) -> bool:
    if any(p in LAYOUT for p in path if isinstance(p, str)):
        return True
    if path[-1] == "remark" and "remark" not in form.labels:
        return True  # the variant has no remark column
    if path[0] == "budget" and form.funds:
        return True  # printed as the funds block's total row instead
    if path[0] == "checkboxes" and path[-1] == "label" and len(path) == 5:
        return True  # an option's printed text: the variant's, whether ticked or not
    return path in {("total", "weight")} or (path[0] == "funds" and path[-1] == "weight")


def _leaves(obj, path=()):
    if is_dataclass(obj):
        for f in fields(obj):
            yield from _leaves(getattr(obj, f.name), path + (f.name,))
    elif isinstance(obj, tuple):
        for i, x in enumerate(obj):
            yield from _leaves(x, path + (i,))
    elif isinstance(obj, (str, bool)):
        yield path, obj


def _with(obj, path, value):
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(obj, tuple):
        return obj[:head] + (_with(obj[head], rest, value),) + obj[head + 1:]
    return replace(obj, **{head: _with(getattr(obj, head), rest, value)})


def _example(name: str) -> FilledBundle:
    result = check_year(ROOT / "templates" / name / "example" / "2023")
    assert result.bundle is not None, [i.message for i in result.errors]
    return result.bundle


@pytest.mark.parametrize("variant", ["hubei-2023", "national-2020"])
def test_diff_sees_every_printed_field(variant):
    bundle = _example(variant)
    form = bundle.forms[0]
    missed = []
    for path, value in _leaves(form):
        if _layout(form, path):
            continue
        changed = _with(form, path, not value if isinstance(value, bool) else value + "改")
        d = diff_bundles(bundle, replace(bundle, forms=(changed,) + bundle.forms[1:]))
        if d.empty:
            missed.append(path)
    assert missed == []


def test_diff_lines_in_the_users_terms():
    bundle = _example("national-2020")
    form = bundle.forms[0]
    row = replace(form.goals[0].rows[1], actual="95%")
    goal = replace(form.goals[0], rows=(form.goals[0].rows[0], row) + form.goals[0].rows[2:])
    changed = replace(form, goals=(goal,) + form.goals[1:], project_name="新的名称")
    d = diff_bundles(bundle, replace(bundle, forms=(changed,) + bundle.forms[1:]))
    old = form.goals[0].rows[1].actual
    assert project_line(d.changed[0]) == (
        f"{form.key} · 项目名称: {form.project_name} → 新的名称 · 年度绩效目标 1 · 第 2 行 · 实际完成值: {old} → 95%"
    )
    assert "年度绩效目标 1 · 第 2 行 · 实际完成值" in flatten(form)


def test_damaged_manifest_is_reported_and_the_next_version_still_recorded(work):
    v2 = version(work, "v002")
    v2.chmod(0o755)
    (v2 / "manifest.json").unlink()
    (v2 / "manifest.json").write_text("{", encoding="utf-8")

    history = annex(work, "history")
    assert history.exit_code == 0, history.output
    assert "清单无法读取" in history.output and "修改 02-市综治中心" not in history.output
    assert "v002 的清单无法读取" in annex(work, "diff", "1", "2").stderr
    verify = annex(work, "verify")
    assert verify.exit_code == 1
    assert "2023/v002 · manifest.json：清单 manifest.json 缺失或无法读取" in verify.output

    # build/2023 holds v002's outputs, but the last readable version is v001: a new version, numbered after v002.
    result = annex(work, "build")
    assert result.exit_code == 0, result.output
    assert "归档：新版本 build/archive/2023/v003" in result.output
    assert "02-市综治中心 · 执行数: 155.65 → 156.65" in annex(work, "diff", "v1", "v3").output
