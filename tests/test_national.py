"""The national-2020 form (财预〔2020〕10号), read back the way a user would: the example department's
Word and PDF, every cell and merge per form-national-2020.md, the computed figures, and the
hubei-2023 outputs untouched by the second variant."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import sys
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Emu, Pt
from pypdf import PdfReader

from docx_grid import body, covered_texts, read_grid
from form_layout import level_cells
from grid_cell import GridCell, as_rows, assert_same_cells
from html_grid import read_html_grid
from pdf_text import chars_by_font, page_texts, squash
from pipeline.build.front import check_year
from pipeline.form.filled import FilledForm, Goal, IndicatorRow
from pipeline.render.docx import render_docx
from pipeline.render.html import render_html
from pipeline.render.pdf.render import render_bundle_pdf, render_form_pdf
from pipeline.variant import load_variant, twips
from word_checks import assert_rows_fill_the_grid, built_template, east_asia, grid_widths

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_DIR = ROOT / "templates" / "national-2020"
EXAMPLE = TEMPLATE_DIR / "example" / "2023"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
A4 = (Emu(11906 * 635), Emu(16838 * 635))  # twips -> EMU

# form-national-2020.md, as printed.
TITLE = "项目支出绩效自评表"
SUBTITLE = "（2023 年度）"
FUND_HEADERS = ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")
FUND_LABELS = ("年度资金总额", "其中：当年财政拨款", "上年结转资金", "其他资金")
INDICATOR_HEADERS = ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                     "偏差原因分析及改进措施")
NA = "—"
CENT = Decimal("0.01")


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def variant():
    return load_variant("national-2020")


@pytest.fixture(scope="module")
def bundle():
    result = check_year(EXAMPLE)
    assert result.bundle is not None, [i.message for i in result.errors]
    assert result.bundle.variant == "national-2020"
    return result.bundle


@pytest.fixture(scope="module")
def forms(bundle) -> tuple[FilledForm, ...]:
    return bundle.forms


@pytest.fixture(scope="module")
def bundle_docx(forms, variant) -> bytes:
    return render_docx(forms, variant)


@pytest.fixture(scope="module")
def table_pdfs(forms, variant) -> list[bytes]:
    return [render_form_pdf(f, variant) for f in forms]


@pytest.fixture(scope="module")
def bundle_pdf(bundle, variant, table_pdfs) -> bytes:
    return render_bundle_pdf(bundle, variant, table_pdfs)


# ---------------------------------------------------------------- the expected table, from the spec


def expected_cells(form: FilledForm, unit: str = "万元") -> list[GridCell]:
    """form-national-2020.md's table cell by cell: labels as the spec prints them, data from the
    form, merges of 一级/二级 from the texts (not from the form's span fields)."""
    cells: list[GridCell] = []
    r = 0

    def add(col: int, text: str, rowspan: int = 1, colspan: int = 1) -> None:
        cells.append(GridCell(r, col, text, rowspan, colspan))

    add(0, "项目名称")
    add(1, form.project_name, colspan=8)
    r += 1
    add(0, "主管部门")
    add(1, form.department, colspan=3)
    add(4, "实施单位")
    add(5, form.implementer, colspan=4)
    r += 1
    add(0, f"项目资金（{unit}）", rowspan=5)
    add(1, "", colspan=2)
    for col, text in enumerate(FUND_HEADERS, start=3):
        add(col, text)
    r += 1
    assert len(form.funds) == 4
    for i, (label, f) in enumerate(zip(FUND_LABELS, form.funds)):
        add(1, label, colspan=2)
        weight, rate, score = ("10", f.rate, f.score) if i == 0 else (NA, "", NA)
        for col, text in enumerate((f.initial, f.planned, f.spent, weight, rate, score), start=3):
            add(col, text)
        r += 1
    add(0, "年度总体目标", rowspan=2)
    add(1, "预期目标", colspan=4)
    add(5, "实际完成情况", colspan=4)
    r += 1
    add(1, form.overall_goal.expected, colspan=4)
    add(5, form.overall_goal.achieved, colspan=4)
    r += 1
    nrows = sum(len(g.rows) for g in form.goals)
    add(0, "绩效指标", rowspan=1 + nrows)
    for col, text in enumerate(INDICATOR_HEADERS, start=1):
        add(col, text)
    r += 1
    for g in form.goals:  # every goal's rows in the one block; merges stay inside a goal
        for row, starts in zip(g.rows, level_cells(g.rows)):
            for col, text, rowspan in starts:
                add(col, text, rowspan=rowspan)
            for col, text in enumerate((row.level3, row.target, row.actual, row.weight, row.score, row.remark),
                                       start=3):
                add(col, text)
            r += 1
    add(0, "总分", colspan=6)
    add(6, "100")
    add(7, form.total.score)
    add(8, "")
    return cells


def assert_table(actual: list[GridCell], form: FilledForm, unit: str = "万元") -> None:
    assert_same_cells(actual, expected_cells(form, unit), form.key)


def long_form(form: FilledForm, n: int) -> FilledForm:
    """The form with an indicator block longer than a page: n rows, then a second goal's row."""
    rows = tuple(
        IndicatorRow("产出指标", "数量指标" if i < 25 else "质量指标", f"三级指标{i:02d}", "目标\n第二行", "完成",
                     n if i == 0 else 0, 25 if i == 0 else (n - 25 if i == 25 else 0), "1", "1",
                     "原因" * (i % 5))
        for i in range(n)
    )
    second = (IndicatorRow("效益指标", "社会效益指标", "末项", "有效", "有效", 1, 1, "1", "1"),)
    return replace(form, goals=(Goal("年度绩效目标 1", rows), Goal("年度绩效目标 2", second)))


# ---------------------------------------------------------------- the template


def test_template_is_what_the_build_script_writes():
    assert built_template(TEMPLATE_DIR) == (TEMPLATE_DIR / "form.docx").read_bytes(), \
        "form.docx is stale: run templates/national-2020/build_docx_template.py"


def test_template_opens_as_a_plain_document():
    d = docx.Document(TEMPLATE_DIR / "form.docx")
    # The 项目清单 (8 columns, first in a bundle), then the form's two tables.
    assert len(d.tables) == 3
    assert len(d.tables[0].columns) == 8
    assert all(len(t.columns) == 9 for t in d.tables[1:])


# ---------------------------------------------------------------- the computed figures


def test_example_figures(forms):
    """The example department's figures, worked out by hand from its two project files."""
    a, b = forms
    assert [(f.label, f.initial, f.planned, f.spent, f.weight, f.rate, f.score) for f in a.funds] == [
        ("年度资金总额", "150", "162.5", "137.75", "10", "84.77%", "8.48"),
        ("其中：当年财政拨款", "150", "150", "125.25", NA, "", NA),
        ("上年结转资金", "0", "12.5", "12.5", NA, "", NA),
        ("其他资金", "0", "0", "0", NA, "", NA),
    ]
    assert [(f.label, f.initial, f.planned, f.spent, f.weight, f.rate, f.score) for f in b.funds] == [
        ("年度资金总额", "100", "100", "72.386", "10", "72.39%", "7.24"),
        ("其中：当年财政拨款", "80", "80", "52.386", NA, "", NA),
        ("上年结转资金", "20", "20", "20", NA, "", NA),
        ("其他资金", "0", "0", "0", NA, "", NA),
    ]
    # 总分 = 预算执行得分 + Σ 得分: 8.48 + 87 and 7.24 + 80.
    assert [(f.total.weight, f.total.score, f.total.grade) for f in forms] == [
        ("100", "95.48", "优"), ("100", "87.24", "良")]


@pytest.mark.slow
def test_printed_figures_add_up(bundle_docx):
    """Read back from the Word table: 年度资金总额 is the column sums of the three sources,
    执行率 = 全年执行数 ÷ 全年预算数, 得分 = 10 × 执行率, 总分 = that + the indicators' 得分."""
    for table in read_grid(bundle_docx):
        rows = as_rows(table)
        funds = [[c.text for c in row if c.col >= 3] for row in rows[3:7]]
        for col in range(3):
            assert Decimal(funds[0][col]) == sum(Decimal(row[col]) for row in funds[1:])
        initial, planned, spent, weight, rate, score = funds[0]
        assert rate == f"{(Decimal(spent) * 100 / Decimal(planned)).quantize(CENT, ROUND_HALF_UP)}%"
        assert Decimal(score) == (Decimal(weight) * min(Decimal(rate[:-1]), Decimal(100)) / 100).quantize(
            CENT, ROUND_HALF_UP)
        indicator_scores = [c.text for row in rows[10:-1] for c in row if c.col == 7]
        total = rows[-1]
        assert total[0].text == "总分"
        assert Decimal(total[2].text) == Decimal(score) + sum(map(Decimal, indicator_scores))
        weights = [c.text for row in rows[10:-1] for c in row if c.col == 6]
        assert Decimal(weight) + sum(map(Decimal, weights)) == Decimal(total[1].text) == 100


# ---------------------------------------------------------------- Word


@pytest.mark.slow
def test_word_every_cell_and_merge(forms, bundle_docx):
    tables = read_grid(bundle_docx)
    assert len(tables) == len(forms) == 2
    for table, form in zip(tables, forms):
        assert_table(table, form)
    assert covered_texts(bundle_docx) == []


def test_word_single_project_is_the_same_table(forms, variant):
    for form in forms:
        [table] = read_grid(render_docx([form], variant))
        assert_table(table, form)


@pytest.mark.slow
def test_word_page_text_and_layout(forms, bundle_docx):
    d = docx.Document(io.BytesIO(bundle_docx))
    texts = [p.text for p in d.paragraphs if p.text]
    # Above each table only the title and the year line: no 附件 label, unit/date line or notes.
    assert texts == [TITLE, SUBTITLE] * len(forms)
    titles = [p for p in d.paragraphs if p.text == TITLE]
    assert [bool(p.paragraph_format.page_break_before) for p in titles] == [False, True]
    for p in d.paragraphs:
        if p.text:
            assert p.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    section = d.sections[-1]
    assert (section.page_width, section.page_height) == A4
    assert len(d.sections) == 1


@pytest.mark.slow
def test_word_fonts_are_east_asian_fonts(bundle_docx):
    d = docx.Document(io.BytesIO(bundle_docx))
    title = next(p for p in d.paragraphs if p.text == TITLE)
    assert (east_asia(title.style), title.style.font.size) == ("方正小标宋简体", Pt(22))
    subtitle = next(p for p in d.paragraphs if p.text == SUBTITLE)
    assert east_asia(subtitle.style) == "仿宋_GB2312"
    for tbl in body(bundle_docx).iter(W + "tbl"):
        for p in tbl.iter(W + "p"):
            style = d.styles.get_by_id(p.find(f"{W}pPr/{W}pStyle").get(W + "val"), WD_STYLE_TYPE.PARAGRAPH)
            assert style.name in ("Table Text", "Table Text Left")
            assert east_asia(style) == "仿宋_GB2312"
    assert d.styles["Table Text"].font.size == Pt(10.5)
    defaults = d.styles.element.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}rFonts")
    assert not [k for k in defaults.attrib if "heme" in k]


