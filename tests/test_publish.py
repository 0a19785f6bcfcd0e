"""The published bundle: the 项目清单 and its totals, page settings shared by Word and PDF, page
numbers in Word, and the workbook. Totals are worked out here from the data files themselves."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import zipfile
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import docx
import openpyxl
import pytest
import yaml
from pypdf import PdfReader

from docx_grid import read_grid

from pipeline.build.front import check_year
from pipeline.form.summary import build_summary
from pipeline.render.docx import render_docx
from pipeline.render.pdf.render import render_bundle_pdf
from pipeline.render.xlsx import render_summary_xlsx
from pipeline.variant import TEMPLATES_DIR, load_variant, twips

ROOT = Path(__file__).resolve().parent.parent
YEARS = {
    "seed": ROOT / "data" / "2023",
    "hubei-example": TEMPLATES_DIR / "hubei-2023" / "example" / "2023",
    "national-example": TEMPLATES_DIR / "national-2020" / "example" / "2023",
}
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def figures_from_data(year_dir: Path) -> list[tuple[str, Decimal, Decimal]]:
    """(项目名称, 预算数, 执行数) per project file, read as text (BaseLoader: no floats), in file order."""
    out = []
    for path in sorted((year_dir / "projects").glob("*.yaml")):
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
        if "项目资金" in raw:  # national-2020: the sum over the sources
            planned = sum((Decimal(s["全年预算数"]) for s in raw["项目资金"].values()), Decimal(0))
            spent = sum((Decimal(s["全年执行数"]) for s in raw["项目资金"].values()), Decimal(0))
        else:
            planned, spent = Decimal(raw["预算数"]), Decimal(raw["执行数"])
        out.append((raw["项目名称"], planned, spent))
    return out


def percent(spent: Decimal, planned: Decimal) -> str:
    return f"{(spent * 100 / planned).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%"


@pytest.fixture(scope="module", params=list(YEARS))
def year(request):
    bundle = check_year(YEARS[request.param]).bundle
    variant = load_variant(bundle.variant)
    return request.param, bundle, variant, build_summary(bundle, variant)


# ---------------------------------------------------------------- the 项目清单


def test_summary_rows_and_totals_match_the_data(year):
    name, bundle, variant, summary = year
    data = figures_from_data(YEARS[name])
    assert [(r.name, Decimal(r.planned), Decimal(r.spent)) for r in summary.rows] == data
    planned = sum((p for _, p, _ in data), Decimal(0))
    spent = sum((s for _, _, s in data), Decimal(0))
    assert Decimal(summary.total.planned) == planned and Decimal(summary.total.spent) == spent
    assert summary.total.rate == percent(spent, planned)  # ΣB / ΣA
    assert [r.rate for r in summary.rows] == [percent(s, p) for _, p, s in data]
    assert [r.number for r in summary.rows] == [str(n) for n in range(1, len(data) + 1)]
    assert summary.money_line == "金额单位：万元"


def test_overall_rate_is_not_the_average_of_the_rates():
    summary = build_summary(check_year(YEARS["seed"]).bundle, load_variant("hubei-2023"))
    assert summary.total.rate == "66.58%"  # 1344.9098 / 2020
    average = sum(Decimal(r.rate.rstrip("%")) for r in summary.rows) / len(summary.rows)
    assert abs(average - Decimal("66.58")) > 5


def test_summary_scores_and_grades_with_scoring(year):
    name, bundle, variant, summary = year
    if not any(f.total for f in bundle.forms):
        assert not summary.scoring and len(summary.headers) == 6
        return
    assert summary.headers[-2:] == ("得分", "等级")
    assert [(r.score, r.grade) for r in summary.rows] == [(f.total.score, f.total.grade) for f in bundle.forms]


def test_summary_texts_are_the_variants_data(tmp_path):
    """Title, labels and whether the list appears are form.yaml's, not code."""
    shutil.copytree(TEMPLATES_DIR / "hubei-2023", tmp_path / "hubei-2023", ignore=shutil.ignore_patterns("example"))
    form_yaml = tmp_path / "hubei-2023" / "form.yaml"
    text = form_yaml.read_text(encoding="utf-8")
    form_yaml.write_text(text.replace("title: \"{year} 年度项目支出绩效自评项目清单\"", "title: \"{year} 年项目汇总\"")
                         .replace("    total: 合计", "    total: 总计"), encoding="utf-8")
    bundle = check_year(YEARS["seed"]).bundle
    variant = load_variant("hubei-2023", tmp_path)
    summary = build_summary(bundle, variant)
    assert summary.title == "2023 年项目汇总" and summary.total.name == "总计"
    form_yaml.write_text(text.replace("  enabled: true", "  enabled: false"), encoding="utf-8")
    assert build_summary(bundle, load_variant("hubei-2023", tmp_path)) is None


