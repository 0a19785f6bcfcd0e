"""annex: 项目支出绩效自评表 bundles from structured data."""

__version__ = "0.1.0"
