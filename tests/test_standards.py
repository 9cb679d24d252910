"""Service standards: the data files, the one rule, overrides, validation, and no copies in code."""

from __future__ import annotations

import csv
import io
import tokenize
from pathlib import Path

import pytest

from coverage.errors import StandardsError
from coverage.layers import LAYERS
from coverage.paths import ROOT, STANDARDS_DIR
from coverage.standards import (
    AREA_TYPES,
    Basis,
    Override,
    Standard,
    StandardTable,
    load_references,
    load_standards,
    resolve,
)

HEADER = "layer,area_type,mode,minutes,speed_kmh,distance_m,notes\n"


def write(tmp_path, body: str, header: str = HEADER):
    p = tmp_path / "standards.csv"
    p.write_text(header + body, encoding="utf-8")
    return p


def test_default_table_covers_every_layer_and_area_type():
    table = load_standards()
    for layer_id in LAYERS:
        for area in AREA_TYPES:
            assert isinstance(table.get(layer_id, area), Standard)
    assert len(table) == len(LAYERS) * len(AREA_TYPES)


def test_gb50180_life_circles_are_data():
    """5 / 10 / 15 walking minutes -> 300 / 500 / 1,000 m, read from the data file."""
    with (STANDARDS_DIR / "life_circles.csv").open(encoding="utf-8") as fh:
        rows = {float(r["minutes"]): float(r["walk_distance_m"]) for r in csv.DictReader(fh)}
    assert rows == {5.0: 300.0, 10.0: 500.0, 15.0: 1000.0}
    refs = load_references()
    assert refs.life_circle == ((5.0, 300.0), (10.0, 500.0), (15.0, 1000.0))


def test_every_speed_states_its_source_and_elderly_walking_pace():
    refs = load_references()
    for mode in ("walk", "bike", "drive"):
        for area in AREA_TYPES:
            assert refs.speed_kmh(mode, area) > 0
            assert refs.sources[f"{mode}/{area}"].strip()
    # 1.0 m/s: a pace older residents keep (the walking layers serve people 60+).
    assert refs.speed_kmh("walk", "urban") == pytest.approx(3.6)
    assert "older" in refs.sources["walk/urban"]
    assert refs.detour_factor == pytest.approx(1.3) and refs.sources["detour_factor"].strip()


def test_the_one_rule_divides_every_standard_by_the_detour_factor():
    """Walk: GB 50180 walking distance ÷ 1.3; ride/drive: speed × time ÷ 1.3; rounded to 10 m."""
    table = load_standards()
    walk = table.get("elder_care_station", "urban")
    assert (walk.mode, walk.minutes, walk.basis, walk.walk_distance_m) == ("walk", 15, Basis.LIFE_CIRCLE, 1000)
    assert walk.distance_m == 770.0  # 1000 / 1.3 = 769.2
    bike = table.get("elder_care_station", "rural")
    assert (bike.mode, bike.speed_kmh, bike.distance_m) == ("bike", 15, 2880.0)  # 3750 / 1.3 = 2884.6
    drive = table.get("elder_care_institution", "urban")
    assert drive.distance_m == 7690.0  # 30 km/h × 20 min = 10,000 m / 1.3 = 7692
    rural_drive = table.get("ossuary", "rural")
    assert rural_drive.distance_m == 15380.0  # 40 km/h × 30 min = 20,000 m / 1.3 = 15385


@pytest.mark.parametrize("minutes, walk_m, radius", [
    (5, 300, 230), (10, 500, 380), (15, 1000, 770),
    (12.5, 750, 580),  # halfway between the 10- and 15-minute circles
    (20, 1300, 1000),  # past 15 min at the walking speed: 1000 + 5 min × 60 m/min
])
def test_walking_distance_reads_the_life_circle_table(minutes, walk_m, radius):
    std = resolve("elder_care_station", "urban", Override(minutes=minutes))
    assert std.walk_distance_m == pytest.approx(walk_m)
    assert std.distance_m == radius


def test_walking_radius_grows_with_the_minutes():
    radii = [resolve("elder_canteen", "urban", Override(minutes=m)).distance_m for m in range(1, 41)]
    assert radii == sorted(radii)


