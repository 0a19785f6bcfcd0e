"""Computed fields of the filled form: rates, amounts as written, merges, scoring, titles."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from pipeline.build.front import check_year
from pipeline.files.names import safe_file_stem
from pipeline.form.compute import spans
from pipeline.input.arithmetic import execution_rate
from scenarios import INVALID, make_year

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "2023"


@pytest.fixture(scope="module")
def seed():
    result = check_year(SEED, base=ROOT)
    assert result.errors == []
    return result.bundle


def test_seed_checks_with_only_true_warnings(seed):
    result = check_year(SEED, base=ROOT)
    found = sorted((Path(i.file).name, i.code, i.value) for i in result.warnings)
    # Each is in the published bundle: non-standard 二级指标 names and one empty 年初目标值 (table 2).
    assert found == sorted([
        ("02-市综治中心.yaml", "nonstandard-level2", "效率指标"),
        ("02-市综治中心.yaml", "nonstandard-level2", "上级评价"),
        ("02-市综治中心.yaml", "empty-value", None),
        ("02-市综治中心.yaml", "nonstandard-level2", "同级认可"),
        ("03-市直行业部门调处中心.yaml", "nonstandard-level2", "服务对象满意度"),
        ("04-维稳救助及司法救助.yaml", "nonstandard-level2", "服务对象满意度"),
        ("06-扫黑除恶.yaml", "level2-same-as-level1", "满意度指标"),
        ("07-平安稳定队伍建设.yaml", "nonstandard-level2", "服务对象满意度"),
        ("09-铁路护路.yaml", "level2-same-as-level1", "满意度指标"),
    ])


def test_seed_rates_and_amounts_as_written(seed):
    got = [(f.budget.planned, f.budget.spent, f.budget.rate) for f in seed.forms]
    assert got == [
        ("60", "58", "96.67%"),
        ("280", "155.65", "55.59%"),
        ("78", "78", "100.00%"),
        ("170", "97.621", "57.42%"),
        ("80", "61.56", "76.95%"),
        ("80", "76.3932", "95.49%"),
        ("93", "87.6181", "94.21%"),
        ("45", "27.82", "61.82%"),
        ("50", "44.35", "88.70%"),
        ("1024", "600.2975", "58.62%"),
        ("60", "57.6", "96.00%"),
    ]


def test_seed_rates_are_decimal_arithmetic_on_the_figures(seed):
    for f in seed.forms:
        exact = Decimal(f.budget.spent) / Decimal(f.budget.planned) * 100
        assert abs(Decimal(f.budget.rate.rstrip("%")) - exact) <= Decimal("0.005")


def test_seed_titles_come_from_each_projects_data(seed):
    titles = [f.title for f in seed.forms]
    assert len(set(titles)) == 11
    assert titles[9] == "2023 年度“1234”信息化建设工程经费项目自评表"  # the seed printed table 1's title here
    assert titles[7] == "2023 年度市法学会经费项目自评表"
    assert all(f.unit_line == "单位名称：中共鄂州市委政法委员会" for f in seed.forms)
    assert all(f.date_line == "填报日期：2024 年 4 月 23 日" for f in seed.forms)


def test_seed_checkboxes_tick_exactly_one_box_per_group(seed):
    for f in seed.forms:
        assert [g.label for g in f.checkboxes] == ["项目类别", "项目属性", "项目类型"]
        for g in f.checkboxes:
            assert sum(o.checked for o in g.options) == 1
    # Options two ideographic spaces apart (CheckboxGroup.gap), in Word as in the PDF.
    assert seed.forms[0].checkboxes[0].text == "1、部门预算项目 ☑\u3000\u30002、市直专项 ☐\u3000\u30003、省对下转移支付项目 ☐"
    assert seed.forms[10].checkboxes[0].text == "1、部门预算项目 ☐\u3000\u30002、市直专项 ☐\u3000\u30003、省对下转移支付项目 ☑"


def test_seed_goals_pad_to_two_and_footnotes(seed):
    for f in seed.forms:
        assert [g.label for g in f.goals] == ["年度绩效目标 1", "年度绩效目标 2"]
        assert f.goals[1].empty and f.goals[1].span == 1
        assert len(f.footnotes) == 3 and f.footnotes[0].startswith("1. 预算执行情况口径")


def test_row_spans_of_runs(seed):
    # Table 9 (铁路护路): 4 产出 rows, 4 效益 rows, 1 满意度 row, each 二级 different.
    rows = seed.forms[8].goals[0].rows
    assert [r.level1_span for r in rows] == [4, 0, 0, 0, 4, 0, 0, 0, 1]
    assert [r.level1_vmerge for r in rows] == ["restart", "continue", "continue", "continue",
                                               "restart", "continue", "continue", "continue", ""]
    # Table 3: two 数量指标 rows merge inside the 产出 run.
    rows = seed.forms[2].goals[0].rows
    assert [r.level2_span for r in rows][:3] == [2, 0, 1]
    assert seed.forms[2].goals[0].span == 1 + 7


def test_level2_runs_never_cross_a_level1_boundary():
    # 二级 "满意度指标" ends one 一级 run and starts the next: two cells, not one.
    l1 = ["产出指标", "产出指标", "满意度指标", "满意度指标"]
    l2 = ["数量指标", "X", "X", "Y"]
    s1 = spans(l1, [False] * 4)
    assert s1 == [2, 0, 2, 0]
    assert spans(l2, [s > 0 for s in s1]) == [1, 1, 1, 1]


def test_multiline_texts_keep_their_line_breaks(seed):
    assert seed.forms[2].measures.count("\n") == 1
    assert seed.forms[1].goals[0].rows[3].level3.startswith("1. 省级调研评价。")


def test_amount_written_with_trailing_zero_stays(tmp_path):
    year = make_year(tmp_path, "amount-as-written.project.yaml")
    form = check_year(year, base=tmp_path).bundle.forms[0]
    assert form.budget.spent == "155.650"
    assert form.budget.rate == "259.42%"


def test_scoring_totals_and_grade(tmp_path):
    year = make_year(tmp_path, "scoring-on.department.yaml")
    project = year / "projects" / "01-示例项目.yaml"
    text = project.read_text(encoding="utf-8")
    text = text.replace("        实际完成值: 完成较好\n      - 一级指标: 效益指标",
                        "        实际完成值: 完成较好\n        分值: 50\n        得分: 45.5\n      - 一级指标: 效益指标")
    text = text.replace("        实际完成值: 完成较好\n偏差", "        实际完成值: 完成较好\n        分值: 30\n        得分: 28\n偏差")
    project.write_text(text, encoding="utf-8")
    result = check_year(year, base=tmp_path)
    assert result.errors == []
    form = result.bundle.forms[0]
    # 58 / 60 = 96.67%; 20 × 96.67% = 19.334 → 19.33; 19.33 + 45.5 + 28 = 92.83 → 优
    assert form.budget.label == "预算执行情况 (万元) (20 分)"
    assert (form.budget.weight, form.budget.score) == ("20", "19.33")
    assert form.goals[0].label == "年度绩效目标 1 (80 分)"
    assert [(r.weight, r.score) for r in form.goals[0].rows] == [("50", "45.5"), ("30", "28")]
    assert (form.total.score, form.total.grade, form.total.grade_text, form.total.weight) == ("92.83", "优", "自评等级：优", "100")
    assert form.indicator_headers[-2:] == ("分值", "得分")


@pytest.mark.parametrize("total,grade", [("90", "优"), ("89.99", "良"), ("80", "良"), ("79.99", "中"), ("60", "中"), ("59.99", "差")])
def test_grade_boundaries(total, grade):
    from pipeline.input.arithmetic import grade_of
    from pipeline.variant import load_variant
    assert grade_of(load_variant("hubei-2023"), Decimal(total)) == grade


def test_rate_rounds_half_up():
    assert execution_rate(Decimal("1"), Decimal("8")) == Decimal("12.50")
    assert execution_rate(Decimal("0.00125"), Decimal("1")) == Decimal("0.13")  # 0.125% → 0.13%, not banker's 0.12%
    assert execution_rate(Decimal("76.3932"), Decimal("80")) == Decimal("95.49")


def test_unsafe_project_names_become_safe_file_names(tmp_path):
    year = make_year(tmp_path, "unsafe-name.project.yaml")
    form = check_year(year, base=tmp_path).bundle.forms[0]
    assert "/" not in form.file_stem and "\\" not in form.file_stem and ":" not in form.file_stem
    assert form.file_stem.startswith("01-")
    assert Path(form.file_stem).name == form.file_stem
    assert safe_file_stem("07", "  ..  ") == "07-项目"
    assert safe_file_stem("07", 'a<b>c|d?e*f"g') == "07-a_b_c_d_e_f_g"


def test_project_folder_order_is_the_number_prefix(tmp_path):
    year = make_year(tmp_path)
    base = (year / "projects" / "01-示例项目.yaml").read_text(encoding="utf-8")
    (year / "projects" / "10-后.yaml").write_text(base.replace("示例项目经费", "第十个"), encoding="utf-8")
    (year / "projects" / "2-中.yaml").write_text(base.replace("示例项目经费", "第二个"), encoding="utf-8")
    forms = check_year(year, base=tmp_path).bundle.forms
    assert [(f.number, f.project_name) for f in forms] == [("01", "示例项目经费"), ("02", "第二个"), ("10", "第十个")]


def test_missing_department_and_empty_projects_folder(tmp_path):
    year = make_year(tmp_path)
    (year / "department.yaml").unlink()
    (year / "projects" / "01-示例项目.yaml").unlink()
    codes = sorted((i.code, i.file) for i in check_year(year, base=tmp_path).errors)
    assert codes == [("missing-file", "data/2024/department.yaml"), ("no-projects", "data/2024/projects")]


def test_project_file_without_number_prefix(tmp_path):
    year = make_year(tmp_path)
    (year / "projects" / "01-示例项目.yaml").rename(year / "projects" / "示例项目.yaml")
    codes = sorted((i.code, i.file) for i in check_year(year, base=tmp_path).errors)
    assert codes == [("file-name", "data/2024/projects/示例项目.yaml")]


@pytest.mark.parametrize("first", ["pipeline.form.compute", "pipeline.input.year", "pipeline.check"])
def test_stages_import_one_way(first):
    """Compute reads the input model, never the rules; any stage imports on its own (no cycle)."""
    import subprocess
    import sys

    code = f"import sys, {first}, pipeline.form.compute; print(sorted(m for m in sys.modules if m.startswith('pipeline.check.rules')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
