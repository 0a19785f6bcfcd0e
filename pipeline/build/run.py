"""`build()`: one year's bundle, re-rendering only what changed, swapped in whole, then archived.

Read top to bottom, `build` is the story; each step is a function below it, in the same order.
"""

from __future__ import annotations

import time
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline import __version__, archive
from pipeline.build import keep, paths, report_step, tasks
from pipeline.build.atomic import build_lock, remove_tree, swap_in, write_atomic, write_file
from pipeline.build.errors import BuildError, CheckFailed, RenderError
from pipeline.build.options import BuildOptions, BuildReport, Hooks
from pipeline.build.plan import (FORMATS, SUMMARY_FORMAT, TABLES_DIR, Plan, fonts_fingerprint, make_plan, table_path,
                                  unchanged)
from pipeline.build.staging import aside_path, clean_leftovers, link_kept, lock_path, staging_path
from pipeline.build.state import STATE_FILE, BuildState, OutputFile, ProjectState, load_state, outputs_present
from pipeline.build.workers import Task, Workers
from pipeline.files import display_path, tree_digest

if TYPE_CHECKING:  # imported where used: a build with nothing to do never loads them
    from pipeline.build.front import CheckResult
    from pipeline.form.filled import FilledBundle
    from pipeline.form.report import FilledReport
    from pipeline.form.summary import Summary
    from pipeline.variant import Variant


@dataclass
class Context:
    """One build: what it was asked, where it writes, and what it found before rendering."""

    opts: BuildOptions
    hooks: Hooks
    year: int
    build_dir: Path
    formats: tuple[str, ...]
    previous: BuildState | None = None  # the last build's record, if it can be trusted
    data_digest: str = ""  # of the year folder, as this build reads it
    kept_aside: list[str] = field(default_factory=list)  # user's files moved out of the previous build
    report: FilledReport | None = None  # the 自评报告 draft, when the variant has one (build/report_step.py)


def build(opts: BuildOptions, hooks: Hooks | None = None, workers: Workers | None = None) -> BuildReport:
    """Build one year. `workers`: render processes kept between builds (annex build --watch);
    without it, the build forks its own and ends them when done."""
    start = time.monotonic()
    year = int(opts.year_dir.name)
    ctx = Context(opts, hooks or Hooks(), year, opts.out / str(year), tuple(f for f in FORMATS if f in opts.formats))
    paths.check_disjoint(opts.year_dir.parent, opts.out, opts.year_dir)  # before anything is created
    paths.check_year_output(opts.out, year)
    opts.out.mkdir(parents=True, exist_ok=True)
    with build_lock(lock_path(opts.out, year), opts.wait, ctx.hooks.waiting, display_path(ctx.build_dir)) as lock_fd:
        removed = clean_leftovers(opts.out, year)
        ctx.previous = load_state(ctx.build_dir)
        ctx.data_digest = data_digest(opts.year_dir)
        if ctx.previous is not None and unchanged(ctx.previous, ctx.data_digest, ctx.formats) \
                and outputs_present(ctx.build_dir, ctx.previous):
            # The same files as last time: answered without loading them (a few tenths of a second).
            state, plan = ctx.previous, None
        else:
            with nullcontext(workers) if workers is not None else Workers(ctx.formats, opts.jobs) as pool:
                pool.start(opts.year_dir, lock_fd, warm=ctx.previous.variant if ctx.previous else None)
                state, plan = _build_changed(ctx, pool)
        # A version is a complete issued bundle: a build of fewer formats updates build/<year> only.
        complete = set(ctx.formats) == set(FORMATS)
        report = _report(ctx, state, plan, _archive(ctx, state) if opts.archive and complete else (None, None))
    return replace(report, seconds=time.monotonic() - start, stale_removed=removed, kept_aside=ctx.kept_aside,
                   partial=not complete)


def data_digest(year_dir: Path) -> str:
    """Every entry of the year folder, by path and content: unchanged means nothing to load again.
    The same walk `check` reports from: links are never followed, only marked (input/tree.py)."""
    from pipeline.input.tree import file_hashes

    return tree_digest(file_hashes(year_dir))


