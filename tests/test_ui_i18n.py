"""Interface strings: both languages for every key, Chinese by default."""

from __future__ import annotations

import re

import pytest

from coverage.layers import LAYERS
from coverage import i18n


def test_every_key_has_both_languages_with_the_same_placeholders():
    for key, (zh, en) in i18n.STRINGS.items():
        assert zh.strip() and en.strip(), key
        assert set(re.findall(r"{(\w+)", zh)) == set(re.findall(r"{(\w+)", en)), key


def test_chinese_is_the_default_and_english_switches():
    assert i18n.t("tab_coverage") == "覆盖率"
    assert i18n.t("tab_coverage", "en") == "Coverage"
    assert i18n.t("gaps_summary", "en", n=3, pop=12345.4) == "3 gap zones, 12,345 people uncovered"
    with pytest.raises(ValueError, match="language"):
        i18n.t("tab_coverage", "fr")
    with pytest.raises(KeyError):
        i18n.t("no-such-key")


def test_layer_source_status_names():
    for layer_id, layer in LAYERS.items():
        assert i18n.layer_name(layer_id) == layer.zh
        assert i18n.layer_name(layer_id, "en") == layer.en
    assert i18n.source_name("modelled") == "推算"
    assert i18n.source_name("modelled:voronoi-of-seats", "en") == "modelled"
    assert i18n.source_name("illustrative", "en") == "illustrative"
    assert i18n.status_name("not_met", "en") == "not met"
    assert i18n.served_name("pop_60plus") == "60岁及以上"


def test_indicator_names_in_each_language():
    assert i18n.indicator_name("社工站覆盖率", "Social-work coverage", "zh") == "社工站覆盖率"
    assert i18n.indicator_name("社工站覆盖率", "Social-work coverage", "en") == "Social-work coverage"
    assert i18n.indicator_name("社工站覆盖率", None, "en") == "社工站覆盖率"


def test_status_before_the_milestone_is_due():
    assert i18n.status_name("not_yet_due", "en", due_year=2025) == "not yet due (2025 target)"
    assert i18n.status_name("not_yet_due", "zh", due_year=2025) == "未到期（2025年目标）"


def test_a_refused_name_is_worded_in_either_language_from_its_code():
    """check_name's refusals carry a code and values: the app and the CLI word them in their
    language; str(error) stays the library's English message naming the value."""
    import pytest as _pytest

    from coverage.errors import InputError
    from coverage.i18n import error_words, t
    from coverage.workspace import MAX_NAME_LENGTH, check_name

    cases = {"": ("ws_name.empty", {}), "a/b": ("ws_name.forbidden_character", {"chars": "'/'"}),
             "x" * (MAX_NAME_LENGTH + 1): ("ws_name.too_long", {"limit": MAX_NAME_LENGTH}),
             ".hidden": ("ws_name.leading_dot", {}), "a\nb": ("ws_name.control_character", {}),
             "方案\u200bA": ("ws_name.invisible_character", {}),       # a zero-width space: looks like 方案A
             "方案\u202egpj.exe": ("ws_name.invisible_character", {})}  # RTL override: reads 方案exe.jpg
    for name, (code, values) in cases.items():
        with _pytest.raises(InputError) as info:
            check_name(name, "scenario name")
        assert (info.value.code, info.value.values) == (code, values)
        assert str(info.value).startswith("invalid scenario name")
        assert error_words(info.value, "zh") == t(code, "zh", **values) != error_words(info.value, "en")
    assert error_words(ValueError("plain"), "zh") == "plain"  # an uncoded error keeps its own words
