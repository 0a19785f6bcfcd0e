"""Rules that need the form variant or more than one value: figures, indicators, scoring, uniqueness."""

from __future__ import annotations

from decimal import Decimal

from pipeline.check.problems import Issues, Loc
from pipeline.input.year import BUDGET_CSV, Figure, IndicatorInput, ProjectInput, YearInput
from pipeline.input.model import CATEGORY_KEYS, MAX_DECIMALS, ProjectIn, decimals_of
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
        title = title_of(variant, year.year, p)
        # Forms whose title does not carry the project (national-2020) are told apart by 项目名称 alone.
        if "{name}" in variant.title and title in titles:
            issues.error("duplicate-title", p.loc("表名") if p.data.table_name else p.loc("项目名称"),
                         f"标题「{title}」与 {titles[title].file} 相同；每张表的标题应不同（用「表名」区分）", title)
        titles.setdefault(title, p)
        if p.data.name in names:
            issues.error("duplicate-name", p.loc("项目名称"),
                         f"项目名称与 {names[p.data.name].file} 相同；每个项目的名称应不同", p.data.name)
        names.setdefault(p.data.name, p)


def scoring_on(year: YearInput, variant: Variant) -> bool:
    return variant.scoring_always or bool(year.department and year.department.scoring)


def title_of(variant: Variant, year: int, p: ProjectInput) -> str:
    return variant.title.format(year=year, name=p.data.table_name or p.data.name)


def _department(year: YearInput, variant: Variant, issues: Issues) -> None:
    dept, smap = year.department, year.department_smap
    _nonempty(dept.unit, smap.loc(("单位名称",)), "单位名称", issues)
    if dept.money_unit not in variant.money_units:
        issues.error("not-an-option", smap.loc(("金额单位",)),
                     f"表样 {variant.name} 的金额单位可选：{'、'.join(variant.money_units)}", dept.money_unit)
    if dept.budget_weight is not None:
        loc = smap.loc(("预算执行分值",))
        if not scoring_on(year, variant):
            issues.error("scoring-field-unused", loc, "「预算执行分值」只在「评分: true」时使用；请删除它，或打开评分", str(dept.budget_weight))
        elif dept.budget_weight < 0:
            issues.error("weight-negative", loc, "「预算执行分值」不能为负数", str(dept.budget_weight))
        _decimals(Figure(dept.budget_weight, loc), issues)


def _nonempty(text: str | None, loc: Loc, label: str, issues: Issues) -> None:
    if text is not None and not text:
        issues.error("empty-text", loc, f"「{label}」不能为空；请填写内容")


def _decimals(fig: Figure | None, issues: Issues) -> None:
    if fig is not None and decimals_of(fig.value) > MAX_DECIMALS:
        issues.error("too-many-decimals", fig.loc, f"金额最多 {MAX_DECIMALS} 位小数（单位万元，6 位已到 0.01 元）", format(fig.value, "f"))


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
        issues.error("missing-key", p.loc("主管部门"), "缺少「主管部门」：项目文件和 department.yaml 都没有填写")
    for key in variant.required_keys:
        if key in _FIELDS and not _given(p, key):
            where = f"（写在项目文件里，或写在 {BUDGET_CSV}）" if key in ("预算数", "执行数") else ""
            issues.error("missing-key", p.loc(key), f"缺少必填项「{key}」{where}")
    for key in variant.unused_keys:
        if key in _FIELDS and _given(p, key):
            issues.error("unused-key", p.loc(key), f"表样 {variant.name} 没有「{key}」这一栏；请删除，或在 department.yaml 换用别的表样")
    _checkboxes(p, variant, issues)
    _figures(p, issues)
    _funds(p, variant, issues)
    rows = [ind for g in p.goals for ind in g.indicators]
    if len(rows) > MAX_INDICATORS:
        issues.error("too-many-indicators", p.loc("年度绩效目标"),
                     f"共 {len(rows)} 条绩效指标，上限 {MAX_INDICATORS} 条；请合并或精简指标", len(rows))
    elif not rows:
        issues.warning("no-indicators", p.loc("年度绩效目标"), "这个项目没有填写任何绩效指标；表中的绩效目标将是空白")
    for goal in p.goals:
        _indicators(goal.indicators, variant, issues)
    _scoring(p, year, variant, rows, issues)


