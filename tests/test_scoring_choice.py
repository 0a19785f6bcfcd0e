"""Choosing a rule set: the variant's default, `评分规则:` in department.yaml or the workbook's 单位
sheet, kept by `annex new-year`; and the numbers that follow from it (total, grade, 项目清单)."""

from __future__ import annotations

from pathlib import Path

import yaml

from pipeline.build.front import check_year
from pipeline.form.summary import build_summary
from scenarios import BASE_PROJECT, make_year
from tests.user_runs import annex
from workbooks import unit_sheet, workbook_year

# A national-2020 project spending 60 of 110 (全年预算数 100 + 10): 执行率 60 ÷ 110 = 54.545…% -> 54.55%.
# Indicators all met: 50 + 30 + 10 = 90. 预算执行 10 × 54.55% = 5.455 -> 5.46. 总分 5.46 + 90 = 95.46.
PROJECT = """\
项目名称: 示例项目经费
项目实施单位: 示例科
项目资金:
  当年财政拨款: {年初预算数: 100, 全年预算数: 100, 全年执行数: 50}
  上年结转资金: {年初预算数: 0, 全年预算数: 10, 全年执行数: 10}
  其他资金: {年初预算数: 0, 全年预算数: 0, 全年执行数: 0}
年度总体目标: {预期目标: 建成平台, 实际完成情况: 已建成}
年度绩效目标:
  - 指标:
      - {一级指标: 产出指标, 二级指标: 数量指标, 三级指标: 覆盖率, 年初目标值: 100%, 实际完成值: 100%, 分值: 50, 得分: 50,
         偏差原因分析及改进措施: 设备招标延期，资金结余}
      - {一级指标: 效益指标, 二级指标: 社会效益指标, 三级指标: 社会稳定, 年初目标值: 稳定, 实际完成值: 稳定, 分值: 30, 得分: 30}
      - {一级指标: 满意度指标, 二级指标: 服务对象满意度指标, 三级指标: 满意度, 年初目标值: ≥90%, 实际完成值: 95%, 分值: 10}
"""


def _year(tmp_path: Path, rules: str | None) -> Path:
    year = make_year(tmp_path)
    dept = year / "department.yaml"
    text = dept.read_text(encoding="utf-8").replace("表样: hubei-2023", "表样: national-2020")
    if rules:
        text += f"评分规则: {rules}\n"
    dept.write_text(text, encoding="utf-8")
    (year / BASE_PROJECT).write_text(PROJECT, encoding="utf-8")
    return year


def test_the_variant_default_scores_without_a_cap(tmp_path):
    result = check_year(_year(tmp_path, None), base=tmp_path)
    assert result.errors == [] and result.input.rules.name == "national-2020"
    form = result.bundle.forms[0]
    assert (form.budget.score, form.total.score, form.total.grade) == ("5.46", "95.46", "优")
    # the empty 得分 of the met 满意度 row is its full weight, printed
    assert form.goals[0].rows[2].score == "10" and form.goals[0].rows[2].score_computed


def test_a_department_chooses_another_rule_set(tmp_path):
    # sichuan-review: below 60% 执行率 the total is at most 69 -> 69.00, 中
    result = check_year(_year(tmp_path, "sichuan-review"), base=tmp_path)
    assert result.errors == [] and result.input.rules.name == "sichuan-review"
    form = result.bundle.forms[0]
    assert (form.total.score, form.total.grade) == ("69.00", "中")
    summary = build_summary(result.bundle, result.input.variant)
    assert (summary.rows[0].score, summary.rows[0].grade) == ("69.00", "中")


def test_an_unknown_rule_set_is_an_error_at_its_line(tmp_path):
    result = check_year(_year(tmp_path, "sichuan"), base=tmp_path)
    [issue] = [i for i in result.errors if i.code == "unknown-rules"]
    lines = (tmp_path / "data" / "2024" / "department.yaml").read_text(encoding="utf-8").splitlines()
    assert (issue.file, issue.line, issue.field) == ("data/2024/department.yaml", len(lines), "评分规则")
    assert "sichuan-review" in issue.message and "national-2020" in issue.message


def test_the_unit_sheet_chooses_a_rule_set(tmp_path):
    year = make_year(tmp_path)
    workbook_year(year, unit_sheet((["项目", "内容"], ["评分规则", "overshoot-deduct"])))
    result = check_year(year, base=tmp_path)
    assert result.errors == [] and result.input.rules.name == "overshoot-deduct"
    workbook_year(year, unit_sheet((["项目", "内容"], ["评分规则", "四川"])))
    [issue] = [i for i in check_year(year, base=tmp_path).errors if i.code == "unknown-rules"]
    assert issue.cell and issue.cell.startswith("单位!")


def test_new_year_keeps_the_chosen_rule_set(tmp_path):
    year = _year(tmp_path, "sichuan-review")
    year.rename(tmp_path / "data" / "2023")
    assert annex(tmp_path, "new-year", "2024").exit_code == 0
    dept = yaml.safe_load((tmp_path / "data" / "2024" / "department.yaml").read_text(encoding="utf-8"))
    assert dept["评分规则"] == "sichuan-review"
