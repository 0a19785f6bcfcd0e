"""`annex check --mark`: the clerk's workbook with each problem cell marked (fill and comment),
every value, formula, format and merge as the clerk left it."""

from __future__ import annotations

import re
import subprocess
import sys

import openpyxl

from workbooks import clerk_workbook, mutate, set_cell, write_year


def annex(*args, cwd):
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, cwd=cwd)


def test_check_mark_marks_each_problem_cell_and_changes_nothing_else(tmp_path):
    year = write_year(tmp_path)
    book = year / "自评数据.xlsx"
    clerk_workbook(book)
    mutate(book, set_cell("项目", "B3", "六十"))  # 预算数 in words: an error
    mutate(book, set_cell("指标", "C6", "产出指标X"))  # an unknown 一级指标
    before = book.read_bytes()
    r = annex("check", "--mark", "标注.xlsx", cwd=tmp_path)
    assert r.returncode == 1
    assert "项目!B3" in r.stdout and "已写出 标注.xlsx" in r.stdout
    marked = openpyxl.load_workbook(tmp_path / "标注.xlsx")
    original = openpyxl.load_workbook(book)
    # every place the check names, as `data/2024/自评数据.xlsx 指标!C6: 错误 …`
    problems = {(m[1], m[2]) for m in re.finditer(r" (\S+)!([A-Z]+[0-9]+):", r.stdout)}
    assert ("项目", "B3") in problems and ("指标", "C6") in problems
    for ws in original.worksheets:
        m = marked[ws.title]
        assert m.merged_cells.ranges == ws.merged_cells.ranges or \
            {str(r) for r in m.merged_cells.ranges} == {str(r) for r in ws.merged_cells.ranges}
        for row in ws.iter_rows():
            for c in row:
                got = m[c.coordinate]
                assert got.value == c.value and got.number_format == c.number_format
                if (ws.title, c.coordinate) in problems:
                    assert got.comment is not None and got.fill.fill_type == "solid"
                else:
                    assert got.comment is None
    comment = marked["项目"]["B3"].comment.text
    assert comment.startswith("错误：") and "预算数" in comment
    assert book.read_bytes() == before and not list(year.glob("*标注*"))  # the data itself untouched


def test_mark_refuses_to_write_into_the_year_folder(tmp_path):
    year = write_year(tmp_path)
    clerk_workbook(year / "自评数据.xlsx")
    r = annex("check", "--mark", "data/2024/标注.xlsx", cwd=tmp_path)
    assert r.returncode == 1 and "不能写在年度文件夹" in r.stderr
    assert not (year / "标注.xlsx").exists()


def test_mark_on_a_yaml_year_says_there_is_no_workbook(tmp_path):
    write_year(tmp_path)
    r = annex("check", "--mark", "x.xlsx", cwd=tmp_path)
    assert "没有 .xlsx 工作簿" in r.stderr and not (tmp_path / "x.xlsx").exists()
