"""The lines printed above a table (title, unit line, date line), read with the variant's own
templates (form.yaml's `title`, `subtitle`, `unit_line`, `date_line`), spaced as typists space them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.variant import Variant


@dataclass(frozen=True)
class Heading:
    """What one table prints above itself."""

    year: int | None = None
    name: str | None = None  # the title's project part (表名)
    title: str | None = None
    unit: str | None = None
    date: str | None = None  # ISO
    date_text: str | None = None  # as printed


def line_regex(template: str, fields: dict[str, str]) -> re.Pattern:
    """A printed line's template as a regex over the raw text: any spacing between characters,
    either width of brackets and colons."""
    out = []
    for part in re.split(r"(\{\w+\})", template):
        if part.startswith("{") and part.endswith("}"):
            name = part[1:-1]
            out.append(rf"\s*(?P<{name}>{fields.get(name, '.+?')})\s*")
            continue
        for c in part:
            if c.isspace():
                out.append(r"\s*")
            elif c in ":：":
                out.append(r"\s*[:：]?\s*")
            elif c in "(（":
                out.append(r"[(（]\s*")
            elif c in ")）":
                out.append(r"[)）]\s*")
            else:
                out.append(re.escape(c) + r"\s*")
    return re.compile("".join(out))


def line_prefix(template: str) -> str:
    """The label a line starts with: `单位名称：{unit}` -> `单位名称`."""
    return template.split("{", 1)[0].strip().rstrip(":：").strip()


def read_heading(lines: tuple[str, ...], v: Variant) -> Heading:
    title_re = line_regex(v.title, {"year": r"\d{4}", "name": ".+?"}) if v.title else None
    sub_re = line_regex(v.subtitle, {"year": r"\d{4}"}) if v.subtitle else None
    date_re = line_regex(v.date_line, {"year": r"\d{4}", "month": r"\d{1,2}", "day": r"\d{1,2}"}) if v.date_line else None
    unit_label = line_prefix(v.unit_line) if v.unit_line else ""
    date_label = line_prefix(v.date_line) if v.date_line else ""
    h: dict = {}
    for paragraph in lines:
        title = "".join(part.strip() for part in paragraph.split("\n"))  # a wrapped title is one title
        m = title_re.fullmatch(title) if title_re else None
        if m and "title" not in h:
            h["title"] = title
            d = m.groupdict()
            if d.get("year"):
                h["year"] = int(d["year"])
            if d.get("name"):
                h["name"] = d["name"].strip()
            continue
        for line in paragraph.split("\n"):
            _read_line(line.strip(), h, sub_re, date_re, unit_label, date_label)
    return Heading(**h)


def _read_line(text: str, h: dict, sub_re, date_re, unit_label: str, date_label: str) -> None:
    m = sub_re.fullmatch(text) if sub_re else None
    if m and "year" not in h:
        h["year"] = int(m.group("year"))
    if unit_label and "unit" not in h:
        m = re.search(line_regex(unit_label, {}).pattern + r"[:：]?\s*(?P<unit>.+)", text)
        if m:
            unit = m.group("unit")
            if date_label:
                unit = re.split(line_regex(date_label, {}).pattern, unit)[0]
            h["unit"] = unit.strip()
    if date_label and "date_text" not in h:
        m = re.search(line_regex(date_label, {}).pattern + r".*", text)
        if m:
            h["date_text"] = m.group(0).strip()
            dm = date_re.search(text)
            if dm:
                h["date"] = f"{int(dm.group('year')):04d}-{int(dm.group('month')):02d}-{int(dm.group('day')):02d}"
