"""The one "rows …" phrase of the import catalogues (:mod:`coverage.i18n.rows`): every reader's
message names rows the same way, in both languages."""

from __future__ import annotations

import inspect
import re

from coverage.i18n import imports_facilities, imports_population, imports_tables, imports_towns, t
from coverage.i18n.rows import ROWS, by_rows, phrased, row_phrase
from coverage.io.encoding import row_list


def test_the_phrase_in_its_three_forms():
    assert row_phrase() == ("第 {rows} 行", "row {rows}")
    assert row_phrase("{first}-{last}", "many") == ("第 {first}-{last} 行", "rows {first}-{last}")
    assert set(ROWS) == {"one", "many", "more"}
    forms = by_rows("k", "{where}有误", "bad in {where}")
    assert forms == {"k.one": ("第 {rows} 行有误", "bad in row {rows}"),
                     "k.many": ("第 {rows} 行有误", "bad in rows {rows}"),
                     "k.more": ("第 {rows} 行等（另有 {more} 行）有误", "bad in rows {rows} and {more} more")}
    assert phrased("甲{a}乙{b}", "x {a} y {b}", a=("A", "a"), b=("B", "b")) == ("甲A乙B", "x a y b")


def test_every_reader_names_rows_with_the_shared_phrase():
    form, values = row_list(list(range(1, 25)))
    assert form == "more"
    rows = ", ".join(map(str, range(1, 21)))
    assert t(f"import.tables.replacement_chars.{form}", "en", **values).endswith(f"in rows {rows} and 4 more; check "
                                                                               "the file's encoding")
    assert t(f"import.tables.replacement_chars.{form}", "zh", **values).startswith(f"第 {rows} 行等（另有 4 行）的文字")
    cases = [  # (key, values, the phrase in zh, in en)
        ("import.tables.header_after_titles", {"header_row": 3, "titles": 2}, "第 3 行", "row 3"),
        ("import.tables.merged_copied_column_rows", {"ref": "A2:A4", "value": "x", "header": "h", "first": 2,
                                                     "last": 4}, "第 2-4 行", "rows 2-4"),
        ("import.facilities.duplicate", {"first_row": 4, "name": "甲", "distance": 1.0}, "第 4 行", "row 4"),
        ("import.facilities.nearest_town", {"n": 2, "max_gap_m": 500, "rows": "5, 9"}, "第 5, 9 行", "rows 5, 9"),
        ("import.towns.duplicate_town", {"town_code": "440703001", "name": "白沙街道", "first_row": 2},
         "第 2 行", "row 2"),
        ("import.towns.overlap", {"town_a": "a", "row_a": 2, "town_b": "b", "row_b": 7, "km2": 1.0, "share": 0.5},
         "（第 7 行）", "(row 7)"),
        ("import.communities.duplicate_code", {"unit_code": "440703001001", "first_row": 6}, "第 6 行", "row 6"),
    ]
    for key, values, zh, en in cases:
        assert zh in t(key, "zh", **values) and en in t(key, "en", **values), key


def test_no_import_catalogue_writes_the_row_phrase_again():
    # a CSV file's line (``第 {line} 行`` / ``line {line}``) is not a row of the table
    phrase = re.compile(r"第 \{(?!line\})\w+\} 行|\brows? \{\w+\}")
    for module in (imports_tables, imports_facilities, imports_population, imports_towns):
        source = inspect.getsource(module)
        assert not phrase.findall(source), module.__name__
