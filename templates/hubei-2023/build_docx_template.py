"""Build form.docx: the Word (docxtpl) template of the hubei-2023 form.

    .venv/bin/python templates/hubei-2023/build_docx_template.py

The template is written as raw WordprocessingML (helpers in templates/wordml.py) because it
needs what python-docx cannot author: table cells that are both horizontally and vertically merged,
header rows, hidden paragraph marks, East Asian fonts in styles. The output is deterministic
(fixed zip times and order, no dates in core.xml); tests/test_docx.py checks that the committed
form.docx is what this script writes, so a change made in Word (fonts, margins, widths) must be
ported here too. Fonts and spacing live in the named styles (AnnexLabel, FormTitle, UnitDate,
TableText, TableTextLeft, FormNote, CheckMark), so changing a style in Word changes every form.

Every printed text comes from the FilledForm (`forms`, a list), never from this file. Tags
beyond docxtpl's own (pipeline/render/docx.py implements them):
  {% vmerge EXPR %}   in a cell: <w:vMerge w:val="EXPR"/> when EXPR is not empty
  {% cellif EXPR %}   in a cell: the whole cell exists only when EXPR is true

Layout choices:
- The grid is the scoring layout (8 columns); without scoring the cells of c7/c8 are left out,
  spans shrink by 2 ({% colspan %}), and the renderer scales c1–c6 up to the table width.
- Each goal is its own table whose first row (the indicator header) is a repeating header row:
  Word and LibreOffice repeat only rows at the top of a table. The tables of one form are joined
  by an empty 1 pt paragraph whose mark is hidden, so they print as one table. The last goal's
  table also holds 总分, the reason and the measures rows (form.yaml's min_goals keeps a goal there).
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))  # the repo root, for `pipeline` without an install
sys.path.insert(0, str(HERE.parent))  # templates/, for the shared wordml helpers

from wordml import FANGSONG, HEITI, SEGOE_UI_SYMBOL, XIAOBIAOSONG, Grid, Page  # noqa: E402
from wordml import TAB_RUN, merged_down, para, run, tag_para, tag_run, text  # noqa: E402
from wordml import TABLE_JOIN, TABLE_JOIN_STYLE, fonts, para_style, size, table_text_styles  # noqa: E402
from wordml import EXACT_13PT, build_package, document_xml, font_table_xml, styles_xml  # noqa: E402
from wordml import footer_xml, page_number_style, summary_body, summary_styles  # noqa: E402
from wordml import JOIN_RULE, RULE  # noqa: E402

from pipeline.variant import load_variant  # noqa: E402

OUT = HERE / "form.docx"

# The page, its margins and the table's column widths are the variant's data (form.yaml's `page`),
# shared with the PDF's stylesheet: same page, same wraps. Columns: c1 目标 · c2 一级 · c3 二级 ·
# c4 三级 · c5 目标值 · c6 完成值 · c7 分值 · c8 得分 (twips, summing to the text width). Without
# scoring the renderer scales c1–c6 up to the full width, as the PDF's template does.
VARIANT = load_variant(HERE.name, HERE.parent)
PAGE = Page.of(VARIANT.page)
TEXT_W = PAGE.text_width
GRID = Grid(VARIANT.page.column_twips(), row_height=312)  # rows at least 0.55 cm high
# The 项目清单 at the front of the bundle: its own columns (form.yaml's summary.columns).
SUMMARY_GRID = Grid(VARIANT.page.column_twips(VARIANT.summary.columns), row_height=312)
TEXT_ROW_H = 850  # 1.5 cm for the reason / measures rows

CHECK_FONT = SEGOE_UI_SYMBOL  # has ☐ and ☑; ships with every Windows since 7


# ---------------------------------------------------------------- document body


def wide(expr_runs: str, narrow: int) -> str:
    """A value cell's runs whose span grows by the two scoring columns when scoring is on."""
    return tag_run("{% colspan " + f"{narrow + 2} if form.scoring else {narrow}" + " %}") + expr_runs


def scored(expr: str) -> str:
    """A cell's runs for the c7/c8 columns, present only with scoring."""
    return tag_run("{% cellif form.scoring %}") + text(expr)


