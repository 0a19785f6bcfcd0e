"""Finding the year folder in a data folder: the one place that knows what a year folder is.

Kept free of the loader's imports (pydantic, YAML): the CLI resolves the folder before it knows
whether a build has anything to do.
"""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.errors import Abort

YEAR_NAME = re.compile(r"\d{4}")
DEFAULT_DATA = Path("data")  # the CLI's default for --data


class YearNotFound(Abort):
    """The data folder or the year asked for does not exist."""


def is_year_name(name: str) -> bool:
    return YEAR_NAME.fullmatch(name) is not None


def years_in(data_dir: Path) -> list[int]:
    """The years that have a folder in the data folder, in order."""
    if not data_dir.is_dir():
        return []
    return sorted(int(p.name) for p in data_dir.iterdir() if p.is_dir() and is_year_name(p.name))


def latest_year(data_dir: Path) -> int | None:
    years = years_in(data_dir)
    return years[-1] if years else None


def _no_data_folder(data_dir: Path) -> str:
    """The hint for a data folder that is not there: `--data data` is the default, so it is no help."""
    if data_dir == DEFAULT_DATA:
        return (f"当前文件夹（{Path.cwd()}）里没有 {data_dir} 文件夹；请先进入项目文件夹（含 data 文件夹的那个）"
                "再运行，或用 --data 指明数据文件夹在哪里，例如 --data /home/用户名/绩效自评/data")
    return f"找不到数据文件夹 {data_dir}；请检查 --data 后面的路径"


def find_year_dir(data_dir: Path, year: int | None) -> Path:
    """The year folder to work on: data_dir/<year>, or the latest year's; YearNotFound says what exists."""
    if not data_dir.is_dir():
        raise YearNotFound(_no_data_folder(data_dir))
    if year is None:
        year = latest_year(data_dir)
        if year is None:
            raise YearNotFound(f"{data_dir} 里没有年度文件夹（如 {data_dir}/2023）")
    year_dir = data_dir / str(year)
    if not year_dir.is_dir():
        have = "、".join(map(str, years_in(data_dir))) or "无"
        raise YearNotFound(f"找不到 {year_dir}；现有年度：{have}")
    return year_dir
