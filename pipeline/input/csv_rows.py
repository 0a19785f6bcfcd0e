"""The optional CSVs (预算执行.csv, 绩效指标.csv) matched to the year's projects by 项目名称.

A row matching no project suggests the closest names; a project that exists only in CSV rows gets
one error telling to create its file; blank 项目名称 on continuation rows continue the row above.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

from pydantic_core import PydanticCustomError

from pipeline.problems import phrases
from pipeline.input import chars, tree
from pipeline.input.csv_file import CsvRow, CsvTable, read_csv
from pipeline.problems.records import Issues
from pipeline.files.paths import display_path
from pipeline.input.model import (
    Figure,
    IndicatorInput,
    parse_amount,
    parse_text,
)
from pipeline.input.validation import TYPO_CUTOFF, ProjectFile, check_characters, halfwidth_amount

BUDGET_CSV = "预算执行.csv"
INDICATOR_CSV = "绩效指标.csv"
INDICATOR_FIELDS = ("一级指标", "二级指标", "三级指标", "年初目标值", "实际完成值")
REMARK = "偏差原因分析及改进措施"


def optional_csv(path: Path, required: tuple, optional: tuple, base: Path | None, issues: Issues) -> CsvTable | None:
    if not tree.is_regular(path):
        return None  # absent; or a link, FIFO or folder, which the scan reported
    table = read_csv(path, display_path(path, base), required, optional, issues)
    if table:
        for row in table.rows:
            for col, text in row.values.items():
                check_characters(text, table.loc(row, col), issues)
    return table


@dataclass
class _Matcher:
    """Matches CSV rows to the project files by 项目名称, saying each unknown name once where it is
    one mistake (a project with rows but no file), and per row where each row needs fixing (a typo)."""

    table: CsvTable
    names: list[str]
    unreadable: frozenset[str]  # names of project files that could not be read (their errors say why)
    csv: str
    issues: Issues
    row_names: list[str]  # each row's project, as matched (a blank filled down where the CSV allows it)
    said: set = field(default_factory=set)

    def __call__(self, row: CsvRow, name: str) -> str | None:
        if name in self.names:
            return name
        if name in self.unreadable or name in self.said:
            return None
        loc = self.table.loc(row, "项目名称")
        close = difflib.get_close_matches(name, self.names, n=3, cutoff=0.3)
        if name and not difflib.get_close_matches(name, self.names, n=1, cutoff=TYPO_CUTOFF):
            rows = self.row_names.count(name)
            self.issues.report("csv-project-without-file", loc, name, name=name, csv=self.csv, rows=rows)
            self.said.add(name)
            return None
        self.issues.report("csv-unknown-project", loc, name, candidates=phrases.candidates(close, self.names))
        return None


def _csv_amount(table: CsvTable, row: CsvRow, column: str, issues: Issues) -> Figure | None:
    text = row.values.get(column, "")
    if text == "":
        return None
    loc = table.loc(row, column)
    text = halfwidth_amount(text, loc, issues)
    try:
        return Figure(parse_amount(text), loc)
    except PydanticCustomError as exc:
        context = exc.context or {}
        if context.get("reason") == phrases.AMOUNT_REASON["thousands"]:
            # "1,024.00": the column is formatted 会计专用/数值 with separators, and the CSV keeps the display.
            issues.report("csv-amount-thousands", loc, text, example=context["example"])
        else:
            issues.report(exc.type, loc, text, **context)
        return None


def match_budget_rows(table: CsvTable, projects: list[ProjectFile], unreadable: frozenset[str],
                 issues: Issues) -> dict[str, dict[str, Figure | None]]:
    row_names = [row.values.get("项目名称", "") for row in table.rows]
    match = _Matcher(table, [p.data.name for p in projects], unreadable, BUDGET_CSV, issues, row_names)
    out: dict[str, dict[str, Figure | None]] = {}
    first_line: dict[str, int] = {}
    for row, written in zip(table.rows, row_names):
        name = match(row, written)
        if name is None:
            continue
        if name in out:
            issues.report("csv-duplicate-row", table.loc(row, "项目名称"), name, name=name, first_line=first_line[name])
            continue
        first_line[name] = row.line
        # A cell that was written but is invalid maps to None: its error is already reported.
        out[name] = {k: _csv_amount(table, row, k, issues) for k in ("预算数", "执行数") if row.values.get(k)}
    return out


def match_indicator_rows(table: CsvTable, projects: list[ProjectFile], unreadable: frozenset[str],
                    issues: Issues) -> dict[str, list[tuple[int, IndicatorInput]]]:
    # A blank 项目名称 continues the project of the row above: the merged-cell habit of Excel users.
    row_names, above = [], ""
    for row in table.rows:
        above = row.values.get("项目名称", "") or above
        row_names.append(above)
    match = _Matcher(table, [p.data.name for p in projects], unreadable, INDICATOR_CSV, issues, row_names)
    out: dict[str, list[tuple[int, IndicatorInput]]] = {}
    for row, filled in zip(table.rows, row_names):
        name = match(row, filled)
        goal_text = chars.to_halfwidth(row.values.get("目标", ""))
        goal_ok = re.fullmatch(r"[0-9]{1,2}", goal_text) is not None and 1 <= int(goal_text) <= 20  # not ² or ①
        if not goal_ok:
            issues.report("csv-goal-number", table.loc(row, "目标"), row.values.get("目标"))
        texts = {}
        for col in INDICATOR_FIELDS:
            try:
                texts[col] = parse_text(row.values.get(col, ""))
            except PydanticCustomError as exc:
                issues.report(exc.type, table.loc(row, col), row.values.get(col), **(exc.context or {}))
                texts[col] = ""
        if name is None or not goal_ok:
            continue
        ind = IndicatorInput(
            texts["一级指标"], texts["二级指标"], texts["三级指标"], texts["年初目标值"], texts["实际完成值"],
            _csv_amount(table, row, "分值", issues) if "分值" in table.columns else None,
            _csv_amount(table, row, "得分", issues) if "得分" in table.columns else None,
            {col: table.loc(row, col) for col in table.columns},
            row.values.get(REMARK) or None if REMARK in table.columns else None,
        )
        out.setdefault(name, []).append((int(goal_text), ind))
    return out