def head_table() -> str:
    """Rows 1–7: project, department, the checkbox groups, the budget."""
    checkboxes = (
        tag_run("{%r for option in group.options %}")
        + text("option.label")
        + run(" ")
        + text("option.mark", "CheckMark")
        + tag_run("{%r if not loop.last %}")
        + text("group.gap")
        + tag_run("{%r endif %}")
        + tag_run("{%r endfor %}")
    )
    return GRID.table([
        GRID.row([
            GRID.cell(text("form.labels.project_name"), (1, 2)),
            GRID.cell(wide(text("form.project_name"), 4), (3, 8)),
        ]),
        GRID.row([
            GRID.cell(text("form.labels.department"), (1, 2)),
            GRID.cell(text("form.department"), (3, 3)),
            GRID.cell(text("form.labels.implementer"), (4, 4)),
            GRID.cell(wide(text("form.implementer"), 2), (5, 8)),
        ]),
        GRID.tag_row("{%tr for group in form.checkboxes %}"),
        GRID.row([
            GRID.cell(text("group.label"), (1, 2)),
            GRID.cell(wide(checkboxes, 4), (3, 8), style="TableTextLeft"),
        ]),
        GRID.tag_row("{%tr endfor %}"),
        GRID.row([
            GRID.cell(text("form.budget.label"), (1, 2), vmerge="restart"),
            GRID.cell(text("form.budget.source_label"), (3, 3), vmerge="restart"),
            GRID.cell(text("form.budget.planned_label"), (4, 4)),
            GRID.cell(text("form.budget.spent_label"), (5, 5)),
            GRID.cell(text("form.budget.rate_label"), (6, 6)),
            GRID.cell(scored("form.labels.weight"), (7, 7)),
            GRID.cell(scored("form.labels.score"), (8, 8)),
        ]),
        GRID.row([
            GRID.cell("", (1, 2), vmerge="continue"),
            GRID.cell("", (3, 3), vmerge="continue"),
            GRID.cell(text("form.budget.planned"), (4, 4)),
            GRID.cell(text("form.budget.spent"), (5, 5)),
            GRID.cell(text("form.budget.rate"), (6, 6)),
            GRID.cell(scored("form.budget.weight"), (7, 7)),
            GRID.cell(scored("form.budget.score"), (8, 8)),
        ]),
    ], bottom=JOIN_RULE)


def goal_table() -> str:
    """One goal: its header row (repeated on each page) and indicator rows, or one empty row.

    The last goal's table also carries 总分 (with scoring), the reason and the measures rows.
    """
    # keepNext: the header row never stays alone at the foot of a page.
    keep = "<w:keepNext/>"
    headers = [GRID.cell(text(f"form.indicator_headers[{i}]"), (i + 2, i + 2), ppr=keep) for i in range(5)]
    return GRID.table([
        GRID.tag_row("{%tr if goal.empty %}"),
        GRID.row([  # keepNext: an empty goal's row never ends a page, it goes with the rows that follow
            GRID.cell(text("goal.label"), (1, 1), ppr=keep),
            GRID.cell(wide("", 5), (2, 8), ppr=keep),
        ]),
        GRID.tag_row("{%tr else %}"),
        GRID.row([
            GRID.cell(text("goal.label"), (1, 1), vmerge="restart", ppr=keep),
            *headers,
            GRID.cell(scored("form.indicator_headers[5]"), (7, 7), ppr=keep),
            GRID.cell(scored("form.indicator_headers[6]"), (8, 8), ppr=keep),
        ], header=True),
        GRID.tag_row("{%tr for r in goal.rows %}"),
        GRID.row([
            GRID.cell("", (1, 1), vmerge="continue"),
            GRID.cell(merged_down("r.level1", "r.level1_vmerge"), (2, 2)),
            GRID.cell(merged_down("r.level2", "r.level2_vmerge"), (3, 3)),
            GRID.cell(text("r.level3"), (4, 4), style="TableTextLeft"),
            GRID.cell(text("r.target"), (5, 5), style="TableTextLeft"),
            GRID.cell(text("r.actual"), (6, 6), style="TableTextLeft"),
            GRID.cell(scored("r.weight"), (7, 7)),
            GRID.cell(scored("r.score"), (8, 8)),
        ]),
        GRID.tag_row("{%tr endfor %}"),
        GRID.tag_row("{%tr endif %}"),
        GRID.tag_row("{%tr if loop.last %}"),
        GRID.tag_row("{%tr if form.total %}"),
        GRID.row([
            GRID.cell(text("form.total.label"), (1, 2)),
            GRID.cell(text("form.total.grade_text"), (3, 6)),
            GRID.cell(text("form.total.weight"), (7, 7)),
            GRID.cell(text("form.total.score"), (8, 8)),
        ]),
        GRID.tag_row("{%tr endif %}"),
        *text_row("reason"),
        *text_row("measures"),
        GRID.tag_row("{%tr endif %}"),
    ], top=JOIN_RULE, bottom=JOIN_RULE)


