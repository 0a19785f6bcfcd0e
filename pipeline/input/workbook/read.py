"""A year's workbooks (data/<year>/*.xlsx) as the same input the YAML files give.

Sheet 项目 gives one project per row, as the dict a project file would hold (Chinese keys, texts as
displayed), validated by the same model with the same messages; sheet 指标 gives indicator rows in
the shape 绩效指标.csv gives them; sheet 单位 gives the keys of department.yaml. Every value keeps
its place as `file sheet!cell`, so that every later rule reports the cell a user types into
Excel's name box.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic_core import PydanticCustomError

from pipeline.problems.records import Issues, Loc, field_path
from pipeline.files.paths import display_path
from pipeline.input import chars, tree
from pipeline.input.model import AMOUNT_KEYS, parse_amount, parse_text
from pipeline.input.workbook.sheets import Book, Cell, Sheet, header_key, open_book

PROJECT_SHEET = "项目"
INDICATOR_SHEET = "指标"
UNIT_SHEET = "单位"
SHEETS = (PROJECT_SHEET, INDICATOR_SHEET, UNIT_SHEET)

NUMBER = "序号"
PROJECT_TEXTS = ("项目名称", "表名", "主管部门", "项目实施单位", "项目类别", "项目属性", "项目类型")
PROJECT_AMOUNTS = ("预算数", "执行数")
PROJECT_CLOSING = ("偏差原因分析", "改进措施")
OVERALL_GOAL = "年度总体目标"
OVERALL_KEYS = ("预期目标", "实际完成情况")
FUNDS = "项目资金"
FUND_FIGURES = ("年初预算数", "全年预算数", "全年执行数")
FUND_SEPARATOR = "·"
# 已确认警告 (warning codes separated by 、 , or spaces; each may be narrowed to a value or a project) is
# read from the 单位 sheet, for the whole year: a workbook is one file for all its projects.
ACCEPTED = "已确认警告"
PROJECT_REQUIRED = ("项目名称", "项目实施单位")
PROJECT_COLUMNS = (NUMBER,) + PROJECT_TEXTS + PROJECT_AMOUNTS + PROJECT_CLOSING + OVERALL_KEYS

GOAL = "目标"
LEVELS = ("一级指标", "二级指标", "三级指标")
VALUES = ("年初目标值", "实际完成值")
SCORES = ("分值", "得分")
REMARK = "偏差原因分析及改进措施"
INDICATOR_REQUIRED = ("项目名称",) + LEVELS + VALUES
INDICATOR_COLUMNS = ("项目名称", GOAL) + LEVELS + VALUES + SCORES + (REMARK,)
CONTINUED = ("项目名称", GOAL, "一级指标", "二级指标")  # blank or merged: the value above, as Excel users expect

UNIT_KEY, UNIT_VALUE = "项目", "内容"
DATE_FORMATS = ("填报日期",)
FLAG_KEYS = ("评分",)

SUFFIXES = (".xlsx", ".xlsm")
FOREIGN = {".xls": "旧版 Excel 97-2003 工作簿（.xls）", ".et": "WPS 表格文件（.et）", ".ods": "OpenDocument 表格（.ods）",
           ".numbers": "Numbers 表格", ".xlsb": "Excel 二进制工作簿（.xlsb）"}


def is_lock_file(name: str) -> bool:
    """Excel leaves `~$name.xlsx` beside an open workbook, WPS and LibreOffice `.~name.xlsx` / `.~lock.…#`."""
    return name.startswith(("~$", ".~"))


def workbook_files(year_dir: Path) -> list[Path]:
    if not year_dir.is_dir():
        return []
    return sorted(p for p in year_dir.iterdir()
                  if p.suffix.lower() in SUFFIXES + tuple(FOREIGN) and not is_lock_file(p.name))


# --- where a value is ---------------------------------------------------------------------------

@dataclass(frozen=True)
class RowMap:
    """The source map of one project row: a field path of the input model -> its cell.

    Stands where the YAML loader's SourceMap stands (it answers `.loc(path)` and has `.file`), so the
    loader's validation and every rule locate workbook values without knowing about workbooks.
    """

    sheet: Sheet
    row: int

    @property
    def file(self) -> str:
        return f"{self.sheet.file} {self.sheet.name}!{self.ref}"

    @property
    def ref(self) -> str:
        col = self.sheet.headers.get("项目名称")
        return self.sheet.loc(self.row, col, "").cell.split("!", 1)[1]

    def loc(self, path: tuple) -> Loc:
        """The cell of a field path: ('项目资金', '其他资金', '全年执行数') is column 其他资金·全年执行数. A
        field with no column here (missing, or a whole group) is placed on the row's 项目名称 cell."""
        path = tuple(path)
        key = str(path[0]) if path else "项目名称"
        if key == FUNDS and len(path) >= 3:
            column = f"{path[1]}{FUND_SEPARATOR}{path[2]}"
        elif key == OVERALL_GOAL and len(path) >= 2:
            column = str(path[1])
        else:
            column = field_path(path) if path else key
        col = self.sheet.headers.get(column)
        if col is None:
            col = self.sheet.headers.get("项目名称")
        return self.sheet.loc(self.row, col, column)


