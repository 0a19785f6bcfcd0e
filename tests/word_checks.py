"""Checks of a Word template or document that both variants' tests make the same way."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def built_template(template_dir: Path) -> bytes:
    """What the variant's build_docx_template.py writes, run afresh in this process."""
    spec = importlib.util.spec_from_file_location(f"{template_dir.name}_build_docx_template",
                                                  template_dir / "build_docx_template.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build()


def east_asia(style) -> str:
    """The style's East Asian font, through its basedOn chain (a python-docx style, or "")."""
    while style is not None:
        rfonts = style.element.find(f"{W}rPr/{W}rFonts")
        if rfonts is not None and rfonts.get(W + "eastAsia"):
            return rfonts.get(W + "eastAsia")
        style = style.base_style
    return ""


def grid_widths(tbl: etree._Element) -> list[int]:
    return [int(c.get(W + "w")) for c in tbl.find(W + "tblGrid").findall(W + "gridCol")]


def assert_rows_fill_the_grid(tbl: etree._Element) -> None:
    """Every row covers all grid columns, each cell exactly as wide as the grid columns it spans."""
    widths = grid_widths(tbl)
    for tr in tbl.iter(W + "tr"):
        cols = 0
        for tc in tr.findall(W + "tc"):
            span = tc.find(f"{W}tcPr/{W}gridSpan")
            n = int(span.get(W + "val")) if span is not None else 1
            assert int(tc.find(f"{W}tcPr/{W}tcW").get(W + "w")) == sum(widths[cols:cols + n])
            cols += n
        assert cols == len(widths)