def _build_changed(ctx: Context, workers: Workers) -> tuple[BuildState, Plan | None]:
    """Check the data, plan, render what changed into a staging folder and swap it in. The plan is
    None when nothing had to be rendered (only the record changed)."""
    result = _check(ctx)
    bundle, variant = result.bundle, result.input.variant
    from pipeline.form.summary import build_summary

    summary = build_summary(bundle, variant)
    templates = variant.fingerprint()
    fonts_fp = fonts_fingerprint(variant, ctx.formats)
    # An output changed since annex wrote it (a table edited in Word) is rendered again from the
    # data, never linked into the new build; the edited file is moved aside with the old build.
    changed = keep.not_as_written(ctx.build_dir, ctx.previous, STATE_FILE)
    from pipeline.form.report import build_report

    ctx.report = build_report(bundle, summary, result.input, variant)
    report_plan = report_step.plan(ctx.report, variant, ctx.formats, keep.without(ctx.previous, changed),
                                   ctx.build_dir)
    plan = make_plan(bundle, templates, fonts_fp, ctx.formats, keep.without(ctx.previous, changed), ctx.build_dir,
                     summary, report_plan)
    state = BuildState(
        annex_version=__version__, year=ctx.year, variant=variant.name, templates=templates,
        bundle_title=bundle.title, formats=list(ctx.formats), data_digest=ctx.data_digest,
        warnings=len(result.warnings), projects=plan.projects, bundle_inputs=plan.bundle_inputs,
        bundle=plan.bundle, fonts=fonts_fp, report_inputs=plan.report_inputs,
    )
    if not plan.render_count and ctx.previous is not None \
            and set(ctx.previous.output_hashes()) == set(state.output_hashes()):
        # Same outputs, other input bytes (a comment, a reordered key): only the record changes.
        write_atomic(ctx.build_dir / STATE_FILE, state.to_json().encode())
        return state, None
    if "pdf" in ctx.formats:
        _check_fonts(plan, variant, summary)
        report_step.check_fonts(ctx.report, variant, plan.bundle_formats)
    return _render_staged(ctx, workers, bundle, summary, variant, plan, state), plan


def _check(ctx: Context) -> CheckResult:
    from pipeline.build.front import check_year

    ctx.hooks.checking()
    result = check_year(ctx.opts.year_dir)
    if data_digest(ctx.opts.year_dir) != ctx.data_digest:
        raise BuildError(f"{ctx.opts.year_dir} 里的文件在检查过程中被修改；请保存好后再运行一次 annex build")
    if result.errors:
        raise CheckFailed(result)
    if result.bundle is None or result.input.variant is None:
        raise BuildError(f"{ctx.opts.year_dir} 里没有可生成的项目")
    return result


def _check_fonts(plan: Plan, variant: Variant, summary: Summary | None) -> None:
    """Missing fonts or glyphs, said once and before anything is written (not once per table).
    Raises fonts.FontError."""
    from pipeline.render.pdf import fonts

    listed = [summary] if summary is not None and "pdf" in plan.bundle_formats else []
    fonts.check_fonts([form for form, fmts in plan.table_jobs if "pdf" in fmts] + listed, variant)


def _render_staged(ctx: Context, workers: Workers, bundle: FilledBundle, summary: Summary | None, variant: Variant,
                   plan: Plan, state: BuildState) -> BuildState:
    """The new build, whole, in a staging folder (kept files linked, the rest rendered), swapped
    with build/<year>/ in one rename. On any failure build/<year>/ stays as it was."""
    staging = staging_path(ctx.opts.out, ctx.year)
    try:
        staging.mkdir()  # a new folder: fails on anything already there, a link included
        (staging / TABLES_DIR).mkdir()
        link_kept(ctx.build_dir, staging, state)
        ctx.hooks.rendering(plan.render_count)
        state = _render(ctx, workers, bundle, summary, variant, plan, staging, state)
        write_file(staging / STATE_FILE, state.to_json().encode())
        swap_in(staging, ctx.build_dir, aside_path(ctx.opts.out, ctx.year),
                lambda old: ctx.kept_aside.extend(_keep_users_files(ctx, old)))
    except BaseException as e:
        workers.stop()  # before the folder goes: no worker writes into it any more
        remove_tree(staging)
        if isinstance(e, RenderError):
            raise e.kept(ctx.build_dir) from None
        raise
    return state


def _keep_users_files(ctx: Context, old: Path) -> list[str]:
    """What the user added or changed in the previous build: moved to build/<year>.已修改-<时间>/, never deleted."""
    dest = keep.kept_dir(ctx.opts.out, ctx.year)
    return [f"{dest}/{rel}" for rel in keep.move_aside(old, ctx.previous, STATE_FILE, dest)]


def _render(ctx: Context, workers: Workers, bundle: FilledBundle, summary: Summary | None, variant: Variant,
            plan: Plan, staging: Path, state: BuildState) -> BuildState:
    """Tables first (in chunks, across the workers), then the bundles, which are joined from them.
    Returns `state` with the rendered files recorded."""
    tables: dict[tuple[str, str], OutputFile] = {}
    bundles: dict[str, OutputFile] = {}
    table_tasks = [Task(tasks.render_tables, (chunk, variant, staging), chunk)
                   for chunk in workers.chunks(plan.table_jobs)]
    if ctx.report is not None:  # the report needs no table: rendered beside them
        table_tasks = [Task(report_step.render_report, args, key) for args, key in
                       report_step.jobs(ctx.report, variant, plan.bundle_formats, plan.bundle_rel, staging)] + table_tasks
    for batch in (table_tasks, _bundle_tasks(bundle, summary, variant, plan, staging)):
        for task, result in workers.run(batch):
            if isinstance(task.what, str):  # a bundle's format
                bundles[task.what] = result
                ctx.hooks.advance(1)
            else:
                for key, fmt, output in result:
                    tables[key, fmt] = output
                ctx.hooks.advance(sum(len(fmts) for _, fmts in task.what))
    return _with_rendered(state, tables, bundles)


