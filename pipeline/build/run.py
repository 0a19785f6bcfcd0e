"""`build()`: one year's bundle, re-rendering only what changed, swapped in whole, then archived.

Read top to bottom, `build` is the story: check → compute → plan → render the tables → render the
bundle's parts → swap → archive → report. Each step is a function below it, in the same order, one
level deep, and takes the `Job` (fixed once the lock is held) and what the steps before it returned.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline import __version__, archive
from pipeline.build import keep, paths, report_step, tasks
from pipeline.build.errors import BuildError, CheckFailed, RenderError
from pipeline.build.hashcache import Hashes, cache_path
from pipeline.build.options import BuildOptions, BuildReport, Hooks
from pipeline.build.pieces import Pieces
from pipeline.build.plan import (FORMATS, SUMMARY_FORMAT, TABLES_DIR, Plan, fonts_fingerprint, make_plan, table_path,
                                  unchanged)
from pipeline.build.staging import aside_path, clean_leftovers, discard, link_kept, lock_path, pieces_dir, staging_path
from pipeline.build.state import (STATE_FILE, BuildState, OutputFile, PieceState, ProjectState, load_state,
                                   outputs_present)
from pipeline.build.workers import Task, Workers
from pipeline.files.digest import tree_digest
from pipeline.files.lock import hold_lock
from pipeline.files.oserrors import reason
from pipeline.files.paths import display_path
from pipeline.files.tree import swap_in
from pipeline.files.write import create_new, write_atomic

if TYPE_CHECKING:  # imported where used: a build with nothing to do never loads them
    from pipeline.build.front import CheckResult
    from pipeline.form.filled import FilledBundle
    from pipeline.form.report import FilledReport
    from pipeline.form.summary import Summary
    from pipeline.variant import Variant


@dataclass(frozen=True)
class Job:
    """One build, fixed once its lock is held: what it was asked, where it writes, what it found there."""

    opts: BuildOptions
    hooks: Hooks
    year: int
    build_dir: Path
    formats: tuple[str, ...]
    previous: BuildState | None  # the last build's record, if it can be trusted
    data_digest: str  # of the year folder, as this build reads it
    lock_fd: int  # the build lock's descriptor, which forked workers must not keep
    hashes: Hashes  # of the files in build/<year>/, each hashed once while untouched (hashcache.py)

    @property
    def complete(self) -> bool:
        """Every format: only a complete bundle is issued (archived); fewer update build/<year> only."""
        return set(self.formats) == set(FORMATS)


@dataclass(frozen=True)
class Computed:
    """What the renders take, decided before any is planned: the filled forms, the 项目清单, and the
    fingerprints of the templates and fonts they are rendered with."""

    bundle: FilledBundle
    variant: Variant
    warnings: int
    summary: Summary | None
    templates: str
    fonts: str
    report: FilledReport | None  # the 自评报告 draft, when the variant has one (build/report_step.py)


def build(opts: BuildOptions, hooks: Hooks | None = None, workers: Workers | None = None) -> BuildReport:
    """Build one year. `workers`: render processes kept between builds (annex build --watch);
    without it, the build forks its own and ends them when done."""
    start = time.monotonic()
    hooks = hooks or Hooks()
    year = _check_paths(opts)
    with hold_lock(lock_path(opts.out, year), opts.wait, hooks.waiting, display_path(opts.out / str(year))) as lock_fd:
        kept_aside: list[str] = []  # what the user edited in a killed build's folders, then in the previous build
        removed = clean_leftovers(opts.out, year, kept_aside)
        job = _job(opts, hooks, year, lock_fd)
        state, plan = job.previous, None
        if not _up_to_date(job):  # else the same files as last time: answered without loading them
            with _workers(job, workers) as pool:
                checked = _check(job)
                computed = _compute(job, checked)
                plan, state = _plan(job, computed)
                if _only_the_record_changed(job, plan, state):
                    write_atomic(job.build_dir / STATE_FILE, state.to_json().encode())
                    plan = None
                else:
                    _check_fonts(job, computed, plan)
                    with _staging(job, pool, state) as staging:
                        tables, pieces = _render_tables(job, pool, computed, plan, staging)
                        parts = _render_bundle_parts(job, pool, computed, plan, staging, pieces)
                        state = replace(_with_rendered(state, tables, parts), pieces=pieces)
                        kept_aside += _swap(job, state, staging)
        job.hashes.save()
        archived = _archive(job, state)
    return _report(job, state, plan, archived, removed, kept_aside, time.monotonic() - start)


def _check_paths(opts: BuildOptions) -> int:
    """The year, once the output folder is known not to overlap the data (before anything is created)."""
    year = int(opts.year_dir.name)
    paths.check_disjoint(opts.year_dir.parent, opts.out, opts.year_dir)
    paths.check_year_output(opts.out, year, archive=opts.archive)
    opts.out.mkdir(parents=True, exist_ok=True)
    return year


def _job(opts: BuildOptions, hooks: Hooks, year: int, lock_fd: int) -> Job:
    """What this build finds under its lock: the last build's record and the data as it is now."""
    build_dir = opts.out / str(year)
    return Job(opts, hooks, year, build_dir, tuple(f for f in FORMATS if f in opts.formats),
               load_state(build_dir), data_digest(opts.year_dir), lock_fd, Hashes(cache_path(opts.out, year)))


