"""Every route leads to a workbook (issue 22.2): a year `annex new-year` started exports, its facts not
yet filled as blank cells to fill, and the count of problems that stop an export is check's count."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from pipeline.build.front import check_year
from pipeline.write.new_year import start_year
from pipeline.write.workbook import ExportError, export_year

ROOT = Path(__file__).resolve().parent.parent
SOURCES = {"data-2023": ROOT / "data" / "2023",
           "national-2020-example": ROOT / "templates" / "national-2020" / "example" / "2023"}


def _new_year(tmp_path: Path, source: str) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copytree(SOURCES[source], data / "2023")
    start_year(data, 2024)
    return data / "2024"


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_a_new_year_exports_with_blank_cells_to_fill(tmp_path, source):
    year = _new_year(tmp_path, source)
    unfilled = [i for i in check_year(year).errors if i.code == "not-filled"]
    assert unfilled and len(unfilled) == len(check_year(year).errors)
    done = export_year(year, tmp_path / "新年度.xlsx", force=False)
    assert done.projects == len(check_year(year).input.projects) > 0
    wb = openpyxl.load_workbook(tmp_path / "新年度.xlsx")
    projects, indicators = wb["项目"], wb["指标"]
    headers = {c.value: c.column for c in projects[1]}
    blank_project_cells = sum(projects.cell(r, c).value is None for r in range(2, projects.max_row + 1)
                              for h, c in headers.items()
                              if h in ("预算数", "执行数", "偏差原因分析", "改进措施", "实际完成情况") or "执行数" in h
                              or "预算数" in h)
    ih = {c.value: c.column for c in indicators[1]}
    blank_actuals = sum(indicators.cell(r, ih["实际完成值"]).value is None for r in range(2, indicators.max_row + 1))
    assert blank_actuals == indicators.max_row - 1  # every 实际完成值 is this year's, to fill
    assert blank_project_cells > 0
    # what stays from year to year is there: names, headings, targets
    kept = [r for r in range(2, indicators.max_row + 1) if indicators.cell(r, ih["三级指标"]).value]
    assert len(kept) == indicators.max_row - 1


def test_the_exported_new_year_filled_in_builds(tmp_path):
    year = _new_year(tmp_path, "data-2023")
    export_year(year, year / "自评数据.xlsx", force=False)
    shutil.rmtree(year / "projects")
    wb = openpyxl.load_workbook(year / "自评数据.xlsx")
    projects, indicators = wb["项目"], wb["指标"]
    ph = {c.value: c.column for c in projects[1]}
    for r in range(2, projects.max_row + 1):
        projects.cell(r, ph["预算数"]).value, projects.cell(r, ph["执行数"]).value = 100, 90.5
        projects.cell(r, ph["偏差原因分析"]).value = projects.cell(r, ph["改进措施"]).value = "无"
    ih = {c.value: c.column for c in indicators[1]}
    for r in range(2, indicators.max_row + 1):
        indicators.cell(r, ih["实际完成值"]).value = "已完成"
    wb.save(year / "自评数据.xlsx")
    dept = year / "department.yaml"
    dept.write_text(dept.read_text(encoding="utf-8").replace("填报日期:", "填报日期: 2025-04-20"), encoding="utf-8")
    result = check_year(year)
    assert [(i.code, i.cell) for i in result.errors] == []
    assert result.bundle.forms[0].budget.spent == "90.50" or result.bundle.forms[0].budget.spent.startswith("90.5")


def test_export_counts_each_error_once_as_check_does(tmp_path):
    year = _new_year(tmp_path, "data-2023")
    first = sorted((year / "projects").glob("*.yaml"))[0]
    first.write_text(first.read_text(encoding="utf-8").replace("项目类别: 部门预算项目", "项目类别: 部门项目"),
                     encoding="utf-8")
    blocking = [i for i in check_year(year).errors if i.code != "not-filled"]
    assert len(blocking) == 1
    with pytest.raises(ExportError, match="有 1 个错误"):
        export_year(year, tmp_path / "x.xlsx", force=False)


# --- last year's workbook copied by hand -----------------------------------------------------------------

def _copied_by_hand(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copytree(SOURCES["data-2023"], data / "2023")
    year = data / "2024"
    year.mkdir()
    dept = (data / "2023" / "department.yaml").read_text(encoding="utf-8")
    (year / "department.yaml").write_text(dept, encoding="utf-8")
    export_year(data / "2023", year / "自评数据.xlsx", force=False)  # last year's workbook, copied
    return year


def test_figures_left_from_last_year_are_named(tmp_path):
    year = _copied_by_hand(tmp_path)
    result = check_year(year)
    found = [i for i in result.issues if i.code == "unchanged-from-last-year"]
    assert len(found) == len(result.input.projects) == 11
    assert found[0].cell.startswith("项目!") and "与 2023 年的数据完全相同" in found[0].message


def test_a_project_whose_figures_were_updated_is_not_flagged(tmp_path):
    year = _copied_by_hand(tmp_path)
    wb = openpyxl.load_workbook(year / "自评数据.xlsx")
    projects = wb["项目"]
    ph = {c.value: c.column for c in projects[1]}
    projects.cell(2, ph["预算数"]).value, projects.cell(2, ph["执行数"]).value = 123.45, 100
    name = projects.cell(2, ph["项目名称"]).value
    indicators = wb["指标"]
    ih = {c.value: c.column for c in indicators[1]}
    for r in range(2, indicators.max_row + 1):
        if indicators.cell(r, ih["项目名称"]).value == name:
            indicators.cell(r, ih["实际完成值"]).value = "2024 年完成"
    wb.save(year / "自评数据.xlsx")
    result = check_year(year)
    flagged = {i.cell for i in result.issues if i.code == "unchanged-from-last-year"}
    assert len(flagged) == 10 and "项目!I2" not in flagged