def _bundle_tasks(bundle: FilledBundle, summary: Summary | None, variant: Variant, plan: Plan,
                  staging: Path) -> list[Task]:
    def files(fmt: str) -> list[str]:
        return [table_path(form, fmt) for form in bundle.forms]

    bookmarks = (bundle.title, bundle.unit, [form.outline_title for form in bundle.forms], summary)
    made = {
        "pdf": Task(tasks.render_bundle_pdf, (bookmarks, variant, files("pdf"), plan.bundle_rel.get("pdf"), staging),
                    "pdf"),
        "docx": Task(tasks.render_bundle_docx,
                     ((bundle.forms, summary), variant, files("docx"), plan.bundle_rel.get("docx"), staging), "docx"),
        SUMMARY_FORMAT: Task(tasks.render_summary_workbook,
                             (summary, variant, [], plan.bundle_rel.get(SUMMARY_FORMAT), staging), SUMMARY_FORMAT),
    }
    return [made[fmt] for fmt in made if fmt in plan.bundle_formats]  # the PDF first: the longer of the two


def _with_rendered(state: BuildState, tables: dict[tuple[str, str], OutputFile],
                   bundles: dict[str, OutputFile]) -> BuildState:
    projects = [
        ProjectState(p.key, p.file_stem, p.form, p.inputs, {
            f: tables.get((p.key, f)) or p.outputs[f] for f in state.formats
        })
        for p in state.projects
    ]
    bundle = {f: bundles.get(f) or state.bundle[f]
              for f in (*state.formats, SUMMARY_FORMAT, *report_step.KEYS) if f in bundles or f in state.bundle}
    return replace(state, projects=projects, bundle=bundle)


def _archive(ctx: Context, state: BuildState) -> tuple[archive.Version | None, str | None]:
    """The outputs as a new archive version, unless the latest holds the same: (new, latest's name)."""
    root = archive.archive_dir(ctx.opts.out, ctx.year)
    last = archive.latest(root)
    if last is not None and last.manifest.outputs == state.output_hashes() and not ctx.opts.note:
        return None, last.name  # with a note, the same outputs issued again are a version of their own
    snap = archive.Snapshot(
        year=ctx.year, build_dir=ctx.build_dir, outputs=state.output_hashes(), data_dir=ctx.opts.year_dir,
        data_digest=state.data_digest,
        annex_version=state.annex_version, variant=state.variant, templates=state.templates,
        bundle_title=state.bundle_title, formats=state.formats,
        projects=[archive.ProjectRecord(p.key, p.file_stem, p.form, p.inputs) for p in state.projects],
        note=ctx.opts.note,
    )
    try:
        version = archive.record(root, snap)
    except OSError as e:  # a full disk, most often: the outputs are in place, the archive is not
        where = f"（{e.filename}）" if e.filename else ""
        raise BuildError(f"已生成 {ctx.build_dir}，但归档失败：{e.strerror or e}{where}。{ctx.build_dir} 已更新，这次输出未归档；"
                         "腾出空间（或改正问题）后再运行一次 annex build，即会归档") from None
    except archive.DataChanged:
        raise BuildError(f"已生成 {ctx.build_dir}，但 {ctx.opts.year_dir} 里的文件在构建过程中被修改，本次输出未归档；"
                         "请再运行一次 annex build") from None
    return version, version.name


def _report(ctx: Context, state: BuildState, plan: Plan | None,
            archived: tuple[archive.Version | None, str | None]) -> BuildReport:
    pdf = state.bundle.get("pdf")
    pdf_fonts = ""
    if pdf is not None:
        from pipeline.render.pdf import fonts
        from pipeline.variant import load_variant

        pdf_fonts = fonts.fonts_used_text(load_variant(state.variant).dir / "form.css")
    # The 项目清单 workbook goes with the bundles: not counted among them, listed with their files.
    bundles = [f for f in plan.bundle_formats if f in ctx.formats] if plan else []
    return BuildReport(
        year=ctx.year, build_dir=ctx.build_dir, tables=len(state.projects),
        rendered_tables=plan.rendered_keys if plan else [], rendered_bundles=bundles,
        pages=pdf.pages if pdf else None, warnings=state.warnings, pdf_fonts=pdf_fonts,
        bundle_files=[ctx.build_dir / state.bundle[f].path
                      for f in (*ctx.formats, SUMMARY_FORMAT, *report_step.KEYS) if f in state.bundle],
        table_files=sum(len(p.outputs) for p in state.projects), formats=ctx.formats,
        archived=archived[0], archive_latest=archived[1], seconds=0.0,
    )
