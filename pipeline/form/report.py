"""The 自评报告 draft: the year's written self-evaluation report, decided as a list of blocks.

Departments hand in a written report beside the tables; most of its facts are in the data. The
outline and every sentence are the variant's (`templates/<variant>/report.yaml`); the figures are
the 项目清单's (pipeline/form/summary.py) and the filled forms' (pipeline/form/compute.py), so the
report prints exactly what the tables print. The renderers (templates/report/) only place the
blocks: a heading, a paragraph, a 【请填写：……】 paragraph for what only the clerk can write, the
project table, the closing lines.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Literal

import yaml

from pipeline.form.compute import safe_file_stem
from pipeline.form.filled import FilledBundle, FilledForm, IndicatorRow
from pipeline.form.summary import Summary
from pipeline.input.model import YearInput
from pipeline.variant import TEMPLATES_DIR, Variant

REPORT_FILE = "report.yaml"  # in the variant's folder: the variant has a report when it has this file
REPORT_TEMPLATES = TEMPLATES_DIR / "report"  # the shared renderers' templates; a variant may hold its own

Kind = Literal["heading1", "heading2", "text", "fill", "table", "closing"]


@dataclass(frozen=True)
class Block:
    kind: Kind
    text: str = ""  # one paragraph (a "table" block places the report's table)


@dataclass(frozen=True)
class FilledReport:
    """The report of one bundle, ready to place."""

    key: str  # "自评报告": names it in messages (the font check), as a form's key does
    year: int
    unit: str  # 单位名称: the author
    title: str  # the title as one line (the PDF's and Word's title property)
    title_lines: tuple[str, ...]  # as printed, centred
    outline_title: str
    file_stem: str  # "<单位名称>-<年度>年度项目支出绩效自评报告（初稿）"
    blocks: tuple[Block, ...]
    table: Summary  # the 项目清单: placed where the "table" block is
    columns: tuple[str, ...] = ()  # the table's column widths (CSS percentages), report.yaml's `columns`
    # Read by the PDF's font check (fonts.role_texts) as it reads a form.
    attachment_label: str = ""
    checkboxes: tuple = ()

    def texts(self, *kinds: str) -> str:
        return "".join(b.text for b in self.blocks if b.kind in kinds)

    def role_texts(self) -> dict[str, str]:
        """Its headings' characters by the font role that prints them (report.css), for the PDF's
        font check; the check adds every text it holds as the body's ("text")."""
        return {
            "heading": self.title,
            "hei": self.texts("heading1") + "".join(self.table.headers),
            "kai": self.texts("heading2"),
        }


def report_template(variant: Variant, name: str) -> Path:
    """A renderer's template: the variant's own if it has one, else the shared one."""
    own = variant.dir / name
    return own if own.is_file() else REPORT_TEMPLATES / name


def report_files(variant: Variant) -> list[Path]:
    """Every file that shapes the report, for the build's record of its inputs."""
    shared = sorted(p for p in REPORT_TEMPLATES.iterdir() if p.is_file() and p.suffix != ".py")
    return [variant.dir / REPORT_FILE, *shared]


def chinese_number(n: int) -> str:
    """1 -> 一, 11 -> 十一, 25 -> 二十五, 100 -> 一百 (the （一）（二） of second-level headings)."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    if n < 100:
        return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
    hundreds, rest = divmod(n, 100)
    tail = "" if rest == 0 else ("零" + chinese_number(rest) if rest < 10 else
                                 ("一" + chinese_number(rest) if rest < 20 else chinese_number(rest)))
    return digits[hundreds] + "百" + tail if n < 1000 else str(n)


def _inline(text: str) -> str:
    """A multi-line cell quoted inside a sentence: its lines joined, without a closing 。 or ；
    (the sentence goes on)."""
    return " ".join(line.strip() for line in text.splitlines() if line.strip()).rstrip("。；;")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _percent(value: Decimal) -> str:
    text = format(value, "f")
    return (text.rstrip("0").rstrip(".") if "." in text else text) + "%"


@dataclass
class _Writer:
    """Appends blocks, filling the wording's templates."""

    words: dict
    blocks: list[Block]

    def add(self, kind: Kind, text: str = "") -> None:
        self.blocks.append(Block(kind, text))

    def paragraphs(self, text: str) -> None:
        """A department's own text: one paragraph per line, as written."""
        for line in _lines(text):
            self.add("text", line)


