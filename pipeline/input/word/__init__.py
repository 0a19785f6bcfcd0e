"""Reading 项目支出绩效自评表 tables out of Word documents into a year's data (`annex import`).

document.py finds the tables (by the labels of the variants under templates/), table.py reads each
by its labels, project.py turns the texts into a project file's data, heading.py reads the lines
above each table; this module puts the tables
of all documents together: the year, the unit and the date each table prints are taken by majority
(an odd table is reported), the titles become 表名 where they differ from 项目名称, and the projects
are numbered in document order.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.problems.phrases import UNNAMED_PROJECT, WRITE_INTO, listing
from pipeline.problems.records import Issues, Loc
from pipeline.files.names import safe_file_stem
from pipeline.input.word.document import Unreadable, find_tables, open_docx
from pipeline.input.word.heading import Heading, line_prefix, read_heading
from pipeline.input.word.labels import FormLabels
from pipeline.input.word.project import ProjectRead, read_project
from pipeline.variant import DEFAULT_VARIANT, Variant, available_variants, load_variant


@dataclass
class Imported:
    year: int | None
    variant: str
    department: dict  # department.yaml, Chinese keys in canonical order
    projects: list[tuple[str, dict]]  # (file stem, project data) in document order
    issues: Issues
    tables: int = 0
    documents: int = 0
    missing: dict[str, list[str]] = field(default_factory=dict)  # file -> keys left to fill


def _majority(values: list) -> object:
    counts = Counter(v for v in values if v is not None)
    if not counts:
        return None
    best = max(counts.values())
    return next(v for v in values if v is not None and counts[v] == best)  # ties: the first table's


def import_documents(paths: list[Path], year: int | None = None, display=str) -> Imported:
    """Read every table of `paths`. `display(path)` is how a document is named in messages."""
    issues = Issues()
    reads, docs = _read_documents(paths, display, issues)
    variant_name, kept = _one_variant(reads, issues)
    variant = load_variant(variant_name)
    headings = [read_heading(r.lines, variant) for r in kept]
    # national-2020 prints no unit line: the bundle's own file name carries the unit
    if not variant.unit_line:
        headings = [_unit_from_name(h, r.doc) for h, r in zip(headings, kept)]
    result = Imported(None, variant_name, {}, [], issues, len(kept), docs)
    if not kept:
        return result
    result.year, unit, date = _heading_majorities(kept, headings, variant, year)
    if result.year is None:
        issues.report("import-year-missing", Loc(kept[0].doc))
    _titles(kept, headings, variant)
    scoring = _majority([r.scoring for r in kept])
    dept_of = _majority([r.data.get("主管部门") for r in kept])
    _project_files(kept, scoring, dept_of, result)
    result.department = _department(kept, unit, dept_of, date, variant, scoring, issues)
    return result


def _read_documents(paths: list[Path], display, issues: Issues) -> tuple[list[ProjectRead], int]:
    """Every table that reads as a form of a variant, and how many documents could be opened."""
    forms = [FormLabels(load_variant(n)) for n in available_variants()]
    reads: list[ProjectRead] = []
    docs = 0
    for path in paths:
        doc = display(path)
        try:
            document = open_docx(path)
        except Unreadable as e:
            issues.report(e.code, Loc(doc), **e.fields)
            continue
        docs += 1
        found = find_tables(document, forms)
        if not found:
            issues.report("import-no-table", Loc(doc), variants=listing(f.variant.name for f in forms))
            continue
        reads.extend(read_project(f, doc) for f in found)
    return reads, docs


def _one_variant(reads: list[ProjectRead], issues: Issues) -> tuple[str, list[ProjectRead]]:
    """A year has one variant: the majority's; the other tables are reported and left out."""
    variant_name = _majority([r.variant for r in reads]) or DEFAULT_VARIANT
    kept = []
    for r in reads:
        if r.variant != variant_name:
            issues.report("import-mixed-variants", r.problems.loc(""), variant=r.variant, majority=variant_name)
        else:
            kept.append(r)
    return variant_name, kept


def _heading_majorities(kept: list[ProjectRead], headings: list[Heading], variant: Variant, year: int | None):
    """The year, unit and date most tables print (the year given wins); a table printing another is reported."""
    the_year = year if year is not None else _majority([h.year for h in headings])
    unit = _majority([h.unit for h in headings])
    date = _majority([h.date for h in headings])
    for h, r in zip(headings, kept):
        if year is None and h.year is not None and h.year != the_year:
            r.problems.report("import-differs", "标题", h.title, label="年度", printed=h.year,
                              count=_count(headings, "year", the_year), majority=the_year)
        if unit and h.unit is not None and h.unit != unit:
            r.problems.report("import-differs", line_prefix(variant.unit_line), h.unit, label="单位名称", printed=h.unit,
                              count=_count(headings, "unit", unit), majority=unit)
        if date and h.date_text is not None and h.date != date:
            r.problems.report("import-differs", line_prefix(variant.date_line), h.date_text, label="填报日期",
                              printed=h.date_text, count=_count(headings, "date", date), majority=date)
    return the_year, unit, date


