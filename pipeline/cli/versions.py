"""How the archive commands (history, diff, verify) say which year and which versions they show.

Every archive command names its year on its first line ("2023 年度归档 …"), since the default is
the newest archived year, which need not be the year just built; times are shown in the local
time zone (TZ respected), not as the manifest stores them.
"""

from __future__ import annotations

from pathlib import Path

from pipeline import archive
from pipeline.archive.describe import change_summary, local_time
from pipeline.files.paths import display_path
from pipeline.hints import annex_command

Found = list[tuple[int, Path, "archive.Version | None"]]


def year_note(year: int, asked: int | None, years: list[int]) -> str:
    """How the year was chosen, when it was not asked for: "" or `（归档里最新的年度；…）`."""
    if asked is not None:
        return ""
    others = [y for y in years if y != year]
    hint = f"；其他年度：{'、'.join(map(str, others))}，用 --year 指定" if others else ""
    return f"（归档里最新的年度{hint}）"


def year_heading(out: Path, year: int, asked: int | None, years: list[int]) -> str:
    """`2023 年度归档 build/archive/2023` and how the year was chosen."""
    return f"{year} 年度归档 {display_path(archive.archive_dir(out, year))}{year_note(year, asked, years)}"


def version_lines(number: int, v: archive.Version | None, year: int) -> list[str]:
    """One version as `annex history` prints it: a line, and its note on the next."""
    if v is None:
        return [f"{archive.version_name(number)}  —  清单无法读取；运行 {annex_command('verify', '--year', year)} 查看"]
    m = v.manifest
    lines = [f"{v.name}  {local_time(m.created)}  {len(m.projects)} 张表（{'、'.join(m.formats)}）  {change_summary(v)}"]
    if m.note:
        lines.append(f"      备注：{m.note}")
    if m.made_by:
        lines.append(f"      生成者：{m.made_by}（网页）")
    return lines


def last_two(found: Found) -> tuple[int, int] | None:
    """The numbers of the two newest readable versions (`annex diff` with no versions given)."""
    readable = [n for n, _, v in found if v is not None]
    return (readable[-2], readable[-1]) if len(readable) >= 2 else None
