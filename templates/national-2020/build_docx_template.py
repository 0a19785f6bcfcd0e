"""Build form.docx: the Word (docxtpl) template of the national-2020 form (财预〔2020〕10号).

    .venv/bin/python templates/national-2020/build_docx_template.py

Written as raw WordprocessingML, like templates/hubei-2023/build_docx_template.py (whose small XML
helpers are copied here: a variant is a folder, and one variant's script must not import
another's). The output is deterministic; tests/test_national.py checks that the committed form.docx
is what this script writes, so a change made in Word must be ported here too.

Every printed text comes from the FilledForm (`forms`, a list), never from this file. Cell tags of
pipeline/render/docx.py used here: `{% vmerge EXPR %}` (merge a cell down a run of rows).

Layout (form-national-2020.md), on a 9-column grid:
  c1 block label · c2 一级 · c3 二级 · c4 三级 · c5 年度指标值 · c6 实际完成值 · c7 分值 · c8 得分 ·
  c9 偏差原因分析及改进措施.
- The funds block puts its row label over c2–c3, then 年初预算数 … 得分 in c4–c9.
- Two tables joined by an empty hidden 1 pt paragraph, printed as one: the head (project, units,
  funds, overall goal) and the indicator block, whose first row (绩效指标 · the 8 headers) is a
  repeating header row; it also ends with the 总分 row. The scoring is always on in this form.
"""

from __future__ import annotations

import sys
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))  # the repo root, for `pipeline` without an install

from pipeline.render.zipfix import write_package  # noqa: E402

OUT = HERE / "form.docx"

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

# A4 portrait, margins 2 cm (1.9 cm at the bottom), as the hubei-2023 form.
PAGE_W, PAGE_H = 11906, 16838
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_SIDE = 1134, 1077, 1134
TEXT_W = PAGE_W - 2 * MARGIN_SIDE  # 9638 twips
# Twips, summing to TEXT_W. At 五号 (210 twips a character, 114 of cell margins): c1/c2 hold four
# characters a line (项目名称, 产出指标), c3–c6 five (年初预算数, 年度指标值, 实际完成值), c7 two
# (分值, 100), c8 a rate (84.77%, also in a substitute font's wider digits); c9 the rest.
GRID = (960, 960, 1170, 1200, 1180, 1180, 600, 920, 1468)
NCOLS = len(GRID)
ROW_H = 312  # 0.55 cm minimum row height
TEXT_ROW_H = 850  # 1.5 cm for the overall goal's texts

FANGSONG = "仿宋_GB2312"
XIAOBIAOSONG = "方正小标宋简体"


# ---------------------------------------------------------------- WordprocessingML helpers


def fonts(name: str) -> str:
    """The same font in every slot: CJK text, Latin digits and symbols all print in it."""
    return f'<w:rFonts w:ascii="{name}" w:hAnsi="{name}" w:eastAsia="{name}" w:cs="{name}"/>'


def run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def tag_run(tag: str) -> str:
    """A run holding only a template tag (plain <w:t>, so docxtpl drops it once consumed)."""
    return f"<w:r><w:t>{escape(tag)}</w:t></w:r>"


def para(content: str, style: str, ppr: str = "") -> str:
    return f'<w:p><w:pPr><w:pStyle w:val="{style}"/>{ppr}</w:pPr>{content}</w:p>'


def tag_para(tag: str) -> str:
    """A paragraph holding a body-level docxtpl tag ({%p ... %}); it disappears when rendered."""
    return f"<w:p>{tag_run(tag)}</w:p>"


def cell(content: str, cols: tuple[int, int], vmerge: str | None = None, style: str = "TableText",
         ppr: str = "") -> str:
    """One table cell over grid columns cols[0]..cols[1] (1-based, inclusive).

    `content` is the runs of the cell's single paragraph. vmerge: "restart", "continue" or None.
    """
    first, last = cols
    width = sum(GRID[first - 1:last])
    span = last - first + 1
    pr = f'<w:tcW w:w="{width}" w:type="dxa"/>'
    if span > 1:
        pr += f'<w:gridSpan w:val="{span}"/>'
    if vmerge == "restart":
        pr += '<w:vMerge w:val="restart"/>'
    elif vmerge == "continue":
        pr += "<w:vMerge/>"
    pr += '<w:vAlign w:val="center"/>'
    return f"<w:tc><w:tcPr>{pr}</w:tcPr>{para(content, style, ppr)}</w:tc>"


