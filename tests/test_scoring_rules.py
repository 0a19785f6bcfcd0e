"""Scoring rule sets (templates/rules/) against expectations computed by hand.

Every expected number below is written as a literal, with the arithmetic that gives it in a comment;
none is produced by the code under test. Then properties (hypothesis): a score stays within 0..分值,
and a met target always scores the full weight.
"""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.problems.records import Issues
from pipeline.scoring.ruleset import RULES_DIR, available_rules, load_rules, read_rules
from pipeline.scoring.score import Computed, Judged, assess, budget_rate, budget_score, total_score
from pipeline.scoring.targets import Quantity, read_quantity

NATIONAL = load_rules("national-2020")
HUBEI = load_rules("hubei-2023")
SICHUAN = load_rules("sichuan-review")
DEDUCT = load_rules("overshoot-deduct")


# --- reading targets and results ------------------------------------------------------------------

@pytest.mark.parametrize("text,comparator,number,unit", [
    ("≥8000人次", "≥", "8000", "人次"),
    ("≤7个工作日", "≤", "7", "个工作日"),
    ("=100%", "=", "100", "%"),
    ("≥95%", "≥", "95", "%"),
    ("＞＝95％", "≥", "95", "%"),        # full-width signs and percent
    ("＝100％", "=", "100", "%"),
    ("≧90%", "≥", "90", "%"),
    (">=90%", "≥", "90", "%"),
    ("<= 3 天", "≤", "3", "天"),
    ("不低于95%", "≥", "95", "%"),
    ("不少于 600 件", "≥", "600", "件"),
    ("不超过7个工作日", "≤", "7", "个工作日"),
    ("8000人次以上", "≥", "8000", "人次"),
    ("30天以内", "≤", "30", "天"),
    ("0.2%以下", "≤", "0.2", "%"),
    ("8562人次", None, "8562", "人次"),
    ("99.5%", None, "99.5", "%"),
    ("８,０００人次", None, "8000", "人次"),  # full-width digits, a thousands separator
    ("571", None, "571", ""),
])
def test_quantities_are_read_as_written(text, comparator, number, unit):
    q = read_quantity(text)
    assert q == Quantity(comparator, D(number), unit)
    assert str(q.number) == number  # Decimal from the digits: 99.5 stays 99.5


@pytest.mark.parametrize("text", [
    "全市 26 个乡镇联通政法专网", "完成较好", "2023年9月前", "年底前完成2期", "有效维护", "", "≥ 10 以内", "≥八千人次",
])
def test_texts_that_are_not_one_quantity_are_not_read(text):
    assert read_quantity(text) is None


# --- 定量 indicators by each rule set, by hand ------------------------------------------------------

@pytest.mark.parametrize("rules,target,actual,weight,score,formula", [
    # ≥ not met: 实际 ÷ 目标 × 分值. 571 ÷ 600 × 15 = 8565 ÷ 600 = 14.275 -> 14.28 (half-up)
    (NATIONAL, "≥600件", "571件", "15", "14.28", "571÷600×15"),
    # 42 ÷ 50 × 30 = 1260 ÷ 50 = 25.2
    (HUBEI, "≥50场", "42场", "30", "25.20", "42÷50×30"),
    # ≤ not met: 目标 ÷ 实际 × 分值. 7 ÷ 9 × 10 = 70 ÷ 9 = 7.777… -> 7.78
    (NATIONAL, "≤7个工作日", "9个工作日", "10", "7.78", "7÷9×10"),
    # = not met, proportional: the smaller ÷ the larger × 分值. 92 ÷ 100 × 20 = 18.4
    (NATIONAL, "=100%", "92%", "20", "18.40", "92÷100×20"),
    # a target without a sign reads as = in national-2020 (no_comparator: "=")
    (NATIONAL, "100%", "92%", "20", "18.40", "92÷100×20"),
    # = overshot, proportional: 100 ÷ 104 × 10 = 9.615… -> 9.62
    (NATIONAL, "=100件", "104件", "10", "9.62", "100÷104×10"),
    # = not met in overshoot-deduct: 0
    (DEDUCT, "=100%", "92%", "20", "0.00", None),
    # overshoot: 140 > 130% × 100, a deduction of 2: 15 − 2 = 13
    (DEDUCT, "≥100人次", "140人次", "15", "13.00", "超过目标值的 130%，15−2"),
    # exactly 130%: not more than 130%, no deduction
    (DEDUCT, "≥100人次", "130人次", "15", "15", "达到目标值，得满分"),
    # the same overshoot under sichuan-review (deduct 0) and national-2020 (no overshoot rule): full
    (SICHUAN, "≥100人次", "140人次", "15", "15", "达到目标值，得满分"),
    (NATIONAL, "≥100人次", "140人次", "15", "15", "达到目标值，得满分"),
    # met: ≥ at the target, ≤ below it, = equal
    (NATIONAL, "≥8000人次", "8562人次", "15", "15", "达到目标值，得满分"),
    (NATIONAL, "≥95%", "95%", "10", "10", "达到目标值，得满分"),
    (NATIONAL, "≤0.2%", "0.1%", "30", "30", "达到目标值，得满分"),
    (NATIONAL, "不超过7个工作日", "5个工作日", "10", "10", "达到目标值，得满分"),
    # a result written without its unit takes the target's: 571 ÷ 600 × 15 = 14.275 -> 14.28
    (NATIONAL, "≥600件", "571", "15", "14.28", "571÷600×15"),
    # weights with decimals: 3 ÷ 4 × 2.5 = 1.875 -> 1.88
    (NATIONAL, "≥4期", "3期", "2.5", "1.88", "3÷4×2.5"),
    # ≥ with nothing done: 0 ÷ 10 × 5 = 0
    (NATIONAL, "≥10次", "0次", "5", "0.00", "0÷10×5"),
])
def test_quantitative_scores_by_hand(rules, target, actual, weight, score, formula):
    a = assess(rules, target, actual, D(weight))
    assert isinstance(a, Computed)
    assert str(a.score) == score
    if formula is not None:
        assert a.formula == formula


