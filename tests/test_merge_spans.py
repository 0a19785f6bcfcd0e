"""form.md's merge rule for the 一级 and 二级 columns, against expectations written by hand.

Within a goal, consecutive rows with the same 一级指标 merge that cell; within one 一级 run,
consecutive rows with the same 二级指标 merge that cell. The expected cells below are not computed:
they were read off the department's 2023 bundle (/work/shared/seeds, the merged cells of each
table's first goal, as data/2023 records them) and written down for the small forms. Each is
checked against what compute gives the renderers (`level1_span` / `level2_span`) and against
tests/form_layout.py, which the Word and PDF tests trust to say where a merge is.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from form_layout import level_spans
from pipeline.build.front import check_year
from scenarios import make_year

DATA_2023 = Path(__file__).resolve().parent.parent / "data" / "2023"

# The cells a reader sees in each 2023 table, top to bottom: (text, rows it spans).
P, E, S = "产出指标", "效益指标", "满意度指标"
SEED_2023: dict[str, tuple[list[tuple[str, int]], list[tuple[str, int]]]] = {
    "01-政法智能化建设": (
        [(P, 4), (E, 1), (S, 1)],
        [("数量指标", 1), ("质量指标", 1), ("时效指标", 1), ("成本指标", 1), ("经济效益指标", 1),
         ("服务对象满意度指标", 1)],
    ),
    "02-市综治中心": (
        [(P, 1), (E, 2), (S, 2)],
        [("成本指标", 1), ("社会效益指标", 1), ("效率指标", 1), ("上级评价", 1), ("同级认可", 1)],
    ),
    "03-市直行业部门调处中心": (
        [(P, 3), (E, 3), (S, 1)],
        [("数量指标", 2), ("质量指标", 1), ("经济效益指标", 1), ("社会效益指标", 1), ("生态效益指标", 1),
         ("服务对象满意度", 1)],
    ),
    "04-维稳救助及司法救助": (
        [(P, 3), (E, 3), (S, 1)],
        [("数量指标", 2), ("质量指标", 1), ("经济效益指标", 1), ("社会效益指标", 1), ("生态效益指标", 1),
         ("服务对象满意度", 1)],
    ),
    "05-社会治安综合治理": (
        [(P, 4), (E, 1), (S, 1)],
        [("数量指标", 1), ("质量指标", 1), ("时效指标", 1), ("成本指标", 1), ("经济效益指标", 1),
         ("服务对象满意度指标", 1)],
    ),
    "06-扫黑除恶": (
        [(P, 2), (E, 4), (S, 1)],
        [("数量指标", 1), ("质量指标", 1), ("经济效益指标", 1), ("社会效益指标", 1), ("生态效益指标", 1),
         ("可持续影响指标", 1), ("满意度指标", 1)],
    ),
    "07-平安稳定队伍建设": (
        [(P, 3), (E, 3), (S, 1)],
        [("数量指标", 2), ("质量指标", 1), ("经济效益指标", 1), ("社会效益指标", 1), ("生态效益指标", 1),
         ("服务对象满意度", 1)],
    ),
    "08-市法学会": (
        [(P, 3), (E, 3), (S, 1)],
        [("数量指标", 2), ("质量指标", 1), ("经济效益指标", 1), ("社会效益指标", 1), ("生态效益指标", 1),
         ("服务对象满意度指标", 1)],
    ),
    "09-铁路护路": (
        [(P, 4), (E, 4), (S, 1)],
        [("数量指标", 1), ("质量指标", 1), ("时效指标", 1), ("成本指标", 1), ("经济效益指标", 1),
         ("社会效益指标", 1), ("生态效益指标", 1), ("可持续影响指标", 1), ("满意度指标", 1)],
    ),
    "10-1234信息化建设": (
        [(P, 4), (E, 1), (S, 1)],
        [("数量指标", 1), ("质量指标", 1), ("时效指标", 1), ("成本指标", 1), ("经济效益指标", 1),
         ("服务对象满意度指标", 1)],
    ),
    "11-中央司法救助": (
        [(P, 3), (E, 2), (S, 1)],
        [("数量指标", 1), ("质量指标", 1), ("时效指标", 1), ("社会效益指标", 1), ("生态效益指标", 1),
         ("服务对象满意度指标", 1)],
    ),
}


def cells(texts: list[str], spans: list[int]) -> list[tuple[str, int]]:
    """The cells a reader sees: each row that starts a cell, with the rows the cell spans."""
    return [(t, s) for t, s in zip(texts, spans) if s]


def assert_rows_cover(spans: list[int]) -> None:
    """Every row is in exactly one cell: the spans add up and no cell runs past the goal."""
    assert sum(spans) == len(spans)
    assert all(i + s <= len(spans) for i, s in enumerate(spans))


@pytest.fixture(scope="module")
def seed_forms():
    result = check_year(DATA_2023, base=DATA_2023.parent.parent)
    assert result.bundle is not None, [i.message for i in result.errors]
    return {f.key: f for f in result.bundle.forms}


def test_every_2023_table_is_written_down(seed_forms):
    assert sorted(seed_forms) == sorted(SEED_2023)


@pytest.mark.parametrize("key", sorted(SEED_2023))
def test_2023_tables_merge_as_the_department_printed_them(seed_forms, key):
    level1, level2 = SEED_2023[key]
    rows = seed_forms[key].goals[0].rows
    l1, l2 = [r.level1_span for r in rows], [r.level2_span for r in rows]
    assert cells([r.level1 for r in rows], l1) == level1
    assert cells([r.level2 for r in rows], l2) == level2
    assert_rows_cover(l1)
    assert_rows_cover(l2)
    # form_layout (what the Word and PDF tests expect) agrees with the same hand-written cells.
    h1, h2 = level_spans([(r.level1, r.level2) for r in rows])
    assert (h1, h2) == (l1, l2)


# Small forms for the rule's edges: (一级, 二级) rows, then the cells by hand.
EDGES = {
    "one row": ([(P, "数量指标")], [(P, 1)], [("数量指标", 1)]),
    "a whole goal one 一级 and one 二级": (
        [(P, "数量指标")] * 3, [(P, 3)], [("数量指标", 3)]),
    # The same nonstandard 二级 on both sides of a 一级 boundary: two cells, never one across it.
    "二级 runs stop at a 一级 boundary": (
        [(P, "同级认可"), (E, "同级认可"), (E, "同级认可")],
        [(P, 1), (E, 2)],
        [("同级认可", 1), ("同级认可", 2)]),
    "二级 merges only while equal": (
        [(P, "数量指标"), (P, "数量指标"), (P, "质量指标"), (P, "数量指标")],
        [(P, 4)],
        [("数量指标", 2), ("质量指标", 1), ("数量指标", 1)]),
    "every row its own 二级": (
        [(P, "数量指标"), (P, "质量指标"), (E, "社会效益指标"), (S, "服务对象满意度指标")],
        [(P, 2), (E, 1), (S, 1)],
        [("数量指标", 1), ("质量指标", 1), ("社会效益指标", 1), ("服务对象满意度指标", 1)]),
}


def project_with(rows: list[tuple[str, str]]) -> dict:
    indicators = [{"一级指标": a, "二级指标": b, "三级指标": f"指标{i}", "年初目标值": "目标", "实际完成值": "完成"}
                  for i, (a, b) in enumerate(rows, start=1)]
    return {"项目名称": "示例项目经费", "项目实施单位": "示例科", "项目类别": "部门预算项目", "项目属性": "持续性项目",
            "项目类型": "常年性项目", "预算数": "60", "执行数": "58", "年度绩效目标": [{"指标": indicators}],
            "偏差原因分析": "无", "改进措施": "无"}


@pytest.mark.parametrize("case", sorted(EDGES))
def test_merge_rule_edges(tmp_path, case):
    rows, level1, level2 = EDGES[case]
    year = make_year(tmp_path)
    # JSON is YAML: the rows go in as written.
    (year / "projects" / "01-示例项目.yaml").write_text(json.dumps(project_with(rows), ensure_ascii=False),
                                                       encoding="utf-8")
    result = check_year(year, base=tmp_path)
    assert result.bundle is not None, [i.message for i in result.errors]
    [form] = result.bundle.forms
    got = form.goals[0].rows
    l1, l2 = [r.level1_span for r in got], [r.level2_span for r in got]
    assert cells([a for a, _ in rows], l1) == level1
    assert cells([b for _, b in rows], l2) == level2
    assert level_spans(rows) == (l1, l2)
