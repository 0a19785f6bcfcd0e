"""The PDF output, read back the way a user would: every cell on its page, the outline, the page
numbers, the fonts, the metadata; and the HTML's cells and merges, per form.md."""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

import form_layout
from form_layout import expected_cells, goal
from grid_cell import GridCell
from html_grid import read_html_grid
from pdf_text import page_texts, squash
from pipeline.build.front import check_year
from pipeline.form.filled import FilledBundle, FilledForm, Goal
from pipeline.render.html import render_html
from pipeline.render.pdf import internals
from pipeline.render.pdf.render import render_bundle_pdf, render_form_pdf
from pipeline.variant import load_variant

ROOT = Path(__file__).resolve().parent.parent
A4 = (595.28, 841.89)  # pt


# ---------------------------------------------------------------- forms


SAMPLE = form_layout.Sample(
    checked=2,
    indicators=(
        ("产出指标", "数量指标", "调解各类民事纠纷", "不少于 1500 起", "已完成", "30", "28"),
        ("产出指标", "数量指标", "法律援助案件", "结案率 80%", "80%", "10", "10"),
        ("产出指标", "质量指标", "群体性事件", "有效预防", "90%", "10", "9"),
        ("效益指标", "社会效益指标", "赴省进京上访", "杜绝", "已完成", "10", "9"),
        ("满意度指标", "服务对象满意度指标", "群众满意度", "≥90%", "95%", "20", "20"),
    ),
    planned="97.621", spent="56.05", rate="57.42%", budget_score="11.48", grade="良", total_score="87.48",
    reason="1. 经费下拨时间短。\n2. 上报不及时。",
)


def make_form(variant, **kwargs) -> FilledForm:
    """form_layout.make_form with this module's sample (test_fonts.py builds its forms here too)."""
    return form_layout.make_form(variant, SAMPLE, **kwargs)


def long_goal(n: int) -> Goal:
    """A goal longer than a page: n rows in runs of 一级 (7) and 二级 (3)."""
    return goal("年度绩效目标 1", [
        (f"一级{i // 7}", f"二级{i // 3}", f"第 {i} 项三级指标，说明文字较长需要换行显示",
         f"目标值{i}", f"完成值{i}")
        for i in range(n)
    ])


# ---------------------------------------------------------------- reading PDFs


def outline(pdf: bytes) -> list[tuple[str, int]]:
    reader = PdfReader(io.BytesIO(pdf))
    return [(item.title, reader.get_destination_page_number(item)) for item in reader.outline]


def fonts_of(pdf: bytes) -> list[dict]:
    """Every font dictionary the pages use (Type0 fonts: their descendant's descriptor)."""
    out = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            if font["/Subtype"] == "/Type0":
                font = font["/DescendantFonts"][0].get_object()
            out.append(font)
    return out


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def variant():
    return load_variant("hubei-2023")


@pytest.fixture(scope="module")
def seed_bundle() -> FilledBundle:
    result = check_year(ROOT / "data" / "2023")
    assert result.bundle is not None, [i.message for i in result.errors]
    return result.bundle


@pytest.fixture(scope="module")
def seed_table_pdfs(seed_bundle, variant) -> list[bytes]:
    return [render_form_pdf(form, variant) for form in seed_bundle.forms]


@pytest.fixture(scope="module")
def seed_pdf(seed_bundle, variant, seed_table_pdfs) -> bytes:
    return render_bundle_pdf(seed_bundle, variant, seed_table_pdfs)


@pytest.fixture(scope="module")
def seed_pages(seed_pdf) -> list[str]:
    return page_texts(seed_pdf)


@pytest.fixture(scope="module")
def scored_form(variant) -> FilledForm:
    return make_form(variant, scoring=True)


@pytest.fixture(scope="module")
def scored_pdf(scored_form, variant) -> bytes:
    return render_form_pdf(scored_form, variant)


@pytest.fixture(scope="module")
def long_form(variant) -> FilledForm:
    return make_form(variant, goals=(long_goal(60), goal("年度绩效目标 2", [
        ("产出指标", "数量指标", "末项", "1", "1")])))


@pytest.fixture(scope="module")
def long_pdf(long_form, variant) -> bytes:
    return render_form_pdf(long_form, variant)


# ---------------------------------------------------------------- cells and merges (HTML)


def test_seed_tables_have_form_md_cells_and_merges(seed_bundle, variant):
    grids = read_html_grid(render_html(seed_bundle.forms, variant))
    assert len(grids) == len(seed_bundle.forms)
    for form, grid in zip(seed_bundle.forms, grids):
        assert grid == expected_cells(form), form.key


def test_scored_table_has_eight_columns_and_the_total_row(scored_form, variant):
    (grid,) = read_html_grid(render_html([scored_form], variant))
    assert grid == expected_cells(scored_form)
    total = [c for c in grid if c.text == "总分"]
    assert total and total[0].colspan == 2
    assert GridCell(total[0].row, 2, "自评等级：良", 1, 4) in grid
    assert max(c.col + c.colspan for c in grid) == 8


