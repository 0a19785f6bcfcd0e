"""annex check: every error and warning of a year's data, as text or as JSON."""

from __future__ import annotations

from typing import Annotated

import typer

from pipeline.cli.options import DEFAULT_DATA, DataOpt, ProblemsOpt, YearOpt, problem_style
from pipeline.cli.output import console
from pipeline.files.paths import display_path
from pipeline.input.folders import find_year_dir


def check(
    data: DataOpt = DEFAULT_DATA,
    year: YearOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出问题列表（供其他程序读取）。", metavar="")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="把警告也当作错误（有警告时退出码为 1）。", metavar="")] = False,
    problems: ProblemsOpt = "auto",
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
        console.print(f"[{style}]{summary_line(where, projects, n_err, n_warn, accepted)}[/{style}]")
    if n_err:
        raise typer.Exit(1)
