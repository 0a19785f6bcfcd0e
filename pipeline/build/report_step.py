"""The build's report step: the 自评报告 draft (pipeline/form/report.py) beside the bundles.

Its two files are recorded with the bundle's (BuildState.bundle, under the keys `report.docx` and
`report.pdf`), so that they are kept, moved aside, swapped in and archived like every output. They
have inputs of their own (`BuildState.report_inputs`): the report as computed (every text and
figure it prints), its templates, the fonts of its stylesheet and annex's version. A build renders
them again only when these change; a table's layout, for instance, does not touch them.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline import __version__
from pipeline.build.plan import NO_REPORT, ReportPlan
from pipeline.build.state import BuildState, OutputFile, digest, intact

if TYPE_CHECKING:
    from pipeline.form.report import FilledReport
    from pipeline.variant import Variant

PREFIX = "report."  # state.bundle keys: report.docx, report.pdf
KEYS = tuple(PREFIX + fmt for fmt in ("docx", "pdf"))



def fonts_fingerprint(variant: Variant, formats: tuple[str, ...]) -> str:
    if "pdf" not in formats:
        return ""
    from pipeline.form.report import report_template
    from pipeline.render.pdf import fonts

    return fonts.fingerprint(report_template(variant, "report.css"))


def templates_digest(variant: Variant) -> str:
    from pipeline.form.report import report_files

    h = hashlib.sha256()
    for p in report_files(variant):
        h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def plan(report: FilledReport | None, variant: Variant, formats: tuple[str, ...], state: BuildState | None,
         build_dir: Path) -> ReportPlan:
    """Which of the report's files this build renders, and which it keeps."""
    if report is None:
        return NO_REPORT
    inputs = digest(repr(report), templates_digest(variant), fonts_fingerprint(variant, formats), __version__)
    rel = {PREFIX + f: f"{report.file_stem}.{f}" for f in formats}
    kept = {}
    if state is not None and state.report_inputs == inputs:
        kept = {k: o for k, o in state.bundle.items() if k in rel and o.path == rel[k] and intact(build_dir, o)}
    return ReportPlan(inputs, rel, kept, tuple(k for k in rel if k not in kept))


def jobs(report: FilledReport, variant: Variant, todo: tuple[str, ...], rel: dict[str, str],
         dest: Path) -> list[tuple[tuple, str]]:
    """The arguments of render_report for each file to render, and its key: its PDF first (the longer)."""
    keys = [k for k in reversed(KEYS) if k in todo]
    return [((report, variant, key[len(PREFIX):], rel[key], dest), key) for key in keys]


def check_fonts(report: FilledReport | None, variant: Variant, todo: tuple[str, ...]) -> None:
    """Missing fonts or glyphs of the report's PDF, said before anything is written."""
    if report is None or PREFIX + "pdf" not in todo:
        return
    from pipeline.form.report import report_template
    from pipeline.render.pdf import fonts

    fonts.check_fonts([report], variant, report_template(variant, "report.css"))


def render_report(report: FilledReport, variant: Variant, fmt: str, rel: str, dest: Path) -> OutputFile:
    """One of the report's files, written into the build's staging folder (run in a worker)."""
    from pipeline.build.errors import RenderError
    from pipeline.build.tasks import write_output
    from pipeline.errors import Abort

    try:
        if fmt == "pdf":
            from pipeline.render.pdf.render import render_report_pdf

            data = render_report_pdf(report, variant, check_fonts=False)
        else:
            from pipeline.render.report_docx import render_report_docx

            data = render_report_docx(report, variant)
    except Abort:
        raise  # an expected failure (a font it cannot use): it says what to do
    except OSError as e:  # the disk, not the renderer; anything else is a bug and keeps its traceback
        raise RenderError("render-failed", table=report.key, format=fmt, reason=e.strerror or e) from None
    return write_output(dest, rel, data, fmt == "pdf")