def _funds(p: ProjectInput, variant: Variant, issues: Issues) -> None:
    funds = p.data.funds
    if funds is None or variant.fund_sources is None:
        return
    sources = list(variant.fund_sources)
    for key in funds:
        if key not in sources:
            issues.error("unknown-key", p.loc("项目资金", key), f"未知的资金来源「{key}」；可用：{'、'.join(sources)}", key)
    for key in sources:
        if key not in funds:
            issues.error("missing-key", p.loc("项目资金", key), f"缺少资金来源「{key}」（没有就写 0）")
    for key, fund in funds.items():
        for cn, value in (("年初预算数", fund.initial), ("全年预算数", fund.planned), ("全年执行数", fund.spent)):
            loc = p.loc("项目资金", key, cn)
            _decimals(Figure(value, loc), issues)
            if value < 0:
                issues.error("amount-negative", loc, f"「{cn}」不能为负数", format(value, "f"))
    planned = sum((f.planned for f in funds.values()), Decimal(0))
    spent = sum((f.spent for f in funds.values()), Decimal(0))
    if planned <= 0:
        issues.error("budget-not-positive", p.loc("项目资金"), "各来源的全年预算数合计应大于 0", format(planned, "f"))
    elif spent > planned:
        issues.warning("spent-above-budget", p.loc("项目资金"),
                       f"全年执行数合计 {spent} 大于全年预算数合计 {planned}，执行率将超过 100%；请核对", format(spent, "f"))


def _checkboxes(p: ProjectInput, variant: Variant, issues: Issues) -> None:
    for key, attr in CATEGORY_KEYS.items():
        value = getattr(p.data, attr)
        options = variant.checkbox_groups.get(key)
        if options is None:
            if value is not None:
                issues.error("unknown-key", p.loc(key), f"表样 {variant.name} 没有「{key}」这一栏；请删除这一行", value)
        elif value is None:
            issues.error("missing-key", p.loc(key), f"缺少必填项「{key}」；可选：{'、'.join(options)}")
        elif value not in options:
            issues.error("not-an-option", p.loc(key), f"「{value}」不是「{key}」的选项；可选：{'、'.join(options)}", value)


def _figures(p: ProjectInput, issues: Issues) -> None:
    planned, spent = p.planned, p.spent
    for fig in (planned, spent):
        _decimals(fig, issues)
    if planned is not None and planned.value <= 0:
        issues.error("budget-not-positive", planned.loc, "预算数应大于 0（单位万元）", format(planned.value, "f"))
    if spent is not None and spent.value < 0:
        issues.error("spent-negative", spent.loc, "执行数不能为负数（单位万元）", format(spent.value, "f"))
    if planned is not None and spent is not None and planned.value > 0 and spent.value > planned.value:
        issues.warning("spent-above-budget", spent.loc,
                       f"执行数 {spent.value} 大于预算数 {planned.value}，执行率将超过 100%；请核对", format(spent.value, "f"))


