"""Readers and validators for user files (facility registers, town boundaries, population).

Every reader returns ``(data, ImportReport)`` or raises :class:`DataImportError`
(:mod:`coverage.errors`, an ``InputError`` and so a ``ValueError``) whose message lists
every problem with file, row and column. Row numbers are the ones the user sees: the
spreadsheet/CSV line counting the header (and any title rows), or the 1-based feature
number in vector files.

For an upload form: :func:`list_sheets` (XLSX sheets holding cells) and :func:`list_layers`
(layers of a GeoPackage / zip holding features) give the choices to offer when a file
holds several; pass the choice as ``sheet=`` / ``layer_name=`` to the readers.
"""

from coverage.io.columns import FACILITY_ALIASES, POPULATION_ALIASES, TOWN_ALIASES, match_columns
from coverage.io.facilities import FACILITY_COLUMNS, read_facilities
from coverage.io.population import POPULATION_COLUMNS, read_population
from coverage.errors import DataImportError
from coverage.io.report import ImportReport, Issue, file_error
from coverage.io.tables import DEFAULT_MAX_MB, list_layers, list_sheets
from coverage.io.towns import TOWN_COLUMNS, read_towns
from coverage.io.workspace_import import IMPORT_KINDS, import_into_workspace

__all__ = [
    "read_facilities",
    "read_towns",
    "read_population",
    "ImportReport",
    "Issue",
    "DataImportError",
    "file_error",
    "list_sheets",
    "list_layers",
    "FACILITY_ALIASES",
    "TOWN_ALIASES",
    "POPULATION_ALIASES",
    "FACILITY_COLUMNS",
    "TOWN_COLUMNS",
    "POPULATION_COLUMNS",
    "DEFAULT_MAX_MB",
    "match_columns",
    "import_into_workspace",
    "IMPORT_KINDS",
]