def _project_files(kept: list[ProjectRead], scoring: bool, dept_of: str | None, result: Imported) -> None:
    """Each table as projects/NN-项目名称.yaml in document order, its problems now naming that file."""
    for n, r in enumerate(kept, start=1):
        stem = safe_file_stem(f"{n:02d}", r.data.get("项目名称") or UNNAMED_PROJECT)
        file = f"projects/{stem}.yaml"
        if dept_of and r.data.get("主管部门") == dept_of:
            del r.data["主管部门"]
        if not scoring:
            for g in r.data["年度绩效目标"]:
                for ind in g["指标"]:
                    ind.pop("分值", None)
                    ind.pop("得分", None)
        r.problems.flush(result.issues, file)
        result.projects.append((stem, _ordered(r.data)))
        if r.missing:
            result.missing[file] = r.missing


def _department(kept: list[ProjectRead], unit: str | None, dept_of: str | None, date, variant: Variant,
                scoring: bool, issues: Issues) -> dict:
    """department.yaml from what the tables print by majority; what none prints is reported."""
    dept: dict = {}
    if unit:
        dept["单位名称"] = unit
    else:
        issues.report("import-not-found", Loc(kept[0].doc), label="单位名称", file=WRITE_INTO["department"])
    if dept_of:
        dept["主管部门"] = dept_of
    if date:
        dept["填报日期"] = date
    elif variant.prints_date:  # a form that prints no date (national-2020) needs none
        issues.report("import-not-found", Loc(kept[0].doc), label="填报日期", file=WRITE_INTO["department"])
    dept["表样"] = variant.name
    if not variant.scoring_always:
        dept["评分"] = bool(scoring)
    weight = _majority([r.budget_weight for r in kept]) if scoring else None
    if weight is not None and weight != variant.budget_weight:
        dept["预算执行分值"] = weight
    money = _majority([r.money_unit for r in kept])
    if money and (money != "万元" or len(variant.money_units) > 1):
        dept["金额单位"] = money
    return dept


def _count(headings: list[Heading], attr: str, value) -> int:
    return sum(1 for h in headings if getattr(h, attr) == value)


def _unit_from_name(h: Heading, doc: str) -> Heading:
    m = re.fullmatch(r"(?P<unit>.+)-(?P<year>\d{4})年度项目支出绩效自评表", Path(doc).stem)
    if not m or h.unit:
        return h
    return Heading(h.year or int(m.group("year")), h.name, h.title, m.group("unit"), h.date, h.date_text)


def _titles(kept: list[ProjectRead], headings: list[Heading], variant: Variant) -> None:
    """A title naming another project than 项目名称 is that table's 表名, unless it repeats the
    title of another table (copied by mistake): then it is reported and left out."""
    if "{name}" not in variant.title:
        return
    first: dict[str, int] = {}
    owners: dict[str, int] = {}
    for i, (h, r) in enumerate(zip(headings, kept)):
        if h.name is not None:
            first.setdefault(h.name, i)
            if h.name == r.data.get("项目名称"):
                owners.setdefault(h.name, i)
    for i, (h, r) in enumerate(zip(headings, kept)):
        name = r.data.get("项目名称")
        if h.name is None:
            r.problems.report("import-title-unread", "标题", pattern=variant.title.format(year="〈年度〉", name="〈项目名称〉"))
            continue
        if h.name == name:
            continue
        owner = owners.get(h.name, first[h.name])
        if owner != i:
            other = kept[owner]
            where = other.number if other.doc == r.doc else f"{other.doc} 第 {other.number}"
            r.problems.report("import-title-copied", "标题", h.title, title=h.title, other=where, name=name or "")
            continue
        r.data["表名"] = h.name


PROJECT_ORDER = ("项目名称", "表名", "主管部门", "项目实施单位", "项目类别", "项目属性", "项目类型", "预算数", "执行数",
                 "项目资金", "年度总体目标", "年度绩效目标", "偏差原因分析", "改进措施", "已确认警告")


def _ordered(data: dict) -> dict:
    return {k: data[k] for k in PROJECT_ORDER if k in data}
