"""The Word bundle spliced from the tables' own .docx files, as render_docx(all forms) makes it."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence

from pipeline.render.zipfix import write_package

_BODY_OPEN = b"<w:body>"
_SECT = b"<w:sectPr"
# Where <w:pageBreakBefore/> goes in a form's first paragraph: after the pPr children that precede it.
_FIRST_PPR = re.compile(rb"<w:p><w:pPr>((?:<w:pStyle [^>]*/>)?(?:<w:keepNext/>)?(?:<w:keepLines/>)?)")


def join_docx(tables: Sequence[bytes]) -> bytes | None:
    """The bundle as render_docx(all forms) makes it, from the tables rendered one by one.

    Rendering 1000 forms at once with docxtpl takes seconds and hundreds of MB; the template's
    bundle is the tables' bodies in order, each after the first starting on a new page, in the
    package of any one table. Tests hold this equal, byte for byte, to render_docx(forms).
    Returns None for a table whose body does not start with a styled paragraph.
    """
    bodies = []
    for n, data in enumerate(tables):
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            if n == 0:
                parts = {i.filename: z.read(i) for i in z.infolist() if not i.is_dir()}
                doc = parts["word/document.xml"]
            else:
                doc = z.read("word/document.xml")
        body = doc[doc.index(_BODY_OPEN) + len(_BODY_OPEN):doc.rindex(_SECT)]
        if n > 0:
            m = _FIRST_PPR.match(body)
            if m is None:
                return None
            body = body[:m.end()] + b"<w:pageBreakBefore/>" + body[m.end():]
        bodies.append(body)
    if not bodies:
        return None
    first = parts["word/document.xml"]
    head = first[:first.index(_BODY_OPEN) + len(_BODY_OPEN)]
    parts["word/document.xml"] = head + b"".join(bodies) + first[first.rindex(_SECT):]
    return write_package(parts)
