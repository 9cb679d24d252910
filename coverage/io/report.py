"""Import reports: what was read, what was fixed, what is wrong — row by row."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd

from coverage.errors import DataImportError

__all__ = ["Issue", "ImportReport", "DataImportError", "file_error"]

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Issue:
    """One finding about an input file.

    Parameters
    ----------
    file : str
        File name as given by the user (base name).
    row : int or None
        Row as the user sees it: the spreadsheet / CSV line number counting the header
        line (and any title rows above it) for tables, the 1-based feature number for
        vector files; None for file-level findings.
    column : str or None
        Column name exactly as written in the file's header.
    message : str
        What is wrong and, for warnings, what was done about it.
    severity : {"error", "warning", "info"}
    """

    file: str
    row: int | None
    column: str | None
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column {self.column}"
        return f"{where}: {self.message}"


@dataclass
class ImportReport:
    """Outcome of reading one user file.

    Attributes
    ----------
    file : str
        Base name of the file read.
    layer : str
        What was imported: a facility layer id, ``"towns"`` or ``"population"``.
    rows_read : int
        Data rows (or features / raster cells with a value) found in the file.
    rows_imported : int
        Rows in the returned table.
    issues : list of Issue
        Errors, warnings and notes in the order found.
    """

    file: str
    layer: str
    rows_read: int = 0
    rows_imported: int = 0
    issues: list[Issue] = field(default_factory=list)

    # -- recording ------------------------------------------------------------------
    def error(self, message: str, row: int | None = None, column: str | None = None) -> None:
        """Record an error (the import will fail)."""
        self.issues.append(Issue(self.file, row, column, message, "error"))

    def warn(self, message: str, row: int | None = None, column: str | None = None) -> None:
        """Record a warning (the import succeeds; the user should look)."""
        self.issues.append(Issue(self.file, row, column, message, "warning"))

    def note(self, message: str, row: int | None = None, column: str | None = None) -> None:
        """Record an informational note (e.g. the conversion applied)."""
        self.issues.append(Issue(self.file, row, column, message, "info"))

    # -- views ----------------------------------------------------------------------
    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]

    @property
    def notes(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "info"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_frame(self) -> pd.DataFrame:
        """Issues as a table: ``file, row, column, severity, message`` (row is nullable Int64)."""
        df = pd.DataFrame(
            [(i.file, i.row, i.column, i.severity, i.message) for i in self.issues],
            columns=["file", "row", "column", "severity", "message"],
        )
        df["row"] = df["row"].astype("Int64")
        return df

    def raise_if_errors(self) -> None:
        """Raise :class:`DataImportError` listing every error, if there is any."""
        if self.errors:
            raise DataImportError(self)

    def __str__(self) -> str:
        head = (
            f"{self.file} → {self.layer}: {self.rows_read} rows read, "
            f"{self.rows_imported} imported, {len(self.errors)} errors, "
            f"{len(self.warnings)} warnings"
        )
        lines = [head]
        for sev, label in (("error", "ERROR"), ("warning", "WARNING"), ("info", "note")):
            lines += [f"  {label}: {i}" for i in self.issues if i.severity == sev]
        return "\n".join(lines)


def file_error(
    file: str | Path,
    message: str,
    *,
    row: int | None = None,
    column: str | None = None,
    layer: str = "?",
    report: "ImportReport | None" = None,
) -> DataImportError:
    """A :class:`DataImportError` for one problem in ``file`` (to ``raise``).

    Parameters
    ----------
    file : path-like
        The file (its base name is shown).
    message : str
        What is wrong.
    row, column : optional
        Where, as the user sees it (see :class:`Issue`).
    layer : str
        What was being imported.
    report : ImportReport, optional
        Add the error to this report (keeping its warnings) instead of a new one.
    """
    if report is None:
        report = ImportReport(file=Path(file).name, layer=layer)
    report.error(message, row=row, column=column)
    return DataImportError(report)
