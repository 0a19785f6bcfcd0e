"""`annex export`: a year's data, whatever it is kept in, as one workbook ready to fill in Excel or WPS.

Laid out as read.py reads it: sheets 项目 and 指标 (and 单位 when the department is kept in a
workbook), headers bold and frozen, text columns formatted 文本 so that typed numbers stay as typed,
dropdown lists for the variant's enumerated columns, and amounts written as numbers whose format
shows exactly the decimals the data wrote (an amount Excel cannot hold exactly stays text).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from pipeline.files.write import write_atomic
from pipeline.render.xlsx import keep_text
from pipeline.render.zipfix import saved
from pipeline.errors import Abort
from pipeline.files.links import refuse_links_to_file
from pipeline.input.model import MAX_DECIMALS, DepartmentIn, decimals_of
from pipeline.input.workbook.cells import EXCEL_DIGITS
from pipeline.input.workbook.layout import (
    CONTINUED, FUND_FIGURES, FUND_SEPARATOR, GOAL, INDICATOR_SHEET, NUMBER, PROJECT_SHEET, REMARK, SCORES, UNIT_KEY,
    UNIT_SHEET, UNIT_VALUE,
)
from pipeline.input.model import Figure, ProjectInput, YearInput
from pipeline.input.workbook.places import KeyMap, RowMap
from pipeline.variant import Variant
from pipeline.hints import annex_command

TEXT, AMOUNT, WHOLE = "text", "amount", "whole"
# The header note of the columns whose blank cells continue the cell above (spec/workbook.md). Every
# row annex writes is filled, so the sheet sorts safely; a sort after leaving cells blank does not.
CONTINUED_NOTE = ("空白单元格表示「同上」：沿用上一行的值（同一项目内）。annex 导出时每一行都已填写，可以放心排序；"
                  "如果留空后再排序，空白会跑到别的项目下面，请先填满每一行再排序。")
MAX_ROW = 1_048_576  # Excel's last row: dropdowns cover rows added later


@dataclass(frozen=True)
class Column:
    header: str
    kind: str  # TEXT, AMOUNT or WHOLE (a whole number: 序号, 目标)
    width: float
    options: tuple[str, ...] = ()  # a dropdown list
    strict: bool = True  # a value outside the list is refused (False: warned, as check does)


def project_columns(variant: Variant) -> list[Column]:
    unused = set(variant.unused_keys)
    cols = [Column(NUMBER, WHOLE, 6), Column("项目名称", TEXT, 30), Column("表名", TEXT, 24),
            Column("主管部门", TEXT, 20), Column("项目实施单位", TEXT, 20)]
    for key, options in variant.checkbox_groups.items():
        cols.append(Column(key, TEXT, 16, options))
    cols += [Column(k, AMOUNT, 12) for k in ("预算数", "执行数") if k not in unused]
    if variant.fund_sources and "项目资金" not in unused:
        for source in variant.fund_sources:
            cols += [Column(f"{source}{FUND_SEPARATOR}{fig}", AMOUNT, 14) for fig in FUND_FIGURES]
    if "年度总体目标" not in unused:
        cols += [Column("预期目标", TEXT, 40), Column("实际完成情况", TEXT, 40)]
    cols += [Column(k, TEXT, 40) for k in ("偏差原因分析", "改进措施") if k not in unused]
    return cols


def indicator_columns(variant: Variant, scoring: bool) -> list[Column]:
    level2 = tuple(dict.fromkeys(l2 for l2s in variant.indicators.values() for l2 in l2s))
    cols = [Column("项目名称", TEXT, 30), Column(GOAL, WHOLE, 6),
            Column("一级指标", TEXT, 12, tuple(variant.indicators)), Column("二级指标", TEXT, 18, level2, strict=False),
            Column("三级指标", TEXT, 30), Column("年初目标值", TEXT, 24), Column("实际完成值", TEXT, 24)]
    if scoring:
        cols += [Column(k, AMOUNT, 8) for k in SCORES]
    if REMARK not in variant.unused_keys:
        cols.append(Column(REMARK, TEXT, 36))
    return cols


# --- values as cells ------------------------------------------------------------------------------

AMOUNT_FORMAT = "General"  # 常规: an amount typed later shows every decimal it has


def amount_format(places: int) -> str:
    """The format of an amount written with `places` decimals: exactly those places shown, and room for
    every decimal an amount may carry (0.00#### shows 45.5 as 45.50 and 45.5555 as 45.5555), so a
    figure typed over it later is never shown rounded."""
    if places == 0:
        return AMOUNT_FORMAT
    return "0." + "0" * places + "#" * max(0, MAX_DECIMALS - places)


def amount_cell(value: Decimal) -> tuple[object, str]:
    """(cell value, number format) showing `value` exactly as written: 155.650 -> 155.65 in 0.000###."""
    places = decimals_of(value)
    digits = len(value.as_tuple().digits)
    if digits > EXCEL_DIGITS or not value.is_finite():
        return format(value, "f"), "@"  # more than Excel holds: kept as text, read back as text
    number = int(value) if places == 0 else float(value)
    return number, amount_format(places)


@dataclass
class _Styles:
    text: NamedStyle
    number: NamedStyle
    header: NamedStyle


def _styles(wb: Workbook) -> _Styles:
    text = NamedStyle("annex-文本", number_format="@", alignment=Alignment(wrap_text=True, vertical="top"))
    number = NamedStyle("annex-数值", alignment=Alignment(vertical="top"))
    header = NamedStyle("annex-表头", font=Font(bold=True), number_format="@",
                        alignment=Alignment(wrap_text=True, vertical="center", horizontal="center"),
                        fill=PatternFill("solid", fgColor="DDEBF7"))
    for s in (text, number, header):
        wb.add_named_style(s)
    return _Styles(text, number, header)


def _sheet(wb: Workbook, title: str, columns: list[Column], rows: list[list[object]], st: _Styles):
    """One sheet, streamed (openpyxl's write-only mode: a third faster for 8000 rows): what goes at the
    top of the sheet's XML (column widths and formats, the frozen header) is set before the rows."""
    ws = wb.create_sheet(title)
    for c, col in enumerate(columns, start=1):
        letter = get_column_letter(c)
        ws.column_dimensions[letter].width = col.width
        if col.kind == TEXT:
            ws.column_dimensions[letter].number_format = "@"  # rows typed later stay text too
    ws.freeze_panes = "B2" if title == PROJECT_SHEET else "A2"
    header = [_cell(ws, col.header, st.header.name) for col in columns]
    if title == INDICATOR_SHEET:
        for cell, col in zip(header, columns):
            if col.header in CONTINUED:
                cell.comment = Comment(CONTINUED_NOTE, "annex", width=260, height=110)
    ws.append(header)
    for values in rows:
        out: list[object] = []
        for col, value in zip(columns, values):
            if value is None:
                out.append(None)
            elif col.kind == AMOUNT:
                number, fmt = amount_cell(value)
                out.append(_cell(ws, number, st.number.name, fmt))
            else:
                out.append(_cell(ws, value, st.text.name if col.kind == TEXT else st.number.name))
        ws.append(out)
    for c, col in enumerate(columns, start=1):
        if col.options:
            letter = get_column_letter(c)
            dv = DataValidation(type="list", formula1='"' + ",".join(col.options) + '"', allow_blank=True,
                                showErrorMessage=True, errorStyle="stop" if col.strict else "warning",
                                errorTitle=col.header, error="请从下拉列表中选择：" + "、".join(col.options))
            dv.add(f"{letter}2:{letter}{MAX_ROW}")
            ws.data_validations.append(dv)
    return ws


def _cell(ws, value: object, style: str, number_format: str | None = None) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value)
    keep_text(cell)
    cell.style = style
    if number_format:
        cell.number_format = number_format
    return cell


