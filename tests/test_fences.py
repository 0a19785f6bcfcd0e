"""The library internals annex leans on, each in one fenced module: the version it was written for
is the one installed, and when the internal is gone the fallback still gives the right answer (or
fails loudly, never silently wrong).

render/pdf/internals.py (WeasyPrint, pydyf) is held to its pins by tests/test_pdf.py; these are the
others: docxtpl (render/docxtpl_fence.py). python-docx needs no fence: Word tables are read from their
XML (input/word/cells.py), without `Table._tbl`; openpyxl needs none for reading, since workbooks are
streamed from the package itself (input/workbook/parts.py, sheets.py).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docxtpl
import pytest
from docxtpl import DocxTemplate
from jinja2 import TemplateSyntaxError

from pipeline.build.front import check_year
from pipeline.render import docxtpl_fence
from pipeline.render.docx import render_docx
from workbooks import clerk_workbook, mutate, write_year


def test_the_installed_versions_are_the_fenced_ones():
    assert docxtpl.__version__.startswith(docxtpl_fence.DOCXTPL_VERSION)


# --- openpyxl: no internals (workbooks are read from the package itself, input/workbook/parts.py) -----

def test_an_uncached_formula_is_found_where_sheet_order_and_part_names_differ(tmp_path):
    year = write_year(tmp_path)
    clerk_workbook(year / "自评数据.xlsx")
    # a sheet added before the data sheets, so that sheet order and part names differ
    mutate(year / "自评数据.xlsx", lambda wb: (wb.create_sheet("封面", 0), wb["项目"].__setitem__("B3", "=50+10")))
    found = [i for i in check_year(year, base=tmp_path).issues if i.code == "workbook-formula-uncached"]
    assert [i.cell for i in found] == ["项目!B3"]


# --- docxtpl: the two hooks annex overrides ----------------------------------------------------------

@pytest.fixture(scope="module")
def example_form():
    root = Path(__file__).resolve().parent.parent
    result = check_year(root / "templates" / "hubei-2023" / "example" / "2023")
    return result.bundle.forms[0], result.input.variant


def test_docxtpl_calls_both_hooks_on_a_real_render(example_form):
    form, variant = example_form
    data = render_docx([form], variant)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        body = z.read("word/document.xml").decode("utf-8")
    assert "vmerge" not in body and "cellif" not in body and "{%" not in body


@pytest.mark.parametrize("skipped", sorted(docxtpl_fence.HOOKS))
def test_a_docxtpl_that_no_longer_calls_a_hook_fails_loudly(example_form, monkeypatch, skipped):
    form, variant = example_form
    real = DocxTemplate.render

    def render_without_hook(self, *args, **kwargs):
        hook = getattr(type(self), skipped)
        monkeypatch.setattr(type(self), skipped, lambda self, xml: getattr(DocxTemplate, skipped)(self, xml))
        try:
            return real(self, *args, **kwargs)
        finally:
            monkeypatch.setattr(type(self), skipped, hook)

    monkeypatch.setattr(DocxTemplate, "render", render_without_hook)
    # Without patch_xml the cell tags reach Jinja, which refuses them; without fix_tables the fence does.
    with pytest.raises((docxtpl_fence.FenceBroken, TemplateSyntaxError)) as failed:
        render_docx([form], variant)
    assert skipped in str(failed.value) or "cellif" in str(failed.value) or "vmerge" in str(failed.value)
