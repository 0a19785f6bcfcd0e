"""Where a workbook value is: the source maps that stand where the YAML loader's SourceMap stands, so
that validation and every rule name the cell a user types into Excel's name box."""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.problems.records import Loc, field_path
from pipeline.input.workbook.layout import FUND_SEPARATOR, FUNDS, OVERALL_GOAL
from pipeline.input.workbook.sheets import Sheet


@dataclass(frozen=True)
class RowMap:
    """The source map of one project row: a field path of the input model -> its cell.

    Stands where the YAML loader's SourceMap stands (it answers `.loc(path)` and has `.file`), so the
    loader's validation and every rule locate workbook values without knowing about workbooks.
    """

    sheet: Sheet
    row: int

    @property
    def file(self) -> str:
        return f"{self.sheet.file} {self.sheet.name}!{self.ref}"

    @property
    def ref(self) -> str:
        col = self.sheet.headers.get("项目名称")
        return self.sheet.loc(self.row, col, "").cell.split("!", 1)[1]

    def loc(self, path: tuple) -> Loc:
        """The cell of a field path: ('项目资金', '其他资金', '全年执行数') is column 其他资金·全年执行数. A
        field with no column here (missing, or a whole group) is placed on the row's 项目名称 cell."""
        path = tuple(path)
        key = str(path[0]) if path else "项目名称"
        if key == FUNDS and len(path) >= 3:
            column = f"{path[1]}{FUND_SEPARATOR}{path[2]}"
        elif key == OVERALL_GOAL and len(path) >= 2:
            column = str(path[1])
        else:
            column = field_path(path) if path else key
        col = self.sheet.headers.get(column)
        if col is None:
            col = self.sheet.headers.get("项目名称")
        return self.sheet.loc(self.row, col, column)

    def alias(self, typo: tuple, meant: tuple) -> None:
        """A row's keys are its columns, whose unknown headers are reported by the sheet: nothing to move."""


@dataclass(frozen=True)
class KeyMap:
    """The source map of department keys written in a 单位 sheet and/or department.yaml."""

    file: str
    locs: dict[str, Loc]
    fallback: Loc

    def loc(self, path: tuple) -> Loc:
        return self.locs.get(str(path[0]) if path else "", self.fallback) if path else self.fallback

    def alias(self, typo: tuple, meant: tuple) -> None:
        """A key typo (单位名 for 单位名称) read as the key it meant, located at the typo's cell."""
        if typo and meant and str(typo[0]) in self.locs:
            self.locs.setdefault(str(meant[0]), self.locs[str(typo[0])])


@dataclass(frozen=True)
class RowLocs:
    """Where each key of one indicator row is, made only when a message needs it."""

    sheet: Sheet
    row: int
    # A blank "same as above" cell's value is the cell above's: what is said about it is said there,
    # once, not at every blank cell below (key -> the row that holds the value).
    origins: dict[str, int] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Loc:
        col = self.sheet.headers.get(key)
        if col is None:
            return self.sheet.loc(self.row, self.sheet.headers.get("项目名称"), key)
        return self.sheet.loc(self.origins.get(key, self.row), col, key)
