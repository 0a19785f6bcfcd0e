"""An upload: size-limited, typed by its content (a zip holding a workbook's or a Word document's
parts, within the readers' unpacked-size limit), and put where annex reads it. The browser's file
name is never a path: a workbook always becomes `data/<年度>/自评数据.xlsx`, and the one it replaces
is kept in `uploads/<年度>/`; a Word file waits under a random name until its import is confirmed.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import Abort
from pipeline.files.write import fsync_dir
from pipeline.input.word.document import MAX_DOCX_BYTES
from pipeline.input.workbook.sheets import MAX_UNPACKED_BYTES, MAX_WORKBOOK_BYTES
from pipeline.serve.workspace import WORKBOOK_NAME, Workspace

MAX_UPLOAD_BYTES = max(MAX_WORKBOOK_BYTES, MAX_DOCX_BYTES)
MAX_MEMBERS = 10_000
PENDING = ".pending"  # under uploads/: Word files waiting for 确认导入
_TOKEN = re.compile(r"^[0-9a-f]{32}$")
XLSX, DOCX = "xlsx", "docx"


class UploadRefused(Abort):
    """The file is not one annex takes (its message says why, in Chinese)."""


def receive(chunks, dest_dir: Path) -> Path:
    """Write the uploaded bytes to a new private file in `dest_dir`, stopping at the limit."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".upload-", suffix=".part", dir=dest_dir)
    size = 0
    try:
        with os.fdopen(fd, "wb") as f:
            for chunk in chunks:
                size += len(chunk)
                if size > MAX_UPLOAD_BYTES:
                    raise UploadRefused("upload-too-large", mb=MAX_UPLOAD_BYTES // 1024 // 1024)
                f.write(chunk)
    except BaseException:
        os.unlink(tmp)
        raise
    if size == 0:
        os.unlink(tmp)
        raise UploadRefused("upload-empty")
    return Path(tmp)


def kind_of(path: Path) -> str:
    """XLSX or DOCX, by the parts inside; anything else is refused."""
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            if len(infos) > MAX_MEMBERS or sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
                raise UploadRefused("upload-unpacks-too-large")
            names = {i.filename for i in infos}
    except (zipfile.BadZipFile, OSError):
        raise UploadRefused("upload-not-zip") from None
    if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
        return XLSX
    if "[Content_Types].xml" in names and "word/document.xml" in names:
        return DOCX
    raise UploadRefused("upload-wrong-parts")


@dataclass(frozen=True)
class Placed:
    path: Path  # data/<year>/自评数据.xlsx
    previous: Path | None  # where the workbook it replaced was kept


def place_workbook(ws: Workspace, year: int, tmp: Path) -> Placed:
    """The upload becomes the year's workbook; the previous one is kept in uploads/<year>/ first."""
    year_dir = ws.year_dir(year)
    for folder in (ws.data, year_dir):
        if folder.is_symlink():
            raise UploadRefused("upload-folder-link", folder=folder.name)
    year_dir.mkdir(parents=True, exist_ok=True)
    target = year_dir / WORKBOOK_NAME
    if target.is_symlink() or (target.exists() and not target.is_file()):
        raise UploadRefused("upload-target-not-regular", year=year, name=WORKBOOK_NAME)
    previous = None
    if target.exists():
        history = ws.uploads / str(year)
        history.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        previous = history / f"{stamp}-{WORKBOOK_NAME}"
        n = 1
        while previous.exists():
            n += 1
            previous = history / f"{stamp}-{n}-{WORKBOOK_NAME}"
        shutil.copyfile(target, previous, follow_symlinks=False)
        fsync_dir(history)
    os.chmod(tmp, 0o644)
    os.replace(tmp, target)  # same file system: readers see the old workbook or the new, whole
    fsync_dir(year_dir)
    return Placed(target, previous)


def stash_docx(ws: Workspace, tmp: Path) -> str:
    """Keep a Word file for its confirmation; returns the random name the form carries."""
    token = secrets.token_hex(16)
    folder = ws.uploads / PENDING
    folder.mkdir(parents=True, exist_ok=True)
    os.replace(tmp, folder / f"{token}.docx")
    return token


def pending_docx(ws: Workspace, token: object) -> Path | None:
    """The stashed Word file of this workspace named by `token`, if there is one."""
    if not isinstance(token, str) or not _TOKEN.match(token):
        return None
    path = ws.uploads / PENDING / f"{token}.docx"
    return path if path.is_file() and not path.is_symlink() else None
