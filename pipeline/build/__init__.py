"""`annex build`: render a year's bundle, re-rendering only what changed, and swap it in whole.

The outputs of build/<year>/ are one file per project and format under 分表/ plus the bundle in
each format. A state file next to them records, per project, a hash of everything its outputs
depend on (the filled form, the variant's templates, the package version) and the hash of each
output. A rebuild renders only the projects whose hash changed, links the other outputs into a
staging folder, reassembles the bundles, and swaps the staging folder with build/<year>/ in one
rename. A rebuild whose input files did not change at all stops before loading them (and before
importing the loader and renderers: it answers in a few tenths of a second at any size).

The worker processes are started before the data is checked, so that their imports (WeasyPrint
alone takes ~0.6 s) overlap the check.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import re
import stat
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline import __version__, archive
from pipeline.build import keep, paths
from pipeline.build.atomic import build_lock, recover_aside, remove_tree, swap_in, write_atomic, write_file
from pipeline.variant import DEFAULT_VARIANT, Variant, available_variants, load_variant

if TYPE_CHECKING:  # imported where used: a build with nothing to do never loads them
    from pipeline.check import CheckResult
    from pipeline.form.filled import FilledBundle, FilledForm

FORMATS = ("docx", "pdf")
TABLES_DIR = "分表"
STATE_FILE = ".annex-state.json"
STATE_FORMAT = 2
WORKER_NICENESS = 5
MAX_STATE_BYTES = 256 * 1024 * 1024
MAX_CHUNK = 4  # forms per worker task: an even spread, a lively progress bar, a quick stop on Ctrl-C


class BuildError(Exception):
    """A build that cannot start or finish, with a message for the user (Chinese)."""


class RenderError(Exception):
    """A renderer failed on one table; the message names it (kept picklable: one string argument)."""


class CheckFailed(Exception):
    """The data has errors: nothing was built."""

    def __init__(self, result: CheckResult):
        super().__init__("check failed")
        self.result = result


# --- what a build records ---------------------------------------------------------------------

@dataclass(frozen=True)
class OutputFile:
    path: str  # inside build/<year>/
    sha256: str
    size: int
    pages: int | None = None  # PDFs only


@dataclass(frozen=True)
class ProjectState:
    key: str
    file_stem: str
    form: str  # hash of the filled form
    inputs: str  # hash of form + templates + package version
    outputs: dict[str, OutputFile]  # format -> file


@dataclass(frozen=True)
class BuildState:
    annex_version: str
    year: int
    variant: str
    templates: str  # Variant.fingerprint()
    bundle_title: str
    formats: list[str]
    data_digest: str  # hash of every file of the year folder
    warnings: int
    projects: list[ProjectState]
    bundle_inputs: str
    bundle: dict[str, OutputFile]  # format -> file
    fonts: str = ""  # fonts.fingerprint() of the fonts the PDFs were made with ("" without PDF)
    format: int = STATE_FORMAT

    def files(self) -> list[OutputFile]:
        return list(self.bundle.values()) + [o for p in self.projects for o in p.outputs.values()]

    def output_hashes(self) -> dict[str, str]:
        return {o.path: o.sha256 for o in self.files()}

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1) + "\n"

    @classmethod
    def from_json(cls, text: str) -> "BuildState":
        raw = json.loads(text)
        if raw.get("format") != STATE_FORMAT:
            raise ValueError("state format")
        return cls(
            annex_version=raw["annex_version"], year=raw["year"], variant=raw["variant"],
            templates=raw["templates"], bundle_title=raw["bundle_title"], formats=list(raw["formats"]),
            data_digest=raw["data_digest"], warnings=raw["warnings"],
            projects=[
                ProjectState(p["key"], p["file_stem"], p["form"], p["inputs"],
                             {k: OutputFile(**o) for k, o in p["outputs"].items()})
                for p in raw["projects"]
            ],
            bundle_inputs=raw["bundle_inputs"], bundle={k: OutputFile(**o) for k, o in raw["bundle"].items()},
            fonts=raw["fonts"],
        )


def load_state(build_dir: Path) -> BuildState | None:
    from pipeline.input.safe_read import Refused, read_regular  # never a FIFO or a link

    try:
        return BuildState.from_json(read_regular(build_dir / STATE_FILE, MAX_STATE_BYTES).decode("utf-8"))
    except (OSError, ValueError, KeyError, TypeError, Refused):
        return None  # no previous build, or one we cannot trust: render everything


def outputs_present(build_dir: Path, state: BuildState) -> bool:
    """Every recorded output still there with its size (someone may have deleted or replaced one)."""
    return all(_intact(build_dir, o) for o in state.files())


def _intact(build_dir: Path, o: OutputFile) -> bool:
    try:
        st = os.lstat(os.path.join(build_dir, o.path))  # a link put in its place is not our output
        return stat.S_ISREG(st.st_mode) and st.st_size == o.size
    except OSError:
        return False


# --- hashes -----------------------------------------------------------------------------------

def _sha(*parts: str) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode())
        h.update(b"\0")
    return h.hexdigest()


def form_hash(form: FilledForm) -> str:
    """Covers the data, the department file and the variant's labels: all a form holds. The
    dataclasses' repr spells every field (strings, Decimals, tuples, dicts in their fixed order);
    5x faster than JSON of asdict(), which took 1 s of a 1000-table rebuild."""
    return _sha(repr(form))


def fonts_fingerprint(variant: Variant, formats: Sequence[str]) -> str:
    """The installed fonts the PDFs are made with: a font upgrade renders the PDFs again."""
    if "pdf" not in formats:
        return ""
    from pipeline.render.pdf import fonts

    return fonts.fingerprint(variant.dir / "form.css")


def data_digest(year_dir: Path) -> str:
    """Every entry of the year folder, by path and content: unchanged means nothing to load again.
    The same walk `check` reports from: links are never followed, only marked (input/tree.py)."""
    from pipeline.input.tree import file_hashes

    return archive.tree_digest(file_hashes(year_dir))


def bundle_file_stem(bundle: FilledBundle) -> str:
    """bundle.title with the unit name made safe as a file name, as compute does for projects."""
    from pipeline.form.compute import bundle_title, safe_file_stem

    return bundle_title(safe_file_stem("", bundle.unit).removeprefix("-"), bundle.year)


def table_path(form: FilledForm, fmt: str) -> str:
    return f"{TABLES_DIR}/{form.file_stem}.{fmt}"


# --- rendering (in worker processes, or in this one) ------------------------------------------

_worker: dict[str, object] = {}


def init_worker(formats: Sequence[str], close_fd: int | None = None, warm: str | None = None,
                worker: bool = False) -> None:
    """Load what every render needs once per process: the renderers' modules, and for the variant
    `warm` (the one the data will likely name) what precedes a first PDF. `worker`: this is a
    pool's worker process (`close_fd`: the build lock's descriptor, if it inherited it)."""
    if close_fd is not None:
        try:
            os.close(close_fd)  # the build lock must die with the build, not live on in its workers
        except OSError:
            pass  # not inherited (a spawned, not forked, worker)
    if worker:
        _die_with_parent()
        # The workers start while this process checks the data: let the check, on the critical
        # path, go first. (Alone on the machine afterwards, a lower priority costs nothing.)
        os.nice(WORKER_NICENESS)
    _worker["renderers"] = _renderers(formats)
    if warm is not None and "pdf" in formats:
        try:
            from pipeline.render.pdf.render import warm_up

            warm_up(load_variant(warm))
        except Exception:  # noqa: BLE001 - only a head start: a real problem shows when rendering
            pass


def _started() -> None:
    """The first task: it makes the pool fork its workers now, while the data is checked."""


def _die_with_parent() -> None:
    """A killed build must not leave workers rendering into a folder nobody will use."""
    try:
        import ctypes
        import signal

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG, Linux only
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
        # The parent ends its workers with SIGTERM; a watching parent's own handler (raise
        # KeyboardInterrupt) must not be inherited, or each worker would print a traceback.
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    except (AttributeError, OSError):
        pass


def _renderers(formats: Sequence[str]) -> dict[str, Callable]:
    found: dict[str, Callable] = {}
    if "docx" in formats:
        from pipeline.render.docx import render_docx

        found["docx"] = render_docx
    if "pdf" in formats:
        from functools import partial

        from pipeline.render.pdf.render import join_pdfs, render_form_pdf

        # The build checks every form's fonts once, before anything is written.
        found["pdf"] = partial(render_form_pdf, check_fonts=False)
        found["bundle_pdf"] = join_pdfs
    return found


def _pdf_pages(data: bytes) -> int:
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        return len(pdf.pages)


def _write(dest: Path, rel: str, data: bytes, pages: bool) -> OutputFile:
    write_file(dest / rel, data)
    return OutputFile(rel, hashlib.sha256(data).hexdigest(), len(data), _pdf_pages(data) if pages else None)


def render_tables(jobs: list[tuple[FilledForm, tuple[str, ...]]], variant: Variant,
                  dest: Path) -> list[tuple[str, str, OutputFile]]:
    """Render each form in the given formats into dest/分表/: (key, format, file) per output."""
    r = _worker["renderers"]
    out = []
    for form, fmts in jobs:
        for fmt in fmts:
            try:
                data = r["docx"]([form], variant) if fmt == "docx" else r["pdf"](form, variant)
            except Exception as e:
                raise RenderError(f"{form.key}（{fmt}）：{type(e).__name__}: {e}") from None
            out.append((form.key, fmt, _write(dest, table_path(form, fmt), data, fmt == "pdf")))
    return out


def render_bundle_docx(forms: Sequence[FilledForm], variant: Variant, table_docx: Sequence[str], rel: str,
                       dest: Path) -> OutputFile:
    """The Word bundle, joined from the per-table files; rendered whole only if they cannot be joined."""
    data = join_docx([(dest / p).read_bytes() for p in table_docx])
    if data is None:
        data = _worker["renderers"]["docx"](forms, variant)
    return _write(dest, rel, data, False)


_BODY_OPEN = b"<w:body>"
_SECT = b"<w:sectPr"
# Where <w:pageBreakBefore/> goes in a form's first paragraph: after the pPr children that precede it.
_FIRST_PPR = re.compile(rb"<w:p><w:pPr>((?:<w:pStyle [^>]*/>)?(?:<w:keepNext/>)?(?:<w:keepLines/>)?)")


def join_docx(tables: Sequence[bytes]) -> bytes | None:
    """The bundle as render_docx(all forms) makes it, from the tables rendered one by one.

    Rendering 1000 forms at once with docxtpl takes seconds and hundreds of MB; the template's
    bundle is the tables' bodies in order, each after the first starting on a new page, in the
    package of any one table. Tests hold this equal, byte for byte, to render_docx(forms).
    Returns None for a table whose body does not start with a styled paragraph.
    """
    import zipfile

    from pipeline.render.zipfix import write_package

    bodies = []
    for n, data in enumerate(tables):
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            if n == 0:
                parts = {i.filename: z.read(i) for i in z.infolist() if not i.is_dir()}
                doc = parts["word/document.xml"]
            else:
                doc = z.read("word/document.xml")
        body = doc[doc.index(_BODY_OPEN) + len(_BODY_OPEN):doc.rindex(_SECT)]
        if n > 0:
            m = _FIRST_PPR.match(body)
            if m is None:
                return None
            body = body[:m.end()] + b"<w:pageBreakBefore/>" + body[m.end():]
        bodies.append(body)
    if not bodies:
        return None
    first = parts["word/document.xml"]
    head = first[:first.index(_BODY_OPEN) + len(_BODY_OPEN)]
    parts["word/document.xml"] = head + b"".join(bodies) + first[first.rindex(_SECT):]
    return write_package(parts)


def render_bundle_pdf(bundle: tuple[str, str, list[str]], variant: Variant, table_pdfs: Sequence[str], rel: str,
                      dest: Path) -> OutputFile:
    """The PDF bundle joined from the table files; `bundle`: its title, unit and the bookmarks."""
    data = _worker["renderers"]["bundle_pdf"](*bundle, variant, [dest / p for p in table_pdfs])
    return _write(dest, rel, data, True)


# --- the build --------------------------------------------------------------------------------

@dataclass(frozen=True)
class BuildOptions:
    year_dir: Path
    out: Path
    formats: tuple[str, ...] = FORMATS
    jobs: int = 1
    archive: bool = True
    wait: float = 60.0


@dataclass
class Hooks:
    """How the build tells the CLI what it is doing (the CLI draws the progress bar)."""

    waiting: Callable[[str], None] = lambda holder: None  # another build holds the lock
    checking: Callable[[], None] = lambda: None
    rendering: Callable[[int], None] = lambda total: None  # renders to do
    advance: Callable[[int], None] = lambda n: None


@dataclass(frozen=True)
class BuildReport:
    year: int
    build_dir: Path
    tables: int
    rendered_tables: list[str]  # keys of the projects rendered again
    rendered_bundles: list[str]  # formats of the bundles assembled again
    pages: int | None  # of the PDF bundle
    warnings: int
    bundle_files: list[Path]
    table_files: int
    formats: tuple[str, ...]
    archived: archive.Version | None  # the new version, if any
    archive_latest: str | None  # the latest version's name
    seconds: float
    stale_removed: list[str] = field(default_factory=list)
    kept_aside: list[str] = field(default_factory=list)  # user's files moved out of the previous build

    @property
    def nothing_rendered(self) -> bool:
        return not self.rendered_tables and not self.rendered_bundles


def lock_path(out: Path, year: int) -> Path:
    return out / f".{year}.lock"


def staging_path(out: Path, year: int) -> Path:
    return out / f".staging-{year}-{os.getpid()}"


def aside_path(out: Path, year: int) -> Path:
    return out / f".old-{year}-{os.getpid()}"


def clean_leftovers(out: Path, year: int) -> list[str]:
    """What killed builds left: staging folders (removed), a previous build set aside (put back)."""
    target = out / str(year)
    ours = lambda p: p.is_dir() and not p.is_symlink()  # noqa: E731 - annex makes folders, never links
    recover_aside(target, sorted(p for p in out.glob(f".old-{year}-*") if ours(p)))
    removed = []
    for p in sorted(p for p in out.glob(f".staging-{year}-*") if ours(p)):
        remove_tree(p)
        removed.append(p.name)
    return removed


def build(opts: BuildOptions, hooks: Hooks | None = None, workers: Workers | None = None) -> BuildReport:
    """Build one year. `workers`: render processes kept between builds (annex build --watch);
    without it, the build forks its own and ends them when done."""
    hooks = hooks or Hooks()
    start = time.monotonic()
    year = int(opts.year_dir.name)
    paths.check_disjoint(opts.year_dir.parent, opts.out, opts.year_dir)  # before anything is created
    paths.check_year_output(opts.out, year)
    opts.out.mkdir(parents=True, exist_ok=True)
    with build_lock(lock_path(opts.out, year), opts.wait, hooks.waiting) as lock_fd:
        removed = clean_leftovers(opts.out, year)
        report = _build_locked(opts, year, hooks, lock_fd, workers)
    return replace(report, seconds=time.monotonic() - start, stale_removed=removed)


def _build_locked(opts: BuildOptions, year: int, hooks: Hooks, lock_fd: int,
                  workers: Workers | None) -> BuildReport:
    build_dir = opts.out / str(year)
    formats = tuple(f for f in FORMATS if f in opts.formats)
    state = load_state(build_dir)
    digest = data_digest(opts.year_dir)
    if state is not None and _unchanged(state, digest, formats) and outputs_present(build_dir, state):
        return _finish(opts, year, build_dir, state, [], [], formats)

    hint = _variant_hint(opts.year_dir, state)
    pool = workers.pool(hint, lock_fd) if workers is not None else _start_pool(formats, opts.jobs, lock_fd, hint)
    try:
        report = _build_changed(opts, year, hooks, build_dir, formats, state, digest, pool)
    except (CheckFailed, BuildError):
        # Raised before anything is rendered: kept workers stay, waiting for the next build.
        if workers is None and pool is not None:
            _stop_pool(pool)
        raise
    except BaseException:
        # While rendering: the workers were ended before the staging folder was removed.
        if workers is not None:
            workers.close()  # the next build forks new ones
        elif pool is not None:
            _stop_pool(pool)
        raise
    if pool is not None and workers is None:
        pool.shutdown(wait=True)
    return report


def _build_changed(opts: BuildOptions, year: int, hooks: Hooks, build_dir: Path, formats: tuple[str, ...],
                   state: BuildState | None, digest: str, pool: ProcessPoolExecutor | None) -> BuildReport:
    from pipeline.check import check_year

    hooks.checking()
    result = check_year(opts.year_dir)
    if data_digest(opts.year_dir) != digest:
        raise BuildError(f"{opts.year_dir} 里的文件在检查过程中被修改；请保存好后再运行一次 annex build")
    if result.errors:
        raise CheckFailed(result)
    if result.bundle is None or result.input.variant is None:
        raise BuildError(f"{opts.year_dir} 里没有可生成的项目")
    bundle, variant = result.bundle, result.input.variant
    templates = variant.fingerprint()
    fonts_fp = fonts_fingerprint(variant, formats)
    plan = _plan(bundle, templates, fonts_fp, formats, state, build_dir)
    new_state = BuildState(
        annex_version=__version__, year=year, variant=variant.name, templates=templates,
        bundle_title=bundle.title, formats=list(formats), data_digest=digest, warnings=len(result.warnings),
        projects=plan.projects, bundle_inputs=plan.bundle_inputs, bundle=plan.bundle, fonts=fonts_fp,
    )
    if not plan.table_jobs and not plan.bundle_formats and state is not None \
            and set(state.output_hashes()) == set(new_state.output_hashes()):
        # Same outputs, other input bytes (a comment, a reordered key): only the state changes.
        write_atomic(build_dir / STATE_FILE, new_state.to_json().encode())
        return _finish(opts, year, build_dir, new_state, [], [], formats)

    if "pdf" in formats:
        _check_fonts([form for form, fmts in plan.table_jobs if "pdf" in fmts], variant)
    staging = staging_path(opts.out, year)
    try:
        staging.mkdir()  # a new folder: fails on anything already there, a link included
        (staging / TABLES_DIR).mkdir()
        _link_kept(build_dir, staging, new_state, plan)
        hooks.rendering(plan.render_count)
        rendered = _render(bundle, variant, formats, plan, staging, pool, hooks)
        new_state = _with_rendered(new_state, rendered)
        write_file(staging / STATE_FILE, new_state.to_json().encode())
        kept: list[str] = []
        swap_in(staging, build_dir, aside_path(opts.out, year),
                lambda old: kept.extend(_keep_users_files(old, state, opts.out, year)))
    except BaseException:
        if pool is not None:
            _stop_pool(pool)  # before the folder goes: no worker writes into it any more
        remove_tree(staging)
        raise
    tables = [j[0].key for j in plan.table_jobs]
    report = _finish(opts, year, build_dir, new_state, tables, list(plan.bundle_formats), formats)
    return replace(report, kept_aside=kept) if kept else report


def _keep_users_files(old: Path, state: BuildState | None, out: Path, year: int) -> list[str]:
    """What the user added or changed in the previous build: moved to build/<year>-保留/, never deleted."""
    recorded = {o.path: o.size for o in state.files()} if state is not None else {}
    dest = keep.kept_root(out, year) / keep.stamp()
    return [f"{dest}/{rel}" for rel in keep.move_aside(old, recorded, {STATE_FILE}, dest)]


def _check_fonts(forms: list[FilledForm], variant: Variant) -> None:
    """Missing fonts or glyphs, said once and before anything is written (not once per table)."""
    from pipeline.render.pdf import fonts

    try:
        fonts.check_fonts(forms, variant)
    except fonts.FontError as e:
        raise BuildError(str(e)) from None


def _unchanged(state: BuildState, digest: str, formats: tuple[str, ...]) -> bool:
    if state.annex_version != __version__ or state.data_digest != digest or tuple(state.formats) != formats:
        return False
    try:
        variant = load_variant(state.variant)
        return variant.fingerprint() == state.templates and fonts_fingerprint(variant, formats) == state.fonts
    except (OSError, KeyError, ValueError):
        return False


@dataclass
class Plan:
    projects: list[ProjectState]  # outputs filled in for kept files; rendered ones added later
    bundle_inputs: str
    bundle: dict[str, OutputFile]  # kept bundle files
    table_jobs: list[tuple[FilledForm, tuple[str, ...]]]
    bundle_formats: tuple[str, ...]  # bundles to assemble again
    bundle_rel: dict[str, str]

    @property
    def render_count(self) -> int:
        return sum(len(f) for _, f in self.table_jobs) + len(self.bundle_formats)


def _plan(bundle: FilledBundle, templates: str, fonts_fp: str, formats: tuple[str, ...], state: BuildState | None,
          build_dir: Path) -> Plan:
    old = {p.key: p for p in state.projects} if state else {}
    same_fonts = state is not None and state.fonts == fonts_fp  # else the PDFs are made again
    projects, jobs = [], []
    for form in bundle.forms:
        fh = form_hash(form)
        inputs = _sha(fh, templates, __version__)
        prev = old.get(form.key)
        kept = {}
        if prev is not None and prev.inputs == inputs:
            kept = {f: o for f, o in prev.outputs.items()
                    if f in formats and (f != "pdf" or same_fonts) and _intact(build_dir, o)}
        todo = tuple(f for f in formats if f not in kept)
        if todo:
            jobs.append((form, todo))
        projects.append(ProjectState(form.key, form.file_stem, fh, inputs, kept))
    bundle_inputs = _sha(bundle.title, bundle.unit, str(bundle.year), bundle.variant, templates, __version__,
                         fonts_fp, *(p.inputs for p in projects))
    stem = bundle_file_stem(bundle)
    rel = {f: f"{stem}.{f}" for f in formats}
    kept_bundle = {}
    if state is not None and state.bundle_inputs == bundle_inputs:
        kept_bundle = {f: o for f, o in state.bundle.items()
                       if f in formats and o.path == rel[f] and _intact(build_dir, o)}
    again = tuple(f for f in formats if f not in kept_bundle)
    return Plan(projects, bundle_inputs, kept_bundle, jobs, again, rel)


def _link_kept(build_dir: Path, staging: Path, state: BuildState, plan: Plan) -> None:
    """Kept outputs go into the new build as hard links: no copy, and the old build stays whole."""
    for o in state.files():
        src, dest = build_dir / o.path, staging / o.path
        try:
            os.link(src, dest)
        except OSError:
            write_file(dest, src.read_bytes())


def _chunks(jobs: list, n_workers: int) -> list[list]:
    size = max(1, min(MAX_CHUNK, math.ceil(len(jobs) / (n_workers * 4))))
    return [jobs[i:i + size] for i in range(0, len(jobs), size)]


@dataclass
class Rendered:
    tables: dict[tuple[str, str], OutputFile] = field(default_factory=dict)
    bundle: dict[str, OutputFile] = field(default_factory=dict)


def _variant_hint(year_dir: Path, state: BuildState | None) -> str | None:
    """The variant the data names, as far as a glance tells: the last build's, or department.yaml's
    表样. Only for the workers' warm-up; the check reads the data for real."""
    if state is not None:
        return state.variant
    try:
        import yaml

        from pipeline.input.safe_read import Refused, read_regular  # a FIFO here must not hang the build

        department = yaml.safe_load(read_regular(year_dir / "department.yaml", 1 << 20).decode("utf-8"))
        name = department.get("表样", DEFAULT_VARIANT)
        return name if isinstance(name, str) and name in available_variants() else None
    except (OSError, ValueError, AttributeError, yaml.YAMLError, Refused):
        return None


