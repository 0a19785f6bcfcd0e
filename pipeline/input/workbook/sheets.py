"""Opening a workbook and reading its sheets as grids of displayed cells, each cell with its place.

openpyxl reads in read-only mode (a streaming parser: 8000 indicator rows in well under a second)
with `data_only=True`, so a formula cell gives the value it last showed. A formula with no cached
value (saved by a program that does not compute) reads as empty there; to tell it from an empty
cell, sheets whose XML holds formulas are read a second time with the formulas.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from pipeline.problems.records import Issues, Loc
from pipeline.input.workbook.cells import Shown, shown
from pipeline.input.workbook.fence import sheet_parts

MAX_WORKBOOK_BYTES = 50 * 1024 * 1024
MAX_UNPACKED_BYTES = 500 * 1024 * 1024  # 1000 projects unpack to ~10 MB
MAX_ROWS = 100_000  # a sheet longer than this is not a year's data (and would take minutes)

# "预算数（万元）" is read as 预算数: staff add the unit to a header.
_HEADER_UNIT = re.compile(r"\s*[（(][^（）()]*[)）]\s*$")


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

    @property
    def whole(self) -> Loc:
        return Loc(self.file, None, None, "", f"{self.name}!A1")


@dataclass
class Book:
    path: Path
    file: str
    sheets: dict[str, Sheet]
    other_sheets: list[str]


def _formula_sheets(path: Path) -> set[str]:
    """The sheet parts (xl/worksheets/sheetN.xml) that hold any formula."""
    out = set()
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                data = z.read(name)
                if b"<f>" in data or b"<f " in data or b"<x:f" in data:
                    out.add(name)
    return out


def open_book(path: Path, display: str, wanted: tuple[str, ...], issues: Issues) -> Book | None:
    """Read the sheets named in `wanted` (the others are listed); None if the file cannot be read."""
    whole = Loc(display)
    size = path.stat().st_size
    if size > MAX_WORKBOOK_BYTES:
        issues.report("workbook-too-large", whole, mb=size // 1024 // 1024)
        return None
    try:
        with zipfile.ZipFile(path) as z:  # a small file can unpack to gigabytes: look before reading
            unpacked = sum(info.file_size for info in z.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        issues.report("workbook-unreadable", whole, reason=type(exc).__name__)
        return None
    if unpacked > MAX_UNPACKED_BYTES:
        issues.report("workbook-too-large", whole, mb=unpacked // 1024 // 1024)
        return None
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign file
        issues.report("workbook-unreadable", whole, reason=type(exc).__name__)
        return None
    try:
        names = [n for n in wb.sheetnames]
        formulas = _formula_sheets(path)
        parts = sheet_parts(path, wb) if formulas else {}
        sheets: dict[str, Sheet] = {}
        other = []
        formula_wb = None
        for title in names:
            key = title.strip()
            if key not in wanted or key in sheets:
                other.append(title)
                continue
            uncached: set[tuple[int, int]] = set()
            part = parts.get(title)
            if part in formulas if part else bool(formulas):  # a sheet of unknown part: read it twice
                if formula_wb is None:
                    formula_wb = load_workbook(path, read_only=True, data_only=False)
                uncached = _formula_cells(formula_wb[title])
            sheets[key] = _read_sheet(wb[title], display, key, uncached)
        if formula_wb is not None:
            formula_wb.close()
    finally:
        wb.close()
    return Book(path, display, sheets, other)


def _formula_cells(ws) -> set[tuple[int, int]]:
    ws.reset_dimensions()
    out = set()
    for r, row in enumerate(ws.iter_rows(), start=1):
        for c, cell in enumerate(row, start=1):
            v = cell.value
            if isinstance(v, str) and v.startswith("=") or type(v).__name__ in ("ArrayFormula", "DataTableFormula"):
                out.add((r, c))
    return out


def header_key(text: str) -> str:
    text = " ".join(text.split())
    return _HEADER_UNIT.sub("", text) or text


def _read_sheet(ws, display: str, name: str, formulas: set[tuple[int, int]]) -> Sheet:
    ws.reset_dimensions()  # some writers record a wrong size; read every row there is
    sheet = Sheet(display, name)
    for r, row in enumerate(ws.iter_rows(), start=1):
        if r > MAX_ROWS:
            break
        cells: dict[int, Cell] = {}
        for c, cell in enumerate(row, start=1):
            value = cell.value
            if value is None and (r, c) not in formulas:
                continue
            fmt = getattr(cell, "number_format", None)
            s = shown(value, fmt)
            uncached = value is None and (r, c) in formulas
            if s is not None or uncached:
                cells[c] = Cell(r, c, s, uncached)
        if r == 1:
            for c, cell in sorted(cells.items()):
                if cell.value is not None:
                    sheet.header_cells.setdefault(header_key(cell.value.text), cell)
            sheet.headers = {k: cell.column for k, cell in sheet.header_cells.items()}
            sheet.header_row = cells
        elif cells:
            sheet.rows.append((r, cells))
    return sheet
