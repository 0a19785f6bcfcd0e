"""Issue 16 item 9: switching the 2023 data to the national form with `annex convert --to national-2020`.

Before, `表样: national-2020` on data/2023 gave ~250 errors, a third of them mechanical edits and
keys the form lacks. After `convert`, check reports only what the national form needs and the data
cannot say (年初预算数, 年度总体目标, 分值, 得分), one message per empty line, nothing the user wrote
is lost (comments of the file and the dropped keys stay as comments, the originals are copied
aside), and the filled-in result checks clean.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
import yaml

from pipeline.build.front import check_year
from pipeline.write.convert import ConvertRefused, apply_conversion, plan_conversion

DATA_2023 = Path(__file__).resolve().parent.parent / "data" / "2023"
PLACEHOLDER_KEYS = {"年初预算数", "预期目标", "实际完成情况", "分值", "得分"}


@pytest.fixture
def year(tmp_path: Path) -> Path:
    shutil.copytree(DATA_2023, tmp_path / "data" / "2023")
    return tmp_path / "data" / "2023"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_plan_writes_nothing(year: Path):
    before = snapshot(year.parent)
    conv = plan_conversion(year, "national-2020")
    assert len(conv.edits) == 12  # department.yaml and the 11 projects
    assert snapshot(year.parent) == before


def test_converted_year_reports_only_what_to_fill(year: Path):
    original = snapshot(year)
    backup = apply_conversion(plan_conversion(year, "national-2020"))

    assert backup == year.parent / "2023-转换前-hubei-2023"
    assert snapshot(backup) == original  # the originals, byte for byte

    result = check_year(year)
    codes = {i.code for i in result.errors}
    assert not codes & {"unused-key", "unknown-key", "missing-key"}, codes
    placeholders = [i for i in result.errors if i.field.split(".")[-1] in PLACEHOLDER_KEYS]
    assert len(placeholders) == len(result.errors)  # nothing else is wrong
    assert all(i.code == "not-filled" and "尚未填写" in i.message for i in placeholders)
    # one message per empty line: (file, line) unique, and every empty placeholder line reported
    places = [(i.file, i.line) for i in placeholders]
    assert len(places) == len(set(places))
    empty_lines = 0
    for path in sorted((year / "projects").glob("*.yaml")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if re.fullmatch(r"\s*(年初预算数|预期目标|实际完成情况|分值|得分):", line):
                empty_lines += 1
    assert len(placeholders) == empty_lines
    assert not any("「评分: true」" in i.message for i in result.errors)  # department.yaml said 评分: false


def test_nothing_written_is_lost(year: Path):
    before = (year / "projects" / "02-市综治中心.yaml").read_text(encoding="utf-8")
    apply_conversion(plan_conversion(year, "national-2020"))
    after = (year / "projects" / "02-市综治中心.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(after)
    # the figures as written, in the national form's place for them
    assert re.search(r"^    全年预算数: 280$", after, re.M) and re.search(r"^    全年执行数: 155.65$", after, re.M)
    assert "预算数" not in data and "执行数" not in data and "项目类别" not in data
    # the file's own comment line stays first, the dropped keys stay as comments, multi-line text whole
    assert after.splitlines()[0] == before.splitlines()[0] == "# yaml-language-server: $schema=../../project.schema.json"
    old = yaml.safe_load(before)
    for key in ("项目类别", "项目属性", "项目类型", "偏差原因分析"):
        assert f"# {key}: " in after
    assert f"#   {old['偏差原因分析'].splitlines()[1]}" in after.splitlines()
    # the indicators are unchanged but for the two new keys
    for g_old, g_new in zip(old["年度绩效目标"], data["年度绩效目标"]):
        for r_old, r_new in zip(g_old["指标"], g_new["指标"]):
            assert {k: v for k, v in r_new.items() if k not in ("分值", "得分")} == r_old
            assert r_new["分值"] is None and r_new["得分"] is None
    dept = yaml.safe_load((year / "department.yaml").read_text(encoding="utf-8"))
    assert dept["表样"] == "national-2020" and "评分" not in dept


def fill_placeholders(year: Path) -> None:
    """What the clerk types into the empty lines: weights 10 (budget) + 90 spread over the rows."""
    for path in sorted((year / "projects").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        rows = [r for g in data["年度绩效目标"] for r in g["指标"]]
        weights = [90 // len(rows)] * len(rows)
        weights[0] += 90 - sum(weights)
        it = iter(weights)
        lines = []
        for line in path.read_text(encoding="utf-8").splitlines():
            m = re.fullmatch(r"(\s*)(年初预算数|预期目标|实际完成情况|分值|得分):", line)
            if m:
                value = {"年初预算数": "0", "预期目标": "按计划完成", "实际完成情况": "已完成"}.get(m.group(2))
                if m.group(2) == "分值":
                    weight = next(it)
                    value = str(weight)
                if m.group(2) == "得分":
                    value = str(weight)
                line = f"{m.group(1)}{m.group(2)}: {value}"
            lines.append(line)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_filled_in_it_builds_as_national(year: Path):
    apply_conversion(plan_conversion(year, "national-2020"))
    fill_placeholders(year)
    result = check_year(year)
    assert not result.errors, [i.message for i in result.errors][:5]
    assert result.bundle is not None and result.input.variant.name == "national-2020"
    funds = result.input.projects[1].data.funds["当年财政拨款"]
    assert (str(funds.planned), str(funds.spent)) == ("280", "155.65")


def test_budget_csv_folded_into_the_projects(year: Path):
    # the figures of two projects in 预算执行.csv instead of their YAML
    csv_rows = ["项目名称,预算数,执行数"]
    for path in sorted((year / "projects").glob("0[12]-*.yaml")):
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
        csv_rows.append(f"{data['项目名称']},{data['预算数']},{data['执行数']}")
        path.write_text(re.sub(r"^(预算数|执行数): .*\n", "", text, flags=re.M), encoding="utf-8")
    (year / "预算执行.csv").write_text("\n".join(csv_rows) + "\n", encoding="utf-8")
    assert not check_year(year).errors

    backup = apply_conversion(plan_conversion(year, "national-2020"))
    assert not (year / "预算执行.csv").exists() and (backup / "预算执行.csv").is_file()
    data = yaml.safe_load((year / "projects" / "02-市综治中心.yaml").read_text(encoding="utf-8"))
    assert data["项目资金"]["当年财政拨款"]["全年执行数"] == 155.65


def test_second_conversion_refused_and_backup_not_reused(year: Path):
    apply_conversion(plan_conversion(year, "national-2020"))
    with pytest.raises(ConvertRefused, match="已经是 表样: national-2020"):
        plan_conversion(year, "national-2020")


def test_refuses_links_and_unknown_targets(year: Path, tmp_path: Path):
    with pytest.raises(ConvertRefused, match="只能转为 national-2020"):
        plan_conversion(year, "national-2030")
    target = year / "projects" / "03-市直行业部门调处中心.yaml"
    outside = tmp_path / "outside.yaml"
    shutil.move(target, outside)
    os.symlink(outside, target)
    before = outside.read_bytes()
    with pytest.raises(ConvertRefused, match="符号链接"):
        plan_conversion(year, "national-2020")
    assert outside.read_bytes() == before


def test_the_command_previews_then_replaces(year: Path):
    from user_runs import annex

    root = year.parent.parent
    before = snapshot(year.parent)
    preview = annex(root, "convert", "--to", "National-2020")
    assert preview.exit_code == 0, preview.output
    assert "data/2023：表样 hubei-2023 → national-2020" in preview.output
    assert "未改动任何文件。加 --replace 即改写以上 12 个文件（原文件先复制到 data/2023-转换前-hubei-2023/）" in preview.output
    assert snapshot(year.parent) == before

    done = annex(root, "convert", "--to", "national-2020", "--replace")
    assert done.exit_code == 0, done.output
    assert "已改写 12 个文件；原文件在 data/2023-转换前-hubei-2023/" in done.output
    again = annex(root, "convert", "--to", "national-2020")
    assert again.exit_code == 1 and "已经是 表样: national-2020" in again.stderr
