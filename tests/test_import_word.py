"""annex import of hand-made Word tables: each way the seed's tables differ, read back field by
field; the seed's own errors (unit typo, doubled 年, hand-rounded rate, copied title, two ticks)
reported at document, table and label; other writers' files (LibreOffice) read the same."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from pipeline.input.word import import_documents
from tests.user_runs import annex
from tests.word_handmade import Project, Style, document_with, sample


def expected(p: Project, **extra) -> dict:
    out = {"项目名称": p.name, "项目实施单位": p.implementer, **p.groups, "预算数": Decimal(p.planned),
           "执行数": Decimal(p.spent), "年度绩效目标": [{"指标": g} for g in p.goals],
           "偏差原因分析": p.reason, "改进措施": p.measures}
    out.update(extra)
    return out


def _codes(result) -> list[tuple[str, str, str]]:
    return sorted((i.code, i.file, i.field) for i in result.issues)


STYLES = {
    "as-annex-prints": Style(),
    "label-one-column": Style(label_span=1),
    "source-in-header": Style(source="header"),
    "source-absent": Style(source="none"),
    "implementer-below": Style(implementer="below", label_span=1),
    "implementer-in-label": Style(implementer="in-label"),
    "score-labels": Style(weights=True),
    "level1-typed-each-row": Style(merge_level1=False),
    "soft-breaks": Style(multiline="soft"),
    "one-run-each": Style(split_runs=False),
    "half-width-colon-two-lines": Style(colon=":", split_lines=True),
    "no-colon": Style(colon=""),
    "ticks-before": Style(ticks="before"),
    "ticks-before-and-after": Style(ticks="both"),
    "ticks-squares": Style(ticks="squares"),
    "ticks-sqrt": Style(ticks="sqrt"),
    "ticks-wingdings-symbol": Style(ticks="wingdings"),
    "ticks-wingdings2-symbol": Style(ticks="wingdings2"),
    "ticks-wps-wingdings-run": Style(ticks="wps-run"),
    "ticks-content-control": Style(ticks="checkbox"),
    "all-at-once": Style(label_span=1, source="header", implementer="below", weights=True, merge_level1=False,
                         ticks="before", multiline="soft", colon=":", split_lines=True),
}


@pytest.mark.parametrize("style", list(STYLES.values()), ids=list(STYLES))
def test_hand_made_table_reads_field_by_field(tmp_path, style):
    p = sample()
    doc = document_with([(p, style)], tmp_path / "2023-自评表.docx")
    result = import_documents([doc])
    assert [i.message for i in result.issues] == []
    assert result.year == 2023
    assert result.department == {"单位名称": "中共鄂州市委政法委员会", "主管部门": "中共鄂州市委政法委员会",
                                 "填报日期": "2024-04-23", "表样": "hubei-2023", "评分": False}
    (stem, data), = result.projects
    assert stem == "01-市综治中心专项工作经费"
    want = expected(p)
    for key in want:
        assert data.get(key) == want[key], key
    assert list(data) == list(want)  # nothing else, in the canonical order
    assert str(data["执行数"]) == "155.650"  # amounts as written


def _seed_like(tmp_path: Path) -> Path:
    """Nine tables with the seed's kinds of trouble, one per table after the first."""
    base = Style()
    forms = [
        (sample(1), base),
        (sample(2), replace(base, unit="中共鄂州市委政法委员")),  # typo in the unit (seed table 6)
        (sample(3), replace(base, date="2024 年年 4 月 23 日")),  # doubled 年 (seed table 6)
        (sample(4), replace(base, rate="55.6%")),  # hand-rounded (seed tables 6, 7)
        (sample(5), replace(base, title=sample(1).name)),  # title copied from table 1 (seed table 10)
        (sample(6), replace(base, ticked={"项目类别": [0, 1]})),  # two ticks (seed table 6)
        (sample(7), replace(base, title="维稳救助及司法救助资金经费")),  # 表名 ≠ 项目名称 (seed table 4)
        (sample(8), replace(base, renamed_option=True)),  # 省直专项 (seed tables 2, 4)
        (sample(9), replace(base, ticked={"项目属性": []})),  # nothing ticked
    ]
    return document_with(forms, tmp_path / "2023-自评表.docx")


