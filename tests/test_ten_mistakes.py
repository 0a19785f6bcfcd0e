"""Issue 16: a clerk starts 2024 with the ordinary mistakes of a first hour (tests/fixtures/ten_mistakes).

`annex check`, piped as into a file or an editor's build log, gives every problem in one pass,
each on one unbroken `file:line:col:` line, and nothing false: the exact set is asserted. The
fixture also holds habits that are no mistake (a project file saved as GBK, blank 项目名称 on the
continuation rows of 绩效指标.csv, a reviewed warning listed under 已确认警告): they give nothing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.build.front import check_year
from scenarios import FIXTURES, make_year

TEN_MISTAKES = FIXTURES / "ten_mistakes" / "2024"
Y = "data/2024"
PR = f"{Y}/projects"

# (file, line, code) of every problem, and nothing else.
EXPECTED = {
    (f"{PR}/01-政法智能化建设.yaml", 8, "amount-format"),  # 预算数: 65万元
    (f"{PR}/01-政法智能化建设.yaml", 18, "level2-wrong-level1"),  # 数量指标 under 效益指标, behind the amount error
    (f"{PR}/02-市综治中心.yaml", 6, "amount-format"),  # 执行数: 90%
    (f"{PR}/02-市综治中心.yaml", 1, "missing-choice"),  # no 项目属性, behind the percent
    (f"{PR}/04-维稳救助及司法救助.yaml", 1, "duplicate-name"),  # copied from 03, name not changed (no duplicate-title too)
    (f"{PR}/05-社会治安综合治理.yaml", 2, "unknown-key"),  # 实施单位: one message; its CSV rows still match
    (f"{PR}/06-扫黑除恶.yaml", 9, "yaml-tab"),
    (f"{PR}/07-平安稳定队伍建设.yaml", 2, "yaml-fullwidth-colon"),  # at its own line, not the next
    (f"{PR}/09.yml", None, "file-name"),  # extension .yaml, and a name after the number
    (f"{PR}/10-1234信息化建设.yaml", 11, "yaml-fullwidth-space"),
    (f"{Y}/预算执行.csv", 2, "spent-above-budget"),  # 执行数 35 > 预算数 30
    (f"{Y}/预算执行.csv", 4, "csv-amount-thousands"),  # "1,024.00" from a 会计-format column
    (f"{Y}/绩效指标.csv", 5, "csv-project-without-file"),  # 3 rows, one error
}

LINE = re.compile(r"^(?P<file>[^\s:]+?)(?::(?P<line>\d+)(?::(?P<col>\d+))?)?: (?P<sev>错误|警告) .+ \[(?P<code>[a-z0-9-]+)\]$")


@pytest.fixture(scope="module")
def piped(tmp_path_factory) -> subprocess.CompletedProcess:
    """`annex check > log.txt` from the folder that holds data/, at 80 columns."""
    root = tmp_path_factory.mktemp("clerk")
    shutil.copytree(TEN_MISTAKES, root / "data" / "2024")
    env = {**os.environ, "COLUMNS": "80", "LINES": "24", "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    return subprocess.run([sys.executable, "-m", "pipeline", "check"], cwd=root, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")


def problem_lines(output: str) -> list[re.Match]:
    return [m for m in map(LINE.match, output.splitlines()) if m]


def test_every_problem_once_on_its_own_unbroken_line_and_nothing_false(piped):
    assert piped.returncode == 1, piped.stderr
    lines = piped.stdout.splitlines()
    found = problem_lines(piped.stdout)
    # every line but the summary is one problem, whole: file:line, severity, message, [code]
    assert len(found) == len(lines) - 1, piped.stdout
    got = [(m["file"], int(m["line"]) if m["line"] else None, m["code"]) for m in found]
    assert len(got) == len(set(got))
    assert set(got) == EXPECTED
    assert "\x1b[" not in piped.stdout  # no colour codes in a file


def test_the_summary_counts_errors_warnings_and_the_reviewed_warning(piped):
    # 6 projects read (06, 07, 10 do not parse; 09.yml is no project file); 03's reviewed warning counted
    assert piped.stdout.splitlines()[-1] == f"{Y}：6 个项目，12 个错误，1 个警告，1 个警告已确认"


def test_a_file_name_can_be_grepped_from_the_log(piped):
    """The issue's measure: `grep -c 01-政法智能化建设.yaml log.txt` gave 0 with the boxed table."""
    assert sum("01-政法智能化建设.yaml:" in line for line in piped.stdout.splitlines()) == 2


def test_the_causes_are_named_in_chinese_with_the_fix(piped):
    out = piped.stdout
    assert "制表符" in out and "全角冒号" in out and "「项目实施单位: 」" in out and "全角空格" in out
    assert "是不是「项目实施单位」" in out
    assert "绩效指标.csv 里有 3 行" in out and "新建 projects/序号-中央司法救助资金.yaml" in out
    assert "「常规」" in out
    assert "扩展名应为 .yaml" in out and "应以序号开头" not in out
    assert "found character" not in out and "mapping values" not in out  # no PyYAML English