# ---------------------------------------------------------------- the bundles open with it


def test_pdf_bundle_opens_with_the_summary_and_its_bookmark(year):
    name, bundle, variant, summary = year
    reader = PdfReader(io.BytesIO(render_bundle_pdf(bundle, variant, summary=summary)))
    assert len(reader.pages) == 1 + len(bundle.forms)  # each example table fits on its page
    first = squeeze(reader.pages[0].extract_text())
    assert first.startswith(squeeze(summary.title + summary.unit_line + summary.money_line + "".join(summary.headers)))
    for r in summary.rows:
        assert squeeze(r.number + r.name) in first or squeeze(r.name) in first
        assert squeeze(r.planned + r.spent + r.rate) in first
    total = summary.total
    assert squeeze(total.name + total.planned + total.spent + total.rate) in first
    assert first.endswith("—1—")
    assert squeeze(reader.pages[1].extract_text()).endswith("—2—")
    outline = [(o.title, reader.get_destination_page_number(o)) for o in reader.outline]
    assert outline[0] == (summary.outline_title, 0)
    assert outline[1:] == [(f.outline_title, n) for n, f in enumerate(bundle.forms, start=1)]


def test_word_bundle_opens_with_the_summary_table(year):
    name, bundle, variant, summary = year
    d = docx.Document(io.BytesIO(render_docx(bundle.forms, variant, summary)))
    rows = [[c.text for c in r.cells] for r in d.tables[0].rows]
    width = len(summary.headers)
    assert rows[0] == list(summary.headers)
    body = [[r.number, r.name, r.implementer, r.planned, r.spent, r.rate, r.score, r.grade][:width] for r in summary.rows]
    assert rows[1:-1] == body
    t = summary.total
    assert rows[-1] == [t.name] * 3 + [t.planned, t.spent, t.rate] + [""] * (width - 6)
    paragraphs = [p for p in d.paragraphs if p.text]
    assert paragraphs[0].text == summary.title and paragraphs[0].style.name == "Summary Title"
    # The title is a level-1 heading: Word's navigation pane and a PDF saved from Word list it first.
    assert d.styles["Summary Title"].element.find(f"{W}pPr/{W}outlineLvl").get(f"{W}val") == "0"
    # The first form starts on a new page.
    breaks = d.element.body.findall(f".//{W}pageBreakBefore")
    assert len(breaks) == len(bundle.forms)


def test_word_pages_numbered_by_a_page_field_as_in_the_pdf(year):
    name, bundle, variant, summary = year
    data = render_docx(bundle.forms, variant, summary)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        footer = z.read("word/footer1.xml").decode()
        document = z.read("word/document.xml").decode()
    text = re.sub(r"<[^>]+>", "", footer.split("<w:p>", 1)[1])
    assert text == "—  PAGE 1 —"  # "— ", the field (instruction, cached result), " —"
    assert footer.count('w:fldCharType="begin"') == 1 and "<w:instrText xml:space=\"preserve\"> PAGE </w:instrText>" in footer
    assert '<w:footerReference w:type="default" r:id="rId4"/>' in document
    d = docx.Document(io.BytesIO(data))
    assert d.sections[0].footer.paragraphs[0].style.paragraph_format.alignment == 1  # centred


# ---------------------------------------------------------------- one page for both renderers


@pytest.mark.parametrize("name", ["hubei-2023", "national-2020"])
def test_word_page_is_form_yaml_page(name):
    variant = load_variant(name)
    page = variant.page
    d = docx.Document(TEMPLATES_DIR / name / "form.docx")
    section = d.sections[0]
    assert (section.page_width.twips, section.page_height.twips) == (twips(page.width), twips(page.height))
    assert (section.top_margin.twips, section.right_margin.twips, section.bottom_margin.twips,
            section.left_margin.twips) == tuple(twips(m) for m in (page.top, page.right, page.bottom, page.left))
    # The grid of the form's tables is form.yaml's columns at the text width.
    grid = [int(c.get(f"{W}w")) for c in d.tables[1]._tbl.tblGrid.findall(f"{W}gridCol")]
    assert grid[:len(page.columns)] == list(page.column_twips())[:len(grid)]


