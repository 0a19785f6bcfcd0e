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


# --- 22.15: a field the chosen form does not print is not required -------------------------------------

NATIONAL = Path(__file__).resolve().parent.parent / "templates" / "national-2020" / "example" / "2023"


def _national(tmp_path: Path, date_line: str | None) -> Path:
    import shutil

    year = tmp_path / "data" / "2023"
    shutil.copytree(NATIONAL, year)
    dept = year / "department.yaml"
    text = dept.read_text(encoding="utf-8")
    assert "填报日期: 2024-04-20\n" in text
    dept.write_text(text.replace("填报日期: 2024-04-20\n", "" if date_line is None else date_line), encoding="utf-8")
    return year


@pytest.mark.parametrize("date_line", [None, "填报日期:\n"])  # the trial's import (no date); a new-year blank
def test_national_2020_prints_no_date_so_none_is_required(tmp_path, date_line):
    result = check_year(_national(tmp_path, date_line), base=tmp_path)
    assert not result.errors and result.bundle is not None
    assert not [i for i in result.issues if i.field == "填报日期"]
    assert all(f.date_line == "" for f in result.bundle.forms)


def test_a_date_the_form_prints_is_still_required(tmp_path):
    year = make_year(tmp_path)
    _edit(year, "填报日期: 2025-04-23\n", "", rel="department.yaml")
    [issue] = check_year(year, base=tmp_path).issues
    assert (issue.code, issue.field) == ("missing-key", "填报日期")


def test_requiredness_follows_the_variants_form_yaml(tmp_path):
    """A department's own variant (a folder, no code) that prints the date requires it again."""
    from pipeline.variant import load_variant

    assert not load_variant("national-2020").prints_date and load_variant("hubei-2023").prints_date


def test_new_year_from_a_national_year_leaves_no_date_to_fill(tmp_path):
    from pipeline.write.new_year import start_year

    _national(tmp_path, None)
    started = start_year(tmp_path / "data", 2024)
    dept = (tmp_path / "data" / "2024" / "department.yaml").read_text(encoding="utf-8")
    assert "填报日期" not in dept
    issues = check_year(tmp_path / "data" / "2024", base=tmp_path).issues
    unfilled = [i.field for i in issues if i.code == "not-filled"]
    assert "填报日期" not in unfilled and unfilled  # the year's figures are still to fill
    assert started.to_fill == len(unfilled)


# --- 22.6: every hint names a command that runs as typed from the project folder ----------------------

ROOT = Path(__file__).resolve().parent.parent
SUBCOMMAND = r"(?:check|import|new-year|schema|convert|build|history|diff|verify|export|serve)"
# `annex check` with nothing runnable before it: typed as shown, `annex: command not found`.
BARE = re.compile(rf"(?<![\w/.-])annex {SUBCOMMAND}\b")
HINT = re.compile(r"\.venv/bin/annex(?: +[^\s，。；、：）」（「]+)*")
MAKE = re.compile(r"(?<![\w-])make ([a-z][\w-]*)")
# Not hints: the note `annex convert` leaves in the files it rewrites, naming what wrote it.
NOT_HINTS = ("# annex convert：",)


def _user_texts() -> list[tuple[str, str]]:
    """(where, text) of every string in pipeline/ a user can see: literals and f-string parts, and
    the commands' docstrings (their help); other docstrings are for programmers."""
    import ast

    out = []
    for path in sorted((ROOT / "pipeline").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)) and node.body:
                first = node.body[0]
                is_help = isinstance(node, ast.FunctionDef) and path.parent.name == "commands" and path.stem.rstrip("_") == node.name.rstrip("_")
                if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and not is_help:
                    docs.add(id(first.value))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
                out.append((f"{path.relative_to(ROOT)}:{node.lineno}", node.value))
    return out


def test_no_message_names_a_command_that_fails_as_typed():
    texts = _user_texts()
    assert len(texts) > 500  # the scan sees the code's strings
    bare = [(w, t) for w, t in texts if BARE.search(t) and not t.startswith(NOT_HINTS)]
    assert not bare, "\n".join(f"{w}: {t!r}" for w, t in bare)
    targets = set(re.findall(r"^([a-z][\w.-]*):", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M))
    for w, t in texts:
        for target in MAKE.findall(t):
            assert target in targets, f"{w}: make {target} is no target of the Makefile"