def _indicators(rows: tuple[IndicatorInput, ...], variant: Variant, issues: Issues) -> None:
    owner = {l2: l1 for l1, l2s in variant.indicators.items() for l2 in l2s}
    closed: set[str] = set()
    previous = None
    for ind in rows:
        for key, text in (("一级指标", ind.level1), ("二级指标", ind.level2), ("三级指标", ind.level3)):
            _nonempty(text, ind.locs[key], key, issues)
        if ind.remark is not None and "偏差原因分析及改进措施" in variant.unused_keys:
            issues.error("unused-key", ind.locs["偏差原因分析及改进措施"],
                         f"表样 {variant.name} 没有「偏差原因分析及改进措施」这一栏；请删除，或写在项目的「偏差原因分析」「改进措施」里")
        for key, text in (("年初目标值", ind.target), ("实际完成值", ind.actual)):
            if not text:
                issues.warning("empty-value", ind.locs[key], f"「{key}」是空的，表中将是空白单元格；如有数值请补上")
        if ind.level1 and ind.level1 not in variant.indicators:
            issues.error("unknown-level1", ind.locs["一级指标"],
                         f"「{ind.level1}」不是一级指标；可选：{'、'.join(variant.indicators)}", ind.level1)
        elif ind.level2 in owner and owner[ind.level2] != ind.level1:
            issues.error("level2-wrong-level1", ind.locs["二级指标"],
                         f"二级指标「{ind.level2}」属于一级指标「{owner[ind.level2]}」，不应放在「{ind.level1}」下", ind.level2)
        elif ind.level2 and ind.level1 in variant.indicators and ind.level2 not in owner:
            issues.warning("nonstandard-level2", ind.locs["二级指标"],
                           f"「{ind.level2}」不是「{ind.level1}」的标准二级指标（{'、'.join(variant.indicators[ind.level1])}）；请确认",
                           ind.level2)
        if previous is not None and ind.level1 != previous:
            closed.add(previous)
        if ind.level1 in closed:
            issues.error("level1-not-adjacent", ind.locs["一级指标"],
                         f"「{ind.level1}」的指标行被其他一级指标隔开了；同一目标里同一一级指标的行应连在一起，才能合并单元格",
                         ind.level1)
        previous = ind.level1


def _scoring(p: ProjectInput, year: YearInput, variant: Variant, rows: list[IndicatorInput], issues: Issues) -> None:
    if year.department is None:
        return
    scoring = scoring_on(year, variant)
    for ind in rows:
        for key, fig in (("分值", ind.weight), ("得分", ind.score)):
            if fig is not None and not scoring:
                issues.error("scoring-field-unused", fig.loc,
                             f"「{key}」只在 department.yaml 设置「评分: true」时使用；请删除它，或打开评分", format(fig.value, "f"))
            elif fig is None and scoring:
                issues.error("missing-score", ind.locs[key], f"「评分: true」时每条指标都要填写「{key}」")
            elif fig is not None:
                _decimals(fig, issues)
                if fig.value < 0:
                    issues.error("weight-negative", fig.loc, f"「{key}」不能为负数", format(fig.value, "f"))
        if ind.weight is not None and ind.score is not None and ind.score.value > ind.weight.value:
            issues.error("score-above-weight", ind.score.loc,
                         f"得分 {ind.score.value} 大于分值 {ind.weight.value}；得分应在 0 到分值之间", format(ind.score.value, "f"))
    if not scoring or any(ind.weight is None for ind in rows):
        return
    budget_weight = year.department.budget_weight
    if budget_weight is None:
        budget_weight = variant.budget_weight
    total = budget_weight + sum((ind.weight.value for ind in rows), Decimal(0))
    if total != variant.score_total:
        issues.error("weights-sum", p.loc("年度绩效目标"),
                     f"预算执行分值 {budget_weight} 加各指标分值之和为 {total}，应为 {variant.score_total}", str(total))
    if variant.level1_weights:
        split: dict[str, Decimal] = {}
        for ind in rows:
            split[ind.level1] = split.get(ind.level1, Decimal(0)) + ind.weight.value
        standard = variant.level1_weights
        if {k: v for k, v in split.items() if v} != standard:
            shown = "、".join(f"{k} {v}" for k, v in split.items())
            want = "、".join(f"{k} {v}" for k, v in standard.items())
            issues.warning("weights-split", p.loc("年度绩效目标"), f"各一级指标的分值为 {shown}；标准为 {want}，请确认", shown)