def _start_pool(formats: tuple[str, ...], jobs: int, lock_fd: int | None,
                warm: str | None) -> ProcessPoolExecutor | None:
    """The worker processes, forked now: they import the renderers and warm up while this one
    checks the data."""
    if jobs <= 1:
        return None
    pool = ProcessPoolExecutor(jobs, mp_context=_fork_context(), initializer=init_worker,
                               initargs=(formats, lock_fd, warm, True))
    pool.submit(_started)
    return pool


class Workers:
    """Render processes kept between the builds of one `annex build --watch`: each imports and
    warms up WeasyPrint once, not once per build (0.8 s of every build on this machine).

    No lock is held by them: each build takes the year's lock as usual. A build that fails or
    is interrupted ends them (they may be writing into its staging folder); the next build
    forks new ones."""

    def __init__(self, formats: Sequence[str], jobs: int):
        self.formats = tuple(f for f in FORMATS if f in formats)
        self.jobs = jobs
        self._pool: ProcessPoolExecutor | None = None

    def start(self, year_dir: Path) -> None:
        """Fork the workers now, before the first build: they warm up while the user looks, and
        the first change is as quick as the next."""
        if self._pool is None:
            self._pool = _start_pool(self.formats, self.jobs, None, _variant_hint(year_dir, None))

    def pool(self, warm: str | None, lock_fd: int) -> ProcessPoolExecutor | None:
        """The running pool, or a new one forked now, by the build holding `lock_fd` (None:
        render in this process, jobs=1)."""
        if self._pool is None:
            self._pool = _start_pool(self.formats, self.jobs, lock_fd, warm)
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            _stop_pool(self._pool)
            self._pool = None


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    """After a failure or Ctrl-C: drop the waiting tasks and end the workers now, whether they are
    importing or rendering (into a staging folder about to be removed). Safe to call twice."""
    processes = list((pool._processes or {}).values())  # noqa: SLF001 - the executor has no kill
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join()


