"""Build form.docx: the Word (docxtpl) template of the national-2020 form (财预〔2020〕10号).

    .venv/bin/python templates/national-2020/build_docx_template.py

Written as raw WordprocessingML, like templates/hubei-2023/build_docx_template.py, with the same
helpers (templates/wordml.py; one variant's script never imports another's, a variant is a
folder). The output is deterministic; tests/test_national.py checks that the committed form.docx
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

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))  # the repo root, for `pipeline` without an install
sys.path.insert(0, str(HERE.parent))  # templates/, for the shared wordml helpers

from wordml import FANGSONG, XIAOBIAOSONG, Grid, Page  # noqa: E402
from wordml import merged_down, para, tag_para, text  # noqa: E402
from wordml import TABLE_JOIN, TABLE_JOIN_STYLE, fonts, para_style, size, table_text_styles  # noqa: E402
from wordml import build_package, document_xml, font_table_xml, styles_xml  # noqa: E402
from wordml import footer_xml, page_number_style, summary_body, summary_styles  # noqa: E402
from wordml import JOIN_RULE  # noqa: E402

from pipeline.variant import load_variant  # noqa: E402

OUT = HERE / "form.docx"

# The page, its margins and the column widths are the variant's data (form.yaml's `page`), shared
# with the PDF's stylesheet: same page, same wraps. At 五号 (210 twips a character, 114 of cell
# margins): c1/c2 hold four characters a line (项目名称, 产出指标), c3–c6 five (年初预算数,
# 年度指标值, 实际完成值), c7 two (分值, 100), c8 a rate (84.77%); c9 the rest.
VARIANT = load_variant(HERE.name, HERE.parent)
PAGE = Page.of(VARIANT.page)
GRID = Grid(VARIANT.page.column_twips(), row_height=312)  # rows at least 0.55 cm high
# The 项目清单 at the front of the bundle: its own columns (form.yaml's summary.columns).
SUMMARY_GRID = Grid(VARIANT.page.column_twips(VARIANT.summary.columns), row_height=312)
TEXT_ROW_H = 850  # 1.5 cm for the overall goal's texts


# ---------------------------------------------------------------- the form


def head_table() -> str:
    """项目名称, 主管部门/实施单位, 项目资金 (5 rows), 年度总体目标 (2 rows)."""
    fund_headers = ("initial", "planned", "spent", "weight", "rate", "score")
    fund_values = ("f.initial", "f.planned", "f.spent", "f.weight", "f.rate", "f.score")
    return GRID.table([
        GRID.row([
            GRID.cell(text("form.labels.project_name"), (1, 1)),
            GRID.cell(text("form.project_name"), (2, 9)),
        ]),
        GRID.row([
            GRID.cell(text("form.labels.department"), (1, 1)),
            GRID.cell(text("form.department"), (2, 4)),
            GRID.cell(text("form.labels.implementer"), (5, 5)),
            GRID.cell(text("form.implementer"), (6, 9)),
        ]),
        GRID.row([
            GRID.cell(text("form.labels.funds"), (1, 1), vmerge="restart"),
            GRID.cell("", (2, 3)),
            *(GRID.cell(text(f"form.labels.{k}"), (c, c)) for c, k in enumerate(fund_headers, start=4)),
        ]),
        GRID.tag_row("{%tr for f in form.funds %}"),
        GRID.row([
            GRID.cell("", (1, 1), vmerge="continue"),
            GRID.cell(text("f.label"), (2, 3)),
            *(GRID.cell(text(v), (c, c)) for c, v in enumerate(fund_values, start=4)),
        ]),
        GRID.tag_row("{%tr endfor %}"),
        GRID.row([
            GRID.cell(text("form.labels.overall_goal"), (1, 1), vmerge="restart"),
            GRID.cell(text("form.labels.expected"), (2, 5)),
            GRID.cell(text("form.labels.achieved"), (6, 9)),
        ]),
        GRID.row([
            GRID.cell("", (1, 1), vmerge="continue"),
            GRID.cell(text("form.overall_goal.expected"), (2, 5), style="TableTextLeft"),
            GRID.cell(text("form.overall_goal.achieved"), (6, 9), style="TableTextLeft"),
        ], height=TEXT_ROW_H),
    ], bottom=JOIN_RULE)


def indicator_table() -> str:
    """绩效指标: the header row (repeated on each page), every goal's rows, then 总分."""
    # keepNext: the header row never stays alone at the foot of a page.
    keep = "<w:keepNext/>"
    headers = [GRID.cell(text(f"form.indicator_headers[{i}]"), (i + 2, i + 2), ppr=keep) for i in range(8)]
    return GRID.table([
        GRID.row([GRID.cell(text("form.labels.indicators"), (1, 1), vmerge="restart", ppr=keep), *headers], header=True),
        GRID.tag_row("{%tr for goal in form.goals %}"),
        GRID.tag_row("{%tr for r in goal.rows %}"),
        GRID.row([
            GRID.cell("", (1, 1), vmerge="continue"),
            GRID.cell(merged_down("r.level1", "r.level1_vmerge"), (2, 2)),
            GRID.cell(merged_down("r.level2", "r.level2_vmerge"), (3, 3)),
            GRID.cell(text("r.level3"), (4, 4), style="TableTextLeft"),
            GRID.cell(text("r.target"), (5, 5), style="TableTextLeft"),
            GRID.cell(text("r.actual"), (6, 6), style="TableTextLeft"),
            GRID.cell(text("r.weight"), (7, 7)),
            GRID.cell(text("r.score"), (8, 8)),
            GRID.cell(text("r.remark"), (9, 9), style="TableTextLeft"),
        ]),
        GRID.tag_row("{%tr endfor %}"),
        GRID.tag_row("{%tr endfor %}"),
        GRID.row([
            GRID.cell(text("form.total.label"), (1, 6)),
            GRID.cell(text("form.total.weight"), (7, 7)),
            GRID.cell(text("form.total.score"), (8, 8)),
            GRID.cell("", (9, 9)),
        ]),
    ], top=JOIN_RULE)


