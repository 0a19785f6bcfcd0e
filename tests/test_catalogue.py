"""Every problem in the catalogue has a fixture that produces it (frictionless-py tests each of its
error types this way).

A code added to pipeline/problems/catalogue.py fails `test_code_has_a_fixture` until FIXTURES below
has one entry for it: the code -> the steps that break a clean year folder so that `annex check`
reports it. Steps are small functions of the year folder (`use`, `edit`, `write`, … below); any
function `(year: Path) -> Path | None` will do (return a path to check another folder). A code
found by another command than check gives `run=` its own way to collect problems.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.build.front import check_year
from pipeline.problems.catalogue import CATALOGUE
from pipeline.problems.records import Issue
from pipeline.input.model import MAX_TEXT_CHARS
from scenarios import BASE_PROJECT, INVALID, make_year, target_of
from workbooks import delete_column, set_cell, unit_sheet, workbook_year

Step = Callable[[Path], "Path | None"]


def check(year: Path, root: Path) -> Iterable[Issue]:
    return check_year(year, base=root).issues


@dataclass(frozen=True)
class Fixture:
    steps: tuple[Step, ...]
    run: Callable[[Path, Path], Iterable[Issue]] = check  # (year folder, root for file names) -> problems


def fx(*steps: Step, run=check) -> Fixture:
    return Fixture(steps, run)


# --- steps -----------------------------------------------------------------------------------------

def use(*names: str) -> Step:
    """Put files of tests/fixtures/invalid in place (see scenarios.target_of)."""
    def step(year: Path) -> None:
        for name in names:
            shutil.copyfile(INVALID / name, year / target_of(name))
    return step


def edit(rel: str, old: str, new: str) -> Step:
    def step(year: Path) -> None:
        path = year / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{rel} has no {old!r}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return step


def write(rel: str, content: str | bytes) -> Step:
    def step(year: Path) -> None:
        path = year / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return step


def remove(rel: str) -> Step:
    def step(year: Path) -> None:
        path = year / rel
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    return step


def rename(rel: str, new: str) -> Step:
    def step(year: Path) -> None:
        (year / rel).rename(year / new)
    return step


def sparse(rel: str, size: int) -> Step:
    """A file of `size` bytes that takes no disk space (a hole)."""
    def step(year: Path) -> None:
        with open(year / rel, "wb") as f:
            f.truncate(size)
    return step


def book(*changes) -> Step:
    """Keep the year in a workbook instead of projects/ (the clerk's workbook), changed as in Excel."""
    def step(year: Path) -> None:
        workbook_year(year, *changes)
    return step


def check_instead(name: str) -> Step:
    """Check a sibling of the year folder named `name` (the year folder renamed to it, if it exists)."""
    def step(year: Path) -> Path:
        return year.parent / name
    return step


def move_year(name: str) -> Step:
    def step(year: Path) -> Path:
        return year.rename(year.parent / name)
    return step


def with_rules(name: str, body: str) -> Callable[[Path, Path], Iterable[Issue]]:
    """A check run whose rule sets folder also holds `name`.yaml: the shipped hubei-2023 rule set
    with `body`'s top-level keys in place of its own (a department's 评分规则 may name it)."""
    def run(year: Path, root: Path) -> Iterable[Issue]:
        from unittest import mock

        from pipeline.scoring.ruleset import RULES_DIR

        folder = root / "rules"
        shutil.copytree(RULES_DIR, folder)
        text = (RULES_DIR / "hubei-2023.yaml").read_text(encoding="utf-8").replace("name: hubei-2023", f"name: {name}")
        text = _drop_block(text, body) + body
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
        with mock.patch("pipeline.input.year.rules_dir", return_value=folder):
            return check_year(year, base=root).issues
    return run


def _drop_block(text: str, body: str) -> str:
    """`text` without the top-level keys `body` sets (and their indented lines)."""
    keys = {line.split(":")[0] for line in body.splitlines() if line and not line.startswith(" ")}
    out, skipping = [], False
    for line in text.splitlines(keepends=True):
        if line and not line.startswith((" ", "#", "\n")):
            skipping = line.split(":")[0] in keys
        if not skipping:
            out.append(line)
    return "".join(out)


P = BASE_PROJECT
D = "department.yaml"
B = "预算执行.csv"
I = "绩效指标.csv"
BUDGET_HEADER = "项目名称,预算数,执行数\n"
scored = use("scoring-on.department.yaml")
weighted = use("weights-sum.project.yaml", "scoring-on.department.yaml")

# A clean project of the national-2020 form (funds by source, always scored, a standard split of weights).
NATIONAL_PROJECT = """\
项目名称: 示例项目经费
项目实施单位: 示例科
项目资金:
  当年财政拨款: {年初预算数: 100, 全年预算数: 100, 全年执行数: 90}
  上年结转资金: {年初预算数: 0, 全年预算数: 10, 全年执行数: 10}
  其他资金: {年初预算数: 0, 全年预算数: 0, 全年执行数: 0}
年度总体目标: {预期目标: 建成平台, 实际完成情况: 已建成}
年度绩效目标:
  - 指标:
      - {一级指标: 产出指标, 二级指标: 数量指标, 三级指标: 覆盖率, 年初目标值: 100%, 实际完成值: 100%, 分值: 50, 得分: 50}
      - {一级指标: 效益指标, 二级指标: 社会效益指标, 三级指标: 社会稳定, 年初目标值: 稳定, 实际完成值: 稳定, 分值: 30, 得分: 30}
      - {一级指标: 满意度指标, 二级指标: 服务对象满意度指标, 三级指标: 满意度, 年初目标值: ≥90%, 实际完成值: 95%, 分值: 10, 得分: 10}
"""


def national(year: Path) -> None:
    edit(D, "表样: hubei-2023", "表样: national-2020")(year)
    write(P, NATIONAL_PROJECT)(year)


def indicators(n: int) -> Step:
    row = "      - {{一级指标: 产出指标, 二级指标: 数量指标, 三级指标: 指标{i}, 年初目标值: 目标, 实际完成值: 完成}}\n"
    return edit(P, "年度绩效目标:\n", "年度绩效目标:\n  - 指标:\n" + "".join(row.format(i=i) for i in range(n)))


PROJECT_WITHOUT_GOALS = (INVALID.parent / "valid" / "2024" / P).read_text(encoding="utf-8").split("年度绩效目标:")[0] + \
    "偏差原因分析: 无\n改进措施: 无\n"

def symlink(rel: str, target: str) -> Step:
    def step(year: Path) -> None:
        os.symlink(target, year / rel)
    return step


def chmod(rel: str, mode: int) -> Step:
    def step(year: Path) -> None:
        os.chmod(year / rel, mode)
    return step


def copy_to_raw_name(rel: str, name: bytes) -> Step:
    """A copy of `rel` under a file name whose bytes are not UTF-8."""
    def step(year: Path) -> None:
        shutil.copyfile(year / rel, os.path.join(os.fsencode(year / "projects"), name))
    return step


def long_indicators(n: int, chars: int) -> Step:
    row = "      - {{一级指标: 产出指标, 二级指标: 数量指标, 三级指标: 指标{i}, 年初目标值: {t}, 实际完成值: 完成}}\n"
    return edit(P, "年度绩效目标:\n", "年度绩效目标:\n  - 指标:\n" + "".join(row.format(i=i, t="长" * chars) for i in range(n)))


def as_unprivileged(year: Path, root: Path) -> Iterable[Issue]:
    """Permissions bind only a user without root's powers: as root, check a copy as `nobody`."""
    if os.geteuid() != 0:
        return check(year, root)
    from user_runs import NOBODY_SKIP, nobody_can_run_annex

    if not nobody_can_run_annex():
        pytest.skip(NOBODY_SKIP)
    import json
    import pwd
    import subprocess
    import sys
    import tempfile

    copy = Path(tempfile.mkdtemp(prefix="annex-catalogue-"))
    try:
        os.chmod(copy, 0o755)
        shutil.copytree(year.parent, copy / "data", symlinks=True)
        user = pwd.getpwnam("nobody")
        for p in [copy, *copy.rglob("*")]:
            os.chown(p, user.pw_uid, user.pw_gid, follow_symlinks=False)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(copy), "LANG": "C.UTF-8",
               **{k: v for k, v in os.environ.items() if k == "PYTHONPATH"}}
        proc = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", sys.executable, "-m",
                               "pipeline", "check", "--data", "data", "--year", year.name, "--json"],
                              cwd=copy, env=env, capture_output=True, text=True, timeout=120)
        return [Issue(**i) for i in json.loads(proc.stdout)["issues"]]
    finally:
        shutil.rmtree(copy)


