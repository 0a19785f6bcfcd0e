"""Round trip: build a year, import its Word bundle into an empty folder, build that: the same
.docx and .pdf, byte for byte (data/2023 and both variants' examples: scoring, 表名 ≠ 项目名称,
amounts in 元, multi-line texts)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from tests.user_runs import annex, files

ROOT = Path(__file__).resolve().parent.parent

YEARS = {
    "data-2023": ROOT / "data" / "2023",
    "hubei-example": ROOT / "templates" / "hubei-2023" / "example" / "2023",
    "national-example": ROOT / "templates" / "national-2020" / "example" / "2023",
}


def _outputs(folder: Path) -> dict[str, bytes]:
    return {k: v for k, v in files(folder).items() if not k.startswith(".")}


def _year(tmp_path: Path, source: Path, edit=None) -> Path:
    root = tmp_path / "w"
    shutil.copytree(source, root / "data" / "2023")
    if edit:
        edit(root / "data" / "2023")
    return root


def _in_yuan(year_dir: Path) -> None:
    """The national example with amounts in 元 (the label reads 项目资金（元）)."""
    dept = year_dir / "department.yaml"
    dept.write_text(dept.read_text(encoding="utf-8").replace("金额单位: 万元", "金额单位: 元"), encoding="utf-8")


def _in_yuan_two_goals(year_dir: Path) -> None:
    """national-2020 prints all goals in one block: a second goal starting with the same 一级指标
    is told apart by its merged cells."""
    _in_yuan(year_dir)
    p = next((year_dir / "projects").glob("01-*.yaml"))
    text = p.read_text(encoding="utf-8")
    marker = "      - 一级指标: 产出指标\n        二级指标: 质量指标"
    assert marker in text
    p.write_text(text.replace(marker, "  - 指标:\n" + marker, 1), encoding="utf-8")


def _with_table_name(year_dir: Path) -> None:
    """A title that differs from 项目名称 (表名), as the seed's table 4 has."""
    p = next((year_dir / "projects").glob("01-*.yaml"))
    text = p.read_text(encoding="utf-8")
    assert "表名" not in text
    p.write_text(text.replace("项目实施单位:", "表名: 人民调解以奖代补\n项目实施单位:", 1), encoding="utf-8")


CASES = [
    pytest.param("data-2023", None, ("docx", "pdf"), id="data-2023"),
    pytest.param("hubei-example", _with_table_name, ("docx", "pdf"), id="hubei-scoring-table-name"),
    pytest.param("national-example", _in_yuan_two_goals, ("docx", "pdf"), id="national-yuan-two-goals"),
]


@pytest.mark.parametrize("name,edit,formats", CASES)
def test_build_import_build_is_byte_identical(tmp_path, name, edit, formats):
    root = _year(tmp_path, YEARS[name], edit)
    fmt_args = [a for f in formats for a in ("-f", f)]
    first = annex(root, "build", "--no-archive", *fmt_args)
    assert first.exit_code == 0, first.output
    built = root / "build" / "2023"

    bundle = next(p for p in built.glob("*自评表.docx"))  # the Word bundle: its file name carries the unit
    result = annex(root, "import", str(bundle.relative_to(root)), "--data", "again")
    again = root / "again" / "2023"
    # national-2020 prints no 填报日期, so none is read and none is required (issue 22.15): the
    # imported bundle builds again as it is, nothing added by hand.
    assert result.exit_code == 0, result.output
    assert "0 个问题" in result.output and "填报日期" not in result.output
    dept = yaml.safe_load((again / "department.yaml").read_text(encoding="utf-8"))
    assert ("填报日期" in dept) == (not name.startswith("national"))
    second = annex(root, "build", "--no-archive", "--data", "again", "--out", "again-build", *fmt_args)
    assert second.exit_code == 0, second.output
    a, b = _outputs(built), _outputs(root / "again-build" / "2023")
    assert sorted(a) == sorted(b)
    assert any(k.endswith(".pdf") for k in a) == ("pdf" in formats)
    for key in a:
        if "自评报告" in key and name.startswith("national"):
            # The report closes with department.yaml's 填报日期, which the national form does not print:
            # the bundle cannot carry it back (nor a 自评通知, on any form).
            continue
        assert a[key] == b[key], key


def test_bundle_and_separate_tables_import_the_same_data(tmp_path):
    root = _year(tmp_path, YEARS["hubei-example"], _with_table_name)
    assert annex(root, "build", "--no-archive", "-f", "docx").exit_code == 0
    bundle = next(p for p in (root / "build" / "2023").glob("*自评表.docx"))
    one = annex(root, "import", str(bundle.relative_to(root)), "--data", "one")
    many = annex(root, "import", "build/2023/分表", "--data", "many")
    assert one.exit_code == 0 and many.exit_code == 0, one.output + many.output
    assert files(root / "one") == files(root / "many")
    # and the data is what was written, key by key
    for p in (root / "data" / "2023" / "projects").glob("*.yaml"):
        original = yaml.safe_load(p.read_text(encoding="utf-8"))
        imported = yaml.safe_load(next((root / "one" / "2023" / "projects").glob(p.name[:3] + "*.yaml")).read_text(encoding="utf-8"))
        original.pop("主管部门", None)  # department.yaml holds the common one
        imported.pop("主管部门", None)
        assert imported == original


@pytest.mark.soffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_bundle_saved_again_by_libreoffice_imports_the_same_data(tmp_path):
    """A user opens annex's Word bundle in another writer and saves it: the data read back is the same."""
    import subprocess

    root = _year(tmp_path, YEARS["data-2023"])
    assert annex(root, "build", "--no-archive", "-f", "docx").exit_code == 0
    bundle = next((root / "build" / "2023").glob("*自评表.docx"))
    (root / "lo").mkdir()
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--convert-to",
                    "docx", "--outdir", str(root / "lo"), str(bundle)], check=True, capture_output=True, timeout=180)
    resaved = root / "lo" / bundle.name
    assert resaved.read_bytes() != bundle.read_bytes()
    a = annex(root, "import", str(bundle.relative_to(root)), "--data", "a")
    b = annex(root, "import", str(resaved.relative_to(root)), "--data", "b")
    assert a.exit_code == 0 and b.exit_code == 0, a.output + b.output
    assert files(root / "a") == files(root / "b")
