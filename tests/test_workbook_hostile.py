"""Workbooks and Word files no clerk means to make, read without a traceback, within bounded time and
memory, every problem located (issue 21.9, 21.11, 21.13, 21.14); and what a workbook shows differently
from what it holds is said (21.8, 21.9)."""

from __future__ import annotations

import pytest

from bombs import big_text_docx, empty_paragraphs_docx, measure, shared_strings_bomb, wide_rows
from pipeline.build.front import check_year
from pipeline.input.word import import_documents
from workbooks import (
    clerk_workbook, mutate, raw_cell, resave_with_libreoffice, set_cell, soffice_missing, write_year,
)
from word_handmade import Style, document_with, sample


def _clerk_year(tmp_path):
    year = write_year(tmp_path)
    clerk_workbook(year / "自评数据.xlsx")
    return year, year / "自评数据.xlsx"


def _located(result, code):
    return [(i.cell, i.field) for i in result.issues if i.code == code]


# --- 21.11: cells openpyxl could not parse --------------------------------------------------------------

UNREADABLE = {
    "letters": '<c r="B3" t="n"><v>abc</v></c>',
    "nan": "<c r=\"B3\"><v>NaN</v></c>",
    "inf": '<c r="B3" t="n"><v>inf</v></c>',
    "percent": '<c r="B3" t="n"><v>95%</v></c>',
    "5000-digits": f'<c r="B3" t="n"><v>{"9" * 5000}</v></c>',
    "bad-date": '<c r="B3" t="d"><v>2024-13-45</v></c>',
    "bad-shared-string": '<c r="B3" t="s"><v>99999</v></c>',
    "bad-boolean": '<c r="B3" t="b"><v>yes</v></c>',
    "unknown-type": '<c r="B3" t="zz"><v>1</v></c>',
    "date-out-of-range": '<c r="B3" s="1"><v>1e300</v></c>',
}


@pytest.mark.parametrize("name", sorted(UNREADABLE))
def test_a_cell_that_cannot_be_read_is_an_error_at_that_cell(tmp_path, name):
    year, book = _clerk_year(tmp_path)
    if name == "date-out-of-range":
        mutate(book, set_cell("项目", "B3", 60, "yyyy-mm-dd"))
    mutate(book, set_cell("指标", "C4", "产出"))  # a real mistake elsewhere is still found
    raw_cell(book, "项目", "B3", UNREADABLE[name])
    result = check_year(year, base=tmp_path)
    assert _located(result, "workbook-cell-unreadable") == [("项目!B3", "预算数")], \
        [(i.code, i.cell, i.message) for i in result.issues]
    assert "unknown-level1" in {i.code for i in result.errors}
    assert [p.data.name for p in result.input.projects] == ["人民调解以奖代补经费"]  # the broken row is left out


def test_a_bad_cell_in_the_indicator_sheet_too(tmp_path):
    year, book = _clerk_year(tmp_path)
    raw_cell(book, "指标", "F6", '<c r="F6" t="n"><v>12场</v></c>')
    result = check_year(year, base=tmp_path)
    [issue] = [i for i in result.issues if i.code == "workbook-cell-unreadable"]
    assert (issue.cell, issue.field) == ("指标!F6", "年初目标值") and "12场" in issue.message


def test_an_undefined_number_format_reads_as_general_with_a_warning(tmp_path):
    year, book = _clerk_year(tmp_path)
    raw_cell(book, "项目", "B3", '<c r="B3" s="250"><v>60</v></c>')
    result = check_year(year, base=tmp_path)
    assert result.errors == [], [(i.code, i.cell) for i in result.errors]
    assert _located(result, "workbook-format-inexact") == [("项目!B3", "预算数")]
    assert result.bundle.forms[1].budget.planned.startswith("60")


# --- 21.13, 21.14: bounded work (CPU seconds and memory of a child process, under an rlimit) -------------

def _measured(tmp_path, year):
    cpu, mb, said = measure("check", year, tmp_path, cpu_seconds=60)
    assert cpu >= 0, said  # killed past 60 CPU seconds (main took 373 s for the wide rows)
    return mb, said


def test_rows_holding_one_cell_at_xfd_cost_one_cell_each(tmp_path):
    year = write_year(tmp_path)
    clerk_workbook(tmp_path / "clerk.xlsx")
    wide_rows(tmp_path / "clerk.xlsx", year / "自评数据.xlsx", "指标", 100_000)
    mb, said = _measured(tmp_path, year)
    assert said == "[]" and mb < 500


