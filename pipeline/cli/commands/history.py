"""annex history: a year's archived versions, one line each, with what changed and its note."""

from __future__ import annotations

from pipeline.cli import locate
from pipeline.cli.options import DEFAULT_OUT, ArchiveYearOpt, OutOpt
from pipeline.cli.output import say
from pipeline.cli.versions import version_lines, year_heading


def history(
    year: ArchiveYearOpt = None,
    out: OutOpt = DEFAULT_OUT,
) -> None:
    """列出一个年度的归档版本：时间（本机时区）、表数、哪些项目有变化，以及备注。"""
    chosen, found = locate.archived_versions(out, year)
    say(year_heading(out, chosen, year, locate.archived_years(out)), "bold")
    for number, _, v in found:
        for line in version_lines(number, v, chosen):
            say(line, "red" if v is None else None)
