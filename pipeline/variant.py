"""Form variants: a folder under templates/ holding the form's own facts and its templates.

Everything a form prints that is not the department's data (labels, checkbox options, footnotes,
the standard indicator names, the scoring weights) is read from `form.yaml` in the folder, so a
department with another province's form adds a folder, not code.
"""

from __future__ import annotations

import hashlib
import string
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import yaml

from pipeline.scoring.ruleset import RULES_DIR, RuleSet, load_rules

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
DEFAULT_VARIANT = "hubei-2023"


@dataclass(frozen=True)
class Grade:
    grade: str
    min: Decimal


MM_PER_INCH = Decimal("25.4")
TWIPS_PER_INCH = 1440
PT_PER_INCH = 72


def twips(mm: Decimal) -> int:
    """Millimetres as Word's twentieths of a point, rounded half-up to a whole twip."""
    return int((mm * TWIPS_PER_INCH / MM_PER_INCH).to_integral_value(rounding="ROUND_HALF_UP"))


@dataclass(frozen=True)
class PageSettings:
    """The page of the variant, read by both renderers (form.yaml's `page`): same page, same wraps.

    Millimetres as written in form.yaml; Word reads them in twips, the PDF's stylesheet in mm.
    """

    width: Decimal  # mm
    height: Decimal
    top: Decimal
    right: Decimal
    bottom: Decimal
    left: Decimal
    number: str  # the page number's text, GB/T 9704: "— {n} —"
    number_baseline: Decimal  # mm above the bottom edge
    columns: tuple[Decimal, ...]  # the table's column widths, relative, at the widest layout
    title_size: Decimal = Decimal(22)  # pt: the title's font size (二号)

    @property
    def text_width(self) -> Decimal:
        return self.width - self.left - self.right

    def column_percents(self, n: int) -> tuple[str, ...]:
        """The first `n` columns as CSS percentages of the table width (the others left out:
        Word's renderer scales the kept grid columns the same way)."""
        kept = self.columns[:n]
        total = sum(kept, Decimal(0))
        return tuple(f"{(w * 100 / total).quantize(Decimal('0.001'))}%" for w in kept)

    def column_twips(self, columns: tuple[Decimal, ...] | None = None) -> tuple[int, ...]:
        """The table's columns (or `columns`, relative widths) in twips, summing exactly to the text width."""
        columns = self.columns if columns is None else columns
        width = twips(self.text_width)
        total = sum(columns, Decimal(0))
        out = [int(w * width / total) for w in columns]
        out[-1] += width - sum(out)
        return tuple(out)

    @property
    def number_parts(self) -> tuple[str, str]:
        """The text before and after the number ("— ", " —")."""
        before, _, after = self.number.partition("{n}")
        return before, after

    @property
    def title_line(self) -> Decimal:
        """How many em of the title's font fit on a line (pipeline/form/lines.py breaks longer titles)."""
        return self.text_width * 72 / MM_PER_INCH / self.title_size

    def css(self) -> str:
        """The @page rule of the PDF, and the title's size."""
        return (f"@page {{ size: {self.width}mm {self.height}mm; "
                f"margin: {self.top}mm {self.right}mm {self.bottom}mm {self.left}mm; }} "
                f"h1.title {{ font-size: {self.title_size}pt; }}")


def _page_settings(raw: dict) -> PageSettings:
    m = raw["margins"]
    mm = lambda v: Decimal(str(v))  # noqa: E731
    width, height = (mm(v) for v in raw["size"])
    return PageSettings(width, height, mm(m["top"]), mm(m["right"]), mm(m["bottom"]), mm(m["left"]),
                        number=raw["number"], number_baseline=mm(raw["number_baseline"]),
                        columns=tuple(mm(c) for c in raw["columns"]), title_size=mm(raw["title_size"]))


@dataclass(frozen=True)
class SummarySettings:
    """The bundle's 项目清单 (form.yaml's `summary`): its texts, and whether the bundle has one."""

    enabled: bool
    title: str  # {year}, {unit}
    outline: str  # its bookmark in the bundle
    file: str  # the workbook's file name without .xlsx: {unit}, {year}
    sheet: str  # the workbook's sheet name
    unit_line: str  # {unit}
    money_line: str  # {unit}: the money unit
    labels: dict[str, str]  # number, name, implementer, planned, spent, rate, score, grade, total
    columns: tuple[Decimal, ...] = ()  # relative widths of its 8 columns (6 without scoring: the first 6)

    def column_percents(self, n: int) -> tuple[str, ...]:
        kept = self.columns[:n]
        total = sum(kept, Decimal(0))
        return tuple(f"{(w * 100 / total).quantize(Decimal('0.001'))}%" for w in kept)


def _summary_settings(raw: dict | None) -> SummarySettings:
    raw = raw or {}
    return SummarySettings(
        enabled=bool(raw.get("enabled", False)),
        title=raw.get("title", ""),
        outline=raw.get("outline", ""),
        file=raw.get("file", ""),
        sheet=raw.get("sheet", ""),
        unit_line=raw.get("unit_line", ""),
        money_line=raw.get("money_line", ""),
        labels={str(k): str(v) for k, v in (raw.get("labels") or {}).items()},
        columns=tuple(Decimal(str(c)) for c in raw.get("columns", ())),
    )


