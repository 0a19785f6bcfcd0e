"""`annex new-year Y [--from X]`: year Y's data started from year X's.

What stays from year to year is kept: the unit, every project with its names, units, categories and
indicators (一级/二级/三级, 年初目标值, 分值), the overall goal's 预期目标. This year's facts are
written empty (`预算数:`) for the user to fill: 填报日期, 预算数, 执行数, each source's figures,
实际完成值, 得分, 实际完成情况, 偏差原因分析, 改进措施. `annex check` then lists each of them as
"本年度尚未填写". Year X is read through the loader (YAML or CSV alike) and never written; an
existing year Y is never touched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.files.paths import display_path
from pipeline.errors import Abort
from pipeline.problems.stops import FOR_EXAMPLE
from pipeline.input.model import ProjectIn
from pipeline.write.data_folder import Written, write_year
from pipeline.input.model import ProjectInput, YearInput
from pipeline.input.year import load_year
from pipeline.input.word import PROJECT_ORDER

GROUPS = ("项目类别", "项目属性", "项目类型")


class NewYearError(Abort):
    """The new year cannot be started (it exists, or there is no year to start from)."""


@dataclass
class Started:
    source: Path
    target: Path
    written: Written
    to_fill: int  # empty values written for the user to fill


def start_year(data: Path, year: int, source_year: int | None = None) -> Started:
    target = data / str(year)
    if target.exists() or target.is_symlink():
        raise NewYearError("new-year-exists", year_dir=display_path(target))
    if source_year is None:
        years = [int(p.name) for p in data.iterdir() if p.is_dir() and re.fullmatch(r"\d{4}", p.name)
                 and int(p.name) < year] if data.is_dir() else []
        if not years:
            raise NewYearError("new-year-no-source", data=display_path(data), year=year)
        source_year = max(years)
    source = data / str(source_year)
    if not source.is_dir():
        raise NewYearError("new-year-source-missing", year_dir=display_path(source))
    loaded, issues = load_year(source)
    if issues.errors or loaded.department is None:
        first = issues.errors[0] if issues.errors else None
        where = FOR_EXAMPLE.format(file=first.file, message=first.message) if first else ""
        raise NewYearError("new-year-source-errors", year=source_year, count=len(issues.errors), example=where)
    department, empty = _department(loaded)
    projects = []
    for p in loaded.projects:
        data_, n = _project(p, loaded)
        projects.append((p.key, data_))
        empty += n
    written = write_year(target, department, projects)
    return Started(source, target, written, empty)


def _department(year: YearInput) -> tuple[dict, int]:
    d = year.department
    written = d.model_fields_set
    out: dict = {"单位名称": d.unit}
    if d.department is not None:
        out["主管部门"] = d.department
    printed = year.variant is None or year.variant.prints_date
    if printed:  # a form that prints no date (national-2020) needs none
        out["填报日期"] = None
    for attr, key in (("variant", "表样"), ("scoring", "评分"), ("budget_weight", "预算执行分值"), ("money_unit", "金额单位"),
                      ("rules", "评分规则"), ("accepted", "已确认警告")):
        if attr in written:
            out[key] = getattr(d, attr)
    return out, int(printed)


def _project(p: ProjectInput, year: YearInput) -> tuple[dict, int]:
    d: ProjectIn = p.data
    need = set(year.variant.required_keys)  # the variant's yearly keys beyond the indicators
    scoring = bool(year.department.scoring) or year.variant.scoring_always
    out: dict = {"项目名称": d.name}
    if d.table_name is not None:
        out["表名"] = d.table_name
    if d.department is not None:
        out["主管部门"] = d.department
    out["项目实施单位"] = d.implementer
    for key, value in zip(GROUPS, (d.category, d.attribute, d.kind)):
        if value is not None:
            out[key] = value
    empty = 0
    if "预算数" in need or p.planned is not None:
        out["预算数"] = out["执行数"] = None
        empty += 2
    if d.funds is not None:
        out["项目资金"] = {k: {"年初预算数": None, "全年预算数": None, "全年执行数": None} for k in d.funds}
        empty += 3 * len(d.funds)
    if d.overall_goal is not None:
        out["年度总体目标"] = {"预期目标": d.overall_goal.expected, "实际完成情况": None}
        empty += 1
    goals = []
    for g in p.goals:
        rows = []
        for ind in g.indicators:
            row: dict = {"一级指标": ind.level1, "二级指标": ind.level2, "三级指标": ind.level3,
                         "年初目标值": ind.target, "实际完成值": None}
            empty += 1
            if ind.weight is not None:
                row["分值"] = ind.weight.value
            if scoring:
                row["得分"] = None
                empty += 1
            rows.append(row)
        goals.append({"指标": rows})
    out["年度绩效目标"] = goals
    for key, value in (("偏差原因分析", d.reason), ("改进措施", d.measures)):
        if key in need or value is not None:
            out[key] = None
            empty += 1
    if d.accepted is not None:  # warnings the user reviewed stay reviewed
        out["已确认警告"] = list(d.accepted)
    return {k: out[k] for k in PROJECT_ORDER if k in out}, empty
