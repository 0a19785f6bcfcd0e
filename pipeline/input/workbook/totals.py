"""A 合计 row typed under the projects: a total, not one more project.

Clerks add a 合计 (总计, 小计) row below the projects, as the bureau's tables have. It is recognised by
a cell reading 合计 (spaces inside ignored), left out of the projects, and its figures are compared
with the sums of the rows above: a figure that differs is a warning at its cell (the build computes
the totals itself).
"""

from __future__ import annotations

from decimal import Decimal

from pydantic_core import PydanticCustomError

from pipeline.problems.records import Issues
from pipeline.input.model import parse_amount
from pipeline.input.workbook.sheets import Cell, Sheet

TOTAL_LABELS = ("合计", "总计", "小计", "总合计")


def is_total_row(cells: dict[int, Cell]) -> bool:
    return any(c.value is not None and not c.value.number and "".join(c.value.text.split()) in TOTAL_LABELS
               for c in cells.values())


def _amount(cell: Cell | None) -> Decimal | None:
    if cell is None or cell.value is None:
        return Decimal(0)
    try:
        return parse_amount(cell.value.plain)
    except PydanticCustomError:
        return None


def check_total(sheet: Sheet, r: int, cells: dict[int, Cell], above: list[dict[int, Cell]],
                columns: list[str], issues: Issues) -> None:
    """Compare each figure of the 合计 row with the sum of the project rows above it."""
    for key in columns:
        col = sheet.headers.get(key)
        if col is None or col not in cells or cells[col].value is None:
            continue
        written = _amount(cells[col])
        parts = [_amount(row.get(col)) for row in above]
        if written is None or any(p is None for p in parts):
            continue  # an unreadable figure is reported where it is
        total = sum(parts, Decimal(0))
        if written != total:
            issues.report("workbook-total-differs", sheet.loc(r, col, key), value=cells[col].value.text,
                          key=key, written=cells[col].value.text, total=format(total, "f"))
