"""Opening a workbook and reading its sheets as grids of displayed cells, each cell with its place.

The package is read through the shared zip guard (pipeline/files/zipguard.py) and each sheet's XML is
streamed cell by cell: the work is bounded by the cells present (a row holding one cell at column
XFD is one cell, not 16,384), by the rows and cells a year's data can have, and every cell is read
on its own, so a cell that cannot be read (`t="n"` holding `abc`, a bad date, an undefined number
format) is an error at that cell and the rest of the sheet is still read. A formula's cached value
is what the cell shows; a formula without one (saved by a program that does not compute) is marked.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl.styles.numbers import is_date_format
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel

from pipeline.problems.phrases import CELL_FAULT, LIMIT_COUNT, PACKAGE_LIMIT
from pipeline.problems.records import Issues, Loc
from pipeline.input.workbook.cells import Shown, shown
from pipeline.input.workbook.parts import Parts, SheetEntry, read_parts
from pipeline.files.zipguard import Limits, Package, PackageBroken, PackageLimit, local, open_package

MAX_WORKBOOK_BYTES = 50 * 1024 * 1024
# 1000 projects unpack to ~10 MB and ~1.5 million XML elements.
LIMITS = Limits(members=10_000, unpacked=200 * 1024 * 1024, elements=20_000_000)
MAX_UNPACKED_BYTES = LIMITS.unpacked  # for a quick look before the guard (uploads, the marked copy)
MAX_ROWS = 100_000  # a sheet longer than this is not a year's data (and would take minutes)
MAX_CELLS = 500_000  # cells holding a value, over the sheets read: 8000 indicator rows are ~80,000
MAX_COLUMN = 16_384  # XFD

# "预算数（万元）" is read as 预算数: staff add the unit to a header.
_HEADER_UNIT = re.compile(r"\s*[（(][^（）()]*[)）]\s*$")
_REF = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?")


@dataclass(frozen=True)
class Cell:
    row: int
    column: int
    value: Shown | None  # None: empty
    uncached: bool = False  # a formula whose value was never computed

    @property
    def ref(self) -> str:
        return f"{get_column_letter(self.column)}{self.row}"


@dataclass
class Sheet:
    """One sheet: its header (text -> column) and its data rows (row number -> cells by column)."""

    file: str  # the workbook as messages name it
    name: str
    headers: dict[str, int] = field(default_factory=dict)
    header_cells: dict[str, Cell] = field(default_factory=dict)  # first cell of each header text
    header_row: dict[int, Cell] = field(default_factory=dict)  # every cell of row 1
    rows: list[tuple[int, dict[int, Cell]]] = field(default_factory=list)
    broken_rows: set[int] = field(default_factory=set)  # rows with a cell that could not be read

    def loc(self, row: int, column: int | None, key: str) -> Loc:
        if column is None:
            return Loc(self.file, row, None, key, f"{self.name}!{row}:{row}")
        return Loc(self.file, row, column, key, f"{self.name}!{get_column_letter(column)}{row}")

    def header_loc(self, key: str) -> Loc:
        col = self.headers.get(key)
        return self.loc(1, col, key) if col else Loc(self.file, 1, None, key, f"{self.name}!1:1")

    def header_text(self, column: int) -> str:
        cell = self.header_row.get(column)
        return header_key(cell.value.text) if cell is not None and cell.value is not None else ""

    @property
    def whole(self) -> Loc:
        return Loc(self.file, None, None, "", f"{self.name}!A1")


@dataclass
class Book:
    path: Path
    file: str
    sheets: dict[str, Sheet]
    other_sheets: list[str]


def header_key(text: str) -> str:
    text = " ".join(text.split())
    return _HEADER_UNIT.sub("", text) or text


def open_book(path: Path, display: str, wanted: tuple[str, ...], issues: Issues) -> Book | None:
    """Read the sheets named in `wanted` (the others are listed); None if the file cannot be read."""
    whole = Loc(display)
    size = path.stat().st_size
    if size > MAX_WORKBOOK_BYTES:
        issues.report("workbook-too-large", whole, mb=size // 1024 // 1024)
        return None
    sheets: dict[str, Sheet] = {}
    other: list[str] = []
    try:
        with open_package(path, LIMITS) as pkg:
            parts = read_parts(pkg)
            budget = _Budget()
            for entry in parts.sheets:
                key = entry.title.strip()
                if key not in wanted or key in sheets or entry.part is None:
                    other.append(entry.title)
                    continue
                sheets[key] = _read_sheet(pkg, parts, entry, display, key, budget, issues)
    except PackageLimit as exc:
        issues.report("workbook-over-limit", whole, what=exc.what, limit=exc.limit)
        return None
    except PackageBroken as exc:
        issues.report("workbook-unreadable", whole, reason=str(exc))
        return None
    return Book(path, display, sheets, other)


@dataclass
class _Budget:
    cells: int = 0

    def take(self) -> None:
        self.cells += 1
        if self.cells > MAX_CELLS:
            raise PackageLimit(PACKAGE_LIMIT["cells"], LIMIT_COUNT.format(n=MAX_CELLS))


class _Unreadable(Exception):
    """A cell's XML that no spreadsheet program would write: the reason, in Chinese."""