def test_changing_minutes_keeps_each_area_types_own_mode():
    """The bug of issue 10: 14 minutes must not turn rural e-bike cells into a walk."""
    table = load_standards().resolved(["elder_care_station"], Override(minutes=14))
    urban, rural = table.get("elder_care_station", "urban"), table.get("elder_care_station", "rural")
    assert urban.mode == "walk" and rural.mode == "bike"
    assert rural.distance_m == 2690.0  # 15 km/h × 14 min = 3500 m / 1.3 = 2692
    assert urban.distance_m == 690.0  # 900 m (between 500 and 1000) / 1.3 = 692


def test_mode_override_applies_to_both_area_types_with_each_areas_speed():
    table = load_standards().resolved(["elder_care_station"], Override(mode="drive", minutes=10))
    urban, rural = table.get("elder_care_station", "urban"), table.get("elder_care_station", "rural")
    assert (urban.mode, urban.speed_kmh, urban.distance_m) == ("drive", 30, 3850.0)  # 5000 / 1.3
    assert (rural.mode, rural.speed_kmh, rural.distance_m) == ("drive", 40, 5130.0)  # 6667 / 1.3


def test_distance_and_speed_overrides():
    std = resolve("elder_care_station", "urban", Override(distance_m=1234))
    assert (std.distance_m, std.basis, std.mode, std.minutes) == (1234, Basis.USER, "walk", 15)
    fast = resolve("elder_care_station", "urban", Override(speed_kmh=6))
    assert (fast.basis, fast.distance_m) == (Basis.TRAVEL, 1150.0)  # 1500 m / 1.3 = 1154


def test_override_leaves_other_layers_and_the_table_unchanged():
    table = load_standards()
    new = table.resolved(["elder_canteen"], Override(minutes=10))
    assert new.get("elder_canteen", "urban").minutes == 10
    assert new.get("elder_care_station", "urban") == table.get("elder_care_station", "urban")
    assert table.get("elder_canteen", "urban").minutes == 15
    assert table.resolved(["elder_canteen"], Override()) is table


def test_the_app_sidebar_goes_through_the_resolver():
    from coverage.ui.views import standard_override

    table = load_standards()
    assert standard_override(table, "elder_care_station", "walk", 15) == table
    assert standard_override(table, "elder_care_station", "walk", 14) == table.resolved(
        ["elder_care_station"], Override(minutes=14))
    assert standard_override(table, "elder_care_station", "bike", 20) == table.resolved(
        ["elder_care_station"], Override(mode="bike", minutes=20))


def test_the_cli_options_go_through_the_resolver():
    import argparse

    from coverage.commands._options import add_standard_arguments, standards_from_args

    parser = argparse.ArgumentParser()
    add_standard_arguments(parser)
    args = parser.parse_args(["--minutes", "10"])
    assert standards_from_args(args, ["elder_care_station"]) == load_standards().resolved(
        ["elder_care_station"], Override(minutes=10))


def test_labels_come_from_the_catalogue():
    std = load_standards().get("elder_care_station", "urban")
    assert std.label("zh") == "步行15分钟（GB 50180-2018 步行1000米÷1.3，直线770米）"
    assert std.label("en") == "15-min walk (GB 50180-2018: 1000 m walk ÷ 1.3 = 770 m straight line)"


def test_standard_validation():
    with pytest.raises(StandardsError, match="mode"):
        Standard("fly", 15, 3.6, 1000)
    with pytest.raises(ValueError, match="minutes"):
        Standard("walk", 0, 3.6, 1000)
    with pytest.raises(ValueError, match="speed_kmh"):
        Standard("walk", 15, float("nan"), 1000)
    with pytest.raises(StandardsError, match="minutes"):
        Override(minutes=-5)
    with pytest.raises(StandardsError, match="mode"):
        Override(mode="swim")
    assert Standard("walk", "15", 3.6, 1000).minutes == 15.0
    assert Standard("bike", 15, 18, 3000).speed_ms == pytest.approx(5.0)


def test_get_errors_are_clear():
    table = StandardTable({("elder_canteen", "urban"): Standard("walk", 15, 3.6, 1000)})
    with pytest.raises(StandardsError, match="area_type"):
        table.get("elder_canteen", "suburban")
    with pytest.raises(StandardsError, match="ossuary"):
        table.get("ossuary", "urban")


