"""The input model: what users write, with their Chinese keys mapped to English names here only.

Two layers: each file's pydantic model (strict about meaning: an amount is a plain decimal number
in 万元, a date is a date; problems are catalogue codes), and the year as input/year.py assembles it
from the files, with the facts both check and compute derive from it (fund totals, the effective
budget weight, scoring, titles) defined once. Rules that need the form variant or several files
live in check/rules.py.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from pipeline.problems.catalogue import CATALOGUE, lookup
from pipeline.problems.phrases import AMOUNT_EXAMPLE, AMOUNT_REASON, EXPECTED_TYPE
from pipeline.problems import accepted
from pipeline.problems.records import Loc
from pipeline.input.yaml_file import SourceMap
from pipeline.scoring.ruleset import RuleSet
from pipeline.variant import DEFAULT_VARIANT, Variant

MAX_DECIMALS = 6
MAX_INTEGER_DIGITS = 12  # 10^12 万元: far beyond any project, and every rate stays within Decimal's 28 digits
MAX_TEXT_CHARS = 2_000  # a cell: 5x the longest of the real 2023 bundle (a table: check/limits.py)

_AMOUNT_RE = re.compile(r"-?\d+(?:\.\d+)?")


def invalid(code: str, **fields: object) -> PydanticCustomError:
    """A validation error whose type is a catalogue code and whose context its fields: the loader
    reports it as that problem (pydantic's own message is the same text)."""
    return PydanticCustomError(code, lookup(code).template, fields)


def parse_amount(value: object) -> Decimal:
    """An amount from the text as written: `155.650` stays Decimal('155.650')."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or not isinstance(value, str):
        raise invalid("wrong-type", expected=EXPECTED_TYPE["amount"])
    text = value.strip()
    if _AMOUNT_RE.fullmatch(text) and text.isascii():
        return _bounded(Decimal(text))
    if re.fullmatch(r"-?[\d,，]+(?:\.\d+)?", text):
        raise invalid("amount-format", reason=AMOUNT_REASON["thousands"], example=re.sub("[,，]", "", text))
    if "%" in text or "％" in text:
        raise invalid("amount-format", reason=AMOUNT_REASON["percent"], example=AMOUNT_EXAMPLE)
    m = re.fullmatch(r"(-?\d+(?:\.\d+)?)\s*(万元|万|元)", text)
    if m:
        raise invalid("amount-format", reason=AMOUNT_REASON["unit"], example=m.group(1))
    raise invalid("amount-format", reason=AMOUNT_REASON["other"], example=AMOUNT_EXAMPLE)


def _bounded(d: Decimal) -> Decimal:
    """An amount no form holds is refused here, so that every rate and sum stays exact (a
    40-digit 执行数 overflowed the rate's precision); -0 is 0 (it printed as -0 and -0.00%)."""
    if d.adjusted() + 1 > MAX_INTEGER_DIGITS:
        raise invalid("amount-too-large", n=d.adjusted() + 1, max=MAX_INTEGER_DIGITS)
    return d.copy_abs() if d.is_zero() else d


def decimals_of(d: Decimal) -> int:
    exp = d.as_tuple().exponent
    return -exp if isinstance(exp, int) and exp < 0 else 0


def parse_date(value: object) -> dt.date:
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise invalid("date-format")
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value.strip())
    if not m:
        raise invalid("date-format")
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise invalid("date-invalid")


def parse_text(value: object) -> str:
    """Texts: YAML may read `2062` or `100%` as a number; the form prints what was written."""
    if isinstance(value, bool):
        raise invalid("wrong-type", expected=EXPECTED_TYPE["text-bool"])
    if value is None:
        raise invalid("wrong-type", expected=EXPECTED_TYPE["text-null"])
    if not isinstance(value, str):
        raise invalid("wrong-type", expected=EXPECTED_TYPE["text"])
    text = value.strip()
    if len(text) > MAX_TEXT_CHARS:
        raise invalid("text-too-long", n=len(text), max=MAX_TEXT_CHARS)
    return text


def parse_flag(value: object) -> bool:
    if isinstance(value, bool):
        return value
    raise invalid("wrong-type", expected=EXPECTED_TYPE["bool"])


Amount = Annotated[Decimal, BeforeValidator(parse_amount), WithJsonSchema({"type": ["number", "string"], "pattern": r"^-?\d+(\.\d{1,6})?$"})]
Text = Annotated[str, BeforeValidator(parse_text), WithJsonSchema({"type": ["string", "number"]})]
Date = Annotated[dt.date, BeforeValidator(parse_date), WithJsonSchema({"type": "string", "format": "date"})]
Flag = Annotated[bool, BeforeValidator(parse_flag), WithJsonSchema({"type": "boolean"})]


def parse_accepted(value: object) -> list[str] | None:
    """已确认警告: the warnings the user reviewed, e.g. [nonstandard-level2], each narrowed if the user
    wrote so to a value or a project (pipeline/problems/accepted.py); kept as one-line texts."""
    if value is None:
        return None
    items = value if isinstance(value, list) else [value]
    warnings = sorted(c for c, kind in CATALOGUE.items() if kind.severity == "warning")
    out = []
    for item in items:
        entry = accepted.parse_entry(item)
        if entry is None and isinstance(item, str) and item.strip():
            raise invalid("accept-not-a-warning", given=item.strip(), codes="、".join(warnings))
        if entry is None:
            raise invalid("accept-entry-format")
        if entry.code not in warnings:
            raise invalid("accept-not-a-warning", given=entry.code, codes="、".join(warnings))
        out.append(entry.text())
    return out


ACCEPTED_HELP = ("已核对、不必再提示的警告代码（check 输出中方括号里的代码），如 [nonstandard-level2]；"
                 "只确认某个值或某个项目：nonstandard-level2:社会效益，或 {代码: …, 值: …, 项目: …}")
AcceptedWarnings = Annotated[list[str] | None, BeforeValidator(parse_accepted),
                             WithJsonSchema({"type": "array", "items": {"type": ["string", "object"]}})]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=False, frozen=True)


