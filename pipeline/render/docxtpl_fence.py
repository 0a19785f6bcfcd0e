"""The one place annex leans on how docxtpl works inside (pinned: docxtpl>=0.20,<0.21).

annex's Word renderer needs two steps docxtpl does not offer as options, and takes them by
overriding two of its methods, as docxtpl 0.20 calls them while rendering:
- `patch_xml(src_xml) -> str`: the template's XML turned into Jinja source (docxtpl joins the tags
  Word split across runs and handles `{%tr %}`, colspan, …); annex then turns its own cell tags
  (`{% vmerge %}`, `{% cellif %}`) into Jinja;
- `fix_tables(xml) -> element`: the rendered XML parsed into the tree docxtpl saves; annex parses
  it strictly (docxtpl's recovering parser would drop what it cannot read) and tidies the tables.

If an upgrade renames either method or stops calling it, the cell tags would be left in the
document or the tables untidied, silently. So each render checks that docxtpl called both hooks
and fails loudly (a programming error, with its traceback) when it did not; and the tests check
the pinned version (tests/test_docx.py). Raise the pin only after going through this file.
"""

from __future__ import annotations

import docxtpl
from docxtpl import DocxTemplate
from lxml import etree

DOCXTPL_VERSION = "0.20."  # pyproject: docxtpl>=0.20,<0.21
HOOKS = frozenset({"patch_xml", "fix_tables"})


class FenceBroken(RuntimeError):
    """docxtpl did not call a method annex overrides: its internals changed (see this module)."""


class FencedTemplate(DocxTemplate):
    """A DocxTemplate whose subclass supplies `jinja_source` (after docxtpl's own patching) and
    `tidy` (on the strictly parsed tree), called through the two overridden hooks."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._called: set[str] = set()

    def jinja_source(self, patched: str) -> str:
        return patched

    def tidy(self, tree: etree._Element) -> None:
        pass

    def patch_xml(self, src_xml: str) -> str:  # docxtpl 0.20: called for the body, headers, footers
        self._called.add("patch_xml")
        return self.jinja_source(super().patch_xml(src_xml))

    def fix_tables(self, xml: str):  # docxtpl 0.20: called once, on the rendered body
        self._called.add("fix_tables")
        tree = etree.fromstring(xml)
        self.tidy(tree)
        return tree

    def render(self, *args, **kwargs) -> None:
        self._called = set()
        super().render(*args, **kwargs)
        if HOOKS - self._called:
            raise FenceBroken(f"docxtpl {docxtpl.__version__} did not call {sorted(HOOKS - self._called)}: "
                              f"annex was written for docxtpl {DOCXTPL_VERSION}x (pipeline/render/docxtpl_fence.py)")