def _render(bundle: FilledBundle, variant: Variant, formats: tuple[str, ...], plan: Plan, staging: Path,
            pool: ProcessPoolExecutor | None, hooks: Hooks) -> Rendered:
    """Tables first (in chunks, across processes), then the bundles, which are joined from them."""
    done = Rendered()
    table_files = {f: [table_path(form, f) for form in bundle.forms] for f in formats}
    bundle_tasks = {  # the PDF first: the longer of the two
        "pdf": (render_bundle_pdf, (bundle.title, bundle.unit, [f.outline_title for f in bundle.forms]),
                table_files["pdf"] if "pdf" in formats else []),
        "docx": (render_bundle_docx, bundle.forms, table_files["docx"] if "docx" in formats else []),
    }
    if pool is None:
        init_worker(formats)
        for chunk in _chunks(plan.table_jobs, 1):
            for key, fmt, o in render_tables(chunk, variant, staging):
                done.tables[key, fmt] = o
            hooks.advance(sum(len(f) for _, f in chunk))
        for fmt in plan.bundle_formats:
            fn, what, files = bundle_tasks[fmt]
            done.bundle[fmt] = fn(what, variant, files, plan.bundle_rel[fmt], staging)
            hooks.advance(1)
        return done

    pending: dict[Future, object] = {
        pool.submit(render_tables, chunk, variant, staging): chunk
        for chunk in _chunks(plan.table_jobs, pool._max_workers)  # noqa: SLF001
    }
    bundles_started = False
    while pending or not bundles_started:
        if not pending:
            bundles_started = True
            for fmt in (f for f in bundle_tasks if f in plan.bundle_formats):
                fn, what, files = bundle_tasks[fmt]
                pending[pool.submit(fn, what, variant, files, plan.bundle_rel[fmt], staging)] = fmt
            continue
        finished, _ = wait(pending, return_when=FIRST_COMPLETED)
        for fut in finished:
            what = pending.pop(fut)
            if isinstance(what, list):
                for key, fmt, o in fut.result():
                    done.tables[key, fmt] = o
                hooks.advance(sum(len(f) for _, f in what))
            else:
                done.bundle[what] = fut.result()
                hooks.advance(1)
    return done


