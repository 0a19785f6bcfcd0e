"""Load one year folder (department.yaml, projects/*.yaml, the optional CSVs, a workbook) into the input model.

Every problem is recorded with its place; loading goes on past problems so that one run reports
them all. A file with a wrong value still takes part in every other check, the value left out
(validate_model); a file that cannot be parsed is left out of the result (its errors say why), but
its 项目名称 is still looked for, so its CSV rows are not reported as matching no project.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from pydantic import BaseModel

from pipeline.problems import phrases
from pipeline.input import tree
from pipeline.input.folders import is_year_name
from pipeline.problems.records import Issues, Loc
from pipeline.files.paths import display_path
from pipeline.input.model import (
    DepartmentIn,
    Figure,
    GoalInput,
    IndicatorInput,
    ProjectIn,
    ProjectInput,
    YamlLocs,
    YearInput,
)
from pipeline.scoring.ruleset import RuleSet, choose_rules
from pipeline.variant import available_variants, load_variant, rules_dir
from pipeline.input.yaml_file import SourceMap, read_yaml
from pipeline.input.csv_rows import (
    BUDGET_CSV,
    INDICATOR_CSV,
    INDICATOR_FIELDS,
    REMARK,
    match_budget_rows,
    match_indicator_rows,
    optional_csv,
)
from pipeline.input.validation import (
    ProjectFile,
    lenient,
    unfilled,
    validate_model,
    walk_strings,
)

PROJECT_FILE = re.compile(r"(\d{1,4})[-_ ．.、](.+)")


# --- turning pydantic's errors into located, catalogued records ---------------------------------

# pydantic's own error types -> wrong-type's {expected}. Our validators (model.py) raise catalogue
# codes directly, with the template's fields as the error's context.



def _read_model(path: Path, model: type[BaseModel], base: Path, issues: Issues):
    display = display_path(path, base)
    read = read_yaml(path, display, issues)
    if read is None:
        return None, SourceMap(display)
    data, smap = read
    walk_strings(data, smap, issues)
    data = unfilled(data, smap, issues)
    data = lenient(data, smap, issues)
    return validate_model(model, data, smap, issues), smap


# --- the year folder ---------------------------------------------------------------------------

def load_year(year_dir: Path, base: Path | None = None) -> tuple[YearInput, Issues]:
    """Read a year folder. `base` is what file names in messages are relative to (default: cwd)."""
    issues = Issues()
    dir_loc = Loc(display_path(year_dir, base))
    if not is_year_name(year_dir.name):
        issues.report("year-folder", dir_loc)
        return YearInput(0, year_dir), issues
    year = YearInput(int(year_dir.name), year_dir)
    if not year_dir.is_dir():
        issues.report("year-not-found", dir_loc)
        return year, issues
    tree.report(tree.scan(year_dir), display_path(year_dir, base), issues)  # links, FIFOs, bad names
    if not tree.listable(year_dir):
        return year, issues  # unreadable: reported by the scan, nothing more can be said

    from pipeline.input.workbook import load as workbook  # data kept in data/<year>/*.xlsx

    books = workbook.read_books(year_dir, base, issues)
    dept_path = year_dir / "department.yaml"
    if os.path.lexists(dept_path) and not tree.is_regular(dept_path):
        pass  # a link, FIFO or folder: reported by the scan
    elif books.department_sheet:
        year.department, year.department_smap = workbook.department(books, dept_path, base, issues)
    elif not dept_path.is_file():
        issues.report("missing-file", Loc(display_path(dept_path, base)))
    else:
        year.department, year.department_smap = _read_model(dept_path, DepartmentIn, base, issues)
    if year.department is not None:
        name = year.department.variant
        if name in available_variants():
            year.variant = load_variant(name)
            if not year.variant.prints_date:  # not printed, so not required: an empty one is no gap to fill
                unfilled_date = ("not-filled", year.department_smap.file, "填报日期")
                issues.items[:] = [i for i in issues.items if (i.code, i.file, i.field) != unfilled_date]
        else:
            issues.report("unknown-variant", year.department_smap.loc(("表样",)), name,
                          variants=phrases.listing(available_variants()))
        year.rules = _year_rules(year, base, issues)

    projects, unreadable = _load_projects(year_dir, base, issues, optional=books.has_projects)
    projects = workbook.merge_projects(projects, workbook.project_files(books, issues), issues)
    book_rows = workbook.indicator_rows(books, projects, issues)
    budget_csv = optional_csv(year_dir / BUDGET_CSV, ("项目名称", "预算数", "执行数"), (), base, issues)
    indicator_csv = optional_csv(
        year_dir / INDICATOR_CSV, ("项目名称", "目标") + INDICATOR_FIELDS, ("分值", "得分", REMARK), base, issues
    )
    budget_rows = match_budget_rows(budget_csv, projects, unreadable, issues) if budget_csv else {}
    indicator_rows = match_indicator_rows(indicator_csv, projects, unreadable, issues) if indicator_csv else {}
    for f in projects:
        rows = indicator_rows.get(f.data.name) or book_rows.get(f.data.name)
        year.projects.append(_assemble(f, budget_rows.get(f.data.name), rows, issues))
    return year, issues


def _year_rules(year: YearInput, base: Path | None, issues: Issues) -> RuleSet | None:
    """The scoring rule set: department.yaml's `评分规则`, else the variant's default."""
    variant = year.variant
    name = year.department.rules
    if name is None:
        return variant.default_rules() if variant is not None else None
    where = year.department_smap.loc(("评分规则",))
    rules = choose_rules(name, where, issues, rules_dir(), base)
    if rules is not None and variant is not None and rules.budget.denominator == "年初预算数" \
            and not variant.fund_sources:
        issues.report("rules-denominator", where, name, rules=name, variant=variant.name)
        return None
    return rules


def _load_projects(year_dir: Path, base: Path | None, issues: Issues,
                   optional: bool = False) -> tuple[list[ProjectFile], frozenset[str]]:
    """The project files that could be read, and the names (as far as they can be seen) of the ones
    that could not: their CSV rows are not theirs to report again. `optional`: a workbook holds
    projects, so the folder may be absent or empty."""
    folder = year_dir / "projects"
    folder_loc = Loc(display_path(folder, base))
    if os.path.islink(folder) or (folder.is_dir() and not tree.listable(folder)):
        return [], frozenset()  # reported by the scan
    if optional and not (folder.is_dir() and any(folder.glob("*.y*ml"))):
        return [], frozenset()
    if not folder.is_dir():
        issues.report("missing-folder", folder_loc)
        return [], frozenset()
    files = sorted(p for p in tree.entries(folder)
                   if p.suffix.lower() in (".yaml", ".yml") and not p.name.startswith(".") and tree.is_regular(p))
    chosen = set(files)
    others = sorted(p for p in tree.entries(folder) if tree.is_regular(p) and p not in chosen and not p.name.startswith("."))
    for p in others:
        issues.report("not-yaml", Loc(display_path(p, base)))
    if not files:
        issues.report("no-projects", folder_loc)
        return [], frozenset()
    out = []
    unreadable: set[str] = set()
    seen_numbers: dict[int, str] = {}
    for path in files:
        display = display_path(path, base)
        m = PROJECT_FILE.fullmatch(path.stem)
        if not m and re.match(r"\d{5,}", path.stem):
            issues.report("file-number-too-long", Loc(display), value=path.name)
            unreadable.update(_name_in_text(path))
            continue
        if not m or path.suffix.lower() != ".yaml":
            issues.report("file-name", Loc(display), path.name, reason=_file_name_fault(path))
            unreadable.update(_name_in_text(path))
            continue
        number = int(m.group(1))
        if number in seen_numbers:
            issues.report("duplicate-number", Loc(display), path.name, number=m.group(1), other=seen_numbers[number])
            unreadable.update(_name_in_text(path))
            continue
        seen_numbers[number] = path.name
        data, smap = _read_model(path, ProjectIn, base, issues)
        if data is not None:
            out.append(ProjectFile(path.stem, f"{number:02d}", display, data, smap))
        else:
            unreadable.update(_name_in_text(path))
    out.sort(key=lambda f: int(f.number))
    return out, frozenset(unreadable)


def _file_name_fault(path: Path) -> str:
    faults = []
    if path.suffix.lower() != ".yaml":
        faults.append(phrases.FILE_NAME_FAULT["extension"].format(suffix=path.suffix))
    if re.fullmatch(r"\d{1,4}", path.stem):
        faults.append(phrases.FILE_NAME_FAULT["no-name"])
    elif not PROJECT_FILE.fullmatch(path.stem):
        faults.append(phrases.FILE_NAME_FAULT["no-number"])
    return "，".join(faults)


_NAME_LINE = re.compile(r"^项目名称[ \t　]*[:：][ \t　]*['\"]?(.+?)['\"]?[ \t　]*$", re.M)


def _name_in_text(path: Path) -> set[str]:
    """项目名称 as written in a file that could not be read as YAML: enough to know its CSV rows."""
    if path.is_symlink() or not path.is_file():
        return set()  # only regular files are read
    try:
        with path.open("rb") as f:
            raw = f.read(MAX_NAME_SCAN)
    except OSError:
        return set()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return set()
    return {m.group(1) for m in _NAME_LINE.finditer(text)}


MAX_NAME_SCAN = 64 * 1024


def _yaml_goals(data: ProjectIn, smap: SourceMap) -> tuple[GoalInput, ...]:
    goals = []
    for g, goal in enumerate(data.goals or ()):
        rows = []
        for i, ind in enumerate(goal.indicators):
            base = ("年度绩效目标", g, "指标", i)
            locs = YamlLocs(smap, base)
            weight = Figure(ind.weight, locs["分值"]) if ind.weight is not None else None
            score = Figure(ind.score, locs["得分"]) if ind.score is not None else None
            rows.append(IndicatorInput(ind.level1, ind.level2, ind.level3, ind.target, ind.actual, weight, score, locs,
                                       ind.remark))
        goals.append(GoalInput(tuple(rows)))
    return tuple(goals)


def _assemble(f: ProjectFile, budget: dict | None, csv_rows: list | None, issues: Issues) -> ProjectInput:
    data, smap = f.data, f.smap
    figures: dict[str, Figure | None] = {}
    for cn, attr in (("预算数", "planned"), ("执行数", "spent")):
        in_yaml = getattr(data, attr)
        in_csv = (budget or {}).get(cn)
        if in_yaml is not None and in_csv is not None:
            issues.report("figure-twice", smap.loc((cn,)), str(in_yaml),
                          key=cn, here=smap.loc((cn,)).describe(), there=in_csv.loc.describe())
        figures[cn] = Figure(in_yaml, smap.loc((cn,))) if in_yaml is not None else in_csv
    goals = _yaml_goals(data, smap)
    if csv_rows:
        if data.goals is not None:
            first = csv_rows[0][1].locs["项目名称"]
            here = smap.loc(("年度绩效目标",))
            issues.report("indicators-twice", here, here=here.describe(), there=first.describe())
        else:
            count = max(n for n, _ in csv_rows)
            goals = tuple(GoalInput(tuple(ind for n, ind in csv_rows if n == k)) for k in range(1, count + 1))
    return ProjectInput(f.key, f.number, f.file, data, smap, figures["预算数"], figures["执行数"], goals,
                        frozenset(budget or ()))
