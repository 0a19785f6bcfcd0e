"""Budget figures and indicators from CSV files as Excel and WPS save them."""

from __future__ import annotations

import re

import pytest

from pipeline.build.front import check_year
from scenarios import make_year

BUDGET = "项目名称,预算数,执行数\r\n示例项目经费,60,58.50\r\n"
INDICATORS = (
    "项目名称,目标,一级指标,二级指标,三级指标,年初目标值,实际完成值\r\n"
    "示例项目经费,1,产出指标,数量指标,覆盖,全覆盖,完成\r\n"
    "示例项目经费,1,产出指标,数量指标,培训,2场,2场\r\n"
    "示例项目经费,3,满意度指标,服务对象满意度指标,满意度,≥90%,95%\r\n"
)


def _strip_yaml(year, figures=True, goals=True):
    path = year / "projects" / "01-示例项目.yaml"
    text = path.read_text(encoding="utf-8")
    if figures:
        text = re.sub(r"^(预算数|执行数): .*\n", "", text, flags=re.M)
    if goals:
        text = re.sub(r"^年度绩效目标:\n(?:  .*\n)+", "", text, flags=re.M)
    path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_budget_csv_in_every_excel_encoding(tmp_path, encoding):
    year = make_year(tmp_path)
    _strip_yaml(year, goals=False)
    (year / "预算执行.csv").write_bytes(BUDGET.encode(encoding))
    result = check_year(year, base=tmp_path)
    assert result.errors == []
    assert (result.bundle.forms[0].budget.spent, result.bundle.forms[0].budget.rate) == ("58.50", "97.50%")


def test_indicators_csv_rows_keep_file_order_and_goal_numbers(tmp_path):
    year = make_year(tmp_path)
    _strip_yaml(year, figures=False)
    (year / "绩效指标.csv").write_bytes(INDICATORS.encode("gbk"))
    result = check_year(year, base=tmp_path)
    assert result.errors == []
    goals = result.bundle.forms[0].goals
    assert [g.label for g in goals] == ["年度绩效目标 1", "年度绩效目标 2", "年度绩效目标 3"]
    assert [r.level3 for r in goals[0].rows] == ["覆盖", "培训"]
    assert [(r.level1_span, r.level2_span) for r in goals[0].rows] == [(2, 2), (0, 0)]
    assert goals[1].empty and goals[2].rows[0].target == "≥90%"


def test_indicator_errors_point_at_the_csv_cell(tmp_path):
    year = make_year(tmp_path)
    _strip_yaml(year, figures=False)
    bad = INDICATORS.replace("满意度指标,服务对象满意度指标", "产出指标,服务对象满意度指标")
    (year / "绩效指标.csv").write_text(bad, encoding="utf-8")
    [issue] = check_year(year, base=tmp_path).errors
    assert (issue.code, issue.file, issue.line, issue.column, issue.field) == (
        "level2-wrong-level1", "data/2024/绩效指标.csv", 4, 4, "二级指标")


def test_csv_amount_errors_are_located(tmp_path):
    year = make_year(tmp_path)
    _strip_yaml(year, goals=False)
    (year / "预算执行.csv").write_text("项目名称,预算数,执行数\n示例项目经费,\"1,024\",0\n", encoding="utf-8")
    [issue] = check_year(year, base=tmp_path).errors
    assert (issue.code, issue.line, issue.column, issue.field, issue.value) == ("csv-amount-thousands", 2, 2, "预算数", "1,024")
    assert "「常规」" in issue.message and "1024" in issue.message
