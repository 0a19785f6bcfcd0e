"""annex's commands run in-process from a test's folder, as the hostile tests drive them."""

from __future__ import annotations

import os
from pathlib import Path

from typer.testing import CliRunner

from pipeline.cli import app

runner = CliRunner()


def run(tmp: Path, *args: str):
    """An annex command run from `tmp` (messages name files as the user sees them)."""
    cwd = os.getcwd()
    os.chdir(tmp)
    try:
        return runner.invoke(app, list(args), env={"COLUMNS": "400"})
    finally:
        os.chdir(cwd)


def build(tmp: Path, *extra: str):
    return run(tmp, "build", "--data", "data", "--year", "2024", "--out", "out", "--jobs", "1", *extra)
