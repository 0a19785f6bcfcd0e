"""What a build records next to its outputs (build/<year>/.annex-state.json), and the hashes it
compares: per project, a hash of everything its outputs depend on, and each output's hash."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.build.hashcache import Hashes

if TYPE_CHECKING:
    from pipeline.form.filled import FilledForm

STATE_FILE = ".annex-state.json"
STATE_FORMAT = 2


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
class PieceState:
    """One page of the 项目清单's PDF (pipeline/render/pieces.py), kept for the next build in the
    year's cache folder (build/.annex-cache/<year>/, staging.pieces_dir): not an output, never
    archived; the PDF bundle is joined from it. `output.path` is its name in that folder."""

    start: int
    stop: int
    closes: bool
    key: str
    output: OutputFile


@dataclass(frozen=True)
class BuildState:
    annex_version: str
    year: int
    variant: str
    templates: str  # Variant.fingerprint()
    bundle_title: str
    formats: list[str]
    data_digest: str  # build.run.data_digest of the year folder (input/tree.py walks it)
    warnings: int
    projects: list[ProjectState]
    bundle_inputs: str
    bundle: dict[str, OutputFile]  # format -> file
    fonts: str = ""  # fonts.fingerprint() of the fonts the PDFs were made with ("" without PDF)
    report_inputs: str = ""  # what the 自评报告's files were made from (build/report_step.py)
    format: int = STATE_FORMAT
    pieces: list[PieceState] = field(default_factory=list)  # the 项目清单's, in order

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
            fonts=raw["fonts"], report_inputs=raw.get("report_inputs", ""),
            pieces=[PieceState(p["start"], p["stop"], p["closes"], p["key"], OutputFile(**p["output"]))
                    for p in raw.get("pieces", [])],
        )


MAX_STATE_BYTES = 256 * 1024 * 1024


def load_state(build_dir: Path) -> BuildState | None:
    from pipeline.files.read import read_regular  # never a FIFO or a link

    try:
        return BuildState.from_json(read_regular(build_dir / STATE_FILE, MAX_STATE_BYTES).decode("utf-8"))
    except (OSError, ValueError, KeyError, TypeError):  # Refused is an OSError
        return None  # no previous build, or one we cannot trust: render everything


def as_written(path: str, output: OutputFile | None, hashes: Hashes | None = None) -> bool:
    """The file is the output annex recorded: a regular file of its size and sha256. Always by its
    hash (hashcache.py says why no timestamp can stand in for it: `cp -p`, `touch -r`, unzip or a
    restore give an edited file any mtime); `hashes` only avoids hashing an untouched inode twice."""
    if output is None:
        return False
    try:
        st = os.lstat(path)
    except OSError:
        return False
    if not stat.S_ISREG(st.st_mode) or st.st_size != output.size:
        return False
    try:
        return (hashes or Hashes()).sha256(path, st) == output.sha256
    except OSError:
        return False


def outputs_present(build_dir: Path, state: BuildState, hashes: Hashes | None = None) -> bool:
    """Every recorded output still there as annex wrote it (someone may have deleted, replaced or
    edited one): its size and its hash."""
    return all(as_written(os.path.join(build_dir, o.path), o, hashes) for o in state.files())


def intact(build_dir: Path, o: OutputFile) -> bool:
    try:
        st = os.lstat(os.path.join(build_dir, o.path))  # a link put in its place is not our output
        return stat.S_ISREG(st.st_mode) and st.st_size == o.size
    except OSError:
        return False


def digest(*parts: str) -> str:
    """One hash of several strings (each ended by a NUL, so that no two lists collide)."""
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode())
        h.update(b"\0")
    return h.hexdigest()


def form_hash(form: FilledForm) -> str:
    """Covers the data, the department file and the variant's labels: all a form holds. The
    dataclasses' repr spells every field (strings, Decimals, tuples, dicts in their fixed order);
    5x faster than JSON of asdict(), which took 1 s of a 1000-table rebuild."""
    return digest(repr(form))
