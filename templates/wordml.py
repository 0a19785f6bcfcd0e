"""Raw WordprocessingML for the variants' Word templates (templates/*/build_docx_template.py).

A template script writes its form.docx as XML text because it needs what python-docx cannot
author: cells merged both ways, header rows, hidden paragraph marks, East Asian fonts in styles.
This module holds the pieces every such template shares: runs and paragraphs (including the
ones that carry docxtpl tags), a table on a fixed grid, the base styles, the font table, the
settings and the package parts. A script keeps only its form: page, grid, styles and layout.

Every function returns XML text; the package is deterministic (fixed zip times and order, no
dates in core.xml), so the same script writes the same bytes on every run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from pipeline.render.zipfix import write_package

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


# ---------------------------------------------------------------- fonts


@dataclass(frozen=True)
class Font:
    """A font as the font table describes it, so that Word or WPS without it substitutes a similar one."""

    name: str
    alt: str  # the name of a common substitute, or ""
    panose: str
    charset: str
    family: str
    pitch: str


FANGSONG = Font("仿宋_GB2312", "仿宋", "02010609030101010101", "86", "modern", "fixed")
HEITI = Font("黑体", "SimHei", "02010609060101010101", "86", "modern", "fixed")
XIAOBIAOSONG = Font("方正小标宋简体", "宋体", "02000000000000000000", "86", "auto", "variable")
SEGOE_UI_SYMBOL = Font("Segoe UI Symbol", "", "020B0502040204020203", "00", "swiss", "variable")


def fonts(font: Font) -> str:
    """The same font in every slot: CJK text, Latin digits and symbols all print in it."""
    return f'<w:rFonts w:ascii="{font.name}" w:hAnsi="{font.name}" w:eastAsia="{font.name}" w:cs="{font.name}"/>'


def size(half_points: int) -> str:
    return f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/>'


def font_table_xml(table: Sequence[Font]) -> str:
    entries = []
    for font in table:
        alt = f"<w:altName w:val={quoteattr(font.alt)}/>" if font.alt else ""
        entries.append(
            f"<w:font w:name={quoteattr(font.name)}>{alt}<w:panose1 w:val=\"{font.panose}\"/>"
            f'<w:charset w:val="{font.charset}"/><w:family w:val="{font.family}"/>'
            f'<w:pitch w:val="{font.pitch}"/></w:font>'
        )
    return f'{XML_HEAD}<w:fonts xmlns:w="{W_NS}">{"".join(entries)}</w:fonts>'


# ---------------------------------------------------------------- runs and paragraphs


def run(text: str, style: str | None = None) -> str:
    """A run of literal text, in the character style `style` if given."""
    rpr = f'<w:rPr><w:rStyle w:val="{style}"/></w:rPr>' if style else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def tag_run(tag: str) -> str:
    """A run holding only a template tag (plain <w:t>, so docxtpl drops it once consumed)."""
    return f"<w:r><w:t>{escape(tag)}</w:t></w:r>"


TAB_RUN = "<w:r><w:tab/></w:r>"


def text(expr: str, style: str | None = None) -> str:
    """A run printing one FilledForm value."""
    return run("{{ " + expr + " }}", style)


def merged_down(value: str, vmerge: str) -> str:
    """A cell's runs merged down a run of rows: the text only in the first row of the run.

    `{% vmerge EXPR %}` is a cell tag of pipeline/render/docx.py.
    """
    return tag_run("{% vmerge " + vmerge + " %}") + text(f'"" if {vmerge} == "continue" else {value}')


def para(content: str, style: str, ppr: str = "") -> str:
    """A paragraph of `content` (runs) in `style`; `ppr` adds direct paragraph properties."""
    return f'<w:p><w:pPr><w:pStyle w:val="{style}"/>{ppr}</w:pPr>{content}</w:p>'


def tag_para(tag: str) -> str:
    """A paragraph holding a body-level docxtpl tag ({%p ... %}); it disappears when rendered."""
    return f"<w:p>{tag_run(tag)}</w:p>"


# ---------------------------------------------------------------- styles


# No extra space between CJK and Latin text or digits, and no compressed punctuation (settings): the
# PDF (WeasyPrint) adds and compresses none, and lines must wrap at the same characters.
NO_AUTOSPACE = '<w:autoSpaceDE w:val="0"/><w:autoSpaceDN w:val="0"/>'
NO_SPACE = '<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>'
EXACT_13PT = '<w:spacing w:before="0" w:after="0" w:line="260" w:lineRule="exact"/>'


def para_style(style_id: str, name: str, ppr: str, rpr: str, based_on: str = "Normal") -> str:
    """A custom paragraph style, shown in Word's style list as `name`."""
    return (
        f'<w:style w:type="paragraph" w:customStyle="1" w:styleId="{style_id}">'
        f'<w:name w:val="{name}"/><w:basedOn w:val="{based_on}"/><w:qFormat/>'
        f"<w:pPr>{ppr}</w:pPr><w:rPr>{rpr}</w:rPr></w:style>"
    )


