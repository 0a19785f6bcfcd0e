"""From validated input to the filled form: every string, tick, figure and merge decided here."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from pipeline.form.attainment import judge
from pipeline.form.filled import (
    Budget,
    CheckboxGroup,
    CheckboxOption,
    FilledBundle,
    FilledForm,
    FundRow,
    Goal,
    IndicatorRow,
    OverallGoal,
    Total,
)
from pipeline.input.arithmetic import amount_text, execution_rate
from pipeline.input.model import CATEGORY_KEYS, IndicatorInput, ProjectInput, YearInput
from pipeline.files.names import safe_file_stem, safe_name
from pipeline.form.lines import balanced_lines, tall_rows
from pipeline.scoring.ruleset import RuleSet, plain
from pipeline.scoring.score import Computed, assess, budget_rate, total_score
from pipeline.scoring.score import budget_score as rule_budget_score  # (arithmetic.budget_score: the default rules, for import)
from pipeline.variant import Variant


def plain_number(value: Decimal) -> str:
    """A sum of weights without trailing zeros: 80, 12.5."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
def spans(values: list[str], boundaries: list[bool]) -> list[int]:
    """Row spans of a column merged down runs of equal values; a run also ends where boundaries[i] is True.

    The first row of a run gets the run's length, the rows it covers get 0.
    """
    out = [0] * len(values)
    start = 0
    for i in range(1, len(values) + 1):
        if i == len(values) or values[i] != values[start] or boundaries[i]:
            out[start] = i - start
            start = i
    return out


def indicator_rows(rows: tuple[IndicatorInput, ...],
                   scored: tuple[ScoredRow, ...] | None = None) -> tuple[IndicatorRow, ...]:
    """The goal's rows, merged; with scoring, each 得分 as written, or computed by the rule set when
    left empty (a 定量 indicator: check allowed nothing else)."""
    level1 = [r.level1 for r in rows]
    l1_spans = spans(level1, [False] * len(rows))
    # 二级 merges only inside one 一级 run: a new 一级 run always starts a new 二级 cell.
    l2_spans = spans([r.level2 for r in rows], [s > 0 for s in l1_spans])
    scored = scored or tuple(ScoredRow(None, None, False) for _ in rows)
    return tuple(
        IndicatorRow(
            level1=r.level1, level2=r.level2, level3=r.level3, target=r.target, actual=r.actual,
            level1_span=s1, level2_span=s2,
            weight=amount_text(r.weight.value) if r.weight else "",
            score=amount_text(r.score.value) if r.score else (plain(sc.score) if sc.score is not None else ""),
            remark=r.remark or "",
            met=sc.met if sc.quantitative else judge(r.target, r.actual, r.weight.value if r.weight else None,
                                                     r.score.value if r.score else None),
            quantitative=sc.quantitative, score_computed=r.score is None and sc.score is not None,
        )
        for r, s1, s2, sc in zip(rows, l1_spans, l2_spans, scored)
    )


@dataclass(frozen=True)
class ScoredRow:
    """One indicator by the rule set: its score (entered, else computed; None unscored), whether its
    target was met (定量 by the rule's comparison, 定性 when 实际完成值 says what 年初目标值 says)."""

    score: Decimal | None
    met: bool | None
    quantitative: bool


def score_rows(rules: RuleSet, rows: tuple[IndicatorInput, ...], scoring: bool) -> tuple[ScoredRow, ...]:
    out = []
    for r in rows:
        if r.weight is None:
            a = assess(rules, r.target, r.actual, Decimal(1))
            out.append(ScoredRow(None, a.met, isinstance(a, Computed)))
            continue
        a = assess(rules, r.target, r.actual, r.weight.value)
        if r.score is not None:
            score = r.score.value
        elif scoring and isinstance(a, Computed):
            score = a.score
        else:
            score = None
        out.append(ScoredRow(score, a.met, isinstance(a, Computed)))
    return tuple(out)


def _checkboxes(p: ProjectInput, variant: Variant) -> tuple[CheckboxGroup, ...]:
    groups = []
    for key, options in variant.checkbox_groups.items():
        chosen = getattr(p.data, CATEGORY_KEYS[key])
        groups.append(CheckboxGroup(key, tuple(
            CheckboxOption(
                variant.checkbox_option.format(n=n, label=label),
                label == chosen,
                variant.checkbox_checked if label == chosen else variant.checkbox_unchecked,
            )
            for n, label in enumerate(options, start=1)
        )))
    return tuple(groups)


def _figures(p: ProjectInput) -> tuple[Decimal, Decimal]:
    """(预算数, 执行数): the written figures, or the sums over the sources of 项目资金."""
    if p.data.funds:
        return p.fund_total.planned, p.fund_total.spent
    return p.planned.value, p.spent.value


