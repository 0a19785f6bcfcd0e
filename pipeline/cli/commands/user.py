"""annex user: the accounts of annex serve (add, list, passwd, remove)."""

from __future__ import annotations

import getpass
import sys
from typing import Annotated, Optional

import typer

from pipeline.cli.commands.serve import DEFAULT_ROOT, RootOpt
from pipeline.cli.options import BadOption
from pipeline.cli.output import say
from pipeline.problems.phrases import listing

ACTIONS = ("add", "list", "passwd", "remove")


def read_password() -> str:
    """Twice from a terminal (they must match); once, one line, from standard input otherwise."""
    if sys.stdin.isatty():
        first = getpass.getpass("密码：")
        if getpass.getpass("再输入一次：") != first:
            raise BadOption("user-passwords-differ")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def user(
    action: Annotated[str, typer.Argument(help="add 新建账户，list 列出，passwd 改密码，remove 删除（保留工作区的文件）。",
                                          show_default=False, metavar="add|list|passwd|remove")],
    name: Annotated[Optional[str], typer.Argument(help="用户名。", show_default=False, metavar="用户名")] = None,
    workspace: Annotated[Optional[str], typer.Option("--workspace", "-w", help="工作区（一个单位一个）；add 时必填。",
                                                     show_default=False, metavar="工作区")] = None,
    root: RootOpt = DEFAULT_ROOT,
) -> None:
    """管理网页服务（make serve）的账户。"""
    from pipeline.serve import auth
    from pipeline.serve.db import Database
    from pipeline.serve.settings import Settings
    from pipeline.serve.workspace import workspace as make_workspace

    if action not in ACTIONS:
        raise BadOption("user-action", action=action, actions=listing(ACTIONS))
    db = Database(Settings(root).db_path)
    if action == "list":
        accounts = db.accounts()
        for a in accounts:
            say(f"{a.name}  工作区 {a.workspace}")
        if not accounts:
            say("还没有账户；用 annex user add 用户名 --workspace 工作区名 新建")
        return
    if not name:
        raise BadOption("user-name-needed", action=action)
    auth.check_name(name)
    if action == "add":
        if not workspace:
            raise BadOption("user-workspace-needed")
        auth.check_workspace(workspace)
        if db.account(name) is not None:
            raise BadOption("user-exists", name=name)
        hashed = auth.hash_password(read_password())
        make_workspace(root, workspace).create()
        import time

        db.add_account(name, workspace, hashed, time.time())
        say(f"已新建用户「{name}」，工作区 {workspace}（{root / workspace}）", "green")
    elif action == "passwd":
        if db.account(name) is None:
            raise BadOption("user-missing", name=name)
        db.set_hash(name, auth.hash_password(read_password()))
        say(f"已更改「{name}」的密码；其已登录的会话均已结束", "green")
    else:
        if not db.remove_account(name):
            raise BadOption("user-missing", name=name)
        say(f"已删除用户「{name}」；工作区的文件保留不动", "green")
