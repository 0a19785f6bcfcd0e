"""The form's arithmetic, exact in Decimal: an amount as written, 执行率, 预算执行得分, 等级.

Shared by compute (which fills the form with them) and Word import (which compares what a table
printed with them): it sits in input, the lowest room both reach, so that import never needs the
form's computation.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.variant import Variant

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def amount_text(value: Decimal) -> str:
    """An amount exactly as written: Decimal keeps the written digits (`155.650`, `60`)."""
    return format(value, "f")


def execution_rate(spent: Decimal, planned: Decimal) -> Decimal:
    """执行率 in percent, rounded half-up to two decimals."""
    return (spent * HUNDRED / planned).quantize(CENT, rounding=ROUND_HALF_UP)


def budget_score(weight: Decimal, rate: Decimal) -> Decimal:
    """预算执行得分 = 分值 × min(执行率, 100%), from the printed rate, rounded half-up."""
    return (weight * min(rate, HUNDRED) / HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)


def grade_of(variant: Variant, total: Decimal) -> str:
    for g in variant.grades:
        if total >= g.min:
            return g.grade
    return variant.grades[-1].grade
