"""A sheet's header row: which column holds which key, and what is wrong with the headers.

A header within a typo of a key the sheet reads (三级指 for 三级指标) and not otherwise present is read
as that key, with one error saying so: the rest of the sheet is still read, so that every other
problem shows on the first check, as a key typo in YAML does.
"""

from __future__ import annotations

from collections.abc import Callable

from pipeline.problems.phrases import suggestion
from pipeline.problems.records import Issues, Loc
from pipeline.input.typos import meant
from pipeline.input.workbook.sheets import Cell, Sheet, header_key


def read_columns(sheet: Sheet, known: Callable[[str], bool], names: tuple[str, ...], required: tuple[str, ...],
                 issues: Issues) -> bool:
    """Report unknown, repeated, mistyped and missing headers (a near-miss read as the key it meant);
    False when a required one is missing."""
    seen: dict[str, Cell] = {}
    for col, cell in sorted(sheet.header_row.items()):
        if cell.value is None:
            continue
        key = header_key(cell.value.text)
        loc = sheet.loc(1, col, key)
        if key in seen:
            issues.report("workbook-duplicate-column", loc, value=key, column=key, first=seen[key].ref)
        elif not known(key):
            target = meant(key, [n for n in names if n not in sheet.headers])
            if target is not None:
                issues.report("workbook-column-typo", loc, value=key, column=key, meant=target)
                sheet.headers[target] = col
            else:
                near = meant(key, names)
                issues.report("workbook-unknown-column", loc, value=key, column=key, sheet=sheet.name,
                              suggestion=f"；{suggestion(near)}" if near else "")
        seen.setdefault(key, cell)
    ok = True
    for key in required:
        if key not in sheet.headers:
            issues.report("workbook-missing-column", Loc(sheet.file, 1, None, key, f"{sheet.name}!1:1"),
                          sheet=sheet.name, column=key)
            ok = False
    return ok
