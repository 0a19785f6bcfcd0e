"""Where the commands write: one console for results, one for errors, and the line helpers."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


def say(text: str, style: str | None = None) -> None:
    """One line as written: no markup, no wrapping inside paths and names."""
    console.print(Text(text, style=style or ""), soft_wrap=True)


def print_error(message: str) -> None:
    """`错误：` and the message as written (no markup: paths and names may hold brackets)."""
    err_console.print(Text.assemble(("错误：", "red"), message))
