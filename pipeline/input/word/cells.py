"""A Word table as the user sees it: each cell once, with its text, its columns and its merge.

python-docx's `row.cells` repeats a merged cell in every grid column it spans (and a vertically
merged cell in every row), which makes a hand-made table look as if labels were typed twice. Here
each `<w:tc>` is read once, with the grid columns it covers and whether it continues the cell above
(`vMerge`), and its text is taken the way Word shows it: runs joined, paragraphs and soft breaks as
line breaks, symbol-font characters and content-control check boxes as the marks they display.
"""

from __future__ import annotations

from dataclasses import dataclass

from docx.oxml.ns import qn

W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
_T, _BR, _CR, _TAB, _SYM = qn("w:t"), qn("w:br"), qn("w:cr"), qn("w:tab"), qn("w:sym")
_P, _R, _SDT, _DEL, _INS = qn("w:p"), qn("w:r"), qn("w:sdt"), qn("w:del"), qn("w:ins")
_TYPE, _FONT, _CHAR = qn("w:type"), qn("w:font"), qn("w:char")
_TBL = qn("w:tbl")
_SKIP = frozenset((qn("w:instrText"), qn("w:delText"), qn("w:rPr"), qn("w:pPr")))
_CHECKBOX, _CHECKED = f"{{{W14}}}checkbox", f"{{{W14}}}checked"
_VAL = f"{{{W14}}}val"
_TR, _TC, _TRPR, _TCPR = qn("w:tr"), qn("w:tc"), qn("w:trPr"), qn("w:tcPr")
_GRID_SPAN, _GRID_BEFORE, _VMERGE, _W_VAL = qn("w:gridSpan"), qn("w:gridBefore"), qn("w:vMerge"), qn("w:val")

# Characters of the symbol fonts Word and WPS insert for tick boxes (Insert > Symbol, or a font's
# private-use code F0xx), as the mark they show. Fonts not listed keep their character.
SYMBOL_FONTS: dict[str, dict[int, str]] = {
    "wingdings": {0xFE: "☑", 0xFD: "☒", 0x78: "☒", 0xFC: "✓", 0xFB: "✗", 0x6F: "☐", 0xA8: "☐", 0x71: "☐",
                  0x6E: "■", 0xA7: "■"},
    "wingdings 2": {0x52: "☑", 0x53: "☒", 0x54: "☒", 0x50: "✓", 0x51: "✓", 0xA3: "☐", 0x2A: "☐", 0xA2: "☐",
                    0x4F: "✗"},
    "symbol": {0xD6: "√"},
}


@dataclass(frozen=True)
class Cell:
    text: str  # as Word shows it, trimmed; "\n" between paragraphs and at soft breaks
    col: int  # first grid column
    span: int  # grid columns covered
    continues: bool  # vMerge="continue": the lower part of the cell above
    nested: int = 0  # tables inside the cell: their text is not the cell's (project.py reports them)

    @property
    def end(self) -> int:
        return self.col + self.span


def table_rows(tbl) -> list[list[Cell]]:
    """Every row of a `<w:tbl>` element (as `Document.element.body` holds it) as its distinct
    cells, left to right. Read from the WordprocessingML itself with lxml, not through python-docx's
    table objects: no private attribute (`Table._tbl`) and no oxml class of python-docx is needed."""
    rows = []
    for tr in tbl.iterchildren(_TR):
        col = _grid_before(tr)
        row = []
        for tc in tr.iterchildren(_TC):
            span, continues = _merge(tc)
            row.append(Cell(cell_text(tc), col, span, continues, len(tc.findall(".//" + _TBL))))
            col += span
        rows.append(row)
    return rows


def _merge(tc) -> tuple[int, bool]:
    """The grid columns a cell spans (w:gridSpan, else 1) and whether it continues the cell above
    (w:vMerge with no value, or "continue": the schema's default)."""
    pr = tc.find(_TCPR)
    if pr is None:
        return 1, False
    span = pr.find(_GRID_SPAN)
    vmerge = pr.find(_VMERGE)
    return (_int(span.get(_W_VAL)) if span is not None else 1,
            vmerge is not None and vmerge.get(_W_VAL, "continue") == "continue")


