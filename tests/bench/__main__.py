"""`make bench`: for 11 (the seed), 100 and 1000 tables, measure in one run, alternating:

(a) `annex build` cold, (b) the docxtpl + LibreOffice route to the same bundle PDF,
(c) `annex build` after changing one figure in one project, (d) `annex build` with nothing changed;
then, on (d)'s output, (e) the same one-figure change under `annex build --watch`: the time from
the save to the rebuild's report (the watcher's polling included), render processes kept warm.
Last, the workbook step (tests/bench/workbook.py): check and export of a 1000-project workbook,
and (f) `annex import` of a 100-table Word bundle (tests/bench/import_step.py).

Reports medians, the ratios a/b and c/a, and the peak RSS of the largest process of each step, as a
table and as JSON under build/bench/, with the targets of the performance issue met or not.

"Cold" means no previous build output; what a machine keeps between builds stays, as it would
for a user: the compiled bytecode of the package (written here first, as an install does) and
annex's cache of common-character font copies (made by the first build on a machine, ~0.5 s).
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from tests.bench.generate import write_department
from tests.bench.import_step import bench_import

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "data" / "2023"
STEPS = ("cold", "libreoffice", "one_figure", "unchanged")

# The performance issue's targets, checked on each run.
COLD_OVER_LO = 0.8
ONE_FIGURE_OVER_COLD = {11: 0.25, 1000: 0.05}
UNCHANGED_S = 0.6
PEAK_MB_AT_1000 = 500


@dataclass
class SizeResult:
    tables: int
    runs: int
    median_s: dict[str, float]
    peak_rss_mb: dict[str, float]
    cold_over_libreoffice: float
    one_figure_over_cold: float
    watch_one_figure_s: float | None = None  # (e), median
    watch_peak_rss_mb: float | None = None  # the largest process of the watch (main or worker)

    @property
    def annex_peak_mb(self) -> float:
        """The largest process of annex's steps (a), (c), (d), (e): LibreOffice's is the comparison."""
        return max([v for step, v in self.peak_rss_mb.items() if step != "libreoffice"]
                   + [self.watch_peak_rss_mb or 0.0])

    @property
    def watch_over_cold(self) -> float | None:
        return None if self.watch_one_figure_s is None else self.watch_one_figure_s / self.median_s["cold"]


def measure(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(seconds, peak RSS in MB of the largest process) of one command, run in a fresh helper process.

    The helper's RUSAGE_CHILDREN covers the command and every process it started (build workers,
    soffice), and nothing from earlier steps.
    """
    probe = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter(); subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\n"
        "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe, *cmd], check=True, capture_output=True, text=True, env=env)
    seconds, rss_kb = out.stdout.split()
    return float(seconds), int(rss_kb) / 1024


def change_one_figure(year_dir: Path, round_no: int) -> None:
    """Alternate 执行数 of the first project between two values, so every round changes one figure."""
    path = sorted((year_dir / "projects").glob("*.yaml"))[0]
    text = path.read_text(encoding="utf-8")
    value = "1.5" if round_no % 2 else "2.5"
    path.write_text(re.sub(r"^执行数: .*$", f"执行数: '{value}'", text, count=1, flags=re.M), encoding="utf-8")


def bench_size(label: str, year_dir: Path, work: Path, runs: int, env: dict[str, str], console: Console) -> SizeResult:
    annex = [sys.executable, "-m", "pipeline", "build", "--data", str(year_dir.parent), "--year", year_dir.name,
             "--no-archive"]
    times: dict[str, list[float]] = {s: [] for s in STEPS}
    rss: dict[str, float] = {s: 0.0 for s in STEPS}
    tables = len(list((year_dir / "projects").glob("*.yaml")))
    for r in range(runs):
        out = work / f"out-{label}"
        shutil.rmtree(out, ignore_errors=True)
        lo_out = work / f"lo-{label}"
        shutil.rmtree(lo_out, ignore_errors=True)
        steps = [
            ("cold", annex + ["--out", str(out)], None),
            ("libreoffice", [sys.executable, "-m", "tests.bench.lo_route", str(year_dir), str(lo_out)], None),
            ("one_figure", annex + ["--out", str(out)], lambda: change_one_figure(year_dir, r)),
            ("unchanged", annex + ["--out", str(out)], None),
        ]
        for step, cmd, before in steps:
            if before:
                before()
            seconds, peak = measure(cmd, env)
            times[step].append(seconds)
            rss[step] = max(rss[step], peak)
            console.print(f"  {label} 第 {r + 1}/{runs} 轮 {step}: {seconds:.2f} s, {peak:.0f} MB")
    med = {s: statistics.median(v) for s, v in times.items()}
    watch_s, watch_mb = bench_watch(label, year_dir, work / f"out-{label}", runs, env, console)
    return SizeResult(tables, runs, med, rss, med["cold"] / med["libreoffice"], med["one_figure"] / med["cold"],
                      statistics.median(watch_s), watch_mb)


