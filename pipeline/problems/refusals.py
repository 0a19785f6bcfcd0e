"""The words for a file annex refused to read (pipeline/files/read.py `Refused`, whose fields are
data: a kind of file as a key, sizes in bytes), for the problems data-not-regular, file-unreadable
and file-too-large of the catalogue."""

from __future__ import annotations


# data-not-regular {kind}: what is there instead of a regular file (keys: pipeline/files/read.py kind_of)
FILE_KIND = {
    "folder": "文件夹",
    "fifo": "命名管道（FIFO）",
    "char-device": "字符设备",
    "block-device": "块设备",
    "socket": "套接字",
    "symlink": "符号链接",
    "special": "特殊文件",
}
# file-unreadable {reason}: the system's refusal in the user's words (else the system's own)
UNREADABLE_REASON = {
    "permission": "没有读取权限（请让运行 annex 的用户能读取它，例如 chmod u+r）",
    "vanished": "文件在读取时不见了",
}
# file-too-large {size} when the file grew past the limit while it was read
GREW_PAST = "超过 {limit}"


def size_text(n: int) -> str:
    """file-too-large {size} and {limit}: a size in bytes as a person reads it."""
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n} 字节"


def refusal_fields(code: str, fields: dict) -> dict:
    """The words for a refused file's fields (pipeline/files/read.py `Refused`: data, sizes in bytes)."""
    if code == "data-not-regular":
        return {"kind": FILE_KIND[fields["kind"]]}
    if code == "file-unreadable":
        return {"reason": UNREADABLE_REASON.get(fields["reason"], fields["reason"])}
    if code == "file-too-large":
        limit = size_text(fields["limit"])
        size = GREW_PAST.format(limit=limit) if fields["size"] is None else size_text(fields["size"])
        return {"size": size, "limit": limit}
    return dict(fields)


# import-not-docx {kind}: a document of another format, by its extension
OTHER_FORMATS = {".doc": "Word 97-2003（.doc）", ".wps": "WPS 文字（.wps）", ".wpt": "WPS 模板（.wpt）",
                 ".dot": "Word 模板（.dot）", ".rtf": "RTF（.rtf）", ".odt": "OpenDocument（.odt）"}
# import-unreadable {reason} and import-not-docx {kind} for a file that is not a .docx inside
DOCX_REFUSED = {
    "not-regular": "不是普通文件",
    "too-large": "文件过大（上限 {mb} MB）",
    "ole": "Word 97-2003 或 WPS（扩展名是 .docx，内容不是）",
    "not-zip": "不是 .docx 文件（不是 zip 格式）",
}