# --- each behaviour of the fixture, alone ---------------------------------------------------------

P = "projects/01-示例项目.yaml"


def _year(tmp_path: Path) -> Path:
    return make_year(tmp_path)


def _edit(year: Path, old: str, new: str, rel: str = P) -> None:
    path = year / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _codes(year: Path, root: Path) -> list[tuple]:
    return [(i.code, i.file.rsplit("/", 1)[-1], i.line, i.field) for i in check_year(year, base=root).issues]


def test_a_project_with_a_key_typo_keeps_its_csv_rows(tmp_path):
    year = _year(tmp_path)
    _edit(year, "项目实施单位: 示例科", "实施单位: 示例科")
    _edit(year, "预算数: 60\n执行数: 58\n", "")
    (year / "预算执行.csv").write_text("项目名称,预算数,执行数\n示例项目经费,60,58\n", encoding="utf-8")
    assert _codes(year, tmp_path) == [("unknown-key", "01-示例项目.yaml", 2, "实施单位")]


def test_an_unreadable_project_file_does_not_make_its_csv_rows_false_errors(tmp_path):
    year = _year(tmp_path)
    _edit(year, "预算数: 60\n执行数: 58\n", "")
    _edit(year, "项目实施单位: 示例科", "项目实施单位：示例科")
    (year / "预算执行.csv").write_text("项目名称,预算数,执行数\n示例项目经费,60,58\n", encoding="utf-8")
    assert _codes(year, tmp_path) == [("yaml-fullwidth-colon", "01-示例项目.yaml", 2, "")]


def test_a_wrong_value_in_an_indicator_leaves_the_other_checks_running(tmp_path):
    year = _year(tmp_path)
    _edit(year, "        三级指标: 网络建设全覆盖\n", "")  # a required key missing in indicator 1
    _edit(year, "二级指标: 社会效益指标", "二级指标: 数量指标")  # and a wrong pair in indicator 2
    assert sorted(_codes(year, tmp_path)) == [
        ("level2-wrong-level1", "01-示例项目.yaml", 15, "年度绩效目标[1].指标[2].二级指标"),
        ("missing-key", "01-示例项目.yaml", 10, "年度绩效目标[1].指标[1].三级指标"),
    ]


def test_blank_project_names_continue_the_row_above(tmp_path):
    year = _year(tmp_path)
    _edit(year, "年度绩效目标:\n", "")
    text = (year / P).read_text(encoding="utf-8")
    (year / P).write_text(re.sub(r"^  .*\n", "", text, flags=re.M), encoding="utf-8")
    (year / "绩效指标.csv").write_text(
        "项目名称,目标,一级指标,二级指标,三级指标,年初目标值,实际完成值\n"
        "示例项目经费,1,产出指标,数量指标,覆盖,全覆盖,完成\n"
        ",1,产出指标,质量指标,合格,合格,合格\n"
        ",2,满意度指标,服务对象满意度指标,满意度,≥90%,95%\n", encoding="utf-8")
    result = check_year(year, base=tmp_path)
    assert result.issues.items == []
    [project] = result.input.projects
    assert [[i.level3 for i in g.indicators] for g in project.goals] == [["覆盖", "合格"], ["满意度"]]


def test_a_gbk_project_file_is_read_and_a_mixed_one_refused_at_its_line(tmp_path):
    year = _year(tmp_path)
    text = (year / P).read_text(encoding="utf-8")
    (year / P).write_bytes(text.encode("gbk"))
    result = check_year(year, base=tmp_path)
    assert result.issues.items == [] and result.input.projects[0].data.implementer == "示例科"
    head, tail = text.split("改进措施:")
    (year / P).write_bytes(head.encode("gbk") + ("改进措施:" + tail).encode("utf-8"))
    assert _codes(year, tmp_path) == [("file-encoding", "01-示例项目.yaml", 21, "")]


def test_a_fullwidth_space_before_a_top_level_key_is_named_and_the_key_read(tmp_path):
    year = _year(tmp_path)
    _edit(year, "项目类型: 常年性项目", "　项目类型: 常年性项目")
    assert _codes(year, tmp_path) == [("yaml-fullwidth-space", "01-示例项目.yaml", 5, "项目类型")]


