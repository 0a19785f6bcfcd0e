"""annex schema: the JSON Schema of a project or department file, for editors."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from pipeline.cli.options import BadOption
from pipeline.cli.usage import KindText


def schema(
    which: Annotated[KindText, typer.Argument(
        help="project（项目文件）或 department（单位文件）。", metavar="project|department", parser=KindText)] = "project",
) -> None:
    """输出项目文件的 JSON Schema（供编辑器补全和检查）。"""
    from pipeline.input.model import department_schema, project_schema

    if which not in ("project", "department"):
        raise BadOption("schema-which", first="project", second="department")
    doc = project_schema() if which == "project" else department_schema()
    typer.echo(json.dumps(doc, ensure_ascii=False, indent=2))
