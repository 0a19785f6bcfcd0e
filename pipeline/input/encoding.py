"""A CSV file's encoding, decided with evidence: "it decoded" is not evidence.

Excel and WPS save CSV as UTF-8 or as GB18030/GBK. A file that is valid UTF-8 is UTF-8 (GBK text
is almost never valid UTF-8). Otherwise it is read as GB18030 — but UTF-8 bytes are often valid
GB18030 too: a cell pasted as UTF-8 into a GBK file reads 完成目标 as 瀹屾垚鐩爣 and nothing fails.
So each cell of a file read as GB18030 is looked at again: a stretch of it whose bytes are valid
UTF-8 and whose GB18030 reading is implausible Chinese (mostly ideographs outside GB2312's common
level 1, or private-use characters) is that signature, and is reported at the cell, with its UTF-8 reading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

GB18030 = "GB18030"
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")


@dataclass(frozen=True)
class Mixed:
    """A stretch of a cell that is UTF-8 in a file otherwise read as GB18030."""

    as_gb18030: str  # what the cell would print
    as_utf8: str  # what was meant


def _ideograph(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def _private(ch: str) -> bool:
    return "\ue000" <= ch <= "\uf8ff"


def _common(ch: str) -> bool:
    """One of GB2312's 3,755 level-1 ideographs (rows 16-55): nearly all of everyday text."""
    try:
        return 0xB0 <= ch.encode("gb2312")[0] <= 0xD7
    except UnicodeEncodeError:
        return False


def implausible(text: str) -> bool:
    """Text a Chinese writer would not have typed: at least two ideographs or private-use
    characters, at least half of them rare or private-use."""
    chars = [c for c in text if _ideograph(c) or _private(c)]
    rare = [c for c in chars if _private(c) or not _common(c)]
    return len(chars) >= 2 and 2 * len(rare) >= len(chars)


def utf8_inside(cell: str) -> Mixed | None:
    """For a cell read as GB18030: its first stretch of non-ASCII text that is UTF-8 misread."""
    for m in _NON_ASCII_RUN.finditer(cell):
        run = m.group(0)
        try:
            meant = run.encode("gb18030").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if implausible(run):
            return Mixed(run, meant)
    return None


def first_non_utf8_line(raw: bytes) -> int | None:
    """The line (1-based) of the first byte that is not UTF-8: evidence of the other encoding."""
    try:
        raw.decode("utf-8")
        return None
    except UnicodeDecodeError as exc:
        return raw[: exc.start].count(b"\n") + 1


def report_mixed(table, raw: bytes, issues) -> bool:
    """Report every cell of a GB18030-read `table` (csv_file.CsvTable) that holds misread UTF-8;
    True if there was one."""
    if table.encoding != GB18030:
        return False
    line = first_non_utf8_line(raw)
    found = False
    for row in table.rows:
        for col, text in row.values.items():
            mixed = utf8_inside(text)
            if mixed is not None:
                found = True
                issues.report("csv-mixed-encoding", table.loc(row, col), value=text,
                              shown=mixed.as_gb18030, meant=mixed.as_utf8, line=line)
    return found


def undecodable_line(raw: bytes) -> int:
    """Where a file that is neither UTF-8 nor GB18030 stops being GB18030 (1-based line): with
    a UTF-8 cell in a GBK file, the line of that cell."""
    try:
        raw.decode("gb18030")
        return 1
    except UnicodeDecodeError as exc:
        return raw[: exc.start].count(b"\n") + 1
