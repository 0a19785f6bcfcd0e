"""Spreadsheet habits, read as the clerk meant them: a mistake in a "same as above" cell said once at
the cell that holds it (issue 22.8), a 合计 row under the projects (22.9), a sorted 指标 sheet (22.4)."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from pipeline.build.front import check_year
from pipeline.write.workbook import export_year
from workbooks import clerk_workbook, mutate, write_year

ROOT = Path(__file__).resolve().parent.parent


def _clerk(tmp_path, *changes):
    year = write_year(tmp_path)
    clerk_workbook(year / "自评数据.xlsx")
    for change in changes:
        mutate(year / "自评数据.xlsx", change)
    return check_year(year, base=tmp_path)


def _where(result, code):
    return [i.cell for i in result.issues if i.code == code]


# --- 22.8: said once, at the cell that holds the value ------------------------------------------------

def _wrong_level1_over_blanks(wb):
    ws = wb["指标"]
    ws.unmerge_cells("C2:C3")
    ws["C2"], ws["C3"] = "产出", None  # C3 blank: the same as C2


def _wrong_name_over_blanks(wb):
    ws = wb["指标"]
    ws["A6"] = "法治宣传经费"
    ws.append([None, None, None, "数量指标", "宣传人次", "100人", "100人"])
    ws.append([None, None, "效益指标", "社会效益指标", "知晓率", "90%", "92%"])


def test_a_wrong_value_continued_by_blank_cells_is_said_once_at_its_cell(tmp_path):
    result = _clerk(tmp_path, _wrong_level1_over_blanks)
    assert _where(result, "unknown-level1") == ["指标!C2"], [(i.code, i.cell) for i in result.issues]


def test_a_mistyped_project_name_is_said_once(tmp_path):
    result = _clerk(tmp_path, _wrong_name_over_blanks)
    assert _where(result, "workbook-unknown-project") == ["指标!A6"]


def test_a_mistyped_name_typed_on_every_row_is_said_once_too(tmp_path):
    def every_row(wb):
        _wrong_name_over_blanks(wb)
        wb["指标"]["A7"] = wb["指标"]["A8"] = "法治宣传经费"
    assert _where(_clerk(tmp_path, every_row), "workbook-unknown-project") == ["指标!A6"]


def test_a_bad_goal_number_continued_is_said_once(tmp_path):
    def goal(wb):
        ws = wb["指标"]
        ws["B4"] = "二"  # B5 holds 2 in the clerk's sheet: blank it so it continues B4
        ws["B5"] = None
    assert _where(_clerk(tmp_path, goal), "workbook-goal-number") == ["指标!B4"]


# --- 22.9: a 合计 row --------------------------------------------------------------------------------

@pytest.mark.parametrize("label", ["合计", "合 计", "总计"])
def test_a_total_row_is_not_a_project(tmp_path, label):
    result = _clerk(tmp_path, lambda wb: wb["项目"].append([label, 215.65, 124.5]))
    assert [p.data.name for p in result.input.projects] == ["人民调解以奖代补经费", "法治宣传教育经费"]
    assert result.errors == [] and _where(result, "workbook-total-differs") == []


def test_a_total_that_differs_from_the_sum_is_named(tmp_path):
    result = _clerk(tmp_path, lambda wb: wb["项目"].append(["合计", 216, 124.5]))
    [issue] = [i for i in result.issues if i.code == "workbook-total-differs"]
    assert issue.cell == "项目!B4" and "写的是 216，上面各项目之和为 215.650" in issue.message
    assert len(result.input.projects) == 2 and result.errors == []


# --- 22.4: a sorted 指标 sheet -------------------------------------------------------------------------

def _sort_indicators(column: int, from_row: int = 2):
    """Sort the 指标 sheet's rows by one column, as Excel's 排序 does (blank cells last)."""
    def change(wb):
        ws = wb["指标"]
        for merged in list(ws.merged_cells.ranges):
            ws.unmerge_cells(str(merged))
        rows = [[c.value for c in row] for row in ws.iter_rows(min_row=from_row)]
        rows.sort(key=lambda r: (r[column - 1] is None, str(r[column - 1])))
        for i, values in enumerate(rows, start=from_row):
            for j, value in enumerate(values, start=1):
                ws.cell(i, j).value = value
    return change


@pytest.mark.parametrize("column", [6, 7])  # 年初目标值, 实际完成值
def test_a_sheet_sorted_after_leaving_cells_blank_is_one_error_naming_the_cause(tmp_path, column):
    result = _clerk(tmp_path, _sort_indicators(column))
    assert [(i.code, i.cell) for i in result.errors] == [("workbook-sheet-sorted", "指标!A1")]
    assert "撤销排序" in result.errors[0].message


def _blank_repeats(wb):
    """The README's habit: 项目名称, 目标, 一级指标, 二级指标 typed once, blank below while the same."""
    ws = wb["指标"]
    last: dict[int, object] = {}
    for row in ws.iter_rows(min_row=2):
        same_project = row[0].value == last.get(1)
        for cell in row[:4]:
            value = cell.value
            if last.get(cell.column) == value and (cell.column == 1 or same_project):
                cell.value = None
            last[cell.column] = value


@pytest.mark.parametrize("column", [5, 4, 7])  # 三级指标, 二级指标, 实际完成值
def test_the_real_years_sheet_sorted_after_blanking_is_one_error(tmp_path, column):
    year = tmp_path / "data" / "2023"
    shutil.copytree(ROOT / "data" / "2023", year)
    export_year(year, year / "自评数据.xlsx", force=False)
    shutil.rmtree(year / "projects")
    for csv in year.glob("*.csv"):
        csv.unlink()
    mutate(year / "自评数据.xlsx", _blank_repeats)
    assert check_year(year).errors == []  # blank "same as above" cells read as meant
    mutate(year / "自评数据.xlsx", _sort_indicators(column))
    result = check_year(year)
    assert [(i.code, i.cell) for i in result.errors] == [("workbook-sheet-sorted", "指标!A1")]


def test_the_exported_workbook_sorts_safely(tmp_path):
    year = tmp_path / "data" / "2023"
    shutil.copytree(ROOT / "data" / "2023", year)
    before = check_year(year)
    export_year(year, year / "自评数据.xlsx", force=False)
    shutil.rmtree(year / "projects")
    for csv in year.glob("*.csv"):
        csv.unlink()
    wb = openpyxl.load_workbook(year / "自评数据.xlsx")
    notes = {c.value: c.comment.text for c in wb["指标"][1] if c.comment}
    assert set(notes) == {"项目名称", "目标", "一级指标", "二级指标"} and "同上" in notes["一级指标"]
    mutate(year / "自评数据.xlsx", _sort_indicators(5))
    after = check_year(year)
    assert [(i.code, i.cell, i.message) for i in after.errors] == []

    def indicators(result):
        return {p.data.name: Counter((n, i.level1, i.level2, i.level3, i.target, i.actual)
                                     for n, g in enumerate(p.goals) for i in g.indicators)
                for p in result.input.projects}
    assert indicators(after) == indicators(before)  # every indicator under its own project and headings
