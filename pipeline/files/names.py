"""Names for the files annex writes: a project's `NN-项目名称`, usable on every system, never a path."""

from __future__ import annotations

import re
import unicodedata

MAX_NAME_CHARS = 80  # output file names: long enough to read, short enough for Windows paths
# File systems count bytes (255 a name): 80 emoji are 320. A stem of at most 200 bytes leaves room
# for "NN-", the bundle's "-<year>年度项目支出绩效自评表" and ".docx".
MAX_NAME_BYTES = 200


def fit_bytes(text: str, limit: int) -> str:
    """The longest prefix of `text` whose UTF-8 is at most `limit` bytes (whole characters)."""
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore")


def safe_file_stem(number: str, name: str) -> str:
    """`NN-项目名称` usable as a file name on Windows, macOS and Linux, never a path."""
    return f"{number}-{safe_name(name)}"


def safe_name(name: str) -> str:
    """A name made usable as (part of) a file name on every OS: no separators, controls or
    direction marks, no trailing dots or spaces, not too long."""
    text = unicodedata.normalize("NFC", name)
    text = re.sub(r'[\x00-\x1f\x7f<>:"/\\|?*\u202a-\u202e\u2066-\u2069\u200b-\u200f\ufeff]', "_", text)
    text = re.sub(r"\s+", " ", text).strip(" .")
    return fit_bytes(text[:MAX_NAME_CHARS], MAX_NAME_BYTES).rstrip(" .") or "项目"
