"""Printing validation records for people (a rich table) and for programs (JSON)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from pipeline.check.problems import Issue

SEVERITY_LABEL = {"error": "错误", "warning": "警告"}
# Control characters from the user's data (a value, a file name) would act on the terminal
# (ESC starts a sequence that can clear it or retitle it): printed as \xNN instead.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def visible(text: str) -> str:
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)


def issues_table(issues: Sequence[Issue]) -> Table:
    """Two columns, so it stays readable in an 80-column terminal: where, and what is wrong."""
    table = Table(show_lines=True, header_style="bold", expand=True)
    table.add_column("位置", ratio=2, overflow="fold")
    table.add_column("问题", ratio=3, overflow="fold")
    for i in issues:
        where = Text(visible(i.file) + (f":{i.line}" if i.line else "") + (f":{i.column}" if i.line and i.column else ""))
        if i.field:
            where.append("\n" + visible(i.field), style="cyan")
        style = "red" if i.severity == "error" else "yellow"
        what = Text(SEVERITY_LABEL[i.severity] + " ", style=f"bold {style}")
        what.append(visible(i.message))
        if i.value not in (None, ""):
            what.append(f"（值：{visible(i.value)}）")
        what.append(f"  {i.code}", style="dim")
        table.add_row(where, what)
    return table


def print_issues(console: Console, issues: Sequence[Issue]) -> None:
    if issues:
        console.print(issues_table(issues))


def summary_line(where: str, projects: int, errors: int, warnings: int) -> str:
    return f"{where}：{projects} 个项目，{errors} 个错误，{warnings} 个警告"


def issues_json(where: str, projects: int, issues: Sequence[Issue], errors: int, warnings: int) -> str:
    return json.dumps(
        {
            "data": where,
            "projects": projects,
            "errors": errors,
            "warnings": warnings,
            "issues": [i.to_dict() for i in issues],
        },
        ensure_ascii=False,
        indent=2,
    )
