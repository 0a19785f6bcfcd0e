"""The Word output, read back the way a user would: every cell's text and every merge, per form.md."""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_TAB_ALIGNMENT
from docx.shared import Emu, Pt

import form_layout
from docx_grid import body, covered_texts, read_grid
from form_layout import expected_cells, goal
from grid_cell import GridCell, as_rows, assert_same_cells
from pipeline.build.front import check_year
from pipeline.form.filled import FilledForm, Goal
from pipeline.render.docx_join import join_docx
from pipeline.render.docx import render_docx
from pipeline.render.zipfix import normalize_docx
from pipeline.variant import load_variant, twips
from word_checks import assert_rows_fill_the_grid, built_template, east_asia, grid_widths

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_DIR = ROOT / "templates" / "hubei-2023"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
A4 = (Emu(11906 * 635), Emu(16838 * 635))  # twips -> EMU


@pytest.fixture(scope="module")
def variant():
    return load_variant("hubei-2023")


@pytest.fixture(scope="module")
def seed_forms():
    result = check_year(ROOT / "data" / "2023")
    assert result.bundle is not None, [i.message for i in result.errors]
    return result.bundle.forms


@pytest.fixture(scope="module")
def seed_docx(seed_forms, variant):
    return render_docx(seed_forms, variant)


# ---------------------------------------------------------------- hand-built forms


SAMPLE = form_layout.Sample(
    checked=1,
    indicators=(
        ("产出指标", "数量指标", "网络建设全覆盖", "全市 26 个乡镇", "完成较好", "30", "28"),
        ("产出指标", "数量指标", "培训", "2 场", "2 场", "10", "10"),
        ("产出指标", "质量指标", "机制", "建立", "已建立", "10", "9"),
        ("效益指标", "社会效益指标", "满意", "提升", "提升", "10", "9"),
        ("满意度指标", "服务对象满意度指标", "满意度", "≥90%", "95%", "20", "20"),
    ),
    planned="60", spent="58", rate="96.67%", budget_score="19.33", grade="优", total_score="95.33",
    reason="目标完成较好，无偏差",
)


def make_form(variant, **kwargs) -> FilledForm:
    """form_layout.make_form with this module's sample (test_docx_soffice.py builds its forms here too)."""
    return form_layout.make_form(variant, SAMPLE, **kwargs)


def assert_table(actual: list[GridCell], form: FilledForm) -> None:
    assert_same_cells(actual, expected_cells(form), form.key)


# ---------------------------------------------------------------- the template


def test_template_is_what_the_build_script_writes():
    assert built_template(TEMPLATE_DIR) == (TEMPLATE_DIR / "form.docx").read_bytes(), \
        "form.docx is stale: run templates/hubei-2023/build_docx_template.py"


def test_template_opens_as_a_plain_document():
    d = docx.Document(TEMPLATE_DIR / "form.docx")
    assert len(d.tables) == 3  # the 项目清单 (first in a bundle), the head, a goal
    assert all(len(t.columns) == 8 for t in d.tables)


# ---------------------------------------------------------------- the seed bundle


def test_seed_bundle_every_cell_and_merge(seed_forms, seed_docx):
    tables = read_grid(seed_docx)
    assert len(tables) == len(seed_forms) == 11
    for table, form in zip(tables, seed_forms):
        assert_table(table, form)
    assert covered_texts(seed_docx) == []


def test_single_project_is_the_same_table(seed_forms, variant):
    for form in seed_forms:
        data = render_docx([form], variant)
        [table] = read_grid(data)
        assert_table(table, form)


def test_seed_bundle_page_text(seed_forms, seed_docx):
    d = docx.Document(io.BytesIO(seed_docx))
    texts = [p.text for p in d.paragraphs]
    labels = [p for p in d.paragraphs if p.text == "附件 2."]
    assert len(labels) == len(seed_forms)
    # Every form but the first starts on a new page.
    assert [bool(p.paragraph_format.page_break_before) for p in labels] == [False] + [True] * 10
    for form in seed_forms:
        i = texts.index("\n".join(form.title_lines))  # a long title in balanced lines
        assert "".join(form.title_lines).replace(" ", "") == form.title.replace(" ", "")
        assert texts[i - 1] == form.attachment_label
        assert texts[i + 1] == f"{form.unit_line}\t{form.date_line}"
    notes = [t for t in texts if t in form.footnotes or t == form.footnotes_title]
    assert notes == [form.footnotes_title, *form.footnotes] * len(seed_forms)
    # The footnotes follow each form's last table.
    b = body(seed_docx)
    for tbl in b.findall(W + "tbl"):
        following = tbl.getnext()
        if following.tag == W + "p" and "".join(following.itertext()) == form.footnotes_title:
            break
    else:
        pytest.fail("no table is followed by 备注")
    section = d.sections[-1]
    assert (section.page_width, section.page_height) == A4
    assert len(d.sections) == 1