def data_digest(year_dir: Path) -> str:
    """Every entry of the year folder, by path and content: unchanged means nothing to load again.
    The same walk `check` reports from: links are never followed, only marked (input/tree.py)."""
    from pipeline.input.tree import file_hashes

    return tree_digest(file_hashes(year_dir))


def _up_to_date(job: Job) -> bool:
    """The same data and formats as the last build, and its outputs still there as annex wrote them."""
    return job.previous is not None and unchanged(job.previous, job.data_digest, job.formats) \
        and outputs_present(job.build_dir, job.previous, job.hashes)


@contextmanager
def _workers(job: Job, workers: Workers | None) -> Iterator[Workers]:
    """The render processes, started now: they import the renderers while this one checks the data."""
    with nullcontext(workers) if workers is not None else Workers(job.formats, job.opts.jobs) as pool:
        pool.start(job.opts.year_dir, job.lock_fd, warm=job.previous.variant if job.previous else None)
        yield pool


def _check(job: Job) -> CheckResult:
    """Load, validate and compute the forms (check_year); any error stops the build before it writes."""
    from pipeline.build.front import check_year

    job.hooks.checking()
    result = check_year(job.opts.year_dir)
    if data_digest(job.opts.year_dir) != job.data_digest:
        raise BuildError("data-changed-during-check", year_dir=job.opts.year_dir)
    if result.errors:
        raise CheckFailed(result)
    if result.bundle is None or result.input.variant is None:
        raise BuildError("nothing-to-build", year_dir=job.opts.year_dir)
    return result


def _compute(job: Job, checked: CheckResult) -> Computed:
    """The 项目清单 from the filled forms, and what the outputs' fingerprints depend on."""
    from pipeline.form.report import build_report
    from pipeline.form.summary import build_summary

    variant = checked.input.variant
    summary = build_summary(checked.bundle, variant)
    return Computed(checked.bundle, variant, len(checked.warnings), summary,
                    variant.fingerprint(), fonts_fingerprint(variant, job.formats),
                    build_report(checked.bundle, summary, checked.input, variant))


def _plan(job: Job, c: Computed) -> tuple[Plan, BuildState]:
    """What must be rendered again, and the record of the build as it will be. An output changed
    since annex wrote it (a table edited in Word) is rendered again from the data, never linked into
    the new build; the edited file is moved aside with the old build."""
    changed = keep.not_as_written(job.build_dir, job.previous, STATE_FILE, job.hashes)
    previous = keep.without(job.previous, changed)
    report = report_step.plan(c.report, c.variant, job.formats, previous, job.build_dir)
    plan = make_plan(c.bundle, c.templates, c.fonts, job.formats, previous, job.build_dir, c.summary, report)
    state = BuildState(
        annex_version=__version__, year=job.year, variant=c.variant.name, templates=c.templates,
        bundle_title=c.bundle.title, formats=list(job.formats), data_digest=job.data_digest,
        warnings=c.warnings, projects=plan.projects, bundle_inputs=plan.bundle_inputs,
        bundle=plan.bundle, fonts=c.fonts, pieces=plan.pieces, report_inputs=plan.report_inputs,
    )
    return plan, state


def _only_the_record_changed(job: Job, plan: Plan, state: BuildState) -> bool:
    """Same outputs, other input bytes (a comment, a reordered key): nothing to render or swap."""
    return not plan.render_count and job.previous is not None \
        and set(job.previous.output_hashes()) == set(state.output_hashes())


def _check_fonts(job: Job, c: Computed, plan: Plan) -> None:
    """Missing fonts or glyphs, said once and before anything is written (not once per table).
    Raises fonts.FontError."""
    if "pdf" not in job.formats:
        return
    from pipeline.render.pdf import fonts

    listed = [c.summary] if c.summary is not None and "pdf" in plan.bundle_formats else []
    fonts.check_fonts([form for form, fmts in plan.table_jobs if "pdf" in fmts] + listed, c.variant)
    report_step.check_fonts(c.report, c.variant, plan.bundle_formats)


