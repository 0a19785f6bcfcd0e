"""Load one year folder (department.yaml, projects/*.yaml, the optional CSVs) into the input model.

Every problem is recorded with its place; loading goes on past problems so that one run reports
them all. What cannot be read is left out of the result (and its errors say why).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticCustomError

from pipeline.input import chars
from pipeline.input.csv_file import CsvRow, CsvTable, read_csv
from pipeline.check.problems import Issues, Loc, display_path, field_path
from pipeline.input.model import (
    AMOUNT_KEYS,
    DATE_KEYS,
    DepartmentIn,
    IndicatorIn,
    ProjectIn,
    parse_amount,
    parse_text,
)
from pipeline.variant import Variant, available_variants, load_variant
from pipeline.input.yaml_file import SourceMap, read_yaml

BUDGET_CSV = "预算执行.csv"
INDICATOR_CSV = "绩效指标.csv"
INDICATOR_FIELDS = ("一级指标", "二级指标", "三级指标", "年初目标值", "实际完成值")
REMARK = "偏差原因分析及改进措施"
PROJECT_FILE = re.compile(r"(\d{1,4})[-_ ．.、](.+)")


@dataclass(frozen=True)
class Figure:
    """An amount and where the user wrote it."""

    value: Decimal
    loc: Loc


@dataclass(frozen=True)
class YamlLocs:
    """Where each key of one indicator row is, found only when a message needs it."""

    smap: SourceMap
    base: tuple

    def __getitem__(self, key: str) -> Loc:
        return self.smap.loc(self.base + (key,))


@dataclass(frozen=True)
class IndicatorInput:
    level1: str
    level2: str
    level3: str
    target: str
    actual: str
    weight: Figure | None
    score: Figure | None
    locs: Mapping[str, Loc] | YamlLocs  # Chinese key -> where that cell was written
    remark: str | None = None  # 偏差原因分析及改进措施, on forms with that column


@dataclass(frozen=True)
class GoalInput:
    indicators: tuple[IndicatorInput, ...]


@dataclass(frozen=True)
class ProjectFile:
    """A project file that parsed and validated, before the CSVs add to it."""

    key: str
    number: str
    file: str
    data: ProjectIn
    smap: SourceMap


@dataclass(frozen=True)
class ProjectInput:
    key: str  # file stem, "01-政法智能化建设"
    number: str  # "01"
    file: str
    data: ProjectIn
    smap: SourceMap
    planned: Figure | None
    spent: Figure | None
    goals: tuple[GoalInput, ...]
    figures_in_csv: frozenset[str] = frozenset()  # figures the budget CSV wrote (valid or not)

    def loc(self, *path: str | int) -> Loc:
        return self.smap.loc(tuple(path))


@dataclass
class YearInput:
    year: int
    dir: Path
    department: DepartmentIn | None = None
    department_smap: SourceMap | None = None
    variant: Variant | None = None
    projects: list[ProjectInput] = field(default_factory=list)


# --- turning pydantic's errors into located Chinese records ---------------------------------

_MESSAGES = {
    "missing": "缺少必填项「{key}」",
    "string_type": "应为一段文字",
    "list_type": "应为列表（每一项以「- 」开头）",
    "dict_type": "应为键值对（「键: 值」的映射）",
    "model_type": "应为键值对（「键: 值」的映射）",
    "model_attributes_type": "应为键值对（「键: 值」的映射）",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
}


# Our own validators' error types (model.py) -> the record's code.
_OWN_CODES = {
    "amount-format": "amount-format",
    "amount-type": "wrong-type",
    "date-format": "date-format",
    "date-invalid": "date-invalid",
    "text-type": "wrong-type",
    "text-too-long": "text-too-long",
    "bool-type": "wrong-type",
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
            hint = f"；是不是「{close[0]}」？" if close else "；"
            issues.error(
                "unknown-key", where,
                f"未知的键「{key}」{hint}可用的键：{'、'.join(allowed)}", key,
            )
        elif etype == "missing":
            issues.error("missing-key", where, _MESSAGES["missing"].format(key=key))
        elif etype in _OWN_CODES:
            issues.error(_OWN_CODES[etype], where, err["msg"], shown)
        else:
            msg = _MESSAGES.get(etype, "类型不对：" + err["msg"])
            issues.error("wrong-type", where, msg.format(key=key), shown)


def validate_model(model: type[BaseModel], data: object, smap: SourceMap, issues: Issues):
    if not isinstance(data, dict):
        what = "列表" if isinstance(data, list) else "单个值"
        issues.error("not-a-mapping", Loc(smap.file, 1, 1), f"文件内容是一个{what}；应为「键: 值」的映射，例如「项目名称: …」")
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
    if isinstance(value, str) and key in AMOUNT_KEYS and chars.FULLWIDTH_NUMBER.search(value):
        fixed = chars.to_halfwidth(value)
        issues.warning("fullwidth-digits", smap.loc(path), f"金额用了全角数字，已按「{fixed}」读取；请改用半角数字", value)
        return fixed
    if isinstance(value, str) and key in DATE_KEYS:
        text = chars.to_halfwidth(value.strip())
        m = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", text)
        if m and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            fixed = f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
            issues.warning("date-format-lenient", smap.loc(path), f"日期已按「{fixed}」读取；请写作 YYYY-MM-DD，例如 {fixed}", value)
            return fixed
    return _lenient(value, smap, issues, path)


def check_characters(text: str, loc: Loc | Callable[[], Loc], issues: Issues) -> None:
    """`loc` may be a function: locating is costly and only needed for the rare bad text."""
    bad = chars.first_match(chars.XML_FORBIDDEN, text)
    bidi = chars.first_match(chars.BIDI_CONTROLS, text)
    invisible = chars.first_match(chars.INVISIBLE, text)
    if not (bad or bidi or invisible):
        return
    where = loc() if callable(loc) else loc
    if bad:
        issues.error(
            "forbidden-character", where,
            f"包含文档里不允许的控制字符 {chars.codepoint(bad)}（常见于从 Word 粘贴的分行符）；请删除或改为普通换行",
            text,
        )
    if bidi:
        issues.error("bidi-control", where, f"包含改变文字方向的控制字符 {chars.codepoint(bidi)}，打印出来的文字会与实际不符；请删除", text)
    if invisible:
        issues.warning("invisible-character", where, f"包含看不见的字符 {chars.codepoint(invisible)}（常见于从网页粘贴）；建议删除", text)


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

def latest_year(data_dir: Path) -> int | None:
    years = [int(p.name) for p in data_dir.iterdir() if p.is_dir() and re.fullmatch(r"\d{4}", p.name)] \
        if data_dir.is_dir() else []
    return max(years) if years else None


def load_year(year_dir: Path, base: Path | None = None) -> tuple[YearInput, Issues]:
    """Read a year folder. `base` is what file names in messages are relative to (default: cwd)."""
    issues = Issues()
    dir_loc = Loc(display_path(year_dir, base))
    if not re.fullmatch(r"\d{4}", year_dir.name):
        issues.error("year-folder", dir_loc, "年度文件夹的名字应是四位年份，例如 data/2023")
        return YearInput(0, year_dir), issues
    year = YearInput(int(year_dir.name), year_dir)
    if not year_dir.is_dir():
        issues.error("missing-folder", dir_loc, "找不到这个年度文件夹")
        return year, issues

    dept_path = year_dir / "department.yaml"
    if not dept_path.is_file():
        issues.error("missing-file", Loc(display_path(dept_path, base)),
                     "缺少 department.yaml：每个年度文件夹都要有它（单位名称、填报日期等）")
    else:
        year.department, year.department_smap = _read_model(dept_path, DepartmentIn, base, issues)
    if year.department is not None:
        name = year.department.variant
        if name in available_variants():
            year.variant = load_variant(name)
        else:
            issues.error("unknown-variant", year.department_smap.loc(("表样",)),
                         f"没有这个表样；可用的表样：{'、'.join(available_variants())}（templates/ 下的文件夹）", name)

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
    if not folder.is_dir():
        issues.error("missing-folder", folder_loc, "缺少 projects 文件夹：每个项目一个 YAML 文件放在这里")
        return []
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".yaml", ".yml") and not p.name.startswith("."))
    chosen = set(files)
    others = sorted(p for p in folder.iterdir() if p.is_file() and p not in chosen and not p.name.startswith("."))
    for p in others:
        issues.warning("not-yaml", Loc(display_path(p, base)), "不是 .yaml 文件，已忽略；项目文件应以 .yaml 结尾")
    if not files:
        issues.error("no-projects", folder_loc, "projects 文件夹里没有项目文件（NN-名称.yaml）")
        return []
    out = []
    seen_numbers: dict[int, str] = {}
    for path in files:
        display = display_path(path, base)
        m = PROJECT_FILE.fullmatch(path.stem)
        if not m:
            issues.error("file-name", Loc(display), "项目文件名应以序号开头，例如 01-政法智能化建设.yaml；序号决定在汇编中的顺序", path.name)
            continue
        number = int(m.group(1))
        if number in seen_numbers:
            issues.error("duplicate-number", Loc(display), f"序号 {m.group(1)} 与 {seen_numbers[number]} 重复；每个项目的序号应不同", path.name)
            continue
        seen_numbers[number] = path.name
        data, smap = _read_model(path, ProjectIn, base, issues)
        if data is not None:
            out.append(ProjectFile(path.stem, f"{number:02d}", display, data, smap))
    out.sort(key=lambda f: int(f.number))
    return out


def _optional_csv(path: Path, required: tuple, optional: tuple, base: Path | None, issues: Issues) -> CsvTable | None:
    if not path.is_file():
        return None
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
    hint = f"最接近的项目：{'、'.join(close)}" if close else f"现有项目：{'、'.join(names[:5])}{'…' if len(names) > 5 else ''}"
    issues.error("csv-unknown-project", table.loc(row, "项目名称"),
                 f"这一行的项目名称与任何项目文件都不一致；{hint}", name)
    return None


def _csv_amount(table: CsvTable, row: CsvRow, column: str, issues: Issues) -> Figure | None:
    text = row.values.get(column, "")
    if text == "":
        return None
    loc = table.loc(row, column)
    if chars.FULLWIDTH_NUMBER.search(text):
        fixed = chars.to_halfwidth(text)
        issues.warning("fullwidth-digits", loc, f"金额用了全角数字，已按「{fixed}」读取；请改用半角数字", text)
        text = fixed
    try:
        return Figure(parse_amount(text), loc)
    except PydanticCustomError as exc:
        issues.error("amount-format", loc, exc.message(), text)
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
            issues.error("csv-duplicate-row", table.loc(row, "项目名称"),
                         f"「{name}」在第 {first_line[name]} 行已经出现；每个项目只能有一行", name)
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
        goal_ok = goal_text.isdigit() and 1 <= int(goal_text) <= 20
        if not goal_ok:
            issues.error("csv-goal-number", table.loc(row, "目标"), "「目标」应是目标序号 1、2、3…（最多 20）", row.values.get("目标"))
        texts = {}
        for col in INDICATOR_FIELDS:
            try:
                texts[col] = parse_text(row.values.get(col, ""))
            except PydanticCustomError as exc:
                issues.error("text-too-long", table.loc(row, col), exc.message(), row.values.get(col))
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
            issues.error(
                "figure-twice", smap.loc((cn,)),
                f"「{cn}」同时写在项目文件（{smap.loc((cn,)).describe()}）和 {in_csv.loc.describe()}；"
                "只能在一处填写，请删除其中一处", str(in_yaml),
            )
        figures[cn] = Figure(in_yaml, smap.loc((cn,))) if in_yaml is not None else in_csv
    goals = _yaml_goals(data, smap)
    if csv_rows:
        if data.goals is not None:
            first = csv_rows[0][1].locs["项目名称"]
            issues.error(
                "indicators-twice", smap.loc(("年度绩效目标",)),
                f"绩效指标同时写在项目文件（{smap.loc(('年度绩效目标',)).describe()}）和 {first.describe()}；"
                "一个项目只能用其中一处", None,
            )
        else:
            count = max(n for n, _ in csv_rows)
            goals = tuple(GoalInput(tuple(ind for n, ind in csv_rows if n == k)) for k in range(1, count + 1))
    return ProjectInput(f.key, f.number, f.file, data, smap, figures["预算数"], figures["执行数"], goals,
                        frozenset(budget or ()))