class IndicatorIn(_Input):
    level1: Text = Field(alias="一级指标", description="产出指标 | 效益指标 | 满意度指标 | 成本指标")
    level2: Text = Field(alias="二级指标")
    level3: Text = Field(alias="三级指标")
    target: Text = Field(alias="年初目标值", description="可为空字符串，check 会提示")
    actual: Text = Field(alias="实际完成值", description="可为空字符串，check 会提示")
    weight: Amount | None = Field(None, alias="分值", description="评分: true 时必填")
    score: Amount | None = Field(None, alias="得分", description="评分: true 时必填")
    remark: Text | None = Field(None, alias="偏差原因分析及改进措施", description="部分表样（national-2020）每条指标一栏")


class GoalIn(_Input):
    indicators: list[IndicatorIn] = Field(default_factory=list, alias="指标")


class FundIn(_Input):
    initial: Amount = Field(alias="年初预算数")
    planned: Amount = Field(alias="全年预算数")
    spent: Amount = Field(alias="全年执行数")


class OverallGoalIn(_Input):
    expected: Text = Field(alias="预期目标")
    achieved: Text = Field(alias="实际完成情况")


class ProjectIn(_Input):
    name: Text = Field(alias="项目名称")
    table_name: Text | None = Field(None, alias="表名", description="标题为「{年度} 年度{表名}项目自评表」；默认同项目名称")
    department: Text | None = Field(None, alias="主管部门", description="默认取 department.yaml")
    implementer: Text = Field(alias="项目实施单位")
    category: Text | None = Field(None, alias="项目类别", description="部门预算项目 | 市直专项 | 省对下转移支付项目")
    attribute: Text | None = Field(None, alias="项目属性", description="持续性项目 | 新增性项目")
    kind: Text | None = Field(None, alias="项目类型", description="常年性项目 | 延续性项目 | 一次性项目")
    planned: Amount | None = Field(None, alias="预算数", description="万元；也可写在 预算执行.csv")
    spent: Amount | None = Field(None, alias="执行数", description="万元；也可写在 预算执行.csv")
    funds: dict[str, FundIn] | None = Field(None, alias="项目资金", description="按来源的项目资金（national-2020 表样）")
    overall_goal: OverallGoalIn | None = Field(None, alias="年度总体目标", description="national-2020 表样")
    goals: list[GoalIn] | None = Field(None, alias="年度绩效目标")
    reason: Text | None = Field(None, alias="偏差原因分析")
    measures: Text | None = Field(None, alias="改进措施")
    accepted: AcceptedWarnings = Field(None, alias="已确认警告", description=ACCEPTED_HELP)


class NoticeIn(_Input):
    name: Text = Field(alias="名称", description="如：关于开展 2023 年度项目支出绩效自评工作的通知")
    number: Text | None = Field(None, alias="文号", description="如：鄂州财绩发〔2024〕1 号")


class DepartmentIn(_Input):
    unit: Text = Field(alias="单位名称")
    department: Text | None = Field(None, alias="主管部门")
    date: Date | None = Field(None, alias="填报日期", description="表样印填报日期时必填（national-2020 不印）；开新年度时留空待填")
    variant: Text = Field(DEFAULT_VARIANT, alias="表样")
    scoring: Flag = Field(False, alias="评分")
    budget_weight: Amount | None = Field(None, alias="预算执行分值")
    rules: Text | None = Field(None, alias="评分规则", description="评分规则的名称（templates/rules/ 下的文件名）；默认取表样的")
    money_unit: Text = Field("万元", alias="金额单位", description="万元（默认）；national-2020 表样也可用 元")
    notice: NoticeIn | None = Field(None, alias="自评通知", description="可选：自评报告开头所依据的通知（名称、文号）")
    accepted: AcceptedWarnings = Field(None, alias="已确认警告", description=ACCEPTED_HELP + "（对所有项目）")