def test_seed_errors_are_reported_by_document_table_and_label(tmp_path):
    doc = _seed_like(tmp_path)
    result = import_documents([doc], display=lambda p: p.name)
    name = "2023-自评表.docx"
    assert _codes(result) == sorted([
        ("import-differs", name, "第 2 张表 单位名称"),
        ("import-differs", name, "第 3 张表 填报日期"),
        ("import-rate-differs", name, "第 4 张表 执行率 (B/A)"),
        ("import-title-copied", name, "第 5 张表 标题"),
        ("import-checkbox-many", name, "第 6 张表 项目类别"),
        ("import-option-renamed", name, "第 8 张表 项目类别"),
        ("import-checkbox-none", name, "第 9 张表 项目属性"),
    ])
    by_code = {i.code: i for i in result.issues}
    by_field = {i.field: i for i in result.issues}
    assert by_field["第 2 张表 单位名称"].message == \
        "单位名称印作「中共鄂州市委政法委员」，其他 8 张表为「中共鄂州市委政法委员会」；取「中共鄂州市委政法委员会」"
    assert "2024 年年 4 月" in by_field["第 3 张表 填报日期"].message
    assert "55.6%" in by_code["import-rate-differs"].message and "55.59%" in by_code["import-rate-differs"].message
    assert "勾选了 2 个框" in by_code["import-checkbox-many"].message
    assert "projects/06-市综治中心专项工作经费6.yaml" in by_code["import-checkbox-many"].message
    assert result.department["单位名称"] == "中共鄂州市委政法委员会"
    assert result.department["填报日期"] == "2024-04-23"
    data = dict(result.projects)
    assert "表名" not in data["05-市综治中心专项工作经费5"]  # the copied title is not imported
    assert data["07-市综治中心专项工作经费7"]["表名"] == "维稳救助及司法救助资金经费"
    assert "项目类别" not in data["06-市综治中心专项工作经费6"]  # left for the user to choose
    assert "项目属性" not in data["09-市综治中心专项工作经费9"]
    assert data["08-市综治中心专项工作经费8"]["项目类别"] == "市直专项"  # by its number
    assert data["04-市综治中心专项工作经费4"]["执行数"] == Decimal("155.650")


def test_cli_reports_then_check_lists_what_to_fill(tmp_path):
    _seed_like(tmp_path)
    result = annex(tmp_path, "import", "2023-自评表.docx")
    assert result.exit_code == 1  # errors: two groups left to fill
    assert "读取 9 张表：写入 9 个项目文件；7 个问题" in result.output
    assert "2023-自评表.docx" in result.output and "第 6 张表" in result.output
    check = annex(tmp_path, "check", "--year", "2023")
    assert check.exit_code == 1
    assert "2 个错误" in check.output  # exactly the two unticked groups
    assert "项目类别" in check.output and "项目属性" in check.output


def test_never_overwrites_without_replace(tmp_path):
    document_with([(sample(), Style())], tmp_path / "a.docx")
    assert annex(tmp_path, "import", "a.docx").exit_code == 0
    project = tmp_path / "data" / "2023" / "projects" / "01-市综治中心专项工作经费.yaml"
    project.write_text(project.read_text(encoding="utf-8") + "# 我的修改\n", encoding="utf-8")
    again = annex(tmp_path, "import", "a.docx")
    assert again.exit_code == 1  # a year with data is never given a second set (issue 22.3)
    said = again.output.replace("\n", "")
    assert "已经有 1 个项目文件" in said and "--replace" in said
    assert project.read_text(encoding="utf-8").endswith("# 我的修改\n")
    replaced = annex(tmp_path, "import", "a.docx", "--replace")
    assert replaced.exit_code == 0
    assert "# 我的修改" not in project.read_text(encoding="utf-8")
    [aside] = (tmp_path / "data").glob("2023.导入前-*")  # the old year, kept whole
    assert (aside / "projects" / project.name).read_text(encoding="utf-8").endswith("# 我的修改\n")


def test_refuses_to_write_through_a_symlink(tmp_path):
    document_with([(sample(), Style())], tmp_path / "a.docx")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "data").mkdir()
    os.symlink(elsewhere, tmp_path / "data" / "2023")
    result = annex(tmp_path, "import", "a.docx")
    assert result.exit_code == 1
    assert "符号链接" in result.output
    assert list(elsewhere.iterdir()) == []


