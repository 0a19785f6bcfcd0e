"""Property: any valid project loads and computes, and its 执行率 is Decimal arithmetic on the written figures."""

from __future__ import annotations

import json
import shutil
import tempfile
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.build.front import check_year
from scenarios import VALID_YEAR

LEVELS = {
    "产出指标": ["数量指标", "质量指标", "时效指标", "成本指标"],
    "效益指标": ["经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"],
    "满意度指标": ["服务对象满意度指标"],
}

texts = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cf", "Zl", "Zp", "Co", "Cn")),
    min_size=1, max_size=30,
).filter(lambda s: s.strip() != "")


@st.composite
def amounts(draw, minimum=0):
    whole = draw(st.integers(min_value=minimum, max_value=10**7))
    places = draw(st.integers(min_value=0, max_value=6))
    frac = draw(st.integers(min_value=0, max_value=10**places - 1)) if places else 0
    text = f"{whole}.{frac:0{places}d}" if places else str(whole)
    return text


@st.composite
def goals(draw):
    out = []
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        rows = []
        for level1 in draw(st.lists(st.sampled_from(sorted(LEVELS)), unique=True, max_size=3)):
            for _ in range(draw(st.integers(min_value=1, max_value=3))):
                rows.append({
                    "一级指标": level1, "二级指标": draw(st.sampled_from(LEVELS[level1])),
                    "三级指标": draw(texts), "年初目标值": draw(texts), "实际完成值": draw(texts),
                })
        out.append({"指标": rows})
    return out


def project_yaml(name, planned, spent, goal_list, reason):
    # JSON strings are valid YAML double-quoted scalars; amounts stay plain so YAML sees numbers.
    lines = [
        f"项目名称: {json.dumps(name, ensure_ascii=False)}",
        "项目实施单位: 示例科", "项目类别: 部门预算项目", "项目属性: 持续性项目", "项目类型: 一次性项目",
        f"预算数: {planned}", f"执行数: {spent}",
        f"年度绩效目标: {json.dumps(goal_list, ensure_ascii=False)}",
        f"偏差原因分析: {json.dumps(reason, ensure_ascii=False)}", "改进措施: 无",
    ]
    return "\n".join(lines) + "\n"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=texts, planned=amounts(minimum=1), spent=amounts(), goal_list=goals(), reason=texts)
def test_valid_projects_compute_exact_rates(name, planned, spent, goal_list, reason):
    with tempfile.TemporaryDirectory() as tmp:
        year = Path(tmp) / "2024"
        shutil.copytree(VALID_YEAR, year)
        (year / "projects" / "01-示例项目.yaml").write_text(
            project_yaml(name, planned, spent, goal_list, reason), encoding="utf-8")
        result = check_year(year)
        assert result.errors == [], result.errors
        form = result.bundle.forms[0]
        assert (form.budget.planned, form.budget.spent) == (planned, spent)
        expected = (Decimal(spent) * 100 / Decimal(planned)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        assert form.budget.rate == f"{expected}%"
        assert form.project_name == name.strip()
        assert len(form.goals) == max(2, len(goal_list))
        for goal, given_goal in zip(form.goals, goal_list):
            assert [r.level3 for r in goal.rows] == [r["三级指标"].strip() for r in given_goal["指标"]]
            assert sum(r.level1_span for r in goal.rows) == len(goal.rows)