@pytest.mark.slow
def test_word_rows_never_split_and_the_indicator_header_repeats(forms, bundle_docx):
    b = body(bundle_docx)
    for tr in b.iter(W + "tr"):
        assert tr.find(f"{W}trPr/{W}cantSplit") is not None
    headers = []
    for tbl in b.findall(W + "tbl"):
        rows = tbl.findall(W + "tr")
        flags = [tr.find(f"{W}trPr/{W}tblHeader") is not None for tr in rows]
        # Word repeats only header rows at the top of a table.
        assert not any(flags[1:])
        if flags[0]:
            headers.append("".join(rows[0].itertext()))
    assert headers == ["绩效指标" + "".join(INDICATOR_HEADERS)] * len(forms)


@pytest.mark.slow
def test_word_nine_columns_at_full_width(bundle_docx):
    for tbl in body(bundle_docx).findall(W + "tbl"):
        widths = grid_widths(tbl)
        assert len(widths) == 9 and sum(widths) == twips(load_variant("national-2020").page.text_width)
        assert min(widths) >= 534  # two characters of 五号 and the cell margins
        assert_rows_fill_the_grid(tbl)


@pytest.mark.slow
def test_word_line_breaks_kept_inside_one_paragraph(forms, bundle_docx):
    expected = forms[0].overall_goal.expected
    assert "\n" in expected
    cell = next(tc for tc in body(bundle_docx).iter(W + "tc") if "三大平台。" in "".join(tc.itertext()))
    assert len(cell.findall(W + "p")) == 1
    assert len(list(cell.iter(W + "br"))) == expected.count("\n")