def _int(text: str | None, default: int = 1) -> int:
    try:
        return max(1, int(text or ""))
    except ValueError:
        return default


def _grid_before(tr) -> int:
    pr = tr.find(_TRPR)
    before = pr.find(_GRID_BEFORE) if pr is not None else None
    if before is None:
        return 0
    try:
        return max(0, int(before.get(_W_VAL, "0")))
    except ValueError:
        return 0


def cell_text(tc) -> str:
    """The cell's own paragraphs: those of a table nested in it are not its text (a nested table's
    cells joined into one string once became a project's name, silently)."""
    paragraphs = [paragraph_text(p) for p in tc.iter(_P) if _own(p, tc)]
    return "\n".join(paragraphs).strip()


def _own(p, tc) -> bool:
    """`p` belongs to `tc` itself, not to a cell of a table nested in it."""
    for ancestor in p.iterancestors(_TC):
        return ancestor is tc
    return True


def paragraph_text(p) -> str:
    """A paragraph's text as displayed: deleted revisions and field instructions left out."""
    out: list[str] = []
    _collect(p, out)
    return "".join(out)


def _collect(el, out: list[str]) -> None:
    for child in el:
        tag = child.tag
        if tag == _DEL or tag == _P:  # a deleted revision; a nested table's paragraphs come separately
            continue
        if tag == _T:
            out.append(child.text or "")
        elif tag == _BR:
            if child.get(_TYPE) in (None, "textWrapping"):
                out.append("\n")
        elif tag == _CR:
            out.append("\n")
        elif tag == _TAB:
            out.append("\t")
        elif tag == _SYM:
            out.append(symbol_char(child.get(_FONT) or "", child.get(_CHAR) or ""))
        elif tag == _SDT and _checkbox_state(child) is not None:
            out.append("☑" if _checkbox_state(child) else "☐")
        elif tag in _SKIP:
            continue
        elif tag == _R and _run_font(child):
            inner: list[str] = []
            _collect(child, inner)
            out.append(map_symbol_text(_run_font(child), "".join(inner)))
        else:
            _collect(child, out)


def _run_font(r) -> str:
    """The run's font when it is a symbol font (WPS types a tick as `þ` in Wingdings), else ""."""
    rpr = r.find(qn("w:rPr"))
    fonts = rpr.find(qn("w:rFonts")) if rpr is not None else None
    if fonts is None:
        return ""
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        name = (fonts.get(qn(attr)) or "").strip().lower()
        if name in SYMBOL_FONTS:
            return name
    return ""


def _checkbox_state(sdt) -> bool | None:
    """A content-control check box (w14:checkbox): its state, not the glyph it happens to show."""
    pr = sdt.find(qn("w:sdtPr"))
    box = pr.find(_CHECKBOX) if pr is not None else None
    if box is None:
        return None
    checked = box.find(_CHECKED)
    return checked is not None and checked.get(_VAL, "1") in ("1", "true", "on")


def symbol_char(font: str, code: str) -> str:
    """A `w:sym` character: F0xx is the font's private-use copy of code xx."""
    try:
        n = int(code, 16)
    except ValueError:
        return ""
    low = n - 0xF000 if 0xF000 <= n <= 0xF0FF else n
    mapped = SYMBOL_FONTS.get(font.strip().lower(), {}).get(low)
    return mapped if mapped else chr(n)


def map_symbol_text(font: str, text: str) -> str:
    """Text typed in a symbol font (a run whose font is Wingdings) as the marks it shows."""
    table = SYMBOL_FONTS.get(font.strip().lower())
    if not table:
        return text
    return "".join(table.get(ord(c) - 0xF000 if 0xF000 <= ord(c) <= 0xF0FF else ord(c), c) for c in text)