@dataclass(frozen=True)
class KeyMap:
    """The source map of department keys written in a 单位 sheet and/or department.yaml."""

    file: str
    locs: dict[str, Loc]
    fallback: Loc

    def loc(self, path: tuple) -> Loc:
        return self.locs.get(str(path[0]) if path else "", self.fallback) if path else self.fallback


@dataclass(frozen=True)
class RowLocs:
    """Where each key of one indicator row is, made only when a message needs it."""

    sheet: Sheet
    row: int

    def __getitem__(self, key: str) -> Loc:
        col = self.sheet.headers.get(key)
        if col is None:
            return self.sheet.loc(self.row, self.sheet.headers.get("项目名称"), key)
        return self.sheet.loc(self.row, col, key)


# --- the year's workbooks -------------------------------------------------------------------------

@dataclass
class ProjectRow:
    number: int
    data: dict  # the project as a project file would hold it
    smap: RowMap
    broken: bool = False  # a cell could not be read (reported): left out of the year


@dataclass
class IndicatorRow:
    project: str
    goal: int | None
    texts: dict[str, str]
    figures: dict[str, tuple[str, Loc]]  # 分值/得分: text to read as an amount, and its cell
    locs: RowLocs
    remark: str | None
    broken: bool = False


@dataclass
class YearBooks:
    files: list[str] = field(default_factory=list)
    department: dict[str, tuple[object, Loc]] = field(default_factory=dict)  # key -> (value, cell)
    department_sheet: str | None = None  # "file 单位" where the keys came from
    projects: list[ProjectRow] = field(default_factory=list)
    indicators: list[IndicatorRow] = field(default_factory=list)
    project_sheets: int = 0
    unreadable: bool = False  # a workbook or its 项目 sheet could not be read: its rows are unknown


    @property
    def has_projects(self) -> bool:
        """A workbook keeps projects: the projects/ folder may then be absent."""
        return self.project_sheets > 0 or self.unreadable


def read_books(year_dir: Path, base: Path | None, issues: Issues) -> YearBooks:
    """Every workbook of the year folder, read into rows with their cells; problems to `issues`."""
    out = YearBooks()
    for path in workbook_files(year_dir):
        display = display_path(path, base)
        suffix = path.suffix.lower()
        if suffix in FOREIGN:
            issues.report("workbook-format", Loc(display), what=FOREIGN[suffix])
            continue
        if not tree.is_regular(path):
            continue  # a link, FIFO or folder named like a workbook: the year folder's scan reports it
        book = open_book(path, display, SHEETS, issues)
        if book is None:
            out.unreadable = True
            continue
        out.files.append(display)
        _read_book(book, out, issues)
    return out


def _read_book(book: Book, out: YearBooks, issues: Issues) -> None:
    for title in book.other_sheets:
        issues.report("workbook-unknown-sheet", Loc(book.file, None, None, "", f"{title}!A1"), value=title,
                      sheet=title)
    sheets = book.sheets
    if not sheets:
        issues.report("workbook-missing-sheet", Loc(book.file), sheet="项目」「指标")
        return
    if UNIT_SHEET in sheets:
        _unit_sheet(sheets[UNIT_SHEET], out, issues)
    if (PROJECT_SHEET in sheets) != (INDICATOR_SHEET in sheets):
        missing = INDICATOR_SHEET if PROJECT_SHEET in sheets else PROJECT_SHEET
        issues.report("workbook-missing-sheet", Loc(book.file), sheet=missing)
    if PROJECT_SHEET in sheets:
        _project_sheet(sheets[PROJECT_SHEET], out, issues)
    if INDICATOR_SHEET in sheets:
        _indicator_sheet(sheets[INDICATOR_SHEET], out, issues)


