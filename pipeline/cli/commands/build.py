"""annex build: a year's Word and PDF bundle (only changed tables re-rendered), archived; with
--watch, again after every save."""

from __future__ import annotations

import os
from typing import Annotated, Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.text import Text

from pipeline.build import FORMATS, BuildOptions, BuildReport, CheckFailed, Hooks, Workers
from pipeline.build import build as run_build
from pipeline.cli.options import DEFAULT_DATA, DEFAULT_OUT, BadOption, DataOpt, OutOpt, ProblemsOpt, YearOpt, problem_style
from pipeline.cli.output import console, err_console, print_error, say
from pipeline.errors import Abort
from pipeline.files.paths import display_path
from pipeline.input.folders import find_year_dir
from pipeline.hints import annex_command
from pipeline.problems.phrases import listing


def build(
    data: DataOpt = DEFAULT_DATA,
    year: YearOpt = None,
    out: OutOpt = DEFAULT_OUT,
    formats: Annotated[Optional[list[str]], typer.Option(
        "--format", "-f", help="输出格式：docx 或 pdf，可重复；默认两种都生成。", show_default=False,
        metavar="docx|pdf")] = None,
    jobs: Annotated[Optional[int], typer.Option(
        "--jobs", "-j", help="并行生成的进程数；默认为 CPU 核数，最多为核数的 2 倍。", show_default=False,
        metavar="进程数")] = None,
    no_archive: Annotated[bool, typer.Option("--no-archive", help="本次输出不存入归档。", metavar="")] = False,
    wait: Annotated[float, typer.Option("--wait", help="同一年度另有构建在进行时最多等待的秒数。", metavar="秒")] = 60.0,
    watch: Annotated[bool, typer.Option(
        "--watch", "-w", help="生成后继续监视数据与表样，每次保存后自动重新生成（预览，不归档）；按 Ctrl-C 结束。",
        metavar="")] = False,
    note: Annotated[Optional[str], typer.Option(
        "--note", help="记在这次归档版本里的一句备注（如「报送财政局」），history 命令会列出。", show_default=False,
        metavar="备注")] = None,
    problems: ProblemsOpt = "auto",
) -> None:
    """生成一个年度的 Word 与 PDF 汇编（只重新生成有变化的表），并存为归档版本。"""
    problem_style(problems)
    formats = [f.strip().lower() for f in formats] if formats else None  # --format PDF as --format pdf
    note_text = checked_note(note, formats, no_archive, watch)
    year_dir = find_year_dir(data, year)
    chosen = tuple(dict.fromkeys(formats or FORMATS))
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown:
        raise BadOption("build-format", unknown=listing(unknown), formats=listing(FORMATS))
    n_jobs = jobs if jobs is not None else default_jobs()
    if n_jobs < 1:
        raise BadOption("build-jobs-too-few")
    if n_jobs > max_jobs():
        raise BadOption("build-jobs-too-many", most=max_jobs())
    opts = BuildOptions(year_dir=year_dir, out=out, formats=chosen, jobs=n_jobs,
                        archive=not (no_archive or watch), wait=wait, note=note_text)
    if watch:
        watch_builds(opts)
    elif not build_and_report(opts, problems=problems):
        raise typer.Exit(1)


def checked_note(note: str | None, formats: list[str] | None, no_archive: bool, watch: bool) -> str:
    """--note goes with an archived, complete bundle: refused where nothing would be archived."""
    if note is None:
        return ""
    text = " ".join(note.split())
    if not text:
        raise BadOption("note-empty")
    if any(0xdc80 <= ord(c) <= 0xdcff or ord(c) < 0x20 or 0x7f <= ord(c) < 0xa0 for c in text):
        # bytes that are not UTF-8 (a terminal in GBK) cannot go into the manifest, which is UTF-8 JSON:
        # the build crashed after swapping its outputs in, with no version archived
        raise BadOption("note-unsavable")
    if no_archive or watch:
        raise BadOption("note-not-archived", option="--no-archive" if no_archive else "--watch")
    if formats and set(formats) != set(FORMATS):
        raise BadOption("note-some-formats")
    return text


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def max_jobs() -> int:
    return 2 * default_jobs()


