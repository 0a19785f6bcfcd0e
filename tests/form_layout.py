"""The hubei-2023 table as form.md lays it out, for the Word and the PDF tests: hand-built forms and
the expected cells of any form, merges worked out from the texts (never from the form's span fields;
the rule itself is held to hand-written expectations in tests/test_merge_spans.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import groupby

from grid_cell import GridCell
from pipeline.form.filled import (
    Budget,
    CheckboxGroup,
    CheckboxOption,
    FilledForm,
    Goal,
    IndicatorRow,
    Total,
)


def level_spans(rows: list[tuple[str, str]]) -> tuple[list[int], list[int]]:
    """The rowspans of 一级 and 二级 for rows of (一级, 二级), read as form.md says it: a 一级 cell
    is a run of equal 一级; a 二级 cell is a run of equal 二级 inside one 一级 run. Written apart
    from compute's loop on purpose (as runs, not boundaries); tests/test_merge_spans.py holds both
    to hand-written expectations."""
    level1 = [0] * len(rows)
    level2 = [0] * len(rows)
    for _, run in groupby(range(len(rows)), key=lambda i: rows[i][0]):
        run = list(run)
        level1[run[0]] = len(run)
        for _, cell in groupby(run, key=lambda i: rows[i][1]):
            cell = list(cell)
            level2[cell[0]] = len(cell)
    return level1, level2


def level_cells(rows: Sequence[IndicatorRow]) -> list[list[tuple[int, str, int]]]:
    """For each indicator row, the 一级 (grid column 1) and 二级 (column 2) cells that start in it,
    as (col, text, rowspan); none where the cell above runs on."""
    l1, l2 = level_spans([(x.level1, x.level2) for x in rows])
    out = []
    for x, s1, s2 in zip(rows, l1, l2):
        starts = []
        if s1:
            starts.append((1, x.level1, s1))
        if s2:
            starts.append((2, x.level2, s2))
        out.append(starts)
    return out


# ---------------------------------------------------------------- hand-built forms


@dataclass(frozen=True)
class Sample:
    """What a hand-built form prints besides its labels: each test module picks its own."""

    checked: int  # the ticked option of every checkbox group (1-based)
    indicators: tuple[tuple[str, ...], ...]  # goal 1's rows: (一级, 二级, 三级, 目标值, 完成值, 分值, 得分)
    planned: str
    spent: str
    rate: str
    budget_score: str  # with scoring
    grade: str  # with scoring
    total_score: str  # with scoring
    reason: str


def goal(label: str, rows: list[tuple[str, ...]]) -> Goal:
    """rows: (一级, 二级, 三级, 目标值, 完成值[, 分值, 得分])."""
    l1, l2 = level_spans([(r[0], r[1]) for r in rows])
    return Goal(label, tuple(
        IndicatorRow(*r[:5], level1_span=a, level2_span=b, weight=r[5] if len(r) > 5 else "",
                     score=r[6] if len(r) > 6 else "")
        for r, a, b in zip(rows, l1, l2)
    ))


def make_form(variant, sample: Sample, *, scoring: bool = False, goals: tuple[Goal, ...] | None = None,
              **fields) -> FilledForm:
    """A hubei-2023 form printing `sample`; by default goal 1 holds its indicators and goal 2 is empty."""
    labels = dict(variant.labels)
    checkboxes = tuple(
        CheckboxGroup(name, tuple(
            CheckboxOption(variant.checkbox_option.format(n=n, label=o), n == sample.checked,
                           variant.checkbox_checked if n == sample.checked else variant.checkbox_unchecked)
            for n, o in enumerate(options, start=1)
        ))
        for name, options in variant.checkbox_groups.items()
    )
    if goals is None:
        goals = (goal("年度绩效目标 1", list(sample.indicators)), Goal("年度绩效目标 2", ()))
    headers = [labels[k] for k in ("level1", "level2", "level3", "target", "actual")]
    if scoring:
        headers += [labels["weight"], labels["score"]]
        goals = tuple(replace(g, label=f"{g.label} (80 分)") if g.rows else g for g in goals)
    budget_label = labels["budget"].format(unit="万元")
    base = dict(
        key="01-测试", number="01", variant=variant.name, scoring=scoring,
        attachment_label=variant.attachment_label, title="2023 年度测试项目自评表",
        unit_line="单位名称：测试单位", date_line="填报日期：2024 年 4 月 23 日", labels=labels,
        project_name="测试项目", department="测试部门", implementer="测试科", checkboxes=checkboxes,
        budget=Budget(
            label=f"{budget_label} (20 分)" if scoring else budget_label,
            source_label=labels["budget_source"], planned_label=labels["planned"],
            spent_label=labels["spent"], rate_label=labels["rate"],
            planned=sample.planned, spent=sample.spent, rate=sample.rate,
            weight="20" if scoring else "", score=sample.budget_score if scoring else "",
        ),
        goals=goals,
        total=Total(labels["total"], f"自评等级：{sample.grade}", sample.grade, "100", sample.total_score)
        if scoring else None,
        reason=sample.reason, measures="进一步加强信息化实战应用",
        footnotes_title=variant.footnotes_title, footnotes=variant.footnotes,
        indicator_headers=tuple(headers),
    )
    base.update(fields)
    return FilledForm(**base)


# ---------------------------------------------------------------- the expected table


def expected_cells(form: FilledForm) -> list[GridCell]:
    """form.md's table, cell by cell: (row, col, text, rowspan, colspan)."""
    n = 8 if form.scoring else 6
    lab, b = form.labels, form.budget
    scored = form.scoring
    cells: list[GridCell] = []
    r = 0

    def add(col: int, text: str, rowspan: int = 1, colspan: int = 1) -> None:
        cells.append(GridCell(r, col, text, rowspan, colspan))

    add(0, lab["project_name"], colspan=2)
    add(2, form.project_name, colspan=n - 2)
    r += 1
    add(0, lab["department"], colspan=2)
    add(2, form.department)
    add(3, lab["implementer"])
    add(4, form.implementer, colspan=n - 4)
    r += 1
    for group in form.checkboxes:
        add(0, group.label, colspan=2)
        add(2, group.text, colspan=n - 2)
        r += 1
    add(0, b.label, rowspan=2, colspan=2)
    add(2, b.source_label, rowspan=2)
    for col, text in enumerate([b.planned_label, b.spent_label, b.rate_label]
                               + ([lab["weight"], lab["score"]] if scored else []), start=3):
        add(col, text)
    r += 1
    for col, text in enumerate([b.planned, b.spent, b.rate] + ([b.weight, b.score] if scored else []), start=3):
        add(col, text)
    r += 1
    for g in form.goals:
        if g.empty:
            add(0, g.label)
            add(1, "", colspan=n - 1)
            r += 1
            continue
        add(0, g.label, rowspan=1 + len(g.rows))
        headers = [lab[k] for k in ("level1", "level2", "level3", "target", "actual")]
        for col, text in enumerate(headers + ([lab["weight"], lab["score"]] if scored else []), start=1):
            add(col, text)
        r += 1
        for row, starts in zip(g.rows, level_cells(g.rows)):
            for col, text, rowspan in starts:
                add(col, text, rowspan=rowspan)
            texts = [row.level3, row.target, row.actual] + ([row.weight, row.score] if scored else [])
            for col, text in enumerate(texts, start=3):
                add(col, text)
            r += 1
    if scored:
        t = form.total
        add(0, t.label, colspan=2)
        add(2, t.grade_text, colspan=4)
        add(6, t.weight)
        add(7, t.score)
        r += 1
    add(0, lab["reason"], colspan=2)
    add(2, form.reason, colspan=n - 2)
    r += 1
    add(0, lab["measures"], colspan=2)
    add(2, form.measures, colspan=n - 2)
    return cells
