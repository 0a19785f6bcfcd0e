"""annex export: write a year's data as a workbook to fill in Excel or WPS."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from pipeline.cli.options import DEFAULT_DATA, BadOption, DataOpt
from pipeline.cli.output import console


def export(
    data: DataOpt = DEFAULT_DATA,
    year: Annotated[Optional[int], typer.Option("--year", "-y", help="年度；默认取数据文件夹里最新的年度。新的年度（文件夹还不存在）导出一份空白工作簿。", show_default=False, metavar="年度")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="写到哪个 .xlsx 文件。默认：数据已在工作簿里或是新年度时写到年度文件夹下的 自评数据.xlsx；项目还在 YAML 文件里时写到当前文件夹的 自评数据-<年度>.xlsx。", show_default=False, metavar="文件")] = None,
    force: Annotated[bool, typer.Option("--force", help="覆盖已存在的文件。", metavar="")] = False,
) -> None:
    """把一个年度的数据（YAML、CSV 或工作簿）导出为一个 Excel 工作簿（项目、指标两张表），可在 Excel / WPS 中填写。"""
    from pipeline.files.paths import display_path
    from pipeline.write.workbook import export_year
    from pipeline.input.folders import latest_year

    if year is None:
        year = latest_year(data)
        if year is None:
            raise BadOption("export-no-year", data=data)
    year_dir = data / str(year)
    done = export_year(year_dir, out, force)  # an Abort (file exists, data with errors) is printed by the app
    console.print(f"[green]已导出 {display_path(done.path)}：{done.projects} 个项目，{done.indicators} 条指标[/green]")
    if done.path.resolve().parent != year_dir.resolve():
        console.print(f"要改用工作簿保存数据：把它移到 {display_path(year_dir)}/，并移走 projects/ 下的 YAML 文件和 CSV 文件。")
    elif done.unit_sheet and done.projects == 0:
        console.print("在「单位」表填写单位名称、填报日期，在「项目」「指标」表每行填一个项目、一条指标，然后运行 make annex。")