def row(cells: list[str], height: int = ROW_H, header: bool = False) -> str:
    # cantSplit: a row never breaks across pages; tblHeader: repeats at the top of each page.
    pr = f'<w:cantSplit/><w:trHeight w:val="{height}" w:hRule="atLeast"/>'
    if header:
        pr += "<w:tblHeader/>"
    return f"<w:tr><w:trPr>{pr}</w:trPr>{''.join(cells)}</w:tr>"


def tag_row(tag: str) -> str:
    """A row holding a row-level docxtpl tag ({%tr ... %}); it disappears when rendered."""
    return row([cell(tag_run(tag), (1, NCOLS))])


def table(rows: list[str]) -> str:
    border = 'w:val="single" w:sz="4" w:space="0" w:color="000000"'
    borders = "".join(f"<w:{side} {border}/>" for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in GRID)
    return (
        "<w:tbl><w:tblPr>"
        f'<w:tblW w:w="{TEXT_W}" w:type="dxa"/><w:jc w:val="center"/>'
        f"<w:tblBorders>{borders}</w:tblBorders>"
        '<w:tblLayout w:type="fixed"/>'
        '<w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar>'
        '<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" w:lastColumn="0"'
        ' w:noHBand="0" w:noVBand="0"/>'
        f"</w:tblPr><w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>"
    )


def text(expr: str) -> str:
    """A run printing one FilledForm value."""
    return run("{{ " + expr + " }}")


def merged_down(value: str, vmerge: str) -> str:
    """A cell's runs merged down a run of rows: the text only in the first row of the run."""
    return tag_run("{% vmerge " + vmerge + " %}") + text(f'"" if {vmerge} == "continue" else {value}')


# ---------------------------------------------------------------- the form


def head_table() -> str:
    """项目名称, 主管部门/实施单位, 项目资金 (5 rows), 年度总体目标 (2 rows)."""
    fund_headers = ("initial", "planned", "spent", "weight", "rate", "score")
    fund_values = ("f.initial", "f.planned", "f.spent", "f.weight", "f.rate", "f.score")
    return table([
        row([
            cell(text("form.labels.project_name"), (1, 1)),
            cell(text("form.project_name"), (2, 9)),
        ]),
        row([
            cell(text("form.labels.department"), (1, 1)),
            cell(text("form.department"), (2, 4)),
            cell(text("form.labels.implementer"), (5, 5)),
            cell(text("form.implementer"), (6, 9)),
        ]),
        row([
            cell(text("form.labels.funds"), (1, 1), vmerge="restart"),
            cell("", (2, 3)),
            *(cell(text(f"form.labels.{k}"), (c, c)) for c, k in enumerate(fund_headers, start=4)),
        ]),
        tag_row("{%tr for f in form.funds %}"),
        row([
            cell("", (1, 1), vmerge="continue"),
            cell(text("f.label"), (2, 3)),
            *(cell(text(v), (c, c)) for c, v in enumerate(fund_values, start=4)),
        ]),
        tag_row("{%tr endfor %}"),
        row([
            cell(text("form.labels.overall_goal"), (1, 1), vmerge="restart"),
            cell(text("form.labels.expected"), (2, 5)),
            cell(text("form.labels.achieved"), (6, 9)),
        ]),
        row([
            cell("", (1, 1), vmerge="continue"),
            cell(text("form.overall_goal.expected"), (2, 5), style="TableTextLeft"),
            cell(text("form.overall_goal.achieved"), (6, 9), style="TableTextLeft"),
        ], height=TEXT_ROW_H),
    ])


