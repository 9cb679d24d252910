"""A missing, empty or oversized input file is a :class:`DataImportError` naming the file.

Users pass file paths on the command line and in scripts; a typo must give a one-line message
(exit status 2 in the CLI), never a traceback.
"""

from __future__ import annotations

import pytest

from coverage.cli import main
from coverage.errors import CoverageError, DataImportError, InputError
from coverage.io.tables import check_file


def test_missing_file_is_a_named_import_error(tmp_path):
    missing = tmp_path / "社区名单.csv"
    with pytest.raises(DataImportError, match="社区名单.csv") as err:
        check_file(missing)
    assert isinstance(err.value, InputError) and isinstance(err.value, CoverageError)
    assert err.value.report.file == "社区名单.csv" and "no such file" in str(err.value)


def test_directory_and_empty_file_refused(tmp_path):
    with pytest.raises(DataImportError, match="is not a file"):
        check_file(tmp_path)
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(DataImportError, match="empty"):
        check_file(tmp_path / "empty.csv")
    (tmp_path / "ok.csv").write_text("a\n1\n", encoding="utf-8")
    assert check_file(tmp_path / "ok.csv") == tmp_path / "ok.csv"


def test_cli_missing_file_exits_2_with_message(tmp_path, capsys):
    missing = tmp_path / "nonexistent.csv"
    status = main(["community", "--no-workspace", "--communities", str(missing)])
    err = capsys.readouterr().err
    assert status == 2
    assert "nonexistent.csv" in err and "no such file" in err and "Traceback" not in err
