"""Issue 16 item 4 (and the last of item 10): everything the command line says to a user is Chinese.

Each wrong command line a clerk types is answered in Chinese (no `Usage:`, `No such option`,
`Invalid value … Input should be a valid integer`, `Missing argument`), every command's help has
no type names (`<bool>`, `<list[str]>`, `<str>`) or English placeholders (`[OPTIONS]`, `{VA}`), and no
help line is a lone "。" at 80 columns; `-V` shows the version; `--format PDF` is `--format pdf`.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from pipeline import __version__
from pipeline.cli import app
from user_runs import annex

runner = CliRunner()
COMMANDS = [c.name or c.callback.__name__ for c in app.registered_commands]
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "valid" / "2024"

# What typer's bundled click says in English, and the type names typer shows.
ENGLISH = re.compile(r"Usage|No such|Invalid value|Input should|Missing|Got unexpected|Possible options|Try '|"
                     r"Error|requires an|OPTIONS|COMMAND|ARGS")
TYPE_NAMES = re.compile(r"<(bool|str|int|float|path|list\[[^>]*\])>")


def said(*args: str) -> str:
    result = runner.invoke(app, list(args), env={"COLUMNS": "80"}, terminal_width=80)
    return result.output + (result.stderr if result.stderr_bytes is not None else "")


@pytest.mark.parametrize("args, chinese", [
    (["-X"], "没有 -X 这个选项"),
    (["build", "--jobs", "x"], "「--jobs / -j」的值应是整数，例如 2"),
    (["build", "--wait", "很久"], "「--wait」的值应是数字"),
    (["build", "--jsno"], "没有 --jsno 这个选项"),
    (["build", "-j"], "选项 -j 后面要写一个值"),
    (["check", "--json=yes"], "选项 --json 不带值"),
    (["schema", "project", "department"], "多余的参数：department"),
    (["convert"], "缺少选项「--to」"),
    (["biuld"], "没有「biuld」这个命令（是不是想写build？）；可用的命令："),
])
def test_wrong_command_lines_are_answered_in_chinese(args, chinese):
    result = runner.invoke(app, args, env={"COLUMNS": "80"}, terminal_width=80)
    out = result.output
    assert result.exit_code == 2, out
    assert chinese in out or chinese in re.sub(r"[│\n ]+", "", out), out
    assert not ENGLISH.search(out), out
    if args not in (["build", "-j"], ["check", "--json=yes"]):  # click's parser raises these without a context
        assert "用法：annex" in out


def test_a_mistyped_option_suggests_the_right_one():
    out = said("build", "--jsno")
    assert "是不是想写 --json" not in out  # build has no --json ...
    assert "是不是想写" in said("check", "--jsno") and "--json" in said("check", "--jsno")  # ... check has


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_has_no_english_and_no_type_names(command):
    out = said(*([command] if command else []), "-h")
    assert "用法：annex" in out
    assert not ENGLISH.search(out), out
    assert not TYPE_NAMES.search(out), out
    assert not re.search(r"\{\w+\}", out)
    # no help line that is only its last full stop (the --wait help ended so at 80 columns)
    for line in out.splitlines():
        assert re.sub(r"[│\s]", "", line) not in ("。", "）", "；"), out


def test_version_short_and_long():
    for flag in ("-V", "--version"):
        result = runner.invoke(app, [flag])
        assert result.exit_code == 0 and result.output.strip() == f"annex {__version__}"


def test_format_in_capitals(tmp_path: Path):
    shutil.copytree(FIXTURE, tmp_path / "data" / "2024")
    result = annex(tmp_path, "build", "--format", "DOCX", "-f", "Docx", "--no-archive", "-j", "1")
    assert result.exit_code == 0, result.output
    assert "（docx）" in result.output
    assert sorted(p.suffix for p in (tmp_path / "build" / "2024" / "分表").iterdir()) == [".docx"]
    refused = annex(tmp_path, "build", "--format", "odt")
    assert refused.exit_code == 1 and "不支持的格式「odt」；可用：docx、pdf" in refused.stderr


def test_the_typer_commands_are_the_chinese_ones():
    """Every command is made with the app's command class (its usage line and help option in Chinese)."""
    group = typer.main.get_command(app)
    assert type(group).__name__ == "AnnexGroup"
    assert {type(c).__name__ for c in group.commands.values()} == {"AnnexCommand"}