def test_unit_and_date_on_one_line(seed_docx):
    d = docx.Document(io.BytesIO(seed_docx))
    p = next(p for p in d.paragraphs if p.text.startswith("单位名称"))
    stops = p.style.paragraph_format.tab_stops
    section = d.sections[0]
    text_width = section.page_width - section.left_margin - section.right_margin
    assert [(s.alignment, s.position) for s in stops] == [(WD_TAB_ALIGNMENT.RIGHT, text_width)]


def test_fonts_are_east_asian_fonts(seed_docx):
    d = docx.Document(io.BytesIO(seed_docx))
    p = {p.text: p for p in d.paragraphs}
    annex = p["附件 2."]
    assert (east_asia(annex.style), annex.style.font.size) == ("黑体", Pt(16))
    title = next(x for x in d.paragraphs if x.text.endswith("项目自评表"))
    assert (east_asia(title.style), title.style.font.size) == ("方正小标宋简体", Pt(22))
    unit = next(x for x in d.paragraphs if x.text.startswith("单位名称"))
    assert east_asia(unit.style) == "仿宋_GB2312"
    note = p["备注："]
    assert east_asia(note.style) == "仿宋_GB2312"
    for table in d.tables:
        for cell in table._tbl.iter(W + "p"):
            style = cell.find(f"{W}pPr/{W}pStyle").get(W + "val")
            assert style in ("TableText", "TableTextLeft")
            assert east_asia(d.styles.get_by_id(style, WD_STYLE_TYPE.PARAGRAPH)) == "仿宋_GB2312"
    assert d.styles["Table Text"].font.size == Pt(10.5)
    # No theme fonts in the defaults: in Word they would win over the styles' fonts.
    defaults = d.styles.element.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}rFonts")
    assert not [k for k in defaults.attrib if "Theme" in k or "theme" in k]


def test_checkbox_marks_in_their_own_symbol_font_runs(seed_docx):
    d = docx.Document(io.BytesIO(seed_docx))
    rfonts = d.styles["Check Mark"].element.find(f"{W}rPr/{W}rFonts")
    assert {rfonts.get(W + k) for k in ("ascii", "hAnsi", "eastAsia", "cs")} == {"Segoe UI Symbol"}
    marks = 0
    for r in body(seed_docx).iter(W + "r"):
        text = "".join(t.text or "" for t in r.iter(W + "t"))
        if "☑" in text or "☐" in text:
            assert text in ("☑", "☐")
            assert r.find(f"{W}rPr/{W}rStyle").get(W + "val") == "CheckMark"
            marks += 1
    assert marks == 11 * 8


def test_rows_never_split_and_goal_headers_repeat(seed_docx, seed_forms):
    b = body(seed_docx)
    for tr in b.iter(W + "tr"):
        assert tr.find(f"{W}trPr/{W}cantSplit") is not None
    tables = b.findall(W + "tbl")
    header_tables = 0
    for tbl in tables:
        rows = tbl.findall(W + "tr")
        flags = [tr.find(f"{W}trPr/{W}tblHeader") is not None for tr in rows]
        # Word repeats only header rows at the top of a table: a goal's header is its table's first row.
        assert not any(flags[1:])
        if flags[0]:
            header_tables += 1
            assert "".join(rows[0].itertext()).endswith("实际完成值 (B)")
    non_empty_goals = sum(1 for f in seed_forms for g in f.goals if not g.empty)
    assert header_tables == non_empty_goals


def test_six_columns_at_full_width(seed_docx, variant):
    text_width = twips(variant.page.text_width)  # form.yaml's page, as the PDF's: 178 mm
    assert text_width == 10091
    for tbl in body(seed_docx).findall(W + "tbl"):
        widths = grid_widths(tbl)
        assert len(widths) == 6
        assert sum(widths) == text_width
        assert min(widths) >= 700  # 一级/二级 labels must fit three characters a line
        assert_rows_fill_the_grid(tbl)


# ---------------------------------------------------------------- scoring


