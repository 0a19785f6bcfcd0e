"""The `annex` command: check, schema (and build, history, diff, verify)."""

from __future__ import annotations

import gc
import json
import os
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.markup import escape
from rich.text import Text

from pipeline import __version__, archive
from pipeline.cli import zh  # noqa: F401  (Chinese help chrome)
from pipeline.build import FORMATS, BuildOptions, BuildReport, CheckFailed, Hooks, Workers
from pipeline.build import build as run_build
from pipeline.errors import Abort
from pipeline.check.problems import display_path

# The loader, the checks and their reports are imported by the commands that use them: a build
# with nothing to do never needs them (they are a third of its time).

# The imported modules live until the process ends: keep their objects out of the garbage
# collector's passes, the last of which, at exit, took 0.1 s of a 0.5 s build with nothing to do.
gc.freeze()

app = typer.Typer(
    name="annex",
    help="由结构化数据生成《项目支出绩效自评表》（附件 2）的 Word 与 PDF 汇编。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

ProblemsOpt = Annotated[str, typer.Option(
    "--problems", help="问题列表的样式：lines（每个问题一行，以「文件:行:列」开头，便于复制和搜索）、"
    "table（表格）；默认在终端里用表格，输出到文件或管道时用 lines。", show_default=False)]
DataOpt = Annotated[Path, typer.Option("--data", "-d", help="数据文件夹（其中每个年度一个子文件夹）。", show_default=True)]
YearOpt = Annotated[Optional[int], typer.Option("--year", "-y", help="年度；默认取数据文件夹里最新的年度。", show_default=False)]
OutOpt = Annotated[Path, typer.Option("--out", "-o", help="输出文件夹（归档在其中的 archive/ 下）。", show_default=True)]
ArchiveYearOpt = Annotated[Optional[int], typer.Option("--year", "-y", help="年度；默认取归档里最新的年度。", show_default=False)]


def print_error(message: str) -> None:
    err_console.print(f"[red]错误：[/red]{message}")


def fail(message: str) -> typer.Exit:
    print_error(message)
    return typer.Exit(1)


def resolve_year_dir(data: Path, year: int | None) -> Path:
    """The year folder to work on, or exit with a message saying what exists."""
    from pipeline.input.folders import YearNotFound, find_year_dir

    try:
        return find_year_dir(data, year)
    except YearNotFound as e:
        raise fail(e.message)


def version_callback(value: bool) -> None:
    if value:
        console.print(f"annex {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", callback=version_callback, is_eager=True, help="显示版本并退出。")] = False,
) -> None:
    """由结构化数据生成《项目支出绩效自评表》的 Word 与 PDF 汇编。"""


def problem_style(name: str) -> str:
    from pipeline.check.report import PROBLEM_STYLES

    if name not in PROBLEM_STYLES:
        raise fail(escape(f"--problems 只能是 {'、'.join(PROBLEM_STYLES)}，不是「{name}」"))
    return name


@app.command()
def check(
    data: DataOpt = Path("data"),
    year: YearOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出问题列表（供其他程序读取）。")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="把警告也当作错误（有警告时退出码为 1）。")] = False,
    problems: ProblemsOpt = "auto",
) -> None:
    """检查一个年度的数据：列出所有错误和警告，有错误时退出码为 1。"""
    from pipeline.check import check_year
    from pipeline.check.report import issues_json, print_issues, summary_line

    style_of_problems = problem_style(problems)
    year_dir = resolve_year_dir(data, year)
    result = check_year(year_dir, glyphs=True)
    where = display_path(year_dir)
    n_err, n_warn = len(result.errors), len(result.warnings)
    if strict:
        n_err, n_warn = n_err + n_warn, 0
    projects = len(result.input.projects)
    accepted = len(result.accepted)
    if as_json:
        console.print_json(issues_json(where, projects, result.issues, n_err, n_warn, accepted))
    else:
        print_issues(console, result.issues, style_of_problems)
        style = "red" if n_err else ("yellow" if n_warn else "green")
        console.print(f"[{style}]{summary_line(where, projects, n_err, n_warn, accepted)}[/{style}]")
    if n_err:
        raise typer.Exit(1)