def test_year_option_wins_over_titles(tmp_path):
    document_with([(sample(), Style(year=2022))], tmp_path / "a.docx")
    result = annex(tmp_path, "import", "a.docx", "--year", "2024")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "data" / "2024" / "department.yaml").is_file()


@pytest.mark.parametrize("name,header,message", [
    ("旧表.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "另存为」Word 文档（.docx）"),
    ("旧表.wps", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "WPS 文字（.wps）"),
    ("改了扩展名.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "扩展名是 .docx，内容不是"),
    ("坏的.docx", b"not a zip at all", "不是 zip 格式"),
])
def test_files_that_are_not_docx_say_what_to_do(tmp_path, name, header, message):
    (tmp_path / name).write_bytes(header + b"\0" * 600)
    result = annex(tmp_path, "import", name)
    assert result.exit_code == 1
    flat = result.output.replace("\n", "").replace("│", "").replace(" ", "")
    assert message.replace(" ", "") in flat
    assert not (tmp_path / "data").exists()


def test_document_without_a_form_is_an_error_naming_it(tmp_path):
    import docx

    d = docx.Document()
    d.add_paragraph("会议纪要")
    d.add_table(rows=2, cols=2).cell(0, 0).text = "姓名"
    d.save(tmp_path / "纪要.docx")
    result = annex(tmp_path, "import", "纪要.docx")
    assert result.exit_code == 1
    assert "纪要.docx" in result.output and "import-no-table" in result.output


# --- a second writer: LibreOffice re-saves the hand-made documents ---------------------------------

def _soffice_resave(src: Path, out: Path, profile: Path) -> Path:
    out.mkdir()
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "docx",
                    "--outdir", str(out), str(src)], check=True, capture_output=True, timeout=180)
    return out / src.name


@pytest.mark.soffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_resaved_documents_read_the_same(tmp_path):
    styles = [STYLES[k] for k in ("all-at-once", "ticks-wingdings-symbol", "ticks-content-control",
                                  "ticks-before-and-after", "implementer-in-label")]
    src = document_with([(sample(n + 1), s) for n, s in enumerate(styles)], tmp_path / "手工表.docx")
    resaved = _soffice_resave(src, tmp_path / "lo", tmp_path / "profile")
    assert resaved.read_bytes() != src.read_bytes()
    a = import_documents([src])
    b = import_documents([resaved])
    assert [i.message for i in b.issues] == [i.message for i in a.issues] == []
    assert b.department == a.department
    for (sa, da), (sb, db) in zip(a.projects, b.projects, strict=True):
        assert sa == sb
        for key in da:
            assert db.get(key) == da[key], (sa, key)
    for n, (_, data) in enumerate(b.projects):
        assert data == expected(sample(n + 1))


def test_imported_files_are_what_check_reads(tmp_path):
    """The written YAML parses back to the same values (quoting of 2062, 100%, ≥60 万, multi-line)."""
    p = sample()
    p.goals[0][0]["年初目标值"] = "2062"
    p.goals[0][1]["年初目标值"] = "100%"
    p.goals[0][2]["实际完成值"] = "true"
    document_with([(p, Style())], tmp_path / "a.docx")
    assert annex(tmp_path, "import", "a.docx").exit_code == 0
    text = (tmp_path / "data" / "2023" / "projects" / "01-市综治中心专项工作经费.yaml").read_text(encoding="utf-8")
    assert "执行数: 155.650\n" in text
    loaded = yaml.safe_load(text)
    assert loaded["年度绩效目标"][0]["指标"][0]["年初目标值"] == "2062"
    assert loaded["年度绩效目标"][0]["指标"][2]["实际完成值"] == "true"
    assert loaded["偏差原因分析"] == p.reason
    check = annex(tmp_path, "check")
    assert "0 个错误" in check.output


# --- what cannot be read is said, never guessed ----------------------------------------------------

def _remove_row(path: Path, label: str) -> None:
    import docx

    d = docx.Document(path)
    for table in d.tables:
        for row in table.rows:
            if row.cells[0].text == label:
                row._tr.getparent().remove(row._tr)
    d.save(path)


def _remove_paragraph(path: Path, starts: str) -> None:
    import docx

    d = docx.Document(path)
    for p in d.paragraphs:
        if p.text.startswith(starts):
            p._p.getparent().remove(p._p)
    d.save(path)