def _figure(fig: Figure | None) -> Decimal | None:
    return fig.value if fig is not None else None


def _column_of(field: str) -> str:
    """The 项目 column of a project field path: 年度总体目标.实际完成情况 -> 实际完成情况,
    项目资金.其他资金.全年执行数 -> 其他资金·全年执行数."""
    parts = field.split(".")
    if parts[0] == "年度总体目标" and len(parts) == 2:
        return parts[1]
    if parts[0] == "项目资金" and len(parts) == 3:
        return f"{parts[1]}{FUND_SEPARATOR}{parts[2]}"
    return field


def project_values(p: ProjectInput, columns: list[Column], blank: frozenset[str] = frozenset()) -> list[object]:
    """The project's row; `blank`: its fields not yet filled this year (new-year leaves them empty),
    written as blank cells to fill, whatever placeholder the loader holds for them."""
    d = p.data
    values: dict[str, object] = {
        NUMBER: int(p.number), "项目名称": d.name, "表名": d.table_name, "主管部门": d.department,
        "项目实施单位": d.implementer, "项目类别": d.category, "项目属性": d.attribute, "项目类型": d.kind,
        "预算数": _figure(p.planned), "执行数": _figure(p.spent), "偏差原因分析": d.reason, "改进措施": d.measures,
    }
    if d.overall_goal is not None:
        values["预期目标"], values["实际完成情况"] = d.overall_goal.expected, d.overall_goal.achieved
    for source, fund in (d.funds or {}).items():
        for fig, value in zip(FUND_FIGURES, (fund.initial, fund.planned, fund.spent)):
            values[f"{source}{FUND_SEPARATOR}{fig}"] = value
    empty = {_column_of(f) for f in blank}
    return [None if c.header in empty else values.get(c.header) for c in columns]


