"""The library internals annex leans on, each in one fenced module: the version it was written for
is the one installed, and when the internal is gone the fallback still gives the right answer (or
fails loudly, never silently wrong).

render/pdf/internals.py (WeasyPrint, pydyf) is held to its pins by tests/test_pdf.py; these are the
others: openpyxl (input/workbook/fence.py), docxtpl (render/docxtpl_fence.py). python-docx needs no
fence: Word tables are read from their XML (input/word/cells.py), without `Table._tbl`.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docxtpl
import openpyxl
import pytest
from docxtpl import DocxTemplate
from jinja2 import TemplateSyntaxError

from pipeline.build.front import check_year
from pipeline.input.workbook import fence as openpyxl_fence
from pipeline.render import docxtpl_fence
from pipeline.render.docx import render_docx
from workbooks import clerk_workbook, mutate, write_year


def test_the_installed_versions_are_the_fenced_ones():
    assert openpyxl.__version__.startswith(openpyxl_fence.OPENPYXL_VERSION)
    assert docxtpl.__version__.startswith(docxtpl_fence.DOCXTPL_VERSION)


# --- openpyxl: which zip member a sheet is read from ------------------------------------------------

def _formula_workbook(tmp_path: Path) -> Path:
    year = write_year(tmp_path)
    clerk_workbook(year / "自评数据.xlsx")
    # a sheet added before the data sheets, so that sheet order and part names differ
    mutate(year / "自评数据.xlsx", lambda wb: (wb.create_sheet("封面", 0), wb["项目"].__setitem__("B3", "=50+10")))
    return year


def test_the_private_path_and_the_package_name_the_same_members(tmp_path):
    year = _formula_workbook(tmp_path)
    path = year / "自评数据.xlsx"
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        private = openpyxl_fence.sheet_parts(path, wb)
    finally:
        wb.close()
    from_package = openpyxl_fence.parts_from_package(path)
    assert private == from_package
    assert {"封面", "项目", "指标"} <= set(from_package)
    with zipfile.ZipFile(path) as z:
        assert set(from_package.values()) <= set(z.namelist())


@pytest.mark.parametrize("private", [True, False])
def test_an_uncached_formula_is_reported_with_or_without_the_private_path(tmp_path, monkeypatch, private):
    monkeypatch.setattr(openpyxl_fence, "private_path_usable", lambda: private)
    year = _formula_workbook(tmp_path)
    found = [i for i in check_year(year, base=tmp_path).issues if i.code == "workbook-formula-uncached"]
    assert [i.cell for i in found] == ["项目!B3"]


def test_a_package_that_does_not_say_reads_every_sheet_twice(tmp_path, monkeypatch):
    monkeypatch.setattr(openpyxl_fence, "private_path_usable", lambda: False)
    monkeypatch.setattr(openpyxl_fence, "parts_from_package", lambda path: {})
    year = _formula_workbook(tmp_path)
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