MIXED_CSV = ("项目名称,目标,一级指标,二级指标,三级指标,年初目标值,实际完成值\n示例项目经费,1,产出指标,数量指标,覆盖,全覆盖,"
             .encode("gb18030") + "完成目标".encode("utf-8") + b"\n")

# --- code -> how to produce it ---------------------------------------------------------------------

FIXTURES: dict[str, Fixture] = {
    # reading one file
    "file-unreadable": fx(chmod(P, 0), run=as_unprivileged),
    "file-too-large": fx(use("yaml-alias-bomb.project.yaml")),
    "file-encoding": fx(use("utf16.project.yaml")),
    "empty-file": fx(use("empty-file.project.yaml")),
    "yaml-syntax": fx(use("yaml-unclosed-quote.project.yaml")),
    "key-not-text": fx(edit(P, "偏差原因分析:", "? [甲, 乙]\n: 值\n偏差原因分析:")),
    "duplicate-key": fx(use("duplicate-key.project.yaml")),
    "not-a-mapping": fx(use("yaml-list-top.project.yaml")),
    "csv-encoding": fx(use("csv-utf16.预算执行.csv")),
    "csv-syntax": fx(write(B, BUDGET_HEADER + "示例项目经费," + "6" * 200_000 + ",58\n")),
    "csv-empty": fx(write(B, "")),
    "csv-unknown-column": fx(use("csv-extra-column.预算执行.csv")),
    "csv-duplicate-column": fx(write(B, "项目名称,预算数,预算数,执行数\n")),
    "csv-missing-column": fx(use("csv-missing-column.预算执行.csv")),
    "csv-ragged-row": fx(use("csv-ragged-row.预算执行.csv")),
    # characters
    "forbidden-character": fx(use("forbidden-character-escape.project.yaml")),
    "bidi-control": fx(use("bidi-control.project.yaml")),
    "invisible-character": fx(use("zero-width-character.project.yaml")),
    # values and types
    "missing-key": fx(use("missing-key.project.yaml")),
    "unknown-key": fx(use("unknown-key.project.yaml")),
    "wrong-type": fx(use("wrong-type-goals.project.yaml")),
    "amount-format": fx(use("thousands-separator.project.yaml")),
    "fullwidth-digits": fx(use("fullwidth-digits.project.yaml")),
    "date-format": fx(use("date-not-a-date.department.yaml")),
    "date-invalid": fx(use("date-invalid.department.yaml")),
    "date-format-lenient": fx(use("date-slashes.department.yaml")),
    "text-too-long": fx(edit(P, "改进措施: 进一步加强应用", "改进措施: " + "加" * (MAX_TEXT_CHARS + 1))),
    # the year folder
    "year-folder": fx(move_year("2024年")),
    "year-not-found": fx(check_instead("2030")),
    "missing-file": fx(remove(D)),
    "unknown-variant": fx(use("unknown-variant.department.yaml")),
    "missing-folder": fx(remove("projects")),
    "not-yaml": fx(write("projects/说明.txt", "项目说明")),
    "no-projects": fx(remove(P)),
    "file-name": fx(rename(P, "projects/示例项目.yaml")),
    "duplicate-number": fx(write("projects/01-副本.yaml", "项目名称: 副本\n")),
    "csv-unknown-project": fx(use("csv-unknown-project.预算执行.csv")),
    "csv-duplicate-row": fx(edit(P, "预算数: 60\n执行数: 58\n", ""),
                            write(B, BUDGET_HEADER + "示例项目经费,60,58\n示例项目经费,60,58\n")),
    "csv-goal-number": fx(use("csv-goal-number.绩效指标.csv")),
    "figure-twice": fx(use("figure-twice.预算执行.csv")),
    "indicators-twice": fx(use("indicators-twice.绩效指标.csv")),
    # rules
    "empty-text": fx(use("empty-text.project.yaml")),
    "not-an-option": fx(use("not-an-option.project.yaml")),
    "missing-choice": fx(edit(P, "项目类别: 部门预算项目\n", "")),
    "missing-department": fx(edit(D, "主管部门: 示例主管部门\n", "")),
    "missing-figure": fx(edit(P, "预算数: 60\n", "")),
    "unused-key": fx(edit(P, "偏差原因分析:", "年度总体目标: {预期目标: 甲, 实际完成情况: 乙}\n偏差原因分析:")),
    "unused-remark": fx(edit(P, "三级指标: 社会稳定\n", "三级指标: 社会稳定\n        偏差原因分析及改进措施: 无\n")),
    "too-many-decimals": fx(use("too-many-decimals.project.yaml")),
    "budget-not-positive": fx(use("budget-zero.project.yaml")),
    "spent-negative": fx(use("spent-negative.project.yaml")),
    "spent-above-budget": fx(use("spent-above-budget.project.yaml")),
    "unknown-fund-source": fx(national, edit(P, "其他资金:", "社会资金:")),
    "missing-fund-source": fx(national, edit(P, "  其他资金: {年初预算数: 0, 全年预算数: 0, 全年执行数: 0}\n", "")),
    "amount-negative": fx(national, edit(P, "上年结转资金: {年初预算数: 0", "上年结转资金: {年初预算数: -1")),
    "funds-not-positive": fx(national, edit(P, "全年预算数: 100, 全年执行数: 90", "全年预算数: 0, 全年执行数: 0"),
                             edit(P, "全年预算数: 10, 全年执行数: 10", "全年预算数: 0, 全年执行数: 0")),
    "funds-spent-above-budget": fx(national, edit(P, "全年执行数: 90", "全年执行数: 190")),
    "too-many-indicators": fx(indicators(201)),
    "no-indicators": fx(write(P, PROJECT_WITHOUT_GOALS)),
    "empty-value": fx(use("empty-value.project.yaml")),
    "unknown-level1": fx(use("unknown-level1.project.yaml")),
    "level2-wrong-level1": fx(use("level2-wrong-level1.project.yaml")),
    "nonstandard-level2": fx(use("nonstandard-level2.project.yaml")),
    "level1-not-adjacent": fx(use("level1-not-adjacent.project.yaml")),
    "duplicate-title": fx(use("duplicate-title.project.yaml")),
    "duplicate-name": fx(use("duplicate-name.project.yaml")),
    # scoring
    "scoring-field-unused": fx(use("scoring-field-unused.project.yaml")),
    "missing-score": fx(scored),
    "weight-negative": fx(scored, edit(D, "评分: true", "评分: true\n预算执行分值: -10")),
    "score-above-weight": fx(weighted),
    "weights-sum": fx(weighted),
    "weights-split": fx(national, edit(P, "分值: 50, 得分: 50", "分值: 60, 得分: 50"),
                        edit(P, "分值: 30, 得分: 30", "分值: 20, 得分: 20")),
    # hostile input (issue 13)
    "data-symlink": fx(symlink("projects/02-链接.yaml", "/etc/passwd")),
    "data-not-regular": fx(write("projects/02-文件夹.yaml/说明", "a folder named like a project file")),
    "data-name-encoding": fx(copy_to_raw_name(P, b"02-\xff\xfe.yaml")),
    "csv-mixed-encoding": fx(write(P, PROJECT_WITHOUT_GOALS), write(I, MIXED_CSV)),
    "replacement-character": fx(edit(P, "改进措施: 进一步加强应用", '改进措施: "进一步\\uFFFD加强应用"')),
    "yaml-tag-mismatch": fx(edit(P, "改进措施: 进一步加强应用", "改进措施: !!null 进一步加强应用")),
    "file-number-too-long": fx(rename(P, "projects/10000-示例项目.yaml")),
    "project-too-long": fx(long_indicators(12, MAX_TEXT_CHARS)),
    "amount-too-large": fx(edit(P, "执行数: 58", "执行数: " + "1" * 40)),
    "glyph-missing": fx(edit(P, "改进措施: 进一步加强应用", "改进措施: 进一步加强𠀀应用"),
                        run=lambda year, root: check_year(year, base=root, glyphs=True).issues),
    # a clerk's first hour (issue 16)
    "accept-not-a-warning": fx(edit(P, "偏差原因分析:", "已确认警告: [budget-not-positive]\n偏差原因分析:")),
    "level2-same-as-level1": fx(edit(P, "二级指标: 社会效益指标", "二级指标: 效益指标")),
    "csv-project-without-file": fx(write(B, BUDGET_HEADER + "扫黑除恶专项经费,30,20\n")),
    "yaml-tab": fx(use("yaml-tab-indent.project.yaml")),
    "yaml-fullwidth-colon": fx(edit(P, "项目实施单位: 示例科", "项目实施单位：示例科")),
    "yaml-fullwidth-space": fx(edit(P, "        二级指标: 社会效益指标", "　　　　二级指标: 社会效益指标")),
    "csv-amount-thousands": fx(edit(P, "预算数: 60\n执行数: 58\n", ""), write(B, BUDGET_HEADER + '示例项目经费,"1,024.00",58\n')),
    # the workbook (data/<year>/*.xlsx): the clerk's workbook of tests/workbooks.py, changed as in Excel
    "workbook-format": fx(write("自评数据.xls", b"\xd0\xcf\x11\xe0" + bytes(100))),
    "workbook-unreadable": fx(write("自评数据.xlsx", b"PK\x03\x04 not a workbook")),
    "workbook-too-large": fx(sparse("自评数据.xlsx", 51 * 1024 * 1024)),
    "workbook-missing-sheet": fx(book(lambda wb: wb.remove(wb["指标"]))),
    "workbook-unknown-sheet": fx(book()),
    "workbook-missing-column": fx(book(delete_column("指标", 5))),
    "workbook-unknown-column": fx(book()),
    "workbook-duplicate-column": fx(book(set_cell("项目", "K1", "改进措施"))),
    "workbook-formula-uncached": fx(book(set_cell("项目", "B3", "=50+10"))),
    "workbook-format-inexact": fx(book(set_cell("指标", "F6", 12, "0.0E+00"))),
    "workbook-number": fx(book(set_cell("项目", "K1", "序号"), set_cell("项目", "K2", "一"))),
    "workbook-duplicate-number": fx(book(set_cell("项目", "K1", "序号"), set_cell("项目", "K2", 3), set_cell("项目", "K3", 3))),
    "workbook-no-projects": fx(book(lambda wb: wb["项目"].delete_rows(2, 2))),
    "workbook-blank-name": fx(book(set_cell("项目", "A3", None))),
    "workbook-blank-first-name": fx(book(lambda wb: wb["指标"].unmerge_cells("A2:A5"), set_cell("指标", "A2", None))),
    "workbook-unknown-project": fx(book(set_cell("指标", "A6", "法治宣传经费"))),
    "workbook-goal-number": fx(book(set_cell("指标", "B5", "二"))),
    "workbook-duplicate-key": fx(remove(D), book(unit_sheet((["项目", "内容"], ["单位名称", "甲"], ["单位名称", "乙"])))),
    "workbook-key-twice": fx(book(unit_sheet((["项目", "内容"], ["单位名称", "另一个单位"])))),
    # scoring rules as data (issue 24 part 1)
    "unknown-rules": fx(scored, edit(D, "评分: true", "评分: true\n评分规则: 四川")),
    "rules-invalid": fx(scored, edit(D, "评分: true", "评分: true\n评分规则: local"),
                        run=with_rules("local", "budget: {weight: 十}\n")),
    "rules-unknown-key": fx(scored, edit(D, "评分: true", "评分: true\n评分规则: local"),
                            run=with_rules("local", "budget: {weight: 20, wieght: 20}\n")),
    "rules-denominator": fx(scored, edit(D, "评分: true", "评分: true\n评分规则: local"),
                            run=with_rules("local", "budget: {weight: 20, denominator: 年初预算数}\n")),
    "score-computed": fx(national, edit(P, "分值: 50, 得分: 50", "分值: 50")),
    "score-differs": fx(national, edit(P, "实际完成值: 95%, 分值: 10, 得分: 10", "实际完成值: 85%, 分值: 10, 得分: 10")),
    "treated-qualitative": fx(national, edit(P, "实际完成值: 95%", "实际完成值: 95分")),
    "qualitative-score-missing": fx(national, edit(P, "实际完成值: 稳定, 分值: 30, 得分: 30", "实际完成值: 稳定, 分值: 30")),
    "qualitative-below-full": fx(national, edit(P, "实际完成值: 稳定, 分值: 30, 得分: 30", "实际完成值: 稳定, 分值: 30, 得分: 28")),
    "reason-missing-indicator": fx(national, edit(P, "实际完成值: 稳定, 分值: 30, 得分: 30",
                                                  "实际完成值: 基本稳定, 分值: 30, 得分: 25")),
    "reason-missing-rate": fx(national, edit(P, "全年预算数: 100, 全年执行数: 90", "全年预算数: 100, 全年执行数: 50")),
}