def _first_text_x(pdf: bytes) -> float:
    xs = []
    PdfReader(io.BytesIO(pdf)).pages[0].extract_text(
        visitor_text=lambda text, cm, tm, font, size: xs.append(tm[4] * cm[0] + cm[4]) if text.strip() else None)
    return min(xs)


def test_a_margin_in_form_yaml_moves_both_renderers(tmp_path):
    """Change the left and right margins in form.yaml: Word's section and the PDF's text both follow."""
    bundle = check_year(YEARS["hubei-example"]).bundle
    base = load_variant("hubei-2023")
    shutil.copytree(TEMPLATES_DIR / "hubei-2023", tmp_path / "hubei-2023", ignore=shutil.ignore_patterns("example"))
    form_yaml = tmp_path / "hubei-2023" / "form.yaml"
    form_yaml.write_text(form_yaml.read_text(encoding="utf-8").replace(
        "margins: {top: 15, right: 16, bottom: 17, left: 16}", "margins: {top: 15, right: 26, bottom: 17, left: 26}"),
        encoding="utf-8")
    wide = load_variant("hubei-2023", tmp_path)
    assert wide.page.left == 26
    shutil.copy(TEMPLATES_DIR / "wordml.py", tmp_path)  # the template script's shared helpers
    subprocess.run([sys.executable, str(tmp_path / "hubei-2023" / "build_docx_template.py")], check=True,
                   capture_output=True)
    section = docx.Document(tmp_path / "hubei-2023" / "form.docx").sections[0]
    assert section.left_margin.twips == twips(Decimal(26))
    from pipeline.render.pdf.render import render_form_pdf

    x0 = _first_text_x(render_form_pdf(bundle.forms[0], base))
    x1 = _first_text_x(render_form_pdf(bundle.forms[0], wide))
    assert x1 - x0 == pytest.approx(10 * 72 / 25.4, abs=0.5)  # 10 mm further right


# ---------------------------------------------------------------- the workbook


def test_workbook_values_and_total_row(year):
    name, bundle, variant, summary = year
    data = figures_from_data(YEARS[name])
    ws = openpyxl.load_workbook(io.BytesIO(render_summary_xlsx(summary))).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == summary.title and ws.title == summary.sheet
    assert rows[2] == tuple(summary.headers)
    body, total = rows[3:-1], rows[-1]
    assert [(r[0], r[1]) for r in body] == [(n, name) for n, (name, _, _) in enumerate(data, start=1)]
    # Figures are numbers (Excel sums them), equal to the data's as written.
    assert [(Decimal(str(r[3])), Decimal(str(r[4]))) for r in body] == [(p, s) for _, p, s in data]
    planned = sum((p for _, p, _ in data), Decimal(0))
    spent = sum((s for _, _, s in data), Decimal(0))
    assert total[0] == "合计"
    assert Decimal(str(total[3])) == planned and Decimal(str(total[4])) == spent
    assert f"{Decimal(str(total[5])) * 100:.2f}%" == percent(spent, planned)
    assert ws.cell(ws.max_row, 6).number_format == "0.00%"


def test_workbook_bytes_do_not_depend_on_clock_folder_or_zone(tmp_path):
    code = (
        "import sys; from pathlib import Path; from pipeline.build.front import check_year;"
        "from pipeline.form.summary import build_summary; from pipeline.variant import load_variant;"
        "from pipeline.render.xlsx import render_summary_xlsx;"
        "b = check_year(Path(sys.argv[1])).bundle;"
        "sys.stdout.buffer.write(render_summary_xlsx(build_summary(b, load_variant(b.variant))))"
    )
    outs = []
    for tz, lang, folder in (("UTC", "C.UTF-8", tmp_path / "a"), ("Asia/Shanghai", "zh_CN.UTF-8", tmp_path / "b")):
        shutil.copytree(YEARS["seed"], folder / "2023")
        env = {**os.environ, "TZ": tz, "LANG": lang, "LC_ALL": lang, "PYTHONPATH": str(ROOT)}
        outs.append(subprocess.run([sys.executable, "-c", code, str(folder / "2023")], capture_output=True,
                                   check=True, env=env, cwd=folder).stdout)
    assert outs[0] == outs[1] and outs[0][:2] == b"PK"
    with zipfile.ZipFile(io.BytesIO(outs[0])) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert b"dcterms:created" not in z.read("docProps/core.xml")


