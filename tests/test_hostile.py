"""Hostile and broken input through the whole build: located errors and untouched outputs, or
documents that open and print every text literally; never an exception, never a partial file."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from docx import Document
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from typer.testing import CliRunner

from pipeline.cli import app
from scenarios import INVALID, VALID_YEAR, make_year
from test_validation_catalogue import COMPANIONS, EXPECTED

runner = CliRunner()


def tree_digest(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def build(tmp: Path, *extra: str):
    """`annex build` run from `tmp`, so messages name files as the user sees them (data/2024/...)."""
    args = ["build", "--data", "data", "--year", "2024", "--out", "out", "--jobs", "1", *extra]
    cwd = os.getcwd()
    os.chdir(tmp)
    try:
        return runner.invoke(app, args, env={"COLUMNS": "400"})
    finally:
        os.chdir(cwd)


@pytest.fixture(scope="module")
def previous_build(tmp_path_factory) -> Path:
    """A good Word build of the valid year: what every bad input must leave exactly as it was."""
    tmp = tmp_path_factory.mktemp("previous")
    make_year(tmp)
    result = build(tmp, "--format", "docx", "--no-archive")
    assert result.exit_code == 0, result.output
    return tmp / "out"


ERROR_SCENARIOS = sorted(n for n, records in EXPECTED.items() if any(r[0] == "error" for r in records))
WARNING_SCENARIOS = sorted(n for n, records in EXPECTED.items() if n not in ERROR_SCENARIOS)


@pytest.mark.parametrize("name", ERROR_SCENARIOS)
def test_bad_input_refuses_the_build_and_leaves_outputs_untouched(tmp_path, previous_build, name):
    make_year(tmp_path, name, *COMPANIONS.get(name, ()))
    shutil.copytree(previous_build, tmp_path / "out")
    before = tree_digest(tmp_path / "out")
    result = build(tmp_path, "--format", "docx")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    for _severity, code, file, line, _field in EXPECTED[name]:
        assert code in result.output
        assert re.search(re.escape(f"{file}:{line}") + r"(?!\d)", result.output), (file, line, result.output)
    assert tree_digest(tmp_path / "out") == before


@pytest.mark.parametrize("name", WARNING_SCENARIOS)
def test_warnings_still_build_a_document_that_opens(tmp_path, name):
    make_year(tmp_path, name, *COMPANIONS.get(name, ()))
    result = build(tmp_path, "--format", "docx", "--no-archive")
    assert result.exit_code == 0, result.output
    [docx] = (tmp_path / "out" / "2024" / "分表").glob("*.docx")
    Document(str(docx))
    # Nothing escapes build/: the unsafe-name scenario's "../../etc/passwd" stays a file name.
    for path in (tmp_path / "out").rglob("*"):
        assert path.resolve().is_relative_to((tmp_path / "out").resolve())


def test_every_catalogue_file_is_covered_here():
    assert sorted(ERROR_SCENARIOS + WARNING_SCENARIOS) == sorted(os.listdir(INVALID))


# --- fuzz over the whole build ---------------------------------------------------------------

EXAMPLES = int(os.environ.get("ANNEX_FUZZ_BUILD_EXAMPLES", "8"))
hostile_text = st.one_of(
    st.sampled_from(["公安&检察院", "<script>alert(1)</script>", "{{ 7*7 }}", "{% if x %}y{% endif %}", "{_{ x }_}",
                     "a\nb\n\nc", "“引号”‘单引号’\"'", "　全角空格　", "≥90%", "☑☐", "𠀀𪚥", "\\n\\t", "]]>", "<w:t>x</w:t>"]),
    # Mostly characters the fonts have (ASCII, punctuation, common hanzi), so most examples get built.
    st.text(alphabet=st.one_of(st.characters(min_codepoint=0x20, max_codepoint=0x7E),
                               st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5),
                               st.sampled_from("，。、；：？！“”‘’（）《》【】—…·\n ")),
            min_size=1, max_size=60),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cf", "Zl", "Zp", "Co", "Cn")),
            min_size=1, max_size=20),
).filter(lambda s: s.strip() != "")


@st.composite
def projects(draw):
    rows = []
    for level1, level2 in (("产出指标", "数量指标"), ("效益指标", "社会效益指标"), ("满意度指标", "服务对象满意度指标")):
        for _ in range(draw(st.integers(0, 3))):
            rows.append({"一级指标": level1, "二级指标": level2, "三级指标": draw(hostile_text),
                         "年初目标值": draw(hostile_text), "实际完成值": draw(hostile_text)})
    return {
        "项目名称": draw(hostile_text), "项目实施单位": draw(hostile_text),
        "项目类别": "部门预算项目", "项目属性": "持续性项目", "项目类型": "常年性项目",
        "预算数": draw(st.sampled_from(["60", "0.000001", "1024", "155.650", "99999999.999999", "1,024"])),  # 1,024: refused
        "执行数": draw(st.sampled_from(["0", "58", "155.65", "60.000001"])),
        "年度绩效目标": [{"指标": rows}] * draw(st.integers(0, 2)),
        "偏差原因分析": draw(hostile_text), "改进措施": draw(hostile_text),
    }


def _texts_of(project: dict) -> list[str]:
    out = [project["项目名称"], project["偏差原因分析"], project["改进措施"]]
    for goal in project["年度绩效目标"]:
        for row in goal["指标"]:
            out += [row["三级指标"], row["年初目标值"], row["实际完成值"]]
    return [t.strip() for t in out]


def _squash(text: str) -> str:
    return "".join(text.split())


# How a refused build says where the problem is: a data error names file:line (and its code); a
# character the fonts lack is named with its code point and the project it is in.
DATA_REFUSAL = re.compile(r"data/2024/projects/01-示例项目\.yaml:\d+")
FONT_REFUSAL = re.compile(r"「.」（01-示例项目，编码 U\+[0-9A-F]{4,6}）")


def _build_generated(project: dict, outcomes: dict[str, list[str]]) -> None:
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        year = tmp / "data" / "2024"
        shutil.copytree(VALID_YEAR, year)
        # JSON is YAML: every text goes in exactly as generated.
        (year / "projects" / "01-示例项目.yaml").write_text(json.dumps(project, ensure_ascii=False), encoding="utf-8")
        result = build(tmp, "--no-archive")
        assert "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        out = tmp / "out" / "2024"
        if result.exit_code != 0:
            # Refused: located data errors, or characters the installed fonts cannot print.
            assert result.exit_code == 1, result.output
            assert not out.exists()
            assert "错误" in result.output
            located = DATA_REFUSAL.search(result.output) or FONT_REFUSAL.search(result.output)
            assert located, result.output
            outcomes["refused"].append(result.output)
            return
        outcomes["built"].append(result.output)
        leftovers = [p for p in (tmp / "out").rglob("*") if ".staging" in p.name or p.name.endswith(".tmp")]
        assert leftovers == []
        [docx] = (out / "分表").glob("*.docx")
        document = Document(str(docx))
        cells = "".join(c.text for t in document.tables for r in t.rows for c in r.cells)
        [pdf] = (out / "分表").glob("*.pdf")
        pdf_text = _squash("".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.read_bytes())).pages))
        for text in _texts_of(project):
            assert _squash(text) in _squash(cells)
            if all(c.isascii() or "\u4e00" <= c <= "\u9fa5" for c in text):
                assert _squash(text) in pdf_text  # rarer glyphs' extraction varies with the PDF reader


@pytest.mark.slow
def test_generated_projects_are_built_or_refused_with_located_errors():
    """Every outcome must occur: a run where every example is refused (or every one built) proves
    nothing about the other path. A refusal is exit 1, no traceback, no output folder, and a
    message that says where: file:line for data, the character and its project for a font."""
    outcomes: dict[str, list[str]] = {"built": [], "refused": []}

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck),
              derandomize="ANNEX_FUZZ_BUILD_EXAMPLES" not in os.environ, database=None)
    @seed(7)
    @given(projects())
    def build_one(project):
        _build_generated(project, outcomes)

    build_one()
    assert outcomes["built"], "no generated project was built"
    refused = outcomes["refused"]
    assert any(DATA_REFUSAL.search(o) for o in refused), "no generated project was refused for its data"
    assert any(FONT_REFUSAL.search(o) for o in refused), "no generated project was refused for a missing glyph"
