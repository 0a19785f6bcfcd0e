"""A year kept in a workbook: what each cell means, the tables it builds, and every mistake located at
its cell."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pytest

from docx_grid import read_grid
from pdf_text import page_texts, squash
from pipeline.build.front import check_year
from pipeline.input.workbook.cells import display_date, display_number, shown
from workbooks import (
    ACCOUNTING, EXPECTED_YAML, build_files, clerk_workbook, write_year, mutate as _mutate, set_cell as _set,
    unit_sheet as _unit_sheet, delete_column as _delete_column,
)


# --- what a cell shows ----------------------------------------------------------------------------

@pytest.mark.parametrize("value, fmt, text, plain", [
    (155.65000000000001, "0.000", "155.650", "155.650"),  # 数值, 3 decimals: never the binary expansion
    (155.65000000000001, "General", "155.65", "155.65"),
    (0.1 + 0.2, "General", "0.3", "0.3"),
    (2062, "General", "2062", "2062"),
    (0.9, "0%", "90%", "90%"),
    (0.955, "0.0%", "95.5%", "95.5%"),
    (0.12345, "0.00%", "12.35%", "12.35%"),
    (2.675, "0.00", "2.68", "2.68"),  # Excel rounds the 15-digit value half away from zero
    (-2.675, "0.00", "-2.68", "-2.68"),
    (1024.5, "#,##0.00", "1,024.50", "1024.50"),  # 千位分隔: an amount is read without the separator
    (1024.5, ACCOUNTING, "1,024.50", "1024.50"),  # 会计 without a symbol
    (0, ACCOUNTING, "-", "0.00"),  # 会计 shows zero as "-"; the number is 0 with its decimals
    (-3.5, ACCOUNTING, "-3.50", "-3.50"),
    (1024.5, '_ ¥* #,##0.00_ ;_ ¥* -#,##0.00_ ;_ ¥* "-"??_ ;_ @_ ', "¥1,024.50", "1024.50"),
    (58.5, "[$¥-804]#,##0.00", "¥58.50", "58.50"),
    (-5, "#,##0.00;[Red]-#,##0.00", "-5.00", "-5.00"),
    (60, '0"万元"', "60万元", "60万元"),  # a unit in the format stays, so that an amount reports it
    (2100, '#,##0"件"', "2,100件", "2100件"),
    (12, "@", "12", "12"),  # a number typed before the column was set to 文本
])
def test_a_number_reads_as_the_cell_displays_it(value, fmt, text, plain):
    s = display_number(value, fmt)
    assert (s.text, s.plain, s.exact) == (text, plain, True)


def test_a_format_that_cannot_be_shown_exactly_is_flagged():
    s = display_number(1234.5, "0.00E+00")
    assert (s.text, s.exact) == ("1234.5", False)


@pytest.mark.parametrize("value, fmt, text", [
    (dt.datetime(2024, 4, 23), "yyyy-mm-dd", "2024-04-23"),
    (dt.datetime(2024, 4, 3), "yyyy/m/d", "2024/4/3"),
    (dt.datetime(2024, 4, 3), 'yyyy"年"m"月"d"日"', "2024年4月3日"),
    (dt.datetime(2024, 4, 3, 9, 5), "yyyy-mm-dd hh:mm", "2024-04-03 09:05"),
])
def test_a_date_reads_as_displayed(value, fmt, text):
    assert display_date(value, fmt) == text


def test_alt_enter_line_breaks_are_kept_and_windows_breaks_normalised():
    assert shown("第一行\r\n第二行", "General").text == "第一行\n第二行"
    assert shown("   ", "General") is None


# --- a clerk's workbook builds the tables the same YAML builds ------------------------------------

def test_clerks_workbook_builds_the_same_tables_as_the_yaml(tmp_path):
    expected = build_files(write_year(tmp_path / "y", EXPECTED_YAML), tmp_path / "y" / "build")
    year = write_year(tmp_path / "w")
    clerk_workbook(year / "自评数据.xlsx")
    (year / "~$自评数据.xlsx").write_bytes(b"\x00lock")  # Excel's lock file beside the open workbook
    result = check_year(year, base=tmp_path / "w")
    assert result.errors == []
    assert sorted((i.code, i.cell) for i in result.warnings) == [
        ("workbook-unknown-column", "项目!J1"), ("workbook-unknown-sheet", "说明!A1")]
    built = build_files(year, tmp_path / "w" / "build")
    assert sorted(built) == sorted(expected) and len(built) == 8  # with the 自评报告's two files
    for name in expected:
        assert built[name] == expected[name], name  # Word and PDF, byte for byte

    # and, read as a user reads them: the cells of the first table
    first = next(name for name in built if name.endswith(".docx") and "人民调解" in name)
    texts = [c.text for c in read_grid(built[first])[0]]
    for shown_text in ("155.650", "124.50", "2062", "2,100件", "90%", "95.5%", "96%",
                       "1. 年底集中支付。\n2. 部分奖补次年拨付。"):
        assert shown_text in texts, shown_text
    assert texts.count("产出指标") == 1  # the merged 一级指标 continues down its rows
    pdf = squash("".join(page_texts(built[first.replace(".docx", ".pdf")])))
    assert "155.650" in pdf and "124.50" in pdf and "95.5%" in pdf and "155.65000" not in pdf


def test_department_in_a_unit_sheet_with_a_date_cell(tmp_path):
    year = write_year(tmp_path)
    (year / "department.yaml").unlink()
    clerk_workbook(year / "自评数据.xlsx")
    wb = openpyxl.load_workbook(year / "自评数据.xlsx")
    unit = wb.create_sheet("单位")
    for row in (["项目", "内容"], ["单位名称", "示例单位"], ["主管部门", "示例主管部门"],
                ["填报日期", dt.datetime(2025, 4, 23)], ["表样", "hubei-2023"], ["评分", "否"]):
        unit.append(row)
    unit["B4"].number_format = 'yyyy"年"m"月"d"日"'
    wb.save(year / "自评数据.xlsx")
    result = check_year(year, base=tmp_path)
    assert result.errors == []
    assert result.bundle.forms[0].date_line.endswith("2025 年 4 月 23 日")
    assert result.bundle.unit == "示例单位"


# --- every mistake, located at its cell -----------------------------------------------------------

def _formula_in_amount(wb):
    wb["项目"]["B3"] = "=50+10"  # openpyxl saves no computed value, as a script would


MISTAKES = {
    # name: (change, code, cell, field)
    "missing-sheet": (lambda wb: wb.remove(wb["指标"]), "workbook-missing-sheet", None, ""),
    "missing-column": (_delete_column("指标", 5), "workbook-missing-column", "指标!1:1", "三级指标"),
    "missing-project-column": (_delete_column("项目", 4), "workbook-missing-column", "项目!1:1", "项目实施单位"),
    "duplicate-column": (_set("项目", "K1", "改进措施"), "workbook-duplicate-column", "项目!K1", "改进措施"),
    "unknown-option": (_set("项目", "E3", "专项"), "not-an-option", "项目!E3", "项目类别"),
    "unknown-level1": (_set("指标", "C6", "产出"), "unknown-level1", "指标!C6", "一级指标"),
    "amount-with-unit": (_set("项目", "B3", "60万元"), "amount-format", "项目!B3", "预算数"),
    "amount-unit-format": (_set("项目", "B3", 60, '0"万元"'), "amount-format", "项目!B3", "预算数"),
    "percent-in-amount": (_set("项目", "C3", 0.5, "0%"), "amount-format", "项目!C3", "执行数"),
    "amount-thousands-text": (_set("项目", "B3", "1,024"), "amount-format", "项目!B3", "预算数"),
    "text-number-not-a-number": (_set("项目", "B3", "六十", "@"), "amount-format", "项目!B3", "预算数"),
    "budget-zero": (_set("项目", "B3", 0), "budget-not-positive", "项目!B3", "预算数"),
    "blank-first-name": (lambda wb: wb["指标"].unmerge_cells("A2:A5") or _set("指标", "A2", None)(wb),
                         "workbook-blank-first-name", "指标!A2", "项目名称"),
    "blank-project-name": (_set("项目", "A3", None), "workbook-blank-name", "项目!A3", "项目名称"),
    "unknown-project": (_set("指标", "A6", "法治宣传经费"), "workbook-unknown-project", "指标!A6", "项目名称"),
    "formula-uncached": (_formula_in_amount, "workbook-formula-uncached", "项目!B3", "预算数"),
    "goal-number": (_set("指标", "B5", "二"), "workbook-goal-number", "指标!B5", "目标"),
    "number": (lambda wb: (wb["项目"].cell(1, 11, "序号"), wb["项目"].cell(2, 11, "一")), "workbook-number",
               "项目!K2", "序号"),
    "duplicate-number": (lambda wb: (wb["项目"].cell(1, 11, "序号"), wb["项目"].cell(2, 11, 3),
                                     wb["项目"].cell(3, 11, 3)), "workbook-duplicate-number", "项目!K3", "序号"),
    "blank-required": (_set("项目", "D3", None), "missing-key", "项目!D3", "项目实施单位"),
    "level2-wrong-level1": (_set("指标", "D6", "社会效益指标"), "level2-wrong-level1", "指标!D6", "二级指标"),
    "inexact-format": (_set("指标", "F6", 12, "0.0E+00"), "workbook-format-inexact", "指标!F6", "年初目标值"),
    "bidi-control": (_set("指标", "E6", "宣传\u202e活动"), "bidi-control", "指标!E6", "三级指标"),
    "fullwidth-digits": (_set("项目", "B3", "６０"), "fullwidth-digits", "项目!B3", "预算数"),
    "scores-without-scoring": (lambda wb: (wb["指标"].cell(1, 8, "分值"), wb["指标"].cell(6, 8, 10)),
                               "scoring-field-unused", "指标!H6", "分值"),
}


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_each_workbook_mistake_is_located_at_its_cell(tmp_path, name):
    change, code, cell, field = MISTAKES[name]
    year = write_year(tmp_path)
    clerk_workbook(year / "自评数据.xlsx")
    _mutate(year / "自评数据.xlsx", change)
    result = check_year(year, base=tmp_path)
    found = [i for i in result.issues if i.code == code]
    assert found, [(i.code, i.cell, i.message) for i in result.issues]
    issue = found[0]
    assert issue.file == "data/2024/自评数据.xlsx"
    assert (issue.cell, issue.field) == (cell, field)
    assert len(found) == 1, found  # once, not once a row
    assert len(result.errors) <= 2, [(i.code, i.cell) for i in result.errors]


def test_a_legacy_xls_gets_a_message_saying_how_to_save_it(tmp_path):
    year = write_year(tmp_path)
    (year / "自评数据.xls").write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    result = check_year(year, base=tmp_path)
    [issue] = [i for i in result.errors if i.code == "workbook-format"]
    assert ".xls" in issue.message and "另存为" in issue.message and "xlsx" in issue.message


def test_a_damaged_workbook_is_an_error_not_a_traceback(tmp_path):
    year = write_year(tmp_path)
    (year / "自评数据.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    result = check_year(year, base=tmp_path)
    assert [i.code for i in result.errors] == ["workbook-unreadable"]


def test_the_same_department_key_in_the_sheet_and_the_yaml_names_both(tmp_path):
    year = write_year(tmp_path)
    clerk_workbook(year / "自评数据.xlsx")
    _mutate(year / "自评数据.xlsx", _unit_sheet((["项目", "内容"], ["单位名称", "另一个单位"])))
    result = check_year(year, base=tmp_path)
    [issue] = [i for i in result.errors if i.code == "workbook-key-twice"]
    assert issue.cell == "单位!B2" and "department.yaml" in issue.message


def test_the_same_key_twice_in_the_unit_sheet(tmp_path):
    year = write_year(tmp_path)
    (year / "department.yaml").unlink()
    clerk_workbook(year / "自评数据.xlsx")
    rows = (["项目", "内容"], ["单位名称", "示例单位"], ["填报日期", "2025-04-23"], ["单位名称", "又一个"])
    _mutate(year / "自评数据.xlsx", _unit_sheet(rows))
    result = check_year(year, base=tmp_path)
    [issue] = [i for i in result.errors if i.code == "workbook-duplicate-key"]
    assert issue.cell == "单位!B4"


def test_problems_print_with_the_cell_a_user_types_into_the_name_box(tmp_path):
    from rich.console import Console

    from pipeline.problems.report import print_issues

    year = write_year(tmp_path)
    clerk_workbook(year / "自评数据.xlsx")
    _mutate(year / "自评数据.xlsx", _set("项目", "B3", "60万元"))
    console = Console(record=True, width=200)
    print_issues(console, check_year(year, base=tmp_path).issues)
    assert "data/2024/自评数据.xlsx 项目!B3" in console.export_text()


def test_projects_from_files_and_from_a_workbook_mix_in_number_order(tmp_path):
    year = write_year(tmp_path, {"05-法治宣传.yaml": EXPECTED_YAML["02-法治宣传.yaml"].replace("法治宣传教育经费", "另一个项目")})
    clerk_workbook(year / "自评数据.xlsx")
    result = check_year(year, base=tmp_path)
    assert result.errors == []
    assert [f.project_name for f in result.bundle.forms] == ["人民调解以奖代补经费", "法治宣传教育经费", "另一个项目"]


# --- the build sees the workbook as it sees YAML ----------------------------------------------------

def test_a_changed_row_rebuilds_only_its_projects_table_and_the_archive_keeps_the_workbook(tmp_path):
    from pipeline.build import BuildOptions, build

    year = write_year(tmp_path)
    clerk_workbook(year / "自评数据.xlsx")
    out = tmp_path / "build"
    first = build(BuildOptions(year, out))  # Word and PDF: only a whole bundle is archived
    assert len(first.rendered_tables) == 2
    _mutate(year / "自评数据.xlsx", _set("指标", "G6", "13场"))
    second = build(BuildOptions(year, out))
    assert second.rendered_tables == ["02-法治宣传教育经费"]
    stored = [p.name for p in (out / "archive").rglob("*.xlsx")]
    assert "自评数据.xlsx" in stored


def test_the_workbook_project_key_is_stable_across_unrelated_edits(tmp_path):
    year = write_year(tmp_path)
    clerk_workbook(year / "自评数据.xlsx")
    before = check_year(year, base=tmp_path).bundle.forms
    _mutate(year / "自评数据.xlsx", _set("项目", "J2", "又核对了一遍"))  # a helper column
    after = check_year(year, base=tmp_path).bundle.forms
    assert before == after


def test_a_workbook_that_unpacks_to_gigabytes_is_refused_before_reading(tmp_path):
    import zipfile

    year = write_year(tmp_path)
    with zipfile.ZipFile(year / "自评数据.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = bytes(1024 * 1024)
            for _ in range(600):
                member.write(chunk)
    assert (year / "自评数据.xlsx").stat().st_size < 5 * 1024 * 1024
    [issue] = [i for i in check_year(year, base=tmp_path).errors if i.code == "workbook-over-limit"]
    assert "解压后 600 MB（上限 200 MB）" in issue.message


def test_accepted_warnings_in_the_unit_sheet_for_the_year(tmp_path):
    year = write_year(tmp_path)
    (year / "department.yaml").unlink()
    clerk_workbook(year / "自评数据.xlsx")
    _mutate(year / "自评数据.xlsx", _set("指标", "D6", "宣传次数"))  # not a standard 二级指标
    rows = (["项目", "内容"], ["单位名称", "示例单位"], ["主管部门", "示例主管部门"], ["填报日期", "2025-04-23"])
    _mutate(year / "自评数据.xlsx", _unit_sheet(rows))
    assert "nonstandard-level2" in [i.code for i in check_year(year, base=tmp_path).warnings]
    _mutate(year / "自评数据.xlsx", lambda wb: wb["单位"].append(["已确认警告", "nonstandard-level2、empty-value"]))
    result = check_year(year, base=tmp_path)
    assert result.errors == [] and "nonstandard-level2" not in [i.code for i in result.warnings]
    assert [i.code for i in result.accepted] == ["nonstandard-level2"]