def _columns(sheet: Sheet, known: Callable[[str], bool], required: tuple[str, ...], issues: Issues) -> bool:
    """Report unknown, repeated and missing headers; False when a required one is missing."""
    seen: dict[str, Cell] = {}
    for col, cell in sorted(sheet.header_row.items()):
        if cell.value is None:
            continue
        key = header_key(cell.value.text)
        loc = sheet.loc(1, col, key)
        if key in seen:
            issues.report("workbook-duplicate-column", loc, value=key, column=key, first=seen[key].ref)
        elif not known(key):
            issues.report("workbook-unknown-column", loc, value=key, column=key, sheet=sheet.name)
        seen.setdefault(key, cell)
    ok = True
    for key in required:
        if key not in sheet.headers:
            issues.report("workbook-missing-column", Loc(sheet.file, 1, None, key, f"{sheet.name}!1:1"),
                          sheet=sheet.name, column=key)
            ok = False
    return ok


def _check_cell(sheet: Sheet, cell: Cell, key: str, issues: Issues) -> None:
    if cell.uncached:
        issues.report("workbook-formula-uncached", sheet.loc(cell.row, cell.column, key))
        sheet.broken_rows.add(cell.row)  # its value is unknown: the row is left out, reported once
    elif cell.value is not None and not cell.value.exact:
        issues.report("workbook-format-inexact", sheet.loc(cell.row, cell.column, key), value=cell.value.text,
                      text=cell.value.text)


def _text(sheet: Sheet, cells: dict[int, Cell], key: str, issues: Issues, amount: bool = False) -> str | None:
    """The text of a row's cell under header `key`; None when the column is absent or the cell empty."""
    col = sheet.headers.get(key)
    if col is None:
        return None
    cell = cells.get(col)
    if cell is None:
        return None
    _check_cell(sheet, cell, key, issues)
    if cell.value is None:
        return None
    return cell.value.plain if amount else cell.value.text


def _is_fund_column(key: str) -> bool:
    source, sep, figure = key.rpartition(FUND_SEPARATOR)
    return bool(sep and source and figure in FUND_FIGURES)


def _project_sheet(sheet: Sheet, out: YearBooks, issues: Issues) -> None:
    known = set(PROJECT_COLUMNS)
    out.project_sheets += 1
    if not _columns(sheet, lambda k: k in known or _is_fund_column(k), PROJECT_REQUIRED, issues):
        out.unreadable = True  # reported once, not once a row
        return
    fund_columns = [k for k in sheet.headers if _is_fund_column(k)]
    if not sheet.rows:
        issues.report("workbook-no-projects", sheet.loc(2, sheet.headers["项目名称"], "项目名称"))
    for index, (r, cells) in enumerate(sheet.rows, start=1):
        data: dict[str, object] = {}
        for key in PROJECT_TEXTS + PROJECT_CLOSING:
            text = _text(sheet, cells, key, issues)
            if text is not None:
                data[key] = text
        for key in PROJECT_AMOUNTS:
            text = _text(sheet, cells, key, issues, amount=True)
            if text is not None:
                data[key] = text
        funds: dict[str, dict[str, str]] = {}
        for key in fund_columns:
            text = _text(sheet, cells, key, issues, amount=True)
            if text is not None:
                source, _, figure = key.rpartition(FUND_SEPARATOR)
                funds.setdefault(source, {})[figure] = text
        if funds:
            data[FUNDS] = funds
        overall = {k: t for k in OVERALL_KEYS if (t := _text(sheet, cells, k, issues)) is not None}
        if overall:
            data[OVERALL_GOAL] = overall
        number = index
        text = _text(sheet, cells, NUMBER, issues)
        if text is not None:
            digits = chars.to_halfwidth(text.strip())
            if digits.isdigit() and 1 <= int(digits) <= 9999:
                number = int(digits)
            else:  # reported; the row is still read, so its indicator rows find it
                issues.report("workbook-number", sheet.loc(r, sheet.headers[NUMBER], NUMBER), value=text)
        if "项目名称" not in data:
            issues.report("workbook-blank-name", sheet.loc(r, sheet.headers["项目名称"], "项目名称"))
            continue
        out.projects.append(ProjectRow(number, data, RowMap(sheet, r), r in sheet.broken_rows))


