"""The import report's frame: codes from the catalogue only, saved reports read back, both languages."""

from __future__ import annotations

import dataclasses
import json

import pytest

from coverage.errors import DataImportError
from coverage.io.report import ImportReport, Issue, file_error


def test_a_code_outside_the_catalogue_is_refused():
    report = ImportReport(file="a.csv", layer="towns")
    with pytest.raises(KeyError, match="not in the catalogue"):
        report.error("the file is broken")  # prose instead of a code
    assert report.issues == []


def test_failure_text_in_both_languages_names_file_row_and_column():
    exc = file_error("dir/a.csv", "import.population.no_people", layer="population", n=0)
    assert isinstance(exc, DataImportError)
    en, zh = exc.text("en").splitlines(), exc.text("zh").splitlines()
    assert en[0] == "cannot import a.csv: 1 error" and str(exc) == exc.text("en")
    assert zh[0] == "无法导入 a.csv：1 处错误" and "没有人口" in zh[1]
    report = ImportReport(file="b.csv", layer="towns")
    report.warn("import.population.no_people", row=7, column="人口", n=3)
    issue = report.issues[0]
    assert issue.location("en") == "b.csv, row 7, column 人口"
    assert issue.location("zh") == "b.csv，第 7 行，列 人口"
    assert report.to_frame("zh").loc[0, "message"] == issue.text("zh") != issue.text("en")


def test_a_saved_report_reads_back_and_an_old_one_keeps_its_text():
    report = ImportReport(file="b.csv", layer="towns", rows_read=3, rows_imported=2)
    report.note("import.population.no_people", row=2, n=5)
    saved = json.loads(json.dumps(dataclasses.asdict(report), allow_nan=False))
    back = Issue.from_dict(saved["issues"][0])
    assert back == report.issues[0] and back.text("zh") == report.issues[0].text("zh")
    old = Issue.from_dict({"file": "c.csv", "row": None, "column": None, "message": "an old sentence",
                           "severity": "warning"})
    assert old.text("zh") == old.text("en") == "an old sentence" and old.severity == "warning"


def test_a_damaged_saved_issue_is_refused_not_hidden():
    base = {"file": "c.csv", "row": 3, "column": None, "code": "import.population.no_people", "values": {"n": 1}}
    assert Issue.from_dict({**base, "row": "3"}).row == 3
    with pytest.raises(ValueError, match="severity"):
        Issue.from_dict({**base, "severity": "fatal"})  # would vanish from errors / warnings / notes
    with pytest.raises(ValueError, match="row"):
        Issue.from_dict({**base, "row": "three"})
    with pytest.raises(KeyError):
        Issue.from_dict({**base, "values": {}}).text("en")  # a missing value is not shown as "{n}"


def test_places_in_a_message_are_named_in_the_language_it_is_shown_in():
    """A reader keeps districts as codes with both names; the English message names them in English,
    the Chinese in Chinese (with 、), also after the report is saved and read back."""
    report = ImportReport(file="pop.csv", layer="population")
    places = [{"code": "440703", "zh": "蓬江区", "en": "Pengjiang District", "share": "10.1%"},
              {"code": "440781", "zh": "台山市", "en": ""}]  # no English name: the Chinese one
    report.note("import.population.census_agrees", people=10, n=2, census=10, diff=0.0, districts=places)
    [issue] = report.notes
    assert "(440703 Pengjiang District (10.1%), 440781 台山市)" in issue.message
    assert "（440703 蓬江区（10.1%）、440781 台山市）" in issue.text("zh")
    back = Issue.from_dict(json.loads(json.dumps(dataclasses.asdict(issue), ensure_ascii=False)))
    assert back.message == issue.message and back.text("zh") == issue.text("zh")
    # a saved report whose districts were written out as text keeps that text
    old = dataclasses.replace(issue, values={**issue.values, "districts": "440703 蓬江区"})
    assert "(440703 蓬江区)" in old.message
