"""Rules that need the form variant or more than one value: figures, indicators, scoring, uniqueness."""

from __future__ import annotations

from decimal import Decimal

from pipeline.problems.phrases import listing
from pipeline.problems.records import Issues, Loc
from pipeline.input.model import (
    CATEGORY_KEYS, MAX_DECIMALS, Figure, IndicatorInput, ProjectIn, ProjectInput, YearInput, decimals_of,
)
from pipeline.input.csv_rows import BUDGET_CSV
from pipeline.check.scoring import check_scores, why_scored
from pipeline.variant import DEFAULT_VARIANT, Variant, load_variant

MAX_INDICATORS = 200  # per project: more is no longer a table anyone prints


def validate_year(year: YearInput, issues: Issues) -> None:
    # Project rules run even when department.yaml failed, so one run reports everything; they then
    # check against the default form (the variant is unknown) and skip scoring.
    variant = year.variant or load_variant(DEFAULT_VARIANT)
    if year.department is not None:
        _department(year, variant, issues)
    titles: dict[str, ProjectInput] = {}
    names: dict[str, ProjectInput] = {}
    for p in year.projects:
        _project(p, year, variant, issues)
        title = p.title(variant, year.year)
        # Forms whose title does not carry the project (national-2020) are told apart by 项目名称 alone.
        # Two equal names also make equal titles: one mistake, told once, as the names.
        if "{name}" in variant.title and title in titles and titles[title].data.name != p.data.name:
            issues.report("duplicate-title", p.loc("表名") if p.data.table_name else p.loc("项目名称"), title,
                          title=title, other=titles[title].file)
        titles.setdefault(title, p)
        if p.data.name in names:
            issues.report("duplicate-name", p.loc("项目名称"), p.data.name, other=names[p.data.name].file)
        names.setdefault(p.data.name, p)


def _department(year: YearInput, variant: Variant, issues: Issues) -> None:
    dept, smap = year.department, year.department_smap
    _nonempty(dept.unit, smap.loc(("单位名称",)), "单位名称", issues)
    if dept.date is None and variant.prints_date:
        issues.report("missing-key", smap.loc(("填报日期",)), key="填报日期")
    if dept.money_unit not in variant.money_units:
        issues.report("not-an-option", smap.loc(("金额单位",)), dept.money_unit,
                      given=dept.money_unit, key="金额单位", variant=variant.name, options=listing(variant.money_units))
    if dept.budget_weight is not None:
        loc = smap.loc(("预算执行分值",))
        if not year.scoring(variant):
            issues.report("scoring-field-unused", loc, str(dept.budget_weight), key="预算执行分值")
        elif dept.budget_weight < 0:
            issues.report("weight-negative", loc, str(dept.budget_weight), key="预算执行分值")
        _decimals(Figure(dept.budget_weight, loc), issues)


def _nonempty(text: str | None, loc: Loc, label: str, issues: Issues) -> None:
    if text is not None and not text:
        issues.report("empty-text", loc, key=label)


def _decimals(fig: Figure | None, issues: Issues) -> None:
    if fig is not None and decimals_of(fig.value) > MAX_DECIMALS:
        issues.report("too-many-decimals", fig.loc, format(fig.value, "f"), max=MAX_DECIMALS)


# Input keys whose value lives outside ProjectIn's own attribute (the budget CSV can give them).
_FIELDS = {f.alias: name for name, f in ProjectIn.model_fields.items()}


def _given(p: ProjectInput, key: str) -> bool:
    if key == "预算数":
        return p.planned is not None or key in p.figures_in_csv
    if key == "执行数":
        return p.spent is not None or key in p.figures_in_csv
    return getattr(p.data, _FIELDS[key]) is not None