def table_text_styles(font: Font, half_points: int) -> list[str]:
    """TableText (centred, Grid.cell's default) and TableTextLeft, at an exact 13 pt line height."""
    # Exact line height: the table takes the same room whichever font a machine substitutes.
    return [
        para_style("TableText", "Table Text", f'{EXACT_13PT}<w:jc w:val="center"/>', fonts(font) + size(half_points)),
        para_style("TableTextLeft", "Table Text Left", '<w:jc w:val="left"/>', "", based_on="TableText"),
    ]


# Tables printed as one: between them a paragraph 1 pt high whose mark is hidden (Word then draws
# them touching; tests/docx_grid.py reads them as one table).
TABLE_JOIN_STYLE = para_style(
    "TableJoin", "Table Join", '<w:keepNext/><w:spacing w:before="0" w:after="0" w:line="20" w:lineRule="exact"/>',
    "<w:vanish/>" + size(2))
TABLE_JOIN = para("", "TableJoin")


def styles_xml(default_font: Font, default_size: int, styles: Sequence[str]) -> str:
    """word/styles.xml: the defaults and Word's base styles, then the form's own `styles`."""
    base = [
        # Defaults: the form's text font and size, no paragraph spacing, no theme fonts (they would
        # override rFonts).
        "<w:docDefaults><w:rPrDefault><w:rPr>"
        f'{fonts(default_font)}{size(default_size)}<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/>'
        f"</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr>{NO_AUTOSPACE}{NO_SPACE}</w:pPr></w:pPrDefault></w:docDefaults>",
        '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/>'
        f'<w:pPr>{NO_AUTOSPACE}<w:jc w:val="both"/></w:pPr></w:style>',
        '<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont">'
        '<w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/></w:style>',
        '<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/>'
        '<w:uiPriority w:val="99"/><w:semiHidden/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/>'
        '<w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>'
        '<w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>',
    ]
    return f'{XML_HEAD}<w:styles xmlns:w="{W_NS}">{"".join([*base, *styles])}</w:styles>'


# ---------------------------------------------------------------- tables


RULE = 4  # eighths of a point: the form's 0.5 pt rules (the PDF's too)
# Where two tables of a form touch, Word and LibreOffice draw both rules: each is half weight, so
# that the two read as one 0.5 pt rule, as in the PDF. (At a page break the edge keeps a 0.25 pt rule.)
JOIN_RULE = 2


@dataclass(frozen=True)
class Grid:
    """A table layout: fixed column widths (twips, summing to the table's width) and the minimum row height."""

    widths: tuple[int, ...]
    row_height: int

    def cell(self, content: str, cols: tuple[int, int], vmerge: str | None = None, style: str = "TableText",
             ppr: str = "", bottom: int | None = None) -> str:
        """One table cell over grid columns cols[0]..cols[1] (1-based, inclusive).

        `content` is the runs of the cell's single paragraph. vmerge: "restart", "continue" or None.
        `bottom`: the cell's own bottom rule (eighths of a point), over the table's.
        """
        first, last = cols
        width = sum(self.widths[first - 1:last])
        span = last - first + 1
        pr = f'<w:tcW w:w="{width}" w:type="dxa"/>'
        if span > 1:
            pr += f'<w:gridSpan w:val="{span}"/>'
        if vmerge == "restart":
            pr += '<w:vMerge w:val="restart"/>'
        elif vmerge == "continue":
            pr += "<w:vMerge/>"
        if bottom is not None:
            pr += f'<w:tcBorders><w:bottom w:val="single" w:sz="{bottom}" w:space="0" w:color="000000"/></w:tcBorders>'
        pr += '<w:vAlign w:val="center"/>'
        return f"<w:tc><w:tcPr>{pr}</w:tcPr>{para(content, style, ppr)}</w:tc>"

    def row(self, cells: list[str], height: int | None = None, header: bool = False, split: bool = False) -> str:
        """A row at least `height` twips high (the grid's row height by default); `split`: it may
        break across pages."""
        # cantSplit: a row never breaks across pages; tblHeader: repeats at the top of each page.
        pr = "" if split else "<w:cantSplit/>"
        pr += f'<w:trHeight w:val="{self.row_height if height is None else height}" w:hRule="atLeast"/>'
        if header:
            pr += "<w:tblHeader/>"
        return f"<w:tr><w:trPr>{pr}</w:trPr>{''.join(cells)}</w:tr>"

    def tag_row(self, tag: str) -> str:
        """A row holding a row-level docxtpl tag ({%tr ... %}); it disappears when rendered."""
        return self.row([self.cell(tag_run(tag), (1, len(self.widths)))])

    def table(self, rows: list[str], top: int = RULE, bottom: int = RULE) -> str:
        """A centred table with single borders everywhere and a fixed layout (Word keeps the widths).
        `top`/`bottom`: the outer rules' weights; JOIN_RULE where the table touches another."""
        sizes = {"top": top, "bottom": bottom}
        borders = "".join(f'<w:{side} w:val="single" w:sz="{sizes.get(side, RULE)}" w:space="0" w:color="000000"/>'
                          for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
        grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in self.widths)
        return (
            "<w:tbl><w:tblPr>"
            f'<w:tblW w:w="{sum(self.widths)}" w:type="dxa"/><w:jc w:val="center"/>'
            f"<w:tblBorders>{borders}</w:tblBorders>"
            '<w:tblLayout w:type="fixed"/>'
            '<w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar>'
            '<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" w:lastColumn="0"'
            ' w:noHBand="0" w:noVBand="0"/>'
            f"</w:tblPr><w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>"
        )


