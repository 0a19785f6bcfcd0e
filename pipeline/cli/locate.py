"""What an archive command works on, found from its options: a year's archived versions, or a
message saying which exist. (A year folder of the data: `pipeline.input.folders.find_year_dir`.)"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from pipeline import archive
from pipeline.cli.options import BadOption
from pipeline.files.paths import display_path
from pipeline.problems.phrases import listing

Found = list[tuple[int, Path, Optional[archive.Version]]]


def archived_years(out: Path) -> list[int]:
    """The years with a folder in build/archive/ (verify also checks a year known only from its
    head record; history and diff need the versions themselves)."""
    return [y for y in archive.years(out) if archive.archive_dir(out, y).is_dir()]


def archived_versions(out: Path, year: int | None) -> tuple[int, Found]:
    """A year's archived versions, oldest first (`year` or the latest year with an archive)."""
    years = archived_years(out)
    if year is None:
        if not years:
            raise BadOption("archive-empty", root=display_path(archive.archive_root(out)))
        year = years[-1]
    found = archive.read_versions(archive.archive_dir(out, year))
    if not found:
        if not years:
            raise BadOption("year-not-archived-none", year=year)
        raise BadOption("year-not-archived", year=year, have=listing(years))
    return year, found
