"""Whether a 定性 indicator met its target, as far as annex can tell: what the 自评报告 reports.

A 定量 indicator is judged by the rule set's comparison (pipeline/scoring/score.py). A 定性 one is
a text annex cannot read, so `judge` says:

- True: 实际完成值 says exactly what 年初目标值 says, or the clerk gave it its full 分值;
- False: the clerk gave it less than its 分值 (their own judgement that it fell short);
- None: annex cannot tell (two different texts, unscored, or an empty value). The report lists these
  with both values for the clerk to confirm, never as a failure.
"""

from __future__ import annotations

from decimal import Decimal


def judge(target: str, actual: str, weight: Decimal | None, score: Decimal | None) -> bool | None:
    """The judgement of one 定性 indicator from its texts and, in a scored year, its entered score."""
    if not target.strip() or not actual.strip():
        return None
    if actual.strip() == target.strip():
        return True
    if weight is not None and score is not None and weight > 0:
        return score >= weight
    return None
