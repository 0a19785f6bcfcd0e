"""`make bench`, the server's part: `annex serve` on 127.0.0.1 only, bounded in requests and time.

(a) a one-figure rebuild of the seed's 11 tables through the server (POST 生成 to the finished
    job, render processes kept warm by the server) against the same change under
    `annex build --watch`;
(b) 20 simulated clerks browsing and uploading while two builds run: every answer's time (p50,
    p95, max), failed answers, every upload found in its workspace afterwards (nothing lost), and
    the peak RSS of the server and of all its processes.

    python -m tests.bench.serve [--clerks 20] [--rounds 12] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from tests.bench.__main__ import bench_watch, change_one_figure

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "data" / "2023"
VALID = ROOT / "tests" / "fixtures" / "valid" / "2024"
PASSWORD = "bench-password"
P95_LIMIT_S = 1.0
RSS_LIMIT_MB = 500
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def annex(*args: str, stdin: str = "") -> None:
    r = subprocess.run([sys.executable, "-m", "pipeline", *args], input=stdin, capture_output=True, text=True)
    if r.returncode:
        raise SystemExit(f"annex {' '.join(args)}: {r.stderr}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tree_rss_mb(pid: int) -> tuple[float, float]:
    """(peak RSS of the server process, current RSS of it and all its descendants), in MB."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            pass
    todo, total, peak = [pid], 0.0, 0.0
    while todo:
        p = todo.pop()
        todo += children.get(p, [])
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
                if line.startswith("VmHWM:") and p == pid:
                    peak = int(line.split()[1]) / 1024
        except OSError:
            pass
    return peak, total


class Clerk:
    def __init__(self, url: str, name: str):
        self.http = httpx.Client(base_url=url, follow_redirects=True, timeout=60)
        page = self.http.get("/login")
        r = self.http.post("/login", data={"csrf": _CSRF.search(page.text)[1], "name": name, "password": PASSWORD})
        if r.url.path != "/":
            raise SystemExit(f"{name} 未能登录")
        self.csrf = _CSRF.search(r.text)[1]

    def build(self, year: int) -> str:
        r = self.http.post("/build", data={"csrf": self.csrf, "year": str(year)})
        return r.url.path

    def wait(self, job: str) -> dict:
        for _ in range(36000):  # bounded: an hour at most
            state = self.http.get(job + "/progress").json()
            if state["state"] not in ("queued", "running"):
                return state
            time.sleep(0.05)
        raise SystemExit("生成超时")