@dataclass(frozen=True)
class Variant:
    name: str
    dir: Path
    description: str
    attachment_label: str
    title: str  # format string: {year}, {name}
    unit_line: str  # {unit}
    date_line: str  # {year} {month} {day}
    min_goals: int
    labels: dict[str, str]
    checkbox_checked: str
    checkbox_unchecked: str
    checkbox_option: str  # {n}, {label}
    checkbox_groups: dict[str, tuple[str, ...]]  # 项目类别 -> options, in print order
    budget_weight: Decimal  # the default rule set's (templates/rules/<rules>.yaml)
    score_total: Decimal
    grades: tuple[Grade, ...]  # the default rule set's
    indicators: dict[str, tuple[str, ...]]  # 一级指标 -> standard 二级指标
    footnotes_title: str
    footnotes: tuple[str, ...]
    subtitle: str = ""  # {year}
    required_keys: tuple[str, ...] = ()  # project keys this form needs beyond the model's own
    unused_keys: tuple[str, ...] = ()  # project keys this form has no cell for: an error if given
    fund_sources: dict[str, str] | None = None  # 项目资金 source key -> printed row label, in print order
    scoring_always: bool = False  # the form is always scored, whatever department.yaml says
    level1_weights: dict[str, Decimal] | None = None  # the standard split of indicator weights
    money_units: tuple[str, ...] = ("万元",)
    outline: str = "{title}"  # a table's bookmark: {title}, {number}, {name}
    page: PageSettings | None = None
    summary: SummarySettings = SummarySettings(False, "", "", "", "", "", "", {})
    rules: str = ""  # the default scoring rule set: templates/rules/<rules>.yaml (department.yaml: 评分规则)

    @property
    def prints_date(self) -> bool:
        """Whether the form prints 填报日期 (its `date_line` has the date in it). Only then is the date
        required: a field the chosen form does not print is not (national-2020 prints none)."""
        return any(f in ("year", "month", "day") for _, f, _, _ in string.Formatter().parse(self.date_line) if f)

    @property
    def docx_template(self) -> Path:
        return self.dir / "form.docx"

    @property
    def html_template(self) -> Path:
        return self.dir / "form.html.j2"

    def template_files(self) -> list[Path]:
        """Every file of the variant that shapes its output, in a stable order."""
        return sorted(
            (p for p in self.dir.rglob("*") if p.is_file() and "example" not in p.relative_to(self.dir).parts
             and "__pycache__" not in p.parts),
            key=lambda p: p.relative_to(self.dir).as_posix(),
        )

    def default_rules(self) -> RuleSet:
        """The scoring rule set form.yaml names (`scoring: rules:`)."""
        return load_rules(self.rules, rules_dir(self.dir.parent))

    def fingerprint(self) -> str:
        """sha256 over the variant's files and the scoring rule sets (a department may choose any
        of them), to know when outputs must be rebuilt."""
        h = hashlib.sha256()
        rules = sorted(rules_dir(self.dir.parent).glob("*.yaml"))
        for p in self.template_files() + rules:
            h.update((f"rules/{p.name}" if p in rules else p.relative_to(self.dir).as_posix()).encode())
            h.update(b"\0")
            h.update(p.read_bytes())
            h.update(b"\0")
        return h.hexdigest()


def rules_dir(root: Path = TEMPLATES_DIR) -> Path:
    """The scoring rule sets beside the variants (the shipped ones for a root that has none)."""
    own = root / "rules"
    return own if own.is_dir() else RULES_DIR


def available_variants(root: Path = TEMPLATES_DIR) -> list[str]:
    return sorted(p.parent.name for p in root.glob("*/form.yaml"))


def load_variant(name: str, root: Path = TEMPLATES_DIR) -> Variant:
    """Read templates/<name>/form.yaml. The name is checked against available_variants() first."""
    folder = root / name
    raw = yaml.safe_load((folder / "form.yaml").read_text(encoding="utf-8"))
    cb = raw["checkbox"]
    sc = raw["scoring"]
    rules = load_rules(sc["rules"], rules_dir(root))
    return Variant(
        name=raw["name"],
        dir=folder,
        description=raw.get("description", ""),
        attachment_label=raw["attachment_label"],
        title=raw["title"],
        unit_line=raw["unit_line"],
        date_line=raw["date_line"],
        min_goals=int(raw.get("min_goals", 1)),
        labels={str(k): str(v) for k, v in raw["labels"].items()},
        checkbox_checked=cb["checked"],
        checkbox_unchecked=cb["unchecked"],
        checkbox_option=cb["option"],
        checkbox_groups={k: tuple(v) for k, v in (cb.get("groups") or {}).items()},
        budget_weight=rules.budget.weight,
        score_total=Decimal(str(sc["total"])),
        grades=tuple(Grade(g.grade, g.min) for g in rules.grades),
        indicators={k: tuple(v) for k, v in raw["indicators"].items()},
        footnotes_title=raw.get("footnotes_title", ""),
        footnotes=tuple(raw.get("footnotes", ())),
        subtitle=raw.get("subtitle", ""),
        required_keys=tuple(raw.get("project", {}).get("required", ())),
        unused_keys=tuple(raw.get("project", {}).get("unused", ())),
        fund_sources=dict(raw["fund_sources"]) if raw.get("fund_sources") else None,
        scoring_always=bool(sc.get("always", False)),
        level1_weights={k: Decimal(str(v)) for k, v in sc["level1_weights"].items()} if sc.get("level1_weights") else None,
        money_units=tuple(raw.get("money_units", ("万元",))),
        outline=raw.get("outline", "{title}"),
        page=_page_settings(raw["page"]),
        summary=_summary_settings(raw.get("summary")),
        rules=rules.name,
    )
