"""The archive: every distinct build of a year, kept read-only under build/archive/<year>/vNNN/.

A version holds the outputs as built (`outputs/`), the input year folder as it was (`data/<year>/`)
and `manifest.json`: the sha256 and permission bits of every file, the package version, the form
variant and its templates' fingerprint, the time, a hash of each project's inputs, and the link to
the version before it (its name and the sha256 of its manifest). `head.json` (with a copy in the
output folder) names the newest version and its manifest's sha256, so the versions form a chain
that `annex verify` follows from the newest down to v001.

Nothing here ever changes or deletes a finished version, and no number is given twice. Files equal
to the previous version's are hard links to them (re-hashed before they are linked), so a version
that changes one table costs one table of disk, not the whole bundle again. Archived files keep no
more than the permissions of their source; a link in the data folder is refused, never followed.

Modules: `manifest` (what a version records), `head` (the head record), `store` (storing a version, reading them back), `verify`. Reading and writing
without following links is pipeline/files/.
"""

from pipeline.archive.manifest import (
    DATA, HEAD, MANIFEST, MANIFEST_FORMAT, OUTPUTS, Changes, HeadRecord, Link, Manifest, ProjectRecord,
    parse_version, version_name,
)
from pipeline.archive.store import (
    ArchiveRefused, DataChanged, Snapshot, Version, archive_dir, archive_root, clean_staging, latest,
    load_version, read_versions, record, version_dirs,
)
from pipeline.archive.verify import Finding, YearReport, doubts, verify_year, years

__all__ = [
    "DATA", "HEAD", "MANIFEST", "MANIFEST_FORMAT", "OUTPUTS", "ArchiveRefused", "Changes", "DataChanged",
    "Finding", "HeadRecord", "Link", "Manifest", "ProjectRecord", "Snapshot", "Version", "YearReport",
    "archive_dir", "archive_root", "clean_staging", "doubts", "latest", "load_version", "parse_version",
    "read_versions", "record", "verify_year", "version_dirs", "version_name", "years",
]
