"""Small files that unpack to a lot of work: built in a temporary folder by the tests, and measured by
hand with `python tests/bombs.py KIND` (CPU seconds and peak memory of one `check` or Word import).

Each builder writes a package with zipfile, streaming its big member in chunks, so building one takes
little memory and time.
"""

from __future__ import annotations

import re
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

CHUNK = 1 << 20


def _copy_with(src: Path, dest: Path, replace: dict[str, object]) -> None:
    """`src` re-zipped into `dest` with the members in `replace` given new content: bytes, or an
    iterable of byte chunks (streamed)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        names = zin.namelist()
        for name in names + [n for n in replace if n not in names]:
            content = replace.get(name)
            if content is None:
                zout.writestr(name, zin.read(name))
            elif isinstance(content, bytes):
                zout.writestr(name, content)
            else:
                with zout.open(name, "w", force_zip64=True) as member:
                    for chunk in content:
                        member.write(chunk)


def _repeat(head: bytes, unit: bytes, count: int, tail: bytes):
    yield head
    per = max(1, CHUNK // len(unit))
    left = count
    while left > 0:
        n = min(per, left)
        yield unit * n
        left -= n
    yield tail


def _sheet_member(book: Path, title: str) -> str:
    """The zip member of the sheet named `title` (openpyxl names them sheet1.xml, … in order)."""
    with zipfile.ZipFile(book) as z:
        wbxml = z.read("xl/workbook.xml").decode()
    titles = re.findall(r'<sheet [^>]*name="([^"]+)"', wbxml)
    return f"xl/worksheets/sheet{titles.index(title) + 1}.xml"


def shared_strings_bomb(src: Path, dest: Path, count: int) -> None:
    """The workbook with `count` tiny shared strings (12 bytes each unpacked; 10 million is ~300 KB)."""
    head = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
    with zipfile.ZipFile(src) as z:
        rels = z.read("xl/_rels/workbook.xml.rels")
        types = z.read("[Content_Types].xml")
    # openpyxl writes texts inline: the part, its relationship and its content type are added
    rels = rels.replace(b"</Relationships>", b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/'
                        b'2006/relationships/sharedStrings" Target="sharedStrings.xml" Id="rIdBomb"/></Relationships>')
    types = types.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                          b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    _copy_with(src, dest, {"xl/_rels/workbook.xml.rels": rels, "[Content_Types].xml": types,
                           "xl/sharedStrings.xml": _repeat(head, b"<si><t>a</t></si>", count, b"</sst>")})


def wide_rows(src: Path, dest: Path, title: str, rows: int) -> None:
    """The workbook with `rows` more rows in sheet `title`, each holding one (styled, empty) cell at
    column XFD: openpyxl pads each to 16,384 cells."""
    member = _sheet_member(src, title)
    with zipfile.ZipFile(src) as z:
        xml = z.read(member)
    last = max(int(r) for r in re.findall(rb'<row r="(\d+)"', xml))
    before, after = xml.split(b"</sheetData>", 1)

    def chunks():
        yield before
        batch = []
        for r in range(last + 1, last + 1 + rows):
            batch.append(b'<row r="%d"><c r="XFD%d" s="0"/></row>' % (r, r))
            if len(batch) == 10_000:
                yield b"".join(batch)
                batch = []
        yield b"".join(batch)
        yield b"</sheetData>" + after
    _copy_with(src, dest, {member: chunks()})


def empty_paragraphs_docx(src: Path, dest: Path, count: int) -> None:
    """The Word file with `count` empty paragraphs added to its body (8 million is ~90 KB zipped)."""
    with zipfile.ZipFile(src) as z:
        xml = z.read("word/document.xml")
    at = xml.index(b"<w:body>") + len(b"<w:body>")
    _copy_with(src, dest, {"word/document.xml": _repeat(xml[:at], b"<w:p/>", count, xml[at:])})


def big_text_docx(src: Path, dest: Path, megabytes: int) -> None:
    """The Word file with one paragraph of `megabytes` MB of text."""
    with zipfile.ZipFile(src) as z:
        xml = z.read("word/document.xml")
    at = xml.index(b"<w:body>") + len(b"<w:body>")
    _copy_with(src, dest, {"word/document.xml": _repeat(xml[:at] + b"<w:p><w:r><w:t>", b"a" * 1024,
                                                        megabytes * 1024, b"</w:t></w:r></w:p>" + xml[at:])})


# --- measuring, in a child process ----------------------------------------------------------------

_CHILD = """
import resource, sys, time
from pathlib import Path
kind, target, root = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
if kind == "check":
    from pipeline.build.front import check_year
    result = check_year(target, base=root)
    summary = sorted({(i.code, i.cell or "") for i in result.errors})[:5]
else:
    from pipeline.input.word import import_documents
    imported = import_documents([target])
    summary = sorted({(i.code, i.message) for i in imported.issues.errors})[:5]
usage = resource.getrusage(resource.RUSAGE_SELF)
print(f"{usage.ru_utime + usage.ru_stime:.1f} {usage.ru_maxrss // 1024}")
print(summary)
"""


def measure(kind: str, target: Path, root: Path, cpu_seconds: int = 600, python: str = sys.executable,
            env: dict | None = None) -> tuple[float, int, str]:
    """(CPU seconds, peak resident MB, what it reported) of one check or import in a child process,
    killed past `cpu_seconds` of CPU."""
    def limit():
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
    # run in `root`: `python -c` puts the working folder first on the path
    proc = subprocess.run([python, "-c", _CHILD, kind, str(target), str(root)], capture_output=True, text=True,
                          preexec_fn=limit, env=env, cwd=root)
    if proc.returncode != 0:
        return -1.0, -1, (proc.stderr or "")[-600:]
    first, rest = proc.stdout.split("\n", 1)
    cpu, mb = first.split()
    return float(cpu), int(mb), rest.strip()


# --- by hand: python tests/bombs.py [wide|strings|paragraphs|bigtext] [PYTHONPATH of the code to measure] ----

def main(argv: list[str]) -> None:
    import os
    import tempfile

    from workbooks import clerk_workbook, write_year
    from word_handmade import document_with, sample
    from word_handmade import Style

    kind = argv[0]
    env = dict(os.environ, PYTHONPATH=argv[1]) if len(argv) > 1 else None
    root = Path(tempfile.mkdtemp(prefix="bomb-"))
    year = write_year(root)
    clerk = root / "clerk.xlsx"
    clerk_workbook(clerk)
    if kind == "wide":
        wide_rows(clerk, year / "自评数据.xlsx", "指标", int(argv[2]) if len(argv) > 2 else 100_000)
        target, what = year, "check"
    elif kind == "strings":
        shared_strings_bomb(clerk, year / "自评数据.xlsx", int(argv[2]) if len(argv) > 2 else 10_000_000)
        target, what = year, "check"
    else:
        base = document_with([(sample(), Style())], root / "base.docx")
        target, what = root / "bomb.docx", "import"
        if kind == "paragraphs":
            empty_paragraphs_docx(base, target, 8_000_000)
        else:
            big_text_docx(base, target, 400)
    size = (year / "自评数据.xlsx").stat().st_size if what == "check" else target.stat().st_size
    cpu, mb, said = measure(what, target, root, int(os.environ.get("BOMB_CPU", "600")), env=env)
    print(f"{kind}: file {size / 1024:.0f} KB, CPU {cpu} s, peak {mb} MB; {said}")


if __name__ == "__main__":
    main(sys.argv[1:])
