"""Reading a zip package (a workbook, a Word document) under limits, whatever its bytes claim.

A 1 MB file can unpack to gigabytes, or to a few megabytes of millions of tiny XML elements (8 million
empty paragraphs, shared strings by the million): each costs far more memory as parsed objects than
as bytes. So every package annex reads is looked at before it is parsed, with limits on the number of
members, on the bytes they unpack to, and on the XML elements they hold; the XML is streamed with a
parser that expands no entities and loads no DTD (a DOCTYPE is refused: no Office program writes one).
zipfile itself refuses a member that unpacks past its declared size, so the declared sizes bound what
is read.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from pipeline.problems.phrases import LIMIT_COUNT, LIMIT_MB, PACKAGE_LIMIT


@dataclass(frozen=True)
class Limits:
    members: int  # entries in the zip
    unpacked: int  # bytes, all members together
    elements: int  # XML elements, all parts read together


class PackageLimit(Exception):
    """The package is past a limit: `what` says which (Chinese), `limit` the limit as a user reads it."""

    def __init__(self, what: str, limit: str):
        super().__init__(what, limit)
        self.what, self.limit = what, limit


class PackageBroken(Exception):
    """Not a zip, or an XML part that does not parse: the reason, for a message."""


def _mb(n: int) -> int:
    return n // 1024 // 1024


@dataclass
class Package:
    """An open zip package with its element budget; use as a context manager."""

    path: Path
    limits: Limits
    zf: zipfile.ZipFile
    elements: int = 0  # counted so far, over every part streamed
    names: set[str] = field(default_factory=set)

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc) -> None:
        self.zf.close()

    def has(self, name: str) -> bool:
        return name in self.names

    def iterparse(self, name: str, tags: tuple[str, ...] | None = None) -> Iterator[tuple[str, etree._Element]]:
        """(event, element) for a part's XML, "start" and "end", counted against the element budget.
        Namespaces are kept (callers compare local names). The caller clears what it has used."""
        try:
            stream = self.zf.open(name)
        except (KeyError, zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
            raise PackageBroken(f"{name}: {type(exc).__name__}") from None
        parser = etree.iterparse(stream, events=("start", "end"), resolve_entities=False, no_network=True,
                                 load_dtd=False, huge_tree=False, remove_comments=True, remove_pis=True)
        first = True
        try:
            with stream:
                for event, elem in parser:
                    if first:
                        first = False
                        if elem.getroottree().docinfo.doctype:
                            raise PackageBroken(f"{name}: DOCTYPE")
                    if event == "start":
                        self.elements += 1
                        if self.elements > self.limits.elements:
                            raise PackageLimit(PACKAGE_LIMIT["elements"], LIMIT_COUNT.format(n=self.limits.elements))
                    yield event, elem
        except etree.XMLSyntaxError as exc:
            raise PackageBroken(f"{name}: {exc.msg}") from None
        except (zipfile.BadZipFile, EOFError, OSError, RuntimeError, NotImplementedError) as exc:  # a damaged member
            raise PackageBroken(f"{name}: {type(exc).__name__}") from None

    def count_elements(self, name: str) -> None:
        """Stream a part only to count its elements (and refuse a DTD) before another library reads it."""
        for event, elem in self.iterparse(name):
            if event == "end":
                elem.clear(keep_tail=False)
                parent = elem.getparent()
                if parent is not None:
                    while elem.getprevious() is not None:
                        del parent[0]


def open_package(path: Path, limits: Limits) -> Package:
    """The package, its members and declared sizes checked; PackageBroken or PackageLimit if not."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise PackageBroken(type(exc).__name__) from None
    try:
        infos = zf.infolist()
        if len(infos) > limits.members:
            raise PackageLimit(PACKAGE_LIMIT["members"].format(n=len(infos)), LIMIT_COUNT.format(n=limits.members))
        unpacked = sum(i.file_size for i in infos)
        if unpacked > limits.unpacked:
            raise PackageLimit(PACKAGE_LIMIT["unpacked"].format(mb=_mb(unpacked)), LIMIT_MB.format(mb=_mb(limits.unpacked)))
        names = {i.filename for i in infos}
    except BaseException:
        zf.close()
        raise
    return Package(path, limits, zf, names=names)


def local(tag: object) -> str:
    """An element's name without its namespace ('{…/main}row' -> 'row')."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def count_xml(path: Path, limits: Limits) -> None:
    """Check a package for another library to parse: members, unpacked size, and every XML part's
    elements (with no DTD). Raises PackageBroken or PackageLimit."""
    with open_package(path, limits) as pkg:
        for name in sorted(pkg.names):
            if name.endswith((".xml", ".rels")):
                pkg.count_elements(name)