@dataclass
class _Hidden:
    rows: list[int] = field(default_factory=list)  # hidden rows holding a value
    columns: list[tuple[int, int]] = field(default_factory=list)  # hidden column ranges
    used_columns: set[int] = field(default_factory=set)


def _read_sheet(pkg: Package, parts: Parts, entry: SheetEntry, display: str, name: str, budget: _Budget,
                issues: Issues) -> Sheet:
    sheet = Sheet(display, name)
    hidden = _Hidden()
    row_no, col_no, row_hidden = 0, 0, False
    cells: dict[int, Cell] = {}
    for event, elem in pkg.iterparse(entry.part):
        tag = local(elem.tag)
        if event == "start":
            if tag == "row":
                r = elem.get("r") or ""
                row_no = int(r) if r.isdigit() else row_no + 1
                col_no, cells = 0, {}
                row_hidden = (elem.get("hidden") or "").lower() in ("1", "true")
            continue
        if tag == "c":
            row, col_no = _position(elem.get("r"), row_no, col_no)
            if row > MAX_ROWS or col_no > MAX_COLUMN:
                elem.clear(keep_tail=False)
                continue
            try:
                cell = _cell(elem, row, col_no, parts)
            except _Unreadable as exc:
                issues.report("workbook-cell-unreadable", sheet.loc(row, col_no, sheet.header_text(col_no)),
                              reason=str(exc))
                sheet.broken_rows.add(row)
                cell = None
            elem.clear(keep_tail=False)
            if cell is not None:
                budget.take()
                cells[col_no] = cell
                hidden.used_columns.add(col_no)
        elif tag == "row":
            if row_no > MAX_ROWS:
                break
            _add_row(sheet, row_no, cells)
            if row_hidden and cells:
                hidden.rows.append(row_no)
            _drop(elem)
        elif tag == "col" and (elem.get("hidden") or "").lower() in ("1", "true"):
            lo, hi = elem.get("min") or "", elem.get("max") or ""
            if lo.isdigit() and hi.isdigit():
                hidden.columns.append((int(lo), min(int(hi), MAX_COLUMN)))
    _report_hidden(sheet, entry, hidden, issues)
    return sheet


def _drop(elem) -> None:
    """Free a finished element and the siblings before it: memory stays one row."""
    elem.clear(keep_tail=False)
    parent = elem.getparent()
    if parent is not None:
        while elem.getprevious() is not None:
            del parent[0]


def _position(ref: str | None, row_no: int, col_no: int) -> tuple[int, int]:
    m = _REF.fullmatch(ref or "")
    if m is None:
        return row_no, col_no + 1  # no reference: the next cell of the row, as Excel reads it
    return int(m.group(2)), column_index_from_string(m.group(1))


def _add_row(sheet: Sheet, r: int, cells: dict[int, Cell]) -> None:
    if r == 1:
        for c, cell in sorted(cells.items()):
            if cell.value is not None:
                sheet.header_cells.setdefault(header_key(cell.value.text), cell)
        sheet.headers = {k: cell.column for k, cell in sheet.header_cells.items()}
        sheet.header_row = cells
    elif cells:
        sheet.rows.append((r, cells))


# --- one cell ---------------------------------------------------------------------------------------