@pytest.mark.parametrize(
    "body, message",
    [
        ("nope,urban,walk,15,,,\n", r"row 2, column 'layer'"),
        ("elder_canteen,town,walk,15,,,\n", r"row 2, column 'area_type'"),
        ("elder_canteen,urban,swim,15,,,\n", r"row 2, column 'mode'"),
        ("elder_canteen,urban,walk,fifteen,,,\n", r"row 2, column 'minutes'"),
        ("elder_canteen,urban,walk,15,-1,,\n", r"row 2, column 'speed_kmh'"),
        ("elder_canteen,urban,walk,15,,,\nelder_canteen,urban,walk,10,,,\n", r"row 3: duplicate"),
    ],
)
def test_invalid_rows_name_file_row_and_column(tmp_path, body, message):
    path = write(tmp_path, body)
    with pytest.raises(StandardsError, match=message) as info:
        load_standards(path)
    assert str(path) in str(info.value)


def test_missing_column_and_missing_file(tmp_path):
    p = tmp_path / "s.csv"
    p.write_text("layer,area_type,mode\n", encoding="utf-8")
    with pytest.raises(StandardsError, match="missing column"):
        load_standards(p)
    with pytest.raises(StandardsError, match="not found"):
        load_standards(tmp_path / "absent.csv")


def test_a_user_file_may_pin_speed_and_radius(tmp_path):
    """Blank cells use the rule; a pinned radius is used as given (and scales with the minutes)."""
    p = write(tmp_path, "elder_canteen,rural,bike,15,18,3000,x\nelder_canteen,urban,walk,15,,,\n\n",
              header="\ufeff" + HEADER)
    table = load_standards(p)
    rural = table.get("elder_canteen", "rural")
    assert (rural.speed_kmh, rural.distance_m, rural.basis) == (18, 3000, Basis.USER)
    assert table.get("elder_canteen", "urban").distance_m == 770.0
    assert table.resolved(["elder_canteen"], Override(minutes=10)).get("elder_canteen", "rural").distance_m == 2000


# --------------------------------------------------------------------------- no copies in code

#: Files allowed to hold standards facts: the resolver itself (it holds none, but may name them).
_ALLOWED = {ROOT / "coverage" / "standards.py"}
_GAP_OPTIONS = ("min_cell_population", "min_population", "connectivity", "max_across_m")
_MODE_NAMES = {'"walk"', '"bike"', '"drive"', "'walk'", "'bike'", "'drive'"}


def _code_files() -> list[Path]:
    files = sorted((ROOT / "coverage").rglob("*.py")) + [ROOT / "app.py"]
    return [f for f in files if f not in _ALLOWED]


def _number(tok: tokenize.TokenInfo) -> float | None:
    try:
        return float(tok.string) if tok.type == tokenize.NUMBER else None
    except ValueError:
        return None


def _findings(path: Path, root: Path = ROOT) -> list[str]:
    """Number tokens (never strings or comments) that restate a standard, a speed, the detour factor
    or a gap default."""
    toks = [t for t in tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
            if t.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT)]
    out = []
    for i, tok in enumerate(toks):
        where = f"{path.relative_to(root)}:{tok.start[0]}"
        nxt = toks[i + 1].string if i + 1 < len(toks) else ""
        after = _number(toks[i + 2]) if i + 2 < len(toks) else None
        if _number(tok) in (1.3, 4.5):
            out.append(f"{where}: {tok.string} (detour factor / walking speed)")
        if tok.type == tokenize.STRING and tok.string in _MODE_NAMES and nxt == ":" and after is not None:
            out.append(f"{where}: {tok.string}: {after:g} (a speed per mode)")
        if _number(tok) in (5, 10, 15) and nxt == ":" and after in (300, 500, 800, 1000):
            out.append(f"{where}: {tok.string}: {after:g} (a GB 50180 distance)")
        if tok.string in _GAP_OPTIONS and nxt == "=" and after is not None and path.name != "settings.py":
            out.append(f"{where}: {tok.string}={after:g} (a gap default)")
    return out


def test_no_standard_speed_or_detour_factor_is_written_outside_the_data():
    findings = [f for path in _code_files() for f in _findings(path)]
    assert not findings, "\n".join(findings)


def test_the_grep_finds_a_planted_copy(tmp_path):
    planted = tmp_path / "planted.py"
    planted.write_text('SPEEDS = {"walk": 4.5}\nDETOUR = 1.3  # 1.3 in a comment is fine\n'
                       'GB = {15: 1000.0}\nf(min_cell_population=10)\nLABEL = "÷1.3"\n', encoding="utf-8")
    found = _findings(planted, tmp_path)
    assert len(found) == 5, found  # 4.5 twice (number + speed per mode), 1.3 once, GB, gap default