def _project(p: ProjectInput, year: YearInput, variant: Variant, issues: Issues) -> None:
    d = p.data
    for label, text in (("项目名称", d.name), ("表名", d.table_name), ("主管部门", d.department),
                        ("项目实施单位", d.implementer), ("偏差原因分析", d.reason), ("改进措施", d.measures)):
        _nonempty(text, p.loc(label), label, issues)
    if d.department is None and year.department is not None and not year.department.department:
        issues.report("missing-department", p.loc("主管部门"))
    for key in variant.required_keys:
        if key in _FIELDS and not _given(p, key):
            if key in ("预算数", "执行数"):
                issues.report("missing-figure", p.loc(key), key=key, csv=BUDGET_CSV)
            else:
                issues.report("missing-key", p.loc(key), key=key)
    for key in variant.unused_keys:
        if key in _FIELDS and _given(p, key):
            issues.report("unused-key", p.loc(key), key=key, variant=variant.name)
    _checkboxes(p, variant, issues)
    _figures(p, issues)
    _funds(p, variant, issues)
    rows = [ind for g in p.goals for ind in g.indicators]
    if len(rows) > MAX_INDICATORS:
        issues.report("too-many-indicators", p.loc("年度绩效目标"), len(rows), count=len(rows), max=MAX_INDICATORS)
    elif not rows:
        issues.report("no-indicators", p.loc("年度绩效目标"))
    for goal in p.goals:
        _indicators(goal.indicators, variant, issues)
    _scoring(p, year, variant, rows, issues)
    check_scores(p, year, variant, rows, issues)


def _funds(p: ProjectInput, variant: Variant, issues: Issues) -> None:
    funds = p.data.funds
    if funds is None or variant.fund_sources is None:
        return
    sources = list(variant.fund_sources)
    for key in funds:
        if key not in sources:
            issues.report("unknown-fund-source", p.loc("项目资金", key), key, key=key, sources=listing(sources))
    for key in sources:
        if key not in funds:
            issues.report("missing-fund-source", p.loc("项目资金", key), key=key)
    for key, fund in funds.items():
        for cn, value in (("年初预算数", fund.initial), ("全年预算数", fund.planned), ("全年执行数", fund.spent)):
            loc = p.loc("项目资金", key, cn)
            _decimals(Figure(value, loc), issues)
            if value < 0:
                issues.report("amount-negative", loc, format(value, "f"), key=cn)
    planned, spent = p.fund_total.planned, p.fund_total.spent
    if planned <= 0:
        issues.report("funds-not-positive", p.loc("项目资金"), format(planned, "f"))
    elif spent > planned:
        issues.report("funds-spent-above-budget", p.loc("项目资金"), format(spent, "f"), spent=spent, planned=planned)


def _checkboxes(p: ProjectInput, variant: Variant, issues: Issues) -> None:
    for key, attr in CATEGORY_KEYS.items():
        value = getattr(p.data, attr)
        options = variant.checkbox_groups.get(key)
        if options is None:
            # A key the form lists as unused was reported with the other unused keys.
            if value is not None and key not in variant.unused_keys:
                issues.report("unused-key", p.loc(key), value, key=key, variant=variant.name)
        elif value is None:
            issues.report("missing-choice", p.loc(key), key=key, options=listing(options))
        elif value not in options:
            issues.report("not-an-option", p.loc(key), value, given=value, key=key, variant=variant.name,
                          options=listing(options))


def _figures(p: ProjectInput, issues: Issues) -> None:
    planned, spent = p.planned, p.spent
    for fig in (planned, spent):
        _decimals(fig, issues)
    if planned is not None and planned.value <= 0:
        issues.report("budget-not-positive", planned.loc, format(planned.value, "f"))
    if spent is not None and spent.value < 0:
        issues.report("spent-negative", spent.loc, format(spent.value, "f"))
    if planned is not None and spent is not None and planned.value > 0 and spent.value > planned.value:
        issues.report("spent-above-budget", spent.loc, format(spent.value, "f"), spent=spent.value, planned=planned.value)