def _indicator_sheet(sheet: Sheet, out: YearBooks, issues: Issues) -> None:
    known = set(INDICATOR_COLUMNS)
    if not _columns(sheet, lambda k: k in known, INDICATOR_REQUIRED, issues):
        return
    above: dict[str, str | None] = {}
    blank_run = False
    for r, cells in sheet.rows:
        texts: dict[str, str] = {}
        for key in INDICATOR_COLUMNS:
            if key in SCORES:
                continue
            text = _text(sheet, cells, key, issues)
            if text is None and key in CONTINUED and above.get(key) is not None:
                same_project = key == "项目名称" or texts.get("项目名称") == above.get("项目名称")
                if same_project:
                    text = above[key]
            if text is not None:
                texts[key] = text
        name = texts.get("项目名称")
        if name is None:
            if not blank_run:  # once for a run of rows that all lack a project
                issues.report("workbook-blank-first-name", sheet.loc(r, sheet.headers["项目名称"], "项目名称"))
            blank_run = True
            continue
        blank_run = False
        above = {k: texts.get(k) for k in CONTINUED}
        goal: int | None = 1
        if GOAL in texts:
            digits = chars.to_halfwidth(texts[GOAL].strip())
            if digits.isdigit() and 1 <= int(digits) <= 20:
                goal = int(digits)
            else:
                issues.report("workbook-goal-number",
                              sheet.loc(r, sheet.headers[GOAL], GOAL), value=texts[GOAL])
                goal = None
        figures = {}
        for key in SCORES:
            text = _text(sheet, cells, key, issues, amount=True)
            if text is not None:
                figures[key] = (text, sheet.loc(r, sheet.headers[key], key))
        out.indicators.append(IndicatorRow(name.strip(), goal, texts, figures, RowLocs(sheet, r),
                                           texts.get(REMARK) if REMARK in sheet.headers else None,
                                           r in sheet.broken_rows))


def _unit_sheet(sheet: Sheet, out: YearBooks, issues: Issues) -> None:
    if not _columns(sheet, lambda k: k in (UNIT_KEY, UNIT_VALUE), (UNIT_KEY, UNIT_VALUE), issues):
        return
    out.department_sheet = f"{sheet.file} {sheet.name}"
    key_col, value_col = sheet.headers[UNIT_KEY], sheet.headers[UNIT_VALUE]
    for r, cells in sheet.rows:
        kcell = cells.get(key_col)
        if kcell is None or kcell.value is None:
            continue
        key = kcell.value.text.strip()
        loc = sheet.loc(r, value_col, key)
        vcell = cells.get(value_col)
        if vcell is not None:
            _check_cell(sheet, vcell, key, issues)
        if key in out.department:
            issues.report("workbook-duplicate-key", loc, value=key, key=key, first=out.department[key][1].describe())
            continue
        out.department[key] = (_unit_value(key, vcell), loc)


def _unit_value(key: str, cell: Cell | None) -> object:
    if cell is None or cell.value is None:
        return None  # left blank: as if the key were not written (a required one is reported missing here)
    v = cell.value
    if key in DATE_FORMATS and v.date is not None:
        return v.date
    if key in FLAG_KEYS:
        low = v.text.strip().lower()
        if low in ("true", "是", "yes", "1") and not v.number or v.text == "TRUE":
            return True
        if low in ("false", "否", "no", "0") and not v.number or v.text == "FALSE":
            return False
    if key in AMOUNT_KEYS:
        return v.plain
    if key == ACCEPTED:
        return codes(v.text)
    return v.text


def codes(text: str) -> list[str]:
    """已确认警告 in one cell: "nonstandard-level2、empty-value" as the list YAML writes; an entry may
    be narrowed, "nonstandard-level2:社会效益" or "empty-value@项目名称" (pipeline/problems/accepted.py)."""
    from pipeline.problems.accepted import split_cell

    return split_cell(text)


# --- indicator rows for the loader ------------------------------------------------------------------

def indicator_figure(text: str, loc: Loc, issues: Issues):
    """An amount typed in 分值 or 得分, read as YAML reads one (full-width digits with a warning)."""
    from pipeline.input.validation import halfwidth_amount

    text = halfwidth_amount(text, loc, issues)
    try:
        return parse_amount(text)
    except PydanticCustomError as exc:
        issues.report(exc.type, loc, text, **(exc.context or {}))
        return None


def indicator_text(row: IndicatorRow, key: str, issues: Issues) -> str:
    text = row.texts.get(key, "")
    try:
        return parse_text(text)
    except PydanticCustomError as exc:
        issues.report(exc.type, row.locs[key], text, **(exc.context or {}))
        return ""


def closest(name: str, names: list[str]) -> str:
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.3)
    if close:
        return f"最接近的项目：{'、'.join(close)}"
    return f"现有项目：{'、'.join(names[:5])}{'…' if len(names) > 5 else ''}" if names else "项目表里没有项目"

