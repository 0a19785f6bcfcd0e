"""Load one year folder (department.yaml, projects/*.yaml, the optional CSVs) into the input model.

Every problem is recorded with its place; loading goes on past problems so that one run reports
them all. What cannot be read is left out of the result (and its errors say why).
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticCustomError

from pipeline.check import catalogue
from pipeline.input import chars, tree
from pipeline.input.csv_file import CsvRow, CsvTable, read_csv
from pipeline.input.folders import is_year_name, latest_year  # noqa: F401  (latest_year: callers import it here)
from pipeline.check.problems import Issues, Loc, display_path
from pipeline.input.model import (  # the loaded year's types are imported from here too
    AMOUNT_KEYS,
    DATE_KEYS,
    DepartmentIn,
    Figure,
    GoalInput,
    IndicatorInput,
    ProjectIn,
    ProjectInput,
    YamlLocs,
    YearInput,
    parse_amount,
    parse_text,
)
from pipeline.variant import available_variants, load_variant
from pipeline.input.yaml_file import SourceMap, read_yaml

BUDGET_CSV = "预算执行.csv"
INDICATOR_CSV = "绩效指标.csv"
INDICATOR_FIELDS = ("一级指标", "二级指标", "三级指标", "年初目标值", "实际完成值")
REMARK = "偏差原因分析及改进措施"
PROJECT_FILE = re.compile(r"(\d{1,4})[-_ ．.、](.+)")


@dataclass(frozen=True)
class ProjectFile:
    """A project file that parsed and validated, before the CSVs add to it."""

    key: str
    number: str
    file: str
    data: ProjectIn
    smap: SourceMap


# --- turning pydantic's errors into located, catalogued records ---------------------------------

# pydantic's own error types -> wrong-type's {expected}. Our validators (model.py) raise catalogue
# codes directly, with the template's fields as the error's context.
_EXPECTED = {
    "string_type": "text",
    "list_type": "list",
    "dict_type": "mapping",
    "model_type": "mapping",
    "model_attributes_type": "mapping",
    "bool_type": "bool",
    "bool_parsing": "bool",
}


def _allowed_keys(model: type[BaseModel], loc: tuple) -> list[str]:
    """The keys the model allows at the mapping that holds `loc`'s last element."""
    current: type[BaseModel] | None = model
    for part in loc[:-1]:
        if current is None or isinstance(part, int):
            continue
        fld = next((f for f in current.model_fields.values() if f.alias == part), None)
        current = _inner_model(fld.annotation) if fld else None
    if current is None:
        return []
    return [f.alias for f in current.model_fields.values() if f.alias]


def _inner_model(annotation) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if found:
            return found
    return None


def report_validation(exc: ValidationError, model: type[BaseModel], smap: SourceMap, issues: Issues) -> None:
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        where = smap.loc(loc)
        key = loc[-1] if loc and isinstance(loc[-1], str) else ""
        etype = err["type"]
        value = err.get("input")
        shown = value if isinstance(value, (str, int)) and not isinstance(value, bool) else None
        if etype == "extra_forbidden":
            allowed = _allowed_keys(model, loc)
            close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.3)
            issues.report("unknown-key", where, key, key=key, suggestion=catalogue.suggestion(close[0] if close else None),
                          allowed=catalogue.listing(allowed))
        elif etype == "missing":
            issues.report("missing-key", where, key=key)
        elif etype in catalogue.CATALOGUE:
            issues.report(etype, where, shown, **err.get("ctx", {}))
        else:
            kind = _EXPECTED.get(etype)
            # Another type no file of ours should meet: pydantic's (English) description beats no hint.
            expected = catalogue.EXPECTED_TYPE[kind] if kind else catalogue.EXPECTED_TYPE["other"].format(detail=err["msg"])
            issues.report("wrong-type", where, shown, expected=expected)


def validate_model(model: type[BaseModel], data: object, smap: SourceMap, issues: Issues):
    if not isinstance(data, dict):
        shape = catalogue.SHAPE["list" if isinstance(data, list) else "scalar"]
        issues.report("not-a-mapping", Loc(smap.file, 1, 1), shape=shape)
        return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        report_validation(exc, model, smap, issues)
        return None