def test_scoring_adds_two_columns_and_the_total_row(variant):
    form = make_form(variant, scoring=True)
    data = render_docx([form], variant)
    [table] = read_grid(data)
    assert_table(table, form)
    tables = body(data).findall(W + "tbl")
    for tbl in tables:
        widths = grid_widths(tbl)
        assert len(widths) == 8 and sum(widths) == twips(variant.page.text_width)
        assert min(widths) >= 600
    rows = as_rows(table)
    total = next(r for r in rows if r[0].text == "总分")
    assert [(c.text, c.colspan) for c in total] == [("总分", 2), ("自评等级：优", 4), ("100", 1), ("95.33", 1)]
    assert rows[rows.index(total) + 1][0].text == form.labels["reason"]
    budget_head = next(r for r in rows if r[0].text.startswith("预算执行情况"))
    assert [c.text for c in budget_head[-2:]] == ["分值", "得分"]


def test_scoring_off_has_no_total_row(variant):
    form = make_form(variant)
    [table] = read_grid(render_docx([form], variant))
    assert_table(table, form)
    assert not [c for c in table if c.text in ("总分", "分值", "得分")]


def test_goal_with_one_row_and_two_empty_goals(variant):
    form = make_form(variant, goals=(
        goal("年度绩效目标 1", [("产出指标", "数量指标", "a", "b", "c")]),
        Goal("年度绩效目标 2", ()),
        Goal("年度绩效目标 3", ()),
    ))
    [table] = read_grid(render_docx([form], variant))
    assert_table(table, form)


# ---------------------------------------------------------------- hostile texts


HOSTILE = {
    "project_name": "公安&检察院",
    "department": "<script>alert(1)</script>",
    "implementer": "a < b > c \"q\" 'p' &amp; &#123;",
    "reason": "{{ 7*7 }} {% if x %}y{% endif %} {# c #} {_{ x }_} {_% y %_}",
    "measures": "长" * 2000,
}


def test_hostile_texts_print_literally(variant):
    form = make_form(variant, **HOSTILE)
    data = render_docx([form], variant)
    [table] = read_grid(data)
    assert_table(table, form)
    texts = {c.text for c in table}
    assert set(HOSTILE.values()) <= texts


def test_hostile_texts_in_loops_and_merged_cells(variant):
    rows = [("产出&指标", "{{ 7*7 }}", f"三级 {i} <b>", "目标\n值", "完成 & 好") for i in range(60)]
    form = make_form(variant, goals=(goal("年度绩效目标 1", rows), Goal("年度绩效目标 2", ())))
    data = render_docx([form], variant)
    [table] = read_grid(data)
    assert_table(table, form)
    assert [c for c in table if c.text == "产出&指标"][0].rowspan == 60


def test_line_breaks_are_kept_inside_one_paragraph(variant):
    form = make_form(variant, reason="1. 第一条\n2. 第二条\r\n3. 第三条", measures="单行")
    data = render_docx([form], variant)
    [table] = read_grid(data)
    assert [c.text for c in table if c.text.startswith("1.")] == ["1. 第一条\n2. 第二条\n3. 第三条"]
    cell = next(tc for tc in body(data).iter(W + "tc") if "第一条" in "".join(tc.itertext()))
    assert len(cell.findall(W + "p")) == 1
    assert len(list(cell.iter(W + "br"))) == 2


# ---------------------------------------------------------------- determinism


RENDER_SCRIPT = """
import hashlib, sys
from pathlib import Path
from pipeline.build.front import check_year
from pipeline.render.docx import render_docx
from pipeline.variant import load_variant
bundle = check_year(Path("data/2023")).bundle
data = render_docx(bundle.forms, load_variant(bundle.variant))
print(hashlib.sha256(data).hexdigest())
"""


@pytest.mark.slow
def test_byte_identical_in_two_processes(seed_docx):
    digests = {
        subprocess.run([sys.executable, "-c", RENDER_SCRIPT], cwd=ROOT, check=True, capture_output=True,
                       text=True).stdout.strip()
        for _ in range(2)
    }
    assert digests == {hashlib.sha256(seed_docx).hexdigest()}


def test_package_has_fixed_times_order_and_no_dates(seed_docx):
    with zipfile.ZipFile(io.BytesIO(seed_docx)) as z:
        infos = z.infolist()
        core = z.read("docProps/core.xml")
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert infos[0].filename == "[Content_Types].xml"
    assert b"dcterms:created" not in core and b"dcterms:modified" not in core
    assert normalize_docx(seed_docx) == seed_docx


def test_the_bundle_joined_from_the_tables_is_the_bundle_rendered_whole(seed_forms, seed_docx, variant):
    """What a build does (the tables rendered one by one, then spliced) gives the same file, byte for
    byte, as rendering every form at once."""
    assert join_docx([render_docx([form], variant) for form in seed_forms]) == seed_docx
