"""Finding the year folder in a data folder: the one place that knows what a year folder is.

Kept free of the loader's imports (pydantic, YAML): the CLI resolves the folder before it knows
whether a build has anything to do.
"""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.errors import Abort
from pipeline.problems.phrases import NONE, listing

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


def find_year_dir(data_dir: Path, year: int | None) -> Path:
    """The year folder to work on: data_dir/<year>, or the latest year's; YearNotFound says what exists."""
    if not data_dir.is_dir():
        # `--data data` is the default: naming it is no help, where the user stands is
        if data_dir == DEFAULT_DATA:
            raise YearNotFound("no-data-folder-here", cwd=Path.cwd(), data=data_dir)
        raise YearNotFound("no-data-folder", data=data_dir)
    if year is None:
        year = latest_year(data_dir)
        if year is None:
            raise YearNotFound("no-year-folder", data=data_dir)
    year_dir = data_dir / str(year)
    if not year_dir.is_dir():
        raise YearNotFound("year-folder-missing", year_dir=year_dir, have=listing(years_in(data_dir)) or NONE)
    return year_dir
