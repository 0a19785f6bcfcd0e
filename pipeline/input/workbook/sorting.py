"""A 指标 sheet that was sorted after its "same as above" cells were left blank.

Blank 项目名称/目标/一级指标/二级指标 cells continue the value above, a habit the README endorses; a sort
(by 三级指标, say) moves the blank cells under other rows, and every one then continues the wrong value:
dozens of errors that never name the cause. The sheet looks sorted when it has such blank cells and
its first data row leaves 一级指标 or 二级指标 blank (nothing above to continue), when one of those
columns is in sorted shape (blank cells last, each value in one run), when blank 一级指标
cells continue a group their 二级指标 is written under nowhere else in the sheet (twice or more: once
is a typo), or when a project's rows are no longer together (a name written, another, then the first
again). Then one error says so, and the sheet's rows are not read (what they would say is noise). A
sheet whose every row is filled sorts safely (load.py groups such rows).
"""

from __future__ import annotations

from pipeline.input.workbook.layout import CONTINUED
from pipeline.input.workbook.sheets import Cell, Sheet


def _written(cells: dict[int, Cell], col: int | None) -> str | None:
    cell = cells.get(col) if col is not None else None
    if cell is None or cell.value is None or not cell.value.text.strip():
        return None
    return cell.value.text.strip()


def looks_sorted(sheet: Sheet) -> bool:
    cols = [sheet.headers.get(k) for k in CONTINUED if k in sheet.headers]
    rows = [cells for _, cells in sheet.rows if any(_written(cells, c) is not None for c in sheet.headers.values())]
    if len(rows) < 2 or not any(_written(cells, c) is None for cells in rows for c in cols):
        return False
    name_col = sheet.headers.get("项目名称")
    levels = [sheet.headers.get(k) for k in ("一级指标", "二级指标") if k in sheet.headers]
    if any(_written(rows[0], c) is None for c in levels):
        return True  # the first row continues a heading from nowhere (a forgotten 项目名称 alone is not this)
    if any(_sorted_by(rows, c) for c in cols):
        return True
    if _groups_broken(sheet, rows) >= 2:
        return True
    seen: list[str] = []
    for cells in rows:
        name = _written(cells, name_col)
        if name is None or (seen and seen[-1] == name):
            continue
        if name in seen:
            return True  # the project's rows were together, and are not
        seen.append(name)
    return False


def _groups_broken(sheet: Sheet, rows: list[dict[int, Cell]]) -> int:
    """Rows whose blank 一级指标 continues a group their own 二级指标 is written under elsewhere in the
    sheet (and never under the continued one): a blank moved away from its group."""
    l1, l2 = sheet.headers.get("一级指标"), sheet.headers.get("二级指标")
    if l1 is None or l2 is None:
        return 0
    homes: dict[str, set[str]] = {}
    for cells in rows:
        a, b = _written(cells, l1), _written(cells, l2)
        if a is not None and b is not None:
            homes.setdefault(b, set()).add(a)
    broken, above = 0, None
    for cells in rows:
        a, b = _written(cells, l1), _written(cells, l2)
        if a is None and above is not None and b is not None and b in homes and above not in homes[b]:
            broken += 1
        above = a if a is not None else above
    return broken


def _sorted_by(rows: list[dict[int, Cell]], col: int | None) -> bool:
    """Sorted by this column, as Excel sorts: its blank cells all last (two or more), and each value in
    one run, some run longer than one (unsorted, a repeat next to itself would have been left blank)."""
    values = [_written(cells, col) for cells in rows]
    written = [v for v in values if v is not None]
    tail = len(values) - len(written)
    if tail < 2 or not written or values[:len(written)] != written:
        return False
    runs = [v for i, v in enumerate(written) if i == 0 or written[i - 1] != v]
    return len(runs) == len(set(runs)) and len(runs) < len(written)
