"""The 自评报告 draft as Word: its blocks placed into the report template (templates/report/report.docx,
or the variant's own), with the forms' safe text placing and tidy tables (pipeline/render/docx.py)."""

from __future__ import annotations

import io

from pipeline.form.report import FilledReport, report_template
from pipeline.render.docx import FormTemplate, shared_env
from pipeline.render.zipfix import normalize_docx
from pipeline.variant import Variant


def render_report_docx(report: FilledReport, variant: Variant) -> bytes:
    doc = FormTemplate(io.BytesIO(report_template(variant, "report.docx").read_bytes()))
    doc.render({"report": report}, jinja_env=shared_env())
    out = io.BytesIO()
    doc.save(out)
    return normalize_docx(out.getvalue())
