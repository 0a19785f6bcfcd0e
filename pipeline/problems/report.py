"""Printing validation records: for people in a terminal (a rich table), for editors, grep and logs
(one line per problem, the compiler convention `file:line:col: 错误 …`), and for programs (JSON)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Literal

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from pipeline.problems.records import Issue, Loc

SEVERITY_LABEL = {"error": "错误", "warning": "警告", "info": "提示"}
SEVERITY_STYLE = {"error": "red", "warning": "yellow", "info": "cyan"}
# Control characters from the user's data (a value, a file name) would act on the terminal
# (ESC starts a sequence that can clear it or retitle it): printed as \xNN instead.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def visible(text: str) -> str:
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)

# How `annex check` and `annex build` print problems: "auto" is the table in a terminal and lines
# everywhere else (a pipe, a file, an editor's build output).
ProblemsStyle = Literal["auto", "lines", "table"]
PROBLEM_STYLES = ("auto", "lines", "table")


def where(issue: Issue) -> str:
    return visible(Loc(issue.file, issue.line, issue.column if issue.line else None, cell=issue.cell).describe())


def _one_line(text: str) -> str:
    """A value or message on one line: a line break inside it is shown, not obeyed; no control
    character reaches the terminal."""
    return visible(text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "↵"))


def what(issue: Issue) -> str:
    """The problem without its place: field, message, the value as written, on one line."""
    text = (f"{issue.field}：" if issue.field else "") + issue.message
    if issue.value not in (None, ""):
        text += f"（值：{issue.value}）"
    return _one_line(text)


def issue_line(issue: Issue) -> str:
    """`data/2024/projects/01-x.yaml:18:9: 错误 二级指标：… [level2-wrong-level1]`: clickable in editors,
    greppable by file name, never wrapped."""
    return f"{where(issue)}: {SEVERITY_LABEL[issue.severity]} {what(issue)} [{issue.code}]"


def issues_table(issues: Sequence[Issue]) -> Table:
    """Two columns: where (never broken inside a path, so it can be copied), and what is wrong (folded)."""
    table = Table(show_lines=True, header_style="bold", expand=True)
    table.add_column("位置", no_wrap=True, overflow="ignore")
    table.add_column("问题", ratio=1, overflow="fold")
    for i in issues:
        style = SEVERITY_STYLE[i.severity]
        text = Text(SEVERITY_LABEL[i.severity] + " ", style=f"bold {style}")
        if i.field:
            text.append(visible(i.field) + "：", style="cyan")
        text.append(visible(i.message))
        if i.value not in (None, ""):
            text.append(f"（值：{visible(i.value)}）")
        text.append(f"  [{i.code}]", style="dim")
        table.add_row(Text(where(i)), text)
    return table


MIN_MESSAGE_WIDTH = 24  # below this the table's message column is unreadable: stack instead


def print_issues(console: Console, issues: Sequence[Issue], style: ProblemsStyle = "auto") -> None:
    if not issues:
        return
    if style == "table" or (style == "auto" and console.is_terminal):
        widest = max(cell_len(where(i)) for i in issues)
        if widest + MIN_MESSAGE_WIDTH + 7 <= console.width:  # 7: the table's borders and padding
            console.print(issues_table(issues))
        else:
            _print_stacked(console, issues)
        return
    for i in issues:
        line = Text(where(i) + ": ")
        line.append(SEVERITY_LABEL[i.severity], style=SEVERITY_STYLE[i.severity])
        line.append(" " + what(i) + " ")
        line.append(f"[{i.code}]", style="dim")
        console.print(line, soft_wrap=True, highlight=False)


def _print_stacked(console: Console, issues: Sequence[Issue]) -> None:
    """A terminal too narrow for a path beside its message: the path on a line of its own (one
    logical line: the terminal may show it over two rows, but copies and clicks it whole), then
    the message, folded, indented below it."""
    for i in issues:
        console.print(Text(where(i), style="bold"), soft_wrap=True, highlight=False)
        text = Text("  " + SEVERITY_LABEL[i.severity] + " ", style=f"bold {SEVERITY_STYLE[i.severity]}")
        text.append(what(i) + " ")
        text.append(f"[{i.code}]", style="dim")
        console.print(text, overflow="fold", highlight=False)


def summary_line(where: str, projects: int, errors: int, warnings: int, accepted: int = 0, notes: int = 0) -> str:
    text = f"{where}：{projects} 个项目，{errors} 个错误，{warnings} 个警告"
    if accepted:
        text += f"，{accepted} 个警告已确认"
    if notes:  # counted, not alarming: e.g. 得分 computed by the scoring rule set
        text += f"，{notes} 条提示"
    return text


def issues_json(where: str, projects: int, issues: Sequence[Issue], errors: int, warnings: int,
                accepted: int = 0) -> str:
    return json.dumps(
        {
            "data": where,
            "projects": projects,
            "errors": errors,
            "warnings": warnings,
            "accepted_warnings": accepted,
            "issues": [i.to_dict() for i in issues],
        },
        ensure_ascii=False,
        indent=2,
    )
