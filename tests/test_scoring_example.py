"""The national example edited as a clerk edits it, checked and built as the clerk would.

The clerk changes three rows of templates/national-2020/example's first project and leaves the rest:
  法律咨询人次       ≥8000人次: the result becomes 7600人次, the 得分 stays 15   (a ≥ target missed)
  援助申请审查时限   ≤7个工作日: the result becomes 9个工作日, the 得分 stays 10 (a ≤ target missed)
  法律援助案件数     ≥600件 / 571件: the 得分 (13) is deleted                  (left empty)
Expected, by hand (national-2020 rule set):
  7600 ÷ 8000 × 15 = 114000 ÷ 8000 = 14.25       -> warning: 应得 14.25, 填的是 15
  7 ÷ 9 × 10 = 70 ÷ 9 = 7.777…  -> 7.78          -> warning: 应得 7.78, 填的是 10
  571 ÷ 600 × 15 = 8565 ÷ 600 = 14.275 -> 14.28  -> printed in the 得分 cell, said once as a note
  预算执行: 137.75 ÷ 162.5 = 84.77%; 10 × 84.77% = 8.477 -> 8.48
  总分 = 8.48 + 15 + 14.28 + 10 + 10 + 19 + 10 + 10 = 96.76, 等级 优
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import docx
import openpyxl
import pytest

from pdf_text import page_texts, squash
from pipeline.build.front import check_year

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "templates" / "national-2020" / "example"
PROJECT = "projects/01-公共法律服务体系建设.yaml"


def _edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


@pytest.fixture
def edited(tmp_path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(EXAMPLE, data)
    path = data / "2023" / PROJECT
    text = path.read_text(encoding="utf-8")
    text = _edit(text, "实际完成值: 8562人次", "实际完成值: 7600人次")
    text = _edit(text, "实际完成值: 5个工作日", "实际完成值: 9个工作日")
    text = _edit(text, "        分值: 15\n        得分: 13\n", "        分值: 15\n")
    path.write_text(text, encoding="utf-8")
    return data


def _line_of(data: Path, needle: str, after: str) -> int:
    lines = (data / "2023" / PROJECT).read_text(encoding="utf-8").splitlines()
    start = next(n for n, line in enumerate(lines) if after in line)
    return 1 + next(n for n, line in enumerate(lines) if n > start and needle in line)


def test_the_clerk_sees_the_rule_scores_in_check(edited):
    result = check_year(edited / "2023", base=edited.parent)
    assert result.errors == []
    mine = [i for i in result.issues if i.file.endswith("01-公共法律服务体系建设.yaml")]
    differs = sorted((i.line, i.field, i.message.split("；")[0]) for i in mine if i.code == "score-differs")
    assert differs == [
        (_line_of(edited, "得分: 15", "法律咨询人次"), "年度绩效目标[1].指标[1].得分",
         "按评分规则应得 14.25 分（7600÷8000×15），填的是 15"),
        (_line_of(edited, "得分: 10", "援助申请审查时限"), "年度绩效目标[1].指标[4].得分",
         "按评分规则应得 7.78 分（7÷9×10），填的是 10"),
    ]
    notes = [i for i in mine if i.code == "score-computed"]
    assert len(notes) == 1 and notes[0].severity == "info"
    assert "「法律援助案件数」14.28 分（571÷600×15）" in notes[0].message
    # counted, not alarming: a note is neither an error nor a warning
    assert notes[0] not in result.warnings


def test_a_warning_about_a_score_can_be_confirmed(edited):
    path = edited / "2023" / PROJECT
    path.write_text(path.read_text(encoding="utf-8") + "已确认警告: [score-differs]\n", encoding="utf-8")
    result = check_year(edited / "2023", base=edited.parent)
    assert "score-differs" not in [i.code for i in result.issues if i.file.endswith("01-公共法律服务体系建设.yaml")]
    assert sum(i.code == "score-differs" for i in result.accepted) == 2


def _cells(row) -> list[str]:
    """A row's cells as a reader sees them: a merged cell once (python-docx lists it per grid column)."""
    out, seen = [], []
    for cell in row.cells:
        if not any(cell._tc is tc for tc in seen):
            seen.append(cell._tc)
            out.append(cell.text)
    return out


