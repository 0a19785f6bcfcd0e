"""Word documents made the way the department made its 2023 bundle by hand, with python-docx.

Each `Style` knob is one way the seed's 11 tables differ from each other (see
/work/shared/seeds/): the label cells span one or two columns, 年度财政资金总额 sits in the header
row, the values row, or nowhere, a value is typed on the row below its label or in the label's own
cell, labels carry `(20 分)` / `(XX 分)`, 一级指标 cells are merged down or typed on every row, tick
boxes are typed in one of the many ways Word and WPS offer, texts are several paragraphs or soft
breaks, and the lines above the table use `：`, `:` or nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Pt

GROUPS = {
    "项目类别": ["部门预算项目", "市直专项", "省对下转移支付项目"],
    "项目属性": ["持续性项目", "新增性项目"],
    "项目类型": ["常年性项目", "延续性项目", "一次性项目"],
}


@dataclass
class Style:
    label_span: int = 2  # columns a row label covers (1: values start one column further left)
    source: str = "values"  # 年度财政资金总额: "header" row, "values" row, or "none"
    implementer: str = "beside"  # "beside", "below" (the row under its label), "in-label" (same cell)
    weights: bool = False  # "(20 分)" after the budget label, "(XX 分)" after goal 1
    merge_level1: bool = True  # 一级指标 merged down its run, or typed on every row
    ticks: str = "after"  # after, before, both, squares, sqrt, wingdings, wingdings2, wps-run, checkbox
    multiline: str = "paragraphs"  # "paragraphs" or "soft" (Shift+Enter breaks)
    colon: str = "："  # after 单位名称 / 填报日期: "：", ":" or ""
    split_lines: bool = False  # 单位名称 and 填报日期 in two paragraphs
    split_runs: bool = True  # texts typed in several runs (formatting changes mid-word)
    rate: str | None = None  # the printed 执行率 (None: annex's own)
    title: str | None = None  # the printed title's project part (None: 项目名称)
    unit: str = "中共鄂州市委政法委员会"
    date: str = "2024 年 4 月 23 日"
    year: int = 2023
    renamed_option: bool = False  # 项目类别 prints 省直专项 for 市直专项
    numbered: bool = True  # options printed as 1、… 2、…
    heading: bool = True  # the title line above the table
    lines: bool = True  # the 单位名称 / 填报日期 lines
    ticked: dict[str, list[int]] = field(default_factory=dict)  # group -> ticked option indexes (default: the data's)


@dataclass
class Project:
    name: str
    department: str
    implementer: str
    groups: dict[str, str]
    planned: str
    spent: str
    goals: list[list[dict[str, str]]]  # rows of 一级指标 … 实际完成值
    reason: str
    measures: str


def sample(n: int = 1) -> Project:
    return Project(
        name=f"市综治中心专项工作经费{n}" if n > 1 else "市综治中心专项工作经费",
        department="中共鄂州市委政法委员会",
        implementer="维稳科、执法监督科",
        groups={"项目类别": "市直专项", "项目属性": "持续性项目", "项目类型": "一次性项目"},
        planned="280",
        spent="155.650",
        goals=[[
            {"一级指标": "产出指标", "二级指标": "数量指标", "三级指标": "调解各类民事纠纷",
             "年初目标值": "不少于 1500 起", "实际完成值": "已完成"},
            {"一级指标": "产出指标", "二级指标": "数量指标", "三级指标": "法律援助案件",
             "年初目标值": "结案率 80%", "实际完成值": "80%"},
            {"一级指标": "产出指标", "二级指标": "质量指标", "三级指标": "群体性事件",
             "年初目标值": "有效预防和减少群体性事件", "实际完成值": "90%"},
            {"一级指标": "效益指标", "二级指标": "社会效益指标", "三级指标": "1. 省级调研评价。\n2. 市领导评价。",
             "年初目标值": "", "实际完成值": "认可"},
            {"一级指标": "满意度指标", "二级指标": "服务对象满意度指标", "三级指标": "群众满意度",
             "年初目标值": "≥90%", "实际完成值": "已完成"},
        ]],
        reason="经费使用不平衡。\n1. “全能神”教育转化工作需进一步加强。\n2. 情报信息工作还有提升空间。",
        measures="进一步加强信息化实战应用",
    )


def expected_rate(p: Project) -> str:
    from pipeline.input.arithmetic import execution_rate

    return f"{execution_rate(Decimal(p.spent), Decimal(p.planned))}%"


# --- writing cells ---------------------------------------------------------------------------

def _runs(paragraph, text: str, style: Style) -> None:
    """`text` into a paragraph: split into runs mid-text, soft breaks for "\n" when style says so."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if i:
            paragraph.add_run().add_break()
        if style.split_runs and len(line) > 3:
            cut = len(line) // 2
            paragraph.add_run(line[:cut])
            r = paragraph.add_run(line[cut:])
            r.bold = True
        elif line:
            paragraph.add_run(line)


