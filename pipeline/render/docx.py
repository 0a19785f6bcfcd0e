"""Word output: FilledForms placed into the variant's docxtpl template (templates/<variant>/form.docx).

One template renders one project (`[form]`) or the whole bundle (all forms, one per page). The
renderer only places what the FilledForm holds; it adds what docxtpl lacks for that:
- safe text: autoescape with StrictUndefined, line breaks as <w:br/>, and no way for a value to
  become template or XML code;
- two cell tags, `{% vmerge EXPR %}` and `{% cellif EXPR %}` (see build_docx_template.py);
- a clean table grid: 6 or 8 columns at full width, cell widths that match the grid, tcPr children
  in schema order;
- byte-identical output for identical input (pipeline/render/zipfix.py).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, StrictUndefined, Template
from lxml import etree
from markupsafe import Markup, escape

from pipeline.form.filled import FilledForm
from pipeline.form.summary import Summary
from pipeline.render.docxtpl_fence import FencedTemplate
from pipeline.render.zipfix import saved
from pipeline.variant import Variant

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

# Word's line break inside a run: close the text, break, reopen.
LINE_BREAK = '</w:t><w:br/><w:t xml:space="preserve">'
_NEWLINES = re.compile(r"\r\n|[\r\n\u2028\u2029]")


def place(value: object) -> Markup:
    """Every {{ value }} of the template: XML-escaped, line breaks kept.

    Braces become character references so that docxtpl's post-render `{_{` -> `{{` rewrite cannot
    touch a value; the XML parser turns them back into braces.
    """
    if isinstance(value, Markup):
        return value
    lines = _NEWLINES.split("" if value is None else str(value))
    escaped = (str(escape(line)).replace("{", "&#123;").replace("}", "&#125;") for line in lines)
    return Markup(LINE_BREAK.join(escaped))


class _SourceCachingEnvironment(Environment):
    """docxtpl compiles the body XML on every render; compile each distinct source once."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._compiled: dict[str, Template] = {}

    def from_string(self, source, globals=None, template_class=None):  # noqa: A002 (jinja's name)
        if globals or template_class or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        if source not in self._compiled:
            self._compiled[source] = super().from_string(source)
        return self._compiled[source]


def jinja_env() -> Environment:
    return _SourceCachingEnvironment(autoescape=True, undefined=StrictUndefined, finalize=place)


# {% cellif EXPR %} anywhere in a cell: the cell exists only when EXPR is true.
_CELLIF = re.compile(r"<w:tc[ >](?:(?!<w:tc[ >]).)*?\{%\s*cellif\s+(.*?)\s*%\}.*?</w:tc>", re.S)
# {% vmerge EXPR %} anywhere in a cell: <w:vMerge w:val="EXPR"/> in its tcPr, unless EXPR is "".
_VMERGE = re.compile(r"<w:tc[ >](?:(?!<w:tc[ >]).)*?\{%\s*vmerge\s+(.*?)\s*%\}.*?</w:tc>", re.S)
_TAG = r"\{%\s*NAME\s+.*?%\}"


def _cellif(m: re.Match) -> str:
    expr = m.group(1)
    cell = re.sub(_TAG.replace("NAME", "cellif"), "", m.group(0), count=1, flags=re.S)
    return f"{{% if {expr} %}}{cell}{{% endif %}}"


def _vmerge(m: re.Match) -> str:
    expr = m.group(1)
    cell = re.sub(_TAG.replace("NAME", "vmerge"), "", m.group(0), count=1, flags=re.S)
    merge = f'{{% if {expr} %}}<w:vMerge w:val="{{{{ {expr} }}}}"/>{{% endif %}}'
    if "<w:tcPr>" in cell:
        return cell.replace("<w:tcPr>", "<w:tcPr>" + merge, 1)
    return re.sub(r"(<w:tc[ >][^>]*>|<w:tc>)", lambda t: t.group(1) + f"<w:tcPr>{merge}</w:tcPr>", cell, count=1)


# CT_TcPr is a sequence: Word rejects a tcPr whose children are out of this order.
_TCPR_ORDER = [W + n for n in (
    "cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap", "tcMar",
    "textDirection", "tcFitText", "vAlign", "hideMark", "headers", "cellIns", "cellDel", "cellMerge",
    "tcPrChange",
)]