def build_and_report(opts: BuildOptions, workers: Workers | None = None, problems: str = "auto") -> bool:
    """One build, with its progress display, then its report or its errors. True if it built.

    An expected failure (an `Abort`) of a single build goes on to the app, which prints it; a
    watch reports it here and waits for the next save."""
    year_dir = opts.year_dir
    target = display_path(opts.out / year_dir.name)
    progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), console=console, transient=True, disable=not console.is_terminal)
    try:
        try:
            report = run_build(opts, progress_hooks(progress), workers)
        finally:
            if progress.live.is_started:
                progress.stop()
    except CheckFailed as e:
        from pipeline.problems.report import print_issues, summary_line

        result = e.result
        print_issues(console, result.issues, problem_style(problems))
        where = display_path(year_dir)
        summary = summary_line(where, len(result.input.projects), len(result.errors), len(result.warnings),
                               len(result.accepted))
        console.print(f"[red]{summary}[/red]")
        if workers is None:
            raise  # the app prints its message and exits with its code
        print_error(e.message)
    except Abort as e:  # LockBusy, RenderError, FontError, BuildError: each says what happened and what to do
        if workers is None:
            raise  # the app prints it and exits with its code
        print_error(e.message)  # a watch reports it and goes on to the next save
    except OSError as e:
        from pipeline.files.oserrors import describe

        print_error(f"读写文件失败：{describe(e)}；{target} 仍是上一次完整的输出")
    except KeyboardInterrupt:
        err_console.print(Text.assemble(("已中断。", "red"), f"{target} 仍是上一次完整的输出，归档未改动。"))
        raise typer.Exit(130)
    else:
        print_build_report(report, watching=workers is not None)
        return True
    return False


def progress_hooks(progress: Progress) -> Hooks:
    """The progress display starts with the first slow step: a nothing-changed build prints only its summary."""

    def waiting(holder: str) -> None:
        who = f"（进程 {holder}）" if holder else ""
        err_console.print(f"另一次生成{who}正在写入同一年度，等待它完成……")

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


def print_build_report(r: BuildReport, watching: bool = False) -> None:
    where = display_path(r.build_dir)
    if r.stale_removed:
        say(f"已清除上次中断的构建留下的临时文件夹：{'、'.join(r.stale_removed)}", "dim")
    if r.kept_aside:
        from pipeline.build.keep import summary

        for line in summary(r.build_dir, r.kept_aside):
            say(line, "yellow")
    kinds = "、".join(r.formats)
    if r.nothing_rendered:
        say(f"没有变化：{r.tables} 张表都是最新的，未重新生成任何文件。", "green")
    else:
        bundles = f"，汇编（{'、'.join(r.rendered_bundles)}）已重新组装" if r.rendered_bundles else ""
        say(f"已生成 {r.year} 年度：共 {r.tables} 张表，重新生成 {len(r.rendered_tables)} 张（{kinds}）{bundles}。", "green")
    pages = f"PDF 汇编 {r.pages} 页" if r.pages is not None else "页数：未生成 PDF"
    if r.long_tables:
        pages += f"（{len(r.long_tables)} 张表超过一页，见下）"
    warn = f"{r.warnings} 个警告（运行 {annex_command('check', '--year', r.year)} 查看）" if r.warnings else "没有警告"
    say(f"{pages}；{warn}")
    for table, n, pdf in r.long_tables:  # laid out by the PDF renderer: its real page count
        say(f"警告 {table}：这张表印成了 {n} 页（{where}/{pdf}），财政局一般要求每个项目一页；"
            "请精简这个项目较长的文字（如偏差原因分析、改进措施、指标说明）后再生成", "yellow")
    if r.pdf_fonts:
        say(f"PDF 字体：{r.pdf_fonts}")
    say("写入：" if not r.nothing_rendered else "输出（未改动）：")
    for p in r.bundle_files:
        say(f"  {display_path(p)}")
    say(f"  {where}/分表/（{r.table_files} 个文件）")
    if r.archived is not None:
        note = f"（备注：{r.archived.manifest.note}）" if r.archived.manifest.note else ""
        say(f"归档：新版本 {display_path(r.archived.path)}{note}")
        for note in r.archived.notes:
            say(f"  注意：{note}", "yellow")
    elif r.archive_latest is not None:
        say(f"归档：输出与最新版本 {r.archive_latest} 相同，未新增版本")
    elif watching:
        say("归档：监视期间不归档")
    elif r.partial:
        say(f"归档：只生成了 {kinds}，不是完整的一套（{'、'.join(FORMATS)}），未归档；"
            f"运行 {annex_command('build', '--year', r.year)}（不加 --format）生成全部格式即存为归档版本")
    else:
        say("归档：未归档（--no-archive）")
    say(f"用时 {r.seconds:.2f} 秒")


def watch_builds(opts: BuildOptions) -> None:
    """annex build --watch: the render processes stay between builds, so a one-figure fix shows
    in the files in a fraction of a second."""
    import signal
    import time

    from pipeline.build.watch import watch
    from pipeline.variant import TEMPLATES_DIR

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
    say(f"已结束监视。监视期间生成的文件未存入归档：定稿后运行 {annex_command('build')} 存为归档版本。")
