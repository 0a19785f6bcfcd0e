"""`annex check` and `annex schema` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from pipeline.cli import app
from scenarios import make_year

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def test_check_seed_passes_with_warnings(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 0, result.output
    assert "data/2023：11 个项目，0 个错误，9 个警告" in result.output


def test_check_strict_fails_on_warnings(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = runner.invoke(app, ["check", "--strict"])
    assert result.exit_code == 1
    assert "9 个错误" in result.output


def test_check_json_lists_located_records(tmp_path, monkeypatch):
    make_year(tmp_path, "budget-zero.project.yaml", "date-invalid.department.yaml")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["check", "--json", "--year", "2024"])
    assert result.exit_code == 1
    doc = json.loads(result.output)
    assert doc["errors"] == 2
    assert {(i["code"], i["file"], i["line"], i["field"]) for i in doc["issues"]} == {
        ("budget-not-positive", "data/2024/projects/01-示例项目.yaml", 6, "预算数"),
        ("date-invalid", "data/2024/department.yaml", 3, "填报日期"),
    }


def test_check_reports_errors_without_traceback(tmp_path, monkeypatch):
    make_year(tmp_path, "binary-file.project.yaml")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "file-encoding" in result.output and "1 个错误" in result.output


def test_missing_year_says_what_exists(tmp_path, monkeypatch):
    make_year(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["check", "--year", "2019"])
    assert result.exit_code == 1
    assert "现有年度：2024" in result.output


def test_the_latest_year_folder_is_checked_and_others_are_not_years(tmp_path, monkeypatch):
    year = make_year(tmp_path)
    (tmp_path / "data" / "2023").mkdir()  # an older, empty year: not the one checked
    (tmp_path / "data" / "20250").mkdir()  # five digits: not a year folder
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 0, result.output
    assert "data/2024：1 个项目" in result.output
    missing = runner.invoke(app, ["check", "--year", "2019"])
    assert "现有年度：2023、2024" in missing.output


def test_data_folder_without_years_or_missing_says_so(tmp_path, monkeypatch):
    (tmp_path / "data" / "草稿").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    empty = runner.invoke(app, ["check"])
    assert empty.exit_code == 1 and "data 里没有年度文件夹" in empty.output
    absent = runner.invoke(app, ["check", "--data", "数据"])
    assert absent.exit_code == 1 and "找不到数据文件夹 数据" in absent.output
    assert "Traceback" not in empty.output + absent.output


def test_schema_file_in_data_is_current():
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.output) == json.loads((ROOT / "data" / "project.schema.json").read_text(encoding="utf-8"))
    assert "项目名称" in json.loads(result.output)["required"]
