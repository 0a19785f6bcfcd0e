"""How much one table may hold: what a real form fits and a real machine renders in seconds.

The department's real 2023 bundle is about 10,000 characters for 11 tables, its longest cell
424. Before these limits, one project of 200 indicators × 20,000 characters (each cell within the
old per-cell limit) rendered about 6,800 PDF pages for 5 minutes. Now a cell holds at most
MAX_TEXT_CHARS (input/model.py) and a table MAX_PROJECT_CHARS in all (about 40 printed pages).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipeline.problems.records import Issues, Loc

if TYPE_CHECKING:
    from pipeline.input.model import ProjectInput

MAX_PROJECT_CHARS = 20_000


def project_chars(p: ProjectInput) -> int:
    """Every character the table will print from this project's data (file and CSV rows)."""
    total = sum(len(t) for t in _texts(p.data.model_dump()))
    for goal in p.goals if p.data.goals is None else ():  # indicators from 绩效指标.csv
        total += sum(len(r.level1) + len(r.level2) + len(r.level3) + len(r.target) + len(r.actual)
                     + len(r.remark or "") for r in goal.indicators)
    return total


def _texts(value: object):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _texts(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _texts(v)


def check_project_sizes(projects: list[ProjectInput], issues: Issues) -> None:
    for p in projects:
        n = project_chars(p)
        if n > MAX_PROJECT_CHARS:
            issues.report("project-too-long", Loc(p.file, 1, None), value=None, n=n, max=MAX_PROJECT_CHARS)
