"""Issue 22 (a clerk's second hour): messages a clerk can act on, confirmations that cannot hide a
typo, hints that run as typed, a form's own required fields, a table that grows past one page.

Each test reproduces the trial's case and a variant of it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.build.front import check_year
from scenarios import make_year

P = "projects/01-示例项目.yaml"


def _edit(year: Path, old: str, new: str, rel: str = P) -> None:
    path = year / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# --- 22.12: the YAML colon and YAML's non-text words -------------------------------------------------

@pytest.mark.parametrize("new, column", [
    ("实际完成值: 完成率: 100%", 23),  # the trial's case: the space is there, the text has a colon
    ("实际完成值: 时间:", 23),  # a variant: the text ends in a colon
])
def test_a_colon_inside_a_text_suggests_the_full_width_colon_or_quotes(tmp_path, new, column):
    year = make_year(tmp_path)
    _edit(year, "        实际完成值: 完成较好\n", f"        {new}\n")
    [issue] = check_year(year, base=tmp_path).issues
    assert (issue.code, issue.line) == ("yaml-syntax", 14)
    assert "冒号后面要有空格" not in issue.message
    assert "全角「：」" in issue.message and "引号" in issue.message


def test_a_colon_without_a_space_still_says_the_space_is_missing(tmp_path):
    year = make_year(tmp_path)
    _edit(year, "项目名称: 示例项目经费", "项目名称:示例项目经费")
    [issue] = check_year(year, base=tmp_path).issues
    assert issue.code == "yaml-syntax" and "冒号后面要有空格" in issue.message


@pytest.mark.parametrize("word", ["yes", "No", "on", "off", "true"])
def test_a_yes_no_word_as_a_text_says_to_quote_it(tmp_path, word):
    year = make_year(tmp_path)
    _edit(year, "        实际完成值: 完成较好\n", f"        实际完成值: {word}\n")
    [issue] = check_year(year, base=tmp_path).issues
    assert (issue.code, issue.line, issue.field) == ("wrong-type", 14, "年度绩效目标[1].指标[1].实际完成值")
    assert "应为一段文字" in issue.message and '引号，例如 "yes"' in issue.message


def test_a_null_text_says_how_to_write_empty_or_the_word(tmp_path):
    year = make_year(tmp_path)
    _edit(year, "三级指标: 社会稳定", "三级指标: null")
    [issue] = check_year(year, base=tmp_path).issues
    assert (issue.code, issue.line) == ("wrong-type", 17)
    assert '请写 ""' in issue.message and '"null"' in issue.message


@pytest.mark.parametrize("quoted", ['"yes"', "'完成率: 100%'", "完成率：100%"])
def test_the_suggested_spellings_are_read_as_text(tmp_path, quoted):
    year = make_year(tmp_path)
    _edit(year, "        实际完成值: 完成较好\n", f"        实际完成值: {quoted}\n")
    result = check_year(year, base=tmp_path)
    assert not result.issues.items
    assert result.input.projects[0].data.goals[0].indicators[0].actual == quoted.strip("'\"")
