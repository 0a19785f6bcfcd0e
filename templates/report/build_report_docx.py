"""Build report.docx: the Word (docxtpl) template of the 自评报告 draft, shared by the variants.

    .venv/bin/python templates/report/build_report_docx.py

Written as raw WordprocessingML with the helpers of templates/wordml.py, like the forms' templates;
deterministic, and tests/test_report.py checks that the committed report.docx is what this script
writes. The template only places the report's blocks (pipeline/form/report.py) in named styles, so
that a department restyles every heading at once in Word:

  ReportTitle     方正小标宋简体 二号, centred (a level-1 outline entry)
  ReportHeading1  黑体 三号, first-level headings 一、二、…
  ReportHeading2  楷体_GB2312 三号, second-level headings （一）（二）…
  ReportText      仿宋_GB2312 三号, first line indented two characters
  ReportFill      as ReportText, shaded: a 【请填写：……】 paragraph for the clerk
  ReportClosing   the unit and the date, at the right

A 公文 attachment (GB/T 9704): A4, type area 156 × 225 mm, a fixed 29 pt line pitch (22 lines a
page), page numbers `— N —` (a PAGE field) in 四号 at the foot. report.css sets the PDF the same way.
"""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))  # the repo root, for `pipeline` without an install
sys.path.insert(0, str(HERE.parent))  # templates/, for the shared wordml helpers

from wordml import FANGSONG, HEITI, XIAOBIAOSONG, Font, Grid, Page  # noqa: E402
from wordml import fonts, para, para_style, size, tag_para, tag_run, text  # noqa: E402
from wordml import document_xml, font_table_xml, footer_xml, package_parts, page_number_style  # noqa: E402
from wordml import styles_xml, table_text_styles  # noqa: E402

from pipeline.render.zipfix import write_package  # noqa: E402
from pipeline.variant import twips  # noqa: E402

OUT = HERE / "report.docx"

KAITI = Font("楷体_GB2312", "楷体", "02010609030101010101", "86", "modern", "fixed")

mm = Decimal
PAGE = Page(width=twips(mm(210)), height=twips(mm(297)), margin_top=twips(mm(37)), margin_bottom=twips(mm(35)),
            margin_left=twips(mm(28)), margin_right=twips(mm(26)),
            footer=twips(mm(22)),  # the number's line 7 mm below the type area
            number=("— ", " —"))
LINE = 580  # twips: the 29 pt pitch of report.css
INDENT = 640  # two characters of 三号 (16 pt)
BODY = 32  # half-points: 三号
# The project table's columns (序号 · 项目名称 · 单位 · 预算数 · 执行数 · 执行率 · 得分 · 等级), as the
# variants' report.yaml `columns` (the PDF's); without scoring the renderer scales the first six to
# the full width.
COLUMNS = tuple(Decimal(c) for c in (4, 25, 17, 12, 12, 11, 10, 7))
_total = sum(COLUMNS)
_widths = [int(c * PAGE.text_width / _total) for c in COLUMNS]
_widths[-1] += PAGE.text_width - sum(_widths)
GRID = Grid(tuple(_widths), row_height=400)

SPACING = f'<w:spacing w:before="0" w:after="0" w:line="{LINE}" w:lineRule="exact"/>'
FIRST_LINE = f'<w:ind w:firstLine="{INDENT}"/>'


