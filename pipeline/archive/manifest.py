"""What a version records about itself (`manifest.json`) and the record of the newest version.

Format 2 chains the versions: each manifest names the version before it and the sha256 of that
version's manifest.json, and the head record (`head.json` in the year's archive folder, and a copy
next to the year's lock in the output folder) names the newest version and the sha256 of its
manifest. Rewriting or removing any version breaks a link that `annex verify` follows from the
head down to v001. Format 1 (no chain, all files 0444) is still read.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field

MANIFEST = "manifest.json"
OUTPUTS = "outputs"
DATA = "data"
HEAD = "head.json"
MANIFEST_FORMAT = 2
HEAD_FORMAT = 1
FILE_MODE = 0o444  # a format-1 version's files, and any file with no recorded mode
DIR_MODE = 0o555
MAX_MANIFEST_BYTES = 64 << 20  # a manifest of 10,000 tables is ~3 MB
_VERSION_DIR = re.compile(r"v(\d{3,})")
_VERSION_ARG = re.compile(r"[vV]?0*(\d+)")
_SHA256 = re.compile(r"[0-9a-f]{64}")


def version_name(number: int) -> str:
    return f"v{number:03d}"


def version_number(name: str) -> int | None:
    """The number of a version folder's name as annex writes it (`v003` -> 3; `v3`, `v0003` -> None)."""
    m = _VERSION_DIR.fullmatch(name)
    if m is None or int(m.group(1)) == 0 or version_name(int(m.group(1))) != name:
        return None
    return int(m.group(1))


def looks_like_version(name: str) -> bool:
    return _VERSION_DIR.fullmatch(name) is not None


def parse_version(text: str) -> int | None:
    """`v1`, `1`, `v001` -> 1; anything else -> None."""
    m = _VERSION_ARG.fullmatch(text.strip())
    return int(m.group(1)) if m and int(m.group(1)) > 0 else None


def is_sha256(text: object) -> bool:
    return isinstance(text, str) and _SHA256.fullmatch(text) is not None


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
    created: str  # ISO 8601 with the local offset ("" when a damaged manifest has none)
    annex_version: str
    variant: str
    templates: str  # Variant.fingerprint()
    bundle_title: str
    formats: list[str]
    projects: list[ProjectRecord]
    files: dict[str, str]  # path inside the version folder -> sha256
    changes: Changes
    format: int = MANIFEST_FORMAT
    # The chain (format 2): the version this one follows and the sha256 of its manifest.json.
    previous_version: str = ""  # "" for the first version
    previous_sha256: str = ""
    # Permission bits ("0444") of every file and folder inside the version folder: no more than
    # the source's, so a private data file stays private in the archive.
    modes: dict[str, str] = field(default_factory=dict)
    note: str = ""  # annex build --note "报送财政局": what this version was issued as (shown by history)
    made_by: str = ""  # the user name of who made it from the web page (annex serve); "" from the command line

    @property
    def outputs(self) -> dict[str, str]:
        """The build outputs, by their path inside build/<year>/."""
        prefix = OUTPUTS + "/"
        return {k[len(prefix):]: v for k, v in self.files.items() if k.startswith(prefix)}

    def mode_of(self, rel: str, is_dir: bool) -> int:
        text = self.modes.get(rel)
        return int(text, 8) if text is not None else (DIR_MODE if is_dir else FILE_MODE)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str | bytes) -> "Manifest":
        """Raises ValueError for anything that is not a manifest as annex writes it; a missing or
        non-text `created` is read as "" (a version with no time is still listed)."""
        raw = json.loads(text)
        if not isinstance(raw, dict):
            raise ValueError("not an object")
        created = raw.get("created")
        modes = raw.get("modes", {})
        m = cls(
            version=_str(raw, "version"), year=_int(raw, "year"),
            created=created if isinstance(created, str) else "",
            annex_version=_str(raw, "annex_version"), variant=_str(raw, "variant"),
            templates=_str(raw, "templates"), bundle_title=_str(raw, "bundle_title"),
            formats=_str_list(raw.get("formats")),
            projects=[_project(p) for p in _list(raw.get("projects"))],
            files=_str_dict(raw.get("files")), changes=_changes(raw.get("changes")),
            format=_int(raw, "format") if "format" in raw else 1,
            previous_version=raw.get("previous_version", "") or "", previous_sha256=raw.get("previous_sha256", "") or "",
            modes=_str_dict(modes),
            note=raw.get("note") if isinstance(raw.get("note"), str) else "",
            made_by=raw.get("made_by") if isinstance(raw.get("made_by"), str) else "",
        )
        if not isinstance(m.previous_version, str) or not isinstance(m.previous_sha256, str):
            raise ValueError("previous")
        for text_mode in m.modes.values():
            if not re.fullmatch(r"0[0-7]{3}", text_mode):
                raise ValueError(f"mode {text_mode!r}")
        return m


