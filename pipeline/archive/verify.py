"""`annex verify`: is each year's archive exactly what annex stored?

Checked, without following a single link: the head record (in the archive and its copy in the
output folder); the chain from the head down to v001 (each manifest's sha256 as the next version
recorded it, so a rewritten manifest, a deleted, renamed or swapped version is a broken link);
that every version folder is a real folder named after the version its manifest names; that every
manifest entry stays inside its version; and, file by file, that each is a regular file with its
recorded sha256 and permission bits, with no file, folder or link the manifest does not list.

What it cannot prove: someone able to rewrite a whole year's archive and both head records can
make a consistent forgery. The head's sha256, printed at the end, is what a user keeps elsewhere
(e.g. in the email that sends the bundle); `annex verify --head` then checks the archive against it.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.files.digest import hash_regular, sha256_bytes
from pipeline.files.paths import link_target, lstat, mode_text, printable
from pipeline.files.read import NotRegular, TooLarge, read_regular
from pipeline.files.write import temp_pattern
from pipeline.files.oserrors import reason
from pipeline.archive.head import head_path, read_head_state, witness_path
from pipeline.archive.manifest import (
    DIR_MODE, HEAD, MANIFEST, MAX_MANIFEST_BYTES, Link, Manifest, looks_like_version, safe_entry, version_name,
    version_number,
)
from pipeline.archive.store import MANIFEST_MODE, STAGING, archive_dir
from pipeline.errors import Abort
from pipeline.problems.findings import ENTRY_KIND, MODE_CHANGE, finding_text, link_owner
from pipeline.files.links import first_link

_HEAD_TMP = re.compile(temp_pattern(HEAD))  # a head record being written, or left by a killed build


class UnreadableArchive(Abort):
    """The output or archive folder cannot be listed (permissions)."""


@dataclass(frozen=True)
class Finding:
    where: str  # "2023/v003", or "2023" for the year's archive as a whole
    path: str  # inside the version folder ("" for the version or the year itself)
    code: str  # what is wrong: a finding of the catalogue (pipeline/problems/catalogue.py)
    fields: dict = field(default_factory=dict, hash=False)  # its template's fields
    problem: bool = True  # False: a note (an interrupted build's leftovers, an old-format version)

    @property
    def text(self) -> str:
        return finding_text(self.code, **self.fields)

    @property
    def line(self) -> str:
        return f"{self.where} · {printable(self.path)}：{self.text}" if self.path else f"{self.where}：{self.text}"


@dataclass
class YearReport:
    year: int
    findings: list[Finding] = field(default_factory=list)
    intact: list[tuple[str, int]] = field(default_factory=list)  # (version, files checked)
    head: Link | None = None  # the newest version, when the archive verifies
    chain: list[Link] = field(default_factory=list)  # every version checked on the chain, newest first

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if f.problem]


def years(out: Path) -> list[int]:
    """Years with an archive folder, or with a head record next to where it should be."""
    found = set()
    for e in _entries(out / "archive"):
        if e.name.isdigit():
            found.add(int(e.name))
    for e in _entries(out):
        name = e.name
        if name.startswith(".") and name.endswith(".archive-head.json") and name[1:-18].isdigit():
            found.add(int(name[1:-18]))
    return sorted(found)


def _entries(folder: Path) -> list[os.DirEntry]:
    try:
        with os.scandir(folder) as it:
            return list(it)
    except FileNotFoundError:
        return []
    except OSError as e:
        raise UnreadableArchive("archive-folder-unlistable", folder=folder, reason=reason(e)) from None


@dataclass
class _Version:
    number: int
    path: Path
    manifest_bytes: bytes | None = None
    manifest: Manifest | None = None


def verify_year(out: Path, year: int, files_of: set[str] | None = None) -> YearReport:
    """Everything about one year's archive; `files_of`: check the files of these versions only
    (the chain is always checked whole: an older version is only as trustworthy as the links
    above it)."""
    report = YearReport(year)
    try:
        _verify_year(out, year, files_of, report)
    except PermissionError as e:  # a folder or file annex cannot open: said, not a traceback
        report.findings.append(Finding(str(year), printable(str(e.filename)), "archive-unreadable",
                                       {"reason": reason(e)}))
        report.head = None
    return report


def _verify_year(out: Path, year: int, files_of: set[str] | None, report: YearReport) -> None:
    root = archive_dir(out, year)
    where = str(year)

    def add(code: str, path: str = "", at: str = where, problem: bool = True, **fields: object) -> None:
        report.findings.append(Finding(at, path, code, fields, problem))

    linked = first_link(out, root)
    if linked is not None and linked != root:
        add("archive-root-linked", link=linked, target=link_target(linked))
        return
    state = read_head_state(root)
    for code, fields in state.problems:
        add(code, **fields)
    root_st = lstat(root)
    if root_st is None:
        if state.head is not None:
            add("archive-folder-gone", root=root, version=state.head.version)
        return
    if not stat.S_ISDIR(root_st.st_mode):
        add("archive-folder-replaced", root=root, kind=ENTRY_KIND["link" if stat.S_ISLNK(root_st.st_mode) else "file"])
        return

    try:
        versions = _scan_root(root, add)
    except OSError as e:
        add("archive-folder-unreadable", root=root, reason=reason(e))
        return
    for v in versions.values():
        _read_manifest(v, year, add)

    if state.head is None and any(v.manifest is not None and v.manifest.format >= 2 for v in versions.values()):
        if not state.recorded:
            add("archive-head-missing", name=HEAD)
    report.chain, on_chain = _walk_chain(versions, state.head, year, add)
    for n, v in sorted(versions.items()):
        if n not in on_chain:
            add("archive-off-chain", at=f"{year}/{v.path.name}")
    for n, v in sorted(versions.items()):
        if v.manifest is not None and (files_of is None or v.path.name in files_of):
            checked = _check_files(v, year, add)
            if not any(f.where == f"{year}/{v.path.name}" and f.problem for f in report.findings):
                report.intact.append((v.path.name, checked))
    if not report.problems and report.chain:
        report.head = report.chain[0]
    return


def doubts(out: Path, year: int, names: list[str]) -> list[Finding]:
    """What makes these versions untrustworthy (for `annex diff`): their own files, and the chain
    from the head down to the oldest of them. Problems of older versions do not matter here."""
    numbers = [n for n in map(version_number, names) if n is not None]
    oldest = min(numbers, default=0)

    def relevant(f: Finding) -> bool:
        _, _, name = f.where.partition("/")
        n = version_number(name) if name else None
        return n is None or n >= oldest

    return [f for f in verify_year(out, year, files_of=set(names)).problems if relevant(f)]


def _scan_root(root: Path, add) -> dict[int, _Version]:
    """The year folder's entries: version folders, the head record, an interrupted build's
    leftovers; anything else is reported."""
    versions: dict[int, _Version] = {}
    for e in sorted(os.scandir(root), key=lambda e: e.name):
        st = e.stat(follow_symlinks=False)
        kind = ENTRY_KIND["link" if stat.S_ISLNK(st.st_mode) else ("folder" if stat.S_ISDIR(st.st_mode) else "file")]
        if e.name == HEAD:
            if stat.S_ISREG(st.st_mode) and stat.S_IMODE(st.st_mode) != 0o444:
                add("archive-mode-changed", HEAD, **_mode_fields(0o444, stat.S_IMODE(st.st_mode)))
            continue  # its content is read by read_head_state
        if STAGING.fullmatch(e.name) or _HEAD_TMP.fullmatch(e.name):
            add("archive-leftover", e.name, problem=False)
            continue
        number = version_number(e.name)
        if number is not None and stat.S_ISDIR(st.st_mode):
            versions[number] = _Version(number, Path(e.path))
        elif number is not None:
            add("archive-version-replaced", at=f"{root.name}/{e.name}", kind=kind)
        elif looks_like_version(e.name):
            add("archive-misnamed", e.name, kind=kind)
        else:
            add("archive-extra", e.name, kind=kind)
    return versions


def _read_manifest(v: _Version, year: int, add) -> None:
    at = f"{year}/{v.path.name}"
    path = v.path / MANIFEST
    try:
        st = lstat(path)
        v.manifest_bytes = read_regular(path, MAX_MANIFEST_BYTES)
        v.manifest = Manifest.from_json(v.manifest_bytes)
    except TooLarge:
        add("archive-manifest-too-large", MANIFEST, at)
        return
    except NotRegular:
        link = st is not None and stat.S_ISLNK(st.st_mode)
        add("archive-manifest-replaced", MANIFEST, at, kind=ENTRY_KIND["link" if link else "other"])
        return
    except PermissionError as e:
        add("archive-manifest-unreadable", MANIFEST, at, reason=reason(e))
        return
    except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError):
        add("archive-manifest-missing", MANIFEST, at)
        return
    m = v.manifest
    if m.version != v.path.name:
        add("archive-manifest-swapped", at=at, folder=v.path.name, version=m.version)
    if m.year != year:
        add("archive-manifest-wrong-year", MANIFEST, at, recorded=m.year, year=year)
    if st is not None and stat.S_IMODE(st.st_mode) != MANIFEST_MODE and m.format >= 2:
        add("archive-mode-changed", MANIFEST, at, **_mode_fields(MANIFEST_MODE, stat.S_IMODE(st.st_mode)))


def _walk_chain(versions: dict[int, _Version], head: Link | None, year: int, add) -> tuple[list[Link], set[int]]:
    """Follow the links from the head down. Returns the links checked (newest first) and the
    numbers of the versions on the chain."""
    chain: list[Link] = []
    on_chain: set[int] = set()
    if head is None:
        if not any(v.manifest is not None and v.manifest.format >= 2 for v in versions.values()):
            # An archive from before the chain: its versions stand on their own.
            on_chain.update(versions)
            if versions:
                add("archive-before-chain", problem=False)
            return chain, on_chain
        head = Link(version_name(max(versions)), "")  # no record to check it against: start from the top
    link: Link | None = head
    # Who recorded the link being followed: named in the messages. ("" for a link with no hash.)
    recorded_by, named = link_owner("head"), link_owner("head")
    while link is not None:
        number = link.number
        v = versions.get(number)
        if v is None or v.manifest is None:
            if v is None:
                add("archive-version-missing", at=f"{year}/{link.version}", named=named, version=link.version)
            else:
                on_chain.add(number)
            # Resume below the gap: the older versions are still checked, their own links too.
            lower = [n for n in versions if n < number]
            if not lower:
                break
            below = versions[max(lower)]
            add("archive-unverifiable", at=f"{year}/{below.path.name}", problem=False)
            link, recorded_by, named = Link(below.path.name, ""), link_owner("none"), link_owner("below")
            continue
        on_chain.add(number)
        at = f"{year}/{v.path.name}"
        actual = sha256_bytes(v.manifest_bytes)
        if link.sha256 and actual != link.sha256:
            add("archive-manifest-hash", MANIFEST, at, recorded_by=recorded_by)
        chain.append(Link(v.path.name, actual))
        m = v.manifest
        if m.format < 2:
            on_chain.update(n for n in versions if n < number)  # older versions: no chain to follow
            break
        if not m.previous_version:
            if any(n < number for n in versions):
                add("archive-chain-cut", MANIFEST, at)
            break
        prev_number = version_number(m.previous_version)
        if prev_number is None or prev_number >= number or not m.previous_sha256:
            add("archive-previous-invalid", MANIFEST, at, previous=m.previous_version)
            break
        link = Link(m.previous_version, m.previous_sha256)
        recorded_by, named = link_owner("manifest", v.path.name), link_owner("manifest-link", v.path.name)
    return chain, on_chain


def _check_files(v: _Version, year: int, add) -> int:
    """Each entry of the manifest against the folder, walked without following any link.

    Long on purpose: one walk of the folder, one pass over the manifest, and the bookkeeping that
    relates them (what lies under a folder that is missing or replaced is counted there, not listed)
    share their sets; split, the sets would travel between the parts."""
    m = v.manifest
    at = f"{year}/{v.path.name}"
    entries = {}
    for rel, digest in m.files.items():
        if safe_entry(rel, year) and rel != MANIFEST:
            entries[rel] = digest
        else:
            add("archive-entry-outside", str(rel), at)
    expected_dirs = {"/".join(rel.split("/")[:i]) for rel in entries for i in range(1, rel.count("/") + 1)}
    root_mode = stat.S_IMODE(os.lstat(v.path).st_mode)
    if root_mode != DIR_MODE:
        add("archive-version-mode-changed", at=at, **_mode_fields(DIR_MODE, root_mode))

    found_files: dict[str, os.stat_result] = {}
    found_dirs: set[str] = set()
    bad_dirs: set[str] = set()  # expected folders that are links or files: what is below is not looked at
    def unreadable(e: OSError) -> None:
        rel = os.path.relpath(e.filename, v.path).replace(os.sep, "/")
        add("archive-unreadable", "" if rel == "." else rel, at, reason=reason(e))
        bad_dirs.add(rel)

    for folder, dirnames, filenames in os.walk(v.path, onerror=unreadable):
        rel_folder = os.path.relpath(folder, v.path).replace(os.sep, "/")
        for name in sorted(dirnames + filenames):
            rel = name if rel_folder == "." else f"{rel_folder}/{name}"
            st = os.lstat(os.path.join(folder, name))
            if stat.S_ISDIR(st.st_mode):
                found_dirs.add(rel)
                if rel not in expected_dirs:
                    add("archive-extra-folder", rel, at)
                elif stat.S_IMODE(st.st_mode) != m.mode_of(rel, True):
                    add("archive-mode-changed", rel, at, **_modes(m.mode_of(rel, True), st))
            elif stat.S_ISLNK(st.st_mode):
                if rel in entries or rel in expected_dirs or rel == MANIFEST:
                    add("archive-became-link", rel, at)
                    bad_dirs.add(rel)
                else:
                    add("archive-extra-link", rel, at)
            elif stat.S_ISREG(st.st_mode):
                if rel in entries:
                    found_files[rel] = st
                elif rel in expected_dirs:
                    add("archive-folder-became-file", rel, at)
                    bad_dirs.add(rel)
                elif rel != MANIFEST:
                    add("archive-extra-file", rel, at)
            else:
                add("archive-not-regular", rel, at)
                bad_dirs.add(rel)
    missing_under: dict[str, int] = {}
    for rel, digest in entries.items():
        if rel in found_files:
            st = found_files[rel]
            try:
                got = hash_regular(v.path / rel)
            except OSError:
                add("archive-file-unreadable", rel, at)
                continue
            if got.sha256 != digest:
                add("archive-content-changed", rel, at)
            want = m.mode_of(rel, False)
            if got.mode != want:
                add("archive-mode-changed", rel, at, **_modes(want, st))
            continue
        if rel in bad_dirs:
            continue
        # Under a folder that is missing, replaced or unreadable: counted there, not listed.
        gone = next((d for d in ["."] + sorted(expected_dirs, key=len)
                     if (d == "." or rel.startswith(d + "/")) and (d in bad_dirs or d != "." and d not in found_dirs)),
                    None)
        if gone is not None:
            missing_under[gone] = missing_under.get(gone, 0) + 1
        else:
            add("archive-file-missing", rel, at)
    for d, n in sorted(missing_under.items()):
        if d not in bad_dirs:
            add("archive-folder-missing", d, at, n=n)
        else:
            add("archive-unchecked", "" if d == "." else d, at, n=n)
    return len(entries)


def _modes(want: int, st: os.stat_result) -> dict[str, str]:
    return _mode_fields(want, stat.S_IMODE(st.st_mode))


def _mode_fields(want: int, got: int) -> dict[str, str]:
    """A changed permission as the clerk sees it (can it now be changed, can it be opened), and the
    numbers for whoever restores it."""
    if got & 0o222 and not want & 0o222:
        change = MODE_CHANGE["writable"]
    elif want & 0o444 and not got & 0o444:
        change = MODE_CHANGE["unreadable"]
    else:
        change = MODE_CHANGE["other"]
    return {"change": change, "want": mode_text(want), "got": mode_text(got)}


def head_paths(out: Path, year: int) -> tuple[Path, Path]:
    root = archive_dir(out, year)
    return head_path(root), witness_path(root)
