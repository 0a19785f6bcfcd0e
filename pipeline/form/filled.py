"""The filled form: every string, tick and merge of one printed table, decided.

`compute` builds these objects; the Word and PDF renderers only place them. Nothing here
computes anything beyond trivial views (a concatenated string, a merge flag) so that both
renderers read the same decisions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Literal

VMerge = Literal["restart", "continue", ""]


def vmerge_of(span: int) -> VMerge:
    """Word's vMerge value for a cell that spans `span` rows (0: covered by the cell above)."""
    if span == 0:
        return "continue"
    return "restart" if span > 1 else ""


@dataclass(frozen=True)
class CheckboxOption:
    label: str  # numbered, e.g. "1、部门预算项目"
    checked: bool
    mark: str  # "☑" or "☐"


@dataclass(frozen=True)
class CheckboxGroup:
    label: str  # e.g. "项目类别"
    options: tuple[CheckboxOption, ...]
    # Between two options: two ideographic spaces (2 em in any CJK font), in Word as in the PDF, so
    # that a box reads with its own option, not with the next.
    gap: ClassVar[str] = "\u3000\u3000"

    @property
    def text(self) -> str:
        """The group as one line, as it reads in the printed cell."""
        return self.gap.join(f"{o.label} {o.mark}" for o in self.options)


@dataclass(frozen=True)
class Budget:
    label: str  # "预算执行情况 (万元)", with " (20 分)" when scored
    source_label: str  # "年度财政资金总额"
    planned_label: str  # "预算数 (A)"
    spent_label: str  # "执行数 (B)"
    rate_label: str  # "执行率 (B/A)"
    planned: str  # as written: "97.621"
    spent: str
    rate: str  # "57.42%"
    weight: str = ""  # scoring: "20"
    score: str = ""  # scoring: 预算执行得分 "11.48"


@dataclass(frozen=True)
class FundRow:
    """One row of a funds-by-source block (forms that split 项目资金 by source)."""

    label: str  # "年度资金总额", "其中：当年财政拨款", …
    initial: str  # 年初预算数, as written (sums: exact Decimal sums)
    planned: str  # 全年预算数
    spent: str  # 全年执行数
    weight: str  # "10" on the total row, the variant's not-applicable mark elsewhere
    rate: str  # "83.50%" on the total row, "" elsewhere
    score: str


@dataclass(frozen=True)
class OverallGoal:
    expected: str  # 预期目标
    achieved: str  # 实际完成情况


@dataclass(frozen=True)
class IndicatorRow:
    level1: str
    level2: str
    level3: str
    target: str
    actual: str
    level1_span: int  # rows the 一级 cell spans from this row; 0 = merged into the row above
    level2_span: int
    weight: str = ""  # scoring: 分值
    score: str = ""  # scoring: 得分
    remark: str = ""  # variants with a per-indicator comment column
    # By the year's scoring rule set (pipeline/scoring/), for whoever reports on the table (the 自评报告):
    # The target was met: 定量 by the rule's comparison; 定性 when 实际完成值 says what 年初目标值 says,
    # or by the clerk's 得分 (full or not); None when annex cannot tell (pipeline/form/attainment.py).
    met: bool | None = None
    quantitative: bool = False  # 定量: scored by the rule's formula
    score_computed: bool = False  # the 得分 printed was computed (left empty in the data)

    @property
    def level1_vmerge(self) -> VMerge:
        return vmerge_of(self.level1_span)

    @property
    def level2_vmerge(self) -> VMerge:
        return vmerge_of(self.level2_span)


@dataclass(frozen=True)
class Goal:
    label: str  # "年度绩效目标 1", with " (80 分)" when scored
    rows: tuple[IndicatorRow, ...]  # empty: the goal prints as one empty row
    breaks: tuple[int, ...] = ()  # rows that begin a page (pipeline/form/paginate.py): the label prints again

    def label_span(self, row: int) -> int:
        """Rows the goal label's cell spans from indicator row `row` (0: covered by the cell above):
        one cell, or one per page the goal runs over."""
        if row != 0 and row not in self.breaks:
            return 0
        ends = [b for b in self.breaks if b > row] + [len(self.rows)]
        return min(ends) - row

    @property
    def empty(self) -> bool:
        return not self.rows

    @property
    def span(self) -> int:
        """Rows the goal's label cell spans: the header row plus its indicator rows."""
        return 1 + len(self.rows) if self.rows else 1


@dataclass(frozen=True)
class Total:
    label: str  # "总分"
    grade_text: str  # "自评等级：优"
    grade: str  # "优"
    weight: str  # "100"
    score: str  # "93.50"


@dataclass(frozen=True)
class FilledForm:
    """One table of the bundle, ready to place."""

    key: str  # "01-政法智能化建设": the project file's stem, stable across builds
    number: str  # "01": the bundle order
    variant: str  # "hubei-2023"
    scoring: bool
    attachment_label: str  # "附件 2."
    title: str  # "2023 年度政法智能化建设专项经费项目自评表"
    unit_line: str  # "单位名称：中共鄂州市委政法委员会"
    date_line: str  # "填报日期：2024 年 4 月 23 日"
    labels: dict[str, str]  # the variant's fixed cell labels, by English id
    project_name: str
    department: str  # 主管部门
    implementer: str  # 项目实施单位
    checkboxes: tuple[CheckboxGroup, ...]
    budget: Budget
    goals: tuple[Goal, ...]
    total: Total | None
    reason: str  # 偏差大或目标未完成原因分析
    measures: str  # 改进措施及结果应用方案
    footnotes_title: str  # "备注："
    footnotes: tuple[str, ...]
    indicator_headers: tuple[str, ...] = field(default=())  # 一级指标 … 实际完成值 (B) [, 分值, 得分]
    subtitle: str = ""  # a line under the title, e.g. "（2023 年度）"
    funds: tuple[FundRow, ...] = ()  # funds by source, for forms that have that block
    overall_goal: OverallGoal | None = None  # 年度总体目标, for forms that have it
    file_stem: str = ""  # "01-政法智能化建设专项经费": output file name, safe on every OS
    outline_title: str = ""  # the table's bookmark in the bundle PDF (the title, where it names the project)
    unit: str = ""  # 单位名称: the PDF's author
    title_lines: tuple[str, ...] = ()  # the title as printed: balanced lines (pipeline/form/lines.py)
    tall_rows: tuple[str, ...] = ()  # text rows that may break across pages (pipeline/form/paginate.py)

    def block_label_span(self, goal: int, row: int) -> int:
        """For forms with one label over every goal's rows (national-2020's 绩效指标): the rows its
        cell spans from `row` of `goal` (0: covered), one cell per page the rows run over."""
        flat = [(g, r) for g, gl in enumerate(self.goals) for r in range(len(gl.rows))]
        starts = {0} | {i for i, (g, r) in enumerate(flat) if r in self.goals[g].breaks}
        i = flat.index((goal, row))
        if i not in starts:
            return 0
        return min([s for s in starts if s > i] + [len(flat)]) - i


@dataclass(frozen=True)
class FilledBundle:
    """The whole year's bundle: one form per project, in bundle order."""

    year: int
    unit: str  # 单位名称
    title: str  # "中共鄂州市委政法委员会-2023年度项目支出绩效自评表"
    variant: str
    forms: tuple[FilledForm, ...]
    file_stem: str = ""  # the title with the unit made safe as a file name: the bundle's file name