@contextmanager
def _staging(job: Job, pool: Workers, state: BuildState) -> Iterator[Path]:
    """The new build's folder beside build/<year>/, the kept outputs linked in. On any failure it is
    removed (after the workers that write into it are stopped) and build/<year>/ stays as it was."""
    staging = staging_path(job.opts.out, job.year)
    try:
        staging.mkdir()  # a new folder: fails on anything already there, a link included
        (staging / TABLES_DIR).mkdir()
        link_kept(job.build_dir, staging, state)
        yield staging
    except BaseException as e:
        pool.stop()
        # after the swap, `staging` holds the previous build: its edits are moved aside, not deleted
        discard(staging, job.opts.out, job.year)
        if isinstance(e, RenderError):
            raise e.kept(job.build_dir) from None
        raise


def _render_tables(job: Job, pool: Workers, c: Computed, plan: Plan,
                   staging: Path) -> tuple[dict[tuple[str, str], OutputFile], list[PieceState]]:
    """Each changed table in each format, in chunks across the workers: (key, format) -> its file;
    beside them, the pages of the 项目清单 the PDF bundle starts with (pipeline/build/pieces.py)."""
    job.hooks.rendering(plan.render_count)
    batch = [Task(tasks.render_tables, (chunk, c.variant, staging), chunk) for chunk in pool.chunks(plan.table_jobs)]
    pieces = None
    if c.summary is not None and "pdf" in plan.bundle_formats:
        pieces = Pieces(c.summary, c.variant, plan.pieces_salt, plan.previous_pieces, pieces_dir(job.opts.out, job.year))
        batch = pieces.tasks() + batch  # first: a chain of pages, when laid out from scratch
    tables = {}
    for task, result in pool.run(batch):
        if pieces is not None and pieces.owns(task):
            pieces.done(result)
            continue
        for key, fmt, output in result:
            tables[key, fmt] = output
        job.hooks.advance(sum(len(fmts) for _, fmts in task.what))
    return tables, pieces.finish(pool) if pieces is not None else plan.pieces


def _render_bundle_parts(job: Job, pool: Workers, c: Computed, plan: Plan, staging: Path,
                         pieces: list[PieceState]) -> dict[str, OutputFile]:
    """The bundles, joined from the tables in the staging folder (the 项目清单 first: in Word from
    its data, in the PDF from its pages `pieces`), the 项目清单 as a workbook, and the 自评报告's
    files: format (report.docx, report.pdf) -> its file."""

    def files(fmt: str) -> list[str]:
        return [table_path(form, fmt) for form in c.bundle.forms]

    outlines: list[str | None] = [form.outline_title for form in c.bundle.forms]
    if c.summary is not None:  # one bookmark, at its first page
        outlines = [c.summary.outline_title, *[None] * (len(pieces) - 1), *outlines]
    cache = pieces_dir(job.opts.out, job.year).absolute()  # (the task joins them from the staging folder)
    pdfs = [str(cache / p.output.path) for p in pieces] + files("pdf")
    made = {
        "pdf": Task(tasks.render_bundle_pdf, ((c.bundle.title, c.bundle.unit, outlines), c.variant, pdfs,
                                              plan.bundle_rel.get("pdf"), staging), "pdf"),
        "docx": Task(tasks.render_bundle_docx,
                     ((c.bundle.forms, c.summary), c.variant, files("docx"), plan.bundle_rel.get("docx"), staging),
                     "docx"),
        SUMMARY_FORMAT: Task(tasks.render_summary_workbook,
                             (c.summary, c.variant, [], plan.bundle_rel.get(SUMMARY_FORMAT), staging), SUMMARY_FORMAT),
    }
    batch = [made[fmt] for fmt in made if fmt in plan.bundle_formats]  # the PDF first: the longer of the two
    if c.report is not None:
        batch += [Task(report_step.render_report, args, key)
                  for args, key in report_step.jobs(c.report, c.variant, plan.bundle_formats, plan.bundle_rel, staging)]
    parts = {}
    for task, result in pool.run(batch):
        parts[task.what] = result
        job.hooks.advance(1)
    return parts


