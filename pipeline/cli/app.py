"""The `annex` typer app: its global options, its commands, and the one place that turns an
expected failure (`pipeline.errors.Abort`) into its Chinese message and exit code.

A new command is one module in pipeline/cli/commands/ holding its function, and one line in
`COMMANDS` below.
"""

from __future__ import annotations

import gc
import importlib
from typing import Annotated

import typer

from pipeline import __version__
from pipeline.cli.output import console, print_error, printable_streams
from pipeline.cli.usage import OPTIONS_METAVAR, SUBCOMMAND_METAVAR, ChineseUsage, said_in_chinese
from pipeline.cli.zh import ChineseCommand, ChineseGroup
from pipeline.errors import Abort

# The loader, the checks and their reports are imported inside the commands that use them: a build
# with nothing to do never needs them (they are a third of its time).

# The commands in the order `annex --help` lists them: (the name a user types, the module in
# pipeline/cli/commands/). Each module holds the command as a function of the module's own name
# (`import_` for `annex import`: `import` is a Python keyword).
COMMANDS = [
    ("check", "check"),
    ("import", "import_"),
    ("new-year", "new_year"),
    ("schema", "schema"),
    ("convert", "convert"),
    ("build", "build"),
    ("history", "history"),
    ("diff", "diff"),
    ("verify", "verify"),
    ("export", "export"),
    ("serve", "serve"),
    ("user", "user"),
    ("clean", "clean"),
]


class AnnexGroup(ChineseUsage, ChineseGroup):
    """Every command runs inside `invoke`: an `Abort` from any of them ends here, as its message
    and its exit code; never a traceback. Programming errors are not `Abort`s and keep theirs.
    The command line is parsed here too (the group's options in `make_context`, the command's in
    `invoke`): a mistake in it is said in Chinese (pipeline/cli/usage.py)."""

    def make_context(self, info_name, args, parent=None, **extra):
        printable_streams()
        with said_in_chinese():
            return super().make_context(info_name, args, parent=parent, **extra)

    def invoke(self, ctx):
        try:
            with said_in_chinese():
                return super().invoke(ctx)
        except Abort as e:
            print_error(e.message)
            raise typer.Exit(e.exit_code) from None


class AnnexCommand(ChineseUsage, ChineseCommand):
    """Every command: its usage line in Chinese (`用法：annex build [选项]`). An OSError on a path
    (a name too long, a read-only disk, /proc) becomes one located message naming the option whose
    path it is (pipeline/files/oserrors.py), for every command; here, where the command's parameters are known."""

    def invoke(self, ctx):
        from pipeline.files.oserrors import explained, problem

        try:
            _recover_data(ctx.params.get("data"))
            return super().invoke(ctx)
        except OSError as e:
            if not explained(e):
                raise
            raise problem(e, _path_options(self, ctx)) from None


def _recover_data(data) -> None:
    """Before a command reads or writes the data folder: finish or roll back a write of a year that
    a killed `annex import`/`new-year` left, and remove its temporary files (staged_year.py)."""
    from pathlib import Path

    if isinstance(data, Path) and data.is_dir():
        from pipeline.cli.output import say
        from pipeline.write.staged_year import recover

        for line in recover(data):
            say(line, "dim")


def _path_options(command, ctx) -> dict:
    """The paths the user gave this command, by the name they typed (`--data`, `文件`)."""
    from pathlib import Path

    found = {}
    for p in command.params:
        value = ctx.params.get(p.name)
        label = max(p.opts, key=len) if p.param_type_name == "option" else (p.metavar or p.name)
        for v in value if isinstance(value, (list, tuple)) else [value]:
            if isinstance(v, Path):
                found[label if label not in found else f"{label} {v}"] = v
    return found


app = typer.Typer(
    name="annex",
    cls=AnnexGroup,
    options_metavar=OPTIONS_METAVAR,
    subcommand_metavar=SUBCOMMAND_METAVAR,
    help="由结构化数据生成《项目支出绩效自评表》（附件 2）的 Word 与 PDF 汇编。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

for name, module in COMMANDS:
    function = getattr(importlib.import_module(f"pipeline.cli.commands.{module}"), module)
    app.command(name, cls=AnnexCommand, options_metavar=OPTIONS_METAVAR)(function)


def version_callback(value: bool) -> None:
    if value:
        console.print(f"annex {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option(
        "--version", "-V", callback=version_callback, is_eager=True, help="显示版本并退出。", metavar="")] = False,
) -> None:
    """由结构化数据生成《项目支出绩效自评表》的 Word 与 PDF 汇编。"""


# The imported modules (the commands' among them, hence here at the end) live until the process
# ends: keep their objects out of the garbage collector's passes, the last of which, at exit, took
# 0.1 s of a 0.5 s build with nothing to do.
gc.freeze()