def indicator_values(p: ProjectInput, columns: list[Column], blank: frozenset[str] = frozenset()) -> list[list[object]]:
    out = []
    for n, goal in enumerate(p.goals, start=1):
        for i, ind in enumerate(goal.indicators, start=1):
            values = {"项目名称": p.data.name, GOAL: n, "一级指标": ind.level1, "二级指标": ind.level2,
                      "三级指标": ind.level3, "年初目标值": ind.target, "实际完成值": ind.actual,
                      "分值": _figure(ind.weight), "得分": _figure(ind.score), REMARK: ind.remark}
            place = f"年度绩效目标[{n}].指标[{i}]."
            empty = {f[len(place):] for f in blank if f.startswith(place)}
            out.append([None if c.header in empty else values.get(c.header) for c in columns])
    return out


# --- the department, when it is kept in a 单位 sheet ------------------------------------------------

DEPARTMENT_BLANK = ("单位名称", "主管部门", "填报日期", "表样", "评分")


def department_rows(dept: DepartmentIn | None, keys: list[str], variant: Variant) -> list[list[object]]:
    if dept is None:  # a new year: the keys to fill, the form variant chosen
        return [[k, variant.name if k == "表样" else ("否" if k == "评分" else None)] for k in DEPARTMENT_BLANK]
    by_alias = dept.model_dump(by_alias=True)
    rows = []
    for key in keys:
        value = by_alias.get(key)
        if isinstance(value, bool):
            value = "是" if value else "否"
        elif isinstance(value, list):
            value = "、".join(value)
        elif isinstance(value, Decimal):
            value = format(value, "f")
        rows.append([key, value])
    return rows