def produce(root: Path, fixture: Fixture) -> list[Issue]:
    year = make_year(root)
    target = year
    for step in fixture.steps:
        target = step(target) or target
    return list(fixture.run(target, root))


def test_fixtures_name_only_catalogued_codes():
    assert sorted(set(FIXTURES) - set(CATALOGUE)) == []


@pytest.mark.parametrize("base", [(), (national,)], ids=["hubei-2023", "national-2020"])
def test_the_clean_years_the_fixtures_break_have_no_problem(tmp_path, base):
    assert produce(tmp_path, fx(*base)) == []


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_code_has_a_fixture(tmp_path, code):
    assert code in FIXTURES, f"no fixture produces {code!r}: add one line to FIXTURES in tests/test_catalogue.py"
    found = [i for i in produce(tmp_path, FIXTURES[code]) if i.code == code]
    assert found, f"the fixture of {code!r} does not produce it"
    kind = CATALOGUE[code]
    for issue in found:
        assert issue.severity == kind.severity
        assert issue.file and issue.message and "{" not in issue.message


def test_a_key_the_form_has_no_column_for_is_reported_once(tmp_path):
    """national-2020 has no 项目类别 box: one unused-key, not also an unknown-key for the same line."""
    issues = produce(tmp_path, fx(national, edit(P, "项目实施单位: 示例科\n", "项目实施单位: 示例科\n项目类别: 部门预算项目\n")))
    assert [(i.code, i.line, i.field) for i in issues] == [("unused-key", 3, "项目类别")]


