"""annex convert: a year's data rewritten for another form (national-2020), the mechanical part of
switching forms; what the new form needs that the data cannot say is left empty for check to list."""

from __future__ import annotations

from typing import Annotated

import typer

from pipeline.cli.options import DEFAULT_DATA, DataOpt, YearOpt
from pipeline.cli.output import say
from pipeline.files.paths import display_path
from pipeline.input.folders import find_year_dir
from pipeline.hints import annex_command


def convert(
    to: Annotated[str, typer.Option("--to", help="要换用的表样：national-2020。", show_default=False, metavar="表样")],
    data: DataOpt = DEFAULT_DATA,
    year: YearOpt = None,
    replace: Annotated[bool, typer.Option(
        "--replace", help="真正改写文件（原文件先复制到 data/<年度>-转换前-<原表样>/）；不加时只列出会改什么。",
        metavar="")] = False,
) -> None:
    """把一个年度的数据改写为另一种表样：机械的改动由 annex 完成，需要你填写的留空（check 会逐条列出）。"""
    from pipeline.write.convert import apply_conversion, plan_conversion

    year_dir = find_year_dir(data, year)
    conv = plan_conversion(year_dir, to.strip().lower())
    say(f"{display_path(year_dir)}：表样 {conv.source} → {conv.target}", "bold")
    for edit in conv.edits:
        say(f"{display_path(edit.path)}：{'；'.join(edit.notes)}")
    for path in conv.moved:
        say(f"{display_path(path)}：其中的预算数、执行数已写进各项目文件，这个文件移到备份文件夹")
    if not replace:
        say(f"未改动任何文件。加 --replace 即改写以上 {len(conv.edits)} 个文件"
            f"（原文件先复制到 {display_path(conv.backup_dir)}/）。", "yellow")
        return
    backup = apply_conversion(conv)
    say(f"已改写 {len(conv.edits)} 个文件；原文件在 {display_path(backup)}/。", "green")
    say(f"下一步：运行 {annex_command('check', '--year', year_dir.name)}，逐条填写列出的「尚未填写」各项。")