def runnable(command: str) -> None:
    """The command, as printed, runs from the project folder: the executable is there, the
    subcommand is annex's, and its options parse (placeholders filled in as the clerk would)."""
    import shlex

    import typer
    from typer import _click as click  # typer 0.29 carries its own click

    from pipeline.cli import app

    words = shlex.split(command)
    assert words[0] == ".venv/bin/annex" and (ROOT / words[0]).is_file(), command
    group = typer.main.get_command(app)
    sub = group.commands.get(words[1])
    assert sub is not None, command
    args = [{"<核对码>": "0123456789ab"}.get(w, w) for w in words[2:]]
    try:
        with group.make_context("annex", [words[1]]) as parent:  # the app's settings: -h for help
            sub.make_context(words[1], list(args), parent=parent)  # (it consumes the list)
    except typer.Exit:  # -h: the help, shown
        assert "-h" in args, command
    except click.BadParameter as e:  # a file argument that exists only in the clerk's folder
        assert "不存在" in str(e) or "does not exist" in str(e) or "<" in command, (command, e)
    except click.UsageError as e:
        raise AssertionError(f"{command}: {e}") from None


def hints_in(output: str) -> list[str]:
    """Each `.venv/bin/annex …` in the output (its lines joined: the console may wrap one), up to the
    first word that is neither an option, an option's value, a placeholder nor an ASCII argument."""
    found = []
    for m in HINT.finditer(output.replace("\n", " ")):
        words = m.group(0).split()
        kept = words[:2]
        for i, w in enumerate(words[2:], 2):
            if w.startswith(("-", "<")) or w.isascii() or words[i - 1].startswith("--"):
                kept.append(w)
            else:
                break
        found.append(" ".join(kept).rstrip("'"))
    return found


def test_every_hint_the_cli_prints_runs_as_shown(tmp_path):
    from user_runs import annex

    root = tmp_path
    year = make_year(root)
    outputs = {}
    _edit(year, "预算数: 60", "预算数: 60万元")
    outputs["build-error"] = annex(root, "build", "-f", "docx")
    _edit(year, "预算数: 60万元", "预算数: 50")
    _edit(year, "执行数: 58", "执行数: 58")
    _edit(year, "二级指标: 社会效益指标", "二级指标: 公众效益")  # a nonstandard level 2: a warning
    outputs["build-partial"] = annex(root, "build", "-f", "docx")
    outputs["usage"] = annex(root, "build", "--bogus")  # click's 'Try … for help', said in Chinese
    outputs["build"] = annex(root, "build")
    outputs["verify"] = annex(root, "verify")
    outputs["diff"] = annex(root, "diff")
    outputs["new-year"] = annex(root, "new-year", "2025")
    bundle = next((root / "build" / "2024").glob("*.docx"))
    outputs["import"] = annex(root, "import", str(bundle.relative_to(root)), "--data", "again")
    for name, result in outputs.items():
        found = hints_in(result.output)
        assert found, (name, result.output)
        for command in found:
            runnable(command)


# --- 22.5: a confirmation cannot hide a typo, and can be narrowed to a value or a project --------------

def _confirm(year: Path, entries: str) -> None:
    with (year / "department.yaml").open("a", encoding="utf-8") as f:
        f.write(entries)


def test_a_year_wide_confirmation_does_not_hide_a_typo_of_a_standard_name(tmp_path):
    """The trial: 已确认警告: [nonstandard-level2] for the year, then 质量指 typed for 质量指标."""
    year = make_year(tmp_path)
    _confirm(year, "已确认警告: [nonstandard-level2]\n")
    _edit(year, "二级指标: 数量指标", "二级指标: 质量指")
    _edit(year, "二级指标: 社会效益指标", "二级指标: 社会效益")  # a name of the user's own: confirmed
    result = check_year(year, base=tmp_path)
    [issue] = result.issues
    assert (issue.code, issue.severity, issue.line, issue.value) == ("level2-typo", "error", 11, "质量指")
    assert "「质量指标」" in issue.message and result.bundle is None
    assert [(i.code, i.value) for i in result.accepted] == [("nonstandard-level2", "社会效益")]


