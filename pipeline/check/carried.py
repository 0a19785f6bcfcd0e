"""Figures left as they were last year, in a workbook copied by hand from last year's.

A clerk who copies last year's workbook and forgets a row publishes last year's figures as this
year's. For each project kept in a workbook whose name last year's data (data/<year-1>) also has,
the amounts (预算数, 执行数) and the 实际完成值 holding a number that are exactly last year's are one
warning naming their cells. Last year's own problems are not this year's: they are not reported.
"""

from __future__ import annotations

from pipeline.input.model import Figure, ProjectInput, YearInput
from pipeline.input.workbook.places import RowMap
from pipeline.problems.records import Issues, Loc


def _same(new: Figure | None, old: Figure | None) -> bool:
    return new is not None and old is not None and new.value == old.value


def _unchanged(p: ProjectInput, old: ProjectInput) -> list[Loc]:
    out = [new.loc for new, before in ((p.planned, old.planned), (p.spent, old.spent)) if _same(new, before)]
    before = {(i.level1, i.level2, i.level3): i.actual for g in old.goals for i in g.indicators}
    for g in p.goals:
        for ind in g.indicators:
            actual = ind.actual
            if actual and any(ch.isdigit() for ch in actual) and before.get((ind.level1, ind.level2, ind.level3)) == actual:
                out.append(ind.locs["实际完成值"])
    return out


def report_unchanged(year: YearInput, issues: Issues) -> None:
    copied = [p for p in year.projects if isinstance(p.smap, RowMap)]
    last_dir = year.dir.parent / str(year.year - 1)
    if not copied or not last_dir.is_dir():
        return
    from pipeline.input.year import load_year

    last, _ = load_year(last_dir)
    by_name = {p.data.name: p for p in last.projects}
    for p in copied:
        old = by_name.get(p.data.name)
        cells = _unchanged(p, old) if old is not None else []
        if cells:
            issues.report("unchanged-from-last-year", cells[0], year=year.year - 1,
                          cells="、".join(c.cell.split("!", 1)[-1] if c.cell else c.field for c in cells))