def styles() -> list[str]:
    return [
        para_style("ReportTitle", "Report Title",
                   '<w:keepNext/><w:spacing w:before="0" w:after="0" w:line="700" w:lineRule="exact"/>'
                   '<w:jc w:val="center"/><w:outlineLvl w:val="0"/>', fonts(XIAOBIAOSONG) + size(44)),
        para_style("ReportTitleEnd", "Report Title End", f"<w:keepNext/>{SPACING}", ""),
        para_style("ReportText", "Report Text", f'{SPACING}{FIRST_LINE}<w:jc w:val="both"/>', ""),
        para_style("ReportHeading1", "Report Heading 1", '<w:keepNext/><w:outlineLvl w:val="1"/>',
                   fonts(HEITI), based_on="ReportText"),
        para_style("ReportHeading2", "Report Heading 2", '<w:keepNext/><w:outlineLvl w:val="2"/>',
                   fonts(KAITI), based_on="ReportText"),
        para_style("ReportFill", "Report Fill", "",
                   '<w:shd w:val="clear" w:color="auto" w:fill="FFF2A8"/>', based_on="ReportText"),
        para_style("ReportClosing", "Report Closing", f'{SPACING}<w:ind w:right="{INDENT}"/><w:jc w:val="right"/>', ""),
        para_style("ReportMoney", "Report Money", '<w:keepNext/><w:spacing w:before="0" w:after="60"/><w:jc w:val="right"/>',
                   size(24)),
        para_style("ReportAfterTable", "Report After Table", '<w:spacing w:before="0" w:after="0" w:line="240"/>', size(16)),
        *table_text_styles(FANGSONG, 21),
        para_style("TableHead", "Table Head", "", fonts(HEITI), based_on="TableText"),
        page_number_style(FANGSONG, 28),
    ]


def table() -> str:
    """The 项目清单 (report.table, a pipeline/form/summary.Summary): a header row repeated on each
    page, a row per project, the 合计 row; the 得分/等级 columns only with scoring."""
    def cell(expr: str, col: int, style: str = "TableText") -> str:
        runs = text(expr) if col <= 6 else tag_run("{% cellif s.scoring %}") + text(expr)
        return GRID.cell(runs, (col, col), style=style)

    fields = ("number", "name", "implementer", "planned", "spent", "rate", "score", "grade")
    return GRID.table([
        GRID.row([cell(f"s.headers[{i}]", i + 1, "TableHead") for i in range(6)]
                 + [cell("s.headers[6]", 7, "TableHead"), cell("s.headers[7]", 8, "TableHead")], header=True),
        GRID.tag_row("{%tr for r in s.rows %}"),
        GRID.row([cell(f"r.{f}", i + 1, "TableTextLeft" if f in ("name", "implementer") else "TableText")
                  for i, f in enumerate(fields)]),
        GRID.tag_row("{%tr endfor %}"),
        GRID.row([
            GRID.cell(text("s.total.name"), (1, 3)),
            cell("s.total.planned", 4), cell("s.total.spent", 5), cell("s.total.rate", 6),
            cell('""', 7), cell('""', 8),
        ]),
    ])


def body() -> str:
    """The title, then every block in the style of its kind."""
    def kind(name: str, style: str) -> str:
        return tag_para('{%p elif b.kind == "' + name + '" %}') + para(text("b.text"), style)

    return "".join([
        tag_para("{%p for line in report.title_lines %}"),
        para(text("line"), "ReportTitle"),
        tag_para("{%p endfor %}"),
        para("", "ReportTitleEnd"),  # one empty line under the title
        tag_para("{%p for b in report.blocks %}"),
        tag_para('{%p if b.kind == "table" %}'),
        tag_para("{%p set s = report.table %}"),
        para(text("s.money_line"), "ReportMoney"),
        table(),
        para("", "ReportAfterTable"),
        kind("heading1", "ReportHeading1"),
        kind("heading2", "ReportHeading2"),
        kind("fill", "ReportFill"),
        kind("closing", "ReportClosing"),
        tag_para("{%p else %}"),
        para(text("b.text"), "ReportText"),
        tag_para("{%p endif %}"),
        tag_para("{%p endfor %}"),
    ])


def core_xml() -> str:
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
            ' xmlns:dc="http://purl.org/dc/elements/1.1/">'
            "<dc:title>项目支出绩效自评报告</dc:title><dc:creator>annex</dc:creator></cp:coreProperties>")


def build() -> bytes:
    parts = package_parts(
        document_xml(body(), PAGE),
        styles_xml(FANGSONG, BODY, styles()),
        font_table_xml([FANGSONG, HEITI, KAITI, XIAOBIAOSONG]),
        footer_xml(PAGE),
    )
    parts["docProps/core.xml"] = core_xml()
    return write_package({name: xml.encode("utf-8") for name, xml in parts.items()})


if __name__ == "__main__":
    OUT.write_bytes(build())
    print(f"wrote {OUT}")
