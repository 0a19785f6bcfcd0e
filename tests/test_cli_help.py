"""`annex <command> --help` at an 80-column terminal: every option's Chinese help is there in full."""

from __future__ import annotations

import re

import pytest
import typer
from typer.testing import CliRunner

from pipeline.cli import app

runner = CliRunner()
COMMANDS = [c.name or c.callback.__name__ for c in app.registered_commands]


def squashed(text: str) -> str:
    """The help screen without layout: spaces, line ends and the panel's box-drawing characters."""
    return re.sub(r"[\s│╭╮╰╯─]", "", text)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_help_is_shown_whole_at_80_columns(command):
    result = runner.invoke(app, [command, "--help"], env={"COLUMNS": "80"}, terminal_width=80)
    assert result.exit_code == 0, result.output
    assert "…" not in result.output
    shown = squashed(result.output)
    click_command = typer.main.get_command(app).commands[command]
    helps = [p.help for p in click_command.params if getattr(p, "help", None)]
    assert helps
    for text in helps:
        assert squashed(text) in shown, text
