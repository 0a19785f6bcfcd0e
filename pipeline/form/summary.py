"""The bundle's 项目清单: every project with its figures, and the totals, as a filled form.

The finance bureau, and the department's own overall self-evaluation, start from this list. It is
built from the filled forms (so it prints exactly the figures the tables print), its texts are the
variant's (form.yaml's `summary`), and the renderers only place it: a page at the front of the Word
and PDF bundles, and a workbook next to them.

The 合计 row holds Σ预算数, Σ执行数 and the overall rate Σ执行数 ÷ Σ预算数, computed like every
rate of the forms (never the average of the projects' rates), in the forms' money unit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from pipeline.files.names import safe_file_stem
from pipeline.input.arithmetic import amount_text, execution_rate
from pipeline.form.filled import FilledBundle, FilledForm
from pipeline.variant import Variant


@dataclass(frozen=True)
class SummaryRow:
    """One line of the list: the texts as printed, and the figures as values (for the workbook)."""

    number: str  # 序号: "1", …; "" on the 合计 row
    name: str  # 项目名称; the 合计 label on the total row
    implementer: str
    planned: str  # as the form prints it: "97.621"
    spent: str
    rate: str  # "96.67%"
    score: str = ""  # with scoring: the form's 总分
    grade: str = ""  # with scoring: the form's 等级
    planned_value: Decimal = Decimal(0)
    spent_value: Decimal = Decimal(0)
    rate_value: Decimal | None = None  # the rate as a fraction, 0.9667 (None: no budget to divide by)
    score_value: Decimal | None = None


@dataclass(frozen=True)
class Summary:
    """The 项目清单 of one bundle, ready to place."""

    key: str  # "项目清单": names it in messages (font check), as a form's key does
    year: int
    unit: str  # 单位名称: the workbook's and PDF's author
    title: str  # "2023 年度项目支出绩效自评项目清单"
    outline_title: str  # its bookmark, first in the bundle
    unit_line: str  # "单位名称：…"
    money_line: str  # "金额单位：万元"
    money_unit: str  # "万元"
    sheet: str  # the workbook's sheet name
    file_stem: str  # the workbook's file name, without .xlsx
    scoring: bool
    headers: tuple[str, ...]  # 序号 · 项目名称 · 项目实施单位 · 预算数 · 执行数 · 执行率 [· 得分 · 等级]
    rows: tuple[SummaryRow, ...]
    total: SummaryRow  # 合计
    columns: tuple[str, ...]  # CSS widths of the table's columns (Word scales the same proportions)

    # Read by the PDF's font check (fonts.role_texts) as it reads a form: the list has no
    # attachment label and no checkboxes; its title is in the heading font.
    attachment_label: str = ""
    checkboxes: tuple = ()


def money_unit(form: FilledForm, variant: Variant) -> str:
    """The money unit the form prints: what its labels put where form.yaml's labels say `{unit}`."""
    for key, template in variant.labels.items():
        if "{unit}" in template and key in form.labels:
            before, _, after = template.partition("{unit}")
            m = re.fullmatch(re.escape(before) + "(.+?)" + re.escape(after), form.labels[key])
            if m:
                return m.group(1)
    return variant.money_units[0]


def _rate(spent: Decimal, planned: Decimal) -> tuple[str, Decimal | None]:
    if planned == 0:
        return "", None
    percent = execution_rate(spent, planned)
    return f"{percent}%", percent / 100


def build_summary(bundle: FilledBundle, variant: Variant) -> Summary | None:
    """The bundle's 项目清单, or None when the variant has none (form.yaml: summary.enabled)."""
    s = variant.summary
    if not s.enabled:
        return None
    scoring = any(f.total is not None for f in bundle.forms)
    unit = money_unit(bundle.forms[0], variant) if bundle.forms else variant.money_units[0]
    L = s.labels
    rows = []
    for n, form in enumerate(bundle.forms, start=1):
        b = form.budget
        planned, spent = Decimal(b.planned), Decimal(b.spent)
        _, rate_value = _rate(spent, planned)
        score = form.total.score if form.total else ""
        rows.append(SummaryRow(
            number=str(n), name=form.project_name, implementer=form.implementer,
            planned=b.planned, spent=b.spent, rate=b.rate,
            score=score, grade=form.total.grade if form.total else "",
            planned_value=planned, spent_value=spent, rate_value=rate_value,
            score_value=Decimal(score) if score else None,
        ))
    planned_sum = sum((r.planned_value for r in rows), Decimal(0))
    spent_sum = sum((r.spent_value for r in rows), Decimal(0))
    rate_text, rate_value = _rate(spent_sum, planned_sum)
    total = SummaryRow(
        number="", name=L["total"], implementer="",
        planned=amount_text(planned_sum), spent=amount_text(spent_sum), rate=rate_text,
        planned_value=planned_sum, spent_value=spent_sum, rate_value=rate_value,
    )
    keys = ["number", "name", "implementer", "planned", "spent", "rate"] + (["score", "grade"] if scoring else [])
    headers = tuple(L[k] for k in keys)
    fmt = {"year": bundle.year, "unit": bundle.unit}
    return Summary(
        key=s.outline,
        year=bundle.year,
        unit=bundle.unit,
        title=s.title.format(**fmt),
        outline_title=s.outline.format(**fmt),
        unit_line=s.unit_line.format(**fmt),
        money_line=s.money_line.format(unit=unit),
        money_unit=unit,
        sheet=s.sheet.format(**fmt),
        file_stem=safe_file_stem("", s.file.format(**fmt)).removeprefix("-"),
        scoring=scoring,
        headers=headers,
        rows=tuple(rows),
        total=total,
        columns=s.column_percents(len(headers)),
    )