def test_word_long_indicator_block_stays_one_merged_block(forms, variant):
    form = long_form(forms[0], 40)
    data = render_docx([form], variant)
    [table] = read_grid(data)
    assert_table(table, form)
    label = next(c for c in table if c.text == "绩效指标")
    assert label.rowspan == 1 + 41


# ---------------------------------------------------------------- HTML and PDF


@pytest.mark.slow
def test_html_every_cell_and_merge(forms, variant):
    grids = read_html_grid(render_html(forms, variant))
    assert grids == [expected_cells(f) for f in forms]


@pytest.mark.slow
def test_html_and_word_place_the_same_cells(forms, variant):
    long = long_form(forms[1], 30)
    for group in (list(forms), [long]):
        assert read_html_grid(render_html(group, variant)) == read_grid(render_docx(group, variant))


def test_texts_print_literally(forms, variant):
    form = replace(forms[0], project_name="{{ 7*7 }} & <b>", implementer="{% if x %}y{% endif %}")
    html = render_html([form], variant)
    assert "<b>" not in html
    [h] = read_html_grid(html)
    [w] = read_grid(render_docx([form], variant))
    assert h == w == expected_cells(form)


@pytest.mark.slow
def test_pdf_every_cell_on_its_page(forms, table_pdfs):
    for form, pdf in zip(forms, table_pdfs):
        [page] = page_texts(pdf)  # each example table fits on one page
        text = squash(page)
        assert text.startswith(squash(TITLE + SUBTITLE))
        missing = [c.text for c in expected_cells(form) if squash(c.text) not in text]
        assert not missing, (form.key, missing)


