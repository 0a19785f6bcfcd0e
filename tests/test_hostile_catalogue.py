"""Issue 13's hostile scenarios, each a test that failed before its fix: the data folder is never
written or deleted, every file read is a regular file of bounded size, nothing annex writes goes
through a link, and every mistake is a located message, never a traceback or a hang.

Cases that need an unprivileged user (permissions mean nothing to root) drop to `nobody` with
setpriv; they are skipped when the suite does not run as root.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from scenarios import BASE_PROJECT, make_year

runner = CliRunner()
ANNEX = [sys.executable, "-m", "pipeline"]


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


def check(tmp: Path, *extra: str):
    return run(tmp, "check", "--data", "data", "--year", "2024", *extra)


def tree(root: Path) -> dict[str, str]:
    """Every entry under root: files by content, links by target, folders by name."""
    out = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        if p.is_symlink():
            out[rel] = "-> " + os.readlink(p)
        elif p.is_file():
            out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
        else:
            out[rel] = "dir"
    return out


def no_traceback(result) -> None:
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)


def project(tmp: Path) -> Path:
    return tmp / "data" / "2024" / BASE_PROJECT


def set_line(path: Path, key: str, value: str) -> None:
    """Replace the `key: …` line of a YAML file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [f"{key}: {value}" if ln.startswith(f"{key}:") else ln for ln in lines]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# --- 1. the output folder never overlaps the data -------------------------------------------------

@pytest.mark.parametrize("out", ["data", "data/2024", "data/2024/out", "data/2023", ".", "data/../data"])
def test_output_overlapping_the_data_is_refused_before_anything_is_written(tmp_path, out):
    make_year(tmp_path)
    before = tree(tmp_path)
    result = run(tmp_path, "build", "--data", "data", "--year", "2024", "--out", out, "--jobs", "1",
                 "--format", "docx")
    no_traceback(result)
    assert result.exit_code == 1
    assert "重叠" in result.output and "--out" in result.output
    assert tree(tmp_path) == before  # not even the lock file


def test_output_overlap_is_seen_through_a_link(tmp_path):
    make_year(tmp_path)
    os.symlink("data", tmp_path / "alias")
    before = tree(tmp_path / "data")
    result = run(tmp_path, "build", "--data", "data", "--year", "2024", "--out", "alias/2024", "--jobs", "1")
    assert result.exit_code == 1 and "重叠" in result.output
    assert tree(tmp_path / "data") == before


def test_data_inside_the_output_folder_is_refused(tmp_path):
    make_year(tmp_path / "out")
    result = run(tmp_path, "build", "--data", "out/data", "--year", "2024", "--out", "out", "--jobs", "1")
    no_traceback(result)
    assert result.exit_code == 1 and "包含数据文件夹" in result.output


def test_a_linked_year_output_is_refused_and_its_target_kept(tmp_path):
    make_year(tmp_path)
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep.txt").write_text("mine")
    (tmp_path / "out").mkdir()
    os.symlink(victim, tmp_path / "out" / "2024")
    result = build(tmp_path, "--format", "docx")
    no_traceback(result)
    assert result.exit_code == 1 and "符号链接" in result.output
    assert tree(victim) == {"keep.txt": hashlib.sha256(b"mine").hexdigest()}
