"""`annex export`, and the round trip: export a year, delete its YAML and CSV, build from the workbook
alone: the same Word and PDF, byte for byte."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest

from pipeline.build.front import check_year
from pipeline.write.workbook import export_year
from tests.bench.generate import write_department
from user_runs import annex
from workbooks import build_files, resave_with_libreoffice, soffice_missing

ROOT = Path(__file__).resolve().parent.parent
YEARS = {
    "data-2023": ROOT / "data" / "2023",
    "hubei-2023-example": ROOT / "templates" / "hubei-2023" / "example" / "2023",
    "national-2020-example": ROOT / "templates" / "national-2020" / "example" / "2023",
}


def _year(name: str, root: Path) -> Path:
    if name == "generated-100":
        return write_department(root / "data", 100)
    year = root / "data" / "2023"
    shutil.copytree(YEARS[name], year)
    return year


def _forms(year: Path) -> list:
    """The filled forms, but for the key the build state tracks them by (a YAML project's is its file name)."""
    return [replace(f, key="") for f in check_year(year).bundle.forms]


def _workbook_only(year: Path) -> Path:
    """Export the year into its folder, then remove what the workbook replaces."""
    book = year / "自评数据.xlsx"
    export_year(year, book, force=False)
    shutil.rmtree(year / "projects")
    for csv in year.glob("*.csv"):
        csv.unlink()
    return book


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(YEARS) + ["generated-100"])
def test_round_trip_builds_byte_identical_word_and_pdf(tmp_path, name):
    # The 100-project year compares every filled form and every Word file; its 100 PDFs (2-3 minutes on
    # a shared 2-core machine) are what the filled forms make, compared byte for byte in the other years.
    formats = ("docx",) if name == "generated-100" else ("docx", "pdf")
    yaml_year = _year(name, tmp_path / "yaml")
    expected = build_files(yaml_year, tmp_path / "yaml" / "build", formats)
    year = _year(name, tmp_path / "book")
    _workbook_only(year)
    assert not (year / "projects").exists()
    assert _forms(year) == _forms(yaml_year)
    built = build_files(year, tmp_path / "book" / "build", formats)
    assert sorted(built) == sorted(expected) and len(built) > 2
    assert [n for n in expected if built[n] != expected[n]] == []


@pytest.mark.soffice
@pytest.mark.skipif(soffice_missing(), reason="LibreOffice (soffice) is not installed")
@pytest.mark.parametrize("name", ["data-2023", "national-2020-example"])
def test_round_trip_holds_after_libreoffice_saves_the_workbook(tmp_path, name):
    expected = build_files(_year(name, tmp_path / "yaml"), tmp_path / "yaml" / "build")
    year = _year(name, tmp_path / "book")
    book = _workbook_only(year)
    resaved = resave_with_libreoffice(book, tmp_path / "lo", tmp_path / "lo-profile")
    shutil.copyfile(resaved, book)
    built = build_files(year, tmp_path / "book" / "build")
    assert [n for n in expected if built.get(n) != expected[n]] == []


# --- the exported workbook, as a clerk opens it ------------------------------------------------------

def test_exported_workbook_is_ready_to_fill(tmp_path):
    year = _year("data-2023", tmp_path)
    out = tmp_path / "自评数据.xlsx"
    done = export_year(year, out, force=False)
    assert (done.projects, done.indicators, done.unit_sheet) == (11, 73, False)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["项目", "指标"]
    projects, indicators = wb["项目"], wb["指标"]
    headers = [c.value for c in projects[1]]
    assert headers == ["序号", "项目名称", "表名", "主管部门", "项目实施单位", "项目类别", "项目属性", "项目类型",
                       "预算数", "执行数", "偏差原因分析", "改进措施"]
    assert all(c.font.b for c in projects[1]) and projects.freeze_panes == "B2" and indicators.freeze_panes == "A2"
    assert [c.value for c in indicators[1]] == ["项目名称", "目标", "一级指标", "二级指标", "三级指标", "年初目标值", "实际完成值"]
    # amounts display exactly as the YAML wrote them; texts are 文本, so typed numbers stay as typed
    col = {h: i for i, h in enumerate(headers, start=1)}
    row = next(r for r in range(2, 13) if projects.cell(r, col["项目名称"]).value == "市综治中心专项工作经费")
    spent = projects.cell(row, col["执行数"])
    assert (spent.value, spent.number_format) == (155.65, "0.00####")  # room for every decimal an amount may have
    assert projects.cell(row, col["项目实施单位"]).number_format == "@"
    assert projects.column_dimensions["E"].number_format == "@"  # rows typed later are text too
    assert projects.cell(row, col["偏差原因分析"]).alignment.wrap_text
    lists = {str(dv.sqref)[0]: dv.formula1 for dv in projects.data_validations.dataValidation}
    assert lists["F"] == '"部门预算项目,市直专项,省对下转移支付项目"' and set(lists) == {"F", "G", "H"}
    levels = {str(dv.sqref)[0]: dv for dv in indicators.data_validations.dataValidation}
    assert levels["C"].formula1 == '"产出指标,效益指标,满意度指标,成本指标"' and levels["D"].errorStyle == "warning"
    assert projects.column_dimensions["B"].width >= 20