def _row(document: docx.Document, first: str) -> list[str]:
    for table in document.tables:
        for row in table.rows:
            cells = _cells(row)
            if first in cells:
                return cells[cells.index(first):]
    raise AssertionError(f"no row with {first}")


@pytest.mark.slow
def test_the_built_tables_print_the_computed_score(edited, tmp_path):
    out = tmp_path / "build"
    run = subprocess.run([sys.executable, "-m", "pipeline", "build", "--data", str(edited), "--out", str(out),
                          "--no-archive", "--problems", "lines"], capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    folder = out / "2023"
    table = docx.Document(str(folder / "分表" / "01-公共法律服务体系建设经费.docx"))
    # 三级指标 · 年度指标值 · 实际完成值 · 分值 · 得分 · 偏差原因分析及改进措施
    assert _row(table, "法律援助案件数")[:5] == ["法律援助案件数", "≥600件", "571件", "15", "14.28"]
    assert _row(table, "法律咨询人次")[:5] == ["法律咨询人次", "≥8000人次", "7600人次", "15", "15"]
    assert _row(table, "援助申请审查时限")[:5] == ["援助申请审查时限", "≤7个工作日", "9个工作日", "10", "10"]
    assert _row(table, "总分")[1:3] == ["100", "96.76"]
    pdf = (folder / "分表" / "01-公共法律服务体系建设经费.pdf").read_bytes()
    text = squash("".join(page_texts(pdf)))
    assert "法律援助案件数≥600件571件1514.28" in text
    assert "总分10096.76" in text
    # the 项目清单 workbook carries the same total and grade
    book = openpyxl.load_workbook(io.BytesIO(next(folder.glob("*汇总表.xlsx")).read_bytes()))
    rows = [[c for c in r] for r in book.active.iter_rows(values_only=True)]
    mine = next(r for r in rows if "公共法律服务体系建设经费" in r)
    assert str(mine[-2]) == "96.76" and mine[-1] == "优"


def test_check_counts_the_computed_score_as_a_note(edited):
    from tests.user_runs import annex

    run = annex(edited.parent, "check", "--problems", "lines")
    assert run.exit_code == 0, run.output
    lines = run.output.strip().splitlines()
    # warnings: the two edited rows, the example's own 19 of 20 on an unchanged 定性 row without a reason,
    # and project 02's 16 (应得 18.4) and 9 (应得 10): 5; the computed 14.28: 1 note
    assert lines[-1] == "data/2023：2 个项目，0 个错误，5 个警告，1 条提示"
    assert sum("[score-computed]" in line and " 提示 " in line for line in lines) == 1


def test_the_marked_workbook_shows_the_note_and_the_warning(edited, tmp_path):
    """The same edits kept in the clerk's workbook: --mark colours the rule's warning yellow and
    puts the note (the computed 得分) on the project's row."""
    from tests.user_runs import annex

    root = edited.parent
    assert annex(root, "export", "--year", "2023").exit_code == 0
    book = next(root.glob("*.xlsx"))
    book.rename(edited / "2023" / book.name)
    shutil.move(edited / "2023" / "projects", tmp_path / "projects-aside")
    run = subprocess.run([sys.executable, "-m", "pipeline", "check", "--mark", "标注.xlsx", "--problems", "lines"],
                         capture_output=True, text=True, cwd=root)
    assert run.returncode == 0, run.stdout + run.stderr
    marked = openpyxl.load_workbook(root / "标注.xlsx")
    notes = [(ws.title, c.coordinate, c.comment.text) for ws in marked.worksheets for row in ws.iter_rows()
             for c in row if c.comment is not None and c.comment.text.startswith("提示：")]
    assert len(notes) == 1 and "「法律援助案件数」14.28 分（571÷600×15）" in notes[0][2]
    warned = [c for ws in marked.worksheets for row in ws.iter_rows() for c in row
              if c.comment is not None and "按评分规则应得 14.25 分（7600÷8000×15），填的是 15" in c.comment.text]
    assert len(warned) == 1 and warned[0].fill.start_color.rgb == "FFFFEB9C"