# ---------------------------------------------------------------- the document


@dataclass(frozen=True)
class Page:
    """Page size, margins and the footer's distance from the foot, in twips; the page number's text."""

    width: int
    height: int
    margin_top: int
    margin_bottom: int
    margin_left: int
    margin_right: int
    footer: int  # from the bottom edge to the foot of the page number's line
    number: tuple[str, str] = ("— ", " —")  # the page number's text before and after the PAGE field

    @classmethod
    def of(cls, settings) -> "Page":
        """The variant's page (pipeline.variant.PageSettings, form.yaml's `page`), as Word measures it."""
        from pipeline.variant import twips

        # The number's line is 13 pt; its baseline sits ~3 pt above the line's foot.
        footer = twips(settings.number_baseline) - 60
        return cls(twips(settings.width), twips(settings.height), twips(settings.top), twips(settings.bottom),
                   twips(settings.left), twips(settings.right), footer, settings.number_parts)

    @property
    def text_width(self) -> int:
        return self.width - self.margin_left - self.margin_right


FOOTER_REL = "rId4"


def document_xml(body: str, page: Page) -> str:
    """word/document.xml: the body's paragraphs and tables in one section of `page`, numbered at its foot."""
    sect = (
        f'<w:sectPr><w:footerReference w:type="default" r:id="{FOOTER_REL}"/>'
        f'<w:pgSz w:w="{page.width}" w:h="{page.height}"/>'
        f'<w:pgMar w:top="{page.margin_top}" w:right="{page.margin_right}" w:bottom="{page.margin_bottom}"'
        f' w:left="{page.margin_left}" w:header="851" w:footer="{page.footer}" w:gutter="0"/>'
        '<w:cols w:space="425"/><w:docGrid w:linePitch="312"/></w:sectPr>'
    )
    return f'{XML_HEAD}<w:document xmlns:w="{W_NS}" xmlns:r="{R_NS}"><w:body>{body}{sect}</w:body></w:document>'


PAGE_NUMBER_STYLE = "PageNumberLine"


def page_number_style(font: Font, half_points: int) -> str:
    """The footer's paragraph: centred, in the PDF's page number font and size."""
    return para_style(PAGE_NUMBER_STYLE, "Page Number Line", f'{EXACT_13PT}<w:jc w:val="center"/>',
                      fonts(font) + size(half_points))


