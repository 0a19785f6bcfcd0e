"""Load one year folder (department.yaml, projects/*.yaml, the optional CSVs) into the input model.

Every problem is recorded with its place; loading goes on past problems so that one run reports
them all. A file with a wrong value still takes part in every other check, the value left out
(validate_model); a file that cannot be parsed is left out of the result (its errors say why), but
its 项目名称 is still looked for, so its CSV rows are not reported as matching no project.
"""

from __future__ import annotations

import copy
import difflib
import os
import re
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from pipeline.check import catalogue
from pipeline.input import chars, tree
from pipeline.input.csv_file import CsvRow, CsvTable, read_csv
from pipeline.input.folders import is_year_name, latest_year  # noqa: F401  (latest_year: callers import it here)
from pipeline.check.problems import Issues, Loc, display_path
from pipeline.input.model import (  # the loaded year's types are imported from here too
    AMOUNT_KEYS,
    DATE_KEYS,
    YEARLY_KEYS,
    DepartmentIn,
    Figure,
    GoalInput,
    IndicatorInput,
    ProjectIn,
    ProjectInput,
    YamlLocs,
    YearInput,
    parse_amount,
    parse_date,
    parse_flag,
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


def _field_at(model: type[BaseModel], loc: tuple) -> FieldInfo | None:
    """The model field a validation error's location names (list indexes and dict keys skipped)."""
    current: type[BaseModel] | None = model
    fld = None
    dict_key_next = False
    for part in loc:
        if isinstance(part, int):
            continue
        if dict_key_next:
            dict_key_next = False
            continue
        if current is None:
            return None
        fld = next((f for f in current.model_fields.values() if f.alias == part), None)
        if fld is None:
            return None
        dict_key_next = _is_dict(fld.annotation)
        current = _inner_model(fld.annotation)
    return fld


def _is_dict(annotation) -> bool:
    return typing.get_origin(annotation) is dict or any(_is_dict(a) for a in typing.get_args(annotation))


def _typo_targets(model: type[BaseModel], errors: list[dict], data: object) -> dict[tuple, str]:
    """Unknown keys that are a typo of an allowed key the mapping lacks (`实施单位` for `项目实施单位`):
    their value is read as that key's, and the one message is the unknown key's did-you-mean."""
    out: dict[tuple, str] = {}
    for err in errors:
        loc = tuple(err["loc"])
        if err["type"] != "extra_forbidden" or not loc or not isinstance(loc[-1], str):
            continue
        parent = _get(data, loc[:-1])
        if not isinstance(parent, dict):
            continue
        close = difflib.get_close_matches(loc[-1], _allowed_keys(model, loc), n=1, cutoff=TYPO_CUTOFF)
        taken = set(parent) | {loc[:-1] + (t,) for t in out.values()}
        if close and close[0] not in taken and loc[:-1] + (close[0],) not in taken:
            out[loc] = close[0]
    return out


TYPO_CUTOFF = 0.6  # difflib ratio: 实施单位/项目实施单位 0.8, 项目名/项目名称 0.86; 项目负责人/项目属性 0.44 is not a typo


def report_validation(exc: ValidationError, model: type[BaseModel], smap: SourceMap, issues: Issues,
                      typos: dict[tuple, str] | None = None) -> None:
    typos = typos or {}
    typo_of = {loc[:-1] + (target,) for loc, target in typos.items()}
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        where = smap.loc(loc)
        key = loc[-1] if loc and isinstance(loc[-1], str) else ""
        etype = err["type"]
        value = err.get("input")
        shown = value if isinstance(value, (str, int)) and not isinstance(value, bool) else None
        if etype == "extra_forbidden":
            allowed = _allowed_keys(model, loc)
            close = [typos[loc]] if loc in typos else difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.3)
            issues.report("unknown-key", where, key, key=key, suggestion=catalogue.suggestion(close[0] if close else None),
                          allowed=catalogue.listing(allowed))
        elif etype == "missing":
            if loc not in typo_of:  # the typo's unknown-key message already says it
                issues.report("missing-key", where, key=key)
        elif etype in catalogue.CATALOGUE:
            issues.report(etype, where, shown, **err.get("ctx", {}))
        else:
            kind = _EXPECTED.get(etype)
            # Another type no file of ours should meet: pydantic's (English) description beats no hint.
            expected = catalogue.EXPECTED_TYPE[kind] if kind else catalogue.EXPECTED_TYPE["other"].format(detail=err["msg"])
            issues.report("wrong-type", where, shown, expected=expected)


def validate_model(model: type[BaseModel], data: object, smap: SourceMap, issues: Issues):
    """The file's model; with errors, every one reported, and the model of what remains valid (a
    wrong value left out, a missing text empty) so the file still takes part in every other check.
    None when nothing sensible remains (no mapping, or a list item of the wrong kind)."""
    if not isinstance(data, dict):
        shape = catalogue.SHAPE["list" if isinstance(data, list) else "scalar"]
        issues.report("not-a-mapping", Loc(smap.file, 1, 1), shape=shape)
        return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        typos = _typo_targets(model, exc.errors(include_url=False), data)
        report_validation(exc, model, smap, issues, typos)
        for loc, target in typos.items():  # what the rules say about the key, they say at the typo
            renamed = loc[:-1] + (target,)
            for path, pos in list(smap.positions.items()):
                if path[: len(loc)] == loc:
                    smap.positions.setdefault(renamed + path[len(loc):], pos)
        return _salvage(model, data, exc, typos)