@pytest.mark.parametrize("target,actual,why", [
    ("≥600件", "571人次", "单位不同（目标值「件」，实际完成值「人次」）"),
    ("≥95%", "0.97", "单位不同（目标值「%」，实际完成值「无单位」）"),
    ("≥0件", "3件", "目标值为 0，无法按比例计分"),
    ("≥8000人次", "基本完成", "实际完成值「基本完成」读不出一个数值和单位"),
    ("≥8000人次", "≥8000人次", "实际完成值「≥8000人次」带有比较符号；应写实际达到的数值"),
    ("≥八千人次", "8562人次", ""),  # no digit after the sign: a text, nothing to explain
    ("≥ 8000人次，且不少于 3 次", "完成", "年初目标值「≥ 8000人次，且不少于 3 次」读不出一个数值和单位"),
])
def test_quantitative_looking_indicators_that_cannot_be_scored_say_why(target, actual, why):
    a = assess(NATIONAL, target, actual, D(10))
    assert isinstance(a, Judged)
    assert a.why == why


def test_qualitative_indicators_are_judged_by_the_clerk():
    assert assess(NATIONAL, "有效维护", "有效维护", D(20)) == Judged(True)
    assert assess(NATIONAL, "明显提升", "有所提升", D(30)) == Judged(False)
    # = not met under a rule set whose choice is "qualitative"
    rules = NATIONAL.model_copy(update={"quantitative": NATIONAL.quantitative.model_copy(
        update={"equal_not_met": "qualitative"})})
    assert isinstance(assess(rules, "=100%", "92%", D(20)), Judged)


# --- 预算执行, totals, caps, grades, by hand ---------------------------------------------------------

def test_budget_scores_by_hand():
    # 全年预算数 162.5, 全年执行数 137.75: 137.75 ÷ 162.5 = 84.769…% -> 84.77%; 10 × 84.77% = 8.477 -> 8.48
    rate = budget_rate(NATIONAL, D("137.75"), D("162.5"), D("150"))
    assert rate == D("84.77")
    assert budget_score(NATIONAL, D(10), rate) == D("8.48")
    # Hubei: 20 × min(43.2 ÷ 45 = 96.00%, 100%) = 19.2
    assert budget_score(HUBEI, D(20), budget_rate(HUBEI, D("43.2"), D("45"), None)) == D("19.20")
    # over 100%: capped at the weight. 110 ÷ 100 = 110%; 10 × 100% = 10
    assert budget_score(NATIONAL, D(10), budget_rate(NATIONAL, D(110), D(100), None)) == D("10.00")
    # 年初预算数 as the denominator: 137.75 ÷ 150 = 91.833…% -> 91.83%
    initial = NATIONAL.model_copy(update={"budget": NATIONAL.budget.model_copy(update={"denominator": "年初预算数"})})
    assert budget_rate(initial, D("137.75"), D("162.5"), D("150")) == D("91.83")


def test_totals_caps_and_grades_by_hand():
    # 8.48 + 15 + 14.28 + 10 + 10 + 19 + 10 + 10 = 96.76
    scores = [D(15), D("14.28"), D(10), D(10), D(19), D(10), D(10)]
    assert total_score(NATIONAL, D("8.48"), scores, D("84.77")) == D("96.76")
    assert NATIONAL.grade(D("96.76")) == "优"
    # sichuan-review caps the total at 69 below 60% 执行率: 5.5 + 85 = 90.5 -> 69 at 55%, 90.50 at 60%
    assert total_score(SICHUAN, D("5.5"), [D(85)], D("55.00")) == D("69.00")
    assert total_score(SICHUAN, D("5.5"), [D(85)], D("60.00")) == D("90.50")
    # the grade bands: 优 ≥ 90, 良 ≥ 80, 中 ≥ 60, 差 below
    assert [HUBEI.grade(D(t)) for t in ("90", "89.99", "80", "79.99", "60", "59.99", "0")] == \
        ["优", "良", "良", "中", "中", "差", "差"]


