"""One printed table read by its labels: the texts next to each label, wherever the typist put them.

A label may sit a column left or right, its value beside it, in the same cell after it, or on the
row below; a block's values are matched to its header cells by the columns they cover (or by order
when a hand-made row does not line up). Nothing here decides what the texts mean: project.py does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.input.word.cells import Cell
from pipeline.input.word.labels import FormLabels, Match, norm

SINGLE = ("project_name", "department", "implementer", "reason", "measures")
BUDGET_HEADERS = ("planned", "spent", "rate", "weight", "score")
FUND_HEADERS = ("initial", "planned", "spent", "weight", "rate", "score")
INDICATOR_HEADERS = ("level1", "level2", "level3", "target", "actual", "weight", "score", "remark")
ENDS_GOALS = frozenset(("total", "reason", "measures", "project_name", "department", "budget", "funds",
                        "overall_goal"))


@dataclass
class Goal:
    weight: str | None  # the `(N 分)` after its label, if printed
    rows: list[dict[str, str]] = field(default_factory=list)
    level1_restarts: list[bool] = field(default_factory=list)  # per row: its 一级 cell starts a new merge


@dataclass
class TableRead:
    singles: dict[str, str] = field(default_factory=dict)  # label id -> text
    groups: dict[str, str] = field(default_factory=dict)  # 项目类别 -> the group's cell text
    budget: dict[str, str] = field(default_factory=dict)  # planned/spent/rate/weight/score -> printed text
    budget_label: Match | None = None
    funds: dict[str, dict[str, str]] = field(default_factory=dict)  # "total" or a source key -> header -> text
    funds_label: Match | None = None
    overall: dict[str, str] = field(default_factory=dict)  # expected/achieved
    goals: list[Goal] = field(default_factory=list)
    total: dict[str, str] = field(default_factory=dict)  # score, grade
    merged_level1: bool = False  # the 一级 column uses vertical merges


def read_table(rows: list[list[Cell]], labels: FormLabels) -> TableRead:
    t = TableRead()
    header: list[tuple[str, Cell]] | None = None
    in_goals = False
    i = 0
    while i < len(rows):
        row = rows[i]
        found = [(c, labels.match(c.text, prefix=True)) for c in row if not c.continues and c.text]
        ids = {m.id for _, m in found if m}
        goal = next(((c, m) for c, m in found if m and m.id == "goal"), None)
        if goal is not None or "indicators" in ids:
            t.goals.append(Goal(goal[1].weight if goal else None))
            in_goals = True
            if "level1" in ids:
                header = _header(found, INDICATOR_HEADERS)
            i += 1
            continue
        if in_goals and "level1" in ids and not ids & ENDS_GOALS:
            header = _header(found, INDICATOR_HEADERS)
            i += 1
            continue
        if ids & ENDS_GOALS:
            in_goals = False
        elif in_goals:
            if header is not None and t.goals:
                _indicator_row(row, header, t)
            i += 1
            continue
        i = _fields(rows, i, found, labels, t)
    return t


def _header(found: list[tuple[Cell, Match | None]], ids: tuple[str, ...]) -> list[tuple[str, Cell]]:
    out, seen = [], set()
    for c, m in found:
        if m and m.id in ids and m.id not in seen:
            out.append((m.id, c))
            seen.add(m.id)
    return out


def _overlap(a: Cell, b: Cell) -> int:
    return max(0, min(a.end, b.end) - max(a.col, b.col))


def _by_columns(cells: list[Cell], header: list[tuple[str, Cell]]) -> dict[str, Cell]:
    """Each cell to the header cell it overlaps most (a header takes its first such cell)."""
    out: dict[str, Cell] = {}
    for c in cells:
        best, best_n = None, 0
        for hid, h in header:
            n = _overlap(c, h)
            if n > best_n:
                best, best_n = hid, n
        if best is not None and best not in out:
            out[best] = c
    return out


def _indicator_row(row: list[Cell], header: list[tuple[str, Cell]], t: TableRead) -> None:
    goal = t.goals[-1]
    cells = _by_columns(row, header)
    previous = goal.rows[-1] if goal.rows else {}
    values: dict[str, str] = {}
    restart = False
    for hid, _ in header:
        c = cells.get(hid)
        if c is None:
            values[hid] = ""
        elif c.continues:
            values[hid] = previous.get(hid, "")
            if hid == "level1":
                t.merged_level1 = True
        else:
            values[hid] = c.text
            if hid == "level1":
                restart = True
    if any(values.values()):
        goal.rows.append(values)
        goal.level1_restarts.append(restart)


def _fields(rows: list[list[Cell]], i: int, found, labels: FormLabels, t: TableRead) -> int:
    """Read the labelled values of row i; returns the next row to read."""
    row = rows[i]
    nxt = i + 1
    for c, m in found:
        if m is None:
            continue
        if m.id in SINGLE and m.id not in t.singles:
            t.singles[m.id] = m.rest or _value_of(rows, i, c, labels)
        elif m.id in labels.variant.checkbox_groups and m.id not in t.groups:
            t.groups[m.id] = m.rest or _value_of(rows, i, c, labels)
        elif m.id == "budget" and t.budget_label is None:
            t.budget_label = m
            nxt = max(nxt, _budget(rows, i, labels, t))
        elif m.id == "funds" and t.funds_label is None:
            t.funds_label = m
            nxt = max(nxt, _funds(rows, i, found, labels, t))
        elif m.id == "overall_goal" and not t.overall:
            nxt = max(nxt, _overall(rows, i, found, t))
        elif m.id == "total" and not t.total:
            _total(row, labels, t)
    return nxt


def _value_of(rows: list[list[Cell]], i: int, label: Cell, labels: FormLabels) -> str:
    """The value beside a label: the next cell to its right, else the row below (when that row holds no label)."""
    row = rows[i]
    for c in row:
        if c.col < label.end or c.continues or not c.text:
            continue
        if labels.known(c.text) or labels.match(c.text, prefix=True):
            break
        return c.text
    if i + 1 < len(rows):
        below = [c for c in rows[i + 1] if not c.continues and c.text]
        if below and not any(labels.match(c.text, prefix=True) for c in below):
            for c in below:
                if c.end > label.col:
                    return c.text
    return ""


def _budget(rows: list[list[Cell]], i: int, labels: FormLabels, t: TableRead) -> int:
    """The budget block: its header cells (预算数, 执行数, 执行率 [, 分值, 得分]) and the row of figures under them."""
    for h in (i, i + 1):
        if h >= len(rows):
            return i + 1
        found = [(c, labels.match(c.text, prefix=True)) for c in rows[h] if not c.continues and c.text]
        header = _header(found, BUDGET_HEADERS)
        if header:
            break
    else:
        return i + 1
    if h + 1 >= len(rows):
        return h + 1
    values = [c for c in rows[h + 1] if not c.continues and c.text and not labels.known(c.text)]
    if len(values) == len(header):
        t.budget = {hid: c.text for (hid, _), c in zip(header, values)}
    else:
        t.budget = {hid: c.text for hid, c in _by_columns(values, header).items()}
    return h + 2


def _funds(rows: list[list[Cell]], i: int, found, labels: FormLabels, t: TableRead) -> int:
    header = _header(found, FUND_HEADERS)
    j = i + 1
    while j < len(rows):
        cells = [c for c in rows[j] if not c.continues and c.text]
        label = next(((c, labels.match(c.text)) for c in cells if labels.match(c.text)), None)
        total = label is not None and label[1].id in ("fund_total", "budget_source")  # one text, two ids
        if label is None or not (total or label[1].id.startswith("source:")):
            break
        key = "total" if total else label[1].id.split(":", 1)[1]
        values = [c for c in cells if c is not label[0]]
        t.funds[key] = {hid: c.text for hid, c in _by_columns(values, header).items()}
        j += 1
    return j


def _overall(rows: list[list[Cell]], i: int, found, t: TableRead) -> int:
    header = _header(found, ("expected", "achieved"))
    if not header or i + 1 >= len(rows):
        return i + 1
    cells = [c for c in rows[i + 1] if not c.continues]
    t.overall = {hid: c.text for hid, c in _by_columns(cells, header).items()}
    return i + 2


def _total(row: list[Cell], labels: FormLabels, t: TableRead) -> None:
    for c in row:
        m = labels.match(c.text) if c.text and not c.continues else None
        if m and m.id == "grade":
            grade = labels.patterns["grade"].fullmatch(norm(c.text))
            t.total["grade"] = grade.group("grade") if grade else ""
        elif c.text and not c.continues and m is None:
            t.total.setdefault("numbers", "")
            t.total["numbers"] += c.text + "\n"
