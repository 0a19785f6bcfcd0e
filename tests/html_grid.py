"""Read the printed tables of the form HTML as grids of merged cells, the way a reader sees them.

`read_html_grid(html)` returns, for each printed table, its origin cells in reading order with
colspan/rowspan, in the same shape as `docx_grid.read_grid` so the two renderers compare cell
by cell. Consecutive <table> elements with nothing printed between them print as one table (the
template gives each goal block its own table, for its repeating header) and are read as one.
A cell of class `joined` has no border above it: it prints as one cell with the cell above and
is read as one (the goal label's merge, split between a goal's header and body). Rows of a
<tfoot class="page-edge"> are a zero-height rule, not cells, and are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

from grid_cell import GridCell, Origin


@dataclass
class _Cell:
    text: str
    rowspan: int
    colspan: int
    joined: bool


@dataclass
class _Table:
    rows: list[list[_Cell]] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.groups: list[list[_Table]] = []
        self.table: _Table | None = None
        self.cell: _Cell | None = None
        self.in_edge = False  # inside <tfoot class="page-edge">
        self.joinable = False  # only whitespace since the last </table>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag == "table":
            self.table = _Table()
            if self.joinable:
                self.groups[-1].append(self.table)
            else:
                self.groups.append([self.table])
        elif self.table is None:
            self.joinable = False
        elif tag == "tfoot" and "page-edge" in classes:
            self.in_edge = True
        elif tag == "tr" and not self.in_edge:
            self.table.rows.append([])
        elif tag in ("td", "th") and not self.in_edge:
            self.cell = _Cell("", int(a.get("rowspan") or 1), int(a.get("colspan") or 1), "joined" in classes)
            self.table.rows[-1].append(self.cell)

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.table = None
            self.joinable = True
        elif tag == "tfoot":
            self.in_edge = False
        elif tag in ("td", "th"):
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.text += data
        elif self.table is None and data.strip():
            self.joinable = False


def _grid(tables: list[_Table]) -> list[GridCell]:
    origins: list[Origin] = []
    owner: dict[tuple[int, int], Origin] = {}  # (row, col) -> the origin cell covering it
    r = 0
    for table in tables:
        for row in table.rows:
            col = 0
            for cell in row:
                while (r, col) in owner:
                    col += 1
                above = owner.get((r - 1, col))
                if cell.joined and above is not None and above.col == col and above.colspan == cell.colspan:
                    above.rowspan += cell.rowspan
                    above.text += cell.text
                    origin = above
                else:
                    origin = Origin(r, col, cell.text, cell.rowspan, cell.colspan)
                    origins.append(origin)
                for rr in range(r, r + cell.rowspan):
                    for cc in range(col, col + cell.colspan):
                        owner[(rr, cc)] = origin
                col += cell.colspan
            r += 1
    return [o.cell() for o in origins]


def read_html_grid(html: str) -> list[list[GridCell]]:
    """For each printed table of the HTML, its origin cells in reading order."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return [_grid(tables) for tables in reader.groups]