def rebuild_through_server(clerk: Clerk, year_dir: Path, runs: int) -> list[float]:
    times = []
    for r in range(runs + 1):  # round 0: the slot's render processes start (not measured)
        change_one_figure(year_dir, r + 1)
        t = time.perf_counter()
        state = clerk.wait(clerk.build(2023))
        if state["state"] != "done":
            raise SystemExit(f"生成失败：{clerk.http.get('/').text[:200]}")
        if r:
            times.append(time.perf_counter() - t)
    return times


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.serve", description="annex serve 的基准")
    parser.add_argument("--clerks", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=12, help="每个模拟用户的操作轮数")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bench")
    args = parser.parse_args(argv)
    work = args.out / "serve"
    shutil.rmtree(work, ignore_errors=True)
    root = work / "workspaces"
    # two builders' workspaces with the seed, and the clerks two to a workspace with a small year
    for n in (1, 2):
        annex("user", "add", f"builder{n}", "--workspace", f"build{n}", "--root", str(root), stdin=PASSWORD)
        shutil.copytree(SEED, root / f"build{n}" / "data" / "2023")
    src = work / "valid" / "2024"
    shutil.copytree(VALID, src)
    book = work / "book.xlsx"
    annex("export", "--data", str(src.parent), "--year", "2024", "--out", str(book))
    book_bytes = book.read_bytes()
    for c in range(args.clerks):
        ws = f"clerks{c // 2}"
        annex("user", "add", f"clerk{c}", "--workspace", ws, "--root", str(root), stdin=PASSWORD)
        (root / ws / "data" / "2024").mkdir(parents=True, exist_ok=True)
        shutil.copy(src / "department.yaml", root / ws / "data" / "2024" / "department.yaml")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "pipeline", "serve", "--root", str(root), "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            try:
                httpx.get(url + "/login", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        builders = [Clerk(url, "builder1"), Clerk(url, "builder2")]
        t = time.perf_counter()
        state = builders[0].wait(builders[0].build(2023))
        cold = time.perf_counter() - t
        print(f"经服务器冷生成（11 张表，含启动渲染进程）：{cold:.2f} s（{state['state']}）")
        server_times = rebuild_through_server(builders[0], root / "build1" / "data" / "2023", args.runs)
        print(f"经服务器改一个数后重新生成：中位数 {statistics.median(server_times):.2f} s（{args.runs} 轮）")
        # the same change under --watch, on a copy of the same data
        wdata = work / "watch" / "2023"
        shutil.copytree(SEED, wdata)
        watch_times, _ = bench_watch("watch", wdata, work / "watch-out", args.runs, dict(os.environ),
                                     _Quiet())
        print(f"annex build --watch 改一个数：中位数 {statistics.median(watch_times):.2f} s")

        clerks = [Clerk(url, f"clerk{c}") for c in range(args.clerks)]
        latencies: list[float] = []
        failures: list[str] = []
        uploaded: dict[str, bytes] = {}
        lock = threading.Lock()

        def timed(clerk: Clerk, method: str, path: str, **kw) -> httpx.Response | None:
            t = time.perf_counter()
            try:
                r = clerk.http.request(method, path, **kw)
            except httpx.HTTPError as e:
                with lock:
                    failures.append(f"{method} {path}: {e}")
                return None
            with lock:
                latencies.append(time.perf_counter() - t)
                if r.status_code >= 400:
                    failures.append(f"{method} {path}: {r.status_code}")
            return r

        def work_as(i: int, clerk: Clerk) -> None:
            ws = f"clerks{i // 2}"
            for n in range(args.rounds):
                timed(clerk, "GET", "/")
                timed(clerk, "GET", "/upload")
                if n % 3 == 0:
                    data = book_bytes
                    r = timed(clerk, "POST", "/upload", data={"csrf": clerk.csrf, "year": "2024"},
                              files={"file": ("book.xlsx", data)})
                    if r is not None and r.status_code < 400:
                        with lock:
                            uploaded[ws] = data
                timed(clerk, "GET", "/years/2024/check")
                timed(clerk, "GET", "/years/2024/history")

        change_one_figure(root / "build1" / "data" / "2023", 7)
        jobs = [builders[0].build(2023), builders[1].build(2023)]
        peak_total = 0.0
        threads = [threading.Thread(target=work_as, args=(i, c)) for i, c in enumerate(clerks)]
        t0 = time.perf_counter()
        for th in threads:
            th.start()
        while any(th.is_alive() for th in threads):
            peak_total = max(peak_total, tree_rss_mb(server.pid)[1])
            time.sleep(0.2)
        load_s = time.perf_counter() - t0
        states = [b.wait(j)["state"] for b, j in zip(builders, jobs)]
        peak_server, _ = tree_rss_mb(server.pid)
        latencies.sort()
        p50 = latencies[len(latencies) // 2]
        p95 = latencies[int(len(latencies) * 0.95)]
        lost = [ws for ws, data in uploaded.items()
                if (root / ws / "data" / "2024" / "自评数据.xlsx").read_bytes() != data]
        print(f"{args.clerks} 个模拟用户 × {args.rounds} 轮，{len(latencies)} 个请求，用时 {load_s:.1f} s，同时两个生成（{'、'.join(states)}）")
        print(f"  响应时间 p50 {p50 * 1000:.0f} ms，p95 {p95 * 1000:.0f} ms，最长 {latencies[-1] * 1000:.0f} ms；"
              f"失败 {len(failures)}；丢失的上传 {len(lost)}")
        print(f"  服务器进程峰值 {peak_server:.0f} MB；服务器及其全部子进程合计峰值 {peak_total:.0f} MB")
        met = [(f"p95 < {P95_LIMIT_S} s", p95 < P95_LIMIT_S), ("无失败、无丢失", not failures and not lost),
               (f"服务器进程 < {RSS_LIMIT_MB} MB", peak_server < RSS_LIMIT_MB),
               ("两个生成都完成", states == ["done", "done"])]
        for what, ok in met:
            print(f"  {'✓' if ok else '✗'} {what}")
        for f in failures[:10]:
            print("  失败：" + f)
        doc = {"cold_s": cold, "server_one_figure_s": server_times, "watch_one_figure_s": watch_times,
               "requests": len(latencies), "p50_s": p50, "p95_s": p95, "max_s": latencies[-1],
               "failures": len(failures), "lost": len(lost), "server_peak_mb": peak_server,
               "tree_peak_mb": peak_total, "targets": [{"target": w, "met": ok} for w, ok in met]}
        (args.out / "serve.json").write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
        print(f"结果已写入 {args.out / 'serve.json'}")
    finally:
        server.terminate()
        server.wait(60)


class _Quiet:
    def print(self, *a, **k) -> None:
        pass


if __name__ == "__main__":
    main()
