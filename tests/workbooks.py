"""Workbooks made the way a clerk types them (numbers as numbers, percentages, merged cells, a pasted
column in 会计 format), the YAML a careful user would write for the same tables, and helpers to build
and compare."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import openpyxl

from pipeline.build import BuildOptions, build

ACCOUNTING = '_ * #,##0.00_ ;_ * -#,##0.00_ ;_ * "-"??_ ;_ @_ '

DEPARTMENT = "单位名称: 示例单位\n主管部门: 示例主管部门\n填报日期: 2025-04-23\n表样: hubei-2023\n评分: false\n"

# The same two projects as a careful user writes them in YAML: what the clerk's workbook must build.
EXPECTED_YAML = {
    "01-人民调解.yaml": """\
项目名称: 人民调解以奖代补经费
项目实施单位: 市司法局
项目类别: 部门预算项目
项目属性: 持续性项目
项目类型: 常年性项目
预算数: 155.650
执行数: "124.50"
年度绩效目标:
  - 指标:
      - {一级指标: 产出指标, 二级指标: 数量指标, 三级指标: 调解案件数, 年初目标值: "2062", 实际完成值: "2,100件"}
      - {一级指标: 产出指标, 二级指标: 质量指标, 三级指标: 调解成功率, 年初目标值: "90%", 实际完成值: "95.5%"}
      - {一级指标: 满意度指标, 二级指标: 服务对象满意度指标, 三级指标: 群众满意度, 年初目标值: "≥90%", 实际完成值: "96%"}
  - 指标:
      - {一级指标: 效益指标, 二级指标: 社会效益指标, 三级指标: 矛盾纠纷化解, 年初目标值: "有效化解", 实际完成值: "有效化解"}
偏差原因分析: |-
  1. 年底集中支付。
  2. 部分奖补次年拨付。
改进措施: 加快支出进度
""",
    "02-法治宣传.yaml": """\
项目名称: 法治宣传教育经费
项目实施单位: 市普法办
项目类别: 市直专项
项目属性: 新增性项目
项目类型: 一次性项目
预算数: "60"
执行数: "0.00"
年度绩效目标:
  - 指标:
      - {一级指标: 产出指标, 二级指标: 数量指标, 三级指标: 宣传活动场次, 年初目标值: "12场", 实际完成值: "12场"}
偏差原因分析: 无偏差
改进措施: 继续开展
""",
}


def clerk_workbook(path: Path) -> None:
    """The two projects above, typed into Excel by a clerk."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "项目"
    # columns in the clerk's order, one header with its unit, one helper column
    ws.append(["项目名称", "预算数（万元）", "执行数", "项目实施单位", "项目类别", "项目属性", "项目类型",
               "偏差原因分析", "改进措施", "备注"])
    ws.append(["人民调解以奖代补经费", 155.65, 124.5, "市司法局", "部门预算项目", "持续性项目", "常年性项目",
               "1. 年底集中支付。\n2. 部分奖补次年拨付。", "加快支出进度 ", "核对过"])
    ws.append(["法治宣传教育经费", 60, 0, "市普法办", "市直专项", "新增性项目", "一次性项目", "无偏差", "继续开展"])
    ws["B2"].number_format = "0.000"  # 数值, 3 decimals
    for ref in ("C2", "C3"):
        ws[ref].number_format = ACCOUNTING  # a column pasted from the budget system
    ind = wb.create_sheet("指标")
    ind.append(["项目名称", "目标", "一级指标", "二级指标", "三级指标", "年初目标值", "实际完成值"])
    ind.append(["人民调解以奖代补经费", 1, "产出指标", "数量指标", "调解案件数", 2062, 2100])
    ind.append([None, None, None, "质量指标", "调解成功率", 0.9, 0.955])
    ind.append([None, None, "满意度指标", "服务对象满意度指标", "群众满意度", "≥90%", 0.96])
    ind.append([None, 2, "效益指标", "社会效益指标", "矛盾纠纷化解", "有效化解", "有效化解"])
    ind.append(["法治宣传教育经费", None, "产出指标", "数量指标", "宣传活动场次", "12场", "12场"])
    ind["G2"].number_format = '#,##0"件"'
    ind["F3"].number_format = "0%"
    ind["G3"].number_format = "0.0%"
    ind["G4"].number_format = "0%"
    ind.merge_cells("A2:A5")  # the project's name once, merged down its rows
    ind.merge_cells("C2:C3")  # 产出指标 merged over its two rows
    wb.create_sheet("说明").append(["这张表是填表说明"])
    wb.save(path)


# --- changes to a saved workbook, as a user makes them in Excel -----------------------------------------

def mutate(path: Path, change) -> None:
    wb = openpyxl.load_workbook(path)
    change(wb)
    wb.save(path)


def set_cell(sheet: str, ref: str, value, fmt: str | None = None):
    def change(wb):
        wb[sheet][ref] = value
        if fmt:
            wb[sheet][ref].number_format = fmt
    return change


def unit_sheet(rows):
    def change(wb):
        sheet = wb.create_sheet("单位")
        for row in rows:
            sheet.append(row)
    return change


def delete_column(sheet: str, col: int):
    return lambda wb: wb[sheet].delete_cols(col)



def workbook_year(year: Path, *changes) -> None:
    """Turn a year of tests/fixtures/valid into the clerk's workbook (no projects/), then change it."""
    shutil.rmtree(year / "projects", ignore_errors=True)
    clerk_workbook(year / "自评数据.xlsx")
    for change in changes:
        mutate(year / "自评数据.xlsx", change)


def write_year(root: Path, files: dict[str, str] | None = None) -> Path:
    """data/2024 with department.yaml and, if given, project files."""
    year = root / "data" / "2024"
    year.mkdir(parents=True)
    (year / "department.yaml").write_text(DEPARTMENT, encoding="utf-8")
    if files:
        (year / "projects").mkdir()
        for name, text in files.items():
            (year / "projects" / name).write_text(text, encoding="utf-8")
    return year


def build_files(year_dir: Path, out: Path, formats: tuple[str, ...] = ("docx", "pdf")) -> dict[str, bytes]:
    """Build the year (Word and PDF) and return every output file by its path under the year's folder."""
    report = build(BuildOptions(year_dir, out, formats=formats, archive=False))
    root = report.build_dir
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.suffix in (".docx", ".pdf")}


def resave_with_libreoffice(src: Path, dest_dir: Path, profile: Path) -> Path:
    """`soffice --headless --convert-to xlsx`: the workbook as another spreadsheet program writes it."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "xlsx",
         "--outdir", str(dest_dir), str(src)],
        capture_output=True, text=True, timeout=180,
    )
    out = dest_dir / src.name
    assert proc.returncode == 0 and out.exists(), proc.stdout + proc.stderr
    return out


def soffice_missing() -> bool:
    return shutil.which("soffice") is None


# --- cells as no spreadsheet program writes them (hostile or damaged files) ---------------------------

def raw_cell(path: Path, sheet: str, ref: str, xml: str) -> None:
    """Replace cell `ref` of sheet `sheet` in the saved workbook by the XML `xml`, as written."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    titles = re.findall(r'<sheet [^>]*name="([^"]+)"', members["xl/workbook.xml"].decode())
    member = f"xl/worksheets/sheet{titles.index(sheet) + 1}.xml"
    text = members[member].decode()
    pattern = re.compile(rf'<c r="{ref}"(?:[^>]*/>|[^>]*>.*?</c>)', re.S)
    assert pattern.search(text), f"{sheet}!{ref} not in {member}"
    members[member] = pattern.sub(lambda m: xml, text, count=1).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