def _cell(elem, row: int, col: int, parts: Parts) -> Cell | None:
    kind = elem.get("t") or "n"
    v: str | None = None
    formula = False
    inline: list[str] = []
    for child in elem:
        name = local(child.tag)
        if name == "v":
            v = child.text or ""
        elif name == "f":
            formula = True
        elif name == "is":
            inline += [t.text or "" for t in child.iter() if local(t.tag) == "t"
                       and not any(local(a.tag) == "rPh" for a in t.iterancestors())]
    if kind == "inlineStr":
        value: object = "".join(inline)
    elif v is None or v == "" and kind not in ("str", "s"):  # <v></v>: nothing cached (a formula) or empty
        return Cell(row, col, None, True) if formula else None
    else:
        value = _value(kind, v, parts)
    fmt, known = _format(elem.get("s"), parts)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and fmt and is_date_format(fmt):
        try:
            value = from_excel(value, MAC_EPOCH if parts.date1904 else WINDOWS_EPOCH)
        except (ValueError, OverflowError, TypeError):
            raise _Unreadable(CELL_FAULT["date-range"].format(v=_short(v))) from None
    try:
        s = shown(value, fmt if known else "General")
    except (ValueError, ArithmeticError, OverflowError, IndexError) as exc:
        raise _Unreadable(CELL_FAULT["format"].format(fmt=fmt, error=type(exc).__name__)) from None
    if s is not None and not known and s.number:
        s = dataclasses.replace(s, exact=False)  # an undefined format: read as 常规, and said
    return Cell(row, col, s) if s is not None else None


def _short(text: str) -> str:
    return text if len(text) <= 20 else text[:20] + "…"


def _value(kind: str, v: str, parts: Parts) -> object:
    if kind == "n":
        return _number(v)
    if kind == "s":
        if not v.strip().isdigit() or int(v) >= len(parts.shared):
            raise _Unreadable(CELL_FAULT["shared"].format(v=_short(v)))
        return parts.shared[int(v)]
    if kind in ("str", "e"):
        return v  # a formula's text, or an error value such as #N/A
    if kind == "b":
        if v.strip() not in ("0", "1"):
            raise _Unreadable(CELL_FAULT["boolean"].format(v=_short(v)))
        return v.strip() == "1"
    if kind == "d":
        try:
            day = dt.datetime.fromisoformat(v.strip())
        except ValueError:
            raise _Unreadable(CELL_FAULT["date"].format(v=_short(v))) from None
        return day.date() if len(v.strip()) <= 10 else day
    raise _Unreadable(CELL_FAULT["type"].format(v=_short(kind)))


def _number(v: str) -> int | float:
    text = v.strip()
    if len(text) > 40 or not _NUMBER.fullmatch(text):
        raise _Unreadable(CELL_FAULT["number"].format(v=_short(text)))
    if re.fullmatch(r"[+-]?[0-9]+", text) and len(text.lstrip("+-")) <= 15:
        return int(text)
    number = float(text)
    if not math.isfinite(number):
        raise _Unreadable(CELL_FAULT["number-range"].format(v=_short(text)))
    return number


def _format(style: str | None, parts: Parts) -> tuple[str | None, bool]:
    """The number format of a style index; (None, False) when the file does not define it."""
    if style is None or style == "":
        return "General", True
    if not style.isdigit():
        return None, False
    index = int(style)
    if index >= len(parts.formats):
        return (None, False) if parts.formats or index else ("General", True)
    fmt = parts.formats[index]
    return (fmt, True) if fmt is not None else (None, False)


# --- what is there but not seen -----------------------------------------------------------------------

def _ranges(numbers: list[int]) -> str:
    out, start, prev = [], None, None
    for n in sorted(numbers) + [None]:
        if start is not None and (n is None or n != prev + 1):
            out.append(str(start) if start == prev else f"{start}–{prev}")
            start = None
        if n is not None and start is None:
            start = n
        prev = n
    return "、".join(out)


def _report_hidden(sheet: Sheet, entry: SheetEntry, hidden: _Hidden, issues: Issues) -> None:
    """Values annex reads that a person looking at the sheet does not see: each a warning naming them."""
    if entry.state != "visible":
        issues.report("workbook-hidden", sheet.whole, what=f"工作表「{sheet.name}」")
    if hidden.rows:
        issues.report("workbook-hidden", sheet.loc(hidden.rows[0], None, ""),
                      what=f"工作表「{sheet.name}」的第 {_ranges(hidden.rows)} 行")
    cols = sorted(c for c in hidden.used_columns if any(lo <= c <= hi for lo, hi in hidden.columns))
    if cols:
        letters = "、".join(get_column_letter(c) for c in cols[:20]) + ("…" if len(cols) > 20 else "")
        issues.report("workbook-hidden", sheet.loc(1, cols[0], sheet.header_text(cols[0])),
                      what=f"工作表「{sheet.name}」的 {letters} 列")