# --- lenient readings and character checks, before the strict types --------------------------

def _lenient(data: object, smap: SourceMap, issues: Issues, path: tuple = ()) -> object:
    """Accept full-width digits in amounts and 2024/4/23-style dates, with a warning saying how to write them."""
    if isinstance(data, dict):
        return {k: _lenient_value(k, v, smap, issues, path + (k,)) for k, v in data.items()}
    if isinstance(data, list):
        return [_lenient(v, smap, issues, path + (i,)) for i, v in enumerate(data)]
    return data


def _lenient_value(key: str, value: object, smap: SourceMap, issues: Issues, path: tuple) -> object:
    if isinstance(value, str) and key in AMOUNT_KEYS:
        return halfwidth_amount(value, lambda: smap.loc(path), issues)
    if isinstance(value, str) and key in DATE_KEYS:
        text = chars.to_halfwidth(value.strip())
        m = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", text)
        if m and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            fixed = f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
            issues.report("date-format-lenient", smap.loc(path), value, fixed=fixed)
            return fixed
    return _lenient(value, smap, issues, path)


def halfwidth_amount(text: str, loc: Loc | Callable[[], Loc], issues: Issues) -> str:
    """An amount typed with a Chinese IME's full-width digits, read as its ASCII form with a warning
    saying how to write it. `loc` may be a function, called only when there is something to say."""
    if not chars.FULLWIDTH_NUMBER.search(text):
        return text
    fixed = chars.to_halfwidth(text)
    issues.report("fullwidth-digits", loc() if callable(loc) else loc, text, fixed=fixed)
    return fixed


def check_characters(text: str, loc: Loc | Callable[[], Loc], issues: Issues) -> None:
    """`loc` may be a function: locating is costly and only needed for the rare bad text."""
    bad = chars.first_match(chars.XML_FORBIDDEN, text)
    bidi = chars.first_match(chars.BIDI_CONTROLS, text)
    invisible = chars.first_match(chars.INVISIBLE, text)
    lost = chars.REPLACEMENT.search(text)
    if not (bad or bidi or invisible or lost):
        return
    where = loc() if callable(loc) else loc
    if bad:
        issues.report("forbidden-character", where, text, char=chars.codepoint(bad))
    if bidi:
        issues.report("bidi-control", where, text, char=chars.codepoint(bidi))
    if invisible:
        issues.report("invisible-character", where, text, char=chars.codepoint(invisible))
    if lost:
        issues.report("replacement-character", where, value=text)