def test_unreadable_amount_and_missing_row_are_left_to_fill(tmp_path):
    p = sample()
    p.planned = "280万元"
    doc = document_with([(p, Style(rate="55.59%"))], tmp_path / "a.docx")
    _remove_row(doc, "改进措施及结果应用方案")
    result = import_documents([doc], display=lambda x: x.name)
    assert _codes(result) == [("import-amount", "a.docx", "第 1 张表 预算数 (A)"),
                              ("import-missing", "a.docx", "第 1 张表 改进措施及结果应用方案")]
    data = result.projects[0][1]
    assert "预算数" not in data and "改进措施" not in data
    assert result.missing == {"projects/01-市综治中心专项工作经费.yaml": ["预算数", "改进措施"]}
    message = next(i.message for i in result.issues if i.code == "import-amount")
    assert "280万元" in message and "projects/01-市综治中心专项工作经费.yaml" in message


def test_no_title_no_year(tmp_path):
    doc = document_with([(sample(), Style())], tmp_path / "a.docx")
    _remove_paragraph(doc, "2023 年度")
    result = import_documents([doc], display=lambda x: x.name)
    assert ("import-title-unread", "a.docx", "第 1 张表 标题") in _codes(result)
    assert ("import-year-missing", "a.docx", "") in _codes(result)
    cli = annex(tmp_path, "import", "a.docx")
    assert cli.exit_code == 1 and "--year" in cli.output
    assert annex(tmp_path, "import", "a.docx", "--year", "2023").exit_code == 0


def _built_example(tmp_path: Path, variant: str) -> Path:
    root = tmp_path / variant
    shutil.copytree(Path(__file__).resolve().parent.parent / "templates" / variant / "example" / "2023",
                    root / "data" / "2023")
    assert annex(root, "build", "--no-archive", "-f", "docx").exit_code == 0
    return next((root / "build" / "2023").glob("*自评表.docx"))


def test_tables_of_another_form_than_the_majority_are_not_imported(tmp_path):
    national = _built_example(tmp_path, "national-2020")
    hubei = document_with([(sample(n), Style()) for n in (1, 2, 3)], tmp_path / "hubei.docx")
    result = import_documents([hubei, national], display=lambda x: x.name)
    mixed = [i for i in result.issues if i.code == "import-mixed-variants"]
    assert [(i.file, i.field) for i in mixed] == [(national.name, "第 1 张表"), (national.name, "第 2 张表")]
    assert result.variant == "hubei-2023" and len(result.projects) == 3


def test_printed_total_and_grade_that_differ_are_reported(tmp_path):
    import docx

    bundle = _built_example(tmp_path, "hubei-2023")
    d = docx.Document(bundle)
    total = next(row.cells for table in d.tables for row in table.rows if row.cells[0].text == "总分")
    total[-1].paragraphs[0].runs[0].text = "99.00"  # the first table's, typed over annex's 96.20
    d.save(bundle)
    result = import_documents([bundle], display=lambda x: x.name)
    totals = [i for i in result.issues if i.code == "import-total-differs"]
    assert [(i.field, i.value) for i in totals] == [("第 1 张表 总分", "99.00")]
    assert "96.20" in totals[0].message


def test_a_group_whose_options_cannot_be_found_is_said(tmp_path):
    import docx

    doc = document_with([(sample(), Style())], tmp_path / "a.docx")
    d = docx.Document(doc)
    cell = next(row.cells[-1] for row in d.tables[0].rows if row.cells[0].text == "项目属性")
    for p in cell.paragraphs:
        for r in p.runs:
            r.text = ""
    cell.paragraphs[0].runs[0].text = "延续 ☑  新增 ☐"
    d.save(doc)
    result = import_documents([doc], display=lambda x: x.name)
    assert _codes(result) == [("import-checkbox-unread", "a.docx", "第 1 张表 项目属性")]
    assert "项目属性" not in result.projects[0][1]


def test_values_that_begin_like_labels_stay_values(tmp_path):
    p = sample()
    p.implementer = "主管部门办公室"
    p.goals[0][0]["三级指标"] = "总分析报告"
    p.goals[0][1]["三级指标"] = "项目名称规范"
    p.goals[0][2]["年初目标值"] = "年度绩效目标 2 完成"
    doc = document_with([(p, Style())], tmp_path / "a.docx")
    result = import_documents([doc])
    assert [i.message for i in result.issues] == []
    assert result.projects[0][1] == expected(p)