# A placeholder for a required value that is missing or invalid (its error is reported): what the
# field's own validator accepts. Rules do not report again at a field the loader reported.
_PLACEHOLDER = {parse_text: "", parse_amount: "0", parse_date: "1900-01-01", parse_flag: False}


def _salvage(model: type[BaseModel], data: dict, exc: ValidationError, typos: dict[tuple, str]):
    data = copy.deepcopy(data)
    for loc, target in typos.items():
        parent = _get(data, loc[:-1])
        parent[target] = parent.pop(loc[-1])
    renamed = set(typos) | {loc[:-1] + (target,) for loc, target in typos.items()}
    for _ in range(3):
        for err in exc.errors(include_url=False):
            loc = tuple(err["loc"])
            if loc in renamed:
                continue
            if not loc or not _repair(model, data, loc, err["type"]):
                return None
        try:
            return model.model_validate(data)
        except ValidationError as again:
            exc, renamed = again, set()
    return None


def _repair(model: type[BaseModel], data: dict, loc: tuple, etype: str) -> bool:
    parent = _get(data, loc[:-1])
    key = loc[-1]
    if not isinstance(parent, dict) or not isinstance(key, str):
        return False  # an item of a list: leaving it out would shift the places of the ones after it
    if etype == "extra_forbidden":
        parent.pop(key, None)
        return True
    fld = _field_at(model, loc)
    if fld is None:
        return False
    if not fld.is_required():
        parent.pop(key, None)
        return True
    validator = next((m.func for m in fld.metadata if hasattr(m, "func")), None)
    if validator not in _PLACEHOLDER:
        return False
    parent[key] = _PLACEHOLDER[validator]
    return True


def _get(data: object, path: tuple) -> object:
    for part in path:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return None
    return data


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


def _unfilled(data: object, smap: SourceMap, issues: Issues, path: tuple = ()) -> object:
    """This year's facts written empty (as `annex new-year` leaves them): reported as not yet filled
    and left out, so that this is the one problem said about them (check_year drops the others)."""
    if isinstance(data, dict):
        out = {}
        for k, v in data.items():
            if v is None and k in YEARLY_KEYS:
                issues.report("not-filled", smap.loc(path + (k,)), key=k)
                continue
            out[k] = _unfilled(v, smap, issues, path + (k,))
        return out
    if isinstance(data, list):
        return [_unfilled(v, smap, issues, path + (i,)) for i, v in enumerate(data)]
    return data


def _read_model(path: Path, model: type[BaseModel], base: Path, issues: Issues):
    display = display_path(path, base)
    read = read_yaml(path, display, issues)
    if read is None:
        return None, SourceMap(display)
    data, smap = read
    _walk_strings(data, smap, issues)
    data = _unfilled(data, smap, issues)
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
        else:
            issues.report("unknown-variant", year.department_smap.loc(("表样",)), name,
                          variants=catalogue.listing(available_variants()))

    projects, unreadable = _load_projects(year_dir, base, issues, optional=books.has_projects)
    projects = workbook.merge_projects(projects, workbook.project_files(books, issues), issues)
    book_rows = workbook.indicator_rows(books, projects, issues)
    budget_csv = _optional_csv(year_dir / BUDGET_CSV, ("项目名称", "预算数", "执行数"), (), base, issues)
    indicator_csv = _optional_csv(
        year_dir / INDICATOR_CSV, ("项目名称", "目标") + INDICATOR_FIELDS, ("分值", "得分", REMARK), base, issues
    )
    budget_rows = _budget_rows(budget_csv, projects, unreadable, issues) if budget_csv else {}
    indicator_rows = _indicator_rows(indicator_csv, projects, unreadable, issues) if indicator_csv else {}
    for f in projects:
        rows = indicator_rows.get(f.data.name) or book_rows.get(f.data.name)
        year.projects.append(_assemble(f, budget_rows.get(f.data.name), rows, issues))
    return year, issues


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
        faults.append(catalogue.FILE_NAME_FAULT["extension"].format(suffix=path.suffix))
    if re.fullmatch(r"\d{1,4}", path.stem):
        faults.append(catalogue.FILE_NAME_FAULT["no-name"])
    elif not PROJECT_FILE.fullmatch(path.stem):
        faults.append(catalogue.FILE_NAME_FAULT["no-number"])
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


def _optional_csv(path: Path, required: tuple, optional: tuple, base: Path | None, issues: Issues) -> CsvTable | None:
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
        self.issues.report("csv-unknown-project", loc, name, candidates=catalogue.candidates(close, self.names))
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
        if context.get("reason") == catalogue.AMOUNT_REASON["thousands"]:
            # "1,024.00": the column is formatted 会计专用/数值 with separators, and the CSV keeps the display.
            issues.report("csv-amount-thousands", loc, text, example=context["example"])
        else:
            issues.report(exc.type, loc, text, **context)
        return None


def _budget_rows(table: CsvTable, projects: list[ProjectFile], unreadable: frozenset[str],
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


def _indicator_rows(table: CsvTable, projects: list[ProjectFile], unreadable: frozenset[str],
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