# --- annex import and annex new-year ---------------------------------------------------------------
# The import's codes come from reading Word documents (tests/word_handmade.py builds them by hand,
# as the department's 2023 bundle was made), not from checking a year folder.

def imported(*forms, extra=None) -> Callable[[Path, Path], Iterable[Issue]]:
    """A run that imports a hand-made document of `forms` ((Project, Style) pairs), plus `extra(root)` files."""
    def run(year: Path, root: Path) -> Iterable[Issue]:
        from pipeline.input.word import import_documents
        from word_handmade import document_with

        paths = [document_with(list(forms), root / "2023-自评表.docx")] if forms else []
        paths += extra(root) if extra else []
        return import_documents(paths).issues
    return run


def _file(name: str, data: bytes) -> Callable[[Path], list[Path]]:
    def make(root: Path) -> list[Path]:
        (root / name).write_bytes(data)
        return [root / name]
    return make


def _no_form(root: Path) -> list[Path]:
    import docx

    d = docx.Document()
    d.add_paragraph("会议纪要")
    d.save(root / "纪要.docx")
    return [root / "纪要.docx"]


def _national(root: Path) -> list[Path]:
    from word_handmade import national_stub

    return [national_stub(root / "国家表.docx")]


def _nested_table(root: Path) -> list[Path]:
    """A table inside the 项目实施单位 value cell (Word: Insert > Table with the cursor in a cell)."""
    import docx
    from word_handmade import document_with

    path = document_with([(_sample(), _style())], root / "嵌套.docx")
    d = docx.Document(str(path))
    for row in d.tables[0].rows:
        cells = list(dict.fromkeys(row.cells))
        if cells[0].text.strip() == "项目实施单位" or any(c.text.strip() == "项目实施单位" for c in cells[:-1]):
            i = next(i for i, c in enumerate(cells) if c.text.strip() == "项目实施单位")
            cells[i + 1].add_table(rows=1, cols=1).cell(0, 0).text = "维稳科"
            break
    d.save(str(path))
    return [path]


