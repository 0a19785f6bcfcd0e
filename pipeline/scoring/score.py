"""Scores by a rule set: 预算执行, each indicator, the total and its grade.

Pure functions of the figures and texts as written (Decimal throughout); check (pipeline/check/
scoring.py) and compute (pipeline/form/compute.py) both call them, so a score check warns about is
the very score a table prints.

定量 (both 年初目标值 and 实际完成值 read as quantities, same unit, target not 0):
  met                -> the weight
  `≥` not met        -> 实际 ÷ 目标 × 分值
  `≤` not met        -> 目标 ÷ 实际 × 分值
  `=` not met        -> the rule set's choice: the smaller ÷ the larger × 分值, 0, or 定性
  `≥` overshot       -> the rule set's switch: no deduction, or 分值 − N
定性 (everything else): annex cannot judge a text; the clerk's 得分 stands, within 0..分值.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from pipeline.scoring.ruleset import RuleSet, plain
from pipeline.scoring.targets import Quantity, looks_quantitative, read_quantity

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Computed:
    """A 定量 indicator's score by the rule set, and how it was reached (for messages)."""

    score: Decimal  # rounded by the rule set
    met: bool  # the target was reached
    formula: str  # "571÷600×15"; "达到目标值，得满分"


@dataclass(frozen=True)
class Judged:
    """A 定性 indicator: the clerk's judgement. `why` says why one that looks 定量 is not scored as one."""

    met: bool  # 实际完成值 says what 年初目标值 says
    why: str = ""  # "" for a plain text target (有效维护): nothing to explain


Assessment = Computed | Judged


def assess(rules: RuleSet, target: str, actual: str, weight: Decimal) -> Assessment:
    """How the rule set scores one indicator row."""
    same = target.strip() == actual.strip() and bool(target.strip())
    t = read_quantity(target)
    if t is None:
        if looks_quantitative(target):
            return Judged(same, f"年初目标值「{target}」读不出一个数值和单位")
        return Judged(same)
    comparator = t.comparator
    if comparator is None:
        if rules.quantitative.no_comparator == "qualitative":
            return Judged(same)
        comparator = rules.quantitative.no_comparator
    a = read_quantity(actual)
    if a is None:
        return Judged(same, f"实际完成值「{actual}」读不出一个数值和单位" if actual.strip() else "实际完成值是空的")
    if a.comparator is not None:
        return Judged(same, f"实际完成值「{actual}」带有比较符号；应写实际达到的数值")
    if a.unit != t.unit:
        if a.unit == "" and t.unit != "%":
            a = Quantity(None, a.number, t.unit)  # `571` against `≥600件`: the target's unit
        else:
            return Judged(same, f"单位不同（目标值「{t.unit or '无单位'}」，实际完成值「{a.unit or '无单位'}」）")
    if t.number == 0:
        return Judged(same, "目标值为 0，无法按比例计分")
    return _quantitative(rules, comparator, t.number, a.number, weight, same)


def _quantitative(rules: RuleSet, comparator: str, target: Decimal, actual: Decimal, weight: Decimal,
                  same: bool) -> Assessment:
    q = rules.quantitative
    rnd = q.rounding.apply
    full = Computed(weight, True, "达到目标值，得满分")
    if comparator == "≥":
        if actual < target:
            return Computed(rnd(actual * weight / target), False, f"{plain(actual)}÷{plain(target)}×{plain(weight)}")
        over = q.overshoot
        if over is not None and over.deduct > 0 and actual * HUNDRED > target * over.above:
            score = max(Decimal(0), weight - over.deduct)
            return Computed(rnd(score), True,
                            f"超过目标值的 {plain(over.above)}%，{plain(weight)}−{plain(over.deduct)}")
        return full
    if comparator == "≤":
        if actual > target:
            # actual > target > 0 here: the quotient is below 1
            return Computed(rnd(target * weight / actual), False, f"{plain(target)}÷{plain(actual)}×{plain(weight)}")
        return full
    if actual == target:
        return full
    if q.equal_not_met == "zero":
        return Computed(rnd(Decimal(0)), False, "未达到「=」目标值，按评分规则记 0 分")
    if q.equal_not_met == "qualitative":
        return Judged(same, "按评分规则，「=」目标未达到时按定性指标评分")
    small, large = min(actual, target), max(actual, target)
    return Computed(rnd(small * weight / large), False, f"{plain(small)}÷{plain(large)}×{plain(weight)}")


def budget_rate(rules: RuleSet, spent: Decimal, planned: Decimal, initial: Decimal | None) -> Decimal | None:
    """执行率 (percent, rounded half-up to two decimals as the forms print it) over the rule set's
    denominator; None when that budget is 0 (or absent)."""
    budget = initial if rules.budget.denominator == "年初预算数" else planned
    if budget is None or budget == 0:
        return None
    return (spent * HUNDRED / budget).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def budget_score(rules: RuleSet, weight: Decimal, rate: Decimal | None) -> Decimal:
    """预算执行得分 = 分值 × min(执行率, 100%), rounded by the rule set (0 without a budget)."""
    if rate is None:
        return rules.budget.rounding.apply(Decimal(0))
    return rules.budget.rounding.apply(weight * min(rate, HUNDRED) / HUNDRED)


def total_score(rules: RuleSet, budget: Decimal, scores: list[Decimal], rate: Decimal | None) -> Decimal:
    """总分 = 预算执行得分 + Σ 指标得分, capped by the rule set's caps on 执行率, rounded for print."""
    total = budget + sum(scores, Decimal(0))
    for cap in rules.budget.caps:
        if rate is not None and rate < cap.rate_below:
            total = min(total, cap.total_at_most)
    return rules.total.apply(total)
