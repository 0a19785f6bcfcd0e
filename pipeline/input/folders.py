"""Finding the year folder in a data folder: the one place that knows what a year folder is.

Kept free of the loader's imports (pydantic, YAML): the CLI resolves the folder before it knows
whether a build has anything to do.
"""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.errors import Abort

YEAR_NAME = re.compile(r"\d{4}")


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


def find_year_dir(data_dir: Path, year: int | None) -> Path:
    """The year folder to work on: data_dir/<year>, or the latest year's; YearNotFound says what exists."""
    if not data_dir.is_dir():
        raise YearNotFound(f"找不到数据文件夹 {data_dir}；请用 --data 指定，例如 --data data")
    if year is None:
        year = latest_year(data_dir)
        if year is None:
            raise YearNotFound(f"{data_dir} 里没有年度文件夹（如 {data_dir}/2023）")
    year_dir = data_dir / str(year)
    if not year_dir.is_dir():
        have = "、".join(map(str, years_in(data_dir))) or "无"
        raise YearNotFound(f"找不到 {year_dir}；现有年度：{have}")
    return year_dir
