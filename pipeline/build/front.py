"""The front half of every run: load, validate and compute a year folder.

The one entry point `annex check`, `annex build` and the server share. The stages are imported
when a check runs, so that a build whose inputs did not change never imports the loader.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.problems.records import Issue, Issues

if TYPE_CHECKING:
    from pipeline.form.filled import FilledBundle
    from pipeline.input.model import YearInput


@dataclass(frozen=True)
class CheckResult:
    input: YearInput
    issues: Issues  # every problem of the run, in file and line order (accepted warnings left out)
    bundle: FilledBundle | None  # None when there are errors
    accepted: tuple[Issue, ...] = ()  # warnings the data says were reviewed (已确认警告)

    @property
    def errors(self) -> list[Issue]:
        return self.issues.errors

    @property
    def warnings(self) -> list[Issue]:
        return self.issues.warnings


def _once_unfilled(issues: list[Issue]) -> list[Issue]:
    """A value not yet filled this year is said once, as such: not also as missing or invalid, nor
    through a rule over the block that holds it (a sum of figures still empty)."""
    unfilled: dict[str, list[str]] = {}
    for i in issues:
        if i.code == "not-filled":
            unfilled.setdefault(i.file, []).append(i.field)

    def about_unfilled(i: Issue) -> bool:
        return bool(i.field) and any(f == i.field or f.startswith((i.field + ".", i.field + "["))
                                     for f in unfilled.get(i.file, ()))

    return [i for i in issues if i.code == "not-filled" or not about_unfilled(i)]


def check_year(year_dir: Path, base: Path | None = None, glyphs: bool = False) -> CheckResult:
    """`glyphs`: also report characters the PDF's fonts lack (`annex check`; the build checks
    the fonts itself, once, for the tables it renders)."""
    from pipeline.check.limits import check_project_sizes
    from pipeline.check.rules import validate_year
    from pipeline.check.scoring import spoken_for
    from pipeline.form.compute import compute_bundle
    from pipeline.input.year import load_year

    year, issues = load_year(year_dir, base)
    spoken = spoken_for(year)  # empty 得分 computed or asked for by the scoring check, not "not filled"
    issues = Issues([i for i in issues if not (i.code == "not-filled" and (i.file, i.field) in spoken)])
    found = Issues()
    validate_year(year, found)
    check_project_sizes(year.projects, found)
    # One mistake, one message: a value the loader refused (or left out) is not reported again by
    # the rules that would have looked at it.
    refused = {(i.file, i.line, i.field) for i in issues.errors if i.field}
    issues.extend(Issues([i for i in found if (i.file, i.line, i.field) not in refused]))
    kept, accepted = accepted_warnings(year, issues)
    ordered = Issues(_once_unfilled(kept.sorted()))
    bundle = None
    if not ordered.errors and year.variant is not None and year.projects:
        bundle = compute_bundle(year)
        if glyphs:
            from pipeline.render.pdf.glyphs import report_missing_glyphs

            report_missing_glyphs(year, bundle, ordered)
            if ordered.errors:
                ordered, bundle = Issues(ordered.sorted()), None
    return CheckResult(year, ordered, bundle, tuple(accepted.sorted()))


def accepted_warnings(year: YearInput, issues: Issues) -> tuple[Issues, Issues]:
    """Split off the warnings a project file (or department.yaml / the 单位 sheet, for every file)
    lists under 已确认警告: the user reviewed them; they are counted, not listed again. An entry
    narrowed to a value or a project covers only those (pipeline/problems/accepted.py)."""
    from pipeline.problems.accepted import parse_text

    def entries(texts) -> list:
        return [a for a in map(parse_text, texts or ()) if a is not None]

    everywhere = entries(year.department.accepted) if year.department is not None else []
    per_file: dict[str, list] = {}
    for p in year.projects:
        per_file.setdefault(p.file, []).extend(entries(p.data.accepted))
    project_of = _project_of(year) if any(a.project for a in everywhere) else (lambda issue: None)
    kept, accepted = Issues(), Issues()
    for i in issues:
        rules = everywhere + per_file.get(i.file, [])
        if i.severity == "warning" and rules and any(a.covers(i, project_of(i)) for a in rules):
            accepted.items.append(i)
        else:
            kept.items.append(i)
    return kept, accepted


def _project_of(year: YearInput):
    """The 项目名称 a problem is about, from where it was found: a project's own file, or a place
    (a workbook cell, a CSV row) that holds one of its values."""
    files: dict[str, set[str]] = {}
    places: dict[tuple, str] = {}

    def walk(p, value, path: tuple) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(p, v, path + (k,))
        elif isinstance(value, list):
            for n, v in enumerate(value):
                walk(p, v, path + (n,))
        loc = p.loc(*path)
        places.setdefault((loc.file, loc.line, loc.cell), p.data.name)

    for p in year.projects:
        files.setdefault(p.file, set()).add(p.data.name)
        walk(p, p.data.model_dump(by_alias=True, exclude_none=True), ())
        for figure in (p.planned, p.spent):
            if figure is not None:
                places.setdefault((figure.loc.file, figure.loc.line, figure.loc.cell), p.data.name)
        for goal in p.goals:
            for ind in goal.indicators:
                for key in ("一级指标", "二级指标", "三级指标", "年初目标值", "实际完成值"):
                    try:
                        loc = ind.locs[key]
                    except KeyError:  # a cell the row does not have
                        continue
                    places.setdefault((loc.file, loc.line, loc.cell), p.data.name)

    def project_of(issue: Issue) -> str | None:
        names = files.get(issue.file, ())
        if len(names) == 1 and issue.cell is None:
            return next(iter(names))
        return places.get((issue.file, issue.line, issue.cell))

    return project_of