def _peak_mb(pid: int) -> float:
    """The largest peak RSS (VmHWM) among a process and its children, in MB."""
    peak = 0.0
    pids = [pid]
    try:
        pids += [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]) / 1024)
        except OSError:
            pass
    return peak


def bench_watch(label: str, year_dir: Path, out: Path, runs: int, env: dict[str, str],
                console: Console) -> tuple[list[float], float]:
    """(e): `annex build --watch` on the output of (d); per run, one figure changed and the time
    until the watch reports the rebuild. One unmeasured change first: the workers' warm-up."""
    cmd = [sys.executable, "-m", "pipeline", "build", "--data", str(year_dir.parent), "--year", year_dir.name,
           "--out", str(out), "--watch"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)

    def next_report() -> None:
        for line in proc.stdout:
            if line.startswith("正在监视"):
                return
            if line.startswith("错误："):
                raise SystemExit(f"annex build --watch 失败：{line.strip()}")
        raise SystemExit("annex build --watch 意外结束")

    times = []
    try:
        next_report()  # the first build: nothing changed since (d)
        for r in range(runs + 1):
            change_one_figure(year_dir, r + 1)  # round 0 writes what (c)'s last round left: offset by one
            t = time.perf_counter()
            next_report()
            if r:
                times.append(time.perf_counter() - t)
                console.print(f"  {label} 第 {r}/{runs} 轮 watch one_figure: {times[-1]:.2f} s")
        peak = _peak_mb(proc.pid)
    finally:
        # SIGTERM, not SIGINT: a shell ignores SIGINT in what it starts in the background (`make bench &`).
        proc.terminate()
        proc.wait(timeout=60)
    return times, peak


def targets(results: list[SizeResult]) -> list[tuple[str, bool]]:
    """(what, met) for each target the measured sizes allow checking."""
    out = []
    for r in results:
        out.append((f"{r.tables} 张表：冷构建 / LibreOffice = {r.cold_over_libreoffice:.2f} ≤ {COLD_OVER_LO}",
                    r.cold_over_libreoffice <= COLD_OVER_LO))
        if r.tables in ONE_FIGURE_OVER_COLD:
            limit = ONE_FIGURE_OVER_COLD[r.tables]
            out.append((f"{r.tables} 张表：改一个数 / 冷构建 = {r.one_figure_over_cold:.3f} ≤ {limit}",
                        r.one_figure_over_cold <= limit))
        out.append((f"{r.tables} 张表：无变化 {r.median_s['unchanged']:.2f} s < {UNCHANGED_S} s",
                    r.median_s["unchanged"] < UNCHANGED_S))
        if r.watch_over_cold is not None and r.tables in ONE_FIGURE_OVER_COLD:
            limit = ONE_FIGURE_OVER_COLD[r.tables]
            out.append((f"{r.tables} 张表：监视中改一个数 / 冷构建 = {r.watch_over_cold:.3f} ≤ {limit}",
                        r.watch_over_cold <= limit))
        if r.tables == 1000:
            peak = r.annex_peak_mb
            out.append((f"1000 张表：annex 最大进程峰值内存 {peak:.0f} MB ≤ {PEAK_MB_AT_1000} MB", peak <= PEAK_MB_AT_1000))
    return out


def machine() -> dict[str, object]:
    """What the numbers depend on: cores usable, CPU model, OS, Python, date."""
    model = ""
    try:
        model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                      if line.startswith("model name")), "")
    except OSError:
        pass
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count()
    return {"nproc": cores, "cpu": model or platform.processor(), "platform": platform.platform(),
            "python": platform.python_version(), "date": time.strftime("%Y-%m-%d")}


