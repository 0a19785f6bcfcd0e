"""A workspace: an ordinary project folder, `<root>/<ws>/data/<year>/` and `<root>/<ws>/build/`,
which `annex build --data <root>/<ws>/data --out <root>/<ws>/build` works on unchanged; and beside
them `uploads/<year>/`, the workbooks an upload replaced."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path

from pipeline import archive
from pipeline.archive.describe import local_time

YEAR = re.compile(r"^(19|20)[0-9]{2}$")
WORKBOOK_NAME = "自评数据.xlsx"


@dataclass(frozen=True)
class Workspace:
    root: Path  # <root>/<ws>
    name: str

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def out(self) -> Path:
        return self.root / "build"

    @property
    def uploads(self) -> Path:
        return self.root / "uploads"

    def year_dir(self, year: int) -> Path:
        return self.data / str(year)

    def years(self) -> list[int]:
        if not self.data.is_dir():
            return []
        return sorted(int(p.name) for p in self.data.iterdir()
                      if YEAR.match(p.name) and p.is_dir() and not p.is_symlink())

    def has_year(self, year: int) -> bool:
        return year in self.years()

    def create(self) -> None:
        for folder in (self.data, self.out):
            folder.mkdir(parents=True, exist_ok=True)


def workspace(server_root: Path, name: str) -> Workspace:
    return Workspace(server_root / name, name)


@dataclass(frozen=True)
class YearStatus:
    year: int
    projects: int
    errors: int
    warnings: int
    version: str  # the last archived version, "" when none
    version_time: str


class CheckCache:
    """The check of a year, kept while its files are the same (the home page lists every year)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[Path, tuple[str, object]] = {}

    def check(self, ws: Workspace, year: int):
        from pipeline.build.front import check_year
        from pipeline.build.run import data_digest

        year_dir = ws.year_dir(year)
        digest = data_digest(year_dir)
        with self._lock:
            hit = self._seen.get(year_dir)
        if hit is not None and hit[0] == digest:
            return hit[1]
        result = check_year(year_dir, base=ws.root, glyphs=True)
        with self._lock:
            self._seen[year_dir] = (digest, result)
        return result


def year_status(ws: Workspace, year: int, cache: CheckCache) -> YearStatus:
    result = cache.check(ws, year)
    last = archive.latest(archive.archive_dir(ws.out, year))
    return YearStatus(year, len(result.input.projects), len(result.errors), len(result.warnings),
                      last.name if last else "", local_time(last.manifest.created) if last else "")
