"""首页, 上传 (a workbook, or a Word file to import), 检查结果 and its marked workbook,
下载空白工作簿 and 开始新年度: the data side, on the user's own workspace only."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from pipeline.errors import Abort
from pipeline.serve import uploads
from pipeline.serve.web import NotFound, User, action, download, page, render, server, year_of
from pipeline.serve.workspace import WORKBOOK_NAME, year_status

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
INCOMING = ".incoming"  # under uploads/: a file being received


class Refused(Abort):
    """The form asks for something that cannot be done (its message says what to do)."""


def _form_year(text: object) -> int:
    text = str(text or "").strip()
    if not (text.isdigit() and len(text) == 4 and 2000 <= int(text) <= 2099):
        raise Refused("form-year")
    return int(text)


@page
async def home(request: Request, user: User) -> Response:
    srv = server(request)
    years = await run_in_threadpool(lambda: [year_status(user.ws, y, srv.checks) for y in user.ws.years()])
    next_year = (max(user.ws.years()) + 1) if user.ws.years() else dt.date.today().year - 1
    return render(request, "home.html", user=user, title="首页", years=years, next_year=next_year)


@page
async def upload_form(request: Request, user: User) -> Response:
    years = user.ws.years()
    return render(request, "upload.html", user=user, title="上传", year=years[-1] if years else dt.date.today().year - 1)


@action(files=True)
async def upload(request: Request, user: User, form) -> Response:
    srv = server(request)
    year = _form_year(form.get("year"))
    file = form.get("file")
    if not isinstance(file, UploadFile):
        raise Refused("form-no-file")
    if srv.db.active_job(user.ws.name) is not None:
        raise Refused("form-busy-upload")

    def receive() -> tuple[str, Path]:
        tmp = uploads.receive(iter(lambda: file.file.read(1 << 20), b""), user.ws.uploads / INCOMING)
        try:
            return uploads.kind_of(tmp), tmp
        except BaseException:
            tmp.unlink()
            raise

    kind, tmp = await run_in_threadpool(receive)
    if kind == uploads.DOCX:
        token = uploads.stash_docx(user.ws, tmp)
        srv.audit(request, user.name, user.ws.name, "upload-docx", f"{year} {token}")
        return RedirectResponse(f"/import/{token}?year={year}", status_code=303)
    placed = await run_in_threadpool(uploads.place_workbook, user.ws, year, tmp)
    srv.audit(request, user.name, user.ws.name, "upload-workbook",
              f"{year}" + (f" previous kept as {placed.previous.name}" if placed.previous else ""))
    return RedirectResponse(f"/years/{year}/check", status_code=303)


def _import_preview(user: User, path: Path, year: int | None):
    from pipeline.input.word import import_documents

    result = import_documents([path], year, display=lambda _p: "上传的 Word 文件")
    year = result.year if year is None else year
    targets = []
    if year is not None:
        year_dir = user.ws.year_dir(year)
        names = ["department.yaml"] + [f"projects/{stem}.yaml" for stem, _ in result.projects]
        targets = [(n, (year_dir / n).exists()) for n in names]
    return result, year, targets


@page
async def import_preview(request: Request, user: User) -> Response:
    path = uploads.pending_docx(user.ws, request.path_params["token"])
    if path is None:
        raise NotFound
    asked = request.query_params.get("year")
    year = _form_year(asked) if asked else None
    result, year, targets = await run_in_threadpool(_import_preview, user, path, year)
    existing = [n for n, there in targets if there]
    return render(request, "import.html", user=user, title="导入 Word", result=result, year=year, targets=targets,
                  existing=existing, token=request.path_params["token"],
                  has_data=year is not None and user.ws.has_year(year))


@action
async def import_confirm(request: Request, user: User, form) -> Response:
    from pipeline.write.data_folder import write_year

    srv = server(request)
    path = uploads.pending_docx(user.ws, form.get("token"))
    if path is None:
        raise NotFound
    year = _form_year(form.get("year"))
    replace = form.get("replace") == "1"
    if srv.db.active_job(user.ws.name) is not None:
        raise Refused("form-busy-import")
    result, year, targets = await run_in_threadpool(_import_preview, user, path, year)
    if not result.projects:
        raise Refused("form-import-nothing")
    has_data = user.ws.has_year(year) and any(user.ws.year_dir(year).iterdir())
    if has_data and not replace:
        raise Refused("form-import-has-data", year=year)
    written = await run_in_threadpool(write_year, user.ws.year_dir(year), result.department, result.projects, replace)
    path.unlink()
    srv.audit(request, user.name, user.ws.name, "import-docx",
              f"{year} written {len(written.written)} replaced {len(written.replaced)}")
    return RedirectResponse(f"/years/{year}/check", status_code=303)


@action
async def new_year(request: Request, user: User, form) -> Response:
    from pipeline.write.new_year import start_year

    srv = server(request)
    year = _form_year(form.get("year"))
    if user.ws.has_year(year) or os.path.lexists(user.ws.year_dir(year)):
        raise Refused("form-year-exists", year=year)
    if not any(y < year for y in user.ws.years()):
        raise Refused("form-year-no-source", year=year)
    await run_in_threadpool(start_year, user.ws.data, year)
    srv.audit(request, user.name, user.ws.name, "new-year", str(year))
    return RedirectResponse(f"/years/{year}/check", status_code=303)


@page
async def export(request: Request, user: User) -> Response:
    """下载空白工作簿: the year's data as a workbook (`annex export`); a year not begun yet gives
    a blank one. Written to a private temporary file, never into the workspace."""
    from pipeline.write.workbook import export_year

    year = _form_year(request.query_params.get("year"))

    def made() -> bytes:
        with tempfile.TemporaryDirectory(prefix="annex-export-") as tmp:
            out = Path(tmp) / "book.xlsx"
            export_year(user.ws.year_dir(year), out, force=True, base=user.ws.root)
            return out.read_bytes()

    data = await run_in_threadpool(made)
    server(request).audit(request, user.name, user.ws.name, "download", f"export {year}")
    return download(data, f"自评数据-{year}.xlsx", XLSX_TYPE)


def _workbook(user: User, year: int) -> Path | None:
    path = user.ws.year_dir(year) / WORKBOOK_NAME
    return path if path.is_file() and not path.is_symlink() else None


@page
async def check(request: Request, user: User) -> Response:
    from pipeline.problems.report import SEVERITY_LABEL, summary_line, what, where

    year = year_of(user, request.path_params["year"])
    result = await run_in_threadpool(server(request).checks.check, user.ws, year)
    # errors first, each kind in file and cell order; notes (a 得分 the scoring rules computed) last
    problems = result.errors + result.warnings + result.issues.notes
    rows = [{"where": (i.cell or where(i)), "file": i.file, "kind": SEVERITY_LABEL[i.severity],
             "severity": i.severity, "what": what(i), "code": i.code} for i in problems]
    count = summary_line(f"data/{year}", len(result.input.projects), len(result.errors), len(result.warnings),
                         len(result.accepted), len(result.issues.notes))
    return render(request, "check.html", user=user, title=f"{year} 年度检查结果", year=year, rows=rows, count=count,
                  errors=len(result.errors), workbook=_workbook(user, year) is not None)


@page
async def marked(request: Request, user: User) -> Response:
    from pipeline.write.marked import mark_workbook, marked_name

    year = year_of(user, request.path_params["year"])
    path = _workbook(user, year)
    if path is None:
        raise NotFound
    srv = server(request)

    def made() -> bytes:
        result = srv.checks.check(user.ws, year)
        return mark_workbook(path, result.issues, f"data/{year}/{WORKBOOK_NAME}").data

    data = await run_in_threadpool(made)
    srv.audit(request, user.name, user.ws.name, "download", f"marked {year}")
    return download(data, marked_name(path), XLSX_TYPE)