def _fit_grid(tbl: etree._Element) -> None:
    """Drop the grid columns no row reaches (c7/c8 without scoring), scaling the rest to the table width.

    docxtpl's own fix_tables shares the freed width out equally, which would starve the narrow
    label columns in one layout or the other.
    """
    grid = tbl.find(W + "tblGrid")
    cols = grid.findall(W + "gridCol")
    used = 0
    for tr in tbl.iter(W + "tr"):
        spans = [tc.find(f"{W}tcPr/{W}gridSpan") for tc in tr.findall(W + "tc")]
        used = max(used, sum(int(s.get(W + "val")) if s is not None else 1 for s in spans))
    if used > len(cols):
        raise ValueError(f"a table row spans {used} columns, the template grid has {len(cols)}")
    if used == len(cols) or used == 0:
        return
    widths = [int(c.get(W + "w")) for c in cols]
    total, kept = sum(widths), widths[:used]
    scaled = [w * total // sum(kept) for w in kept]
    scaled[-1] += total - sum(scaled)
    for c in cols[used:]:
        grid.remove(c)
    for c, w in zip(cols, scaled):
        c.set(W + "w", str(w))


def _tidy_table(tbl: etree._Element) -> None:
    """Cell widths equal to the grid columns they span, tcPr children in schema order."""
    widths = [int(float(c.get(W + "w"))) for c in tbl.find(W + "tblGrid").findall(W + "gridCol")]
    for tr in tbl.iter(W + "tr"):
        col = 0
        for tc in tr.findall(W + "tc"):
            tcpr = tc.find(W + "tcPr")
            if tcpr is None:
                tcpr = etree.Element(W + "tcPr")
                tc.insert(0, tcpr)
            span_el = tcpr.find(W + "gridSpan")
            span = int(span_el.get(W + "val")) if span_el is not None else 1
            if span_el is not None and span == 1:
                tcpr.remove(span_el)
            tcw = tcpr.find(W + "tcW")
            if tcw is None:
                tcw = etree.SubElement(tcpr, W + "tcW")
            tcw.set(W + "w", str(sum(widths[col:col + span])))
            tcw.set(W + "type", "dxa")
            col += span
            children = sorted(tcpr, key=lambda el: _TCPR_ORDER.index(el.tag) if el.tag in _TCPR_ORDER else 99)
            tcpr[:] = children


def _drop_empty_runs(tree: etree._Element) -> None:
    """docxtpl leaves an empty run on each side of a consumed {%r %} tag; they only clutter."""
    for r in tree.iter(W + "r"):
        kids = [k for k in r if k.tag != W + "rPr"]
        if len(kids) == 1 and kids[0].tag == W + "t" and not kids[0].text:
            r.getparent().remove(r)


class FormTemplate(FencedTemplate):
    """docxtpl with the vmerge/cellif cell tags and tidy tables (its two hooks: render/docxtpl_fence.py)."""

    # Template XML -> Jinja source. Every render of a template patches the same XML (a third of
    # a one-form render's time), so each distinct XML is patched once per process.
    _patched: dict[str, str] = {}

    def patch_xml(self, src_xml: str) -> str:
        if src_xml not in self._patched:
            self._patched[src_xml] = super().patch_xml(src_xml)
        else:
            self._called.add("patch_xml")
        return self._patched[src_xml]

    def jinja_source(self, patched: str) -> str:
        return _VMERGE.sub(_vmerge, _CELLIF.sub(_cellif, patched))

    def tidy(self, tree: etree._Element) -> None:
        for tbl in tree.iter(W + "tbl"):
            _fit_grid(tbl)
            _tidy_table(tbl)
        _drop_empty_runs(tree)


@lru_cache(maxsize=8)
def _template_bytes(path: Path, mtime_ns: int, size: int) -> bytes:
    return path.read_bytes()


@lru_cache(maxsize=1)
def shared_env() -> Environment:
    return jinja_env()


def _check(forms: Sequence[FilledForm], variant: Variant) -> None:
    """A form placed into another variant's template would print wrong labels in wrong cells."""
    for f in forms:
        if f.variant != variant.name:
            raise ValueError(f"{f.key}: form of variant {f.variant!r} rendered with {variant.name!r}")


def render_docx(forms: Sequence[FilledForm], variant: Variant, summary: Summary | None = None) -> bytes:
    """The .docx of `forms` (one project, or the bundle), each form starting on a new page; the
    bundle's 项目清单 first when `summary` is given (alone, with no forms: its own page)."""
    _check(forms, variant)
    path = variant.docx_template.resolve()
    st = path.stat()
    data = _template_bytes(path, st.st_mtime_ns, st.st_size)
    doc = FormTemplate(io.BytesIO(data))
    doc.render({"forms": list(forms), "summary": summary}, jinja_env=shared_env())
    return saved(doc)