def test_rounding_is_the_rule_sets_choice():
    data = NATIONAL.model_dump()
    data["budget"]["rounding"] = {"places": 2, "mode": "down"}
    data["quantitative"]["rounding"] = {"places": 1, "mode": "down"}
    data["total"] = {"places": 0, "mode": "half-up"}
    down = type(NATIONAL).model_validate(data)
    # 10 × 84.77% = 8.477: down to two places 8.47 (half-up gives 8.48)
    assert budget_score(down, D(10), D("84.77")) == D("8.47")
    # 571 ÷ 600 × 15 = 14.275: down to one place 14.2
    assert assess(down, "≥600件", "571件", D(15)).score == D("14.2")
    # the total printed without decimals: 8.47 + 14.2 + 75 = 97.67 -> 98
    assert total_score(down, D("8.47"), [D("14.2"), D(75)], D("84.77")) == D("98")


def test_the_bands_are_said_in_points_of_the_weight():
    # national 80–100 / 60–80 / 0–60 of 20 points; Hubei's footnote 80–100 / 50–80 / 0–50 of 30
    assert NATIONAL.band_text(D(20)) == "达成 16–20 分、部分达成 12–16 分、未达成 0–12 分"
    assert HUBEI.band_text(D(30)) == "达成 24–30 分、部分达成 15–24 分、未达成 0–15 分"


# --- rule set files -------------------------------------------------------------------------------

def test_every_shipped_rule_set_reads_without_a_problem():
    for name in available_rules():
        issues = Issues()
        assert read_rules(RULES_DIR / f"{name}.yaml", name, issues) is not None, [i.message for i in issues]
    assert {"national-2020", "hubei-2023", "sichuan-review", "overshoot-deduct"} <= set(available_rules())


def test_weights_as_the_published_rules_give_them():
    assert (NATIONAL.budget.weight, HUBEI.budget.weight) == (10, 20)
    assert NATIONAL.tolerance == D("0.1") and type(NATIONAL.tolerance) is D  # read as text, never a float


def test_a_rule_set_file_with_mistakes_names_each_line(tmp_path):
    text = (RULES_DIR / "national-2020.yaml").read_text(encoding="utf-8").replace("name: national-2020", "name: local")
    text = text.replace("  weight: 10 ", "  wieght: 10 ").replace("equal_not_met: proportional", "equal_not_met: half")
    path = tmp_path / "local.yaml"
    path.write_text(text, encoding="utf-8")
    issues = Issues()
    assert read_rules(path, "local.yaml", issues) is None
    lines = text.splitlines()
    found = sorted((i.code, i.line, i.field) for i in issues)
    assert found == sorted([
        ("rules-invalid", 1 + next(n for n, l in enumerate(lines) if l.startswith("budget:")), "budget.weight"),
        ("rules-unknown-key", 1 + next(n for n, l in enumerate(lines) if "wieght" in l), "budget.wieght"),
        ("rules-invalid", 1 + next(n for n, l in enumerate(lines) if "equal_not_met" in l), "quantitative.equal_not_met"),
    ])
    assert any("proportional、zero、qualitative" in i.message for i in issues)


# --- properties -----------------------------------------------------------------------------------

_numbers = st.decimals(min_value=D("0.01"), max_value=D("100000"), places=2, allow_nan=False, allow_infinity=False)
_weights = st.decimals(min_value=D("0"), max_value=D("100"), places=1, allow_nan=False, allow_infinity=False)
_rules = st.sampled_from([NATIONAL, HUBEI, SICHUAN, DEDUCT])
_signs = st.sampled_from(["≥", "≤", "=", "", "不低于", "不超过", "＞＝"])


@settings(max_examples=300, deadline=None)
@given(_rules, _signs, _numbers, _numbers, _weights, st.sampled_from(["人次", "%", "件"]))
def test_scores_stay_within_zero_and_the_weight(rules, sign, target, actual, weight, unit):
    a = assess(rules, f"{sign}{target}{unit}", f"{actual}{unit}", weight)
    if isinstance(a, Computed):
        assert D(0) <= a.score <= weight


@settings(max_examples=300, deadline=None)
@given(_rules, _numbers, _numbers, _weights)
def test_a_met_target_scores_full(rules, target, extra, weight):
    # ≥: any result at or above the target, within 130% (beyond it a rule set may deduct on purpose)
    above = min(target + extra, target * D("1.3"))
    assert assess(rules, f"≥{target}件", f"{above}件", weight) == Computed(weight, True, "达到目标值，得满分")
    # ≤: any result at or below the target
    below = max(target - extra, D(0))
    assert assess(rules, f"≤{target}天", f"{below}天", weight).score == weight
    # =: the target itself
    assert assess(rules, f"={target}%", f"{target}%", weight).score == weight
