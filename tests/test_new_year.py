"""annex new-year: last year's projects, units, categories, indicators and targets kept; this
year's facts left empty; `annex check` lists exactly those, each located, "本年度尚未填写"; an
existing year is never touched."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from tests.user_runs import annex, files

ROOT = Path(__file__).resolve().parent.parent
KEPT = ("项目名称", "表名", "主管部门", "项目实施单位", "项目类别", "项目属性", "项目类型")
INDICATOR_KEPT = ("一级指标", "二级指标", "三级指标", "年初目标值", "分值")


def _root(tmp_path: Path, source: Path, year: str = "2023") -> Path:
    root = tmp_path / "w"
    shutil.copytree(source, root / "data" / year)
    return root


def _load(path: Path) -> dict:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)  # every scalar as its text


def _check_json(root: Path, year: str) -> dict:
    result = annex(root, "check", "--year", year, "--json")
    return json.loads(result.output)


def test_new_year_keeps_what_stays_and_check_lists_exactly_what_to_fill(tmp_path):
    root = _root(tmp_path, ROOT / "data" / "2023")
    before = files(root / "data" / "2023")
    result = annex(root, "new-year", "2024")
    assert result.exit_code == 0, result.output
    assert files(root / "data" / "2023") == before  # the source year is only read

    old_dir, new_dir = root / "data" / "2023", root / "data" / "2024"
    assert sorted(p.name for p in (new_dir / "projects").iterdir()) == sorted(p.name for p in (old_dir / "projects").iterdir())
    expected_empty = [("department.yaml", "填报日期")]
    for path in sorted((old_dir / "projects").glob("*.yaml")):
        old, new = _load(path), _load(new_dir / "projects" / path.name)
        for key in KEPT:
            assert new.get(key) == old.get(key), (path.name, key)
        for key in ("预算数", "执行数", "偏差原因分析", "改进措施"):
            assert new[key] == "", (path.name, key)  # written empty: `预算数:`
            expected_empty.append((path.name, key))
        old_rows = [r for g in old["年度绩效目标"] for r in g["指标"]]
        new_rows = [r for g in new["年度绩效目标"] for r in g["指标"]]
        assert len(new["年度绩效目标"]) == len(old["年度绩效目标"])
        for i, (o, n) in enumerate(zip(old_rows, new_rows, strict=True)):
            for key in INDICATOR_KEPT:
                assert n.get(key) == o.get(key), (path.name, i, key)
            assert n["实际完成值"] == ""
        expected_empty += [(path.name, "实际完成值")] * len(old_rows)
    dept = _load(new_dir / "department.yaml")
    assert dept["填报日期"] == "" and dept["单位名称"] == "中共鄂州市委政法委员会"

    report = _check_json(root, "2024")
    assert report["errors"] == len(expected_empty)
    # the warnings are last year's, about what was kept (nothing new to fill)
    last = _check_json(root, "2023")
    assert sorted((Path(i["file"]).name, i["field"], i["code"]) for i in report["issues"] if i["severity"] == "warning") \
        == sorted((Path(i["file"]).name, i["field"], i["code"]) for i in last["issues"] if i["severity"] == "warning")
    found = []
    for issue in (i for i in report["issues"] if i["severity"] == "error"):
        assert issue["code"] == "not-filled"
        assert issue["severity"] == "error"
        assert issue["message"] == f"本年度尚未填写「{issue['field'].split('.')[-1]}」"
        assert issue["line"] is not None  # located: the line of the empty key
        line = (root / issue["file"]).read_text(encoding="utf-8").splitlines()[issue["line"] - 1]
        key = issue["field"].split(".")[-1]
        assert line.strip() in (f"{key}:", f"- {key}:"), line
        found.append((Path(issue["file"]).name, key))
    assert sorted(found) == sorted(expected_empty)


def _fill(year_dir: Path) -> None:
    """What a clerk does next: every empty value filled."""
    values = {"填报日期": "2025-04-20", "预算数": "100", "执行数": "90", "偏差原因分析": "无偏差", "改进措施": "继续保持",
              "实际完成值": "已完成", "得分": "1", "年初预算数": "10", "全年预算数": "10", "全年执行数": "9",
              "实际完成情况": "已完成"}
    for path in year_dir.rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"^(\s*(?:- )?)(\S+):$", lambda m: f"{m.group(1)}{m.group(2)}: {values[m.group(2)]}"
                      if m.group(2) in values else m.group(0), text, flags=re.M)
        path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("example", ["hubei-2023", "national-2020"])
def test_scored_examples_keep_weights_and_clear_scores_then_build(tmp_path, example):
    root = _root(tmp_path, ROOT / "templates" / example / "example" / "2023")
    assert annex(root, "new-year", "2024").exit_code == 0
    new_dir = root / "data" / "2024"
    for path in (new_dir / "projects").glob("*.yaml"):
        data = _load(path)
        old = _load(root / "data" / "2023" / "projects" / path.name)
        rows = [r for g in data["年度绩效目标"] for r in g["指标"]]
        old_rows = [r for g in old["年度绩效目标"] for r in g["指标"]]
        assert [r["分值"] for r in rows] == [r["分值"] for r in old_rows]
        assert all(r["得分"] == "" for r in rows)
        assert all("偏差原因分析及改进措施" not in r for r in rows)
        if example == "national-2020":
            assert all(v == {"年初预算数": "", "全年预算数": "", "全年执行数": ""} for v in data["项目资金"].values())
            assert data["年度总体目标"]["预期目标"] == old["年度总体目标"]["预期目标"]
            assert data["年度总体目标"]["实际完成情况"] == ""
    report = _check_json(root, "2024")
    assert report["errors"] > 0 and {i["code"] for i in report["issues"]} == {"not-filled"}
    _fill(new_dir)
    report = _check_json(root, "2024")
    # filled with placeholder scores the weights no longer add up for national; hubei builds
    codes = {i["code"] for i in report["issues"] if i["severity"] == "error"}
    assert "not-filled" not in codes
    if example == "hubei-2023":
        assert codes == set()
        assert annex(root, "build", "--year", "2024", "--no-archive", "-f", "docx").exit_code == 0


def test_never_touches_an_existing_year(tmp_path):
    root = _root(tmp_path, ROOT / "data" / "2023")
    (root / "data" / "2024").mkdir()
    (root / "data" / "2024" / "我的笔记.txt").write_text("不要动", encoding="utf-8")
    before = files(root / "data")
    result = annex(root, "new-year", "2024")
    assert result.exit_code == 1
    assert "已经存在" in result.output and "不会改动" in result.output
    assert files(root / "data") == before
    same = annex(root, "new-year", "2023")
    assert same.exit_code == 1 and files(root / "data") == before


def test_from_picks_the_source_and_default_is_the_latest_before(tmp_path):
    root = _root(tmp_path, ROOT / "data" / "2023")
    shutil.copytree(ROOT / "templates" / "hubei-2023" / "example" / "2023", root / "data" / "2021")
    assert annex(root, "new-year", "2022").exit_code == 0  # from 2021, the latest before 2022
    assert _load(root / "data" / "2022" / "department.yaml")["单位名称"] == "示例市司法局"
    assert annex(root, "new-year", "2025", "--from", "2021").exit_code == 0
    assert _load(root / "data" / "2025" / "department.yaml")["单位名称"] == "示例市司法局"
    assert annex(root, "new-year", "2024").exit_code == 0  # 2023 is the latest before 2024
    assert _load(root / "data" / "2024" / "department.yaml")["单位名称"] == "中共鄂州市委政法委员会"
    none = annex(root, "new-year", "2000")
    assert none.exit_code == 1 and "--from" in none.output


def test_a_year_with_budget_csv_gives_yaml_figures_to_fill(tmp_path):
    root = _root(tmp_path, ROOT / "data" / "2023")
    year = root / "data" / "2023"
    rows = ["项目名称,预算数,执行数"]
    for path in sorted((year / "projects").glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        planned = re.search(r"^预算数: (.+)$", text, re.M).group(1)
        spent = re.search(r"^执行数: (.+)$", text, re.M).group(1)
        rows.append(f"{_load(path)['项目名称']},{planned},{spent}")
        path.write_text(re.sub(r"^(预算数|执行数): .+\n", "", text, flags=re.M), encoding="utf-8")
    (year / "预算执行.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert _check_json(root, "2023")["errors"] == 0
    assert annex(root, "new-year", "2024").exit_code == 0
    assert not (root / "data" / "2024" / "预算执行.csv").exists()
    report = _check_json(root, "2024")
    assert sum(1 for i in report["issues"] if i["field"] == "预算数") == 11


def test_a_source_year_with_errors_is_refused(tmp_path):
    root = _root(tmp_path, ROOT / "data" / "2023")
    p = next((root / "data" / "2023" / "projects").glob("01-*.yaml"))
    p.write_text(p.read_text(encoding="utf-8") + "项目名字: 错\n", encoding="utf-8")
    result = annex(root, "new-year", "2024")
    assert result.exit_code == 1
    assert "annex check --year 2023" in result.output
    assert not (root / "data" / "2024").exists()


def test_reviewed_warnings_stay_reviewed(tmp_path):
    root = _root(tmp_path, ROOT / "data" / "2023")
    dept = root / "data" / "2023" / "department.yaml"
    dept.write_text(dept.read_text(encoding="utf-8") + "已确认警告: [nonstandard-level2]\n", encoding="utf-8")
    p = next((root / "data" / "2023" / "projects").glob("06-*.yaml"))
    p.write_text(p.read_text(encoding="utf-8") + "已确认警告: [level2-same-as-level1]\n", encoding="utf-8")
    before = _check_json(root, "2023")
    assert annex(root, "new-year", "2024").exit_code == 0
    after = _check_json(root, "2024")
    assert _load(root / "data" / "2024" / "department.yaml")["已确认警告"] == ["nonstandard-level2"]
    assert _load(root / "data" / "2024" / "projects" / p.name)["已确认警告"] == ["level2-same-as-level1"]
    assert after["warnings"] == before["warnings"]
