"""Field-level differences between two bundles, in the form's own labels.

Each filled form is flattened into (label, value) pairs in reading order: 项目名称, 执行数, 执行率,
年度绩效目标 1 · 第 2 行 · 实际完成值, ... Comparing those pairs says what a reader of the two printed
bundles would see change, whatever file the change was typed in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.form.filled import FilledBundle, FilledForm, IndicatorRow

MAX_SHOWN_CHARS = 40
_UNIT_SUFFIX = re.compile(r"\s*[（(][^（()）]*[)）]\s*$")  # "执行数 (B)" -> "执行数", "年度绩效目标 1 (80 分)" -> ...
_MISSING = "（无）"
_EMPTY = "（空）"


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class ProjectChange:
    key: str
    fields: list[FieldChange]


@dataclass(frozen=True)
class BundleDiff:
    common: list[FieldChange]  # what every table shares: 单位名称, 填报日期
    added: list[str]  # project keys
    removed: list[str]
    changed: list[ProjectChange]

    @property
    def empty(self) -> bool:
        return not (self.common or self.added or self.removed or self.changed)


def plain_label(label: str) -> str:
    """A label without its trailing parentheses: "预算执行情况 (万元) (20 分)" -> "预算执行情况"."""
    while True:
        shorter = _UNIT_SUFFIX.sub("", label).strip()
        if shorter == label:
            return label
        label = shorter


def _row_fields(prefix: str, form: FilledForm, row: IndicatorRow) -> list[tuple[str, str]]:
    lab = form.labels
    keys = ["level1", "level2", "level3", "target", "actual"]
    if form.scoring:
        keys += ["weight", "score"]
    if "remark" in lab:
        keys.append("remark")
    return [(f"{prefix} · {plain_label(lab[k])}", getattr(row, k)) for k in keys]


def flatten(form: FilledForm) -> dict[str, str]:
    """The form's printed content as label -> text, in reading order (unit and date excluded: see `_common`).

    Layout-only fields (spans, fixed labels, footnotes) are left out: they follow from the rest.
    """
    lab = form.labels
    out: list[tuple[str, str]] = [
        ("标题", " ".join(t for t in (form.title, form.subtitle) if t)),
        (lab["project_name"], form.project_name),
        (lab["department"], form.department),
        (lab["implementer"], form.implementer),
    ]
    for group in form.checkboxes:
        chosen = [o.label for o in group.options if o.checked]
        out.append((group.label, "、".join(chosen)))
    b = form.budget
    if form.funds:
        funds = plain_label(lab.get("funds", "项目资金"))
        for row in form.funds:
            for key in ("initial", "planned", "spent", "rate", "score"):
                if getattr(row, key) and key in lab:
                    out.append((f"{funds} · {row.label} · {plain_label(lab[key])}", getattr(row, key)))
    else:
        out += [(plain_label(b.planned_label), b.planned), (plain_label(b.spent_label), b.spent),
                (plain_label(b.rate_label), b.rate)]
        if b.weight:
            out.append((f"{plain_label(b.label)} · {lab['weight']}", b.weight))
        if b.score:
            out.append((f"{plain_label(b.label)} · {lab['score']}", b.score))
    if form.overall_goal is not None:
        overall = lab.get("overall_goal", "年度总体目标")
        out += [(f"{overall} · {lab.get('expected', '预期目标')}", form.overall_goal.expected),
                (f"{overall} · {lab.get('achieved', '实际完成情况')}", form.overall_goal.achieved)]
    for goal in form.goals:
        name = plain_label(goal.label)
        for n, row in enumerate(goal.rows, start=1):
            out += _row_fields(f"{name} · 第 {n} 行", form, row)
    if form.total is not None:
        out += [(form.total.label, form.total.score), (lab["grade"].split("{")[0].rstrip("：: "), form.total.grade)]
    out += [(lab.get("reason", "偏差原因分析"), form.reason), (lab.get("measures", "改进措施"), form.measures)]
    return dict(out)


def _common(bundle: FilledBundle) -> dict[str, str]:
    first = bundle.forms[0] if bundle.forms else None
    return {"单位名称": bundle.unit, "填报日期": first.date_line.split("：")[-1] if first else ""}


def _compare(before: dict[str, str], after: dict[str, str]) -> list[FieldChange]:
    labels = list(before) + [k for k in after if k not in before]
    return [
        FieldChange(k, before.get(k, _MISSING), after.get(k, _MISSING))
        for k in labels if before.get(k) != after.get(k)
    ]


def diff_bundles(a: FilledBundle, b: FilledBundle) -> BundleDiff:
    forms_a = {f.key: f for f in a.forms}
    forms_b = {f.key: f for f in b.forms}
    changed = []
    for key, form in forms_b.items():
        if key in forms_a:
            fields = _compare(flatten(forms_a[key]), flatten(form))
            if fields:
                changed.append(ProjectChange(key, fields))
    return BundleDiff(
        common=_compare(_common(a), _common(b)),
        added=[k for k in forms_b if k not in forms_a],
        removed=[k for k in forms_a if k not in forms_b],
        changed=changed,
    )


def shown(value: str) -> str:
    """A value on one line: whitespace collapsed, long text cut."""
    text = re.sub(r"\s+", " ", value).strip()
    if not text:
        return _EMPTY
    return text if len(text) <= MAX_SHOWN_CHARS else text[:MAX_SHOWN_CHARS] + "…"


def change_text(c: FieldChange) -> str:
    return f"{c.label}: {shown(c.old)} → {shown(c.new)}"


def project_line(change: ProjectChange) -> str:
    """`02-市综治中心 · 执行数: 155.65 → 156.65 · 执行率: 55.59% → 55.95%`"""
    return " · ".join([change.key] + [change_text(c) for c in change.fields])
