"""annex check: every error and warning of a year's data, as text or as JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from pipeline.cli.options import DEFAULT_DATA, BadOption, DataOpt, ProblemsOpt, YearOpt, problem_style
from pipeline.cli.output import console, say
from pipeline.files.paths import display_path
from pipeline.input.folders import find_year_dir


def check(
    data: DataOpt = DEFAULT_DATA,
    year: YearOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出问题列表（供其他程序读取）。", metavar="")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="把警告也当作错误（有警告时退出码为 1）。", metavar="")] = False,
    problems: ProblemsOpt = "auto",
    mark: Annotated[Optional[Path], typer.Option(
        "--mark", help="另存一份工作簿，把每个有问题的单元格标上底色并加批注写明问题（数据在工作簿里时）。",
        show_default=False, metavar="文件")] = None,
) -> None:
    """检查一个年度的数据：列出所有错误和警告，有错误时退出码为 1。"""
    from pipeline.build.front import check_year
    from pipeline.problems.report import issues_json, print_issues, summary_line

    style_of_problems = problem_style(problems)
    year_dir = find_year_dir(data, year)
    result = check_year(year_dir, glyphs=True)
    where = display_path(year_dir)
    n_err, n_warn = len(result.errors), len(result.warnings)
    if strict:
        n_err, n_warn = n_err + n_warn, 0
    projects = len(result.input.projects)
    accepted = len(result.accepted)
    if as_json:
        console.print_json(issues_json(where, projects, result.issues, n_err, n_warn, accepted))
    else:
        print_issues(console, result.issues, style_of_problems)
        style = "red" if n_err else ("yellow" if n_warn else "green")
        console.print(f"[{style}]{summary_line(where, projects, n_err, n_warn, accepted, len(result.issues.notes))}[/{style}]")
    if mark is not None:
        write_marked(year_dir, result.issues, mark, quiet=as_json)
    if n_err:
        raise typer.Exit(1)


def write_marked(year_dir: Path, issues, dest: Path, quiet: bool = False) -> None:
    """--mark: the year's workbook, its problem cells marked, written to `dest` (never over the data)."""
    from pipeline.files.write import write_atomic
    from pipeline.input.workbook.read import workbook_files
    from pipeline.write.marked import mark_workbook

    books = [p for p in workbook_files(year_dir) if p.suffix.lower() == ".xlsx"]
    if not books:
        raise BadOption("mark-no-workbook", year_dir=display_path(year_dir))
    if len(books) > 1:
        raise BadOption("mark-many-workbooks", year_dir=display_path(year_dir), count=len(books))
    if dest.suffix.lower() != ".xlsx":
        raise BadOption("mark-not-xlsx", name=dest.name)
    if dest.resolve().parent == year_dir.resolve() or dest.is_symlink():
        raise BadOption("mark-in-data", year_dir=display_path(year_dir))
    marked = mark_workbook(books[0], issues, display_path(books[0]))
    write_atomic(dest, marked.data)
    if not quiet:
        say(f"已写出 {display_path(dest)}：标注了 {marked.cells} 个单元格" +
            (f"（另有 {marked.unplaced} 个问题不在具体单元格上，见上面的列表）" if marked.unplaced else ""))