@app.command()
def schema(
    which: Annotated[str, typer.Argument(help="project（项目文件）或 department（单位文件）。")] = "project",
) -> None:
    """输出项目文件的 JSON Schema（供编辑器补全和检查）。"""
    from pipeline.input.model import department_schema, project_schema

    if which not in ("project", "department"):
        raise fail("只能是 project 或 department")
    doc = project_schema() if which == "project" else department_schema()
    typer.echo(json.dumps(doc, ensure_ascii=False, indent=2))


# --- build ------------------------------------------------------------------------------------

def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def max_jobs() -> int:
    return 2 * default_jobs()


def cli_hooks(progress: Progress) -> Hooks:
    """The progress display starts with the first slow step: a nothing-changed build prints only its summary."""

    def waiting(holder: str) -> None:
        who = f"（进程 {holder}）" if holder else ""
        err_console.print(f"另一个 annex build{who}正在生成同一年度，等待它完成……")

    def show(description: str, total: int | None) -> None:
        if not progress.live.is_started:
            progress.start()
        for task in progress.tasks:
            progress.update(task.id, visible=False)
        progress.add_task(description, total=total)

    def advance(n: int) -> None:
        progress.advance(progress.tasks[-1].id, n)

    return Hooks(waiting=waiting, checking=lambda: show("检查数据", None),
                 rendering=lambda total: show("生成", total), advance=advance)


def say(text: str, style: str | None = None) -> None:
    """One line as written: no markup, no wrapping inside paths and names."""
    console.print(Text(text, style=style or ""), soft_wrap=True)


def print_build_report(r: BuildReport, watching: bool = False) -> None:
    where = display_path(r.build_dir)
    if r.stale_removed:
        say(f"已清除上次中断的构建留下的临时文件夹：{'、'.join(r.stale_removed)}", "dim")
    if r.kept_aside:
        say(f"上一次的 {where} 里有 {len(r.kept_aside)} 个文件不是 annex 生成的或被修改过，未删除，已移到：", "yellow")
        for p in r.kept_aside:
            say(f"  {display_path(Path(p))}", "yellow")
    kinds = "、".join(r.formats)
    if r.nothing_rendered:
        say(f"没有变化：{r.tables} 张表都是最新的，未重新生成任何文件。", "green")
    else:
        bundles = f"，汇编（{'、'.join(r.rendered_bundles)}）已重新组装" if r.rendered_bundles else ""
        say(f"已生成 {r.year} 年度：共 {r.tables} 张表，重新生成 {len(r.rendered_tables)} 张（{kinds}）{bundles}。", "green")
    pages = f"PDF 汇编 {r.pages} 页" if r.pages is not None else "页数：未生成 PDF"
    warn = f"{r.warnings} 个警告（运行 annex check 查看）" if r.warnings else "没有警告"
    say(f"{pages}；{warn}")
    if r.pdf_fonts:
        say(f"PDF 字体：{r.pdf_fonts}")
    say("写入：" if not r.nothing_rendered else "输出（未改动）：")
    for p in r.bundle_files:
        say(f"  {display_path(p)}")
    say(f"  {where}/分表/（{r.table_files} 个文件）")
    if r.archived is not None:
        say(f"归档：新版本 {display_path(r.archived.path)}")
        for note in r.archived.notes:
            say(f"  注意：{note}", "yellow")
    elif r.archive_latest is not None:
        say(f"归档：输出与最新版本 {r.archive_latest} 相同，未新增版本")
    else:
        say("归档：监视期间不归档" if watching else "归档：未归档（--no-archive）")
    say(f"用时 {r.seconds:.2f} 秒")


