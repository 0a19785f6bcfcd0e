"""Each problem said once: the rule shared by `check` and every command that counts problems.

A value not yet filled this year is said once, as such: not also as missing or invalid, nor through a
rule over the block that holds it (a sum of figures still empty). And the same problem at the same
place is said once (a blank "same as above" cell below a wrong value is located at that value's cell,
by every rule that looks at it).
"""

from __future__ import annotations

from pipeline.problems.records import Issue

NOT_FILLED = "not-filled"


def said_once(issues: list[Issue]) -> list[Issue]:
    unfilled: dict[str, list[str]] = {}
    for i in issues:
        if i.code == NOT_FILLED:
            unfilled.setdefault(i.file, []).append(i.field)

    def about_unfilled(i: Issue) -> bool:
        return bool(i.field) and any(f == i.field or f.startswith((i.field + ".", i.field + "["))
                                     for f in unfilled.get(i.file, ()))

    seen: set[tuple] = set()
    out = []
    for i in issues:
        if i.code != NOT_FILLED and about_unfilled(i):
            continue
        key = (i.code, i.file, i.line, i.column, i.cell, i.field, i.message)
        if key not in seen:
            seen.add(key)
            out.append(i)
    return out