def _fork_context():
    import multiprocessing

    try:
        return multiprocessing.get_context("fork")
    except ValueError:
        return None


def _with_rendered(state: BuildState, rendered: Rendered) -> BuildState:
    projects = [
        ProjectState(p.key, p.file_stem, p.form, p.inputs, {
            f: rendered.tables.get((p.key, f)) or p.outputs[f] for f in state.formats
        })
        for p in state.projects
    ]
    bundle = {f: rendered.bundle.get(f) or state.bundle[f] for f in state.formats}
    return replace(state, projects=projects, bundle=bundle)


def _finish(opts: BuildOptions, year: int, build_dir: Path, state: BuildState, tables: list[str],
            bundles: list[str], formats: tuple[str, ...]) -> BuildReport:
    new_version, latest_name = None, None
    if opts.archive:
        new_version, latest_name = _archive(opts, year, build_dir, state)
    pdf = state.bundle.get("pdf")
    return BuildReport(
        year=year, build_dir=build_dir, tables=len(state.projects), rendered_tables=tables,
        rendered_bundles=bundles, pages=pdf.pages if pdf else None, warnings=state.warnings,
        bundle_files=[build_dir / state.bundle[f].path for f in formats],
        table_files=sum(len(p.outputs) for p in state.projects), formats=formats,
        archived=new_version, archive_latest=latest_name, seconds=0.0,
    )


