"""Storing a new version, and reading the versions back."""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pipeline.files.digest import hash_regular, sha256_bytes
from pipeline.files.paths import is_real_dir, lstat, mode_text
from pipeline.files.read import NotRegular, read_regular
from pipeline.files.write import copy_new, create_new, fsync_dir, temp_pattern
from pipeline.files.links import refuse_links
from pipeline.archive.head import head_path, read_head_state, witness_path, write_head
from pipeline.archive.manifest import (
    DATA, DIR_MODE, HEAD, MANIFEST, MAX_MANIFEST_BYTES, OUTPUTS, Changes, HeadRecord, Link, Manifest, ProjectRecord, looks_like_version,
    version_name, version_number,
)
from pipeline.errors import Abort
from pipeline.problems.findings import HEAD_LOST, finding_text
from pipeline.files.digest import tree_digest
from pipeline.files.tree import remove_tree

MANIFEST_MODE = 0o444
STAGING = re.compile(r"\.staging-\d+")  # a version being written, or left by a killed build
MAX_NAMED = 3  # files named in a build note before "等 N 个"


class DataChanged(Exception):
    """The input folder changed between the build and its archiving: the snapshot would not match."""


class ArchiveRefused(Abort):
    """The data folder holds something the archive must not copy (a link to a file outside it)."""


@dataclass(frozen=True)
class Version:
    number: int
    path: Path
    manifest: Manifest
    # What the build met while storing this version (a damaged archive), for the user (Chinese).
    notes: tuple[str, ...] = ()

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
    note: str = ""  # annex build --note
    made_by: str = ""  # who made it, when made from the web page


def archive_dir(out: Path, year: int) -> Path:
    return out / "archive" / str(year)


def archive_root(out: Path) -> Path:
    """The archive of an output folder: build/archive/."""
    return out / "archive"


def version_dirs(root: Path) -> list[tuple[int, Path]]:
    """The version folders (real folders named as annex names them, never links), oldest first."""
    try:
        entries = list(os.scandir(root))
    except (FileNotFoundError, NotADirectoryError):
        return []
    found = [(n, Path(e.path)) for e in entries
             if (n := version_number(e.name)) is not None and e.is_dir(follow_symlinks=False)]
    return sorted(found)


def load_version(number: int, path: Path) -> Version:
    return Version(number, path, Manifest.from_json(read_regular(path / MANIFEST, MAX_MANIFEST_BYTES)))


def read_versions(root: Path) -> list[tuple[int, Path, Version | None]]:
    """Every version folder, oldest first, with its manifest read (None: missing or damaged)."""
    out = []
    for number, path in version_dirs(root):
        try:
            out.append((number, path, load_version(number, path)))
        except (OSError, ValueError, KeyError, TypeError):
            out.append((number, path, None))
    return out


def _load_link(root: Path, link: Link) -> Version | None:
    """The version a link names, if its manifest is exactly the one linked (else None)."""
    path = root / link.version
    try:
        data = read_regular(path / MANIFEST, MAX_MANIFEST_BYTES)
        if not is_real_dir(path) or sha256_bytes(data) != link.sha256:
            return None
        return Version(link.number, path, Manifest.from_json(data))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def latest(root: Path) -> Version | None:
    """The newest version, if it is as annex recorded it (None when it is missing or altered: the
    next build then stores a new version). An archive from before the head record: the newest
    version whose manifest can be read."""
    state = read_head_state(root)
    if state.head is not None:
        return _load_link(root, state.head)
    if state.recorded:
        return None
    readable = [v for _, _, v in read_versions(root) if v is not None]
    return readable[-1] if readable else None


def clean_staging(root: Path) -> None:
    """Half-written versions and head records of killed builds (the caller holds the build lock).
    Only names annex gives them; a link is removed as a link, never followed."""
    leftovers = ((root, re.compile(f"{STAGING.pattern}|{temp_pattern(HEAD)}")),
                 (root.parent.parent, re.compile(temp_pattern(witness_path(root).name))))
    for folder, names in leftovers:
        try:
            entries = list(os.scandir(folder))
        except FileNotFoundError:
            continue
        for e in entries:
            if names.fullmatch(e.name):
                if e.is_dir(follow_symlinks=False):
                    remove_tree(Path(e.path))
                else:
                    os.unlink(e.path)


# --- storing a version ------------------------------------------------------------------------