def indicator_table() -> str:
    """绩效指标: the header row (repeated on each page), every goal's rows, then 总分."""
    # keepNext: the header row never stays alone at the foot of a page.
    keep = "<w:keepNext/>"
    headers = [cell(text(f"form.indicator_headers[{i}]"), (i + 2, i + 2), ppr=keep) for i in range(8)]
    return table([
        row([cell(text("form.labels.indicators"), (1, 1), vmerge="restart", ppr=keep), *headers], header=True),
        tag_row("{%tr for goal in form.goals %}"),
        tag_row("{%tr for r in goal.rows %}"),
        row([
            cell("", (1, 1), vmerge="continue"),
            cell(merged_down("r.level1", "r.level1_vmerge"), (2, 2)),
            cell(merged_down("r.level2", "r.level2_vmerge"), (3, 3)),
            cell(text("r.level3"), (4, 4), style="TableTextLeft"),
            cell(text("r.target"), (5, 5), style="TableTextLeft"),
            cell(text("r.actual"), (6, 6), style="TableTextLeft"),
            cell(text("r.weight"), (7, 7)),
            cell(text("r.score"), (8, 8)),
            cell(text("r.remark"), (9, 9), style="TableTextLeft"),
        ]),
        tag_row("{%tr endfor %}"),
        tag_row("{%tr endfor %}"),
        row([
            cell(text("form.total.label"), (1, 6)),
            cell(text("form.total.weight"), (7, 7)),
            cell(text("form.total.score"), (8, 8)),
            cell("", (9, 9)),
        ]),
    ])


def body() -> str:
    return "".join([
        tag_para("{%p for form in forms %}"),
        # Each form on a new page: the break goes before every form's title but the first.
        tag_para("{%p if loop.first %}"),
        para(text("form.title"), "FormTitle"),
        tag_para("{%p else %}"),
        para(text("form.title"), "FormTitle", "<w:pageBreakBefore/>"),
        tag_para("{%p endif %}"),
        para(text("form.subtitle"), "FormSubtitle"),
        head_table(),
        para("", "TableJoin"),
        indicator_table(),
        tag_para("{%p endfor %}"),
    ])


def document_xml() -> str:
    sect = (
        f'<w:sectPr><w:pgSz w:w="{PAGE_W}" w:h="{PAGE_H}"/>'
        f'<w:pgMar w:top="{MARGIN_TOP}" w:right="{MARGIN_SIDE}" w:bottom="{MARGIN_BOTTOM}" w:left="{MARGIN_SIDE}"'
        ' w:header="851" w:footer="851" w:gutter="0"/>'
        '<w:cols w:space="425"/><w:docGrid w:linePitch="312"/></w:sectPr>'
    )
    return f'{XML_HEAD}<w:document xmlns:w="{W_NS}" xmlns:r="{R_NS}"><w:body>{body()}{sect}</w:body></w:document>'


# ---------------------------------------------------------------- styles and package


def para_style(style_id: str, name: str, ppr: str, rpr: str, based_on: str = "Normal") -> str:
    return (
        f'<w:style w:type="paragraph" w:customStyle="1" w:styleId="{style_id}">'
        f'<w:name w:val="{name}"/><w:basedOn w:val="{based_on}"/><w:qFormat/>'
        f"<w:pPr>{ppr}</w:pPr><w:rPr>{rpr}</w:rPr></w:style>"
    )


def size(half_points: int) -> str:
    return f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/>'


NO_SPACE = '<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>'
EXACT_13PT = '<w:spacing w:before="0" w:after="0" w:line="260" w:lineRule="exact"/>'