def _unit_sheet(wb: Workbook, rows: list[list[object]], st: _Styles) -> None:
    ws = wb.create_sheet(UNIT_SHEET)
    for c, width in enumerate((16, 40), start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.freeze_panes = "A2"
    ws.append([_cell(ws, UNIT_KEY, st.header.name), _cell(ws, UNIT_VALUE, st.header.name)])
    for key, value in rows:
        if isinstance(value, dt.date):
            shown = _cell(ws, value, st.number.name, "yyyy-mm-dd")
        else:
            shown = _cell(ws, value, st.text.name)
        ws.append([_cell(ws, key, st.text.name), shown])


# --- the workbook -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Exported:
    path: Path
    projects: int
    indicators: int
    unit_sheet: bool


def build_workbook(year: YearInput, variant: Variant, scoring: bool, unit_keys: list[str] | None,
                   unfilled: dict[str, frozenset[str]] | None = None) -> tuple[Workbook, int]:
    """The workbook for `year` (its projects may be none: a form to fill). `unit_keys`: write a 单位 sheet
    with these keys of the department (None: the department stays in department.yaml). `unfilled`: by
    project file, the fields not yet filled this year, written as blank cells."""
    unfilled = unfilled or {}
    wb = Workbook(write_only=True)
    st = _styles(wb)
    pcols = project_columns(variant)
    icols = indicator_columns(variant, scoring)
    prows = [project_values(p, pcols, unfilled.get(p.smap.file, frozenset())) for p in year.projects]
    irows = [row for p in year.projects for row in indicator_values(p, icols, unfilled.get(p.smap.file, frozenset()))]
    _sheet(wb, PROJECT_SHEET, pcols, prows, st)
    _sheet(wb, INDICATOR_SHEET, icols, irows, st)
    if unit_keys is not None:
        _unit_sheet(wb, department_rows(year.department, unit_keys, variant), st)
    # The workbook's own dates: fixed, so the same data exports to the same bytes.
    wb.properties.creator = "annex"
    wb.properties.created = wb.properties.modified = dt.datetime(2000, 1, 1)
    return wb, len(irows)


def save(wb: Workbook, out: Path) -> None:
    """Written beside the target and renamed over it: a crash leaves no half-written workbook."""
    out.parent.mkdir(parents=True, exist_ok=True)
    umask = os.umask(0)
    os.umask(umask)
    # openpyxl stamps each zip member with the current time: fixed here, so the same data exports
    # to the same bytes whatever second it is. The mode is a saved file's, as any program's.
    write_atomic(out, saved(wb), 0o666 & ~umask)


class ExportError(Abort):
    """The workbook cannot be written as asked (it exists, or the data has errors)."""


def kept_in_files(year: YearInput) -> bool:
    """Some projects come from projects/*.yaml (or the CSVs beside them), not from a workbook."""
    return any(not isinstance(p.smap, RowMap) for p in year.projects)


def default_out(year_dir: Path, year: YearInput) -> Path:
    """Into the year folder when the workbook will be the year's data; beside it (in the working
    folder) while the projects are still files, which the workbook would otherwise duplicate."""
    if kept_in_files(year):
        return Path(f"自评数据-{year_dir.name}.xlsx")
    return year_dir / "自评数据.xlsx"


@dataclass
class ForExport:
    year: YearInput
    variant: Variant
    scoring: bool
    unit_keys: list[str] | None  # a 单位 sheet with these keys, or None: the department stays in department.yaml
    unfilled: dict[str, frozenset[str]]  # project file -> fields not yet filled (blank cells to fill)


def load_for_export(year_dir: Path, base: Path | None = None) -> ForExport:
    """The year's data, checked. Facts not yet filled this year (a year `annex new-year` started) are no
    obstacle: export is for filling them; any other error is (counted once each, as check counts)."""
    from pipeline.problems.once import NOT_FILLED, said_once
    from pipeline.problems.records import Issues
    from pipeline.check.rules import validate_year
    from pipeline.input.year import load_year
    from pipeline.variant import DEFAULT_VARIANT, load_variant

    if year_dir.is_dir():
        year, issues = load_year(year_dir, base)
        validate_year(year, issues)
    else:
        year, issues = YearInput(int(year_dir.name), year_dir), Issues()
    said = said_once(issues.sorted())
    errors = [i for i in said if i.severity == "error" and i.code != NOT_FILLED]
    if year.projects and errors:
        raise ExportError("export-data-errors", year_dir=year_dir, count=len(errors),
                          command=annex_command("check", "--year", year_dir.name))
    unfilled: dict[str, set[str]] = {}
    for i in said:
        if i.code == NOT_FILLED:
            unfilled.setdefault(i.file, set()).add(i.field)
    variant = year.variant or load_variant(DEFAULT_VARIANT)
    unit_keys: list[str] | None = None
    if isinstance(year.department_smap, KeyMap):
        unit_keys = [k for k, loc in year.department_smap.locs.items() if loc.cell]
    elif not (year_dir / "department.yaml").is_file():
        unit_keys = list(DEPARTMENT_BLANK)
        year.department = None
    return ForExport(year, variant, year.scoring(variant), unit_keys,
                     {f: frozenset(fields) for f, fields in unfilled.items()})


def export_year(year_dir: Path, out: Path | None, force: bool, base: Path | None = None) -> Exported:
    loaded = load_for_export(year_dir, base)
    year, unit_keys = loaded.year, loaded.unit_keys
    out = out or default_out(year_dir, year)
    refuse_links_to_file(out, "workbook")  # the file itself, and every folder on the way
    if out.exists() and not force:
        raise ExportError("export-exists", out=out)
    if out.suffix.lower() != ".xlsx":
        raise ExportError("export-not-xlsx", out=out)
    wb, indicators = build_workbook(year, loaded.variant, loaded.scoring, unit_keys, loaded.unfilled)
    save(wb, out)
    return Exported(out, len(year.projects), indicators, unit_keys is not None)