def load_wording(variant: Variant) -> dict | None:
    path = variant.dir / REPORT_FILE
    if not path.is_file():
        return None
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def build_report(bundle: FilledBundle, summary: Summary | None, year: YearInput, variant: Variant) -> FilledReport | None:
    """The bundle's report, or None when the variant has no report.yaml (or no 项目清单 to table)."""
    words = load_wording(variant)
    if words is None or summary is None or year.department is None:
        return None
    fmt = {"year": bundle.year, "unit": bundle.unit}
    w = _Writer(words, [])
    _opening(w, bundle, year)
    _basic(w, bundle, summary, year, variant)
    _goals(w, bundle, summary)
    _deviation(w, bundle, summary, threshold(words, year, variant))
    _measures(w, bundle)
    w.add("heading1", words["use"]["heading"])
    w.add("fill", words["use"]["fill"])
    d = year.department.date
    w.add("closing", words["closing"]["unit"].format(**fmt))
    if d is not None:
        w.add("closing", words["closing"]["date"].format(year=d.year, month=d.month, day=d.day))
    title_lines = tuple(line.format(**fmt) for line in words["title"])
    return FilledReport(
        key=words["outline"],
        year=bundle.year,
        unit=bundle.unit,
        title="".join(title_lines),
        title_lines=title_lines,
        outline_title=words["outline"],
        file_stem=safe_file_stem("", words["file"].format(**fmt)).removeprefix("-"),
        blocks=tuple(w.blocks),
        table=summary,
        columns=_column_percents(words["columns"], len(summary.headers)),
    )


def _column_percents(columns: list, n: int) -> tuple[str, ...]:
    kept = [Decimal(str(c)) for c in columns[:n]]
    total = sum(kept, Decimal(0))
    return tuple(f"{(w * 100 / total).quantize(Decimal('0.001'))}%" for w in kept)


def _opening(w: _Writer, bundle: FilledBundle, year: YearInput) -> None:
    o = w.words["opening"]
    notice = year.department.notice
    count = len(bundle.forms)
    if notice is None:
        w.add("text", o["no_notice"].format(year=bundle.year, count=count))
        return
    name = notice.name if notice.name.startswith("《") else o["notice_name"].format(name=notice.name)
    if notice.number:
        name = o["notice_number"].format(name=name, number=notice.number)
    w.add("text", o["notice"].format(notice=name, year=bundle.year, count=count))


def _basic(w: _Writer, bundle: FilledBundle, summary: Summary, year: YearInput, variant: Variant) -> None:
    b = w.words["basic"]
    w.add("heading1", b["heading"])
    t = summary.total
    w.add("text", b["totals"].format(year=bundle.year, count=len(summary.rows), planned=t.planned, spent=t.spent,
                                     rate=t.rate, money=summary.money_unit))
    options = variant.checkbox_groups.get("项目类别")
    if options:
        counted = Counter(p.data.category for p in year.projects)
        items = [b["category"].format(name=o, n=counted[o]) for o in options if counted[o]]
        if items:
            w.add("text", b["categories"].format(items=b["separator"].join(items)))
    if summary.scoring:
        counted = Counter(r.grade for r in summary.rows)
        items = [b["grade"].format(grade=g.grade, n=counted[g.grade]) for g in variant.grades if counted[g.grade]]
        if items:
            w.add("text", b["grades"].format(items=b["separator"].join(items)))
    w.add("text", b["table"])
    w.add("table")


def _rows(form: FilledForm) -> list[IndicatorRow]:
    return [r for g in form.goals for r in g.rows]


