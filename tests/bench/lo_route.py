"""The route a department takes without annex: fill the Word template, convert it with LibreOffice.

`python -m tests.bench.lo_route YEAR_DIR OUT_DIR` renders the bundle .docx with docxtpl (the same
template annex uses) and converts it with `soffice --headless --convert-to pdf`.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from pipeline.build.front import check_year
from pipeline.render.docx import render_docx
from pipeline.variant import load_variant


def main(year_dir: Path, out_dir: Path) -> Path:
    bundle = check_year(year_dir).bundle
    if bundle is None:
        raise SystemExit(f"{year_dir}: 数据有错误，先运行 annex check")
    out_dir.mkdir(parents=True, exist_ok=True)
    docx = out_dir / "bundle.docx"
    docx.write_bytes(render_docx(bundle.forms, load_variant(bundle.variant)))
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
             "--outdir", str(out_dir), str(docx)],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
    return out_dir / "bundle.pdf"


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
