"""Whether an indicator met its target: the judgement the 自评报告 (pipeline/form/report.py) reads.

Every indicator row of the filled form carries it (`IndicatorRow.met`, `IndicatorRow.shortfall`):

- `met = True`: the target is met (the same text as written, a rule set's comparison, or a full score);
- `met = False`: it fell short, and `shortfall` says how, when a rule set can say it
  (e.g. `实际 571 人次，低于目标 ≥600 人次`); the report prints it after the values;
- `met = None`: annex cannot tell (two different texts it cannot compare, or an empty value);
  the report lists these with both values for the clerk to confirm, never as a failure.

What decides it here, without a scoring rule set: the texts, and the clerk's own score in a scored
year. A scoring rule set (templates/rules/) replaces `judge` with its 定量 comparison where it can
read both values, and keeps this for the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Attainment:
    met: bool | None
    shortfall: str = ""  # how it fell short, when it did and a rule can say it


UNKNOWN = Attainment(None)


def judge(target: str, actual: str, weight: Decimal | None, score: Decimal | None) -> Attainment:
    """The judgement of one indicator from its texts and, in a scored year, its score."""
    if not target.strip() or not actual.strip():
        return UNKNOWN
    if actual.strip() == target.strip():
        return Attainment(True)
    if weight is not None and score is not None and weight > 0:
        # The clerk scored it: a full score is their judgement that it was met, a lower one that it was not.
        return Attainment(score >= weight)
    return UNKNOWN