def _archive(opts: BuildOptions, year: int, build_dir: Path, state: BuildState) -> tuple[archive.Version | None, str | None]:
    root = archive.archive_dir(opts.out, year)
    last = archive.latest(root)
    if last is not None and last.manifest.outputs == state.output_hashes():
        return None, last.name
    snap = archive.Snapshot(
        year=year, build_dir=build_dir, outputs=state.output_hashes(), data_dir=opts.year_dir,
        data_digest=state.data_digest,
        annex_version=state.annex_version, variant=state.variant, templates=state.templates,
        bundle_title=state.bundle_title, formats=state.formats,
        projects=[archive.ProjectRecord(p.key, p.file_stem, p.form, p.inputs) for p in state.projects],
    )
    try:
        version = archive.record(root, snap)
    except OSError as e:  # a full disk, most often: the outputs are in place, the archive is not
        where = f"（{e.filename}）" if e.filename else ""
        raise BuildError(f"已生成 {build_dir}，但归档失败：{e.strerror or e}{where}。{build_dir} 已更新，这次输出未归档；"
                         "腾出空间（或改正问题）后再运行一次 annex build，即会归档") from None
    except archive.DataChanged:
        raise BuildError(f"已生成 {build_dir}，但 {opts.year_dir} 里的文件在构建过程中被修改，本次输出未归档；"
                         "请再运行一次 annex build") from None
    return version, version.name
