"""A near-miss key or header gets "是不是「…」？" from every source a year is kept in, and never a
traceback: YAML keys, CSV headers, the 单位 sheet's keys and each sheet's headers (issue 22.1, 22.7)."""

from __future__ import annotations

import pytest

from pipeline.build.front import check_year
from scenarios import make_year
from workbooks import clerk_workbook, mutate, set_cell, unit_sheet, write_year

UNIT_ROWS = [["项目", "内容"], ["单位名称", "示例单位"], ["主管部门", "示例主管部门"], ["填报日期", "2025-04-23"],
             ["表样", "hubei-2023"], ["评分", "否"], ["已确认警告", "empty-value"]]


def _unit_typo(tmp_path, typo: str, meant: str):
    year = write_year(tmp_path)
    (year / "department.yaml").unlink()
    clerk_workbook(year / "自评数据.xlsx")
    rows = [list(r) for r in UNIT_ROWS]
    row = next(r for r in rows if r[0] == meant)
    row[0] = typo
    mutate(year / "自评数据.xlsx", unit_sheet(rows))
    return check_year(year, base=tmp_path), rows.index(row) + 1


# The trial's five labels (a crash, `'KeyMap' object has no attribute 'positions'`, before).
@pytest.mark.parametrize("typo, meant", [("单位名", "单位名称"), ("确认警告", "已确认警告"), ("已确认的警告", "已确认警告"),
                                         ("单位名字", "单位名称"), ("评 分", "评分")])
def test_a_near_typo_in_the_unit_sheet_is_suggested_at_its_row(tmp_path, typo, meant):
    result, row = _unit_typo(tmp_path, typo, meant)
    found = [i for i in result.issues if i.code == "unknown-key"]
    assert len(found) == 1, [(i.code, i.cell, i.message) for i in result.issues]
    assert found[0].cell == f"单位!B{row}" and found[0].file == "data/2024/自评数据.xlsx"
    assert f"是不是「{meant}」？" in found[0].message


def _codes(result):
    return [(i.code, i.cell, i.message) for i in result.issues]


def test_yaml_department_key(tmp_path):
    year = make_year(tmp_path)
    dept = year / "department.yaml"
    dept.write_text(dept.read_text(encoding="utf-8").replace("单位名称:", "单位名:"), encoding="utf-8")
    found = [i for i in check_year(year, base=tmp_path).issues if i.code == "unknown-key"]
    assert [(i.line, "是不是「单位名称」？" in i.message) for i in found] == [(1, True)]


def test_yaml_project_key(tmp_path):
    year = make_year(tmp_path)
    p = year / "projects" / "01-示例项目.yaml"
    p.write_text(p.read_text(encoding="utf-8").replace("项目实施单位:", "实施单位:"), encoding="utf-8")
    found = [i for i in check_year(year, base=tmp_path).issues if i.code == "unknown-key"]
    assert len(found) == 1 and "是不是「项目实施单位」？" in found[0].message


def test_csv_header(tmp_path):
    year = make_year(tmp_path)
    (year / "预算执行.csv").write_text("项目名称,预算树,执行数\n示例项目经费,60,58\n", encoding="utf-8")
    found = [i for i in check_year(year, base=tmp_path).issues if i.code == "csv-unknown-column"]
    assert len(found) == 1 and "是不是「预算数」？" in found[0].message, found


@pytest.mark.parametrize("sheet, ref, typo, meant", [
    ("指标", "E1", "三级指", "三级指标"),  # the trial's case: a required column
    ("指标", "F1", "年初目标", "年初目标值"),
    ("项目", "D1", "项目实施单", "项目实施单位"),
    ("项目", "I1", "改进措拖", "改进措施"),  # an optional column: read, not silently dropped
])
def test_a_header_typo_is_suggested_and_the_sheet_still_read(tmp_path, sheet, ref, typo, meant):
    year = write_year(tmp_path)
    clerk_workbook(year / "自评数据.xlsx")
    # a real mistake elsewhere must show on the same check, not on a second pass
    mutate(year / "自评数据.xlsx", set_cell(sheet, ref, typo))
    mutate(year / "自评数据.xlsx", set_cell("指标", "C6", "产出"))
    result = check_year(year, base=tmp_path)
    typos = [i for i in result.issues if i.code == "workbook-column-typo"]
    assert [(i.cell, i.field) for i in typos] == [(f"{sheet}!{ref}", typo)], _codes(result)
    assert f"是不是「{meant}」？" in typos[0].message
    assert {i.code for i in result.errors} == {"workbook-column-typo", "unknown-level1"}, _codes(result)
    assert not [i for i in result.issues if i.code in ("workbook-missing-column", "no-indicators", "missing-key")]


def test_a_helper_column_close_to_a_present_one_is_a_warning_with_a_hint(tmp_path):
    year = write_year(tmp_path)
    clerk_workbook(year / "自评数据.xlsx")
    mutate(year / "自评数据.xlsx", set_cell("项目", "K1", "项目名"))  # 项目名称 is there already
    result = check_year(year, base=tmp_path)
    found = [i for i in result.issues if i.code == "workbook-unknown-column" and i.cell == "项目!K1"]
    assert len(found) == 1 and "是不是「项目名称」？" in found[0].message
    assert result.errors == []