@pytest.mark.parametrize("typed, meant", [
    ("质量指", "质量指标"),  # a character missing
    ("时效指票", "时效指标"),  # a character wrong
    ("数量指标标", "数量指标"),  # a character extra
    ("社会效益指", "社会效益指标"),  # under its own 一级指标
])
def test_one_slip_from_a_standard_name_is_an_error_naming_it(tmp_path, typed, meant):
    year = make_year(tmp_path)
    _edit(year, "二级指标: 社会效益指标", f"二级指标: {typed}")
    [issue] = check_year(year, base=tmp_path).issues
    assert issue.code == "level2-typo" and f"请改成「{meant}」" in issue.message


def test_a_name_two_slips_away_is_still_only_a_warning(tmp_path):
    """服务对象满意度 (the 2023 bundle's own wording for 服务对象满意度指标) stays a warning to confirm."""
    year = make_year(tmp_path)
    _edit(year, "      - 一级指标: 效益指标\n        二级指标: 社会效益指标",
          "      - 一级指标: 满意度指标\n        二级指标: 服务对象满意度")
    [issue] = check_year(year, base=tmp_path).issues
    assert issue.code == "nonstandard-level2"


def test_the_2023_data_has_no_typo_of_a_standard_name():
    result = check_year(ROOT / "data" / "2023", base=ROOT)
    assert not result.errors and not [i for i in result.warnings if i.code == "level2-typo"]


@pytest.mark.parametrize("entries, confirmed", [
    ("已确认警告: [nonstandard-level2]\n", {"社会效益", "公众满意"}),  # the old plain code: the year
    ("已确认警告: [\"nonstandard-level2:社会效益\"]\n", {"社会效益"}),  # text form, narrowed to a value
    ("已确认警告:\n  - nonstandard-level2: 社会效益\n", {"社会效益"}),  # as YAML reads `code: value`
    ("已确认警告:\n  - {代码: nonstandard-level2, 值: 公众满意}\n", {"公众满意"}),
    ("已确认警告:\n  - {代码: nonstandard-level2, 项目: 示例项目经费}\n", {"社会效益", "公众满意"}),
    ("已确认警告:\n  - {代码: nonstandard-level2, 项目: 别的项目}\n", set()),
    ("已确认警告:\n  - {代码: nonstandard-level2, 值: 社会效益, 项目: 别的项目}\n", set()),
])
def test_a_confirmation_narrowed_to_a_value_or_a_project_covers_only_those(tmp_path, entries, confirmed):
    year = make_year(tmp_path)
    _confirm(year, entries)
    _edit(year, "二级指标: 社会效益指标", "二级指标: 社会效益")
    _edit(year, "      - 一级指标: 产出指标\n        二级指标: 数量指标",
          "      - 一级指标: 满意度指标\n        二级指标: 公众满意")
    result = check_year(year, base=tmp_path)
    assert not result.errors
    assert {i.value for i in result.accepted} == confirmed
    assert {i.value for i in result.warnings} == {"社会效益", "公众满意"} - confirmed


def test_a_project_files_own_narrowed_confirmation(tmp_path):
    year = make_year(tmp_path)
    _edit(year, "二级指标: 社会效益指标", "二级指标: 社会效益")
    _edit(year, "改进措施: 进一步加强应用\n", "改进措施: 进一步加强应用\n已确认警告: [\"nonstandard-level2：社会效益\"]\n")
    result = check_year(year, base=tmp_path)
    assert not result.issues.items and [i.value for i in result.accepted] == ["社会效益"]


@pytest.mark.parametrize("entry, code", [
    ("  - {代码: nonstandard-level2, 数值: 社会效益}\n", "accept-entry-format"),
    ("  - {代码: budget-not-positive, 值: \"0\"}\n", "accept-not-a-warning"),
    ("  - not-a-code:社会效益\n", "accept-not-a-warning"),
])
def test_a_confirmation_that_cannot_be_read_is_an_error(tmp_path, entry, code):
    year = make_year(tmp_path)
    _confirm(year, "已确认警告:\n" + entry)
    assert [i.code for i in check_year(year, base=tmp_path).issues] == [code]


