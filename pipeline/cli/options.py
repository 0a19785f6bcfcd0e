"""Options several commands share, declared once so they read and behave the same everywhere."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from pipeline.errors import Abort
from pipeline.problems.phrases import listing

ProblemsOpt = Annotated[str, typer.Option(
    "--problems", help="问题列表的样式：lines（每个问题一行，以「文件:行:列」开头，便于复制和搜索）、"
    "table（表格）；默认在终端里用表格，输出到文件或管道时用 lines。", show_default=False, metavar="lines|table")]
DataOpt = Annotated[Path, typer.Option("--data", "-d", help="数据文件夹（其中每个年度一个子文件夹）。", show_default=True,
                                           metavar="文件夹")]
YearOpt = Annotated[Optional[int], typer.Option("--year", "-y", help="年度；默认取数据文件夹里最新的年度。",
                                                    show_default=False, metavar="年度")]
OutOpt = Annotated[Path, typer.Option("--out", "-o", help="输出文件夹（归档在其中的 archive/ 下）。", show_default=True,
                                          metavar="文件夹")]
ArchiveYearOpt = Annotated[Optional[int], typer.Option("--year", "-y", help="年度；默认取归档里最新的年度。",
                                                           show_default=False, metavar="年度")]

DEFAULT_DATA = Path("data")
DEFAULT_OUT = Path("build")


class BadOption(Abort):
    """An option or argument names something that is not there, or a value the command cannot use."""


def problem_style(name: str) -> str:
    """The --problems value, checked (before any work is done)."""
    from pipeline.problems.report import PROBLEM_STYLES

    if name not in PROBLEM_STYLES:
        raise BadOption("problems-style", allowed=listing(PROBLEM_STYLES), name=name)
    return name
