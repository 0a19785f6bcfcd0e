"""A printed table as the tests compare it: its origin cells in reading order, merges as spans.

Both readers (docx_grid.read_grid, html_grid.read_html_grid) return lists of GridCell, so the
Word and the HTML tables compare with each other and with a spec's expected cells.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GridCell:
    row: int  # 0-based, in the joined table
    col: int  # 0-based grid column
    text: str  # paragraphs and line breaks as "\n" (Word: <w:tab/> as "\t")
    rowspan: int = 1
    colspan: int = 1


@dataclass
class Origin:
    """A cell while a reader reads on: a merge found further down grows its rowspan (or its text)."""

    row: int
    col: int
    text: str
    rowspan: int
    colspan: int

    def cell(self) -> GridCell:
        return GridCell(self.row, self.col, self.text, self.rowspan, self.colspan)


def as_rows(cells: list[GridCell]) -> list[list[GridCell]]:
    """The origin cells grouped by the row they start in (for readable test failures)."""
    rows: list[list[GridCell]] = []
    for c in cells:
        while len(rows) <= c.row:
            rows.append([])
        rows[c.row].append(c)
    return rows


def assert_same_cells(actual: list[GridCell], expected: list[GridCell], key: str) -> None:
    """actual == expected, failing at the first differing row of table `key`."""
    for i, (a, e) in enumerate(zip(as_rows(actual), as_rows(expected))):
        assert a == e, f"{key}: row {i}"
    assert actual == expected
