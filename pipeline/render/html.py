"""FilledForm -> HTML, through the variant's `form.html.j2` (styled by its `form.css`)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path

import jinja2

from pipeline.form.filled import FilledForm
from pipeline.form.report import FilledReport, report_template
from pipeline.form.summary import Summary
from pipeline.variant import TEMPLATES_DIR, Variant

SUMMARY_TEMPLATE = "summary.html.j2"  # the variant's own, else templates/summary.html.j2


@cache
def _environment(template_dir: Path, *more: Path) -> jinja2.Environment:
    # Autoescape on: the data is the department's free text ("&", "<", "{{ }}" print as typed).
    # StrictUndefined: a misspelt field in a template is an error, never an empty cell.
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader([template_dir, *more]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def render_html(forms: Sequence[FilledForm], variant: Variant, title: str | None = None) -> str:
    """The forms as one HTML document, one <section> per form; `title` defaults to the first form's."""
    template = _environment(variant.dir).get_template(variant.html_template.name)
    if title is None:
        title = forms[0].outline_title if forms else ""
    author = forms[0].unit if forms else ""
    return template.render(forms=list(forms), title=title, author=author, page=variant.page)


def render_summary_html(summary: Summary, variant: Variant, start: int = 0, stop: int | None = None) -> str:
    """The bundle's 项目清单 as an HTML page, styled by the variant's form.css: its rows
    [start:stop] (all by default), the title above the first row, the 合计 row after the last."""
    template = _environment(variant.dir, TEMPLATES_DIR).get_template(SUMMARY_TEMPLATE)
    stop = len(summary.rows) if stop is None else min(stop, len(summary.rows))
    return template.render(summary=summary, page=variant.page, title=summary.outline_title, author=summary.unit,
                           rows=summary.rows[start:stop], first=start == 0, last=stop == len(summary.rows))


def render_report_html(report: FilledReport, variant: Variant) -> str:
    """The 自评报告 draft as an HTML document, styled by report.css (PDF)."""
    path = report_template(variant, "report.html.j2")
    return _environment(path.parent).get_template(path.name).render(report=report)
