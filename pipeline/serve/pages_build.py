"""生成 (with its progress), the downloads of a version, 历史版本, 比较 and 核对归档: the build side,
on the user's own workspace only. Downloads are read from the archive, so what is downloaded is
what was issued: the same bytes as the version's manifest records."""

from __future__ import annotations

import io
import zipfile

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from pipeline import archive
from pipeline.archive.describe import change_summary, local_time
from pipeline.files.read import read_regular
from pipeline.serve.db import ACTIVE, DONE
from pipeline.serve.web import NotFound, User, action, download, page, render, server, year_of

MAX_NOTE = 200
MAX_OUTPUT_BYTES = 1024 * 1024 * 1024
# What a version offers to download: the label (the spec's), the file's suffix, its media type.
KINDS = {
    "docx": ("下载 Word 汇编", ".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "pdf": ("下载 PDF 汇编", ".pdf", "application/pdf"),
    "summary": ("下载汇总表", ".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    # The 自评报告 draft beside the bundles (templates/<variant>/report.yaml names it …（初稿）).
    "report-docx": ("下载自评报告初稿（Word）", "（初稿）.docx",
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "report-pdf": ("下载自评报告初稿（PDF）", "（初稿）.pdf", "application/pdf"),
}


def _versions(user: User, year: int) -> list[archive.Version]:
    return [v for _, _, v in archive.read_versions(archive.archive_dir(user.ws.out, year)) if v is not None]


def _version(user: User, year: int, name: str) -> archive.Version:
    number = archive.parse_version(name) if isinstance(name, str) and len(name) < 10 else None
    for v in _versions(user, year):
        if v.number == number:
            return v
    raise NotFound


def bundle_files(v: archive.Version) -> dict[str, str]:
    """kind -> the bundle's path inside the version's outputs (the top-level files, by suffix)."""
    found = {}
    for rel in sorted(v.manifest.outputs):
        if "/" in rel:
            continue
        # The longest suffix first: the report's …（初稿）.docx is not the Word bundle.
        for kind, (_, suffix, _) in sorted(KINDS.items(), key=lambda k: -len(k[1][1])):
            if rel.lower().endswith(suffix):
                found.setdefault(kind, rel)
                break
    return found


def _links(year: int, v: archive.Version) -> list[tuple[str, str]]:
    files = bundle_files(v)
    links = [(KINDS[k][0], f"/years/{year}/versions/{v.name}/{k}") for k in KINDS if k in files]
    return links + [("下载全部（zip）", f"/years/{year}/versions/{v.name}/zip")]


@page
async def build_form(request: Request, user: User) -> Response:
    year = year_of(user, request.path_params["year"])
    srv = server(request)
    job = srv.db.last_job(user.ws.name, year)
    return render(request, "build.html", user=user, title=f"{year} 年度生成", year=year, job=job)


@action
async def build(request: Request, user: User, form) -> Response:
    year = year_of(user, form.get("year"))
    note = str(form.get("note", "")).strip()[:MAX_NOTE]
    srv = server(request)
    job = srv.jobs.submit(user.ws, year, user.name, note)
    srv.audit(request, user.name, user.ws.name, "build", f"{year} job {job.id}")
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


def _job(request: Request, user: User):
    job = server(request).db.job(str(request.path_params["job"]), user.ws.name)
    if job is None:
        raise NotFound
    return job


@page
async def job_page(request: Request, user: User) -> Response:
    job = _job(request, user)
    srv = server(request)
    progress = srv.jobs.progress.get(job.id)
    links, version = [], None
    if job.state == DONE and job.version:
        try:
            version = _version(user, job.year, job.version)
            links = _links(job.year, version)
        except NotFound:
            pass
    return render(request, "job.html", user=user, title=f"{job.year} 年度生成", job=job, progress=progress,
                  active=job.state in ACTIVE, links=links, version=version)


@page
async def job_progress(request: Request, user: User) -> Response:
    job = _job(request, user)
    p = server(request).jobs.progress.get(job.id)
    return JSONResponse({"state": job.state, "phase": p.phase if p else "", "total": p.total if p else 0,
                         "done": p.done if p else 0})


def _read_output(v: archive.Version, rel: str) -> bytes:
    return read_regular(v.path / archive.OUTPUTS / rel, MAX_OUTPUT_BYTES)


@page
async def version_file(request: Request, user: User) -> Response:
    year = year_of(user, request.path_params["year"])
    v = _version(user, year, request.path_params["version"])
    kind = request.path_params["kind"]
    srv = server(request)
    if kind == "zip":
        def zipped() -> bytes:
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
                for rel in sorted(v.manifest.outputs):
                    z.writestr(zipfile.ZipInfo(rel, date_time=(2000, 1, 1, 0, 0, 0)), _read_output(v, rel),
                               zipfile.ZIP_DEFLATED)
            return buf.getvalue()

        data = await run_in_threadpool(zipped)
        name, media = f"{v.manifest.bundle_title or year}-{v.name}.zip", "application/zip"
    else:
        rel = bundle_files(v).get(kind)
        if rel is None:
            raise NotFound
        data = await run_in_threadpool(_read_output, v, rel)
        name, media = rel, KINDS[kind][2]
    srv.audit(request, user.name, user.ws.name, "download", f"{year} {v.name} {kind}")
    return download(data, name, media)


@page
async def history(request: Request, user: User) -> Response:
    year = year_of(user, request.path_params["year"])
    versions = await run_in_threadpool(_versions, user, year)
    rows = [{"name": v.name, "time": local_time(v.manifest.created), "note": v.manifest.note,
             "made_by": v.manifest.made_by or "（命令行）", "changed": change_summary(v), "links": _links(year, v)}
            for v in reversed(versions)]
    return render(request, "history.html", user=user, title=f"{year} 年度历史版本", year=year, rows=rows,
                  names=[v.name for v in versions])


def _diff(user: User, year: int, a: archive.Version, b: archive.Version) -> list[str]:
    from pipeline.archive.datadiff import change_text, diff_bundles, project_line
    from pipeline.build.front import check_year

    bundles = []
    for v in (a, b):
        result = check_year(v.data_dir, base=v.path)
        if result.bundle is None:
            return [f"{v.name} 存档的数据在当前版本的 annex 下有 {len(result.errors)} 个错误，无法比较"]
        bundles.append(result.bundle)
    d = diff_bundles(*bundles)
    lines = [f"全部表 · {change_text(c)}" for c in d.common]
    lines += [f"新增项目：{k}" for k in d.added] + [f"删除项目：{k}" for k in d.removed]
    lines += [project_line(c) for c in d.changed]
    if a.manifest.templates != b.manifest.templates:
        lines.append("表样模板有变化（输出的版式可能不同）")
    return lines or ["两个版本的数据没有字段上的差别。"]


@page
async def diff(request: Request, user: User) -> Response:
    year = year_of(user, request.path_params["year"])
    a = _version(user, year, request.query_params.get("a", ""))
    b = _version(user, year, request.query_params.get("b", ""))
    lines = await run_in_threadpool(_diff, user, year, a, b)
    return render(request, "diff.html", user=user, title=f"{year} 年度 {a.name} → {b.name}", year=year, a=a.name,
                  b=b.name, lines=lines)


@page
async def verify(request: Request, user: User) -> Response:
    year = year_of(user, request.path_params["year"])
    report = await run_in_threadpool(archive.verify_year, user.ws.out, year)
    return render(request, "verify.html", user=user, title=f"{year} 年度核对归档", year=year, report=report)
