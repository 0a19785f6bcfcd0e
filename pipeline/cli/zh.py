"""Chinese for the few strings typer and its bundled click print around our own help texts.

Typer reads these module constants when it renders help and errors; setting them once at import
is its documented way to change panel titles. The help option's own text is set on each command.
"""

from __future__ import annotations

from rich.text import Text
from typer import rich_utils
from typer._click import core

rich_utils.ARGUMENTS_PANEL_TITLE = "参数"
rich_utils.OPTIONS_PANEL_TITLE = "选项"
rich_utils.COMMANDS_PANEL_TITLE = "命令"
rich_utils.ERRORS_PANEL_TITLE = "错误"
rich_utils.DEFAULT_STRING = "[默认：{}]"
rich_utils.REQUIRED_LONG_STRING = "[必填]"
rich_utils.RICH_HELP = "运行 [blue]'{command_path} {help_option}'[/] 查看帮助。"

HELP_TEXT = "显示帮助并退出。"
_get_help_option = core.Command.get_help_option


def _help_option_in_chinese(self, ctx):
    option = _get_help_option(self, ctx)
    if option is not None:
        option.help = HELP_TEXT
    return option


core.Command.get_help_option = _help_option_in_chinese


# Rich wraps help text at spaces and cuts a longer run with "…"; a Chinese sentence has no
# spaces, so at 80 columns the end of an option's help was lost. Chinese may break between any
# two characters: fold the run at the column's edge instead.
_make_rich_text = rich_utils._make_rich_text


def _folding_rich_text(*, text: str, style: str = "", markup_mode):
    made = _make_rich_text(text=text, style=style, markup_mode=markup_mode)
    if isinstance(made, Text):
        made.overflow = "fold"
    return made


rich_utils._make_rich_text = _folding_rich_text
