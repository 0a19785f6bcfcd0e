"""From the texts read off one table to a project file's data (Chinese keys, canonical order).

What the form computes (执行率, 总分, 等级, the title) is not data: it is compared with what annex
computes and a difference is reported. What cannot be read is left out and reported, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from pipeline.problems.records import Issues, Loc
from pipeline.problems.phrases import WRITE_INTO, listing
from pipeline.input.arithmetic import amount_text, budget_score, execution_rate, grade_of
from pipeline.input.word.document import FoundTable
from pipeline.input.word.labels import norm
from pipeline.input.word.table import TableRead, read_table
from pipeline.input.word.ticks import read_group

_AMOUNT = re.compile(r"-?\d+(?:\.\d+)?")
_RATE = re.compile(r"(-?\d+(?:\.\d+)?)%")
# data key <- indicator header id
INDICATOR_KEYS = (("level1", "一级指标"), ("level2", "二级指标"), ("level3", "三级指标"), ("target", "年初目标值"),
                  ("actual", "实际完成值"))


@dataclass
class ProjectRead:
    doc: str
    number: int  # the table's number in its document
    variant: str
    data: dict  # the project file, Chinese keys in canonical order
    scoring: bool
    budget_weight: Decimal | None
    money_unit: str | None
    lines: tuple[str, ...]
    table: TableRead
    problems: Located
    indicator_count: int = 0
    missing: list[str] = field(default_factory=list)  # keys left for the user to fill


class Located:
    """Problems of one table, located at the document, the table and a label. They are kept until
    the project's file name is known (messages say which file to fill), then `flush`ed."""

    def __init__(self, doc: str, number: int):
        self.doc, self.number = doc, number
        self.pending: list[tuple[str, Loc, object, dict]] = []

    def loc(self, where: str) -> Loc:
        return Loc(self.doc, None, None, f"第 {self.number} 张表 {where}".rstrip())

    def report(self, code: str, where: str, value: object = None, **fields: object) -> None:
        self.pending.append((code, self.loc(where), value, fields))

    def flush(self, issues: Issues, file: str) -> None:
        for code, loc, value, fields in self.pending:
            if "file" in fields:
                fields = {**fields, "file": file}
            issues.report(code, loc, value=value, **fields)
        self.pending.clear()


def amount(text: str) -> Decimal | None:
    t = text.strip().replace(",", "").replace("，", "")
    return Decimal(t) if _AMOUNT.fullmatch(t) else None


def _report_nested(found: FoundTable, at: Located) -> None:
    """A table typed inside a cell: its text is not read (cells.py), and the user is told where,
    by the row's label (the nearest label at or left of the cell, else the row's first text)."""
    for i, row in enumerate(found.rows, 1):
        for c in row:
            if not c.nested:
                continue
            left = [d for d in row if d.col <= c.col and d.text and found.labels.match(d.text, prefix=True)]
            label = left[-1].text if left else next((d.text for d in row if d.text), "")
            where = (label.splitlines()[0] if label else f"第 {i} 行").strip()
            at.report("import-nested-table", where, count=c.nested, label=where, row=i)


@dataclass
class _Reading:
    """One table being read into a project file's data: what each step adds, and what it left for
    the user to fill."""

    t: TableRead
    at: Located
    label: dict[str, str]
    data: dict = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    scoring: bool = False
    budget_weight: Decimal | None = None
    money_unit: str | None = None

    def lacks(self, key: str, where: str, code: str = "import-missing", value: object = None, **fields) -> None:
        """`key` left out of the data, reported at `where` (the label the form prints)."""
        self.at.report(code, where, value, **({"label": where} if code == "import-missing" else fields),
                       file=WRITE_INTO["project"])
        self.missing.append(key)

    def text(self, key: str, lid: str) -> None:
        value = self.t.singles.get(lid, "")
        if value:
            self.data[key] = value
        else:
            self.lacks(key, self.label[lid])


