"""The archive: every distinct build of a year, kept read-only under build/archive/<year>/vNNN/.

A version holds the outputs as built (`outputs/`), the input year folder as it was (`data/<year>/`)
and `manifest.json`: the sha256 of every file, the package version, the form variant and its
templates' fingerprint, the time, and a hash of each project's inputs. Nothing here ever changes or
deletes a finished version. Files equal to the previous version's are hard links to them, so a
version that changes one table costs one table of disk, not the whole bundle again.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from pipeline.build.atomic import fsync_dir, remove_tree

MANIFEST = "manifest.json"
OUTPUTS = "outputs"
DATA = "data"
MANIFEST_FORMAT = 1
_VERSION_DIR = re.compile(r"v(\d{3,})")
_VERSION_ARG = re.compile(r"[vV]?0*(\d+)")


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def tree_digest(hashes: dict[str, str]) -> str:
    """One hash for a folder's files, from each file's path and sha256 (what `annex build` records)."""
    h = hashlib.sha256()
    for rel in sorted(hashes):
        h.update(rel.encode() + b"\0")
        h.update(bytes.fromhex(hashes[rel]))
    return h.hexdigest()


class DataChanged(Exception):
    """The input folder changed between the build and its archiving: the snapshot would not match."""


def version_name(number: int) -> str:
    return f"v{number:03d}"


def parse_version(text: str) -> int | None:
    """`v1`, `1`, `v001` -> 1; anything else -> None."""
    m = _VERSION_ARG.fullmatch(text.strip())
    return int(m.group(1)) if m and int(m.group(1)) > 0 else None


@dataclass(frozen=True)
class ProjectRecord:
    key: str  # "02-市综治中心"
    file_stem: str
    form: str  # sha256 of the filled form alone: changes when the table's content changes
    inputs: str  # sha256 of the form, the templates and the package version: what the outputs depend on


@dataclass(frozen=True)
class Changes:
    """What differs from the previous version, for `annex history`."""

    previous: str = ""  # "" for the first version
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    templates: bool = False
    annex_version: bool = False


@dataclass(frozen=True)
class Manifest:
    version: str  # "v003"
    year: int
    created: str  # ISO 8601 with the local offset
    annex_version: str
    variant: str
    templates: str  # Variant.fingerprint()
    bundle_title: str
    formats: list[str]
    projects: list[ProjectRecord]
    files: dict[str, str]  # path inside the version folder -> sha256
    changes: Changes
    format: int = MANIFEST_FORMAT

    @property
    def outputs(self) -> dict[str, str]:
        """The build outputs, by their path inside build/<year>/."""
        prefix = OUTPUTS + "/"
        return {k[len(prefix):]: v for k, v in self.files.items() if k.startswith(prefix)}

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> "Manifest":
        raw = json.loads(text)
        return cls(
            version=raw["version"], year=int(raw["year"]), created=raw["created"],
            annex_version=raw["annex_version"], variant=raw["variant"], templates=raw["templates"],
            bundle_title=raw["bundle_title"], formats=list(raw["formats"]),
            projects=[ProjectRecord(**p) for p in raw["projects"]],
            files=dict(raw["files"]), changes=Changes(**raw["changes"]), format=int(raw.get("format", 1)),
        )


@dataclass(frozen=True)
class Version:
    number: int
    path: Path
    manifest: Manifest

    @property
    def name(self) -> str:
        return version_name(self.number)

    @property
    def data_dir(self) -> Path:
        return self.path / DATA / str(self.manifest.year)


@dataclass(frozen=True)
class Snapshot:
    """What a build hands to the archive: its outputs and inputs, with their hashes as built."""

    year: int
    build_dir: Path  # build/<year>
    outputs: dict[str, str]  # path inside build_dir -> sha256
    data_dir: Path  # data/<year>
    data_digest: str  # tree_digest of data_dir as the build read it
    annex_version: str
    variant: str
    templates: str
    bundle_title: str
    formats: list[str]
    projects: list[ProjectRecord]


def archive_dir(out: Path, year: int) -> Path:
    return out / "archive" / str(year)


def version_dirs(root: Path) -> list[tuple[int, Path]]:
    if not root.is_dir():
        return []
    found = [(int(m.group(1)), p) for p in root.iterdir() if p.is_dir() and (m := _VERSION_DIR.fullmatch(p.name))]
    return sorted(found)


def load_version(number: int, path: Path) -> Version:
    return Version(number, path, Manifest.from_json((path / MANIFEST).read_text(encoding="utf-8")))


def read_versions(root: Path) -> list[tuple[int, Path, Version | None]]:
    """Every version folder, oldest first, with its manifest read (None: missing or damaged)."""
    out = []
    for number, path in version_dirs(root):
        try:
            out.append((number, path, load_version(number, path)))
        except (OSError, ValueError, KeyError, TypeError):
            out.append((number, path, None))
    return out


def latest(root: Path) -> Version | None:
    """The newest version whose manifest can be read (a damaged one is for `annex verify` to report)."""
    readable = [v for _, _, v in read_versions(root) if v is not None]
    return readable[-1] if readable else None


def clean_staging(root: Path) -> None:
    """Half-written versions of killed builds (the caller holds the build lock)."""
    if root.is_dir():
        for p in root.glob(".staging-*"):
            remove_tree(p)


def record(root: Path, snap: Snapshot) -> Version:
    """Store a new version: outputs, a copy of the year folder, manifest; then make it read-only.

    The version is assembled in a staging folder and renamed to vNNN in one step, so a reader sees
    a complete version or none. The caller holds the build lock, so no one else picks the number.
    """
    root.mkdir(parents=True, exist_ok=True)
    clean_staging(root)
    found = version_dirs(root)
    prev = latest(root)
    number = found[-1][0] + 1 if found else 1  # never reuse a number, even a damaged version's
    staging = root / f".staging-{os.getpid()}"
    try:
        files: dict[str, str] = {}
        for rel in sorted(snap.outputs):
            files[f"{OUTPUTS}/{rel}"] = _store(snap.build_dir / rel, staging, f"{OUTPUTS}/{rel}", prev,
                                               snap.outputs[rel])
        data: dict[str, str] = {}
        for src in sorted(p for p in snap.data_dir.rglob("*") if p.is_file()):
            rel = src.relative_to(snap.data_dir).as_posix()
            name = f"{DATA}/{snap.year}/{rel}"
            data[rel] = files[name] = _store(src, staging, name, prev)
        if tree_digest(data) != snap.data_digest:
            raise DataChanged(snap.data_dir)
        manifest = Manifest(
            version=version_name(number), year=snap.year,
            created=datetime.now().astimezone().isoformat(timespec="seconds"),
            annex_version=snap.annex_version, variant=snap.variant, templates=snap.templates,
            bundle_title=snap.bundle_title, formats=list(snap.formats), projects=list(snap.projects),
            files=files, changes=_changes(prev.manifest if prev else None, snap),
        )
        (staging / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
        _freeze(staging)
        target = root / version_name(number)
        os.rename(staging, target)
        fsync_dir(root)
    except BaseException:
        remove_tree(staging)
        raise
    return Version(number, target, manifest)


def _store(src: Path, staging: Path, name: str, prev: Version | None, digest: str | None = None) -> str:
    """Put one file into the version: a link to the previous version's copy when the bytes are equal
    (by the hash the build recorded, or by reading the file), else a copy hashed as it is written."""
    dest = staging / name
    dest.parent.mkdir(parents=True, exist_ok=True)
    if prev is not None and name in prev.manifest.files:
        digest = digest or sha256_file(src)
        if prev.manifest.files[name] == digest:
            try:
                os.link(prev.path / name, dest)
                return digest
            except OSError:
                pass  # a file system without hard links: copy instead
    h = hashlib.sha256()
    with open(src, "rb") as fin, open(dest, "wb") as fout:
        for chunk in iter(lambda: fin.read(1 << 20), b""):
            h.update(chunk)
            fout.write(chunk)
        fout.flush()
        os.fsync(fout.fileno())
    return h.hexdigest()


def _freeze(folder: Path) -> None:
    for p in sorted(folder.rglob("*"), reverse=True):
        os.chmod(p, 0o555 if p.is_dir() else 0o444)
    os.chmod(folder, 0o555)


def _changes(prev: Manifest | None, snap: Snapshot) -> Changes:
    if prev is None:
        return Changes()
    before = {p.key: p.form for p in prev.projects}
    after = {p.key: p.form for p in snap.projects}
    return Changes(
        previous=prev.version,
        added=[k for k in after if k not in before],
        removed=[k for k in before if k not in after],
        changed=[k for k in after if k in before and before[k] != after[k]],
        templates=prev.templates != snap.templates,
        annex_version=prev.annex_version != snap.annex_version,
    )


@dataclass(frozen=True)
class Problem:
    version: str
    path: str  # inside the version folder
    kind: str  # "missing" | "changed" | "extra" | "manifest"


def verify_version(number: int, path: Path) -> tuple[int, list[Problem]]:
    """Recheck one version against its manifest: (files checked, problems)."""
    name = version_name(number)
    try:
        manifest = load_version(number, path).manifest
    except (OSError, ValueError, KeyError, TypeError):
        return 0, [Problem(name, MANIFEST, "manifest")]
    problems = []
    for rel, digest in manifest.files.items():
        p = path / rel
        if not p.is_file():
            problems.append(Problem(name, rel, "missing"))
        elif sha256_file(p) != digest:
            problems.append(Problem(name, rel, "changed"))
    present = {p.relative_to(path).as_posix() for p in path.rglob("*") if not p.is_dir()}
    for rel in sorted(present - set(manifest.files) - {MANIFEST}):
        problems.append(Problem(name, rel, "extra"))
    return len(manifest.files), problems