# --- the year as the later stages read it: the files' models, assembled, with derived facts -------

@dataclass(frozen=True)
class Figure:
    """An amount and where the user wrote it."""

    value: Decimal
    loc: Loc


@dataclass(frozen=True)
class YamlLocs:
    """Where each key of one indicator row is, found only when a message needs it."""

    smap: SourceMap
    base: tuple

    def __getitem__(self, key: str) -> Loc:
        return self.smap.loc(self.base + (key,))


@dataclass(frozen=True)
class IndicatorInput:
    level1: str
    level2: str
    level3: str
    target: str
    actual: str
    weight: Figure | None
    score: Figure | None
    locs: Mapping[str, Loc] | YamlLocs  # Chinese key -> where that cell was written
    remark: str | None = None  # 偏差原因分析及改进措施, on forms with that column


@dataclass(frozen=True)
class GoalInput:
    indicators: tuple[IndicatorInput, ...]


@dataclass(frozen=True)
class ProjectInput:
    key: str  # file stem, "01-政法智能化建设"
    number: str  # "01"
    file: str
    data: ProjectIn
    smap: SourceMap
    planned: Figure | None
    spent: Figure | None
    goals: tuple[GoalInput, ...]
    figures_in_csv: frozenset[str] = frozenset()  # figures the budget CSV wrote (valid or not)

    def loc(self, *path: str | int) -> Loc:
        return self.smap.loc(tuple(path))

    @cached_property
    def fund_total(self) -> FundTotal | None:
        """The sums over the sources of 项目资金, for forms that split funds by source."""
        funds = self.data.funds
        if funds is None:
            return None
        return FundTotal(sum((f.initial for f in funds.values()), Decimal(0)),
                         sum((f.planned for f in funds.values()), Decimal(0)),
                         sum((f.spent for f in funds.values()), Decimal(0)))

    def title(self, variant: Variant, year: int) -> str:
        """The table's title on this form (duplicate titles are an error, so check needs it too)."""
        return variant.title.format(year=year, name=self.data.table_name or self.data.name)


@dataclass(frozen=True)
class FundTotal:
    initial: Decimal  # 年初预算数
    planned: Decimal  # 全年预算数
    spent: Decimal  # 全年执行数


@dataclass
class YearInput:
    year: int
    dir: Path
    department: DepartmentIn | None = None
    department_smap: SourceMap | None = None
    variant: Variant | None = None
    projects: list[ProjectInput] = field(default_factory=list)
    rules: RuleSet | None = None  # the scoring rule set: department.yaml's 评分规则, else the variant's

    def scoring(self, variant: Variant) -> bool:
        """Whether the tables are scored: the form always is, or department.yaml turns it on."""
        return variant.scoring_always or bool(self.department and self.department.scoring)

    def budget_weight(self, variant: Variant) -> Decimal:
        """预算执行分值: department.yaml's, else the rule set's (the form's default rule set's)."""
        if self.department is not None and self.department.budget_weight is not None:
            return self.department.budget_weight
        return self.rules.budget.weight if self.rules is not None else variant.budget_weight


# Keys that hold amounts or dates anywhere in the files: the loader reads common variants of them
# (full-width digits, 2024/4/23) leniently with a warning before the strict types see them.
AMOUNT_KEYS = frozenset({"预算数", "执行数", "分值", "得分", "预算执行分值", "年初预算数", "全年预算数", "全年执行数"})
DATE_KEYS = frozenset({"填报日期"})

# This year's facts: `annex new-year` writes them empty (`预算数:`), and an empty one is reported
# once as not yet filled ("本年度尚未填写"), never as a type error. An empty 得分 of a scored
# indicator whose 实际完成值 is filled is said by check/scoring.py instead: computed (定量) or asked for (定性).
YEARLY_KEYS = frozenset({"填报日期", "预算数", "执行数", "偏差原因分析", "改进措施", "实际完成值", "得分",
                         "年初预算数", "全年预算数", "全年执行数", "实际完成情况",
                         # left empty by `annex convert --to national-2020`: what the hubei data cannot say
                         "分值", "预期目标"})

# The checkbox groups a form may print: the project key -> ProjectIn's attribute.
CATEGORY_KEYS = {"项目类别": "category", "项目属性": "attribute", "项目类型": "kind"}


def project_schema() -> dict:
    schema = ProjectIn.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "annex 项目文件（projects/NN-名称.yaml）"
    return schema


def department_schema() -> dict:
    schema = DepartmentIn.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "annex 单位文件（department.yaml）"
    return schema
