"""Reading CSV files saved by Excel and WPS: UTF-8 (with or without BOM) or GB18030/GBK."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from pipeline.check.problems import Issues, Loc

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
    whole = Loc(display, 1, None)
    raw = path.read_bytes()
    if len(raw) > MAX_CSV_BYTES:
        issues.error("file-too-large", whole, "CSV 文件过大（上限 50 MB）")
        return None
    if b"\0" in raw and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        issues.error("csv-encoding", whole, "这不是文本 CSV 文件（含二进制内容）；请在 Excel 中另存为「CSV UTF-8」")
        return None
    decoded = decode(raw)
    if decoded is None:
        what = "UTF-16 编码" if raw.startswith((b"\xff\xfe", b"\xfe\xff")) else "无法识别的编码（可能混用了多种编码）"
        issues.error(
            "csv-encoding", whole,
            f"CSV 文件是{what}；支持 UTF-8（含 BOM）和 GB18030/GBK。请在 Excel 中「另存为」→「CSV UTF-8（逗号分隔）」",
        )
        return None
    text, encoding = decoded
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        issues.error("csv-syntax", whole, f"CSV 格式错误：{exc}")
        return None
    if not header or not any(h.strip() for h in header):
        issues.error("empty-file", whole, f"CSV 文件是空的；第一行应为表头：{','.join(required)}")
        return None
    columns = tuple(h.strip() for h in header)
    ok = True
    allowed = set(required) | set(optional)
    for i, col in enumerate(columns):
        if col and col not in allowed:
            issues.error(
                "csv-unknown-column", Loc(display, 1, i + 1, col),
                f"未知的列「{col}」；可用的列：{'、'.join(required + optional)}", col,
            )
            ok = False
        if col and columns.index(col) != i:
            issues.error("csv-duplicate-column", Loc(display, 1, i + 1, col), f"列「{col}」出现了两次", col)
            ok = False
    for col in required:
        if col not in columns:
            issues.error("csv-missing-column", Loc(display, 1, None, col), f"缺少列「{col}」；表头应为：{','.join(required)}", col)
            ok = False
    rows: list[CsvRow] = []
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue  # blank lines Excel leaves at the end
            if len(cells) != len(columns):
                issues.error(
                    "csv-ragged-row", Loc(display, line, None),
                    f"这一行有 {len(cells)} 个单元格，表头有 {len(columns)} 列；请检查是否多了或少了逗号",
                )
                ok = False
                continue
            rows.append(CsvRow(line, {c: v.strip() for c, v in zip(columns, cells) if c}))
    except csv.Error as exc:
        issues.error("csv-syntax", Loc(display, reader.line_num, None), f"CSV 格式错误：{exc}")
        return None
    if not ok:
        return None
    return CsvTable(display, encoding, columns, tuple(rows))