def _printed_total(year: Path, root: Path) -> Iterable[Issue]:
    import docx

    from pipeline.input.word import import_documents
    from user_runs import annex

    shutil.copytree(Path(__file__).parent.parent / "templates" / "hubei-2023" / "example" / "2023", root / "ex" / "2023")
    assert annex(root, "build", "--data", "ex", "--out", "ex-build", "--no-archive", "-f", "docx").exit_code == 0
    bundle = next((root / "ex-build" / "2023").glob("*自评表.docx"))
    d = docx.Document(bundle)
    next(row.cells for t in d.tables for row in t.rows if row.cells[0].text == "总分")[-1].paragraphs[0].runs[0].text = "1.00"
    d.save(bundle)
    return import_documents([bundle]).issues


def _with_project(**changes):
    from word_handmade import sample

    p = sample()
    for k, v in changes.items():
        setattr(p, k, v)
    return p


def _style(**knobs):
    from word_handmade import Style

    return Style(**knobs)


def _sample(n: int = 1):
    from word_handmade import sample

    return sample(n)


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600

FIXTURES.update({
    "import-not-docx": fx(run=imported(extra=_file("旧表.doc", OLE))),
    "import-unreadable": fx(run=imported(extra=_file("坏的.docx", b"not a zip"))),
    "import-no-table": fx(run=imported(extra=_no_form)),
    "import-nested-table": fx(run=imported(extra=_nested_table)),
    "import-mixed-variants": fx(run=imported((_sample(1), _style()), (_sample(2), _style()), extra=_national)),
    "import-missing": fx(run=imported((_with_project(implementer=""), _style()))),
    "import-checkbox-none": fx(run=imported((_sample(), _style(ticked={"项目属性": []})))),
    "import-checkbox-many": fx(run=imported((_sample(), _style(ticked={"项目类别": [0, 2]})))),
    "import-checkbox-unread": fx(run=imported((_sample(), _style(numbered=False, renamed_option=True)))),
    "import-option-renamed": fx(run=imported((_sample(), _style(renamed_option=True)))),
    "import-amount": fx(run=imported((_with_project(spent="58万"), _style(rate="20.71%")))),
    "import-rate-differs": fx(run=imported((_sample(), _style(rate="55.6%")))),
    "import-total-differs": fx(run=_printed_total),
    "import-title-copied": fx(run=imported((_sample(1), _style()), (_sample(2), _style(title=_sample(1).name)))),
    "import-title-unread": fx(run=imported((_sample(), _style(heading=False)))),
    "import-differs": fx(run=imported((_sample(1), _style()), (_sample(2), _style()), (_sample(3), _style(unit="某单位")))),
    "import-not-found": fx(run=imported((_sample(), _style(lines=False)))),
    "import-year-missing": fx(run=imported((_sample(), _style(heading=False)))),
    "not-filled": fx(edit(D, "填报日期: 2025-04-23", "填报日期:")),
})


