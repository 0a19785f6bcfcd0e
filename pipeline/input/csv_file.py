"""Reading CSV files saved by Excel and WPS: UTF-8 (with or without BOM) or GB18030/GBK."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from pipeline.problems.phrases import CSV_ENCODING, csv_detail, listing, suggestion
from pipeline.problems.records import Issues, Loc
from pipeline.input import encoding as mixed_encoding
from pipeline.input.read_file import read_or_report
from pipeline.input.typos import meant

MAX_CSV_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class CsvRow:
    line: int  # 1-based line of the row in the file
    values: dict[str, str]  # column -> text as written (stripped)


@dataclass(frozen=True)
class CsvTable:
    file: str
    encoding: str
    columns: tuple[str, ...]
    rows: tuple[CsvRow, ...]

    def loc(self, row: CsvRow, column: str) -> Loc:
        col = self.columns.index(column) + 1 if column in self.columns else None
        return Loc(self.file, row.line, col, column)


def decode(raw: bytes) -> tuple[str, str] | None:
    """(text, encoding name) for the encodings Excel and WPS save; None if it is none of them."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None  # UTF-16: Excel's "Unicode text"; the caller says how to save it instead
    if raw.startswith(b"\xef\xbb\xbf"):
        try:
            return raw[3:].decode("utf-8"), "UTF-8 (BOM)"
        except UnicodeDecodeError:
            return None
    try:
        return raw.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030"), "GB18030"
    except UnicodeDecodeError:
        return None


def read_csv(
    path: Path, display: str, required: tuple[str, ...], optional: tuple[str, ...], issues: Issues
) -> CsvTable | None:
    """A CSV file's rows, every problem located at its line: read, decoded, the header checked,
    each row's cells. (Just over 60 lines: the decoding and the header share what they found.)"""
    whole = Loc(display, 1, None)
    raw = read_or_report(path, MAX_CSV_BYTES, whole, issues)
    if raw is None:
        return None
    if b"\0" in raw and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        issues.report("csv-encoding", whole, encoding=CSV_ENCODING["binary"])
        return None
    decoded = decode(raw)
    if decoded is None:
        what = "utf-16" if raw.startswith((b"\xff\xfe", b"\xfe\xff")) else "unknown"
        where = Loc(display, mixed_encoding.undecodable_line(raw), None)  # the line that breaks it
        issues.report("csv-encoding", where, encoding=CSV_ENCODING[what])
        return None
    text, encoding = decoded
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        issues.report("csv-syntax", whole, detail=csv_detail(exc))
        return None
    if not header or not any(h.strip() for h in header):
        issues.report("csv-empty", whole, header=",".join(required))
        return None
    columns = tuple(h.strip() for h in header)
    ok = True
    allowed = set(required) | set(optional)
    for i, col in enumerate(columns):
        if col and col not in allowed:
            issues.report("csv-unknown-column", Loc(display, 1, i + 1, col), col, column=col,
                          suggestion=suggestion(meant(col, [c for c in required + optional if c not in columns])),
                          columns=listing(required + optional))
            ok = False
        if col and columns.index(col) != i:
            issues.report("csv-duplicate-column", Loc(display, 1, i + 1, col), col, column=col)
            ok = False
    for col in required:
        if col not in columns:
            issues.report("csv-missing-column", Loc(display, 1, None, col), col, column=col, header=",".join(required))
            ok = False
    rows: list[CsvRow] = []
    try:
        last = reader.line_num
        for cells in reader:
            line, last = last + 1, reader.line_num  # a record's first line (a quoted newline spans more)
            if not any(c.strip() for c in cells):
                continue  # blank lines Excel leaves at the end
            if len(cells) != len(columns):
                issues.report("csv-ragged-row", Loc(display, line, None), cells=len(cells), columns=len(columns))
                ok = False
                continue
            rows.append(CsvRow(line, {c: v.strip() for c, v in zip(columns, cells) if c}))
    except csv.Error as exc:
        issues.report("csv-syntax", Loc(display, reader.line_num, None), detail=csv_detail(exc))
        return None
    if not ok:
        return None
    table = CsvTable(display, encoding, columns, tuple(rows))
    if mixed_encoding.report_mixed(table, raw, issues):
        return None  # a mixed file is not read at all: no cell of it can be trusted
    return table
