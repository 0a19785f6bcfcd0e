"""How problems reach the user (issue 16, item 1): one unbroken `file:line:col:` line each when
piped or asked for, a table in a terminal whose location column is never broken inside a path,
JSON for programs."""

from __future__ import annotations

import io
import json

import pytest
from rich.console import Console

from pipeline.problems.records import Issue
from pipeline.problems.report import issue_line, issues_table, print_issues, summary_line
from scenarios import make_year
from user_runs import annex

LONG = "data/2024/projects/01-政法智能化建设和市域社会治理现代化试点专项经费.yaml"
ISSUE = Issue("level2-wrong-level1", "error", LONG, 18, 9, "年度绩效目标[1].指标[2].二级指标", "数量指标",
              "二级指标「数量指标」属于一级指标「产出指标」，不应放在「效益指标」下")


def rendered(width: int, style: str, terminal: bool = False, issues=(ISSUE,)) -> str:
    out = io.StringIO()
    console = Console(file=out, width=width, force_terminal=terminal, color_system=None, highlight=False)
    print_issues(console, list(issues), style)
    return out.getvalue()


def test_a_problem_line_in_the_compiler_convention():
    assert issue_line(ISSUE) == (
        f"{LONG}:18:9: 错误 年度绩效目标[1].指标[2].二级指标：二级指标「数量指标」属于一级指标「产出指标」，"
        "不应放在「效益指标」下（值：数量指标） [level2-wrong-level1]")


@pytest.mark.parametrize("width", [40, 80, 120])
def test_lines_are_never_wrapped_piped_or_in_a_terminal(width):
    for text in (rendered(width, "auto"), rendered(width, "lines", terminal=True)):
        assert text.splitlines() == [issue_line(ISSUE)]


def test_a_line_break_inside_a_value_is_shown_not_obeyed():
    issue = Issue("empty-value", "warning", "a.yaml", 3, 1, "改进措施", "第一行\n第二行", "消息")
    assert rendered(80, "lines").count("\n") == 1
    assert issue_line(issue).endswith("（值：第一行↵第二行） [empty-value]")


def test_a_file_without_a_line_is_named_alone():
    issue = Issue("file-name", "error", "data/2024/projects/09.yml", None, None, "", "09.yml", "项目文件名…")
    assert issue_line(issue).startswith("data/2024/projects/09.yml: 错误 项目文件名…")


SHORT = Issue("amount-format", "error", "data/2024/projects/01-政法智能化建设.yaml", 8, 1, "预算数", "65万元",
              "金额不能带单位（单位固定为万元）；请写万元数，例如 65")


@pytest.mark.parametrize("width", [80, 120])
def test_the_terminal_table_never_breaks_a_location(width):
    text = rendered(width, "auto", terminal=True, issues=(SHORT,))
    assert "┃ 位置" in text
    assert "data/2024/projects/01-政法智能化建设.yaml:8:1" in text  # whole, on one row of the table
    assert "[amount-format]" in text.replace("\n", "").replace("│", "").replace(" ", "")


def test_a_path_too_wide_for_the_table_gets_a_line_of_its_own():
    text = rendered(80, "auto", terminal=True, issues=(SHORT, ISSUE))
    assert f"{LONG}:18:9\n" in text
    assert "┃" not in text
    assert "[level2-wrong-level1]" in text.replace("\n", "")


def test_the_table_is_what_a_terminal_gets_by_default():
    assert "┃ 位置" in rendered(120, "auto", terminal=True)
    assert "┃ 位置" in rendered(120, "table")
    assert issues_table([ISSUE]).columns[0].no_wrap


def test_the_summary_counts_reviewed_warnings():
    assert summary_line("data/2024", 3, 0, 2) == "data/2024：3 个项目，0 个错误，2 个警告"
    assert summary_line("data/2024", 3, 0, 2, 9) == "data/2024：3 个项目，0 个错误，2 个警告，9 个警告已确认"
    assert summary_line("data/2024", 3, 0, 2, 0, 1) == "data/2024：3 个项目，0 个错误，2 个警告，1 条提示"


# --- the commands ----------------------------------------------------------------------------------

@pytest.fixture
def broken(tmp_path):
    year = make_year(tmp_path)
    path = year / "projects" / "01-示例项目.yaml"
    text = path.read_text(encoding="utf-8").replace("预算数: 60", "预算数: 60万元")
    path.write_text(text.replace("二级指标: 社会效益指标", "二级指标: 社会秩序指标"), encoding="utf-8")
    return tmp_path


EXPECTED_LINES = [
    "data/2024/projects/01-示例项目.yaml:6:1: 错误 预算数：金额不能带单位（单位固定为万元）；请写万元数，例如 60（值：60万元） [amount-format]",
    "data/2024/projects/01-示例项目.yaml:16:9: 警告 年度绩效目标[1].指标[2].二级指标：「社会秩序指标」不是「效益指标」的标准二级指标"
    "（经济效益指标、社会效益指标、生态效益指标、可持续影响指标）；请确认。核对无误的，可在「已确认警告」里写上"
    "「nonstandard-level2: 社会秩序指标」，以后不再提示这一个（值：社会秩序指标） [nonstandard-level2]",
]


@pytest.mark.parametrize("extra", [(), ("--problems", "lines")])
def test_check_prints_lines_when_not_a_terminal(broken, extra):
    result = annex(broken, "check", *extra)
    assert result.exit_code == 1
    assert result.output.splitlines() == [*EXPECTED_LINES, "data/2024：1 个项目，1 个错误，1 个警告"]


def test_check_prints_the_table_when_asked(broken):
    result = annex(broken, "check", "--problems", "table")
    assert result.exit_code == 1 and "┃ 位置" in result.output


def test_an_unknown_problems_style_is_refused_in_chinese(broken):
    result = annex(broken, "check", "--problems", "box")
    assert result.exit_code == 1 and "--problems 只能是" in result.output and "Traceback" not in result.output


def test_json_stays_and_counts_reviewed_warnings(broken):
    path = broken / "data" / "2024" / "projects" / "01-示例项目.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "已确认警告: [nonstandard-level2]\n", encoding="utf-8")
    doc = json.loads(annex(broken, "check", "--json").output)
    assert (doc["errors"], doc["warnings"], doc["accepted_warnings"]) == (1, 0, 1)
    assert [i["code"] for i in doc["issues"]] == ["amount-format"]


def test_a_refused_build_prints_the_same_lines(broken):
    result = annex(broken, "build", "--format", "docx", "--no-archive", "--jobs", "1")
    assert result.exit_code == 1
    assert result.output.splitlines()[:2] == EXPECTED_LINES
    assert not (broken / "build" / "2024").exists()