def test_the_workbook_unit_sheet_takes_narrowed_confirmations(tmp_path):
    from workbooks import set_cell, unit_sheet, workbook_year

    year = make_year(tmp_path)
    (year / "department.yaml").unlink()
    workbook_year(year, set_cell("指标", "D3", "质量指"), set_cell("指标", "D4", "服务对象满意度"),
                  set_cell("指标", "D5", "社会效益"), set_cell("指标", "D6", "宣传场次"),
                  unit_sheet([["项目", "内容"], ["单位名称", "示例单位"], ["主管部门", "示例主管部门"], ["填报日期", "2025-04-23"],
                              ["已确认警告", "nonstandard-level2:社会效益、nonstandard-level2@法治宣传教育经费"]]))
    result = check_year(year, base=tmp_path)
    about_level2 = [(i.code, i.cell) for i in result.issues if "level2" in i.code]
    assert about_level2 == [("level2-typo", "指标!D3"), ("nonstandard-level2", "指标!D4")]
    assert sorted(i.cell for i in result.accepted) == ["指标!D5", "指标!D6"]


def test_new_year_keeps_a_narrowed_confirmation_as_written(tmp_path):
    from pipeline.write.new_year import start_year

    year = make_year(tmp_path)
    _confirm(year, "已确认警告:\n  - {代码: nonstandard-level2, 值: 社会效益, 项目: 示例项目经费}\n")
    start_year(tmp_path / "data", 2025)
    text = (tmp_path / "data" / "2025" / "department.yaml").read_text(encoding="utf-8")
    assert "nonstandard-level2@示例项目经费:社会效益" in text


# --- 22.10: a table that grows past one page is named ---------------------------------------------------

@pytest.mark.slow
def test_the_build_names_each_table_that_runs_past_one_page(tmp_path):
    """The trial: a 1,971-character 偏差原因分析 (under the 2,000 limit) made a table of two pages
    without a word. The variant: a table long by its many indicator rows. A table of one page is
    not named."""
    from user_runs import annex

    year = make_year(tmp_path)
    base = (year / P).read_text(encoding="utf-8")
    long_text = ("项目执行中资金拨付进度与计划存在差异，主要原因是部分采购项目招标流程较长。" * 60)[:1971]
    (year / P).write_text(base.replace("偏差原因分析: 目标完成较好，无偏差", f"偏差原因分析: {long_text}"),
                          encoding="utf-8")
    rows = "".join(f"      - 一级指标: 产出指标\n        二级指标: 数量指标\n        三级指标: 第{n}项工作\n"
                   f"        年初目标值: 完成\n        实际完成值: 完成\n" for n in range(45))
    (year / "projects" / "02-指标很多.yaml").write_text(
        base.replace("示例项目经费", "指标很多的项目经费").replace("年度绩效目标:\n  - 指标:\n",
                                                                   "年度绩效目标:\n  - 指标:\n" + rows),
        encoding="utf-8")
    (year / "projects" / "03-一页.yaml").write_text(base.replace("示例项目经费", "一页的项目经费"), encoding="utf-8")
    result = annex(tmp_path, "build")
    assert result.exit_code == 0, result.output
    named = re.findall(r"警告 (\S+)：这张表印成了 (\d+) 页（([^（）]+)）", result.output)
    assert [(t, int(n) > 1) for t, n, _ in named] == [("01-示例项目经费", True), ("02-指标很多的项目经费", True)]
    for _, _, pdf in named:  # the count is the PDF's own
        import pikepdf

        with pikepdf.open(tmp_path / pdf) as doc:
            assert len(doc.pages) == int(dict((p, n) for _, n, p in named)[pdf])
    assert "（2 张表超过一页，见下）" in result.output
    again = annex(tmp_path, "build")  # nothing rendered again: still said, from the build's record
    assert "没有变化" in again.output and re.findall(r"警告 (\S+)：这张表印成了", again.output) == [
        "01-示例项目经费", "02-指标很多的项目经费"]


# --- 22.14: errors first, then warnings; words a clerk can act on ----------------------------------------

def _mixed_year(tmp_path: Path) -> Path:
    """A warning in the first file (by name and line), an error after it in the second."""
    year = make_year(tmp_path)
    _edit(year, "二级指标: 社会效益指标", "二级指标: 社会效益")  # 01, line 16: warning
    second = (year / P).read_text(encoding="utf-8").replace("示例项目经费", "第二个项目经费")
    (year / "projects" / "02-第二个.yaml").write_text(second.replace("执行数: 58", "执行数: 58万元"), encoding="utf-8")
    return year


