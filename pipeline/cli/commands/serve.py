"""annex serve: the web pages, for clerks with only a browser (pipeline/serve/)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from pipeline.cli.options import BadOption
from pipeline.cli.output import say

RootOpt = Annotated[Path, typer.Option("--root", help="服务器的文件夹：其中 annex.db 存账户、会话、任务和日志，每个工作区一个子文件夹。",
                                       show_default=True, metavar="文件夹")]
DEFAULT_ROOT = Path("workspaces")


def serve(
    root: RootOpt = DEFAULT_ROOT,
    host: Annotated[str, typer.Option("--host", help="监听的地址；让办公室局域网访问用 0.0.0.0。", show_default=True,
                                      metavar="地址")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="端口。", show_default=True, metavar="端口")] = 8000,
    cert: Annotated[Optional[Path], typer.Option("--cert", help="HTTPS 证书文件（PEM）；与 --key 一起使用。",
                                                 show_default=False, metavar="文件")] = None,
    key: Annotated[Optional[Path], typer.Option("--key", help="HTTPS 私钥文件（PEM）。", show_default=False,
                                                metavar="文件")] = None,
) -> None:
    """启动网页服务：同事用浏览器上传工作簿、检查、生成和下载，不用安装任何软件。"""
    import uvicorn

    from pipeline.serve.app import create_app
    from pipeline.serve.db import Database
    from pipeline.serve.settings import Settings

    if (cert is None) != (key is None):
        raise BadOption("serve-cert-and-key")
    settings = Settings(root)
    root.mkdir(parents=True, exist_ok=True)
    if not Database(settings.db_path).accounts():
        say(f"还没有账户。请在另一个终端运行：.venv/bin/annex user add 用户名 --workspace 工作区名 --root {root}", "yellow")
    scheme = "https" if cert else "http"
    say(f"annex 网页服务：{scheme}://{host}:{port}/ （Ctrl-C 停止）", "green")
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info", proxy_headers=True,
                ssl_certfile=str(cert) if cert else None, ssl_keyfile=str(key) if key else None)