# --- a clerk's second hour (issue 22) ------------------------------------------------------------
FIXTURES.update({
    "level2-typo": fx(edit(P, "二级指标: 数量指标", "二级指标: 质量指")),
    "accept-entry-format": fx(edit(D, "评分: false", "评分: false\n已确认警告:\n  - {代码: nonstandard-level2, 数值: 社会效益}")),
})


# workbooks read under limits, cell by cell; export that reads back (issues 21, 22: workbook)
FIXTURES.update({
    "workbook-column-typo": fx(book(set_cell("指标", "E1", "三级指"))),
})
def _cell_xml(sheet: str, ref: str, xml: str) -> Step:
    from workbooks import raw_cell

    return lambda year: raw_cell(year / "自评数据.xlsx", sheet, ref, xml)


def _many_members(year: Path) -> None:
    import zipfile

    with zipfile.ZipFile(year / "自评数据.xlsx", "a") as z:
        for i in range(10_001):
            z.writestr(f"customXml/item{i}.bin", b"")


def _hide_row(wb) -> None:
    wb["指标"].row_dimensions[3].hidden = True


FIXTURES.update({
    "workbook-over-limit": fx(book(), _many_members),
    "workbook-cell-unreadable": fx(book(), _cell_xml("项目", "B3", '<c r="B3" t="n"><v>abc</v></c>')),
    "workbook-hidden": fx(book(_hide_row)),
    "workbook-hidden-value": fx(book(set_cell("项目", "B3", 88, ";;;"))),
    "workbook-display-rounded": fx(book(set_cell("项目", "B3", 45.5, "0"))),
})