def _indicators(rows: tuple[IndicatorInput, ...], variant: Variant, issues: Issues) -> None:
    owner = {l2: l1 for l1, l2s in variant.indicators.items() for l2 in l2s}
    closed: set[str] = set()
    previous = None
    for ind in rows:
        for key, text in (("一级指标", ind.level1), ("二级指标", ind.level2), ("三级指标", ind.level3)):
            _nonempty(text, ind.locs[key], key, issues)
        if ind.remark is not None and "偏差原因分析及改进措施" in variant.unused_keys:
            issues.report("unused-remark", ind.locs["偏差原因分析及改进措施"], key="偏差原因分析及改进措施", variant=variant.name)
        for key, text in (("年初目标值", ind.target), ("实际完成值", ind.actual)):
            if not text:
                issues.report("empty-value", ind.locs[key], key=key)
        if ind.level1 and ind.level1 not in variant.indicators:
            issues.report("unknown-level1", ind.locs["一级指标"], ind.level1, level1=ind.level1,
                          options=listing(variant.indicators))
        elif ind.level1 and ind.level2 in owner and owner[ind.level2] != ind.level1:
            issues.report("level2-wrong-level1", ind.locs["二级指标"], ind.level2, level2=ind.level2,
                          owner=owner[ind.level2], level1=ind.level1)
        elif ind.level2 and ind.level2 not in owner and (typo := _one_off(ind.level2, owner, ind.level1)):
            # 质量指 for 质量指标: a slip, not a name of the user's own; no 已确认警告 may pass it to print.
            issues.report("level2-typo", ind.locs["二级指标"], ind.level2, given=ind.level2, standard=typo,
                          level1=owner[typo])
        elif ind.level2 == ind.level1 and ind.level1 in variant.indicators:
            issues.report("level2-same-as-level1", ind.locs["二级指标"], ind.level2, level1=ind.level1,
                          standard=listing(variant.indicators[ind.level1]))
        elif ind.level2 and ind.level1 in variant.indicators and ind.level2 not in owner:
            issues.report("nonstandard-level2", ind.locs["二级指标"], ind.level2, level2=ind.level2, level1=ind.level1,
                          standard=listing(variant.indicators[ind.level1]))
        if previous is not None and ind.level1 != previous:
            closed.add(previous)
        if ind.level1 and ind.level1 in closed:
            issues.report("level1-not-adjacent", ind.locs["一级指标"], ind.level1, level1=ind.level1)
        previous = ind.level1


def _one_off(text: str, owner: dict[str, str], level1: str) -> str | None:
    """The standard name `text` is one slip away from (a character missing, extra or wrong), one
    under the 一级指标 written first; a name two slips away (服务对象满意度 for 服务对象满意度指标)
    is the user's own."""
    close = sorted((owner[n] != level1, n) for n in owner if _one_edit(text, n))
    return close[0][1] if close else None


def _one_edit(a: str, b: str) -> bool:
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    short, long = sorted((a, b), key=len)
    i = next((k for k, (x, y) in enumerate(zip(short, long)) if x != y), len(short))
    return short[i:] == long[i + 1:]


def _scoring(p: ProjectInput, year: YearInput, variant: Variant, rows: list[IndicatorInput], issues: Issues) -> None:
    if year.department is None:
        return
    scoring = year.scoring(variant)
    for ind in rows:
        for key, fig in (("分值", ind.weight), ("得分", ind.score)):
            if fig is not None and not scoring:
                issues.report("scoring-field-unused", fig.loc, format(fig.value, "f"), key=key)
            elif fig is None and scoring and key == "分值":
                # an empty 得分 is computed (定量) or asked for (定性): check/scoring.py
                issues.report("missing-score", ind.locs[key], key=key, why=why_scored(variant))
            elif fig is not None:
                _decimals(fig, issues)
                if fig.value < 0:
                    issues.report("weight-negative", fig.loc, format(fig.value, "f"), key=key)
        if ind.weight is not None and ind.score is not None and ind.score.value > ind.weight.value:
            issues.report("score-above-weight", ind.score.loc, format(ind.score.value, "f"),
                          score=ind.score.value, weight=ind.weight.value)
    if not scoring or any(ind.weight is None for ind in rows):
        return
    budget_weight = year.budget_weight(variant)
    total = budget_weight + sum((ind.weight.value for ind in rows), Decimal(0))
    if total != variant.score_total:
        issues.report("weights-sum", p.loc("年度绩效目标"), str(total),
                      budget_weight=budget_weight, total=total, expected=variant.score_total)
    if variant.level1_weights:
        split: dict[str, Decimal] = {}
        for ind in rows:
            split[ind.level1] = split.get(ind.level1, Decimal(0)) + ind.weight.value
        standard = variant.level1_weights
        if {k: v for k, v in split.items() if v} != standard:
            shown = listing(f"{k} {v}" for k, v in split.items())
            want = listing(f"{k} {v}" for k, v in standard.items())
            issues.report("weights-split", p.loc("年度绩效目标"), shown, split=shown, standard=want)
