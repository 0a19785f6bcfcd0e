"""The `annex` command line (pyproject's `annex = "pipeline.cli:app"`): the app is in app.py,
each command in commands/, the options they share in options.py, the Chinese help chrome in zh.py."""

from pipeline.cli.app import app

__all__ = ["app"]
