"""`annex` run the way a user runs it, from the folder that holds data/ and build/, and the files
it leaves there."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from pipeline.cli import app

runner = CliRunner()


def annex(root: Path, *args: str):
    """Run the CLI in `root` (which holds data/ and build/), as a user would from that folder."""
    old = Path.cwd()
    os.chdir(root)
    try:
        return runner.invoke(app, list(args))
    finally:
        os.chdir(old)


def files(folder: Path) -> dict[str, bytes]:
    """Every file below `folder` by its relative path, with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def private_copy(tree: Path, tmp_path: Path) -> Path:
    """A copy of a built tree (its links kept as links) for one test to change."""
    root = tmp_path / "w"
    shutil.copytree(tree, root, symlinks=True)
    return root


@functools.cache
def nobody_can_run_annex() -> bool:
    """Root ignores file permissions, so the tests that need them to bind drop to `nobody` with
    setpriv. That works only where `nobody` can reach this interpreter and the package: a checkout
    inside a folder only root may enter (mktemp -d makes one) cannot, and those tests are skipped."""
    if os.geteuid() != 0:
        return False
    try:
        return subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", sys.executable,
                               "-c", "import pipeline.cli"], capture_output=True, timeout=120).returncode == 0
    except OSError:
        return False


NOBODY_SKIP = "nobody cannot run this interpreter and package here (or no setpriv): permissions cannot be tested"
