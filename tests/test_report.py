"""The 自评报告 draft (pipeline/form/report.py, templates/report/), checked as a reader checks it.

The expectations are computed here from the data files themselves (YAML read as text, amounts as
Decimal), not from annex's model: totals, rates, the projects below 90 %, their reason texts and
every project's 改进措施, then looked for in the report's Word and PDF text.
"""

from __future__ import annotations

import shutil
import subprocess
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import docx
import pytest
import yaml

from pipeline.build.front import check_year
from pipeline.form.report import build_report
from pipeline.form.summary import build_summary
from tests.pdf_text import page_texts, squash
from user_runs import annex, private_copy

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "2023"
REPORT = "中共鄂州市委政法委员会-2023年度项目支出绩效自评报告（初稿）"


# --- what the data says, computed independently --------------------------------------------------

def _projects(year_dir: Path) -> list[dict]:
    # BaseLoader: every scalar as the text written (97.621 stays "97.621", never a float).
    return [yaml.load(p.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
            for p in sorted((year_dir / "projects").glob("*.yaml"))]


def _rate(b: Decimal, a: Decimal) -> str:
    return f"{(b * 100 / a).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%"


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class Expected:
    def __init__(self, year_dir: Path):
        self.projects = _projects(year_dir)
        a = [Decimal(p["预算数"]) for p in self.projects]
        b = [Decimal(p["执行数"]) for p in self.projects]
        self.count = len(self.projects)
        self.planned, self.spent = sum(a), sum(b)
        self.rate = _rate(self.spent, self.planned)
        self.rates = {p["项目名称"]: _rate(y, x) for p, x, y in zip(self.projects, a, b)}
        self.below = [p for p, x, y in zip(self.projects, a, b) if y * 100 / x < 90]
        self.categories = {}
        for p in self.projects:
            self.categories[p["项目类别"]] = self.categories.get(p["项目类别"], 0) + 1

    @property
    def totals(self) -> str:
        return (f"2023年度，我单位纳入绩效自评的项目共{self.count}个，预算数合计{self.planned}万元，"
                f"执行数合计{self.spent}万元，总体执行率{self.rate}。")


@pytest.fixture(scope="module")
def expected() -> Expected:
    return Expected(SEED)


def test_expected_figures_are_the_known_ones(expected):
    # A check of the check: the 2023 bundle's totals, summed by hand from its 11 tables.
    assert (expected.count, str(expected.planned), str(expected.spent), expected.rate) == \
        (11, "2020", "1344.9098", "66.58%")
    assert sorted(p["项目名称"] for p in expected.below) == sorted([
        "市综治中心专项工作经费", "市维稳救助及司法救助资金", "市社会治安综合治理专项工作经费", "市法学会工作经费",
        "鄂州市铁路护路专项工作经费", "“1234”信息化建设工程经费"])


# --- the report as computed ----------------------------------------------------------------------

def _report(year_dir: Path):
    result = check_year(year_dir)
    variant = result.input.variant
    return build_report(result.bundle, build_summary(result.bundle, variant), result.input, variant)


def _texts(report, kind: str) -> list[str]:
    return [b.text for b in report.blocks if b.kind == kind]


def test_report_sections_follow_the_data(expected):
    report = _report(SEED)
    text = _texts(report, "text")
    assert _texts(report, "heading1") == ["一、基本情况", "二、绩效目标完成情况", "三、偏差原因分析", "四、改进措施", "五、结果应用"]
    assert expected.totals in text
    assert "按项目类别分：部门预算项目10个，省对下转移支付项目1个。" in text
    assert expected.categories == {"部门预算项目": 10, "省对下转移支付项目": 1}
    # 二: one heading and one paragraph per project, in bundle order, with its rate.
    goals = _texts(report, "heading2")[:expected.count]
    assert [g.split("）", 1)[1] for g in goals] == [p["项目名称"] for p in expected.projects]
    assert goals[10] == "（十一）中央司法救助资金专项资金(转移支付)"
    for p in expected.projects:
        assert any(t.startswith(f"该项目预算数{p['预算数']}万元，执行数{p['执行数']}万元，"
                                f"执行率{expected.rates[p['项目名称']]}。") for t in text)
    # 三: every project below 90 %, with its rate and every line of its own reason.
    assert f"执行率低于90%的项目共{len(expected.below)}个：" in text
    for p in expected.below:
        reason = _lines(p["偏差原因分析"])
        assert f"{p['项目名称']}：执行率{expected.rates[p['项目名称']]}。{reason[0]}" in text
        for line in reason[1:]:
            assert line in text
    # 四: each project's own 改进措施 under its name, then what only the clerk can write.
    blocks = [(b.kind, b.text) for b in report.blocks]
    start = blocks.index(("heading1", "四、改进措施"))
    for p in expected.projects:
        at = next(i for i, (k, t) in enumerate(blocks) if i > start and k == "heading2" and t.endswith(p["项目名称"]))
        lines = _lines(p["改进措施"])
        assert [t for _, t in blocks[at + 1:at + 1 + len(lines)]] == lines
    # What only the clerk can write is marked, never made up: every project has its own reason text.
    assert _texts(report, "fill") == ["【请填写：单位层面的改进措施】",
                                      "【请填写：自评结果的应用情况，如结果反馈、问题整改、与下年度预算安排挂钩等】"]
    assert text[0].startswith("根据【请填写：自评通知名称及文号】要求，我单位对2023年度11个项目开展了绩效自评")
    assert _texts(report, "closing") == ["中共鄂州市委政法委员会", "2024年4月23日"]


def test_notice_from_department_yaml(tmp_path):
    year = tmp_path / "2023"
    shutil.copytree(SEED, year)
    dept = year / "department.yaml"
    dept.write_text(dept.read_text(encoding="utf-8")
                    + "自评通知:\n  名称: 关于开展2023年度财政支出绩效自评工作的通知\n  文号: 鄂州财绩发〔2024〕3号\n",
                    encoding="utf-8")
    report = _report(year)
    assert _texts(report, "text")[0] == ("根据《关于开展2023年度财政支出绩效自评工作的通知》（鄂州财绩发〔2024〕3号）要求，"
                                         "我单位对2023年度11个项目开展了绩效自评，现将有关情况报告如下：")
    dept.write_text(dept.read_text(encoding="utf-8").replace("  文号:", "  文件号:"), encoding="utf-8")
    result = check_year(year)
    assert any("文件号" in i.message for i in result.errors)


def test_national_report_scores_and_indicators():
    year = ROOT / "templates" / "national-2020" / "example" / "2023"
    report = _report(year)
    result = check_year(year)
    text = _texts(report, "text")
    grades = [f.total.grade for f in result.bundle.forms]
    assert any(t.startswith("自评等级：") for t in text)
    for form in result.bundle.forms:
        assert any(f"自评得分{form.total.score}分，自评等级“{form.total.grade}”。" in t for t in text)
    assert len(grades) == 2
    # The 法律援助案件数 target (≥600件) was missed (571件) and the clerk gave it less than its weight:
    # it is listed with its values and its own reason.
    assert "公共法律服务体系建设经费“法律援助案件数”：年初目标值“≥600件”，实际完成值“571件”。" in text


@pytest.mark.parametrize("variant", ["hubei-2023", "national-2020"])
def test_report_table_columns_are_the_word_templates(variant):
    import runpy

    script = runpy.run_path(str(ROOT / "templates" / "report" / "build_report_docx.py"))
    words = yaml.safe_load((ROOT / "templates" / variant / "report.yaml").read_text(encoding="utf-8"))
    assert tuple(Decimal(str(c)) for c in words["columns"]) == script["COLUMNS"]


def test_committed_report_docx_is_what_the_script_writes():
    out = subprocess.run([str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else "python3",
                          "-c", "import runpy, sys; m = runpy.run_path(sys.argv[1]); sys.stdout.buffer.write(m['build']())",
                          str(ROOT / "templates" / "report" / "build_report_docx.py")], capture_output=True, check=True)
    assert out.stdout == (ROOT / "templates" / "report" / "report.docx").read_bytes()


# --- the files, as built ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("report")
    shutil.copytree(SEED, root / "data" / "2023")
    result = annex(root, "build", "--jobs", "2")
    assert result.exit_code == 0, result.output
    assert f"build/2023/{REPORT}.docx" in result.output and f"build/2023/{REPORT}.pdf" in result.output
    return root


def _docx(path: Path) -> tuple[list[str], list[list[str]]]:
    d = docx.Document(str(path))
    return [p.text for p in d.paragraphs], [[c.text for c in r.cells] for t in d.tables for r in t.rows]


@pytest.mark.slow
def test_report_files_read_as_the_data_says(built, expected):
    out = built / "build" / "2023"
    paragraphs, rows = _docx(out / f"{REPORT}.docx")
    assert paragraphs[:2] == ["中共鄂州市委政法委员会", "2023年度项目支出绩效自评报告"]
    assert expected.totals in paragraphs
    # The project table: one row per project as the data says, then 合计.
    assert rows[0] == ["序号", "项目名称", "项目实施单位", "预算数", "执行数", "执行率"]
    for n, p in enumerate(expected.projects, start=1):
        assert rows[n] == [str(n), p["项目名称"], p["项目实施单位"], p["预算数"], p["执行数"],
                           expected.rates[p["项目名称"]]]
    assert rows[-1][3:] == [str(expected.planned), str(expected.spent), expected.rate]
    for p in expected.below:
        assert any(t.startswith(f"{p['项目名称']}：执行率{expected.rates[p['项目名称']]}。") for t in paragraphs)

    pages = page_texts((out / f"{REPORT}.pdf").read_bytes())
    whole = squash("".join(pages))
    assert squash(expected.totals) in whole
    for p in expected.below:
        assert squash(f"{p['项目名称']}：执行率{expected.rates[p['项目名称']]}。{_lines(p['偏差原因分析'])[0]}") in whole
    for p in expected.projects:
        for line in _lines(p["改进措施"]):
            assert squash(line) in whole
    # 公文 page numbers at each foot.
    assert [squash(t).endswith(f"—{n}—") for n, t in enumerate(pages, start=1)] == [True] * len(pages)


@pytest.mark.slow
def test_report_same_bytes_and_rebuilt_only_when_its_inputs_change(built, tmp_path):
    again = tmp_path / "again"
    shutil.copytree(SEED, again / "data" / "2023")
    assert annex(again, "build", "--jobs", "1").exit_code == 0
    for fmt in ("docx", "pdf"):
        assert (again / "build" / "2023" / f"{REPORT}.{fmt}").read_bytes() == \
            (built / "build" / "2023" / f"{REPORT}.{fmt}").read_bytes()

    work = private_copy(built, tmp_path / "work")
    out = work / "build" / "2023"
    files = [out / f"{REPORT}.{fmt}" for fmt in ("docx", "pdf")]
    before = [(p.stat().st_ino, p.stat().st_mtime_ns) for p in files]
    assert annex(work, "build").exit_code == 0
    assert [(p.stat().st_ino, p.stat().st_mtime_ns) for p in files] == before  # nothing changed: not rendered

    # A change the report does not print (the 填报日期 is printed; a table's title is not): kept.
    project = work / "data" / "2023" / "projects" / "08-市法学会.yaml"
    text = project.read_text(encoding="utf-8")
    assert "表名: 市法学会经费\n" in text
    project.write_text(text.replace("表名: 市法学会经费\n", "表名: 市法学会工作经费\n"), encoding="utf-8")
    assert annex(work, "build").exit_code == 0
    assert [(p.stat().st_ino, p.stat().st_mtime_ns) for p in files] == before

    # One project's 改进措施: the report is rendered again and says the new text.
    old = files[0].read_bytes(), files[1].read_bytes()
    project.write_text(project.read_text(encoding="utf-8").replace(
        "2. 开展实地调研", "2. 建成三个法治文化示范点，开展实地调研"), encoding="utf-8")
    result = annex(work, "build")
    assert result.exit_code == 0, result.output
    assert files[0].read_bytes() != old[0] and files[1].read_bytes() != old[1]
    paragraphs, _ = _docx(files[0])
    assert "2. 建成三个法治文化示范点，开展实地调研，加强农村法治文化建设工作力度，使资源配置更合理。" in paragraphs
    assert "建成三个法治文化示范点" in squash("".join(page_texts(files[1].read_bytes())))
    manifest = (work / "build" / "archive" / "2023" / "v003" / "manifest.json").read_text(encoding="utf-8")
    assert f"{REPORT}.pdf" in manifest  # archived like every output


@pytest.mark.slow
@pytest.mark.soffice
def test_libreoffice_opens_the_report(built, tmp_path):
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice is not installed (make soffice)")
    src = built / "build" / "2023" / f"{REPORT}.docx"
    shutil.copy(src, tmp_path / "report.docx")
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(tmp_path / "report.docx")],
                   check=True, capture_output=True, timeout=300)
    pages = page_texts((tmp_path / "report.pdf").read_bytes())
    whole = squash("".join(pages))
    assert squash("一、基本情况") in whole and squash("五、结果应用") in whole
    assert "1344.9098" in whole and "66.58%" in whole
    assert [squash(t).endswith(f"—{n}—") for n, t in enumerate(pages, start=1)] == [True] * len(pages)


@pytest.mark.slow
def test_report_pdf_same_bytes_and_readable():
    # pypdf reads WeasyPrint's CJK text back (the helper the tests above rely on).
    from pipeline.render.pdf.render import render_report_pdf

    report = _report(ROOT / "templates" / "national-2020" / "example" / "2023")
    result = check_year(ROOT / "templates" / "national-2020" / "example" / "2023")
    data = render_report_pdf(report, result.input.variant)
    assert "一、基本情况" in squash("".join(page_texts(data)))
    assert data == render_report_pdf(report, result.input.variant)
