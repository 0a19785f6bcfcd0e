"""The scores against the year's rule set: what check says about each indicator's 得分 and reasons.

- a 定量 indicator's 得分 left empty is computed (compute prints it): said once per project, as a note;
- a 定性 one left empty is an error at its row (annex cannot judge a text);
- an entered 得分 that differs from the rule's by more than the tolerance is a warning showing the
  computation (`按评分规则应得 14.28 分（571÷600×15），填的是 13`), confirmable like any warning;
- a target that looks 定量 but cannot be scored as one (units differ, a target of 0, a value that
  cannot be read) is said, with why;
- a score below its weight, and a project below the rule set's 执行率 threshold, need a reason text.
"""

from __future__ import annotations

from decimal import Decimal

from pipeline.input.model import IndicatorInput, ProjectInput, YearInput
from pipeline.problems.phrases import listing
from pipeline.problems.records import Issues
from pipeline.scoring.ruleset import RuleSet, plain
from pipeline.scoring.score import Computed, Judged, assess, budget_rate
from pipeline.variant import Variant

REMARK = "偏差原因分析及改进措施"
REASON = "偏差原因分析"


def why_scored(variant: Variant) -> str:
    """Why the tables are scored, as the message about a missing 分值 says it: the form, or the department."""
    if variant.scoring_always:
        return f"表样 {variant.name} 的表都要评分"
    return "department.yaml 设置了「评分: true」"


def _row_reason_key(variant: Variant) -> str:
    """Where an indicator's reason is written: its own column (national-2020), else the project's."""
    return REASON if REMARK in variant.unused_keys else REMARK


def _reason(p: ProjectInput, ind: IndicatorInput, key: str) -> str:
    return (ind.remark if key == REMARK else p.data.reason) or ""


def spoken_for(year: YearInput) -> set[tuple[str, str]]:
    """(file, field) of every empty 得分 this module speaks about (computed, or a 定性 one asked
    for): the loader's `not-filled` for them is dropped, so that one message says it."""
    rules, variant = year.rules, year.variant
    if rules is None or variant is None or year.department is None or not year.scoring(variant):
        return set()
    out = set()
    for p in year.projects:
        for g in p.goals:
            for ind in g.indicators:
                if ind.score is None and ind.weight is not None and ind.actual:
                    loc = ind.locs["得分"]
                    out.add((loc.file, loc.field))
    return out


def check_scores(p: ProjectInput, year: YearInput, variant: Variant, rows: list[IndicatorInput],
                 issues: Issues) -> None:
    rules = year.rules
    if rules is None or year.department is None:
        return
    if year.scoring(variant):
        _indicators(p, rules, variant, rows, issues)
    _rate(p, rules, variant, issues)


def _indicators(p: ProjectInput, rules: RuleSet, variant: Variant, rows: list[IndicatorInput],
                issues: Issues) -> None:
    key = _row_reason_key(variant)
    computed: list[str] = []
    for ind in rows:
        if ind.weight is None:
            # No 分值 (reported): a 定量 得分 will be computed once it is written, a 定性 one not.
            if ind.score is None and not isinstance(assess(rules, ind.target, ind.actual, Decimal(1)), Computed):
                issues.report("missing-score", ind.locs["得分"], key="得分", why=why_scored(variant))
            continue
        if ind.weight.value < 0:
            continue  # reported; nothing to score against
        weight = ind.weight.value
        a = assess(rules, ind.target, ind.actual, weight)
        score_loc = ind.locs["得分"]
        if ind.score is None:
            if isinstance(a, Computed):
                computed.append(f"「{ind.level3}」{plain(a.score)} 分（{a.formula}）")
                score = a.score
            elif not ind.actual:
                issues.report("not-filled", score_loc, key="得分")  # a new year: nothing to judge yet
                continue
            else:
                issues.report("qualitative-score-missing", score_loc, why=f"；{a.why}" if a.why else "",
                              weight=plain(weight), rules=rules.name, bands=rules.band_text(weight))
                continue
        else:
            score = ind.score.value
            if isinstance(a, Computed) and abs(score - a.score) > rules.tolerance:
                issues.report("score-differs", ind.score.loc, format(score, "f"), computed=plain(a.score),
                              formula=a.formula, entered=format(score, "f"))
                continue  # one message: the entered score against the rule's (a reason is the fix)
            elif isinstance(a, Judged) and a.why:
                issues.report("treated-qualitative", ind.locs["年初目标值"], ind.target, why=a.why)
        if score >= weight or score < 0 or _reason(p, ind, key).strip():
            continue
        if isinstance(a, Judged) and a.met:
            issues.report("qualitative-below-full", score_loc, plain(score), score=plain(score),
                          weight=plain(weight), key=key)
        elif rules.reasons.below_weight:
            issues.report("reason-missing-indicator", score_loc, plain(score), score=plain(score),
                          weight=plain(weight), key=key)
    if computed:
        issues.report("score-computed", p.loc("年度绩效目标"), count=len(computed), rules=rules.name,
                      rows=listing(computed))


def _rate(p: ProjectInput, rules: RuleSet, variant: Variant, issues: Issues) -> None:
    threshold = rules.reasons.rate_below
    if threshold is None:
        return
    if p.data.funds:
        if p.fund_total is None:
            return
        total = p.fund_total
        rate = budget_rate(rules, total.spent, total.planned, total.initial)
        where = p.loc("项目资金")
    elif p.planned is not None and p.spent is not None:
        rate = budget_rate(rules, p.spent.value, p.planned.value, None)
        where = p.loc(REASON) if p.data.reason is not None else p.spent.loc
    else:
        return
    if rate is None or rate >= threshold:
        return
    if REASON in variant.unused_keys:
        # No project-level reason on this form: a reason in any indicator row's own column will do.
        texts = [ind.remark or "" for g in p.goals for ind in g.indicators]
        key = f"{REMARK}（任一指标行）"
    else:
        texts = [p.data.reason or ""]
        key = REASON
    if not any(t.strip() for t in texts):
        issues.report("reason-missing-rate", where, f"{rate}%", rate=f"{rate}%", rules=rules.name,
                      threshold=plain(Decimal(threshold)), key=key)