def _sorted_year(year: Path) -> None:
    """data/2023 exported, its repeats left blank as the README allows, then sorted by 三级指标."""
    import shutil as _shutil

    from pipeline.write.workbook import export_year
    from test_workbook_habits import _blank_repeats, _sort_indicators
    from workbooks import mutate

    _shutil.rmtree(year)
    _shutil.copytree(Path(__file__).resolve().parent.parent / "data" / "2023", year)
    export_year(year, year / "自评数据.xlsx", force=False)
    _shutil.rmtree(year / "projects")
    for csv in year.glob("*.csv"):
        csv.unlink()
    mutate(year / "自评数据.xlsx", _blank_repeats)
    mutate(year / "自评数据.xlsx", _sort_indicators(5))


FIXTURES.update({
    "workbook-total-differs": fx(book(lambda wb: wb["项目"].append(["合计", 216, 124.5]))),
    "workbook-sheet-sorted": fx(_sorted_year),
})


def _copied_from_last_year(year: Path) -> None:
    """Last year (the same data, as YAML) beside this year, kept as a workbook exported from it."""
    import shutil as _shutil

    from pipeline.write.workbook import export_year

    last = year.parent / "2023"
    _shutil.copytree(year, last)
    _shutil.rmtree(year / "projects")
    export_year(last, year / "自评数据.xlsx", force=False)


FIXTURES.update({"unchanged-from-last-year": fx(_copied_from_last_year)})
