"""Word and PDF, one form: the Word bundle converted by LibreOffice shows the same pages as the PDF.

LibreOffice stands in for Word/WPS. It is given the fonts the PDF was made with under the names
the Word files ask for (a private fontconfig file mapping 仿宋_GB2312 etc. to them), as a desktop
with the official fonts installed has them for both. Then every page holds the same text, in the
same order, with the same page number, for data/2023 and both variants' examples.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from pipeline.build.front import check_year
from pipeline.form.summary import build_summary
from pipeline.render.docx import render_docx
from pipeline.render.pdf import fonts
from pipeline.render.pdf.render import render_bundle_pdf
from pipeline.variant import TEMPLATES_DIR, load_variant

pytestmark = [
    pytest.mark.soffice,
    pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed"),
]

ROOT = Path(__file__).resolve().parent.parent
YEARS = {
    "seed": ROOT / "data" / "2023",
    "hubei-example": TEMPLATES_DIR / "hubei-2023" / "example" / "2023",
    "national-example": TEMPLATES_DIR / "national-2020" / "example" / "2023",
}
# The fonts the Word templates name (templates/wordml.py), by the role of the PDF font that prints
# the same text (form.css).
WORD_FONTS = {"仿宋_GB2312": "text", "方正小标宋简体": "heading", "黑体": "heading", "Segoe UI Symbol": "mark"}


def fontconfig(tmp_path: Path, variant) -> Path:
    stacks = fonts.font_stacks(variant.dir / "form.css")
    used = {role: next(f for f in stack if fonts.find_font(f)) for role, stack in stacks.items()}
    aliases = "".join(
        f'<alias binding="same"><family>{name}</family><prefer><family>{used[role]}</family></prefer></alias>'
        for name, role in WORD_FONTS.items())
    conf = tmp_path / "fonts.conf"
    conf.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd"><fontconfig>'
                    f'<include ignore_missing="yes">/etc/fonts/fonts.conf</include>{aliases}</fontconfig>',
                    encoding="utf-8")
    return conf


def word_as_pdf(docx: bytes, tmp_path: Path, conf: Path) -> PdfReader:
    src = tmp_path / "bundle.docx"
    src.write_bytes(docx)
    profile = (tmp_path / "lo-profile").as_uri()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "FONTCONFIG_FILE": str(conf), "LANG": "C.UTF-8"}
    proc = subprocess.run(
        ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(src)], capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0 and (tmp_path / "bundle.pdf").exists(), proc.stdout + proc.stderr
    return PdfReader(tmp_path / "bundle.pdf")


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("name", list(YEARS))
def test_word_through_libreoffice_shows_the_pdfs_pages(name, tmp_path):
    bundle = check_year(YEARS[name]).bundle
    variant = load_variant(bundle.variant)
    summary = build_summary(bundle, variant)
    pdf = PdfReader(__import__("io").BytesIO(render_bundle_pdf(bundle, variant, summary=summary)))
    word = word_as_pdf(render_docx(bundle.forms, variant, summary), tmp_path, fontconfig(tmp_path, variant))
    assert len(word.pages) == len(pdf.pages) == 1 + len(bundle.forms)

    # A label merged down several rows is read at its first row in one file and at its middle in the
    # other: they are compared apart from the rest of the page.
    spanning = sorted({g.label for f in bundle.forms for g in f.goals} | {f.labels.get("indicators", "") for f in bundle.forms}
                      - {""}, key=len, reverse=True)
    for n, (a, b) in enumerate(zip(pdf.pages, word.pages), start=1):
        ta, tb = squeeze(a.extract_text()), squeeze(b.extract_text())
        for label in map(squeeze, spanning):
            assert ta.count(label) == tb.count(label), (n, label)
            ta, tb = ta.replace(label, ""), tb.replace(label, "")
        assert ta == tb, f"page {n}"
        assert ta.endswith(f"—{n}—")


def test_long_table_through_libreoffice_breaks_where_the_pdf_does(tmp_path):
    """32 indicators over two pages: Word (rendered from the form as the PDF prints it) breaks at the
    same row, and both repeat the labels there."""
    from pipeline.render.pdf.render import render_paged_form_pdf

    form = check_year(ROOT / "tests" / "fixtures" / "long" / "2023").bundle.forms[0]
    variant = load_variant("hubei-2023")
    data, printed = render_paged_form_pdf(form, variant)
    pdf = PdfReader(__import__("io").BytesIO(data))
    word = word_as_pdf(render_docx([printed], variant), tmp_path, fontconfig(tmp_path, variant))
    assert len(word.pages) == len(pdf.pages) >= 2
    label = squeeze(form.goals[0].label)
    for n, (a, b) in enumerate(zip(pdf.pages, word.pages), start=1):
        ta, tb = squeeze(a.extract_text()), re.sub(r"—\d+—$", "", squeeze(b.extract_text()))
        assert ta.count(label) == tb.count(label) and ta.replace(label, "") == tb.replace(label, ""), f"page {n}"