def _item(words: dict, row: IndicatorRow) -> str:
    empty = words["empty_value"]
    return words["item"].format(name=_inline(row.level3), target=_inline(row.target) or empty,
                                actual=_inline(row.actual) or empty)


def _goals(w: _Writer, bundle: FilledBundle, summary: Summary) -> None:
    g = w.words["goals"]
    w.add("heading1", g["heading"])
    for n, (form, row) in enumerate(zip(bundle.forms, summary.rows), start=1):
        w.add("heading2", g["project"].format(n=chinese_number(n), name=form.project_name))
        parts = [g["budget"].format(planned=row.planned, spent=row.spent, rate=row.rate, money=summary.money_unit)]
        if form.total is not None:
            parts.append(g["score"].format(score=form.total.score, grade=form.total.grade))
        rows = _rows(form)
        if not rows:
            parts.append(g["no_indicators"])
        else:
            parts.append(g["count"].format(count=len(rows)))
            for key, met in (("met", True), ("short", False), ("unknown", None)):
                items = [_item(g, r) for r in rows if r.met is met]
                if items:
                    parts.append(g[key].format(count=len(items), items=g["separator"].join(items)))
        w.add("text", "".join(parts))


def _deviation(w: _Writer, bundle: FilledBundle, summary: Summary, threshold: Decimal) -> None:
    d = w.words["deviation"]
    w.add("heading1", d["heading"])
    below = [(form, row) for form, row in zip(bundle.forms, summary.rows)
             if row.rate_value is not None and row.rate_value * 100 < threshold]
    if below:
        w.add("text", d["below"].format(threshold=_percent(threshold), count=len(below)))
        for form, row in below:
            reason = _lines(form.reason)
            first = d["project"].format(name=form.project_name, rate=row.rate)
            if reason:
                w.add("text", first + reason[0])
                for line in reason[1:]:
                    w.add("text", line)
            else:
                w.add("text", first)
                w.add("fill", d["no_reason"].format(name=form.project_name))
    else:
        w.add("text", d["none_below"].format(threshold=_percent(threshold)))
    short = [(form, r) for form in bundle.forms for r in _rows(form) if r.met is False]
    unknown = sum(r.met is None for form in bundle.forms for r in _rows(form))
    if short:
        w.add("text", d["short"].format(count=len(short)))
        listed = {form.key for form, _ in below}  # their own reason is printed above
        goals = w.words["goals"]
        for form in bundle.forms:
            mine = [r for f, r in short if f is form]
            for r in mine:
                w.add("text", d["indicator"].format(project=form.project_name, name=_inline(r.level3),
                                                    target=_inline(r.target) or goals["empty_value"],
                                                    actual=_inline(r.actual) or goals["empty_value"]))
                if r.remark:
                    w.add("text", d["indicator_reason"].format(reason=_inline(r.remark)))
                elif not form.reason:
                    w.add("fill", d["indicator_no_reason"])
            if any(not r.remark for r in mine) and form.reason and form.key not in listed:
                w.add("text", d["indicator_reason"].format(reason=_inline(form.reason)))
    else:
        w.add("text", d["none_short"])
    if unknown:
        w.add("text", d["unknown_note"].format(count=unknown))


def threshold(words: dict, year: YearInput, variant: Variant) -> Decimal:
    """The 执行率 (in %) below which a project's deviation is explained: the year's scoring rule set's
    (`reasons: rate_below`, the one check asks a reason for), else report.yaml's `threshold`."""
    rules = year.rules or variant.default_rules()
    below = rules.reasons.rate_below
    return below if below is not None else Decimal(str(words["threshold"]))


def _measures(w: _Writer, bundle: FilledBundle) -> None:
    m = w.words["measures"]
    w.add("heading1", m["heading"])
    n = 0
    for form in bundle.forms:
        if _lines(form.measures):
            n += 1
            w.add("heading2", m["project"].format(n=chinese_number(n), name=form.project_name))
            w.paragraphs(form.measures)
    w.add("fill", m["fill"])