def test_national_export_has_the_fund_source_columns(tmp_path):
    year = _year("national-2020-example", tmp_path)
    export_year(year, tmp_path / "n.xlsx", force=False)
    wb = openpyxl.load_workbook(tmp_path / "n.xlsx")
    headers = [c.value for c in wb["项目"][1]]
    assert headers[5:14] == [f"{s}·{f}" for s in ("当年财政拨款", "上年结转资金", "其他资金")
                             for f in ("年初预算数", "全年预算数", "全年执行数")]
    assert "项目类别" not in headers and headers[-2:] == ["预期目标", "实际完成情况"]
    assert [c.value for c in wb["指标"][1]][-3:] == ["分值", "得分", "偏差原因分析及改进措施"]


def test_export_never_overwrites_without_force(tmp_path):
    _year("data-2023", tmp_path)
    first = annex(tmp_path, "export")
    assert first.exit_code == 0, first.output
    book = tmp_path / "自评数据-2023.xlsx"  # beside the data while the projects are YAML files
    assert book.is_file() and "移走 projects/" in first.output
    stamp = book.read_bytes()
    again = annex(tmp_path, "export")
    assert again.exit_code == 1 and "--force" in again.output and "Traceback" not in again.output
    assert book.read_bytes() == stamp
    assert annex(tmp_path, "export", "--force").exit_code == 0


def test_a_new_year_starts_from_a_blank_workbook_a_clerk_fills(tmp_path):
    """The README's route: `annex export --year 2024`, fill it in Excel, `annex build`."""
    (tmp_path / "data").mkdir()
    r = annex(tmp_path, "export", "--year", "2024")
    assert r.exit_code == 0, r.output
    book = tmp_path / "data" / "2024" / "自评数据.xlsx"
    blank = check_year(book.parent, base=tmp_path)
    assert sorted((i.code, i.cell) for i in blank.errors) == [
        ("missing-key", "单位!B2"), ("missing-key", "单位!B4"), ("workbook-no-projects", "项目!B2")]
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == ["项目", "指标", "单位"]
    unit = wb["单位"]
    values = {unit.cell(r, 1).value: r for r in range(2, unit.max_row + 1)}
    unit.cell(values["单位名称"], 2, "示例市司法局")
    unit.cell(values["主管部门"], 2, "示例市司法局")
    unit.cell(values["填报日期"], 2, "2025-04-20")
    wb["项目"].append([1, "法律援助经费", None, None, "市法律援助中心", "部门预算项目", "持续性项目", "常年性项目",
                      80, 76.4, "无偏差", "继续做好"])
    wb["指标"].append(["法律援助经费", 1, "产出指标", "数量指标", "援助案件数", "≥600件", "612件"])
    wb["指标"].append([None, None, "满意度指标", "服务对象满意度指标", "受援人满意度", "≥90%", "95%"])
    wb.save(book)
    result = check_year(book.parent, base=tmp_path)
    assert result.errors == []
    form = result.bundle.forms[0]
    assert (form.title, form.budget.planned, form.budget.spent, form.budget.rate) == (
        "2024 年度法律援助经费项目自评表", "80", "76.4", "95.50%")
    assert [(r.level1, r.target) for r in form.goals[0].rows] == [("产出指标", "≥600件"), ("满意度指标", "≥90%")]
    built = annex(tmp_path, "build", "--format", "docx")
    assert built.exit_code == 0, built.output


def test_a_workbook_kept_year_exports_back_into_its_folder(tmp_path):
    year = _year("hubei-2023-example", tmp_path)
    book = _workbook_only(year)
    stamp = book.read_bytes()
    r = annex(tmp_path, "export", "--force")
    assert r.exit_code == 0, r.output
    assert book.read_bytes() == stamp  # the same data exports to the same bytes


def test_national_fund_mistakes_point_at_their_column(tmp_path):
    year = _year("national-2020-example", tmp_path)
    book = _workbook_only(year)
    wb = openpyxl.load_workbook(book)
    headers = [c.value for c in wb["项目"][1]]
    letter = openpyxl.utils.get_column_letter
    negative, text = headers.index("上年结转资金·年初预算数") + 1, headers.index("其他资金·全年执行数") + 1
    wb["项目"].cell(2, negative, -1)
    wb.save(book)
    assert {(i.code, i.cell, i.field) for i in check_year(year, base=tmp_path).errors} == {
        ("amount-negative", f"项目!{letter(negative)}2", "上年结转资金·年初预算数")}
    wb["项目"].cell(2, text, "3万元")
    wb.save(book)
    assert {(i.code, i.cell, i.field) for i in check_year(year, base=tmp_path).errors} == {
        ("amount-negative", f"项目!{letter(negative)}2", "上年结转资金·年初预算数"),
        ("amount-format", f"项目!{letter(text)}2", "其他资金·全年执行数")}