def test_a_shared_strings_bomb_is_refused_at_the_file(tmp_path):
    year = write_year(tmp_path)
    clerk_workbook(tmp_path / "clerk.xlsx")
    shared_strings_bomb(tmp_path / "clerk.xlsx", year / "自评数据.xlsx", 10_000_000)
    assert (year / "自评数据.xlsx").stat().st_size < 2 * 1024 * 1024
    mb, said = _measured(tmp_path, year)
    assert said == "[('workbook-over-limit', '')]" and mb < 500
    [issue] = check_year(year, base=tmp_path).errors
    assert issue.file == "data/2024/自评数据.xlsx" and "共享字符串过多（上限 1,000,000 个）" in issue.message


@pytest.mark.parametrize("kind", ["paragraphs", "big-text"])
def test_a_word_bomb_is_refused_before_python_docx_reads_it(tmp_path, kind):
    base = document_with([(sample(), Style())], tmp_path / "base.docx")
    bomb = tmp_path / "2023年自评表.docx"
    if kind == "paragraphs":
        empty_paragraphs_docx(base, bomb, 8_000_000)  # the trial's 86 KB file (1.1 GB through python-docx)
        expected = "XML 元素过多（上限 2,000,000 个）"
    else:
        big_text_docx(base, bomb, 400)
        expected = "解压后 400 MB（上限 150 MB）"
    assert bomb.stat().st_size < 2 * 1024 * 1024
    cpu, mb, said = measure("import", bomb, tmp_path, cpu_seconds=60)
    assert cpu >= 0 and mb < 500, said
    issues = import_documents([bomb], display=lambda p: p.name).issues
    [issue] = issues.errors
    assert (issue.code, issue.file) == ("import-unreadable", "2023年自评表.docx") and expected in issue.message


def test_a_real_word_file_still_imports(tmp_path):
    doc = document_with([(sample(1), Style()), (sample(2), Style())], tmp_path / "a.docx")
    imported = import_documents([doc])
    assert imported.tables == 2 and not imported.issues.errors


# --- 21.9: what the sheet holds but does not show ---------------------------------------------------------

def _hide(wb):
    wb["指标"].row_dimensions[3].hidden = True
    wb["指标"].row_dimensions[4].hidden = True
    wb["项目"].column_dimensions["I"].hidden = True
    wb["项目"].sheet_state = "hidden"
    wb.active = 1


def test_hidden_rows_columns_sheets_and_values_are_each_named(tmp_path):
    year, book = _clerk_year(tmp_path)
    mutate(book, _hide)
    mutate(book, set_cell("项目", "C3", 88, ";;;"))  # 执行数 88, shown as nothing
    result = check_year(year, base=tmp_path)
    hidden = sorted(i.message for i in result.issues if i.code == "workbook-hidden")
    assert hidden == sorted(["工作表「项目」是隐藏的，annex 照样读取其中的内容；请在 Excel 或 WPS 中取消隐藏，核对后再生成",
                             "工作表「指标」的第 3–4 行是隐藏的，annex 照样读取其中的内容；请在 Excel 或 WPS 中取消隐藏，核对后再生成",
                             "工作表「项目」的 I 列是隐藏的，annex 照样读取其中的内容；请在 Excel 或 WPS 中取消隐藏，核对后再生成"])
    assert _located(result, "workbook-hidden-value") == [("项目!C3", "执行数")]
    assert result.errors == [] and result.bundle.forms[1].budget.spent.startswith("88")


@pytest.mark.soffice
@pytest.mark.skipif(soffice_missing(), reason="LibreOffice (soffice) is not installed")
def test_hidden_things_are_still_named_after_libreoffice_saves_the_workbook(tmp_path):
    year, book = _clerk_year(tmp_path)
    mutate(book, _hide)
    mutate(book, set_cell("项目", "C3", 88, ";;;"))
    mutate(book, set_cell("项目", "B3", 45.5, "0"))
    resaved = resave_with_libreoffice(book, tmp_path / "lo", tmp_path / "lo-profile")
    book.write_bytes(resaved.read_bytes())
    result = check_year(year, base=tmp_path)
    assert len([i for i in result.issues if i.code == "workbook-hidden"]) == 3
    assert _located(result, "workbook-hidden-value") == [("项目!C3", "执行数")]
    assert _located(result, "workbook-display-rounded") == [("项目!B3", "预算数")]


# --- 21.8: a figure shown rounded -------------------------------------------------------------------------

@pytest.mark.parametrize("value, fmt, shown, stored", [(45.5, "0", "46", "45.5"), (0.955, "0%", "96%", "95.5%")])
def test_a_cell_showing_a_rounded_figure_is_named(tmp_path, value, fmt, shown, stored):
    year, book = _clerk_year(tmp_path)
    mutate(book, set_cell("项目", "B3", value, fmt))
    result = check_year(year, base=tmp_path)
    [issue] = [i for i in result.issues if i.code == "workbook-display-rounded"]
    assert issue.cell == "项目!B3" and f"单元格显示为 {shown}，实际存的是 {stored}" in issue.message
