"""Catalogue: the frame of every import report (where an issue is, the failure line, the summary).

Keys start with ``import.``; the messages themselves live in one module per reader
(``imports_tables``, ``imports_facilities``, ``imports_population``, ``imports_towns``).
"""

from __future__ import annotations

from coverage.i18n.rows import phrased, row_phrase

MESSAGES: dict[str, tuple[str, str]] = {
    "import.where.row": phrased("，{where}", ", {where}", where=row_phrase("{row}")),
    "import.where.column": ("，列 {column}", ", column {column}"),
    # counts inside a list of named items (coverage.io.report.value_text)
    "import.count.cells": ("{n} 个单元格", "{n} cells"),
    "import.count.cells_one": ("{n} 个单元格", "{n} cell"),
    "import.count.features": ("{n} 个要素", "{n} features"),
    "import.count.features_one": ("{n} 个要素", "{n} feature"),
    "import.where.issue": ("{where}：{message}", "{where}: {message}"),
    "import.cannot_import.one": ("无法导入 {file}：{n} 处错误", "cannot import {file}: {n} error"),
    "import.cannot_import.many": ("无法导入 {file}：{n} 处错误", "cannot import {file}: {n} errors"),
    "import.summary": (
        "{file} → {layer}：读取 {read} 行，导入 {imported} 行，错误 {errors} 处，警告 {warnings} 处",
        "{file} → {layer}: {read} rows read, {imported} imported, {errors} errors, {warnings} warnings",
    ),
    "import.severity.error": ("错误", "ERROR"),
    "import.severity.warning": ("警告", "WARNING"),
    "import.severity.info": ("说明", "note"),
}