def test_html_and_word_place_the_same_cells(seed_bundle, scored_form, variant):
    from docx_grid import read_grid
    from pipeline.render.docx import render_docx

    forms = [*seed_bundle.forms, scored_form]
    assert read_html_grid(render_html(forms, variant)) == read_grid(render_docx(forms, variant))


def test_template_text_prints_literally(variant):
    form = make_form(variant, project_name="{{ 7*7 }}", reason="A & B <script>alert(1)</script>",
                     measures="{% if x %}y{% endif %}")
    html = render_html([form], variant)
    assert "<script>" not in html and "&lt;script&gt;" in html
    (grid,) = read_html_grid(html)
    texts = [c.text for c in grid]
    assert "{{ 7*7 }}" in texts and "A & B <script>alert(1)</script>" in texts
    assert "{% if x %}y{% endif %}" in texts
    text = squash("".join(page_texts(render_form_pdf(form, variant))))
    assert "{{7*7}}" in text and "49" not in text
    assert squash("A & B <script>alert(1)</script>") in text


# ---------------------------------------------------------------- the PDF


def table_page_ranges(pdf: bytes, count: int) -> list[range]:
    starts = [page for _, page in outline(pdf)]
    total = len(PdfReader(io.BytesIO(pdf)).pages)
    assert len(starts) == count
    return [range(a, b) for a, b in zip(starts, [*starts[1:], total])]


@pytest.mark.slow
def test_every_cell_of_every_table_is_on_its_pages(seed_bundle, seed_pdf, seed_pages):
    for form, pages in zip(seed_bundle.forms, table_page_ranges(seed_pdf, len(seed_bundle.forms))):
        text = squash("".join(seed_pages[i] for i in pages))
        expected = [c.text for c in expected_cells(form)]
        expected += [form.attachment_label, form.title, form.unit_line, form.date_line,
                     form.footnotes_title, *form.footnotes]
        missing = [t for t in expected if squash(t) not in text]
        assert not missing, (form.key, missing)


@pytest.mark.slow
def test_table_pdfs_hold_their_own_table(seed_bundle, seed_table_pdfs):
    for form, pdf in zip(seed_bundle.forms, seed_table_pdfs):
        text = squash("".join(page_texts(pdf)))
        assert squash(form.title) in text and squash(form.reason) in text
        assert "—1—" not in text  # page numbers belong to the bundle
        meta = PdfReader(io.BytesIO(pdf)).metadata
        assert (meta.title, meta.author) == (form.title, "中共鄂州市委政法委员会")


@pytest.mark.slow
def test_outline_has_one_entry_per_table_in_bundle_order(seed_bundle, seed_pdf, seed_pages):
    entries = outline(seed_pdf)
    assert [title for title, _ in entries] == [f.title for f in seed_bundle.forms]
    pages = [page for _, page in entries]
    assert pages == sorted(set(pages)) and pages[0] == 0
    for title, page in entries:
        assert squash(seed_pages[page]).startswith(squash("附件 2." + title))


@pytest.mark.slow
def test_every_page_is_a4_and_numbered_at_its_foot(seed_pdf, seed_pages):
    reader = PdfReader(io.BytesIO(seed_pdf))
    for n, (page, text) in enumerate(zip(reader.pages, seed_pages), start=1):
        assert (round(float(page.mediabox.width), 1), round(float(page.mediabox.height), 1)) == (595.3, 841.9)
        assert text.rstrip().endswith(f"— {n} —"), (n, text[-40:])
        shown = []  # (text, size in pt, x, y) of each text run
        page.extract_text(visitor_text=lambda t, cm, tm, font, size: shown.append(
            (t, round(size * tm[0] * cm[0], 2), tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5])))
        number = [s for s in shown if s[0] == f"— {n} —"]
        assert len(number) == 1, shown[-3:]
        _, size, x, y = number[0]
        assert size == 10.5  # as the table text
        assert 0 < y < 56 and 260 < x < 300  # in the bottom margin, centred (its start left of the middle)


@pytest.mark.slow
def test_bundle_metadata(seed_bundle, seed_pdf):
    reader = PdfReader(io.BytesIO(seed_pdf))
    meta = reader.metadata
    assert meta.title == seed_bundle.title
    assert meta.author == seed_bundle.unit
    assert reader.trailer["/Root"]["/Lang"] == "zh-CN"
    assert "/CreationDate" not in meta and "/ModDate" not in meta
    assert len(reader.trailer["/ID"][0]) == 16


@pytest.mark.slow
def test_every_font_is_embedded(seed_pdf, scored_pdf):
    for pdf in (seed_pdf, scored_pdf):
        fonts = fonts_of(pdf)
        assert fonts
        for font in fonts:
            descriptor = font["/FontDescriptor"].get_object()
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font["/BaseFont"]


