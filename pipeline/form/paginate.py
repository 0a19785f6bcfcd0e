"""A long table's continuation pages repeat the 一级/二级 labels of the runs they continue.

A label merged down a run of rows prints once, at the run's first row; when the run goes on past
a page break, the next page would show empty cells. Given the rows that start a page (found by
laying the form out: pipeline/render/pdf/render.py), each run crossing a break is cut there and
its label printed again, in Word as in the PDF.
"""

from __future__ import annotations

from dataclasses import replace

from pipeline.form.compute import spans
from pipeline.form.filled import FilledForm, Goal

ROW_ID = "row-{goal}-{row}"  # the HTML id of an indicator row: its goal's and its own index


def row_id(goal: int, row: int) -> str:
    return ROW_ID.format(goal=goal, row=row)


def restart_runs(form: FilledForm, page_starts: set[tuple[int, int]]) -> FilledForm:
    """The form with its 一级/二级 runs and its goal labels cut at `page_starts`, (goal index, row
    index) of the rows that begin a page. Returns the form itself when no goal crosses a break."""
    goals = []
    changed = False
    for g, goal in enumerate(form.goals):
        cuts = [(g, r) in page_starts and r > 0 for r in range(len(goal.rows))]
        if not any(cuts):
            # A page that starts with the goal: its runs start there anyway; a label over all the
            # goals' rows (national-2020) starts again.
            goals.append(replace(goal, breaks=(0,)) if (g, 0) in page_starts and g > 0 else goal)
            changed = changed or ((g, 0) in page_starts and g > 0)
            continue
        changed = True
        old_l1 = [row.level1_span > 0 for row in goal.rows]
        old_l2 = [row.level2_span > 0 for row in goal.rows]
        # A run starts where it started before, or at a page's first row; 二级 runs also at 一级 starts.
        l1 = spans([row.level1 for row in goal.rows], [a or c for a, c in zip(old_l1, cuts)])
        l2 = spans([row.level2 for row in goal.rows], [a or b or c for a, b, c in zip(old_l1, old_l2, cuts)])
        rows = tuple(replace(row, level1_span=s1, level2_span=s2) for row, s1, s2 in zip(goal.rows, l1, l2))
        first = (0,) if (g, 0) in page_starts and g > 0 else ()
        goals.append(Goal(goal.label, rows, first + tuple(r for r, c in enumerate(cuts) if c)))
    return replace(form, goals=tuple(goals)) if changed else form