def _funds(p: ProjectInput, variant: Variant, labels: dict[str, str], budget: Budget) -> tuple[FundRow, ...]:
    """The funds block: the total row (the budget's figures, rate and score), then each source."""
    if not p.data.funds or not variant.fund_sources:
        return ()
    funds = p.data.funds
    total = FundRow(labels["fund_total"], amount_text(p.fund_total.initial), budget.planned, budget.spent,
                    budget.weight, budget.rate, budget.score)
    na = labels["not_applicable"]
    rows = [total]
    for key, label in variant.fund_sources.items():
        f = funds[key]
        rows.append(FundRow(label, amount_text(f.initial), amount_text(f.planned), amount_text(f.spent), na, "", na))
    return tuple(rows)


def compute_form(p: ProjectInput, year: YearInput, variant: Variant) -> FilledForm:
    """One project's filled form. Long on purpose: it reads as the form does, top to bottom, every
    printed field decided once in print order; the parts that have rules of their own (figures,
    indicator rows, lines, ticks) are the functions it calls."""
    dept = year.department
    labels = {k: v.replace("{unit}", dept.money_unit) for k, v in variant.labels.items()}
    scoring = year.scoring(variant)
    weighted = labels["weighted"]
    planned, spent = _figures(p)
    rate = execution_rate(spent, planned)
    rules = year.rules or variant.default_rules()
    rule_rate = budget_rate(rules, spent, planned, p.fund_total.initial if p.data.funds else None)

    budget_weight = year.budget_weight(variant)
    b_score = rule_budget_score(rules, budget_weight, rule_rate)
    budget = Budget(
        label=weighted.format(label=labels["budget"], weight=plain_number(budget_weight)) if scoring else labels["budget"],
        source_label=labels["budget_source"],
        planned_label=labels["planned"], spent_label=labels["spent"], rate_label=labels["rate"],
        planned=amount_text(planned), spent=amount_text(spent), rate=f"{rate}%",
        weight=plain_number(budget_weight) if scoring else "",
        score=str(b_score) if scoring else "",
    )

    goal_inputs = list(p.goals) + [None] * max(0, variant.min_goals - len(p.goals))
    goals = []
    scores: list[Decimal] = []
    for n, g in enumerate(goal_inputs, start=1):
        scored = score_rows(rules, g.indicators, scoring) if g else ()
        scores += [sc.score for sc in scored if sc.score is not None]
        rows = indicator_rows(g.indicators, scored) if g else ()
        label = labels["goal"].format(n=n)
        if scoring and rows:
            weight = sum((r.weight.value for r in g.indicators), Decimal(0))
            label = weighted.format(label=label, weight=plain_number(weight))
        goals.append(Goal(label, rows))

    total = None
    if scoring:
        score = total_score(rules, b_score, scores, rule_rate)
        grade = rules.grade(score)
        total = Total(labels["total"], labels["grade"].format(grade=grade), grade,
                      plain_number(variant.score_total), str(score))

    headers = [labels[k] for k in ("level1", "level2", "level3", "target", "actual")]
    if scoring:
        headers += [labels["weight"], labels["score"]]
    if "remark" in labels:
        headers.append(labels["remark"])
    overall = p.data.overall_goal
    title = p.title(variant, year.year)
    d = dept.date
    form = FilledForm(
        key=p.key,
        number=p.number,
        variant=variant.name,
        scoring=scoring,
        attachment_label=variant.attachment_label,
        title=title,
        subtitle=variant.subtitle.format(year=year.year),
        unit_line=variant.unit_line.format(unit=dept.unit),
        date_line=variant.date_line.format(year=d.year, month=d.month, day=d.day) if d else variant.date_line,
        labels=labels,
        project_name=p.data.name,
        department=p.data.department or dept.department or "",
        implementer=p.data.implementer,
        checkboxes=_checkboxes(p, variant),
        budget=budget,
        goals=tuple(goals),
        total=total,
        reason=p.data.reason or "",
        measures=p.data.measures or "",
        footnotes_title=variant.footnotes_title,
        footnotes=variant.footnotes,
        indicator_headers=tuple(headers),
        file_stem=safe_file_stem(p.number, p.data.name),
        outline_title=variant.outline.format(title=title, number=p.number, name=p.data.name),
        unit=dept.unit,
        title_lines=balanced_lines(title, variant.page.title_line),
        funds=_funds(p, variant, labels, budget),
        overall_goal=OverallGoal(overall.expected, overall.achieved) if overall else None,
    )
    return replace(form, tall_rows=tall_rows(form, variant))


def bundle_title(unit: str, year: int) -> str:
    return f"{unit}-{year}年度项目支出绩效自评表"


def compute_bundle(year: YearInput) -> FilledBundle:
    """The year's bundle. Call only on input that validated without errors."""
    variant = year.variant
    forms = tuple(compute_form(p, year, variant) for p in year.projects)
    unit = year.department.unit
    return FilledBundle(year.year, unit, bundle_title(unit, year.year), variant.name, forms,
                        file_stem=bundle_title(safe_name(unit), year.year))
