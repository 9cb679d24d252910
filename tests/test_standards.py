"""Service standards: the data file, validation and overrides."""

from __future__ import annotations

import csv

import pytest

from coverage.layers import LAYERS
from coverage.paths import STANDARDS_FILE
from coverage.standards import AREA_TYPES, Standard, StandardTable, load_standards

HEADER = "layer,area_type,mode,minutes,speed_kmh,distance_m,fallback_basis,notes\n"


def write(tmp_path, body: str):
    p = tmp_path / "standards.csv"
    p.write_text(HEADER + body, encoding="utf-8")
    return p


def test_default_table_covers_every_layer_and_area_type():
    table = load_standards()
    for layer_id in LAYERS:
        for area in AREA_TYPES:
            assert isinstance(table.get(layer_id, area), Standard)
    assert len(table) == len(LAYERS) * len(AREA_TYPES)


def test_default_walking_circle_is_gb50180():
    std = load_standards().get("elder_care_station", "urban")
    assert std.mode == "walk"
    assert std.minutes == 15
    assert std.seconds == 900
    # GB 50180-2018: the 15-minute life circle is 800-1000 m of walking.
    assert 800 <= std.distance_m <= 1000
    assert std.label("zh") == "步行15分钟（GB 50180-2018 直线1000米）"
    assert std.label("en") == "15-min walk (GB 50180-2018: 1000 m straight line)"


def test_default_detour_fallbacks_follow_the_documented_formula():
    """Rows whose basis is speed×time÷1.3 hold that value rounded to 10 m."""
    with STANDARDS_FILE.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    checked = 0
    for row in rows:
        if row["fallback_basis"] == "speed×time÷1.3":
            expected = float(row["speed_kmh"]) * 1000 * float(row["minutes"]) / 60 / 1.3
            assert float(row["distance_m"]) == round(expected, -1), row
            checked += 1
    assert checked >= 10


def test_urban_and_rural_may_differ():
    table = load_standards()
    urban = table.get("elder_care_station", "urban")
    rural = table.get("elder_care_station", "rural")
    assert urban.mode == "walk" and rural.mode == "bike"


def test_override_one_area_type_leaves_original_unchanged():
    table = load_standards()
    std = Standard("walk", 10, 4.5, 500, "GB 50180-2018")
    new = table.with_override("elder_canteen", std, area_type="urban")
    assert new.get("elder_canteen", "urban") == std
    assert new.get("elder_canteen", "rural") == table.get("elder_canteen", "rural")
    assert table.get("elder_canteen", "urban").minutes == 15
    both = table.with_override("elder_canteen", std)
    assert both.get("elder_canteen", "rural") == std


def test_standard_validation():
    with pytest.raises(ValueError, match="mode"):
        Standard("fly", 15, 4.5, 1000)
    with pytest.raises(ValueError, match="minutes"):
        Standard("walk", 0, 4.5, 1000)
    with pytest.raises(ValueError, match="speed_kmh"):
        Standard("walk", 15, float("nan"), 1000)
    assert Standard("walk", "15", 4.5, 1000).minutes == 15.0
    assert Standard("bike", 15, 18, 3000).speed_ms == pytest.approx(5.0)


def test_get_errors_are_clear():
    table = StandardTable({("elder_canteen", "urban"): Standard("walk", 15, 4.5, 1000)})
    with pytest.raises(ValueError, match="area_type"):
        table.get("elder_canteen", "suburban")
    with pytest.raises(ValueError, match="ossuary"):
        table.get("ossuary", "urban")


@pytest.mark.parametrize(
    "body, message",
    [
        ("nope,urban,walk,15,4.5,1000,,\n", r"row 2, column 'layer'"),
        ("elder_canteen,town,walk,15,4.5,1000,,\n", r"row 2, column 'area_type'"),
        ("elder_canteen,urban,swim,15,4.5,1000,,\n", r"row 2, column 'mode'"),
        ("elder_canteen,urban,walk,fifteen,4.5,1000,,\n", r"row 2, column 'minutes'"),
        ("elder_canteen,urban,walk,15,-1,1000,,\n", r"row 2, column 'speed_kmh'"),
        (
            "elder_canteen,urban,walk,15,4.5,1000,,\nelder_canteen,urban,walk,10,4.5,800,,\n",
            r"row 3: duplicate",
        ),
    ],
)
def test_invalid_rows_name_file_row_and_column(tmp_path, body, message):
    path = write(tmp_path, body)
    with pytest.raises(ValueError, match=message) as info:
        load_standards(path)
    assert str(path) in str(info.value)


def test_missing_column_and_missing_file(tmp_path):
    p = tmp_path / "s.csv"
    p.write_text("layer,area_type,mode,minutes\n", encoding="utf-8")
    with pytest.raises(ValueError, match="missing column"):
        load_standards(p)
    with pytest.raises(FileNotFoundError):
        load_standards(tmp_path / "absent.csv")


def test_bom_and_blank_lines_are_accepted(tmp_path):
    p = tmp_path / "s.csv"
    p.write_text("\ufeff" + HEADER + "elder_canteen,rural,bike,15,15,2880,x,\n\n", encoding="utf-8")
    table = load_standards(p)
    assert table.get("elder_canteen", "rural").distance_m == 2880
