"""What a build must render: each project's outputs whose inputs changed (or went missing), and
the bundles when any table or the bundle's own inputs changed. Everything else is kept."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline import __version__
from pipeline.build.state import BuildState, OutputFile, PieceState, ProjectState, digest, form_hash, intact
from pipeline.variant import Variant, load_variant

if TYPE_CHECKING:
    from pipeline.form.filled import FilledBundle, FilledForm
    from pipeline.form.summary import Summary

FORMATS = ("docx", "pdf")
SUMMARY_FORMAT = "xlsx"  # the 项目清单 workbook, next to the bundles (when the variant has a 项目清单)
TABLES_DIR = "分表"


def table_path(form: FilledForm, fmt: str) -> str:
    return f"{TABLES_DIR}/{form.file_stem}.{fmt}"


def fonts_fingerprint(variant: Variant, formats: Sequence[str]) -> str:
    """The installed fonts the PDFs are made with: a font upgrade renders the PDFs again."""
    if "pdf" not in formats:
        return ""
    from pipeline.render.pdf import fonts

    return fonts.fingerprint(variant.dir / "form.css")


def unchanged(state: BuildState, data_digest: str, formats: tuple[str, ...]) -> bool:
    """The last build was made from these very files, templates, fonts and annex: nothing to load."""
    if state.annex_version != __version__ or state.data_digest != data_digest or tuple(state.formats) != formats:
        return False
    try:
        variant = load_variant(state.variant)
        return variant.fingerprint() == state.templates and fonts_fingerprint(variant, formats) == state.fonts
    except (OSError, KeyError, ValueError):
        return False


@dataclass(frozen=True)
class ReportPlan:
    """The 自评报告's files in a build (pipeline/build/report_step.py decides it)."""

    inputs: str  # "" without a report
    rel: dict[str, str]  # key (report.docx, report.pdf) -> path inside build/<year>/
    kept: dict[str, OutputFile]  # key -> the previous build's file, still valid
    todo: tuple[str, ...]  # keys to render


NO_REPORT = ReportPlan("", {}, {}, ())


@dataclass
class Plan:
    projects: list[ProjectState]  # outputs filled in for kept files; rendered ones added later
    bundle_inputs: str
    bundle: dict[str, OutputFile]  # kept bundle files
    table_jobs: list[tuple[FilledForm, tuple[str, ...]]]  # a form and the formats it needs
    bundle_formats: tuple[str, ...]  # bundles to assemble again
    bundle_rel: dict[str, str]  # format -> the bundle's path inside build/<year>/
    pieces: list[PieceState]  # the 项目清单's PDF pieces the PDF bundle was joined from, if it is kept
    previous_pieces: list[PieceState]  # the last build's, for a PDF bundle joined again
    pieces_salt: str  # what every piece depends on besides its rows: templates, fonts, annex
    report_inputs: str = ""  # the 自评报告's (build/report_step.py): its files are among the bundle's

    @property
    def render_count(self) -> int:
        return sum(len(f) for _, f in self.table_jobs) + len(self.bundle_formats)

    @property
    def rendered_keys(self) -> list[str]:
        return [form.key for form, _ in self.table_jobs]


def make_plan(bundle: FilledBundle, templates: str, fonts_fp: str, formats: tuple[str, ...],
              state: BuildState | None, build_dir: Path, summary: Summary | None = None,
              report: ReportPlan = NO_REPORT) -> Plan:
    old = {p.key: p for p in state.projects} if state else {}
    same_fonts = state is not None and state.fonts == fonts_fp  # else the PDFs are made again
    projects, jobs = [], []
    for form in bundle.forms:
        fh = form_hash(form)
        inputs = digest(fh, templates, __version__)
        prev = old.get(form.key)
        kept = {}
        if prev is not None and prev.inputs == inputs:
            kept = {f: o for f, o in prev.outputs.items()
                    if f in formats and (f != "pdf" or same_fonts) and intact(build_dir, o)}
        todo = tuple(f for f in formats if f not in kept)
        if todo:
            jobs.append((form, todo))
        projects.append(ProjectState(form.key, form.file_stem, fh, inputs, kept))
    bundle_inputs = digest(bundle.title, bundle.unit, str(bundle.year), bundle.variant, templates, __version__,
                           fonts_fp, *(p.inputs for p in projects))
    rel = {f: f"{bundle.file_stem}.{f}" for f in formats}
    if summary is not None:
        rel[SUMMARY_FORMAT] = f"{summary.file_stem}.{SUMMARY_FORMAT}"
    kept_bundle = {}
    if state is not None and state.bundle_inputs == bundle_inputs:
        kept_bundle = {f: o for f, o in state.bundle.items()
                       if f in rel and o.path == rel[f] and intact(build_dir, o)}
    again = tuple(f for f in rel if f not in kept_bundle)
    previous = state.pieces if state is not None else []
    kept_pieces = previous if "pdf" in kept_bundle else []
    # The report's files have inputs of their own (report_step.plan decided which to keep).
    return Plan(projects, bundle_inputs, {**kept_bundle, **report.kept}, jobs, again + report.todo,
                {**rel, **report.rel}, kept_pieces, previous, digest(templates, fonts_fp, __version__), report.inputs)