def report(results: list[SizeResult], console: Console) -> Table:
    table = Table(title="annex build 与 docxtpl + LibreOffice 的比较（中位数）")
    for col in ("表数", "(a) 冷构建 s", "(b) LibreOffice s", "(c) 改一个数 s", "(d) 无变化 s", "a/b", "c/a",
                "(e) 监视中改一个数 s", "e/a", "峰值内存 MB annex / LO"):
        table.add_column(col, justify="right")
    for r in results:
        m = r.median_s
        watch = (f"{r.watch_one_figure_s:.2f}", f"{r.watch_over_cold:.3f}") if r.watch_one_figure_s else ("-", "-")
        table.add_row(str(r.tables), f"{m['cold']:.2f}", f"{m['libreoffice']:.2f}", f"{m['one_figure']:.2f}",
                      f"{m['unchanged']:.2f}", f"{r.cold_over_libreoffice:.2f}", f"{r.one_figure_over_cold:.3f}",
                      *watch, f"{r.annex_peak_mb:.0f} / {r.peak_rss_mb['libreoffice']:.0f}")
    console.print(table)
    for what, met in targets(results):
        console.print(f"  {'✓' if met else '✗'} {what}", style="green" if met else "red")
    return table


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description="annex 性能基准")
    parser.add_argument("--sizes", default="11,100,1000", help="表数，逗号分隔；11 使用 data/2023 的真实数据")
    parser.add_argument("--runs", type=int, default=5, help="每个规模测几轮（取中位数）")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bench")
    parser.add_argument("--show", action="store_true", help="只显示上次结果（OUT/bench.json），不重新测量")
    args = parser.parse_args(argv)
    console = Console(highlight=False, width=None if sys.stdout.isatty() else 140)  # a log: the table unwrapped
    if args.show:
        doc = json.loads((args.out / "bench.json").read_text(encoding="utf-8"))
        derived = ("watch_over_cold", "annex_peak_mb")
        host = doc["machine"]
        console.print(f"机器：{host['nproc']} 核，{host['cpu']}，{host['platform']}，Python {host['python']}，{host['date']}")
        report([SizeResult(**{k: v for k, v in r.items() if k not in derived}) for r in doc["results"]], console)
        return
    if shutil.which("soffice") is None:
        raise SystemExit("需要 LibreOffice：先运行 make soffice")
    args.out.mkdir(parents=True, exist_ok=True)
    work = args.out / "work"
    env = dict(os.environ)
    # Bytecode, as an installed package has it (PYTHONDONTWRITEBYTECODE would otherwise make every
    # run compile the package again: 0.1 s of each step).
    compileall.compile_dir(ROOT / "pipeline", quiet=1)
    host = machine()
    console.print(f"机器：{host['nproc']} 核，{host['cpu']}，{host['platform']}，Python {host['python']}，{host['date']}")
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        data = work / f"data-{size}"
        shutil.rmtree(data, ignore_errors=True)
        if size == 11:
            year_dir = data / "2023"
            shutil.copytree(SEED, year_dir)
        else:
            year_dir = write_department(data, size)
        console.print(f"[bold]{size} 张表[/bold]（{year_dir}）")
        results.append(bench_size(str(size), year_dir, work, args.runs, env, console))
    imported = bench_import(work, args.runs, env, console, measure)
    report(results, console)
    from tests.bench import workbook  # the workbook step: check and export of a 1000-project workbook

    book = workbook.run(work, args.runs, env, console)
    workbook.report(book, console)
    what, met = imported.target()
    console.print(f"  {'✓' if met else '✗'} {what}", style="green" if met else "red")
    doc = {
        "machine": host,
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "results": [{**asdict(r), "watch_over_cold": r.watch_over_cold, "annex_peak_mb": r.annex_peak_mb}
                    for r in results],
        "targets": [{"target": what, "met": met} for what, met in targets(results) + [imported.target()]],
        "workbook": workbook.as_json(book),
        "import": asdict(imported),
    }
    path = args.out / "bench.json"
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    console.print(f"结果已写入 {path}")


if __name__ == "__main__":
    main()
