"""`make bench` step (f): `annex import` of a 100-table Word bundle (annex's own output of the
synthetic 100-project department) into an empty data folder; target: under 5 s on 2 cores."""

from __future__ import annotations

import shutil
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

IMPORT_TABLES = 100
IMPORT_TARGET_S = 5.0


@dataclass
class ImportResult:
    tables: int
    runs: int
    median_s: float
    peak_rss_mb: float

    def target(self) -> tuple[str, bool]:
        return (f"{self.tables} 张表：导入 Word 汇编 {self.median_s:.2f} s < {IMPORT_TARGET_S:g} s",
                self.median_s < IMPORT_TARGET_S)


def bench_import(work: Path, runs: int, env: dict[str, str], console: Console, measure) -> ImportResult:
    """`measure(cmd, env) -> (seconds, peak MB)` is the bench's own probe (a fresh helper process)."""
    from tests.bench.generate import write_department

    data = work / f"import-{IMPORT_TABLES}"
    shutil.rmtree(data, ignore_errors=True)
    year_dir = write_department(data / "data", IMPORT_TABLES)
    annex = [sys.executable, "-m", "pipeline"]
    measure(annex + ["build", "--data", str(year_dir.parent), "--out", str(data / "build"), "--no-archive",
                     "-f", "docx"], env)
    bundle = next((data / "build" / year_dir.name).glob("*.docx"))
    times, peak = [], 0.0
    for r in range(runs):
        target = data / "imported"
        shutil.rmtree(target, ignore_errors=True)
        seconds, mb = measure(annex + ["import", str(bundle), "--data", str(target)], env)
        got = len(list((target / year_dir.name / "projects").glob("*.yaml")))
        if got != IMPORT_TABLES:
            raise SystemExit(f"导入只写出 {got} 个项目文件，应为 {IMPORT_TABLES}")
        times.append(seconds)
        peak = max(peak, mb)
        console.print(f"  导入 {IMPORT_TABLES} 张表 第 {r + 1}/{runs} 轮: {seconds:.2f} s, {mb:.0f} MB")
    return ImportResult(IMPORT_TABLES, runs, statistics.median(times), peak)
