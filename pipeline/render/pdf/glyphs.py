"""Characters the PDF's fonts cannot print, found by `annex check` as the build would find them.

The build refuses a PDF whose text has a character no font of form.css covers (a rare
ideograph such as 𠀀 is not in Noto Sans CJK SC). `annex check` said nothing of it: check passed,
build failed. Here the same font check runs on the computed forms, and each such character is
reported once, at the first value that holds it. (Fonts that are not installed at all are not a
problem of the data: the build says how to install them.)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from pipeline.problems.records import Issues, Loc

if TYPE_CHECKING:
    from pipeline.form.filled import FilledBundle
    from pipeline.input.model import ProjectInput, YearInput


def report_missing_glyphs(year: YearInput, bundle: FilledBundle, issues: Issues) -> None:
    from pipeline.render.pdf import fonts

    try:
        fonts.check_fonts(bundle.forms, year.variant)
    except fonts.FontError as e:
        projects = {p.key: p for p in year.projects}
        for u in e.uncovered:
            for ch, key in u.chars:
                issues.report("glyph-missing", _locate(year, projects.get(key), ch), value=ch,
                              char=f"「{ch}」", codepoint=f"U+{ord(ch):04X}",
                              families=", ".join(u.families))


def _locate(year: YearInput, p: ProjectInput | None, ch: str) -> Loc:
    """The first value of the project (its file, then its CSV rows), else of department.yaml, holding `ch`."""
    if p is not None:
        for path, text in _strings(p.data.model_dump(by_alias=True, exclude_none=True), ()):
            if ch in text:
                return p.smap.loc(path)
        for goal in p.goals:
            for ind in goal.indicators:
                for key in ("一级指标", "二级指标", "三级指标", "年初目标值", "实际完成值"):
                    if ch in getattr(ind, _ATTR[key]):
                        return ind.locs[key]
    if year.department is not None and year.department_smap is not None:
        for path, text in _strings(year.department.model_dump(by_alias=True, exclude_none=True), ()):
            if ch in text:
                return year.department_smap.loc(path)
    return Loc(p.file if p is not None else str(year.dir))


_ATTR = {"一级指标": "level1", "二级指标": "level2", "三级指标": "level3", "年初目标值": "target", "实际完成值": "actual"}


def _strings(value: object, path: tuple) -> Iterator[tuple[tuple, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, path + (k,))
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            yield from _strings(v, path + (i,))
