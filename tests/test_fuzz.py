"""Fuzz: whatever users put in their files, annex either computes a bundle or returns located errors.

CI runs a bounded, seeded number of examples; `make fuzz` sets ANNEX_FUZZ_EXAMPLES for a longer run.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from pipeline.build.front import check_year
from scenarios import VALID_YEAR

EXAMPLES = int(os.environ.get("ANNEX_FUZZ_EXAMPLES", "150"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize="ANNEX_FUZZ_EXAMPLES" not in os.environ,
                suppress_health_check=list(HealthCheck))

BASE = (VALID_YEAR / "projects" / "01-示例项目.yaml").read_text(encoding="utf-8")
KEYS = ["项目名称", "表名", "主管部门", "项目实施单位", "项目类别", "项目属性", "项目类型", "预算数", "执行数",
        "年度绩效目标", "指标", "一级指标", "二级指标", "三级指标", "年初目标值", "实际完成值", "分值", "得分",
        "偏差原因分析", "改进措施", "项目资金", "年度总体目标", "项目名字"]
FRAGMENTS = ["\n", "  ", "- ", ": ", "\t", '"', "'", "{", "}", "[", "]", "&a", "*a", "!!float ", "|", ">", "#",
             "0012", "1e3", "-0", "155.650", "1,024", "６０", "60万元", "~", "null", "yes", "2024-02-30",
             "\x0b", "\u202e", "\u200b", "{{ 7*7 }}", "{% if %}", "<w:t>", "&amp;", "公安&检察院", "---", "..."]

yaml_soup = st.lists(st.one_of(st.sampled_from(KEYS), st.sampled_from(FRAGMENTS), st.text(max_size=8)), max_size=60).map("".join)


def _mutate(text: str, data) -> str:
    """Insert, delete or replace a slice of the valid project: inputs near the valid ones reach deep rules."""
    lines = text.split("\n")
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(lines) - 1))
        action = data.draw(st.sampled_from(["replace", "insert", "delete", "value"]))
        if action == "replace":
            lines[i] = data.draw(yaml_soup)
        elif action == "insert":
            lines.insert(i, data.draw(yaml_soup))
        elif action == "delete" and len(lines) > 1:
            del lines[i]
        elif ":" in lines[i]:
            key = lines[i].split(":", 1)[0]
            lines[i] = f"{key}: {data.draw(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)))}"
    return "\n".join(lines)


def _run(project: bytes, csv: bytes | None = None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        year = Path(tmp) / "2024"
        shutil.copytree(VALID_YEAR, year)
        (year / "projects" / "01-示例项目.yaml").write_bytes(project)
        if csv is not None:
            (year / "预算执行.csv").write_bytes(csv)
        result = check_year(year, base=Path(tmp))
        if result.errors:
            assert result.bundle is None
            for issue in result.errors:
                assert issue.file and issue.message and issue.code
                assert issue.line is None or issue.line >= 1
        else:
            assert result.bundle is not None and len(result.bundle.forms) == 1


@FUZZ
@seed(20240423)
@given(st.data())
def test_mutated_projects_never_crash(data):
    _run(_mutate(BASE, data).encode("utf-8"))


@FUZZ
@seed(20240424)
@given(st.binary(max_size=200))
def test_arbitrary_bytes_never_crash(raw):
    _run(raw)


@FUZZ
@seed(20240425)
@given(st.lists(st.lists(st.one_of(st.sampled_from(["示例项目经费", "60", "58", "", "1,0", "\"", "项目名称"]),
                                   st.text(max_size=6)), max_size=4), max_size=5),
       st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]))
def test_arbitrary_budget_csv_never_crashes(rows, encoding):
    text = "项目名称,预算数,执行数\n" + "\n".join(",".join(r) for r in rows)
    try:
        raw = text.encode(encoding)
    except UnicodeEncodeError:
        raw = text.encode("utf-8")
    project = "\n".join(l for l in BASE.split("\n") if not l.startswith(("预算数", "执行数")))
    _run(project.encode("utf-8"), raw)