def text_row(name: str) -> list[str]:
    """The reason or measures row: kept whole on a page, unless most of a page tall
    (FilledForm.tall_rows), as in the PDF."""
    edge = RULE if name == "measures" else None  # the form's last row: its full bottom rule

    def row(split: bool) -> str:
        return GRID.row([
            GRID.cell(text(f"form.labels.{name}"), (1, 2), bottom=edge),
            GRID.cell(wide(text(f"form.{name}"), 4), (3, 8), style="TableTextLeft", bottom=edge),
        ], height=TEXT_ROW_H, split=split)

    return [GRID.tag_row('{%tr if "' + name + '" in form.tall_rows %}'), row(True),
            GRID.tag_row("{%tr else %}"), row(False), GRID.tag_row("{%tr endif %}")]


def body() -> str:
    return "".join([
        summary_body(SUMMARY_GRID),
        tag_para("{%p for form in forms %}"),
        # Each form on a new page: the break goes before every form but the first.
        tag_para("{%p if loop.first and not summary %}"),
        para(text("form.attachment_label"), "AnnexLabel"),
        tag_para("{%p else %}"),
        para(text("form.attachment_label"), "AnnexLabel", "<w:pageBreakBefore/>"),
        tag_para("{%p endif %}"),
        para(text('form.title_lines | join("\\n")'), "FormTitle"),
        para(text("form.unit_line") + TAB_RUN + text("form.date_line"), "UnitDate"),
        head_table(),
        tag_para("{%p for goal in form.goals %}"),
        TABLE_JOIN,
        goal_table(),
        tag_para("{%p endfor %}"),
        para(text("form.footnotes_title"), "FormNote", '<w:keepNext/><w:spacing w:before="60"/>'),
        tag_para("{%p for note in form.footnotes %}"),
        para(text("note"), "FormNote"),
        tag_para("{%p endfor %}"),
        tag_para("{%p endfor %}"),
    ])


# ---------------------------------------------------------------- styles


# The named styles every paragraph uses: changing one in Word changes every form. They build
# on the defaults, 仿宋_GB2312 五号 (build()).
STYLES = [
    # 附件 2.: 黑体 三号, top left.
    para_style("AnnexLabel", "Annex Label", '<w:jc w:val="left"/>', fonts(HEITI) + size(32)),
    # Title: 方正小标宋简体 二号, centred.
    para_style("FormTitle", "Form Title", '<w:spacing w:before="0" w:after="120"/><w:jc w:val="center"/>',
               fonts(XIAOBIAOSONG) + size(int(VARIANT.page.title_size * 2))),
    # 单位名称 at the left, 填报日期 at the right tab stop.
    para_style("UnitDate", "Unit Date Line",
               f'<w:tabs><w:tab w:val="right" w:pos="{TEXT_W}"/></w:tabs><w:spacing w:after="60"/>'
               '<w:jc w:val="left"/>', fonts(FANGSONG) + size(24)),
    # Table text: 仿宋_GB2312 五号, centred or left.
    *table_text_styles(FANGSONG, 21),
    para_style("FormNote", "Form Note", f'{EXACT_13PT}<w:jc w:val="left"/>',
               fonts(FANGSONG) + size(21)),
    TABLE_JOIN_STYLE,
    page_number_style(FANGSONG, 21),
    *summary_styles(PAGE.text_width),
    '<w:style w:type="character" w:customStyle="1" w:styleId="CheckMark"><w:name w:val="Check Mark"/>'
    f"<w:basedOn w:val=\"DefaultParagraphFont\"/><w:rPr>{fonts(CHECK_FONT)}</w:rPr></w:style>",
]


def build() -> bytes:
    return build_package(document_xml(body(), PAGE), styles_xml(FANGSONG, 21, STYLES),
                         font_table_xml([FANGSONG, HEITI, XIAOBIAOSONG, CHECK_FONT]), footer_xml(PAGE))


if __name__ == "__main__":
    OUT.write_bytes(build())
    print(f"wrote {OUT}")
