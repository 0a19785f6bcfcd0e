"""Reading the user's files into the input model, every problem located at file:line or sheet!cell.

  year.py        the loader: a year folder (YAML, CSV, workbook) as one YearInput
  model.py       the input model (pydantic), money as Decimal from the text as written
  yaml_file.py, csv_file.py, csv_rows.py, workbook/   the readers, one per kind of file
  validation.py  pydantic's errors as catalogued problems; the lenient forms read with a warning
  tree.py        the year folder walked without following links (what check, build and archive see)
  read_file.py   one data file read (regular, size first), a refusal reported where it is
  folders.py     finding the data and year folders
  encoding.py, chars.py   text encodings and characters a form cannot print
  arithmetic.py  the form's sums (执行率, 得分, 等级), shared by compute and Word import
  word/          `annex import`: 自评表 tables read out of Word documents
"""

from __future__ import annotations

from pathlib import Path

from pipeline.variant import DEFAULT_VARIANT, available_variants


def variant_hint(year_dir: Path) -> str | None:
    """The variant department.yaml names, as far as a glance tells (None if it cannot say): a
    build's render processes warm it up while the loader reads the data for real. Here, not in
    year.py, because a build asks before it imports the loader (pydantic and the model: 0.3 s)."""
    import yaml

    from pipeline.files.read import Refused, read_regular  # a FIFO here must not hang the build

    try:
        department = yaml.safe_load(read_regular(year_dir / "department.yaml", 1 << 20).decode("utf-8"))
        name = department.get("表样", DEFAULT_VARIANT)
    except (OSError, ValueError, AttributeError, yaml.YAMLError, Refused):
        return None
    return name if isinstance(name, str) and name in available_variants() else None