@pytest.mark.slow
def test_pdf_keeps_the_overall_goal_line_breaks(forms, table_pdfs):
    lines = [squash(line) for line in page_texts(table_pdfs[0])[0].splitlines()]
    for part in forms[0].overall_goal.expected.split("\n") + forms[0].overall_goal.achieved.split("\n"):
        assert any(line.startswith(squash(part)[:8]) for line in lines), part


@pytest.mark.slow
def test_pdf_bundle(bundle, forms, bundle_pdf):
    reader = PdfReader(io.BytesIO(bundle_pdf))
    pages = page_texts(bundle_pdf)
    assert len(pages) == len(forms)
    for n, (page, text, form) in enumerate(zip(reader.pages, pages, forms), start=1):
        assert (round(float(page.mediabox.width), 1), round(float(page.mediabox.height), 1)) == (595.3, 841.9)
        assert squash(text).startswith(squash(TITLE + SUBTITLE + "项目名称" + form.project_name))
        assert text.rstrip().endswith(f"— {n} —")
    assert [reader.get_destination_page_number(o) for o in reader.outline] == [0, 1]
    # The form's title does not name the project, so the bookmarks do.
    assert [o.title for o in reader.outline] == ["01 公共法律服务体系建设经费", "02 社区矫正信息化建设经费"]
    assert reader.metadata.title == bundle.title


@pytest.mark.slow
def test_pdf_fonts(forms, bundle_pdf):
    """The title in the heading font (Noto Sans CJK), every table text in the text font (Noto Serif CJK)."""
    by_font = chars_by_font(bundle_pdf)
    assert set(TITLE) <= by_font.pop("Noto-Sans-CJK-SC")
    table_chars = {ch for f in forms for c in expected_cells(f) for ch in c.text if not ch.isspace()}
    assert table_chars <= by_font.pop("Noto-Serif-CJK-SC")
    assert set(by_font) <= {"DejaVuSans"}  # the page numbers' dashes, if any


def test_pdf_long_indicator_block_repeats_its_header(forms, variant):
    n = 40
    pages = [squash(t) for t in page_texts(render_form_pdf(long_form(forms[0], n), variant))]
    assert len(pages) > 1
    header = squash("".join(INDICATOR_HEADERS))
    for text in pages[1:]:
        assert text.startswith(header), text[:60]
    # Every row whole on one page: its two-line target never parts from it.
    assert sum(t.count("三级指标") - 1 for t in pages) == n  # "三级指标" also heads each page
    for text in pages:
        assert text.count("目标第二行") == text.count("三级指标") - 1
    assert "总分" in pages[-1]