def styles_xml() -> str:
    styles = [
        # Defaults: 仿宋_GB2312 五号, no paragraph spacing, no theme fonts (they would override rFonts).
        "<w:docDefaults><w:rPrDefault><w:rPr>"
        f'{fonts(FANGSONG)}{size(21)}<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/>'
        f"</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr>{NO_SPACE}</w:pPr></w:pPrDefault></w:docDefaults>",
        '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/>'
        '<w:pPr><w:jc w:val="both"/></w:pPr></w:style>',
        '<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont">'
        '<w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/></w:style>',
        '<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/>'
        '<w:uiPriority w:val="99"/><w:semiHidden/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/>'
        '<w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>'
        '<w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>',
        # Title: 方正小标宋简体 二号, centred.
        para_style("FormTitle", "Form Title", '<w:keepNext/><w:spacing w:before="0" w:after="60"/><w:jc w:val="center"/>',
                   fonts(XIAOBIAOSONG) + size(44)),
        # （2023 年度）: 仿宋_GB2312 小三, centred under the title.
        para_style("FormSubtitle", "Form Subtitle", '<w:keepNext/><w:spacing w:before="0" w:after="120"/><w:jc w:val="center"/>',
                   fonts(FANGSONG) + size(30)),
        # Exact line height: the table takes the same room whichever font a machine substitutes.
        para_style("TableText", "Table Text", f'{EXACT_13PT}<w:jc w:val="center"/>', fonts(FANGSONG) + size(21)),
        para_style("TableTextLeft", "Table Text Left", '<w:jc w:val="left"/>', "", based_on="TableText"),
        # Joins the two tables of one form: 1 pt high, its mark hidden (Word then draws them touching).
        para_style("TableJoin", "Table Join",
                   '<w:keepNext/><w:spacing w:before="0" w:after="0" w:line="20" w:lineRule="exact"/>',
                   "<w:vanish/>" + size(2)),
    ]
    return f'{XML_HEAD}<w:styles xmlns:w="{W_NS}">{"".join(styles)}</w:styles>'


def font_table_xml() -> str:
    """Font descriptions, so that Word or WPS without a font substitutes a similar one."""

    def font(name: str, alt: str, panose: str, charset: str, family: str, pitch: str) -> str:
        alt_el = f"<w:altName w:val={quoteattr(alt)}/>" if alt else ""
        return (
            f"<w:font w:name={quoteattr(name)}>{alt_el}<w:panose1 w:val=\"{panose}\"/>"
            f'<w:charset w:val="{charset}"/><w:family w:val="{family}"/><w:pitch w:val="{pitch}"/></w:font>'
        )

    fonts_ = [
        font(FANGSONG, "仿宋", "02010609030101010101", "86", "modern", "fixed"),
        font(XIAOBIAOSONG, "宋体", "02000000000000000000", "86", "auto", "variable"),
    ]
    return f'{XML_HEAD}<w:fonts xmlns:w="{W_NS}">{"".join(fonts_)}</w:fonts>'


def settings_xml() -> str:
    return (
        f'{XML_HEAD}<w:settings xmlns:w="{W_NS}">'
        '<w:defaultTabStop w:val="420"/><w:characterSpacingControl w:val="compressPunctuation"/>'
        '<w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word"'
        ' w:val="15"/></w:compat>'
        '<w:themeFontLang w:val="en-US" w:eastAsia="zh-CN"/></w:settings>'
    )


PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CT_WML = "application/vnd.openxmlformats-officedocument.wordprocessingml"


def package_parts() -> dict[str, str]:
    content_types = (
        f'{XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/word/document.xml" ContentType="{CT_WML}.document.main+xml"/>'
        f'<Override PartName="/word/styles.xml" ContentType="{CT_WML}.styles+xml"/>'
        f'<Override PartName="/word/settings.xml" ContentType="{CT_WML}.settings+xml"/>'
        f'<Override PartName="/word/fontTable.xml" ContentType="{CT_WML}.fontTable+xml"/>'
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
        "word/document.xml": document_xml(),
        "word/_rels/document.xml.rels": document_rels,
        "word/styles.xml": styles_xml(),
        "word/settings.xml": settings_xml(),
        "word/fontTable.xml": font_table_xml(),
    }


def build() -> bytes:
    return write_package({name: xml.encode("utf-8") for name, xml in package_parts().items()})


def main() -> None:
    OUT.write_bytes(build())
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
