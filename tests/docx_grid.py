"""Read the printed tables of a .docx as grids of merged cells, the way a reader sees them.

`read_grid(docx)` returns, for each printed table, its origin cells in reading order, with
horizontal (gridSpan) and vertical (vMerge) merges resolved into colspan/rowspan; covered cells
do not appear. Tables separated only by empty paragraphs print as one table (the Word template
joins one table per goal that way) and are read as one. Comparable with an HTML table's cells.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from lxml import etree

from grid_cell import GridCell, Origin

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _text(el: etree._Element) -> str:
    """The visible text of a cell, a paragraph or a run."""
    paragraphs = []
    for p in el.iter(W + "p"):
        parts = []
        for node in p.iter(W + "t", W + "br", W + "cr", W + "tab"):
            if node.tag == W + "t":
                parts.append(node.text or "")
            elif node.tag == W + "tab":
                parts.append("\t")
            elif node.get(W + "type") in (None, "textWrapping"):
                parts.append("\n")
        paragraphs.append("".join(parts))
    return "\n".join(paragraphs)


def _int_prop(parent: etree._Element | None, tag: str, default: int) -> int:
    el = parent.find(W + tag) if parent is not None else None
    return int(el.get(W + "val")) if el is not None else default


def _read_rows(tables: list[etree._Element]) -> list[GridCell]:
    origins: list[Origin] = []
    open_above: dict[int, Origin] = {}  # grid column -> the origin cell a vMerge continue extends
    row_index = 0
    for tbl in tables:
        for tr in tbl.findall(W + "tr"):
            col = _int_prop(tr.find(W + "trPr"), "gridBefore", 0)
            for tc in tr.findall(W + "tc"):
                tcpr = tc.find(W + "tcPr")
                span = _int_prop(tcpr, "gridSpan", 1)
                vmerge = tcpr.find(W + "vMerge") if tcpr is not None else None
                above = open_above.get(col)
                if vmerge is not None and vmerge.get(W + "val") in (None, "continue") and above is not None \
                        and above.colspan == span and above.row + above.rowspan == row_index:
                    above.rowspan += 1
                else:
                    origin = Origin(row_index, col, _text(tc), 1, span)
                    origins.append(origin)
                    open_above[col] = origin
                col += span
            row_index += 1
    return [o.cell() for o in origins]


def body(source: str | Path | bytes) -> etree._Element:
    """The <w:body> of the document (path or bytes)."""
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        root = etree.fromstring(z.read("word/document.xml"))
    return root.find(W + "body")


def read_grid(source: str | Path | bytes) -> list[list[GridCell]]:
    """For each printed table of the document (path or bytes), its origin cells in reading order."""
    groups: list[list[etree._Element]] = []
    joinable = False  # True while only empty paragraphs followed the last table
    for el in body(source):
        if el.tag == W + "tbl":
            if joinable:
                groups[-1].append(el)
            else:
                groups.append([el])
            joinable = True
        elif el.tag == W + "p":
            joinable = joinable and not _text(el).strip()
        elif el.tag != W + "sectPr":
            joinable = False
    return [_read_rows(tables) for tables in groups]


def covered_texts(source: str | Path | bytes) -> list[str]:
    """Texts left in cells that a vertical merge covers (Word hides them, LibreOffice may not)."""
    out = []
    for tc in body(source).iter(W + "tc"):
        vmerge = tc.find(f"{W}tcPr/{W}vMerge")
        if vmerge is not None and vmerge.get(W + "val") in (None, "continue") and _text(tc).strip():
            out.append(_text(tc))
    return out
