"""`make bench`'s workbook step: a generated 1000-project year kept as YAML and as one workbook.

Measures, alternating, `annex check` of the YAML year and of the same data as a workbook (no YAML),
and `annex export` of the YAML year to a workbook; medians, and the peak RSS of the largest process.
Targets (issue 14): check of the workbook ≤ 2 × check of the YAML, export ≤ 5 s, peak ≤ 500 MB.

    python -m tests.bench.workbook [--runs 5] [--projects 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from rich.console import Console

from tests.bench.generate import write_department

ROOT = Path(__file__).resolve().parents[2]
WORKBOOK_OVER_YAML = 2.0
EXPORT_S = 5.0
PEAK_MB = 500
STEPS = ("yaml_check", "workbook_check", "export")


@dataclass
class WorkbookResult:
    projects: int
    indicators: int
    runs: int
    median_s: dict[str, float]
    peak_rss_mb: dict[str, float]

    @property
    def workbook_over_yaml(self) -> float:
        return self.median_s["workbook_check"] / self.median_s["yaml_check"]


def run(work: Path, runs: int, env: dict[str, str], console: Console, projects: int = 1000) -> WorkbookResult:
    from tests.bench.__main__ import measure

    yaml_data, book_data = work / "wb-yaml", work / "wb-book"
    for d in (yaml_data, book_data):
        shutil.rmtree(d, ignore_errors=True)
    yaml_year = write_department(yaml_data, projects)
    book_year = book_data / yaml_year.name
    book_year.mkdir(parents=True)
    shutil.copyfile(yaml_year / "department.yaml", book_year / "department.yaml")
    exported = work / "wb-export.xlsx"
    annex = [sys.executable, "-m", "pipeline"]
    steps = {
        "yaml_check": annex + ["check", "--data", str(yaml_data)],
        "workbook_check": annex + ["check", "--data", str(book_data)],
        "export": annex + ["export", "--data", str(yaml_data), "--out", str(exported), "--force"],
    }
    times: dict[str, list[float]] = {s: [] for s in STEPS}
    rss: dict[str, float] = {s: 0.0 for s in STEPS}
    # The first export makes the workbook the check reads (its time is a run like the others).
    for r in range(runs):
        for step in ("export", "yaml_check", "workbook_check"):
            seconds, peak = measure(steps[step], env)
            if step == "export" and r == 0:
                shutil.copyfile(exported, book_year / "自评数据.xlsx")
            times[step].append(seconds)
            rss[step] = max(rss[step], peak)
            console.print(f"  工作簿 {projects} 个项目 第 {r + 1}/{runs} 轮 {step}: {seconds:.2f} s, {peak:.0f} MB")
    from pipeline.build.front import check_year

    indicators = sum(len(g.rows) for f in check_year(book_year).bundle.forms for g in f.goals)
    return WorkbookResult(projects, indicators, runs, {s: statistics.median(v) for s, v in times.items()}, rss)


def targets(r: WorkbookResult) -> list[tuple[str, bool]]:
    peak = max(r.peak_rss_mb.values())
    return [
        (f"工作簿 {r.projects} 个项目：check 工作簿 / check YAML = {r.workbook_over_yaml:.2f} ≤ {WORKBOOK_OVER_YAML}",
         r.workbook_over_yaml <= WORKBOOK_OVER_YAML),
        (f"工作簿 {r.projects} 个项目：export {r.median_s['export']:.2f} s ≤ {EXPORT_S} s", r.median_s["export"] <= EXPORT_S),
        (f"工作簿 {r.projects} 个项目：峰值内存 {peak:.0f} MB ≤ {PEAK_MB} MB", peak <= PEAK_MB),
    ]


def report(r: WorkbookResult, console: Console) -> None:
    m = r.median_s
    console.print(f"工作簿（{r.projects} 个项目，{r.indicators} 条指标，{r.runs} 轮中位数）："
                  f"check YAML {m['yaml_check']:.2f} s · check 工作簿 {m['workbook_check']:.2f} s · "
                  f"export {m['export']:.2f} s · 峰值内存 {max(r.peak_rss_mb.values()):.0f} MB")
    for what, met in targets(r):
        console.print(f"  {'✓' if met else '✗'} {what}", style="green" if met else "red")


def as_json(r: WorkbookResult) -> dict:
    return {**asdict(r), "workbook_over_yaml": r.workbook_over_yaml,
            "targets": [{"target": what, "met": met} for what, met in targets(r)]}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.workbook", description="工作簿的性能基准")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bench")
    args = parser.parse_args(argv)
    console = Console(highlight=False, width=None if sys.stdout.isatty() else 140)
    args.out.mkdir(parents=True, exist_ok=True)
    result = run(args.out / "work", args.runs, dict(os.environ), console, args.projects)
    report(result, console)
    path = args.out / "bench-workbook.json"
    path.write_text(json.dumps(as_json(result), ensure_ascii=False, indent=2), encoding="utf-8")
    console.print(f"结果已写入 {path}")


if __name__ == "__main__":
    main()