def read_project(found: FoundTable, doc: str) -> ProjectRead:
    """The project file's data from one table, in the order of the file: names, ticks, money,
    goals, remarks; every value that cannot be read is left out and reported."""
    v = found.variant
    r = _Reading(read_table(found.rows, found.labels), Located(doc, found.number), v.labels)
    _report_nested(found, r.at)
    r.text("项目名称", "project_name")
    if r.t.singles.get("department"):
        r.data["主管部门"] = r.t.singles["department"]
    r.text("项目实施单位", "implementer")
    _checkboxes(r, v.checkbox_groups)
    if "预算数" in v.required_keys or r.t.budget_label is not None:
        _budget(r)
    if v.fund_sources:
        _funds(r, v.fund_sources)
    if "overall_goal" in r.label:
        _overall_goal(r)
    goals = _goals(r.t)
    r.scoring = r.scoring or any("weight" in row or "score" in row for g in goals for row in g)
    r.data["年度绩效目标"] = [{"指标": [_indicator(row, r.scoring, r.at) for row in g]} for g in goals]
    if "reason" in r.label:
        r.text("偏差原因分析", "reason")
    if "measures" in r.label:
        r.text("改进措施", "measures")
    if not r.scoring:
        r.budget_weight = None
    if r.scoring and r.t.total and r.budget_weight is not None:
        _check_total(r.at, v, r.t, goals, r.budget_weight, r.data)
    return ProjectRead(doc, found.number, v.name, r.data, r.scoring, r.budget_weight, r.money_unit, found.lines, r.t,
                       r.at, sum(len(g) for g in goals), r.missing)


def _checkboxes(r: _Reading, groups: dict[str, list[str]]) -> None:
    """Each group's one ticked option; none, several or unreadable ticks are reported."""
    for group, options in groups.items():
        cell = r.t.groups.get(group)
        if cell is None:
            r.lacks(group, group)
            continue
        reading = read_group(cell, options)
        for n, printed, expected in reading.renamed:
            r.at.report("import-option-renamed", group, printed, group=group, n=n, printed=printed, expected=expected)
        if reading.chosen:
            r.data[group] = reading.chosen
        elif not reading.found_options:
            r.lacks(group, group, "import-checkbox-unread", cell, group=group, options=listing(options))
        elif len(reading.ticked) > 1:
            r.lacks(group, group, "import-checkbox-many", cell, group=group, count=len(reading.ticked),
                    ticked=listing(dict.fromkeys(reading.ticked)))
        else:
            r.lacks(group, group, "import-checkbox-none", cell, group=group, options=listing(options))


def _budget(r: _Reading) -> None:
    """预算数 and 执行数 (the hubei form's one budget row), its printed rate checked, its 分值."""
    t = r.t
    r.money_unit = t.budget_label.unit if t.budget_label else None
    figures = {}
    for key, lid in (("预算数", "planned"), ("执行数", "spent")):
        printed = t.budget.get(lid, "")
        value = amount(printed)
        if value is None:
            r.lacks(key, r.label[lid], "import-amount" if printed else "import-missing", printed or None,
                    label=r.label[lid], printed=printed)
        else:
            r.data[key] = value
            figures[lid] = value
    _check_rate(r.at, r.label["rate"], t.budget.get("rate", ""), figures.get("spent"), figures.get("planned"))
    if "weight" in t.budget or "score" in t.budget:
        r.scoring = True
    weight = t.budget.get("weight") or (t.budget_label.weight if t.budget_label else None)
    if weight:  # a `(20 分)` typed on a form without score columns is no scoring
        r.budget_weight = amount(weight)


def _funds(r: _Reading, sources: dict[str, str]) -> None:
    """项目资金 by source (the national form's rows), the total's printed rate checked."""
    t = r.t
    r.money_unit = t.funds_label.unit if t.funds_label else None
    funds = {}
    for key, where in sources.items():
        row = t.funds.get(key)
        if row is None:
            r.lacks(f"项目资金.{key}", where)
            continue
        entry = {}
        for dkey, lid in (("年初预算数", "initial"), ("全年预算数", "planned"), ("全年执行数", "spent")):
            value = amount(row.get(lid, ""))
            if value is None:
                lab = f"{where} {r.label[lid]}"
                r.lacks(f"项目资金.{key}.{dkey}", lab, "import-amount", row.get(lid), label=lab, printed=row.get(lid, ""))
            else:
                entry[dkey] = value
        funds[key] = entry
    r.data["项目资金"] = funds
    total = t.funds.get("total", {})
    complete = [f for f in funds.values() if "全年预算数" in f and "全年执行数" in f]
    if len(complete) == len(sources):
        planned = sum((f["全年预算数"] for f in complete), Decimal(0))
        spent = sum((f["全年执行数"] for f in complete), Decimal(0))
        _check_rate(r.at, r.label["rate"], total.get("rate", ""), spent, planned)
    if total.get("weight"):
        r.budget_weight = amount(total["weight"])
    r.scoring = True