def _walk_strings(data: object, smap: SourceMap, issues: Issues, path: tuple = ()) -> None:
    if isinstance(data, dict):
        for k, v in data.items():
            check_characters(k, lambda p=path + (k,): smap.loc(p), issues)
            _walk_strings(v, smap, issues, path + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            _walk_strings(v, smap, issues, path + (i,))
    elif isinstance(data, str):
        check_characters(data, lambda: smap.loc(path), issues)


def _read_model(path: Path, model: type[BaseModel], base: Path, issues: Issues):
    display = display_path(path, base)
    read = read_yaml(path, display, issues)
    if read is None:
        return None, SourceMap(display)
    data, smap = read
    _walk_strings(data, smap, issues)
    data = _lenient(data, smap, issues)
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

    dept_path = year_dir / "department.yaml"
    if os.path.lexists(dept_path) and not tree.is_regular(dept_path):
        pass  # a link, FIFO or folder: reported by the scan
    elif not dept_path.is_file():
        issues.report("missing-file", Loc(display_path(dept_path, base)))
    else:
        year.department, year.department_smap = _read_model(dept_path, DepartmentIn, base, issues)
    if year.department is not None:
        name = year.department.variant
        if name in available_variants():
            year.variant = load_variant(name)
        else:
            issues.report("unknown-variant", year.department_smap.loc(("表样",)), name,
                          variants=catalogue.listing(available_variants()))

    projects = _load_projects(year_dir, base, issues)
    budget_csv = _optional_csv(year_dir / BUDGET_CSV, ("项目名称", "预算数", "执行数"), (), base, issues)
    indicator_csv = _optional_csv(
        year_dir / INDICATOR_CSV, ("项目名称", "目标") + INDICATOR_FIELDS, ("分值", "得分", REMARK), base, issues
    )
    budget_rows = _budget_rows(budget_csv, projects, issues) if budget_csv else {}
    indicator_rows = _indicator_rows(indicator_csv, projects, issues) if indicator_csv else {}
    for f in projects:
        year.projects.append(_assemble(f, budget_rows.get(f.data.name), indicator_rows.get(f.data.name), issues))
    return year, issues


def _load_projects(year_dir: Path, base: Path | None, issues: Issues) -> list[ProjectFile]:
    folder = year_dir / "projects"
    folder_loc = Loc(display_path(folder, base))
    if os.path.islink(folder) or (folder.is_dir() and not tree.listable(folder)):
        return []  # reported by the scan
    if not folder.is_dir():
        issues.report("missing-folder", folder_loc)
        return []
    files = sorted(p for p in tree.entries(folder)
                   if p.suffix.lower() in (".yaml", ".yml") and not p.name.startswith(".") and tree.is_regular(p))
    chosen = set(files)
    others = sorted(p for p in tree.entries(folder) if tree.is_regular(p) and p not in chosen and not p.name.startswith("."))
    for p in others:
        issues.report("not-yaml", Loc(display_path(p, base)))
    if not files:
        issues.report("no-projects", folder_loc)
        return []
    out = []
    seen_numbers: dict[int, str] = {}
    for path in files:
        display = display_path(path, base)
        m = PROJECT_FILE.fullmatch(path.stem)
        if not m and re.match(r"\d{5,}", path.stem):
            issues.report("file-number-too-long", Loc(display), value=path.name)
            continue
        if not m:
            issues.report("file-name", Loc(display), path.name)
            continue
        number = int(m.group(1))
        if number in seen_numbers:
            issues.report("duplicate-number", Loc(display), path.name, number=m.group(1), other=seen_numbers[number])
            continue
        seen_numbers[number] = path.name
        data, smap = _read_model(path, ProjectIn, base, issues)
        if data is not None:
            out.append(ProjectFile(path.stem, f"{number:02d}", display, data, smap))
    out.sort(key=lambda f: int(f.number))
    return out


def _optional_csv(path: Path, required: tuple, optional: tuple, base: Path | None, issues: Issues) -> CsvTable | None:
    if not tree.is_regular(path):
        return None  # absent; or a link, FIFO or folder, which the scan reported
    table = read_csv(path, display_path(path, base), required, optional, issues)
    if table:
        for row in table.rows:
            for col, text in row.values.items():
                check_characters(text, table.loc(row, col), issues)
    return table


def _match_project(table: CsvTable, row: CsvRow, names: list[str], issues: Issues) -> str | None:
    name = row.values.get("项目名称", "")
    if name in names:
        return name
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.3)
    issues.report("csv-unknown-project", table.loc(row, "项目名称"), name, candidates=catalogue.candidates(close, names))
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
        issues.report(exc.type, loc, text, **(exc.context or {}))
        return None


def _budget_rows(table: CsvTable, projects: list[ProjectFile], issues: Issues) -> dict[str, dict[str, Figure | None]]:
    names = [p.data.name for p in projects]
    out: dict[str, dict[str, Figure | None]] = {}
    first_line: dict[str, int] = {}
    for row in table.rows:
        name = _match_project(table, row, names, issues)
        if name is None:
            continue
        if name in out:
            issues.report("csv-duplicate-row", table.loc(row, "项目名称"), name, name=name, first_line=first_line[name])
            continue
        first_line[name] = row.line
        # A cell that was written but is invalid maps to None: its error is already reported.
        out[name] = {k: _csv_amount(table, row, k, issues) for k in ("预算数", "执行数") if row.values.get(k)}
    return out


def _indicator_rows(table: CsvTable, projects: list[ProjectFile], issues: Issues) -> dict[str, list[tuple[int, IndicatorInput]]]:
    names = [p.data.name for p in projects]
    out: dict[str, list[tuple[int, IndicatorInput]]] = {}
    for row in table.rows:
        name = _match_project(table, row, names, issues)
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
