"""Every error the library raises on purpose: one base, :class:`CoverageError`, and named subclasses.

The CLI and the app catch :class:`CoverageError` (and only it) to show a user-facing message; any
other exception is a bug and keeps its traceback. Errors about user input also subclass
:class:`ValueError`, so ``except ValueError`` keeps working for callers that predate this module.

This module is a leaf: it imports nothing from :mod:`coverage`.
"""

from __future__ import annotations

__all__ = [
    "CoverageError",
    "InputError",
    "InputLimitError",
    "DataImportError",
    "StandardsError",
    "OptionError",
    "NetworkError",
    "SitingError",
    "UnreachableTargetError",
    "CapacityError",
    "ExportError",
    "WorkspaceError",
    "WorkspaceConflictError",
    "WorkspaceReadOnlyError",
    "WorkspaceDamagedError",
    "BasemapError",
]


class CoverageError(Exception):
    """Base of every error the library raises on purpose (a message a planner can act on).

    ``str(error)`` is the English message. ``code`` (a catalogue key of :mod:`coverage.i18n`) and
    ``values``, when the raiser gives them, word it in another language: the CLI prints it in the
    command's ``--lang`` (:func:`coverage.cli.error_text`).
    """

    def __init__(self, message: str = "", code: str | None = None, values: dict | None = None):
        super().__init__(message)
        self.code = code
        self.values = dict(values or {})


class InputError(CoverageError, ValueError):
    """A user-supplied file, option or parameter is invalid (the message names what and where)."""


class InputLimitError(InputError):
    """A file declares or holds more than the limits in :mod:`coverage.settings` allow."""


class DataImportError(InputError):
    """A user file cannot be imported; the message lists every error with file, row and column.

    Parameters
    ----------
    report : ImportReport
        The full report of the failed import (``coverage.io.report.ImportReport``: its
        ``file`` and ``errors``, each printed as ``file, row R, column C: message``). Build
        a one-error report with ``coverage.io.report.file_error``.

    Attributes
    ----------
    report : ImportReport
        The report, warnings included.
    """

    def __init__(self, report):
        self.report = report
        super().__init__(report.failure_text("en"))

    def text(self, lang: str = "en") -> str:
        """The message in ``lang`` (``report.failure_text``)."""
        return self.report.failure_text(lang)


class StandardsError(InputError):
    """A service standard (table row, override, mode, minutes, distance) is invalid."""


class OptionError(InputError):
    """A command-line option is invalid or names a file that cannot be used
    (:func:`coverage.cli.option_error` words one from the catalogue)."""


class NetworkError(CoverageError):
    """A road network cannot be read, built or used."""


class SitingError(CoverageError):
    """A siting problem cannot be set up or solved as asked."""


class UnreachableTargetError(SitingError, ValueError):
    """A siting target (a coverage rate, people to serve) that all candidates together cannot reach."""


class CapacityError(InputError):
    """A facility layer has no capacity column (beds, nursing_beds, seats, staff) with values for accessibility."""


class ExportError(CoverageError):
    """An output cannot be written as asked (would overwrite its input, wrong extension, directory)."""


class WorkspaceError(CoverageError, ValueError):
    """The workspace cannot be used: damaged, unreadable, locked too long, or the disk refused a write."""


class WorkspaceConflictError(WorkspaceError):
    """A save was based on an outdated version of what is stored; nothing was overwritten.

    ``expected`` is the version the save was based on (None: "new"), ``found`` the stored one
    (None: absent).
    """

    expected: int | None = None
    found: int | None = None


class WorkspaceReadOnlyError(WorkspaceError):
    """The workspace is open read-only (file or folder not writable): viewing works, saving does not."""


class WorkspaceDamagedError(WorkspaceError):
    """One stored item (its ``kind`` and ``name`` attributes) cannot be read back; the rest can."""

    kind: str = ""
    name: str = ""


class BasemapError(CoverageError, ValueError):
    """A basemap that cannot be drawn (unknown id, missing key, no datum shift available)."""