def put(cell, text: str, style: Style) -> None:
    """A cell's text: several paragraphs or soft breaks, as the style types multi-line text."""
    for p in cell.paragraphs[1:]:
        p._p.getparent().remove(p._p)
    first = cell.paragraphs[0]
    if style.multiline == "paragraphs" and "\n" in text:
        parts = text.split("\n")
        _runs(first, parts[0], style)
        for part in parts[1:]:
            _runs(cell.add_paragraph(), part, style)
    else:
        _runs(first, text, style)


def _sym(paragraph, font: str, char: str) -> None:
    r = paragraph.add_run()
    r._r.append(parse_xml(f'<w:sym {nsdecls("w")} w:font="{font}" w:char="{char}"/>'))


def _font_run(paragraph, font: str, text: str) -> None:
    r = paragraph.add_run(text)
    r.font.name = font
    r._r.get_or_add_rPr().get_or_add_rFonts().set(qn("w:hAnsi"), font)


def _checkbox(paragraph, checked: bool) -> None:
    w14 = 'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml"'
    glyph = "☒" if checked else "☐"
    sdt = parse_xml(
        f'<w:sdt {nsdecls("w")} {w14}><w:sdtPr><w14:checkbox><w14:checked w14:val="{int(checked)}"/>'
        '<w14:checkedState w14:val="2612" w14:font="MS Gothic"/><w14:uncheckedState w14:val="2610" w14:font="MS Gothic"/>'
        f'</w14:checkbox></w:sdtPr><w:sdtContent><w:r><w:t>{glyph}</w:t></w:r></w:sdtContent></w:sdt>')
    paragraph._p.append(sdt)


def _box(paragraph, checked: bool, style: Style) -> None:
    kind = style.ticks
    if kind == "wingdings":
        _sym(paragraph, "Wingdings", "F0FE" if checked else "F0A8")
    elif kind == "wingdings2":
        _sym(paragraph, "Wingdings 2", "F052" if checked else "F0A3")
    elif kind == "wps-run":
        _font_run(paragraph, "Wingdings", "\u00fe" if checked else "\u00a8")
    elif kind == "checkbox":
        _checkbox(paragraph, checked)
    elif kind == "squares":
        paragraph.add_run("■" if checked else "□")
    elif kind == "sqrt":
        paragraph.add_run("√" if checked else "□")
    else:
        paragraph.add_run("☑" if checked else "☐")


def put_group(cell, group: str, chosen: str, style: Style) -> None:
    options = GROUPS[group]
    ticked = style.ticked.get(group, [options.index(chosen)] if chosen in options else [])
    p = cell.paragraphs[0]
    for k, label in enumerate(options):
        printed = "省直专项" if style.renamed_option and label == "市直专项" else label
        on = k in ticked
        if style.ticks == "before":
            _box(p, on, style)
            p.add_run(f"{k + 1}、{printed}  ")
        elif style.ticks == "both":  # seed table 2: 1、☑部门预算项目☐ 2、…☐
            p.add_run(f"{k + 1}、")
            if k == 0:
                _box(p, on, replace(style, ticks="after"))
                p.add_run(printed)
                _box(p, False, replace(style, ticks="after"))
            else:
                p.add_run(printed + " ")
                _box(p, on, replace(style, ticks="after"))
            p.add_run(" ")
        else:
            p.add_run(f"{k + 1}、{printed} " if style.numbered else f"{printed} ")
            _box(p, on, style)
            p.add_run("  ")


# --- one table -------------------------------------------------------------------------------

def add_form(document, p: Project, style: Style) -> None:
    """附件 2., the title, the unit and date lines, then the table."""
    document.add_paragraph("附件 2.")
    name = style.title or p.name
    if style.heading:
        document.add_paragraph(f"{style.year} 年度{name}项目自评表")
    unit = f"单位名称{style.colon} {style.unit}"
    date = f"填报日期{style.colon} {style.date}"
    if not style.lines:
        pass
    elif style.split_lines:
        document.add_paragraph(unit)
        document.add_paragraph(date)
    else:
        document.add_paragraph(f"{unit}        {date}")
    _table(document, p, style)
    document.add_paragraph("备注：")
    document.add_paragraph("1. 预算执行情况口径：预算数为调整后财政资金总额（包括上年结余结转），执行数为资金使用单位财政资金实际支出数。")


