"""The command line's frame: `annex <command> --help` in Chinese and whole at an 80-column
terminal, every command module registered, and expected failures (`Abort`) as a message and an
exit code, never a traceback."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

import pipeline.cli.commands
from pipeline.cli import app
from pipeline.cli.app import COMMANDS
from pipeline.errors import Abort

runner = CliRunner()
NAMES = [c.name or c.callback.__name__ for c in app.registered_commands]


def squashed(text: str) -> str:
    """The help screen without layout: spaces, line ends and the panel's box-drawing characters."""
    return re.sub(r"[\s│╭╮╰╯─]", "", text)


@pytest.mark.parametrize("command", NAMES)
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
    assert "选项" in shown and "显示帮助并退出。" in shown and "Show this message" not in shown


def test_the_app_help_lists_every_command_in_chinese():
    result = runner.invoke(app, ["-h"], env={"COLUMNS": "80"}, terminal_width=80)
    assert result.exit_code == 0
    shown = squashed(result.output)
    assert "命令" in shown and "显示帮助并退出。" in shown
    for name in NAMES:
        assert name in shown


def test_every_command_module_is_registered():
    folder = Path(pipeline.cli.commands.__file__).parent
    modules = sorted(p.stem for p in folder.glob("*.py") if p.stem != "__init__")
    assert sorted(module for _name, module in COMMANDS) == modules
    assert NAMES == [name for name, _module in COMMANDS]


class Refused(Abort):
    exit_code = 3


def test_an_abort_from_a_command_is_its_message_and_its_exit_code(monkeypatch):
    def refuse():
        raise Refused("无法输出 [bold]schema[/bold]：请检查 data/2024")

    monkeypatch.setattr("pipeline.input.model.project_schema", refuse)
    result = runner.invoke(app, ["schema"], env={"COLUMNS": "200"})
    assert result.exit_code == 3
    assert "错误：无法输出 [bold]schema[/bold]：请检查 data/2024" in result.output  # as written, no markup
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


def test_a_programming_error_keeps_its_traceback(monkeypatch):
    def broken():
        raise KeyError("bug")

    monkeypatch.setattr("pipeline.input.model.project_schema", broken)
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 1
    assert isinstance(result.exception, KeyError)


def test_help_still_works_on_a_typer_the_private_patch_was_not_written_for():
    """zh.py patches one typer internal only on the version it was checked against."""
    code = (
        "import typer; typer.__version__ = '0.99.0'\n"
        "from typer.testing import CliRunner\n"
        "from pipeline.cli import app, zh\n"
        "assert not zh.FOLDS\n"
        "r = CliRunner().invoke(app, ['build', '--help'], env={'COLUMNS': '80'}, terminal_width=80)\n"
        "assert r.exit_code == 0, r.output\n"
        "assert '选项' in r.output and '显示帮助并退出。' in r.output, r.output\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_the_private_patch_is_applied_on_the_pinned_typer():
    from pipeline.cli import zh

    assert zh.FOLDS, f"typer {typer.__version__}: check zh.py's fence (written for {zh.PATCHED_TYPER}x)"
