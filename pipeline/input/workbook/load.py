"""The workbook's rows handed to the year loader in the loader's own shapes.

A project row becomes a `ProjectFile` (validated by the same model, through the same lenient
readings and character checks as a YAML file), its indicator rows the `(goal, IndicatorInput)`
pairs that 绩效指标.csv gives, and the 单位 sheet the department, merged with department.yaml.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.problems.records import Issues, Loc
from pipeline.files.paths import display_path
from pipeline.input.validation import ProjectFile, check_characters, lenient, validate_model, walk_strings
from pipeline.input.model import DepartmentIn, Figure, IndicatorInput, ProjectIn
from pipeline.input.workbook.read import (
    LEVELS, REMARK, VALUES, IndicatorRow, KeyMap, ProjectRow, YearBooks, closest, indicator_figure, indicator_text,
    read_books,
)
from pipeline.input.yaml_file import read_yaml

__all__ = ["read_books", "department", "project_files", "indicator_rows", "merge_projects"]


def department(books: YearBooks, dept_path: Path, base: Path | None, issues: Issues):
    """The department from the 单位 sheet, with the keys department.yaml adds (the same key in both
    is an error naming both places)."""
    locs: dict[str, Loc] = {}
    data: dict[str, object] = {}
    fallback = next(iter(books.department.values()))[1] if books.department else Loc(books.department_sheet or "")
    if dept_path.is_file():
        read = read_yaml(dept_path, display_path(dept_path, base), issues)
        if read is not None and isinstance(read[0], dict):
            raw, smap = read
            for key, value in raw.items():
                data[key] = value
                locs[key] = smap.loc((key,))
    for key, (value, loc) in books.department.items():
        if key in data:
            if value is not None:
                issues.report("workbook-key-twice", loc, value=key, key=key, other=locs[key].describe())
            continue
        if value is not None:
            data[key] = value
        locs[key] = loc
    kmap = KeyMap(fallback.file, locs, fallback)
    walk_strings(data, kmap, issues)
    data = lenient(data, kmap, issues)
    return validate_model(DepartmentIn, data, kmap, issues), kmap


def project_files(books: YearBooks, issues: Issues) -> list[ProjectFile]:
    out = []
    for row in books.projects:
        if row.broken:
            continue
        f = _project_file(row, issues)
        if f is not None:
            out.append(f)
    return out


def _project_file(row: ProjectRow, issues: Issues) -> ProjectFile | None:
    smap = row.smap
    walk_strings(row.data, smap, issues)
    data = lenient(row.data, smap, issues)
    model = validate_model(ProjectIn, data, smap, issues)
    if model is None:
        return None
    number = f"{row.number:02d}"
    return ProjectFile(f"{number}-{model.name}", number, smap.file, model, smap)


def merge_projects(yaml_files: list[ProjectFile], book_files: list[ProjectFile],
                   issues: Issues) -> list[ProjectFile]:
    """Projects from files and from workbooks, in bundle order; two with one 序号 is an error."""
    seen = {int(f.number): f for f in yaml_files}
    out = list(yaml_files)
    for f in book_files:
        first = seen.get(int(f.number))
        if first is not None:
            issues.report("workbook-duplicate-number", f.smap.loc((("序号" if "序号" in f.smap.sheet.headers else "项目名称"),)),
                          value=f.number, number=f.number, other=first.file)
            continue
        seen[int(f.number)] = f
        out.append(f)
    out.sort(key=lambda f: int(f.number))
    return out


def indicator_rows(books: YearBooks, projects: list[ProjectFile],
                   issues: Issues) -> dict[str, list[tuple[int, IndicatorInput]]]:
    """Indicator rows by project name, each row read as an IndicatorInput located at its cells."""
    names = [p.data.name for p in projects if hasattr(p.smap, "sheet")]
    known = set(names)
    all_names = [row.data.get("项目名称", "") for row in books.projects]
    out: dict[str, list[tuple[int, IndicatorInput]]] = {}
    for row in books.indicators:
        if row.project not in known:
            if row.project not in all_names and not books.unreadable:  # a project row that failed has its own errors
                issues.report("workbook-unknown-project", row.locs["项目名称"], value=row.project,
                              hint=closest(row.project, [str(n) for n in all_names]))
            continue
        if row.broken:
            continue
        ind = _indicator(row, issues)
        if row.goal is not None:
            out.setdefault(row.project, []).append((row.goal, ind))
    return out


def _indicator(row: IndicatorRow, issues: Issues) -> IndicatorInput:
    texts = {key: indicator_text(row, key, issues) for key in LEVELS + VALUES}
    for key, text in texts.items():
        check_characters(text, lambda k=key: row.locs[k], issues)
    figures = {}
    for key, (text, loc) in row.figures.items():
        value = indicator_figure(text, loc, issues)
        figures[key] = Figure(value, loc) if value is not None else None
    remark = row.remark
    if remark is not None:
        check_characters(remark, lambda: row.locs[REMARK], issues)
        remark = remark.strip() or None
    return IndicatorInput(
        texts["一级指标"], texts["二级指标"], texts["三级指标"], texts["年初目标值"], texts["实际完成值"],
        figures.get("分值"), figures.get("得分"), row.locs, remark,
    )
