"""Chinese for the few strings typer and its bundled click print around our own help texts.

Three things, each done the most public way typer 0.29 offers:

1. Panel titles and fixed strings: typer reads the module constants of `typer.rich_utils` (public
   names, no underscore) each time it renders help or an error; setting them once is the way its
   maintainers point to for changing them.
2. The help option's text ("Show this message and exit.", hard-coded in the click that typer 0.29
   vendors, with no gettext hook): `ChineseGroup` / `ChineseCommand` are the classes the app and
   its commands are made with (typer's documented `cls=` parameter); they override click's public
   `Command.get_help_option` and set the option's help.
3. Folding Chinese help at the column's edge: no public way exists (see `_fold_chinese_help`),
   so that one patch is fenced here with the typer version it was written for.
"""

from __future__ import annotations

import inspect

import typer
from rich.text import Text
from typer import rich_utils
from typer.core import TyperCommand, TyperGroup

from pipeline.hints import ANNEX

rich_utils.ARGUMENTS_PANEL_TITLE = "参数"
rich_utils.OPTIONS_PANEL_TITLE = "选项"
rich_utils.COMMANDS_PANEL_TITLE = "命令"
rich_utils.ERRORS_PANEL_TITLE = "错误"
rich_utils.DEFAULT_STRING = "[默认：{}]"
rich_utils.REQUIRED_LONG_STRING = "[必填]"
# The command as it runs from the project folder (pipeline/hints.py): `.venv/bin/annex build -h`.
rich_utils.RICH_HELP = "运行 [blue]'" + ANNEX.removesuffix("annex") + "{command_path} {help_option}'[/] 查看帮助。"

HELP_TEXT = "显示帮助并退出。"


class _ChineseHelpOption:
    """The help option of a command, with its text in Chinese."""

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = HELP_TEXT
        return option


class ChineseGroup(_ChineseHelpOption, TyperGroup):
    """The `annex` group itself (pass as `typer.Typer(cls=...)`)."""


class ChineseCommand(_ChineseHelpOption, TyperCommand):
    """Every `annex` command (pass as `app.command(cls=...)`)."""


# --- the one private patch ----------------------------------------------------------------------
#
# Rich wraps help text at spaces and, in the table typer lays options out in, cuts a longer run
# with "…" (the column's overflow). A Chinese sentence has no spaces, so at 80 columns the end of
# an option's help was lost; Chinese may break between any two characters, so the text should fold
# at the column's edge instead. Typer builds every help text in the private
# `rich_utils._make_rich_text` and exposes neither the Text's overflow nor the column's, and the
# markdown markup mode cuts the same way. So we wrap that function, only on the typer version it
# was checked against (typer vendors click since 0.29; the signature below is 0.29's). On any other
# version the patch is skipped and help still works: long Chinese lines are cut with "…" at narrow
# terminals, and tests/test_cli_help.py fails to say this fence needs a look.

PATCHED_TYPER = "0.29."


def _fold_chinese_help() -> bool:
    make = getattr(rich_utils, "_make_rich_text", None)
    if not typer.__version__.startswith(PATCHED_TYPER) or make is None:
        return False
    if list(inspect.signature(make).parameters) != ["text", "style", "markup_mode"]:
        return False

    def folding_rich_text(*, text: str, style: str = "", markup_mode):
        made = make(text=text, style=style, markup_mode=markup_mode)
        if isinstance(made, Text):
            made.overflow = "fold"
        return made

    rich_utils._make_rich_text = folding_rich_text
    return True


FOLDS = _fold_chinese_help()
