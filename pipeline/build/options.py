"""What a build is asked to do, how it reports progress while it works, and what it reports after."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import archive
from pipeline.build.plan import FORMATS


@dataclass(frozen=True)
class BuildOptions:
    year_dir: Path
    out: Path
    formats: tuple[str, ...] = FORMATS
    jobs: int = 1
    archive: bool = True
    wait: float = 60.0  # seconds to wait for another build of the same year
    note: str = ""  # annex build --note: recorded in the archived version, shown by `annex history`
    made_by: str = ""  # the user who asked for the build (annex serve), recorded in the archived version


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
    pdf_fonts: str = ""  # the fonts the PDF uses, by role: the official ones when installed, else Noto
    partial: bool = False  # fewer formats than the full set: build/<year> updated, not archived
    long_tables: list[tuple[str, int, str]] = field(default_factory=list)  # (table, pages, its PDF) over one page

    @property
    def complete(self) -> bool:
        return not self.partial

    @property
    def nothing_rendered(self) -> bool:
        return not self.rendered_tables and not self.rendered_bundles
