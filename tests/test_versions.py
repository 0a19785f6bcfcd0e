"""Issue 16 items 5 and 6: what the archive commands show, and what a version means.

History and diff name the year they show (the newest archived year unless --year says otherwise),
print times in the local time zone, `annex diff` alone compares the last two versions, and a
version's note (`annex build --note`) is listed by history. The versions here are stored through
the archive's own `record` (the build's last step) from real data, without rendering: the
commands read only the manifests and the archived data.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import time
from pathlib import Path

import pytest

from pipeline import archive
from pipeline.archive.describe import local_time
from pipeline.files.digest import tree_digest
from pipeline.input.tree import file_hashes
from user_runs import annex

SEED = Path(__file__).resolve().parent.parent / "data" / "2023"


@pytest.fixture
def utc(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def store(root: Path, year: int, note: str = "") -> archive.Version:
    """One archived version of data/<year> as it is now, with a one-file 'bundle'."""
    year_dir = root / "data" / str(year)
    build_dir = root / "build" / str(year)
    build_dir.mkdir(parents=True, exist_ok=True)
    out = build_dir / "bundle.txt"
    out.write_text(year_dir.joinpath("projects", "02-市综治中心.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    snap = archive.Snapshot(
        year=year, build_dir=build_dir, outputs={"bundle.txt": hashlib.sha256(out.read_bytes()).hexdigest()},
        data_dir=year_dir, data_digest=tree_digest(file_hashes(year_dir)), annex_version="test",
        variant="hubei-2023", templates="t", bundle_title="t", formats=["docx", "pdf"], projects=[], note=note,
    )
    return archive.record(archive.archive_dir(root / "build", year), snap)


def set_spent(root: Path, year: int, old: str, new: str) -> None:
    path = root / "data" / str(year) / "projects" / "02-市综治中心.yaml"
    text = path.read_text(encoding="utf-8")
    assert f"执行数: {old}\n" in text
    path.write_text(text.replace(f"执行数: {old}\n", f"执行数: {new}\n"), encoding="utf-8")


@pytest.fixture
def two_years(tmp_path: Path, utc) -> Path:
    """2023 archived three times (v003 with a note), then 2024 once: the newest archived year is 2024."""
    shutil.copytree(SEED, tmp_path / "data" / "2023")
    store(tmp_path, 2023)
    set_spent(tmp_path, 2023, "155.65", "156.65")
    store(tmp_path, 2023)
    set_spent(tmp_path, 2023, "156.65", "157.65")
    store(tmp_path, 2023, note="报送财政局")
    shutil.copytree(SEED, tmp_path / "data" / "2024")
    store(tmp_path, 2024)
    return tmp_path


def test_local_time_follows_tz(monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        assert local_time("2026-11-30T17:54:29+00:00") == "2026-12-01 01:54:29"
        assert local_time("") == "—"
    finally:
        monkeypatch.undo()
        time.tzset()


def test_history_names_its_year_and_shows_local_time_and_notes(two_years, monkeypatch):
    stored = archive.read_versions(archive.archive_dir(two_years / "build", 2023))[0][2].manifest.created
    assert stored.endswith("+00:00")  # recorded under TZ=UTC
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    result = annex(two_years, "history", "--year", "2023")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "2023 年度归档 build/archive/2023"
    shanghai = local_time(stored)
    assert shanghai != stored.replace("T", " ")[:19]
    assert lines[1].startswith(f"v001  {shanghai}  0 张表（docx、pdf）  首个版本")
    assert lines[-2].startswith("v003  ") and lines[-1] == "      备注：报送财政局"
    assert "+00:00" not in result.output

    default = annex(two_years, "history")
    assert default.output.splitlines()[0] == \
        "2024 年度归档 build/archive/2024（归档里最新的年度；其他年度：2023，用 --year 指定）"


def test_diff_alone_compares_the_last_two_versions(two_years):
    result = annex(two_years, "diff", "--year", "2023")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "2023 年度 v002 → v003"
    assert "02-市综治中心 · 执行数: 156.65 → 157.65 · 执行率: 55.95% → 56.30%" in lines

    one = annex(two_years, "diff", "v1", "--year", "2023")  # one version: against the newest
    assert one.output.splitlines()[0] == "2023 年度 v001 → v003"
    assert "02-市综治中心 · 执行数: 155.65 → 157.65" in one.output


def test_diff_says_which_year_it_chose(two_years):
    result = annex(two_years, "diff")
    assert result.exit_code == 1
    assert "2024 年度只有一个可读的归档版本" in result.stderr
    assert annex(two_years, "diff", "v1", "v2").exit_code == 1  # 2024 has no v2 ...
    ok = annex(two_years, "diff", "v1", "v2", "--year", "2023")  # ... 2023 has
    assert ok.exit_code == 0
    assert ok.output.splitlines()[0] == "2023 年度 v001 → v002"


def test_note_refused_where_nothing_is_archived(two_years):
    for args in (["--format", "docx"], ["--no-archive"], ["--watch"]):
        result = annex(two_years, "build", "--note", "报送财政局", *args)
        assert result.exit_code == 1, args
        assert re.search(r"--note 记在归档版本里", result.stderr), result.stderr
