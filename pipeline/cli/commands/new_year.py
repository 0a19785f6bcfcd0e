"""annex new-year: a new year's data folder started from last year's."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.text import Text

from pipeline.check.problems import display_path
from pipeline.errors import Abort

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


def new_year(
    year: Annotated[int, typer.Argument(help="新年度，例如 2024。", show_default=False)],
    source: Annotated[Optional[int], typer.Option("--from", help="从哪个年度复制；默认取此前最新的年度。", show_default=False)] = None,
    data: Annotated[Path, typer.Option("--data", "-d", help="数据文件夹（其中每个年度一个子文件夹）。", show_default=True)] = Path("data"),
) -> None:
    """从上一年度的数据开始新的一年：保留项目、单位、类别和绩效指标，清空本年度要填的数。"""
    from pipeline.input.new_year import start_year

    try:
        started = start_year(data, year, source)
    except Abort as e:
        err_console.print(Text.assemble(("错误：", "red"), e.message))
        raise typer.Exit(e.exit_code) from None
    target = display_path(started.target)
    n = len([p for p in started.written.written if p.parent.name == "projects"])
    console.print(Text(f"已从 {display_path(started.source)} 开始 {target}：{n} 个项目文件，"
                       f"{started.to_fill} 处本年度要填写的内容已留空。", style="green"), soft_wrap=True)
    console.print(Text(f"下一步：annex check --data {display_path(data)} --year {year} 会逐项列出尚未填写的内容；"
                       "填好后 annex build。"), soft_wrap=True)