def build_and_report(opts: BuildOptions, workers: Workers | None = None, problems: str = "auto") -> bool:
    """One build, with its progress display, then its report or its errors. True if it built."""
    year_dir = opts.year_dir
    target = display_path(opts.out / year_dir.name)
    progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), console=console, transient=True, disable=not console.is_terminal)
    try:
        try:
            report = run_build(opts, cli_hooks(progress), workers)
        finally:
            if progress.live.is_started:
                progress.stop()
    except CheckFailed as e:
        from pipeline.check.report import print_issues, summary_line

        result = e.result
        print_issues(console, result.issues, problem_style(problems))
        where = display_path(year_dir)
        summary = summary_line(where, len(result.input.projects), len(result.errors), len(result.warnings),
                               len(result.accepted))
        console.print(f"[red]{summary}[/red]")
        print_error(escape(e.message))
    except Abort as e:  # LockBusy, RenderError, FontError, BuildError: each says what happened and what to do
        print_error(escape(e.message))
    except OSError as e:
        where = f"（{e.filename}）" if e.filename else ""
        print_error(escape(f"读写文件失败：{e.strerror or e}{where}；{target} 仍是上一次完整的输出"))
    except KeyboardInterrupt:
        err_console.print(f"[red]已中断。[/red]{target} 仍是上一次完整的输出，归档未改动。")
        raise typer.Exit(130)
    else:
        print_build_report(report, watching=workers is not None)
        return True
    return False


@app.command()
def build(
    data: DataOpt = Path("data"),
    year: YearOpt = None,
    out: OutOpt = Path("build"),
    formats: Annotated[Optional[list[str]], typer.Option(
        "--format", "-f", help="输出格式 docx 或 pdf；可重复；默认两种都生成。", show_default=False)] = None,
    jobs: Annotated[Optional[int], typer.Option(
        "--jobs", "-j", help="并行生成的进程数；默认为 CPU 核数，最多为核数的 2 倍。", show_default=False)] = None,
    no_archive: Annotated[bool, typer.Option("--no-archive", help="本次输出不存入归档。")] = False,
    wait: Annotated[float, typer.Option("--wait", help="同一年度另有构建在进行时，最多等待的秒数。")] = 60.0,
    watch: Annotated[bool, typer.Option(
        "--watch", "-w", help="生成后继续监视数据与表样，每次保存后自动重新生成（预览，不归档）；按 Ctrl-C 结束。")] = False,
    problems: ProblemsOpt = "auto",
) -> None:
    """生成一个年度的 Word 与 PDF 汇编（只重新生成有变化的表），并存为归档版本。"""
    problem_style(problems)
    year_dir = resolve_year_dir(data, year)
    chosen = tuple(dict.fromkeys(formats or FORMATS))
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown:
        raise fail(escape(f"不支持的格式「{'、'.join(unknown)}」；可用：{'、'.join(FORMATS)}"))
    n_jobs = jobs if jobs is not None else default_jobs()
    if n_jobs < 1:
        raise fail("--jobs 至少为 1")
    if n_jobs > max_jobs():
        raise fail(f"--jobs 最多为 {max_jobs()}（CPU 核数的 2 倍）：更多的进程只多占内存（每个约 100 MB），不会更快")
    opts = BuildOptions(year_dir=year_dir, out=out, formats=chosen, jobs=n_jobs,
                        archive=not (no_archive or watch), wait=wait)
    if watch:
        watch_builds(opts)
    elif not build_and_report(opts, problems=problems):
        raise typer.Exit(1)


def watch_builds(opts: BuildOptions) -> None:
    """annex build --watch: the render processes stay between builds, so a one-figure fix shows
    in the files in a fraction of a second."""
    import signal
    import time

    from pipeline.variant import TEMPLATES_DIR
    from pipeline.build.watch import watch

    workers = Workers(opts.formats, opts.jobs)
    rounds = 0
    # `kill` ends a watch as Ctrl-C does: the workers are stopped, the last outputs stay whole.
    signal.signal(signal.SIGTERM, signal.default_int_handler)

    def rebuild() -> None:
        nonlocal rounds
        rounds += 1
        if rounds > 1:
            console.rule(f"{time.strftime('%H:%M:%S')} 文件有修改，重新生成", style="dim")
        build_and_report(opts, workers)
        say(f"正在监视 {display_path(opts.year_dir)} 与 {display_path(TEMPLATES_DIR)}，保存后自动重新生成；"
            "按 Ctrl-C 结束。", "dim")

    try:
        workers.start(opts.year_dir)
        watch([opts.year_dir, TEMPLATES_DIR], rebuild)
    except KeyboardInterrupt:
        pass
    finally:
        workers.close()
    say("已结束监视。监视期间生成的文件未存入归档：定稿后运行 annex build 存为归档版本。")


