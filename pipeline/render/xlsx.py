"""The 项目清单 as a workbook (`build/<year>/…汇总表.xlsx`), written with openpyxl.

Figures are values, not text: 预算数 and 执行数 as numbers (written from their Decimals, so Excel
and WPS sum them), 执行率 as a fraction formatted `0.00%`, and a 合计 row holding the totals the
PDF prints. openpyxl stamps the clock into docProps/core.xml and the zip entries; the package is
saved by pipeline/render/zipfix.py so that the same bundle gives the same bytes.
"""

from __future__ import annotations


from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from pipeline.form.summary import Summary, SummaryRow
from pipeline.render.zipfix import saved

RATE_FORMAT = "0.00%"
SCORE_FORMAT = "0.00"
FONT = Font(name="仿宋_GB2312", size=11)
TITLE_FONT = Font(name="方正小标宋简体", size=16)
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
# Column widths in characters: 序号 · 项目名称 · 实施单位 · 预算数 · 执行数 · 执行率 · 得分 · 等级.
WIDTHS = (6, 36, 26, 14, 14, 11, 9, 7)


def _values(row: SummaryRow, scoring: bool) -> list:
    if row.number:
        values = [int(row.number), row.name, row.implementer or None]
    else:  # the 合计 row: its label over the first three cells (merged)
        values = [row.name, None, None]
    values += [row.planned_value, row.spent_value, row.rate_value]
    if scoring:
        values += [row.score_value, row.grade or None]
    return values


def render_summary_xlsx(summary: Summary) -> bytes:
    """The workbook: title, unit line, the header, one row per project and the 合计 row."""
    wb = Workbook()
    ws = wb.active
    ws.title = summary.sheet
    ncols = len(summary.headers)
    last = get_column_letter(ncols)

    ws.append([summary.title])
    ws.merge_cells(f"A1:{last}1")
    ws["A1"].font, ws["A1"].alignment = TITLE_FONT, CENTRE
    ws.append([summary.unit_line] + [None] * (ncols - 2) + [summary.money_line])
    ws.merge_cells(f"A2:{get_column_letter(ncols - 1)}2")
    ws["A2"].font = ws[f"{last}2"].font = FONT
    ws[f"{last}2"].alignment = Alignment(horizontal="right")

    ws.append(list(summary.headers))
    header_row = ws.max_row
    for row in summary.rows:
        ws.append(_values(row, summary.scoring))
    ws.append(_values(summary.total, summary.scoring))
    total_row = ws.max_row
    ws.merge_cells(f"A{total_row}:C{total_row}")

    for r in range(header_row, total_row + 1):
        for c in range(1, ncols + 1):
            cell = ws.cell(r, c)
            cell.border, cell.font = BOX, FONT
            cell.alignment = LEFT if c in (2, 3) and header_row < r < total_row else CENTRE
        ws.cell(r, 6).number_format = RATE_FORMAT
        if summary.scoring:
            ws.cell(r, 7).number_format = SCORE_FORMAT
    for c in range(1, ncols + 1):
        ws.column_dimensions[get_column_letter(c)].width = WIDTHS[c - 1]
    ws.print_title_rows = f"{header_row}:{header_row}"  # the header repeats on each printed page
    ws.freeze_panes = f"A{header_row + 1}"

    wb.properties.creator = summary.unit
    wb.properties.title = summary.title
    return saved(wb)
