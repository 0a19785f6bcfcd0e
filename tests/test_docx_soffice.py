"""The Word bundle opened by another word processor: LibreOffice converts it to PDF, one table a page."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from pipeline.build.front import check_year
from pipeline.form.filled import Goal
from pipeline.render.docx import render_docx
from pipeline.variant import load_variant

pytestmark = [
    pytest.mark.soffice,
    pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed"),
]

ROOT = Path(__file__).resolve().parent.parent


def to_pdf(docx: bytes, tmp_path: Path, name: str) -> PdfReader:
    src = tmp_path / f"{name}.docx"
    src.write_bytes(docx)
    # A private profile: a user's running LibreOffice or a stale lock must not block the conversion.
    profile = (tmp_path / "lo-profile").as_uri()
    proc = subprocess.run(
        ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(src)],
        capture_output=True, text=True, timeout=180,
    )
    pdf = tmp_path / f"{name}.pdf"
    assert proc.returncode == 0 and pdf.exists(), proc.stdout + proc.stderr
    return PdfReader(pdf)


def squeeze(text: str) -> str:
    """PDF text without the line breaks and spaces that wrapping and extraction add."""
    return re.sub(r"\s+", "", text)


def test_seed_bundle_one_table_a_page(tmp_path):
    bundle = check_year(ROOT / "data" / "2023").bundle
    reader = to_pdf(render_docx(bundle.forms, load_variant(bundle.variant)), tmp_path, "bundle")
    assert len(reader.pages) == len(bundle.forms) == 11
    for n, (page, form) in enumerate(zip(reader.pages, bundle.forms), start=1):
        text = squeeze(page.extract_text())
        assert text.startswith(squeeze(form.attachment_label + form.title))
        assert squeeze(form.measures) in text
        # LibreOffice numbers the pages itself, from the footer's PAGE field: — N —
        assert text.endswith(squeeze(form.footnotes[-1]) + f"—{n}—")


def test_long_goal_runs_on_with_its_header_repeated(tmp_path):
    import test_docx  # the hand-built forms

    variant = load_variant("hubei-2023")
    rows = [("产出指标", "数量指标", f"三级指标 {i:02d}", "目标", "完成") for i in range(60)]
    form = test_docx.make_form(variant, goals=(test_docx.goal("年度绩效目标 1", rows), Goal("年度绩效目标 2", ())))
    reader = to_pdf(render_docx([form], variant), tmp_path, "long")
    pages = [squeeze(p.extract_text()) for p in reader.pages]
    assert len(pages) > 1
    header = squeeze("".join(form.indicator_headers))
    label = squeeze(form.goals[0].label)  # LibreOffice redraws the spanning goal label on each page
    for text in pages[1:]:
        assert text.removeprefix(label).startswith(header)
    assert all(f"三级指标{i:02d}" in "".join(pages) for i in range(60))