# --- the archive ------------------------------------------------------------------------------

def archive_years(out: Path) -> list[int]:
    root = out / "archive"
    return sorted(int(p.name) for p in root.iterdir() if p.is_dir() and p.name.isdigit()) if root.is_dir() else []


Found = list[tuple[int, Path, Optional[archive.Version]]]


def resolve_archive(out: Path, year: int | None) -> tuple[int, Found]:
    years = archive_years(out)
    if year is None:
        if not years:
            raise fail(escape(f"{display_path(out / 'archive')} 里还没有归档版本；先运行 annex build"))
        year = years[-1]
    found = archive.read_versions(archive.archive_dir(out, year))
    if not found:
        have = "、".join(map(str, years)) or "无"
        raise fail(f"{year} 年度还没有归档版本（有归档的年度：{have}）")
    return year, found


def change_summary(v: archive.Version) -> str:
    c = v.manifest.changes
    if not c.previous:
        return f"首个版本（{len(v.manifest.projects)} 个项目）"
    parts = []
    if c.added:
        parts.append("新增 " + "、".join(c.added))
    if c.removed:
        parts.append("删除 " + "、".join(c.removed))
    if c.changed:
        parts.append("修改 " + "、".join(c.changed))
    if c.templates:
        parts.append("表样模板有变化")
    if c.annex_version:
        parts.append(f"annex 版本为 {v.manifest.annex_version}")
    return "；".join(parts) or "仅输出格式或文件有变化"


@app.command()
def history(
    year: ArchiveYearOpt = None,
    out: OutOpt = Path("build"),
) -> None:
    """列出一个年度的归档版本：时间、表数，以及哪些项目有变化。"""
    year, found = resolve_archive(out, year)
    table = Table(title=f"{year} 年度归档（{display_path(archive.archive_dir(out, year))}）", header_style="bold",
                  show_lines=True)
    table.add_column("版本", no_wrap=True)
    table.add_column("时间", no_wrap=True)
    table.add_column("表数", justify="right")
    table.add_column("格式")
    table.add_column("变化", overflow="fold")
    for number, _, v in found:
        if v is None:
            table.add_row(archive.version_name(number), "—", "—", "—",
                          Text(f"清单无法读取；运行 annex verify --year {year} 查看", style="red"))
            continue
        m = v.manifest
        table.add_row(v.name, m.created.replace("T", " ") or "—", str(len(m.projects)), "、".join(m.formats),
                      Text(change_summary(v)))
    console.print(table)


def pick_version(found: Found, text: str, year: int) -> archive.Version:
    number = archive.parse_version(text)
    match = next(((n, v) for n, _, v in found if n == number), None)
    if match is None:
        have = "、".join(archive.version_name(n) for n, _, _ in found)
        raise fail(escape(f"没有版本「{text}」；现有版本：{have}（可写作 v1、1 或 v001）"))
    if match[1] is None:
        raise fail(f"{archive.version_name(match[0])} 的清单无法读取；运行 annex verify --year {year} 查看")
    return match[1]


def archived_bundle(v: archive.Version):
    from pipeline.check import check_year

    result = check_year(v.data_dir, base=v.path)
    if result.bundle is None:
        raise fail(escape(f"{v.name} 存档的数据在当前版本的 annex 下有 {len(result.errors)} 个错误，无法比较；"
                          f"可运行 annex check --data {display_path(v.data_dir.parent)} 查看"))
    return result.bundle


