"""Import reports: what was read, what was fixed, what is wrong — row by row."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from coverage.errors import DataImportError
from coverage.i18n import STRINGS, t

__all__ = ["Issue", "ImportReport", "DataImportError", "file_error", "value_text", "COUNTS"]

Severity = Literal["error", "warning", "info"]


#: Counts a named item of a list value may carry (see :func:`value_text`), each worded by the
#: catalogue keys ``import.count.<name>`` and ``import.count.<name>_one``.
COUNTS = ("cells", "features")


def value_text(value: Any, lang: str = "en") -> Any:
    """An issue value as it is shown in ``lang``: a structured list worded, anything else as is.

    Two kinds of list are worded when the message is shown, not when it is made:

    * **places** — dicts with ``code``, names ``zh`` / ``en`` (the Chinese where English is
      missing) and optionally ``share``, a language-neutral text in brackets:
      ``440703 Pengjiang District (10.1%), 440781 Taishan City`` / ``440703 蓬江区（10.1%）、440781 台山市``;
    * **counted items** — dicts with ``name`` and one count of :data:`COUNTS`:
      ``'Sheet2' (3 cells), 'notes' (1 cell)`` / ``'Sheet2'（3 个单元格）、…``.
    """
    if not (isinstance(value, (list, tuple)) and value and all(isinstance(v, Mapping) for v in value)):
        return value
    parts = []
    if all("code" in v for v in value):
        for place in value:
            text = f"{place['code']} {place.get(lang) or place.get('zh') or ''}".strip()
            share = place.get("share")
            parts.append((f"{text}（{share}）" if lang == "zh" else f"{text} ({share})") if share else text)
    elif all("name" in v and any(k in v for k in COUNTS) for v in value):
        for item in value:
            kind = next(k for k in COUNTS if k in item)
            n = int(item[kind])
            count = t(f"import.count.{kind}{'_one' if n == 1 else ''}", lang, n=n)
            parts.append(f"{item['name']!r}（{count}）" if lang == "zh" else f"{item['name']!r} ({count})")
    else:
        return value
    return ("、" if lang == "zh" else ", ").join(parts)


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
    code : str
        What is wrong (and, for warnings, what was done about it) as a catalogue key of
        :mod:`coverage.i18n` (``import.<area>.<name>``); the words come from the catalogue.
    values : mapping
        The values the message is formatted with (counts, column names, CRS ids ...).
    severity : {"error", "warning", "info"}
    """

    file: str
    row: int | None
    column: str | None
    code: str
    values: Mapping[str, Any] = field(default_factory=dict)
    severity: Severity = "error"

    def text(self, lang: str = "en") -> str:
        """The message in ``lang`` (``"zh"`` or ``"en"``), from the catalogue.

        A value whose name ends in ``_key`` and holds a catalogue key is itself worded in
        ``lang`` first (formatted with the issue's other values): a phrase the library chose,
        e.g. ``area_key="import.tables.area.city_boundary"`` for ``outside {area_key}``.
        A structured list (places, counted items: :func:`value_text`) is worded in ``lang``.
        """
        if self.code not in STRINGS:      # a report saved before messages had codes: its literal text
            return self.code
        values = {k: value_text(v, lang) for k, v in self.values.items()}
        keyed = [k for k, v in values.items() if k.endswith("_key") and isinstance(v, str) and v in STRINGS]
        if keyed:
            plain = {k: v for k, v in values.items() if k not in keyed}
            values.update({k: t(values[k], lang).format(**plain) for k in keyed})
        # always formatted, so a value missing from a (saved, edited) report raises instead of
        # showing the bare template
        return t(self.code, lang).format(**values)

    @property
    def message(self) -> str:
        """The message in English (logs, exceptions, the CLI); :meth:`text` for another language."""
        return self.text("en")

    def location(self, lang: str = "en") -> str:
        """``file, row R, column C`` (``file，第 R 行，列 C`` in Chinese)."""
        where = self.file
        if self.row is not None:
            where += t("import.where.row", lang, row=self.row)
        if self.column is not None:
            where += t("import.where.column", lang, column=self.column)
        return where

    def describe(self, lang: str = "en") -> str:
        """Location and message in ``lang``: ``file, row R, column C: message``."""
        return t("import.where.issue", lang, where=self.location(lang), message=self.text(lang))

    def __str__(self) -> str:
        return self.describe("en")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Issue":
        """An issue from its saved JSON form (``dataclasses.asdict``); a report saved before
        messages had codes keeps its literal ``message``."""
        code = data["code"] if "code" in data else data["message"]
        values = data.get("values") or {}
        if not isinstance(values, Mapping):
            raise TypeError("issue values must be a mapping")
        severity = data.get("severity", "error")
        if severity not in ("error", "warning", "info"):
            raise ValueError(f"issue severity must be error, warning or info; got {severity!r}")
        row = data.get("row")
        if row is not None:
            if isinstance(row, bool) or not isinstance(row, (int, float, str)) or not str(row).strip().isdigit():
                raise ValueError(f"issue row must be a whole number or empty; got {row!r}")
            row = int(str(row).strip())
        column = data.get("column")
        return cls(str(data["file"]), row, None if column is None else str(column), str(code), dict(values),
                   severity)


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
    def error(self, code: str, /, row: int | None = None, column: str | None = None, **values: Any) -> None:
        """Record an error (the import will fail): ``code`` is a catalogue key, ``values`` fill its placeholders."""
        self._add(code, row, column, values, "error")

    def warn(self, code: str, /, row: int | None = None, column: str | None = None, **values: Any) -> None:
        """Record a warning (the import succeeds; the user should look): ``code`` is a catalogue key, ``values`` fill its placeholders."""
        self._add(code, row, column, values, "warning")

    def note(self, code: str, /, row: int | None = None, column: str | None = None, **values: Any) -> None:
        """Record an informational note (e.g. the conversion applied): ``code`` is a catalogue key, ``values`` fill its placeholders."""
        self._add(code, row, column, values, "info")

    def _add(self, code: str, row: int | None, column: str | None, values: dict[str, Any], severity: Severity) -> None:
        if code not in STRINGS:
            raise KeyError(f"import-report code {code!r} is not in the catalogue (coverage/i18n/imports*.py)")
        self.issues.append(Issue(self.file, row, column, code, values, severity))

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

    def to_frame(self, lang: str = "en") -> pd.DataFrame:
        """Issues as a table: ``file, row, column, severity, message, code`` (row is nullable Int64;
        the message in ``lang``, the code its catalogue key)."""
        df = pd.DataFrame(
            [(i.file, i.row, i.column, i.severity, i.text(lang), i.code) for i in self.issues],
            columns=["file", "row", "column", "severity", "message", "code"],
        )
        df["row"] = df["row"].astype("Int64")
        return df

    def raise_if_errors(self) -> None:
        """Raise :class:`DataImportError` listing every error, if there is any."""
        if self.errors:
            raise DataImportError(self)

    def failure_text(self, lang: str = "en") -> str:
        """``cannot import FILE: n error(s)`` and one line per error (by row), in ``lang``."""
        errors = sorted(self.errors, key=lambda e: -1 if e.row is None else e.row)
        key = "import.cannot_import.one" if len(errors) == 1 else "import.cannot_import.many"
        head = t(key, lang, file=self.file, n=len(errors))
        return "\n".join([head] + [f"  {e.describe(lang)}" for e in errors])

    def summary(self, lang: str = "en") -> str:
        """The whole report in ``lang``: counts, then every error, warning and note."""
        head = t("import.summary", lang, file=self.file, layer=self.layer, read=self.rows_read,
                 imported=self.rows_imported, errors=len(self.errors), warnings=len(self.warnings))
        lines = [head]
        for sev in ("error", "warning", "info"):
            label = t(f"import.severity.{sev}", lang)
            lines += [f"  {label}: {i.describe(lang)}" for i in self.issues if i.severity == sev]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary("en")


def file_error(
    file: str | Path,
    code: str,
    /,
    *,
    row: int | None = None,
    column: str | None = None,
    layer: str = "?",
    report: "ImportReport | None" = None,
    **values: Any,
) -> DataImportError:
    """A :class:`DataImportError` for one problem in ``file`` (to ``raise``).

    Parameters
    ----------
    file : path-like
        The file (its base name is shown).
    code : str
        What is wrong: a catalogue key (see :class:`Issue`); ``values`` fill it.
    row, column : optional
        Where, as the user sees it (see :class:`Issue`).
    layer : str
        What was being imported.
    report : ImportReport, optional
        Add the error to this report (keeping its warnings) instead of a new one.
    """
    if report is None:
        report = ImportReport(file=Path(file).name, layer=layer)
    report.error(code, row=row, column=column, **values)
    return DataImportError(report)