@dataclass(frozen=True)
class _Source:
    rel: str  # inside the data folder
    path: str


def _refuse_link(build_dir: Path, link: str) -> ArchiveRefused:
    return ArchiveRefused("archive-data-link", build_dir=build_dir, link=link, points_to=os.path.realpath(link))


def _data_sources(snap: Snapshot) -> tuple[list[_Source], dict[str, int]]:
    """The regular files of the data folder (walked without following a link, as the build's
    digest walks it), and each folder's permission bits. A link stops the archiving: its target
    may be anything, anywhere (a system file, another department's folder), not the user's data
    to copy; `check` reports links first, this is the archive's own guard."""
    sources: list[_Source] = []
    dir_modes: dict[str, int] = {}
    for folder, dirnames, filenames in os.walk(snap.data_dir):
        rel_folder = os.path.relpath(folder, snap.data_dir).replace(os.sep, "/")
        dir_modes[rel_folder] = stat.S_IMODE(os.lstat(folder).st_mode)
        for name in sorted(dirnames + filenames):
            path = os.path.join(folder, name)
            rel = name if rel_folder == "." else f"{rel_folder}/{name}"
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode):
                raise _refuse_link(snap.build_dir, path)
            if stat.S_ISREG(st.st_mode):
                sources.append(_Source(rel, path))
    return sources, dir_modes


def _file_mode(source_mode: int) -> int:
    """Read-only, and readable by no one the source was not readable by."""
    return (source_mode & 0o444) | 0o400


def _dir_mode(source_mode: int) -> int:
    return (source_mode & 0o555) | 0o500


class _Stager:
    """Fills the staging folder of a new version; files equal to the previous version's are hard
    links to them, but only after the linked file is hashed again and found as its manifest says."""

    def __init__(self, staging: Path, prev: Version | None):
        self.staging = staging
        self.prev = prev
        self.files: dict[str, str] = {}
        self.modes: dict[str, str] = {}
        self.not_reused: list[str] = []  # files of the previous version that no longer match its manifest

    def store(self, name: str, src: str, digest: str | None = None) -> str:
        dest = self.staging / name
        os.makedirs(dest.parent, mode=0o700, exist_ok=True)
        mode = _file_mode(stat.S_IMODE(os.lstat(src).st_mode))
        prev = self.prev
        if prev is not None and name in prev.manifest.files and prev.manifest.mode_of(name, False) == mode:
            digest = digest or hash_regular(src).sha256
            if prev.manifest.files[name] == digest and self._link(prev.path / name, dest, digest, mode):
                return self._done(name, digest, mode)
        return self._done(name, copy_new(src, dest, mode).sha256, mode)

    def _link(self, old: Path, dest: Path, digest: str, mode: int) -> bool:
        try:
            os.link(old, dest, follow_symlinks=False)
        except OSError:
            return False  # gone, or a file system without hard links: copy instead
        try:
            found = hash_regular(dest)  # the very file now linked, not a name that could change
            ok = found.sha256 == digest and found.mode == mode
        except (NotRegular, OSError):
            ok = False
        if not ok:
            os.unlink(dest)
            self.not_reused.append(old.relative_to(self.prev.path).as_posix())
        return ok

    def _done(self, name: str, digest: str, mode: int) -> str:
        self.files[name] = digest
        self.modes[name] = mode_text(mode)
        return digest


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


def _ensure_root(root: Path) -> None:
    """build/archive/<year> as a real folder (a link there, or at build/archive, would send the
    versions elsewhere)."""
    refuse_links(root.parent.parent, root, "archive")
    root.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.mkdir(root, 0o755)
    except FileExistsError:
        pass
    if not is_real_dir(root):
        raise ArchiveRefused("archive-root-not-folder", root=root)
    for path in (head_path(root), witness_path(root)):
        if is_real_dir(path):  # a file or a link there is simply replaced; a folder cannot be
            raise ArchiveRefused("archive-record-is-folder", path=path)


def _names(paths: list[str]) -> str:
    shown = "、".join(paths[:MAX_NAMED])
    return shown + (f" 等 {len(paths)} 个文件" if len(paths) > MAX_NAMED else "")