def _str(raw: dict, key: str) -> str:
    value = raw[key]
    if not isinstance(value, str):
        raise ValueError(key)
    return value


def _int(raw: dict, key: str) -> int:
    value = raw[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(key)
    return value


def _list(value: object) -> list:
    if not isinstance(value, list):
        raise ValueError("list")
    return value


def _str_list(value: object) -> list[str]:
    items = _list(value)
    if not all(isinstance(x, str) for x in items):
        raise ValueError("list of text")
    return list(items)


def _str_dict(value: object) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ValueError("mapping of text")
    return dict(value)


def _project(value: object) -> ProjectRecord:
    if not isinstance(value, dict):
        raise ValueError("project")
    return ProjectRecord(key=_str(value, "key"), file_stem=_str(value, "file_stem"), form=_str(value, "form"),
                         inputs=_str(value, "inputs"))


def _changes(value: object) -> Changes:
    if not isinstance(value, dict):
        raise ValueError("changes")
    flags = {k: value.get(k, False) for k in ("templates", "annex_version")}
    if not all(isinstance(v, bool) for v in flags.values()):
        raise ValueError("changes")
    return Changes(previous=value.get("previous", "") if isinstance(value.get("previous", ""), str) else "",
                   added=_str_list(value.get("added", [])), removed=_str_list(value.get("removed", [])),
                   changed=_str_list(value.get("changed", [])), **flags)


@dataclass(frozen=True)
class Link:
    """A version and the sha256 of its manifest.json."""

    version: str
    sha256: str

    @property
    def number(self) -> int:
        n = version_number(self.version)
        assert n is not None
        return n

    @classmethod
    def parse(cls, raw: object) -> "Link | None":
        if raw is None:
            return None
        if not isinstance(raw, dict) or version_number(raw.get("version", "")) is None \
                or not is_sha256(raw.get("sha256")):
            raise ValueError("link")
        return cls(raw["version"], raw["sha256"])


@dataclass(frozen=True)
class HeadRecord:
    """The newest version of a year, as annex last recorded it. `pending`: a version being stored
    (written just before its folder is renamed into place, cleared just after): if the process
    was killed in between, the pending version is the head when its folder holds that manifest."""

    year: int
    head: Link | None
    pending: Link | None = None
    format: int = HEAD_FORMAT

    @property
    def last_number(self) -> int:
        """The highest number ever given out: the next version is numbered after it."""
        return max((x.number for x in (self.head, self.pending) if x is not None), default=0)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str | bytes) -> "HeadRecord":
        raw = json.loads(text)
        if not isinstance(raw, dict) or raw.get("format") != HEAD_FORMAT:
            raise ValueError("head format")
        return cls(year=_int(raw, "year"), head=Link.parse(raw.get("head")), pending=Link.parse(raw.get("pending")))


def safe_entry(rel: object, year: int) -> bool:
    """A manifest entry annex could have written: a plain relative path under outputs/ or
    data/<year>/, with no empty, `.` or `..` part. Anything else is never opened."""
    if not isinstance(rel, str) or not rel or "\0" in rel or rel.startswith("/") or "\\" in rel:
        return False
    parts = rel.split("/")
    if any(p in ("", ".", "..") for p in parts):
        return False
    if parts[0] == OUTPUTS:
        return len(parts) >= 2
    return parts[0] == DATA and len(parts) >= 3 and parts[1] == str(year)