@pytest.mark.parametrize("style", ["lines", "table", "json"])
def test_errors_are_listed_before_warnings_in_every_output(tmp_path, style):
    from user_runs import annex

    _mixed_year(tmp_path)
    args = ["check", "--json"] if style == "json" else ["check", "--problems", style]
    result = annex(tmp_path, *args)
    assert result.exit_code == 1
    if style == "json":
        import json

        order = [(i["severity"], i["file"].rsplit("/", 1)[-1]) for i in json.loads(result.output)["issues"]]
    else:  # one error and one warning, then the summary line
        listed = result.output.rstrip().rsplit("\n", 1)[0]
        assert listed.index("错误") < listed.index("警告")
        assert listed.index("02-第二个.yaml") < listed.index("01-示例项目.yaml")
        order = [("error", "02-第二个.yaml"), ("warning", "01-示例项目.yaml")]
    assert order[0] == ("error", "02-第二个.yaml") and order[-1][0] == "warning"
    assert [sev for sev, _ in order] == sorted((sev for sev, _ in order), key=lambda s: s != "error")


@pytest.mark.parametrize("old, new, words", [
    ("填报日期: 2025-04-23", "填报日期: 2025年4月", "日期应写成 2024-04-23 这样"),  # the trial's YYYY-MM-DD
    ("填报日期: 2025-04-23", "填报日期: 2025-02-30", "没有这一天"),
])
def test_a_date_message_shows_the_date_as_it_is_written(tmp_path, old, new, words):
    year = make_year(tmp_path)
    _edit(year, old, new, rel="department.yaml")
    [issue] = check_year(year, base=tmp_path).issues
    assert words in issue.message and "YYYY" not in issue.message


def test_a_misspelt_key_says_column_not_key(tmp_path):
    """The trial's 键: the key of a YAML file is the form's column to the clerk."""
    year = make_year(tmp_path)
    _edit(year, "项目实施单位: 示例科", "实施单位: 示例科")
    [issue] = check_year(year, base=tmp_path).issues
    assert issue.code == "unknown-key" and "键" not in issue.message
    assert "「实施单位」不是可以填写的栏目；是不是「项目实施单位」？" in issue.message


@pytest.mark.parametrize("char, name", [("\u200b", "「零宽空格」（U+200B）"), ("\u202e", "「从右到左覆盖符」（U+202E）")])
def test_an_invisible_character_is_named_in_chinese(tmp_path, char, name):
    year = make_year(tmp_path)
    _edit(year, "项目实施单位: 示例科", f"项目实施单位: 示例{char}科")
    [issue] = check_year(year, base=tmp_path).issues
    assert name in issue.message and not re.search(r"[A-Z]{4,}", issue.message)


def test_a_csv_past_the_field_limit_is_said_in_chinese(tmp_path):
    year = make_year(tmp_path)
    _edit(year, "预算数: 60\n执行数: 58\n", "")
    (year / "预算执行.csv").write_text("项目名称,预算数,执行数\n示例项目经费,\"60,58\n", encoding="utf-8")
    (year / "预算执行.csv").write_text("项目名称,预算数,执行数\n示例项目经费," + "6" * 200_000 + ",58\n",
                                       encoding="utf-8")
    issues = [i for i in check_year(year, base=tmp_path).issues if i.code == "csv-syntax"]
    assert issues and "引号" in issues[0].message and "field" not in issues[0].message


@pytest.mark.parametrize("how", ["- {}", "[{}]"])
def test_the_confirmation_a_warning_suggests_confirms_that_one(tmp_path, how):
    year = make_year(tmp_path)
    _edit(year, "二级指标: 社会效益指标", "二级指标: 社会效益")
    [issue] = check_year(year, base=tmp_path).issues
    suggested = re.search(r"写上「([^」]+)」", issue.message).group(1)
    _confirm(year, "已确认警告:\n  " + how.format(suggested) + "\n" if how.startswith("-")
             else f"已确认警告: {how.format(suggested)}\n")
    result = check_year(year, base=tmp_path)
    assert not result.issues.items and [i.value for i in result.accepted] == ["社会效益"]
