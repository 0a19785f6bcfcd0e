"""annex new-year: a new year's data folder started from last year's."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from pipeline.files.paths import display_path
from pipeline.cli.options import DEFAULT_DATA, DataOpt
from pipeline.cli.output import say
from pipeline.hints import annex_command


def new_year(
    year: Annotated[int, typer.Argument(help="新年度，例如 2024。", show_default=False, metavar="年度")],
    source: Annotated[Optional[int], typer.Option("--from", help="从哪个年度复制；默认取此前最新的年度。", show_default=False, metavar="年度")] = None,
    data: DataOpt = DEFAULT_DATA,
) -> None:
    """从上一年度的数据开始新的一年：保留项目、单位、类别和绩效指标，清空本年度要填的数。"""
    from pipeline.write.new_year import start_year

    started = start_year(data, year, source)  # an Abort is printed by the app
    n = len([p for p in started.written.written if p.parent.name == "projects"])
    say(f"已从 {display_path(started.source)} 开始 {display_path(started.target)}：{n} 个项目文件，"
        f"{started.to_fill} 处本年度要填写的内容已留空。", "green")
    say(f"下一步：{annex_command('check', '--data', display_path(data), '--year', year)} 会逐项列出尚未填写的内容；"
        f"填好后 {annex_command('build', '--data', display_path(data), '--year', year)}。")
