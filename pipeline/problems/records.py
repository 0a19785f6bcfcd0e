"""Validation problems as data: each one located, coded and explained, before anything prints it.

Modelled on frictionless-py's error reports: a record per problem (file, line, field, code,
message), collected over a whole run so the user sees every problem at once.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Iterator

from pipeline.problems.catalogue import Severity, lookup

MAX_VALUE_CHARS = 60


@dataclass(frozen=True)
class Loc:
    """Where a value was written: a file, a position in it, and the field path in the user's keys."""

    file: str
    line: int | None = None
    column: int | None = None
    field: str = ""
    cell: str | None = None  # in a workbook: the sheet and cell a user types into the name box, "指标!E12"

    def describe(self) -> str:
        if self.cell:
            return f"{self.file} {self.cell}"
        pos = self.file
        if self.line is not None:
            pos += f":{self.line}"
            if self.column is not None:
                pos += f":{self.column}"
        return pos


@dataclass(frozen=True)
class Issue:
    code: str  # stable, kebab-case: "unknown-key", "budget-not-positive", ...
    severity: Severity
    file: str
    line: int | None
    column: int | None
    field: str  # in the user's Chinese keys: 年度绩效目标[1].指标[2].二级指标
    value: str | None
    message: str  # Chinese: what is wrong and what is expected
    cell: str | None = None  # in a workbook: "指标!E12" (line and column are then its row and column)

    def to_dict(self) -> dict:
        return asdict(self)


def show_value(value: object) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else str(value)
    if len(text) > MAX_VALUE_CHARS:
        text = text[:MAX_VALUE_CHARS] + f"…（共 {len(text)} 字）"
    return text


def field_path(parts: tuple | list) -> str:
    """('年度绩效目标', 0, '指标', 2, '二级指标') -> '年度绩效目标[1].指标[3].二级指标' (1-based, as users count)."""
    out = ""
    for p in parts:
        if isinstance(p, int):
            out += f"[{p + 1}]"
        else:
            out += ("." if out else "") + str(p)
    return out


@dataclass
class Issues:
    """Collects every problem of a run."""

    items: list[Issue] = field(default_factory=list)

    def report(self, code: str, loc: Loc, value: object = None, **fields: object) -> None:
        """Record a catalogued problem: its severity and message come from pipeline/problems/catalogue.py."""
        kind = lookup(code)
        self.items.append(Issue(code, kind.severity, loc.file, loc.line, loc.column, loc.field, show_value(value),
                                kind.message(**fields), loc.cell))

    def extend(self, other: "Issues") -> None:
        self.items.extend(other.items)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.items if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.items if i.severity == "warning"]

    @property
    def notes(self) -> list[Issue]:
        """Counted, never alarming (severity info): e.g. the 得分 a scoring rule set computed."""
        return [i for i in self.items if i.severity == "info"]

    def sorted(self) -> list[Issue]:
        """Errors first (they stop the build: the clerk fixes them first), then warnings, then
        notes (info); each in file, sheet, line and column order."""
        return sorted(self.items, key=lambda i: (_RANK.get(i.severity, len(_RANK)), i.file, _sheet(i),
                                                 i.line or 0, i.column or 0, i.code))

    def __getitem__(self, index: int) -> Issue:
        return self.items[index]

    def __iter__(self) -> Iterator[Issue]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


_RANK = {"error": 0, "warning": 1, "info": 2}


def _sheet(issue: Issue) -> str:
    """A workbook's problems are listed sheet by sheet, each sheet in row order."""
    return issue.cell.rpartition("!")[0] if issue.cell else ""