def body() -> str:
    return "".join([
        summary_body(SUMMARY_GRID),
        tag_para("{%p for form in forms %}"),
        # Each form on a new page: the break goes before every form's title but the first.
        tag_para("{%p if loop.first and not summary %}"),
        para(text('form.title_lines | join("\\n")'), "FormTitle"),
        tag_para("{%p else %}"),
        para(text('form.title_lines | join("\\n")'), "FormTitle", "<w:pageBreakBefore/>"),
        tag_para("{%p endif %}"),
        para(text("form.subtitle"), "FormSubtitle"),
        head_table(),
        TABLE_JOIN,
        indicator_table(),
        tag_para("{%p endfor %}"),
    ])


# ---------------------------------------------------------------- styles


# The named styles every paragraph uses, on the defaults 仿宋_GB2312 五号 (build()).
STYLES = [
    # Title: 方正小标宋简体 二号, centred.
    para_style("FormTitle", "Form Title", '<w:keepNext/><w:spacing w:before="0" w:after="60"/><w:jc w:val="center"/>',
               fonts(XIAOBIAOSONG) + size(int(VARIANT.page.title_size * 2))),
    # （2023 年度）: 仿宋_GB2312 小三, centred under the title.
    para_style("FormSubtitle", "Form Subtitle", '<w:keepNext/><w:spacing w:before="0" w:after="120"/><w:jc w:val="center"/>',
               fonts(FANGSONG) + size(30)),
    # Table text: 仿宋_GB2312 五号, centred or left.
    *table_text_styles(FANGSONG, 21),
    TABLE_JOIN_STYLE,
    page_number_style(FANGSONG, 21),
    *summary_styles(PAGE.text_width),
]


def build() -> bytes:
    return build_package(document_xml(body(), PAGE), styles_xml(FANGSONG, 21, STYLES),
                         font_table_xml([FANGSONG, XIAOBIAOSONG]), footer_xml(PAGE))


if __name__ == "__main__":
    OUT.write_bytes(build())
    print(f"wrote {OUT}")
