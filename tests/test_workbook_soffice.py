"""Workbooks saved by a second real writer: LibreOffice Calc re-saves the clerk's workbook as another
spreadsheet program would (its own styles, shared strings, merged cells and cached formula values)."""

from __future__ import annotations

import openpyxl
import pytest

from pipeline.build.front import check_year
from workbooks import EXPECTED_YAML, build_files, clerk_workbook, resave_with_libreoffice, soffice_missing, write_year

pytestmark = [
    pytest.mark.soffice,
    pytest.mark.skipif(soffice_missing(), reason="LibreOffice (soffice) is not installed"),
]


def test_clerks_workbook_saved_by_libreoffice_builds_the_same_tables(tmp_path):
    expected = build_files(write_year(tmp_path / "y", EXPECTED_YAML), tmp_path / "y" / "build")
    typed = tmp_path / "typed" / "自评数据.xlsx"
    typed.parent.mkdir()
    clerk_workbook(typed)
    year = write_year(tmp_path / "w")
    resaved = resave_with_libreoffice(typed, year, tmp_path / "lo-profile")
    assert resaved.read_bytes() != typed.read_bytes()
    result = check_year(year, base=tmp_path / "w")
    assert result.errors == []
    built = build_files(year, tmp_path / "w" / "build")
    assert sorted(built) == sorted(expected)
    assert [n for n in expected if built[n] != expected[n]] == []


def test_a_formula_reads_its_value_once_a_spreadsheet_program_has_saved_it(tmp_path):
    year = write_year(tmp_path / "w")
    book = tmp_path / "script" / "自评数据.xlsx"
    book.parent.mkdir()
    clerk_workbook(book)
    wb = openpyxl.load_workbook(book)
    wb["项目"]["C3"] = "=B3-2.5"  # 执行数 computed from 预算数; a script saves no value
    wb["项目"]["C3"].number_format = "0.00"
    wb.save(book)

    (year / book.name).write_bytes(book.read_bytes())
    [issue] = check_year(year, base=tmp_path / "w").errors
    assert (issue.code, issue.cell) == ("workbook-formula-uncached", "项目!C3")
    assert "打开并保存" in issue.message

    resave_with_libreoffice(book, year, tmp_path / "lo-profile")  # Calc computes and stores 57.5
    result = check_year(year, base=tmp_path / "w")
    assert result.errors == []
    assert result.bundle.forms[1].budget.spent == "57.50"