def test_accepted_warnings_per_project_and_for_the_whole_year(tmp_path):
    year = _year(tmp_path)
    _edit(year, "二级指标: 社会效益指标", "二级指标: 社会秩序指标")
    assert [i.code for i in check_year(year, base=tmp_path).issues] == ["nonstandard-level2"]
    _edit(year, "偏差原因分析:", "已确认警告: [nonstandard-level2]\n偏差原因分析:")
    result = check_year(year, base=tmp_path)
    assert result.issues.items == [] and [i.code for i in result.accepted] == ["nonstandard-level2"]
    assert result.bundle is not None
    _edit(year, "已确认警告: [nonstandard-level2]\n", "")
    (year / "department.yaml").write_text((year / "department.yaml").read_text(encoding="utf-8")
                                          + "已确认警告: nonstandard-level2\n", encoding="utf-8")
    result = check_year(year, base=tmp_path)
    assert result.issues.items == [] and len(result.accepted) == 1


def test_an_error_cannot_be_accepted(tmp_path):
    year = _year(tmp_path)
    _edit(year, "偏差原因分析:", "已确认警告: [budget-not-positive]\n偏差原因分析:")
    [issue] = check_year(year, base=tmp_path).issues
    assert issue.code == "accept-not-a-warning" and "nonstandard-level2" in issue.message


def test_a_level2_named_as_its_level1_is_said_sensibly(tmp_path):
    year = _year(tmp_path)
    _edit(year, "二级指标: 社会效益指标", "二级指标: 效益指标")
    [issue] = check_year(year, base=tmp_path).issues
    assert issue.code == "level2-same-as-level1"
    assert "「效益指标」不是「效益指标」" not in issue.message and "同名" in issue.message


# --- item 10: the smaller ones ----------------------------------------------------------------------

def test_outside_the_project_folder_the_hint_does_not_suggest_the_default(tmp_path):
    from user_runs import annex

    result = annex(tmp_path, "check")
    assert result.exit_code == 1
    assert "--data data" not in result.output and "项目文件夹" in result.output
    other = annex(tmp_path, "check", "--data", "数据")
    assert "找不到数据文件夹 数据" in other.output and "--data data" not in other.output


def test_a_yml_file_is_told_its_extension(tmp_path):
    year = _year(tmp_path)
    (year / P).rename(year / "projects" / "01-示例项目.yml")
    issues = check_year(year, base=tmp_path).issues
    assert [(i.code, i.value) for i in issues if i.code == "file-name"] == [("file-name", "01-示例项目.yml")]
    message = next(i.message for i in issues if i.code == "file-name")
    assert "扩展名应为 .yaml" in message and "序号" not in message.split("例如")[0]


def test_a_refused_csv_cell_does_not_hide_a_rule_on_another_row_of_its_column(tmp_path):
    year = _year(tmp_path)
    _edit(year, "预算数: 60\n执行数: 58\n", "")
    (year / "projects" / "02-副本.yaml").write_text(
        (year / P).read_text(encoding="utf-8").replace("示例项目经费", "第二个项目经费"), encoding="utf-8")
    (year / "预算执行.csv").write_text("项目名称,预算数,执行数\n示例项目经费,\"1,024\",58\n第二个项目经费,0,0\n",
                                       encoding="utf-8")
    assert sorted((i.code, i.line) for i in check_year(year, base=tmp_path).issues) == [
        ("budget-not-positive", 3), ("csv-amount-thousands", 2)]


# --- item 3: YAML mistakes, each named at its own line, in Chinese -----------------------------------

@pytest.mark.parametrize("old, new, code, line, words", [
    ("        二级指标: 数量指标", "\t二级指标: 数量指标", "yaml-tab", 11, "制表符"),
    ("项目实施单位: 示例科", "项目实施单位：示例科", "yaml-fullwidth-colon", 2, "「项目实施单位: 」"),
    ("        年初目标值: 稳定", "　　　　　　　　年初目标值: 稳定", "yaml-fullwidth-space", 18, "全角空格"),
    ("项目名称: 示例项目经费", "项目名称:示例项目经费", "yaml-syntax", 1, "冒号后面要有空格"),
    ("项目类别: 部门预算项目", "  项目类别: 部门预算项目", "yaml-syntax", 3, "多缩进了"),
    ("      - 一级指标: 效益指标", "    - 一级指标: 效益指标", "yaml-syntax", 15, "缩进与同一层"),
])
def test_a_yaml_mistake_is_named_at_its_line(tmp_path, old, new, code, line, words):
    year = _year(tmp_path)
    _edit(year, old, new)
    [issue] = check_year(year, base=tmp_path).issues
    assert (issue.code, issue.line) == (code, line)
    assert words in issue.message and not re.search(r"[A-Za-z]{4,}", issue.message.replace("YAML", ""))


def test_what_the_rules_say_about_a_misspelt_key_is_said_at_its_line(tmp_path):
    year = _year(tmp_path)
    _edit(year, "项目属性: 持续性项目", "项目属姓: 长期项目")
    assert sorted(_codes(year, tmp_path)) == [
        ("not-an-option", "01-示例项目.yaml", 4, "项目属性"),
        ("unknown-key", "01-示例项目.yaml", 4, "项目属姓"),
    ]