def _with_rendered(state: BuildState, tables: dict[tuple[str, str], OutputFile],
                   bundles: dict[str, OutputFile]) -> BuildState:
    """The record with the files just rendered in place of the kept ones they replace."""
    projects = [
        ProjectState(p.key, p.file_stem, p.form, p.inputs, {
            f: tables.get((p.key, f)) or p.outputs[f] for f in state.formats
        })
        for p in state.projects
    ]
    bundle = {f: bundles.get(f) or state.bundle[f]
              for f in (*state.formats, SUMMARY_FORMAT, *report_step.KEYS) if f in bundles or f in state.bundle}
    return replace(state, projects=projects, bundle=bundle)


def _swap(job: Job, state: BuildState, staging: Path) -> list[str]:
    """The record written, the staging folder swapped with build/<year>/ in one rename. What the
    user added or changed in the previous build is moved to build/<year>.已修改-<时间>/, never
    deleted; returns where it went."""
    create_new(staging / STATE_FILE, state.to_json().encode())
    dest = keep.kept_dir(job.opts.out, job.year)
    kept: list[str] = []
    swap_in(staging, job.build_dir, aside_path(job.opts.out, job.year),
            lambda old: kept.extend(f"{dest}/{rel}" for rel in keep.move_aside(old, job.previous, STATE_FILE, dest, job.hashes)))
    return kept


def _archive(job: Job, state: BuildState) -> tuple[archive.Version | None, str | None]:
    """The outputs as a new archive version, unless the latest holds the same: (new, latest's name).
    Only a complete bundle is issued: a build of fewer formats, or with --no-archive, is not archived."""
    if not job.opts.archive or not job.complete:
        return None, None
    root = archive.archive_dir(job.opts.out, job.year)
    last = archive.latest(root)
    if last is not None and last.manifest.outputs == state.output_hashes() and not job.opts.note:
        return None, last.name  # with a note, the same outputs issued again are a version of their own
    snap = archive.Snapshot(
        year=job.year, build_dir=job.build_dir, outputs=state.output_hashes(), data_dir=job.opts.year_dir,
        data_digest=state.data_digest,
        annex_version=state.annex_version, variant=state.variant, templates=state.templates,
        bundle_title=state.bundle_title, formats=state.formats,
        projects=[archive.ProjectRecord(p.key, p.file_stem, p.form, p.inputs) for p in state.projects],
        note=job.opts.note, made_by=job.opts.made_by,
    )
    try:
        version = archive.record(root, snap)
    except OSError as e:  # a full disk, most often: the outputs are in place, the archive is not
        where = f"（{e.filename}）" if e.filename else ""
        raise BuildError("archive-failed", build_dir=job.build_dir, reason=reason(e), where=where) from None
    except archive.DataChanged:
        raise BuildError("data-changed-during-build", build_dir=job.build_dir, year_dir=job.opts.year_dir) from None
    return version, version.name


def _report(job: Job, state: BuildState, plan: Plan | None, archived: tuple[archive.Version | None, str | None],
            removed: list[str], kept_aside: list[str], seconds: float) -> BuildReport:
    """What was done, for the CLI to say."""
    pdf = state.bundle.get("pdf")
    pdf_fonts = ""
    if pdf is not None:
        from pipeline.render.pdf import fonts
        from pipeline.variant import load_variant

        pdf_fonts = fonts.fonts_used_text(load_variant(state.variant).dir / "form.css")
    # The 项目清单 workbook goes with the bundles: not counted among them, listed with their files.
    bundles = [f for f in plan.bundle_formats if f in job.formats] if plan else []
    return BuildReport(
        year=job.year, build_dir=job.build_dir, tables=len(state.projects),
        rendered_tables=plan.rendered_keys if plan else [], rendered_bundles=bundles,
        pages=pdf.pages if pdf else None, warnings=state.warnings, pdf_fonts=pdf_fonts,
        bundle_files=[job.build_dir / state.bundle[f].path
                      for f in (*job.formats, SUMMARY_FORMAT, *report_step.KEYS) if f in state.bundle],
        table_files=sum(len(p.outputs) for p in state.projects), formats=job.formats,
        archived=archived[0], archive_latest=archived[1], seconds=seconds,
        stale_removed=removed, kept_aside=kept_aside, partial=not job.complete,
        long_tables=_long_tables(state),
    )


def _long_tables(state: BuildState) -> list[tuple[str, int, str]]:
    """The tables whose PDF runs past one page (the bureau expects one page a project), as the PDF
    renderer laid them out: (the table's file name, its pages, its PDF's path in build/<year>/)."""
    return [(p.file_stem, o.pages, o.path) for p in state.projects
            if (o := p.outputs.get("pdf")) is not None and o.pages is not None and o.pages > 1]
