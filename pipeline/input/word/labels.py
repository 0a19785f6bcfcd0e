"""The labels a variant prints, as patterns to find them in a table typed by hand.

Everything looked for comes from the variant's form.yaml (its `labels`, checkbox groups, fund
sources, title and date lines); only the matching is lenient the way typing is: spaces and line
breaks inside a label, full- or half-width brackets and colons, a weight `(20 分)` / `(XX 分)` after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.variant import Variant

_SPACE = re.compile(r"\s+")
_WEIGHT = re.compile(r"\((\d+(?:\.\d+)?|[xX]+)?分\)$")
_FULL = str.maketrans({"（": "(", "）": ")", "：": ":"})


def norm(text: str) -> str:
    """A cell's text for comparing with a label: no whitespace, half-width brackets and colons."""
    return _SPACE.sub("", text).translate(_FULL)


def split_weight(text: str) -> tuple[str, str | None]:
    """`预算执行情况(万元)(20分)` -> (`预算执行情况(万元)`, `20`); `(XX分)` gives an empty weight."""
    t = norm(text)
    m = _WEIGHT.search(t)
    if not m:
        return t, None
    weight = m.group(1) or ""
    return t[: m.start()], weight if weight[:1].isdigit() else ""


def template_regex(template: str, fields: dict[str, str]) -> re.Pattern:
    """A form line such as `{year} 年度{name}项目自评表` as a regex over the normalized text."""
    out = []
    for part in re.split(r"(\{\w+\})", norm(template)):
        if part.startswith("{") and part.endswith("}"):
            name = part[1:-1]
            out.append(f"(?P<{name}>{fields.get(name, '.+?')})")
        else:
            out.append(re.escape(part).replace(":", ":?"))
    return re.compile("".join(out))


@dataclass(frozen=True)
class Match:
    id: str  # the label's id in form.yaml (`planned`, `goal`, …), a group key, or `source:<key>`
    rest: str  # text after the label in the same cell (a value typed beside its label)
    weight: str | None  # a `(N 分)` after the label
    number: int | None  # the goal number of `年度绩效目标 N`
    unit: str | None  # the money unit in `预算执行情况 (万元)`


class FormLabels:
    """The labels of one variant, found in cells."""

    def __init__(self, variant: Variant):
        self.variant = variant
        plain: dict[str, str] = {}
        patterns: dict[str, re.Pattern] = {}
        skip = {"weighted", "not_applicable"}
        for key, label in variant.labels.items():
            if key in skip:
                continue
            if "{" in label:
                patterns[key] = template_regex(label, {"unit": r"[^()]+", "n": r"\d+", "grade": ".*"})
            else:
                plain[norm(label)] = key
        for group in variant.checkbox_groups:
            plain[norm(group)] = group
        for key, label in (variant.fund_sources or {}).items():
            plain[norm(label)] = f"source:{key}"
        self.plain = plain
        self.patterns = patterns
        # longest first, so that `实际完成值(B)得分` is `actual` and not a shorter label
        self._prefixes = sorted(plain, key=len, reverse=True)
        self._seen: dict[tuple[str, bool], Match | None] = {}  # a bundle repeats its labels 100 times

    def match(self, text: str, prefix: bool = False) -> Match | None:
        """The label `text` is, or (prefix=True) starts with."""
        if not text:
            return None
        key = (text, prefix)
        if key not in self._seen:
            self._seen[key] = self._match(text, prefix) if len(self._seen) < 100_000 else None
        return self._seen[key]

    def _match(self, text: str, prefix: bool) -> Match | None:
        base, weight = split_weight(text)
        key = self.plain.get(base)
        if key:
            return Match(key, "", weight, None, None)
        for key, pattern in self.patterns.items():
            m = pattern.fullmatch(base)
            if m:
                d = m.groupdict()
                return Match(key, "", weight, int(d["n"]) if d.get("n") else None, d.get("unit"))
        if prefix:  # `项目实施单位 市委政法委`, `实际完成值 (B) 得分`: a label, a space, more text
            t = norm(text)
            for label in self._prefixes:
                if t.startswith(label) and len(label) >= 2:
                    rest = _rest_after(text, label)
                    if rest is not None:
                        return Match(self.plain[label], rest, None, None, None)
        return None

    def known(self, text: str) -> bool:
        return self.match(text) is not None

    def score(self, texts: set[str]) -> int:
        """How many of this variant's labels a table's cells hold: the table's form is the best scorer."""
        found = set()
        for t in texts:
            m = self.match(t)
            if m:
                found.add(m.id)
        return len(found)


def _rest_after(text: str, label: str) -> str | None:
    """The original text after the characters that spell `label` (spaces inside it skipped), or
    None when the label runs on into the text (`总分析` is not the label `总分`)."""
    i = 0
    need = 0
    while i < len(text) and need < len(label):
        c = text[i].translate(_FULL)
        if c.isspace():
            i += 1
            continue
        if c != label[need]:
            return None
        need += 1
        i += 1
    if i < len(text) and not (text[i].isspace() or text[i] in ":："):
        return None
    return text[i:].strip().lstrip(":：").strip()
