"""annex import: 自评表 tables of Word documents into a year's data folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from pipeline.files.paths import display_path
from pipeline.cli.options import DEFAULT_DATA, BadOption
from pipeline.cli.output import console, say
from pipeline.errors import Abort
from pipeline.hints import annex_command


def _documents(paths: list[Path]) -> list[Path]:
    """The files to read: each file given, and the .docx files of each folder given (sorted)."""
    out = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(q for q in p.iterdir()
                              if q.suffix.lower() == ".docx" and not q.name.startswith(("~$", "."))))
        elif not p.exists():
            raise BadOption("import-file-missing", path=p)
        else:
            out.append(p)
    if not out:
        raise BadOption("import-no-documents")
    return out


def import_(
    files: Annotated[list[Path], typer.Argument(help=".docx 文件或其所在文件夹，可多个。", show_default=False, metavar="文件")],
    data: Annotated[Path, typer.Option("--data", "-d", help="数据文件夹（年度文件夹写在其中）。", show_default=True, metavar="文件夹")] = DEFAULT_DATA,
    year: Annotated[Optional[int], typer.Option("--year", "-y", help="年度；默认取表格标题里的年度。", show_default=False, metavar="年度")] = None,
    replace: Annotated[bool, typer.Option("--replace", help="用读出的数据整套替换这个年度已有的数据（原文件夹整个移到「年度.导入前-时间」保留）。", metavar="")] = False,
) -> None:
    """从 Word 自评表读出数据，写成一个年度的数据文件。"""
    from pipeline.problems.report import print_issues
    from pipeline.input.word import import_documents
    from pipeline.write.data_folder import write_year

    docs = _documents(files)
    result = import_documents(docs, year, display=display_path)
    issues = result.issues.items
    if not result.projects or result.year is None:
        print_issues(console, issues)
        raise Abort("import-nothing-read" if not result.projects else "import-no-year")
    written = write_year(data / str(result.year), result.department, result.projects, replace, display=display_path)
    print_issues(console, issues)
    errors = sum(1 for i in issues if i.severity == "error")
    n_written = len([p for p in written.written if p.parent.name == "projects"])
    say(f"读取 {result.tables} 张表：写入 {n_written} 个项目文件；{len(issues)} 个问题", "red" if errors else "green")
    for p in written.written:
        say(f"  {display_path(p)}")
    if written.aside is not None:
        say(f"原有的数据整个移到了 {display_path(written.aside)}/（保留，未删除）", "yellow")
    say(f"下一步：{annex_command('check', '--data', display_path(data), '--year', result.year)}，"
        f"改正后 {annex_command('build', '--data', display_path(data), '--year', result.year)}")
    if errors:
        raise typer.Exit(1)