@app.command()
def diff(
    version_a: Annotated[str, typer.Argument(metavar="VA", help="较早的版本，如 v1、1 或 v001。")],
    version_b: Annotated[str, typer.Argument(metavar="VB", help="较晚的版本。")],
    year: ArchiveYearOpt = None,
    out: OutOpt = Path("build"),
) -> None:
    """比较两个归档版本的数据：逐项列出改动的字段，以及新增、删除的项目。"""
    from pipeline.archive.datadiff import change_text, diff_bundles, project_line

    year, found = resolve_archive(out, year)
    a, b = pick_version(found, version_a, year), pick_version(found, version_b, year)
    doubts = archive.doubts(out, year, [a.name, b.name])
    if doubts:
        err_console.print(Text(f"注意：归档核对发现 {len(doubts)} 处问题（{doubts[0].line}），下面的比较可能不可信；"
                               f"运行 annex verify --year {year} 查看", style="yellow"), soft_wrap=True)
    d = diff_bundles(archived_bundle(a), archived_bundle(b))
    say(f"{year} 年度 {a.name} → {b.name}", "bold")
    for c in d.common:
        say("全部表 · " + change_text(c))
    for key in d.added:
        say(f"新增项目：{key}")
    for key in d.removed:
        say(f"删除项目：{key}")
    for change in d.changed:
        say(project_line(change))
    if a.manifest.templates != b.manifest.templates:
        say("表样模板有变化（输出的版式可能不同）")
    if d.empty:
        say("两个版本的数据没有字段上的差别。")


@app.command()
def verify(
    year: Annotated[Optional[int], typer.Option("--year", "-y", help="年度；默认检查所有年度。", show_default=False)] = None,
    out: OutOpt = Path("build"),
    head: Annotated[Optional[str], typer.Option(
        "--head", help="你另行记下的清单哈希（annex verify 打印的 sha256，至少前 12 位）：核对归档仍链到它。",
        show_default=False)] = None,
) -> None:
    """核对归档：版本链、每个版本的每个文件及其权限；有缺失、改动、多余或被替换的内容时退出码为 1。"""
    try:
        found = archive.years(out)
    except Abort as e:
        raise fail(escape(str(e))) from None
    years = [year] if year is not None else found
    if year is not None and year not in found:
        raise fail(f"{year} 年度还没有归档版本")
    reports = [archive.verify_year(out, y) for y in years]
    bad = sum(len(r.problems) for r in reports)
    for r in reports:
        for name, n in r.intact:
            say(f"{r.year}/{name}：{n} 个文件完好", "green")
        for f in r.findings:
            console.print(Text(f.line, style="red" if f.problem else "dim"), soft_wrap=True)
    if head is not None:
        bad += check_recorded_head(head.strip().lower(), reports)
    for r in reports:
        if r.head is not None:
            say(f"{r.year} 年度最新版本 {r.head.version}，清单 sha256：{r.head.sha256}", "bold")
    if not any(r.intact or r.findings for r in reports):
        say(f"{display_path(out / 'archive')} 里还没有归档版本。")
    elif bad:
        raise fail(f"归档有 {bad} 处问题")
    else:
        say("请把最新版本的清单 sha256 记在归档以外的地方（例如报送邮件里）；"
            "以后运行 annex verify --head <sha256> 可确认归档没有被整体改写。", "dim")


def check_recorded_head(text: str, reports: list[archive.YearReport]) -> int:
    """--head: the hash the user kept must be a manifest on a verified chain. Returns problems found."""
    if len(text) < 12 or any(c not in "0123456789abcdef" for c in text):
        raise fail("--head 应是 annex verify 打印的 sha256（64 位十六进制，至少写前 12 位）")
    for r in reports:
        for link in r.chain:
            if link.sha256.startswith(text):
                say(f"记下的哈希是 {r.year}/{link.version} 的清单" +
                    ("：从它到最新版本的链完好" if not r.problems else "，但这个年度的归档有问题（见上）"), "green")
                return 0
    console.print(Text(f"记下的哈希 {text} 不在归档的版本链上：归档被整体改写或替换过，或这个哈希属于别的归档", style="red"),
                  soft_wrap=True)
    return 1
