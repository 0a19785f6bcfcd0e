"""已确认警告: the warnings a user reviewed, as a code alone or narrowed to a value and/or a project.

A year-wide `nonstandard-level2` once silenced a later typo (`质量指`) that then went to print. A
confirmation can therefore say what exactly was reviewed, and check keeps listing everything else:

    已确认警告: [nonstandard-level2]                          # every such warning (of the file, or of the year)
    已确认警告: ["nonstandard-level2:社会效益"]                # only where the value is 社会效益
    已确认警告:
      - nonstandard-level2: 社会效益                          # the same, as YAML reads `code: value`
      - {代码: empty-value, 项目: 市法学会经费}                  # only in that project (by 项目名称)
      - {代码: nonstandard-level2, 值: 社会效益, 项目: 市法学会经费}

In a workbook's 单位 sheet, one cell: `nonstandard-level2:社会效益、empty-value@市法学会经费`. Each
entry is kept as that one-line text (the canonical form: `代码`, `代码:值`, `代码@项目`,
`代码@项目:值`), so every writer (new-year, export) keeps it as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.problems.records import Issue, show_value

# The keys of the mapping form, in the user's words.
CODE, VALUE, PROJECT = "代码", "值", "项目"
_TEXT = re.compile(r"^(?P<code>[a-z0-9-]+)\s*(?:[@＠]\s*(?P<project>[^:：]+?))?\s*(?:[:：]\s*(?P<value>.*?))?\s*$", re.S)


@dataclass(frozen=True)
class Acceptance:
    code: str
    value: str | None = None  # the value as the problem shows it (the text in the cell)
    project: str | None = None  # 项目名称

    def text(self) -> str:
        """The canonical one-line form, as the data keeps it."""
        out = self.code
        if self.project is not None:
            out += f"@{self.project}"
        if self.value is not None:
            out += f":{self.value}"
        return out

    def covers(self, issue: Issue, project: str | None) -> bool:
        """`project`: the 项目名称 of the project the warning is about (None for the department)."""
        if issue.severity != "warning" or issue.code != self.code:
            return False
        if self.value is not None and issue.value != show_value(self.value):
            return False
        return self.project is None or self.project == project


def parse_text(text: str) -> Acceptance | None:
    """`代码`, `代码:值`, `代码@项目`, `代码@项目:值` (full-width ：＠ too); None when no code leads it."""
    m = _TEXT.match(text.strip())
    if not m:
        return None
    value = m.group("value")
    return Acceptance(m.group("code"), value if value else None, m.group("project"))


def parse_entry(item: object) -> Acceptance | None:
    """One item of the YAML list: a text, `{代码: …, 值: …, 项目: …}`, or `{code: value}`; None if neither."""
    if isinstance(item, str):
        return parse_text(item) if item.strip() else None
    if not isinstance(item, dict) or not item or not all(isinstance(k, str) for k in item):
        return None
    if CODE in item:
        if set(item) - {CODE, VALUE, PROJECT} or not all(isinstance(v, str) and v.strip() for v in item.values()):
            return None
        code = item[CODE].strip()
        if not re.fullmatch(r"[a-z0-9-]+", code):
            return None
        value, project = item.get(VALUE), item.get(PROJECT)
        return Acceptance(code, value.strip() if value else None, project.strip() if project else None)
    if len(item) == 1:  # `- nonstandard-level2: 社会效益`
        [(code, value)] = item.items()
        if isinstance(value, str) and value.strip() and re.fullmatch(r"[a-z0-9-]+", code.strip()):
            return Acceptance(code.strip(), value.strip())
    return None


def split_cell(text: str) -> list[str]:
    """A workbook cell's entries: separated by 、 ， , ; ； or line breaks; entries without a value
    may also be separated by spaces (the old plain-code form `a b`)."""
    out: list[str] = []
    for part in re.split(r"[、,，;；\n]+", text):
        part = part.strip()
        if not part:
            continue
        if not re.search(r"[:：@＠]", part):
            out.extend(p for p in part.split() if p)
        else:
            out.append(part)
    return out
