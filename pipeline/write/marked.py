"""The clerk's own workbook with every problem cell marked: a fill colour and a comment holding
the message (`annex check --mark`, and the web page's 下载标注了问题的工作簿).

The copy is the workbook as openpyxl reads and writes it, values, formulas, formats, merges and
column widths kept; only the problem cells gain a fill and a comment. Problems that have no cell
(a missing sheet, a file of YAML) stay in the check's list: nothing is added to the workbook for them.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import Abort
from pipeline.problems.records import Issue

# Light fills a clerk knows from Excel's own highlighting: red for an error, yellow for a warning.
FILLS = {"error": "FFFFC7CE", "warning": "FFFFEB9C", "info": "FFDDEBF7"}  # info: light blue, a note
LABEL = {"error": "错误", "warning": "警告", "info": "提示"}
RANK = {"error": 0, "warning": 1, "info": 2}
AUTHOR = "annex"
_CELL = re.compile(r"^(?P<sheet>.+)!\$?(?P<col>[A-Z]{1,3})\$?(?P<row>[0-9]{1,7})$")


class MarkError(Abort):
    """The workbook cannot be marked (it is not a workbook annex can open)."""


@dataclass(frozen=True)
class Marked:
    data: bytes  # the marked copy, an .xlsx
    cells: int  # cells marked
    unplaced: int  # problems of this workbook with no cell to mark


def cell_of(issue: Issue) -> tuple[str, str] | None:
    """(sheet, "E12") of a problem located at one cell, else None."""
    m = _CELL.match(issue.cell or "")
    return (m["sheet"], f"{m['col']}{m['row']}") if m else None


def mark_workbook(path: Path, issues: Sequence[Issue], display: str) -> Marked:
    """A copy of the workbook at `path` with the problems whose file is `display` (as the check
    names it) marked at their cells. Several problems in one cell share one comment, errors first."""
    from openpyxl import load_workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    _within_limits(path, display)
    try:
        wb = load_workbook(path, data_only=False, keep_links=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign file
        raise MarkError("mark-unopenable", display=display, error=type(exc).__name__) from None
    by_cell: dict[tuple[str, str], list[Issue]] = {}
    unplaced = 0
    for issue in issues:
        if issue.file != display:
            continue
        place = cell_of(issue)
        if place is None or place[0] not in wb.sheetnames:
            unplaced += 1
            continue
        by_cell.setdefault(place, []).append(issue)
    for (sheet, ref), found in by_cell.items():
        found.sort(key=lambda i: RANK[i.severity])
        cell = wb[sheet][ref]
        colour = FILLS[found[0].severity]
        cell.fill = PatternFill(fill_type="solid", start_color=colour, end_color=colour)
        text = "\n".join(f"{LABEL[i.severity]}：" + (f"{i.field}：" if i.field else "") + i.message for i in found)
        comment = Comment(text, AUTHOR)
        comment.width, comment.height = 320, 40 + 20 * (len(text) // 20 + len(found))
        cell.comment = comment
    buf = io.BytesIO()
    wb.save(buf)
    return Marked(buf.getvalue(), len(by_cell), unplaced)


def _within_limits(path: Path, display: str) -> None:
    """The reader's size and unpacked-size limits, before openpyxl loads the whole workbook."""
    import zipfile

    from pipeline.files.zipguard import PackageBroken, PackageLimit, count_xml
    from pipeline.input.workbook.sheets import LIMITS, MAX_WORKBOOK_BYTES

    try:
        if path.stat().st_size > MAX_WORKBOOK_BYTES:
            raise MarkError("mark-too-large", display=display)
        try:  # members, unpacked bytes and XML elements: openpyxl then holds a bounded workbook
            count_xml(path, LIMITS)
        except PackageLimit:
            raise MarkError("mark-unpacks-too-large", display=display) from None
        except PackageBroken:
            raise zipfile.BadZipFile from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise MarkError("mark-unopenable", display=display, error=type(exc).__name__) from None


def marked_name(path: Path) -> str:
    """自评数据.xlsx -> 自评数据-标注问题.xlsx"""
    return f"{path.stem}-标注问题{path.suffix}"