def _table(document, p: Project, style: Style) -> None:
    cols = 6
    rows = [r for g in p.goals for r in g]
    n_rows = 5 + 2 + sum(1 + len(g) for g in p.goals) + (1 if len(p.goals) < 2 else 0) + 2
    if style.implementer == "below":
        n_rows += 1
    t = document.add_table(rows=n_rows, cols=cols)
    t.style = "Table Grid"
    ls = style.label_span
    r = 0

    def label(row: int, text: str, span: int = ls):
        cell = t.cell(row, 0).merge(t.cell(row, span - 1)) if span > 1 else t.cell(row, 0)
        put(cell, text, style)
        return cell

    def value(row: int, text: str, start: int = ls, end: int = cols - 1):
        cell = t.cell(row, start).merge(t.cell(row, end)) if end > start else t.cell(row, start)
        put(cell, text, style)
        return cell

    label(r, "项目名称")
    value(r, p.name)
    r += 1
    label(r, "主管部门")
    put(t.cell(r, ls), p.department, style)
    if style.implementer == "in-label":
        value(r, f"项目实施单位 {p.implementer}", ls + 1)
    else:
        put(t.cell(r, ls + 1), "项目实施单位", style)
        if style.implementer == "beside":
            value(r, p.implementer, ls + 2)
        else:
            r += 1
            value(r, p.implementer, ls + 1)
    r += 1
    for group, chosen in p.groups.items():
        label(r, group)
        cell = t.cell(r, ls).merge(t.cell(r, cols - 1))
        put_group(cell, group, chosen, style)
        r += 1
    budget_label = "预算执行情况 (万元)" + (" (20 分)" if style.weights else "")
    t.cell(r, 0).merge(t.cell(r + 1, ls - 1))
    put(t.cell(r, 0), budget_label, style)
    rate = style.rate or expected_rate(p)
    heads = ["预算数 (A)", "执行数 (B)", "执行率 (B/A)"]
    figures = [p.planned, p.spent, rate]
    first = cols - 3
    if style.source == "header":
        put(t.cell(r, first - 1), "年度财政资金总额", style)
    elif style.source == "values":
        put(t.cell(r + 1, first - 1), "年度财政资金总额", style)
    for k in range(3):
        put(t.cell(r, first + k), heads[k], style)
        put(t.cell(r + 1, first + k), figures[k], style)
    r += 2
    for n, goal in enumerate(p.goals + ([[]] if len(p.goals) < 2 else []), start=1):
        goal_label = f"年度绩效目标 {n}" + (" (XX 分)" if style.weights and n == 1 else "")
        if not goal:
            put(t.cell(r, 0), goal_label, style)
            t.cell(r, 1).merge(t.cell(r, cols - 1))
            r += 1
            continue
        t.cell(r, 0).merge(t.cell(r + len(goal), 0))
        put(t.cell(r, 0), goal_label, style)
        for k, head in enumerate(["一级指标", "二级指标", "三级指标", "年初目标值 (A)", "实际完成值 (B)"]):
            put(t.cell(r, 1 + k), head, style)
        r += 1
        start = r
        for i, row in enumerate(goal):
            for k, key in enumerate(["一级指标", "二级指标", "三级指标", "年初目标值", "实际完成值"]):
                if key == "一级指标" and style.merge_level1 and i > 0 and goal[i - 1]["一级指标"] == row["一级指标"]:
                    continue
                put(t.cell(r + i, 1 + k), row[key], style)
        if style.merge_level1:
            i = 0
            while i < len(goal):
                j = i
                while j + 1 < len(goal) and goal[j + 1]["一级指标"] == goal[i]["一级指标"]:
                    j += 1
                if j > i:
                    t.cell(start + i, 1).merge(t.cell(start + j, 1))
                i = j + 1
        r += len(goal)
    label(r, "偏差大或目标未完成原因分析")
    value(r, p.reason)
    r += 1
    label(r, "改进措施及结果应用方案")
    value(r, p.measures)


def national_stub(path: Path) -> Path:
    """A document holding one table of the national-2020 form's labels (typed by hand, no figures)."""
    d = docx.Document()
    d.add_paragraph("项目支出绩效自评表")
    d.add_paragraph("（2023 年度）")
    rows = [["项目名称", "某项目"], ["主管部门", "某局", "实施单位", "某科"],
            ["项目资金（万元）", "", "年初预算数", "全年预算数", "全年执行数"],
            ["年度总体目标", "预期目标", "实际完成情况"], ["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值"]]
    t = d.add_table(rows=len(rows), cols=6)
    for r, texts in enumerate(rows):
        for c, text in enumerate(texts):
            t.cell(r, c).text = text
    d.save(path)
    return path


def document_with(forms: list[tuple[Project, Style]], path: Path) -> Path:
    d = docx.Document()
    d.styles["Normal"].font.size = Pt(10)
    for i, (p, s) in enumerate(forms):
        if i:
            d.add_page_break()
        add_form(d, p, s)
    d.save(path)
    return path
