"""Chinese for what typer's bundled click says when a command line is wrong, and for its usage line.

Typer 0.29 vendors click without gettext: "Usage:", "No such option: -V", "Invalid value for
'--jobs': Input should be a valid integer", "Missing argument 'VA'." are fixed English strings. They
are said again in Chinese here, through public means only:

- the usage line: `format_usage` of the command classes (click's public `Command.format_usage`,
  the classes passed with typer's documented `cls=`), with `[选项]` / `命令 [参数]...` as the
  `options_metavar` / `subcommand_metavar` typer takes;
- the errors: the one place the app catches exceptions (its group's `make_context`, which parses the
  group's own options, and `invoke`, which parses the command's) re-raises a usage error as
  `UsageInChinese`, a `typer.BadParameter` whose message is the Chinese one; typer prints it as it
  prints any usage error (usage line, help hint, the 错误 panel) and exits with 2.

An error this module does not know is left as it is (still shown, in English): better an English
message than a wrong Chinese one.
"""

from __future__ import annotations

import re
from contextlib import contextmanager

import typer

USAGE_PREFIX = "用法："
OPTIONS_METAVAR = "[选项]"
SUBCOMMAND_METAVAR = "命令 [参数]..."


class UsageInChinese(typer.BadParameter):
    """A command-line mistake said in Chinese (exit code 2, as click's usage errors)."""

    def __init__(self, message: str, ctx) -> None:
        super().__init__(message, ctx=ctx)

    def format_message(self) -> str:
        return self.message


def param_label(param) -> str:
    """`--jobs / -j` for an option, `较早版本` for an argument (as the help shows them)."""
    if param is None:
        return "参数"
    if param.param_type_name == "argument":
        return param.metavar or param.name
    return " / ".join(param.opts)


# pydantic's messages for the value types annex's options use -> what is expected, in Chinese
_EXPECTED = (
    ("valid integer", "整数，例如 2"),
    ("valid number", "数字，例如 60"),
    ("valid boolean", "true 或 false"),
    ("valid path", "文件或文件夹的路径"),
)


def chinese(e: Exception) -> str | None:
    """The Chinese message for a usage error of typer's click, or None for one not known here."""
    kind = type(e).__name__
    ctx = getattr(e, "ctx", None)
    if kind == "NoSuchOption":
        near = sorted(getattr(e, "possibilities", None) or [])
        hint = f"；是不是想写 {'、'.join(near)}？" if near else ""
        return f"没有 {e.option_name} 这个选项{hint}"
    if kind == "MissingParameter":
        param = e.param
        what = "参数" if param is not None and param.param_type_name == "argument" else "选项"
        return f"缺少{what}「{param_label(param)}」"
    if kind == "BadParameter":
        expected = next((zh for en, zh in _EXPECTED if en in e.message), None)
        label = param_label(e.param)
        return f"「{label}」的值应是{expected}" if expected else f"「{label}」的值无效"
    if kind == "BadOptionUsage":
        if "requires" in e.message:
            return f"选项 {e.option_name} 后面要写一个值"
        if "does not take a value" in e.message:
            return f"选项 {e.option_name} 不带值，请去掉「=」及后面的内容"
        return f"选项 {e.option_name} 的用法不对"
    if kind == "UsageError":
        text = e.message
        if text.startswith("Got unexpected extra argument"):
            extra = text[text.rfind("(") + 1:text.rfind(")")]
            return f"多余的参数：{extra}"
        if text.startswith("No such command"):
            name = re.match(r"No such command '(.*?)'", text)
            near = re.search(r"Did you mean '(.*?)'", text)
            have = "、".join(ctx.command.list_commands(ctx)) if ctx is not None else ""
            return (f"没有「{name.group(1) if name else ''}」这个命令"
                    + (f"（是不是想写 {near.group(1)}？）" if near else "")
                    + (f"；可用的命令：{have}" if have else ""))
        if text.startswith("Missing command"):
            return "缺少命令"
    return None


@contextmanager
def said_in_chinese():
    """Re-raise a usage error of the command line as `UsageInChinese`; everything else as it was."""
    try:
        yield
    except UsageInChinese:
        raise
    except typer.TyperException as e:
        text = chinese(e)
        if text is None:
            raise
        raise UsageInChinese(text, getattr(e, "ctx", None)) from None


def _no_type(ctx) -> str:
    return ""


class ChineseUsage:
    """The usage line in Chinese: `用法：annex build [选项]`, and no type shown for -h (a flag).
    Mixed into the app's command classes."""

    def get_params(self, ctx):
        """An argument with a metavar shows no type (`<list[Path]>`): its metavar says what it is."""
        params = super().get_params(ctx)
        for param in params:
            if param.param_type_name == "argument" and param.metavar:
                param.display_type_rich = _no_type
        return params

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.metavar = ""  # typer shows a flag's metavar in the type column: `<bool>` otherwise
        return option

    def format_usage(self, ctx, formatter) -> None:
        # a required argument bare (`文件...`), not in typer's braces (`{文件}...`); optional ones keep `[…]`
        pieces = [re.sub(r"^\{([^}]*)\}", r"\1", piece) for piece in self.collect_usage_pieces(ctx)]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=USAGE_PREFIX)


def text_shown_as(label: str) -> type:
    """A text type that the help's type column shows as `<label>`: typer names an argument's type by
    its class (`<str>` otherwise). Given as the argument's annotation, with `parser=` the same type."""
    return type(label, (str,), {})


VersionText = text_shown_as("版本")
KindText = text_shown_as("种类")