def _overall_goal(r: _Reading) -> None:
    expected, achieved = r.t.overall.get("expected"), r.t.overall.get("achieved")
    if expected or achieved:
        r.data["年度总体目标"] = {"预期目标": expected or "", "实际完成情况": achieved or ""}
    else:
        r.lacks("年度总体目标", r.label["overall_goal"])


def _goals(t: TableRead) -> list[list[dict[str, str]]]:
    """The goals with rows; a form whose goals share one block (merged 一级 cells) is split where a
    一级 cell restarts with the text of the one above: within a goal those merge."""
    goals = []
    for g in t.goals:
        if not t.merged_level1:
            goals.append(g.rows)
            continue
        current: list[dict[str, str]] = []
        for row, restart in zip(g.rows, g.level1_restarts):
            if current and restart and row.get("level1") == current[-1].get("level1"):
                goals.append(current)
                current = []
            current.append(row)
        goals.append(current)
    while goals and not goals[-1]:
        goals.pop()
    return goals


def _indicator(row: dict[str, str], scoring: bool, at: Located) -> dict:
    out: dict = {key: row.get(hid, "") for hid, key in INDICATOR_KEYS}
    if scoring:
        for hid, key in (("weight", "分值"), ("score", "得分")):
            printed = row.get(hid, "")
            value = amount(printed)
            if value is not None:
                out[key] = value
            elif printed:
                at.report("import-amount", f"{row.get('level3', '')} {key}", printed, label=key, printed=printed,
                          file=WRITE_INTO["project"])
    if row.get("remark"):
        out["偏差原因分析及改进措施"] = row["remark"]
    return out


def _check_rate(at: Located, label: str, printed: str, spent: Decimal | None, planned: Decimal | None) -> None:
    if spent is None or planned is None or planned <= 0:
        return
    computed = execution_rate(spent, planned)
    m = _RATE.fullmatch(norm(printed).replace("％", "%"))
    if m and Decimal(m.group(1)) == computed:
        return
    at.report("import-rate-differs", label, printed, printed=printed or "（空白）", computed=f"{computed}%",
              spent=amount_text(spent), planned=amount_text(planned))


def _check_total(at: Located, v, t: TableRead, goals, budget_weight: Decimal, data: dict) -> None:
    """总分 and 等级 as printed against annex's: 预算执行得分 from the computed rate plus the indicators' 得分."""
    if "项目资金" in data:
        funds = data["项目资金"].values()
        try:
            planned = sum((f["全年预算数"] for f in funds), Decimal(0))
            spent = sum((f["全年执行数"] for f in funds), Decimal(0))
        except KeyError:
            return
    else:
        planned, spent = data.get("预算数"), data.get("执行数")
    scores = [r.get("得分") for g in data["年度绩效目标"] for r in g["指标"]]
    if planned is None or spent is None or planned <= 0 or any(s is None for s in scores):
        return
    from decimal import ROUND_HALF_UP

    total = (budget_score(budget_weight, execution_rate(spent, planned)) + sum(scores, Decimal(0))).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP)
    numbers = [amount(x) for x in t.total.get("numbers", "").split("\n") if x.strip()]
    printed = numbers[-1] if numbers and numbers[-1] is not None else None
    if printed is not None and printed != total:
        at.report("import-total-differs", v.labels["total"], str(printed), label=v.labels["total"],
                  printed=str(printed), computed=str(total))
    grade = t.total.get("grade")
    if grade and grade != grade_of(v, total):
        at.report("import-total-differs", "自评等级", grade, label="自评等级", printed=grade, computed=grade_of(v, total))
