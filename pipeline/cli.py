"""The `annex` command: check, schema (and build, history, diff, verify)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from pipeline import __version__
from pipeline.check import check_year
from pipeline.issues import display_path
from pipeline.load import latest_year
from pipeline.model import department_schema, project_schema
from pipeline.report import issues_json, print_issues, summary_line

app = typer.Typer(
    name="annex",
    help="由结构化数据生成《项目支出绩效自评表》（附件 2）的 Word 与 PDF 汇编。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

DataOpt = Annotated[Path, typer.Option("--data", "-d", help="数据文件夹（其中每个年度一个子文件夹）。", show_default=True)]
YearOpt = Annotated[Optional[int], typer.Option("--year", "-y", help="年度；默认取数据文件夹里最新的年度。", show_default=False)]


def fail(message: str) -> typer.Exit:
    err_console.print(f"[red]错误：[/red]{message}")
    return typer.Exit(1)


def resolve_year_dir(data: Path, year: int | None) -> Path:
    """The year folder to work on, or exit with a message saying what exists."""
    if not data.is_dir():
        raise fail(f"找不到数据文件夹 {data}；请用 --data 指定，例如 --data data")
    if year is None:
        year = latest_year(data)
        if year is None:
            raise fail(f"{data} 里没有年度文件夹（如 {data}/2023）")
    year_dir = data / str(year)
    if not year_dir.is_dir():
        have = sorted(p.name for p in data.iterdir() if p.is_dir() and p.name.isdigit())
        raise fail(f"找不到 {year_dir}；现有年度：{'、'.join(have) or '无'}")
    return year_dir


def version_callback(value: bool) -> None:
    if value:
        console.print(f"annex {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", callback=version_callback, is_eager=True, help="显示版本并退出。")] = False,
) -> None:
    """由结构化数据生成《项目支出绩效自评表》的 Word 与 PDF 汇编。"""


@app.command()
def check(
    data: DataOpt = Path("data"),
    year: YearOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出问题列表（供其他程序读取）。")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="把警告也当作错误（有警告时退出码为 1）。")] = False,
) -> None:
    """检查一个年度的数据：列出所有错误和警告，有错误时退出码为 1。"""
    year_dir = resolve_year_dir(data, year)
    result = check_year(year_dir)
    where = display_path(year_dir)
    n_err, n_warn = len(result.errors), len(result.warnings)
    if strict:
        n_err, n_warn = n_err + n_warn, 0
    projects = len(result.input.projects)
    if as_json:
        console.print_json(issues_json(where, projects, result.issues, n_err, n_warn))
    else:
        print_issues(console, result.issues)
        style = "red" if n_err else ("yellow" if n_warn else "green")
        console.print(f"[{style}]{summary_line(where, projects, n_err, n_warn)}[/{style}]")
    if n_err:
        raise typer.Exit(1)


@app.command()
def schema(
    which: Annotated[str, typer.Argument(help="project（项目文件）或 department（单位文件）。")] = "project",
) -> None:
    """输出项目文件的 JSON Schema（供编辑器补全和检查）。"""
    if which not in ("project", "department"):
        raise fail("只能是 project 或 department")
    doc = project_schema() if which == "project" else department_schema()
    typer.echo(json.dumps(doc, ensure_ascii=False, indent=2))