@pytest.mark.slow
def test_bundle_carries_one_copy_of_each_font(seed_pdf, seed_table_pdfs):
    programs = {}
    for font in fonts_of(seed_pdf):
        descriptor = font["/FontDescriptor"].get_object()
        key = next(k for k in ("/FontFile2", "/FontFile3") if k in descriptor)
        programs.setdefault(str(font["/BaseFont"]), set()).add(descriptor.raw_get(key).idnum)
    assert programs and all(len(ids) == 1 for ids in programs.values()), programs
    assert len(seed_pdf) < sum(map(len, seed_table_pdfs)) / 3


def font_programs_by_page(pdf: bytes) -> list[set[int]]:
    """For each page, the object numbers of the font programs its fonts use."""
    out = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        ids = set()
        for ref in page["/Resources"]["/Font"].values():
            descriptor = ref.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            ids |= {descriptor.raw_get(k).idnum for k in ("/FontFile2", "/FontFile3") if k in descriptor}
        out.append(ids)
    return out


@pytest.mark.slow
def test_a_table_made_with_other_fonts_keeps_its_own(seed_bundle, variant, seed_table_pdfs):
    # A table PDF left from before a font upgrade: its glyph ids belong to the old fonts.
    writer = PdfWriter(clone_from=io.BytesIO(seed_table_pdfs[0]))
    writer.add_metadata({"/AnnexFonts": "fonts-before-an-upgrade"})
    old = io.BytesIO()
    writer.write(old)
    pdf = render_bundle_pdf(seed_bundle, variant, [old.getvalue(), *seed_table_pdfs[1:]])
    programs = font_programs_by_page(pdf)
    first, rest = programs[0], set().union(*programs[1:])
    assert len(first - rest) >= 2  # its own text and heading font subsets
    assert len(first & rest) == 1  # only the page numbers' font is shared
    assert squash(seed_bundle.forms[0].reason) in squash(page_texts(pdf)[0])


@pytest.mark.slow
def test_line_breaks_in_a_text_are_kept(seed_bundle, seed_pages):
    # Table 02's 三级指标 is "1. 省级调研评价。…推介。\n2. 市领导评价。"
    lines = [line.strip() for page in seed_pages for line in page.split("\n")]
    assert any(line.startswith("2. 市领导评价。") for line in lines)


def test_scored_table_prints_weights_scores_and_total(scored_form, scored_pdf):
    text = squash("".join(page_texts(scored_pdf)))
    for c in expected_cells(scored_form):
        assert squash(c.text) in text, c
    assert squash("预算执行情况 (万元) (20 分)") in text and squash("年度绩效目标 1 (80 分)") in text


def test_a_long_goal_breaks_between_rows_and_repeats_its_header(long_form, long_pdf):
    pages = page_texts(long_pdf)
    assert len(pages) >= 3
    header = squash("一级指标二级指标三级指标年初目标值 (A)实际完成值 (B)")
    # The goal starts on page 1 and runs to the last page: each page of it shows the header.
    for text in pages[:-1]:
        assert header in squash(text)
    # No row is cut: each row's texts are on one page, and every row is somewhere.
    for row in long_form.goals[0].rows:
        assert sum(squash(row.level3 + row.target + row.actual) in squash(p) for p in pages) == 1, row.level3


@pytest.mark.slow
def test_identical_bytes_across_processes(seed_pdf, seed_table_pdfs):
    script = (
        "import hashlib, sys\n"
        "from pathlib import Path\n"
        "from pipeline.build.front import check_year\n"
        "from pipeline.variant import load_variant\n"
        "from pipeline.render.pdf.render import render_bundle_pdf, render_form_pdf\n"
        "b = check_year(Path('data/2023')).bundle\n"
        "v = load_variant('hubei-2023')\n"
        "t = [render_form_pdf(f, v) for f in b.forms]\n"
        "print(*(hashlib.sha256(x).hexdigest() for x in [*t, render_bundle_pdf(b, v, t)]))\n"
    )
    runs = [subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True)
            for _ in range(2)]
    outs = [run.communicate(timeout=300)[0].split() for run in runs]
    here = [hashlib.sha256(x).hexdigest() for x in [*seed_table_pdfs, seed_pdf]]
    assert outs[0] == outs[1] == here


@pytest.mark.slow
def test_each_seed_table_fits_on_one_page_as_published(seed_bundle, seed_pages):
    # The department's printed bundle has one table a page; so does the Word output (test_docx_soffice).
    assert len(seed_pages) == len(seed_bundle.forms) == 11
    for page, form in zip(seed_pages, seed_bundle.forms):
        assert squash(form.footnotes[-1]) in squash(page)


def test_weasyprint_and_pydyf_are_the_versions_internals_was_written_for():
    """render/pdf/internals.py relies on how these work inside: an upgrade must go through it first."""
    import pydyf
    import weasyprint

    assert weasyprint.__version__.startswith(internals.WEASYPRINT_VERSION)
    assert pydyf.__version__.startswith(internals.PYDYF_VERSION)