# ---------------------------------------------------------------- the official fonts, when installed


def test_the_pdf_uses_the_official_fonts_when_installed(tmp_path):
    """A machine with 仿宋_GB2312 (here a stand-in: DejaVu Serif under that name, in a private
    fontconfig setup): the PDF's text is set in it, Noto filling in the glyphs it lacks, and the
    build's summary names it. Without it (the test machine): Noto, as the summary says."""
    from fontTools.ttLib import TTFont

    folder = tmp_path / "fonts"
    folder.mkdir()
    font = TTFont("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
    name = font["name"]
    name.removeNames(platformID=1)  # Mac names cannot hold the Chinese name
    for name_id in (1, 4, 16):
        name.removeNames(nameID=name_id)
        name.setName("仿宋_GB2312", name_id, 3, 1, 0x409)
    name.removeNames(nameID=6)
    name.setName("FangSong_GB2312", 6, 3, 1, 0x409)
    font.save(folder / "fangsong.ttf")
    conf = tmp_path / "fonts.conf"
    conf.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd"><fontconfig>'
                    f'<include ignore_missing="yes">/etc/fonts/fonts.conf</include><dir>{folder}</dir>'
                    f'<cachedir>{tmp_path / "cache"}</cachedir></fontconfig>', encoding="utf-8")
    script = (
        "import sys; from pathlib import Path; from pipeline.build.front import check_year;"
        "from pipeline.variant import load_variant; from pipeline.render.pdf import fonts;"
        "from pipeline.render.pdf.render import render_form_pdf;"
        "v = load_variant('hubei-2023'); print(fonts.fonts_used_text(v.dir / 'form.css'));"
        "form = check_year(Path('data/2023')).bundle.forms[0];"
        "Path(sys.argv[1]).write_bytes(render_form_pdf(form, v))"
    )
    env = {**os.environ, "FONTCONFIG_FILE": str(conf), "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    run = subprocess.run([sys.executable, "-c", script, str(tmp_path / "t.pdf")], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "标题 Noto Sans CJK SC；正文 仿宋_GB2312；勾选框 DejaVu Sans"
    reader = PdfReader(tmp_path / "t.pdf")
    names = {str(f["/BaseFont"]).split("+")[-1] for f in reader.pages[0]["/Resources"]["/Font"].values()}
    assert any("GB2312" in n for n in names), names  # WeasyPrint names it by its family
    assert any("Noto-Serif-CJK-SC" in n for n in names), names  # the CJK glyphs the stand-in lacks
    # This machine has no official fonts: Noto, and the summary says so.
    from pipeline.render.pdf import fonts

    assert fonts.fonts_used_text(load_variant("hubei-2023").dir / "form.css") == \
        "标题 Noto Sans CJK SC；正文 Noto Serif CJK SC；勾选框 DejaVu Sans"


# ---------------------------------------------------------------- long titles


LONG_TITLES = [
    "2023 年度市直行业部门调处中心专项工作经费项目自评表",
    "2023 年度维稳救助及司法救助资金经费项目自评表",
    "2023 年度“1234”信息化建设工程专项经费项目自评表",
    "2023 年度中央司法救助资金专项资金(转移支付)项目自评表",
    "2023 年度" + "很长的项目名称" * 6 + "项目自评表",
]


@pytest.mark.parametrize("title", LONG_TITLES)
def test_long_titles_break_in_balanced_lines(title):
    from pipeline.form.lines import balanced_lines, text_width

    width = load_variant("hubei-2023").page.title_line  # 178 mm of 22 pt: 22.9 em
    lines = balanced_lines(title, width)
    assert "".join(lines).replace(" ", "") == title.replace(" ", "")
    assert len(lines) >= 2 and all(text_width(line) <= width for line in lines)
    widths = [text_width(line) for line in lines]
    assert min(widths) >= max(widths) - 3  # balanced: never one or two characters alone
    assert not any(line[0] in "）)”，、" for line in lines[1:])  # no line starts with closing punctuation
    assert "2023" in lines[0] and not any(line.endswith("(") for line in lines)


def test_short_titles_stay_on_one_line():
    from pipeline.form.lines import balanced_lines

    assert balanced_lines("2023 年度市法学会经费项目自评表", Decimal("22.9")) == ("2023 年度市法学会经费项目自评表",)


def test_seed_titles_print_their_lines_in_both_formats():
    bundle = check_year(YEARS["seed"]).bundle
    variant = load_variant("hubei-2023")
    long = [f for f in bundle.forms if len(f.title_lines) > 1]
    assert len(long) >= 4
    d = docx.Document(io.BytesIO(render_docx(bundle.forms, variant)))
    titles = [p.text for p in d.paragraphs if p.style.name == "Form Title"]
    assert titles == ["\n".join(f.title_lines) for f in bundle.forms]
    from pipeline.render.pdf.render import render_form_pdf

    for form in long[:2]:
        lines = [squeeze(x) for x in PdfReader(io.BytesIO(render_form_pdf(form, variant))).pages[0]
                 .extract_text().splitlines()]
        assert [squeeze(x) for x in form.title_lines] == lines[1:1 + len(form.title_lines)]


# ---------------------------------------------------------------- long tables

LONG = ROOT / "tests" / "fixtures" / "long" / "2023"  # 32 indicators; a 64-line 偏差原因分析


@pytest.fixture(scope="module")
def long_forms():
    result = check_year(LONG)
    assert not result.errors
    return result.bundle.forms


def _pages(pdf: bytes) -> list[str]:
    return [squeeze(p.extract_text()) for p in PdfReader(io.BytesIO(pdf)).pages]


def test_continuation_pages_repeat_the_labels_of_the_runs_they_continue(long_forms):
    from pipeline.render.pdf.render import render_paged_form_pdf

    variant = load_variant("hubei-2023")
    form = long_forms[0]
    data, printed = render_paged_form_pdf(form, variant)
    pages = _pages(data)
    assert len(pages) >= 2
    rows = printed.goals[0].rows
    assert [(r.level1, r.level2, r.level3) for r in rows] == [(r.level1, r.level2, r.level3) for r in form.goals[0].rows]
    for text in pages[1:]:
        on_page = [r for r in rows if squeeze(r.level3) in text]
        if not on_page:
            continue
        first = on_page[0]
        # Its runs start again on this page: the labels are printed here.
        assert first.level1_span > 0 and first.level2_span > 0
        assert squeeze(first.level1) in text and squeeze(first.level2) in text
        assert squeeze(printed.goals[0].label) in text
    # Rows never split: each indicator's three texts on one page.
    for r in rows:
        assert sum(all(squeeze(x) in t for x in (r.level3, r.target, r.actual)) for t in pages) == 1, r.level3
    # Word is rendered from the same form: the run restarts where the PDF's page begins.
    cells = [c for table in read_grid(render_docx([printed], variant)) for c in table]
    level1_cells = [c for c in cells if c.text == "产出指标"]
    assert len(level1_cells) == 1 + sum(1 for r in rows if r.level1 == "产出指标" and r.level1_span
                                         and r is not rows[0])


def test_a_run_within_one_page_is_left_whole():
    from pipeline.form.paginate import restart_runs

    form = check_year(YEARS["seed"]).bundle.forms[0]
    assert restart_runs(form, set()) is form
    cut = restart_runs(form, {(0, 2)})
    assert [(r.level1_span, r.level2_span) for r in cut.goals[0].rows] == [(2, 1), (0, 1), (2, 1), (0, 1), (1, 1), (1, 1)]
    assert cut.goals[0].breaks == (2,) and [cut.goals[0].label_span(i) for i in range(6)] == [2, 0, 4, 0, 0, 0]


@pytest.mark.parametrize("indicators", range(24, 33))
def test_no_page_holds_only_the_empty_goal_row(indicators, tmp_path):
    from pipeline.render.pdf.render import render_paged_form_pdf

    year = tmp_path / "2023"
    shutil.copytree(LONG, year)
    (year / "projects" / "02-长文本.yaml").unlink()
    path = year / "projects" / "01-长表.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["年度绩效目标"][0]["指标"] = raw["年度绩效目标"][0]["指标"][:indicators]
    raw["偏差原因分析"] = "短文本"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    form = check_year(year).bundle.forms[0]
    pages = _pages(render_paged_form_pdf(form, load_variant("hubei-2023"))[0])
    for text in pages:
        if "年度绩效目标2" in text:  # the empty goal goes with the rows after it
            assert "偏差大或目标未完成原因分析" in text


def test_a_text_taller_than_a_page_breaks_and_shorter_ones_do_not(long_forms):
    from pipeline.render.pdf.render import render_form_pdf

    seed = check_year(YEARS["seed"]).bundle.forms
    assert all(f.tall_rows == () for f in seed) and long_forms[0].tall_rows == ()
    form = long_forms[1]
    assert form.tall_rows == ("reason",)  # 64 lines: more than a page
    pages = _pages(render_form_pdf(form, load_variant("hubei-2023")))
    lines = [squeeze(line) for line in form.reason.splitlines()]
    holding = [n for n, t in enumerate(pages) if any(line in t for line in lines)]
    assert len(holding) >= 2 and "".join(pages).count(lines[-1]) == 1
    # It starts on the page the rows before it end on: no page left empty above it.
    assert holding[0] == next(n for n, t in enumerate(pages) if "年度绩效目标2" in t)
    d = docx.Document(io.BytesIO(render_docx([form], load_variant("hubei-2023"))))
    rows = [r for t in d.tables for r in t.rows if r.cells[0].text == "偏差大或目标未完成原因分析"]
    assert [r._tr.trPr.find(f"{W}cantSplit") is None for r in rows] == [True]


def test_the_build_renders_word_from_the_form_as_the_pdf_prints_it(tmp_path):
    from user_runs import annex

    shutil.copytree(LONG, tmp_path / "data" / "2023")
    run = annex(tmp_path, "build", "--jobs", "1")
    assert run.exit_code == 0, run.output
    table = tmp_path / "build" / "2023" / "分表" / "01-市域社会治理现代化试点长表测试专项经费.docx"
    cells = [c for t in read_grid(table.read_bytes()) for c in t]
    assert len([c for c in cells if c.text == "产出指标"]) >= 2  # the run, again on the next page


# ---------------------------------------------------------------- the tables of a form read as one


@pytest.mark.parametrize("name", list(YEARS))
def test_touching_tables_draw_one_rule_of_the_forms_weight(name):
    """Word and LibreOffice draw both rules where two tables of a form touch: together they weigh
    what every other rule weighs (0.5 pt, as in the PDF); the form's outer rules are whole."""
    bundle = check_year(YEARS[name]).bundle
    variant = load_variant(bundle.variant)
    d = docx.Document(io.BytesIO(render_docx(bundle.forms[:1], variant)))
    tables = [t._tbl for t in d.tables]

    def rule(tbl, side):
        return int(tbl.tblPr.find(f"{W}tblBorders/{W}{side}").get(f"{W}sz"))

    inner = {rule(t, "insideH") for t in tables}
    assert inner == {4}
    assert rule(tables[0], "top") == 4
    for upper, lower in zip(tables, tables[1:]):
        assert upper.getnext().tag == f"{W}p"  # the hidden joining paragraph
        assert rule(upper, "bottom") + rule(lower, "top") == 4
    last_row = tables[-1].findall(f"{W}tr")[-1]
    bottoms = {int(b.get(f"{W}sz")) for b in last_row.iter(f"{W}bottom")} or {rule(tables[-1], "bottom")}
    assert bottoms == {4}


def test_national_form_repeats_its_block_label_on_the_next_page(tmp_path):
    """national-2020 prints one 绩效指标 label over every goal's rows: a page that continues them
    prints it again, with the 一级 label of its first row."""
    from pipeline.render.pdf.render import render_paged_form_pdf

    year = tmp_path / "2023"
    shutil.copytree(YEARS["national-example"], year)
    path = sorted((year / "projects").glob("*.yaml"))[0]
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    given = [i for g in raw["年度绩效目标"] for i in g["指标"]]
    order = ["产出指标", "效益指标", "满意度指标", "成本指标"]
    rows = sorted(({**given[n % len(given)], "三级指标": f"指标第{n:02d}项", "分值": 2.5, "得分": 2.5}
                   for n in range(36)), key=lambda r: order.index(r["一级指标"]))
    raw["年度绩效目标"] = [{"指标": rows[:20]}, {"指标": rows[20:]}]
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    form = check_year(year).bundle.forms[0]
    data, printed = render_paged_form_pdf(form, load_variant("national-2020"))
    pages = _pages(data)
    assert len(pages) >= 2
    flat = [r for g in printed.goals for r in g.rows]
    for text in pages[1:]:
        first = next(r for r in flat if squeeze(r.level3) in text)
        assert "绩效指标" in text and squeeze(first.level1) in text and squeeze(first.level2) in text
    assert sum(printed.block_label_span(g, r) for g, goal in enumerate(printed.goals)
               for r in range(len(goal.rows))) == len(flat)