def footer_xml(page: Page) -> str:
    """word/footer1.xml: `— N —` with N a PAGE field, so Word, WPS and LibreOffice number the pages."""
    before, after = page.number
    field = (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        '<w:r><w:t>1</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )
    content = (run(before) if before else "") + field + (run(after) if after else "")
    return f'{XML_HEAD}<w:ftr xmlns:w="{W_NS}" xmlns:r="{R_NS}">{para(content, PAGE_NUMBER_STYLE)}</w:ftr>'


# ---------------------------------------------------------------- the package


def settings_xml() -> str:
    return (
        f'{XML_HEAD}<w:settings xmlns:w="{W_NS}">'
        '<w:defaultTabStop w:val="420"/><w:characterSpacingControl w:val="doNotCompress"/>'
        '<w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word"'
        ' w:val="15"/></w:compat>'
        '<w:themeFontLang w:val="en-US" w:eastAsia="zh-CN"/></w:settings>'
    )


PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CT_WML = "application/vnd.openxmlformats-officedocument.wordprocessingml"


def package_parts(document: str, styles: str, font_table: str, footer: str) -> dict[str, str]:
    """Every part of the .docx by name: the four given ones, the settings, the rels and properties."""
    content_types = (
        f'{XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/word/document.xml" ContentType="{CT_WML}.document.main+xml"/>'
        f'<Override PartName="/word/styles.xml" ContentType="{CT_WML}.styles+xml"/>'
        f'<Override PartName="/word/settings.xml" ContentType="{CT_WML}.settings+xml"/>'
        f'<Override PartName="/word/fontTable.xml" ContentType="{CT_WML}.fontTable+xml"/>'
        f'<Override PartName="/word/footer1.xml" ContentType="{CT_WML}.footer+xml"/>'
        '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
        "</Types>"
    )
    root_rels = (
        f'{XML_HEAD}<Relationships xmlns="{PKG_RELS}">'
        f'<Relationship Id="rId1" Type="{DOC_RELS}/officeDocument" Target="word/document.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
        f'<Relationship Id="rId3" Type="{DOC_RELS}/extended-properties" Target="docProps/app.xml"/>'
        "</Relationships>"
    )
    document_rels = (
        f'{XML_HEAD}<Relationships xmlns="{PKG_RELS}">'
        f'<Relationship Id="rId1" Type="{DOC_RELS}/styles" Target="styles.xml"/>'
        f'<Relationship Id="rId2" Type="{DOC_RELS}/settings" Target="settings.xml"/>'
        f'<Relationship Id="rId3" Type="{DOC_RELS}/fontTable" Target="fontTable.xml"/>'
        f'<Relationship Id="{FOOTER_REL}" Type="{DOC_RELS}/footer" Target="footer1.xml"/>'
        "</Relationships>"
    )
    # No dates: they would make every build differ.
    core = (
        f'{XML_HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/">'
        "<dc:title>项目支出绩效自评表</dc:title><dc:creator>annex</dc:creator></cp:coreProperties>"
    )
    app = (
        f'{XML_HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        "<Application>annex</Application></Properties>"
    )
    return {
        "[Content_Types].xml": content_types,
        "_rels/.rels": root_rels,
        "docProps/core.xml": core,
        "docProps/app.xml": app,
        "word/document.xml": document,
        "word/_rels/document.xml.rels": document_rels,
        "word/styles.xml": styles,
        "word/settings.xml": settings_xml(),
        "word/fontTable.xml": font_table,
        "word/footer1.xml": footer,
    }


def build_package(document: str, styles: str, font_table: str, footer: str) -> bytes:
    """The .docx bytes of the parts (pipeline/render/zipfix.py: fixed member times and order)."""
    parts = package_parts(document, styles, font_table, footer)
    return write_package({name: xml.encode("utf-8") for name, xml in parts.items()})


# ---------------------------------------------------------------- the 项目清单


def summary_styles(text_width: int) -> list[str]:
    """The 项目清单's title (on the form's FormTitle, a level-1 heading: the bundle's first bookmark in
    Word's navigation pane and in a PDF saved from Word) and its unit / money-unit line."""
    return [
        para_style("SummaryTitle", "Summary Title", '<w:keepNext/><w:outlineLvl w:val="0"/>', "", based_on="FormTitle"),
        para_style("SummaryLine", "Summary Line",
                   f'<w:keepNext/><w:tabs><w:tab w:val="right" w:pos="{text_width}"/></w:tabs>'
                   '<w:spacing w:after="60"/><w:jc w:val="left"/>', size(24)),
    ]


def summary_body(grid: Grid) -> str:
    """The 项目清单 (pipeline/form/summary.py) when the context's `summary` is set: title, line and
    table, on `grid` (8 columns; without scoring the renderer scales the first 6 to the full width).
    The forms that follow start on a new page (the template's own condition)."""
    def cell(expr: str, col: int, style: str = "TableText") -> str:
        runs = text(expr) if col <= 6 else tag_run("{% cellif summary.scoring %}") + text(expr)
        return grid.cell(runs, (col, col), style=style)

    fields = ("number", "name", "implementer", "planned", "spent", "rate", "score", "grade")
    table = grid.table([
        grid.row([cell(f"summary.headers[{i}]", i + 1) for i in range(6)]
                 + [cell("summary.headers[6]", 7), cell("summary.headers[7]", 8)], header=True),
        grid.tag_row("{%tr for r in summary.rows %}"),
        grid.row([cell(f"r.{f}", i + 1, "TableTextLeft" if f in ("name", "implementer") else "TableText")
                  for i, f in enumerate(fields)]),
        grid.tag_row("{%tr endfor %}"),
        grid.row([
            grid.cell(text("summary.total.name"), (1, 3)),
            cell("summary.total.planned", 4), cell("summary.total.spent", 5), cell("summary.total.rate", 6),
            cell('""', 7), cell('""', 8),
        ]),
    ])
    return "".join([
        tag_para("{%p if summary %}"),
        para(text("summary.title"), "SummaryTitle"),
        para(text("summary.unit_line") + TAB_RUN + text("summary.money_line"), "SummaryLine"),
        table,
        tag_para("{%p endif %}"),
    ])