def test_money_unit_yuan(tmp_path, variant):
    shutil.copytree(EXAMPLE, tmp_path / "2023")
    dept = tmp_path / "2023" / "department.yaml"
    dept.write_text(dept.read_text(encoding="utf-8").replace("金额单位: 万元", "金额单位: 元"), encoding="utf-8")
    result = check_year(tmp_path / "2023")
    assert result.bundle is not None, [i.message for i in result.errors]
    form = result.bundle.forms[0]
    [w] = read_grid(render_docx([form], variant))
    [h] = read_html_grid(render_html([form], variant))
    assert w == h == expected_cells(form, unit="元")
    assert as_rows(w)[2][0].text == "项目资金（元）"


# ---------------------------------------------------------------- the hubei-2023 variant untouched


def test_variants_are_separate_folders(variant):
    hubei = load_variant("hubei-2023")
    ours = [p.relative_to(TEMPLATE_DIR).as_posix() for p in variant.template_files()]
    assert ours == ["build_docx_template.py", "form.css", "form.docx", "form.html.j2", "form.yaml", "report.yaml"]
    assert all(p.is_relative_to(hubei.dir) for p in hubei.template_files())
    assert not any(p.is_relative_to(TEMPLATE_DIR) for p in hubei.template_files())


# A fresh process renders the national example (Word, HTML, PDF) recording every file Python opens,
# then the department's hubei-2023 bundle, whose digests must equal those of a render in this process.
ISOLATION_SCRIPT = r"""
import hashlib, json, sys
from pathlib import Path
opened = []
recording = True
def hook(event, args):
    if recording and event == "open" and isinstance(args[0], (str, bytes, Path)):
        opened.append(str(Path(args[0] if not isinstance(args[0], bytes) else args[0].decode()).resolve()))
sys.addaudithook(hook)
from pipeline.build.front import check_year
from pipeline.render.docx import render_docx
from pipeline.render.html import render_html
from pipeline.render.pdf.render import render_bundle_pdf, render_form_pdf
from pipeline.variant import load_variant
national = check_year(Path(sys.argv[1])).bundle
v = load_variant(national.variant)
render_docx(national.forms, v)
render_html(national.forms, v)
render_bundle_pdf(national, v)
recording = False
hubei = check_year(Path("data/2023")).bundle
h = load_variant(hubei.variant)
digests = [hashlib.sha256(render_docx(hubei.forms, h)).hexdigest(),
           hashlib.sha256(render_form_pdf(hubei.forms[0], h)).hexdigest()]
print(json.dumps({"opened": opened, "digests": digests}))
"""


@pytest.mark.slow
def test_national_renders_without_hubei_files_and_hubei_output_is_unchanged():
    proc = subprocess.run([sys.executable, "-c", ISOLATION_SCRIPT, str(EXAMPLE)], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    hubei_dir = str((ROOT / "templates" / "hubei-2023").resolve())
    opened = out["opened"]
    assert str((TEMPLATE_DIR / "form.docx").resolve()) in opened  # the hook saw the renderers' reads
    assert str((TEMPLATE_DIR / "form.css").resolve()) in opened
    assert [p for p in opened if p.startswith(hubei_dir + "/")] == []

    hubei = check_year(ROOT / "data" / "2023").bundle
    h = load_variant(hubei.variant)
    assert out["digests"] == [hashlib.sha256(render_docx(hubei.forms, h)).hexdigest(),
                              hashlib.sha256(render_form_pdf(hubei.forms[0], h)).hexdigest()]


# ---------------------------------------------------------------- another word processor


@pytest.mark.slow
@pytest.mark.soffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_prints_one_table_a_page(forms, bundle_docx, tmp_path):
    from test_docx_soffice import to_pdf

    pages = [squash(p.extract_text()) for p in to_pdf(bundle_docx, tmp_path, "national").pages]
    assert len(pages) == len(forms)
    for text, form in zip(pages, forms):
        assert text.startswith(squash(TITLE + SUBTITLE))
        missing = [c.text for c in expected_cells(form) if squash(c.text) not in text]
        assert not missing, (form.key, missing)
