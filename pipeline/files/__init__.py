"""Files as annex reads, names and writes them, at the base of the package (every room may use it).

- `paths.py`: a path as the user sees it, a link's target, `lstat` that answers None for nothing.
- `digest.py`: a file's sha256 (and its mode and size), a folder's digest.
- `read.py`: reading a regular file only, never through a link, its size checked first (`Refused`).
- `write.py`: creating new files without following links, replacing a file atomically, fsync.
- `tree.py`: removing a folder annex made, swapping a complete folder into place.
- `lock.py`: one process at a time (flock), the holder's pid in the lock file.

One place for each, so that what a build records, what the archive verifies and what a message
prints agree.
"""