def record(root: Path, snap: Snapshot) -> Version:
    """Store a new version: outputs, a copy of the year folder, manifest; make it read-only, then
    record it as the head. (One function, longer than most: every step after the staging folder is
    made runs under the one try that removes it on any failure, in the order the reader checks.)

    The version is assembled in a staging folder and renamed to vNNN in one step, so a reader sees
    a complete version or none. The caller holds the build lock, so no one else picks the number.
    A number is never given twice: the head record keeps the last one even when its version was
    deleted. A damaged archive does not stop the build from storing the new version (the damage
    stays in place for `annex verify` to report); what was met is in the version's notes.
    """
    sources, dir_modes = _data_sources(snap)  # may refuse, before anything is written
    _ensure_root(root)
    clean_staging(root)
    state = read_head_state(root)
    notes = [finding_text(code, **fields) for code, fields in state.problems]
    on_disk = [n for e in os.scandir(root) if looks_like_version(e.name) and (n := version_number(e.name))]
    number = max([state.last_number, *on_disk]) + 1
    readable = [v for _, _, v in read_versions(root) if v is not None]

    link, prev = state.head, None
    if link is not None:
        prev = _load_link(root, link)
        if prev is None:
            what = HEAD_LOST["gone" if lstat(root / link.version) is None else "differs"]
            notes.append(finding_text("archive-note-head-lost", version=link.version, what=what,
                                      after=version_name(number - 1)))
    elif readable:  # an archive from before the chain (or whose head records were removed)
        prev = readable[-1]
        link = Link(prev.name, sha256_bytes(read_regular(prev.path / MANIFEST, MAX_MANIFEST_BYTES)))
        if prev.manifest.format >= 2 and not state.recorded:
            notes.append(finding_text("archive-note-head-missing", after=prev.name))
    # What `annex history` compares with: the previous version, or the newest readable one the
    # head still covers (never a folder put in above it).
    covered = [v for v in readable if link is None or v.number <= link.number]
    changes_from = prev.manifest if prev is not None else (covered[-1].manifest if covered else None)

    staging = root / f".staging-{os.getpid()}"
    os.mkdir(staging, 0o700)
    try:
        stager = _Stager(staging, prev)
        for rel in sorted(snap.outputs):
            stager.store(f"{OUTPUTS}/{rel}", os.fspath(snap.build_dir / rel), snap.outputs[rel])
        data: dict[str, str] = {}
        for src in sources:
            data[src.rel] = stager.store(f"{DATA}/{snap.year}/{src.rel}", src.path)
        if tree_digest(data) != snap.data_digest:
            raise DataChanged(snap.data_dir)
        modes = dict(stager.modes)
        for rel in _parents(stager.files):
            source_rel = rel.split("/", 2)[2] if rel.startswith(f"{DATA}/{snap.year}/") else None
            if rel == f"{DATA}/{snap.year}":
                source_rel = "."
            modes[rel] = mode_text(_dir_mode(dir_modes[source_rel]) if source_rel in dir_modes else DIR_MODE)
        if stager.not_reused:
            notes.append(finding_text("archive-note-not-reused", version=prev.name, names=_names(stager.not_reused)))
        manifest = Manifest(
            version=version_name(number), year=snap.year,
            created=datetime.now().astimezone().isoformat(timespec="seconds"),
            annex_version=snap.annex_version, variant=snap.variant, templates=snap.templates,
            bundle_title=snap.bundle_title, formats=list(snap.formats), projects=list(snap.projects),
            files=stager.files, changes=_changes(changes_from, snap),
            previous_version=link.version if link else "", previous_sha256=link.sha256 if link else "",
            modes=dict(sorted(modes.items())), note=snap.note, made_by=snap.made_by,
        )
        text = manifest.to_json().encode()
        create_new(staging / MANIFEST, text, MANIFEST_MODE)
        for rel in sorted((r for r in modes if r not in stager.files), key=lambda r: -r.count("/")):
            os.chmod(staging / rel, int(modes[rel], 8))
        os.chmod(staging, DIR_MODE)
        new = Link(version_name(number), sha256_bytes(text))
        # Announce the version, put it in place, then record it as the head: a process killed
        # between the steps leaves a record that still says which version is the newest.
        write_head(root, HeadRecord(snap.year, state.head, pending=new))
        target = root / new.version
        os.rename(staging, target)
        fsync_dir(root)
    except BaseException:
        remove_tree(staging)
        raise
    write_head(root, HeadRecord(snap.year, new))
    return Version(number, target, manifest, tuple(notes))


def _parents(files: dict[str, str]) -> set[str]:
    out = set()
    for rel in files:
        parts = rel.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            out.add("/".join(parts[:i]))
    return out
