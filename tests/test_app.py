"""The Streamlit app driven through its widgets (AppTest; the map itself is covered by test_browser).

Every app here runs with ``COVERAGE_WORKSPACE`` pointed at a temporary directory (never the
developer's ``./workspace``); a "restart" is a new ``AppTest`` run of ``app.py`` on the same
workspace.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from conftest import headline, open_tab

from coverage.i18n import t
from coverage.metrics import population_coverage
from coverage.region import load_default
from coverage.standards import load_standards
from coverage.ui.views import standard_override
from coverage.workspace import ENV_VAR

APP = Path(__file__).resolve().parent.parent / "app.py"


def expected(layer: str, mode: str | None = None, minutes: float | None = None) -> dict[str, str]:
    table = load_standards()
    if mode is not None:
        table = standard_override(table, layer, mode, minutes)
    cov = population_coverage(load_default(), layer, standards=table)
    city = cov[cov["level"] == "city"].iloc[0]
    return {"served": f"{city['served']:,.0f}", "covered": f"{city['covered']:,.0f}",
            "rate": f"{city['covered'] / city['served']:.1%}", "towns": cov[cov["level"] == "town"]}


#: The caveat marks next to headline figures on modelled / illustrative data (coverage.i18n.ui).
CAVEATS = ("ᵃ示意数据", "ᵃ推算数据", "ᵃillustrative data", "ᵃmodelled data")


def strip_caveat(label: str) -> str:
    for mark in CAVEATS:
        label = label.replace(f" {mark}", "")
    return label


def metrics(at: AppTest) -> list[tuple[str, str]]:
    """(label without its caveat mark, value) of every headline figure."""
    return [(strip_caveat(m.label), m.value) for m in headline(at)]


def start() -> AppTest:
    """A new session of the app (a restart: nothing is shared with earlier sessions but the workspace),
    run twice as in a browser: the map, once drawn, makes the page run again, and the coverage tab's
    tables, chart and download come with that second run."""
    at = AppTest.from_file(str(APP), default_timeout=90)
    at.run()
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_a_first_run_draws_the_figures_and_the_map_and_leaves_the_tables_to_the_next():
    at = AppTest.from_file(str(APP), default_timeout=90)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    exp = expected("elder_care_station")
    assert [value for _, value in metrics(at)][:3] == [exp["served"], exp["covered"], exp["rate"]]
    assert len(at.get("component_instance")) == 1  # the map
    assert not at.dataframe and not at.get("download_button") and not at.get("vega_lite_chart")
    assert t("loading", "zh") in [c.value for c in at.caption]
    at.run()  # what the map's first value does in a browser
    towns = next(d.value for d in at.dataframe if "镇街" in list(d.value.columns))
    assert len(towns) == 73
    assert len(at.get("download_button")) == 1 and len(at.get("vega_lite_chart")) == 1
    assert t("loading", "zh") not in [c.value for c in at.caption]


@pytest.fixture(scope="module", autouse=True)
def module_workspace(tmp_path_factory):
    """Point the app at a temporary workspace for the whole module."""
    old = os.environ.get(ENV_VAR)
    path = tmp_path_factory.mktemp("workspace")
    os.environ[ENV_VAR] = str(path)
    yield path
    if old is None:
        os.environ.pop(ENV_VAR, None)
    else:
        os.environ[ENV_VAR] = old


@pytest.fixture(scope="module")
def app(module_workspace) -> AppTest:
    return start()


def test_default_figures_match_population_coverage(app):
    exp = expected("elder_care_station")
    shown = metrics(app)
    assert shown[0] == ("服务对象人口 (60岁及以上)", exp["served"])
    assert shown[1] == ("覆盖人口", exp["covered"])
    assert shown[2] == ("覆盖率", exp["rate"])
    assert shown[3] == ("设施数", f"{len(load_default().facilities['elder_care_station']):,}")
    # The default layer is illustrative and the grid modelled: every headline figure carries the mark.
    assert all(m.label.endswith(" ᵃ示意数据") for m in headline(app))
    towns = next(d.value for d in app.dataframe if "镇街" in list(d.value.columns))
    assert len(towns) == len(exp["towns"]) == 73
    assert towns["覆盖人口"].sum() == pytest.approx(exp["towns"]["covered"].sum(), abs=73)
    # The gap tab shows the gap zones of the data as loaded.
    from coverage.gaps import gap_zones

    zones = gap_zones(load_default(), "elder_care_station").zones
    summary = f"{len(zones)} 个缺口区, 未覆盖人口 {zones['served'].sum():,.0f}"
    open_tab(app, "tab_gaps")
    assert any(m.value.startswith(summary) for m in app.markdown)
    open_tab(app, "tab_coverage")
    # Data sources in the sidebar say what is modelled / illustrative.
    side = " ".join(m.value for m in app.sidebar.markdown)
    assert "推算" in side and "示意" in side and "真实" in side


def test_language_layer_and_minutes(app):
    app.sidebar.radio(key="lang").set_value("en").run()
    assert not app.exception
    assert app.title[0].value == "Jiangmen civil-affairs 15-minute coverage planner"
    assert metrics(app)[2][0] == "Coverage rate"
    assert [tab.label for tab in app.tabs] == ["Coverage", "Gaps", "Siting", "Annual review", "Data",
                                                "Access & equity"]

    # In English the select boxes are widgets of their own (key + ".en"), drawn in English.
    assert app.sidebar.selectbox(key="layer.en").value == "elder_care_station"
    app.sidebar.selectbox(key="layer.en").set_value("elder_canteen").run()
    exp = expected("elder_canteen")
    assert metrics(app)[1:3] == [("Covered population", exp["covered"]), ("Coverage rate", exp["rate"])]

    app.sidebar.number_input(key="minutes_elder_canteen").set_value(10).run()
    assert not app.exception
    exp10 = expected("elder_canteen", "walk", 10)
    assert metrics(app)[2] == ("Coverage rate", exp10["rate"])
    assert float(exp10["rate"].rstrip("%")) < float(exp["rate"].rstrip("%"))

    app.sidebar.selectbox(key="mode_elder_canteen.en").set_value("drive").run()
    assert metrics(app)[2] == ("Coverage rate", expected("elder_canteen", "drive", 10)["rate"])

    app.sidebar.radio(key="lang").set_value("zh").run()
    assert metrics(app)[2][0] == "覆盖率"
    # Back in Chinese: the choices made in English are kept.
    assert app.sidebar.selectbox(key="layer").value == "elder_canteen"
    assert app.sidebar.selectbox(key="mode_elder_canteen").value == "drive"


def test_removing_a_facility_lowers_the_figures_and_undo_restores(app):
    app.sidebar.selectbox(key="layer").set_value("social_work_station").run()
    open_tab(app, "tab_gaps")  # the gap zones of the data as loaded
    before = metrics(app)
    region = load_default()
    fid = str(region.facilities["social_work_station"]["facility_id"].iloc[0])
    app.button(key="remove_open_button").click().run()
    app.selectbox(key="remove_choice").set_value(fid).run()
    app.button(key="remove").click().run()
    assert not app.exception
    after = metrics(app)
    assert after[3][1] == f"{len(region.facilities['social_work_station']) - 1:,}"
    removed = region.facilities["social_work_station"].iloc[1:]
    cov = population_coverage(region.with_facilities("social_work_station", removed), "social_work_station")
    city = cov[cov["level"] == "city"].iloc[0]
    assert after[1][1] == f"{city['covered']:,.0f}"
    # The gap zones shown are flagged as those before the edit until the user updates them.
    assert any("变更前" in w.value for w in app.warning)
    app.button(key="run_gaps").click().run()
    assert not any("变更前" in w.value for w in app.warning)
    app.button(key="undo").click().run()
    assert metrics(app) == before
    # A reset can be undone: its button then restores the changes it cleared, with their figures.
    app.button(key="remove_open_button").click().run()
    app.selectbox(key="remove_choice").set_value(fid).run()
    app.button(key="remove").click().run()
    app.button(key="reset").click().run()
    assert metrics(app) == before and not app.button(key="restore_cleared").disabled
    assert app.button(key="restore_cleared").label == t("restore_cleared", "zh", n=1)
    app.button(key="restore_cleared").click().run()
    assert not app.exception and metrics(app) == after
    app.button(key="undo").click().run()
    assert metrics(app) == before
    open_tab(app, "tab_coverage")


def _largest_gap(layer: str) -> tuple[float, float]:
    """lon/lat of the populated cell with the most uncovered served people."""
    import numpy as np
    from pyproj import Transformer

    from coverage.layers import get_layer
    from coverage.reach import compute_reach

    region = load_default()
    served = region.population[get_layer(layer).served_column].to_numpy(dtype=float)
    served[np.asarray(compute_reach(region, layer).covered)] = 0
    i = int(np.argmax(served))
    x, y = region.population["x"].iloc[i], region.population["y"].iloc[i]
    lon, lat = Transformer.from_crs("EPSG:32649", "EPSG:4326", always_xy=True).transform(x, y)
    return round(lon, 6), round(lat, 6)


def _with_site(layer: str, lon: float, lat: float):
    import geopandas as gpd
    import pandas as pd
    from shapely.geometry import Point

    region = load_default()
    existing = region.facilities[layer]
    site = gpd.GeoDataFrame({"facility_id": ["new-1"], "name": ["site"]}, geometry=[Point(lon, lat)],
                            crs="EPSG:4326")
    return region.with_facilities(layer, pd.concat([existing, site], ignore_index=True))


def test_map_click_adds_a_site_and_survives_a_standard_change(app):
    layer = "elder_care_institution"  # untouched so far: its default standard (drive 20 / 30 min)
    app.sidebar.selectbox(key="layer").set_value(layer).run()
    lon, lat = _largest_gap(layer)
    app.session_state["map"] = {"last_clicked": {"lng": lon, "lat": lat}}
    app.run()
    assert not app.exception
    cov = population_coverage(_with_site(layer, lon, lat), layer)
    city = cov[cov["level"] == "city"].iloc[0]
    assert metrics(app)[1][1] == f"{city['covered']:,.0f}"
    base = population_coverage(load_default(), layer)
    assert city["covered"] > base[base["level"] == "city"].iloc[0]["covered"]  # the site covers new people
    assert metrics(app)[3][1] == f"{len(load_default().facilities[layer]) + 1:,}"
    # The change names the town the site landed in (where the click was, as the planner checks).
    import geopandas as gpd
    from shapely.geometry import Point

    towns = load_default().towns
    town = towns[towns.contains(gpd.GeoSeries([Point(lon, lat)], crs=towns.crs).iloc[0])]["town_zh"].iloc[0]
    assert any(f"新增站点 {lon:.4f}, {lat:.4f} ({town})" in c.value for c in app.caption), \
        [c.value for c in app.caption]
    # The figures after the click are the library's for the same edit, town by town.
    from coverage.analysis import Analysis, Edit

    ours = Analysis(load_default()).with_edits([Edit(layer, "add", lon=lon, lat=lat)]).coverage(layer).table
    shown = app.session_state["coverage_cache"][1]
    assert shown[["level", "town_code", "served", "covered"]].equals(ours[["level", "town_code", "served", "covered"]])
    # The same click is not added twice on the next run.
    app.run()
    assert metrics(app)[3][1] == f"{len(load_default().facilities[layer]) + 1:,}"
    # The remove box lists the added site by a name in the page's language.
    app.button(key="remove_open_button").click().run()
    assert "新增站点 1 (new-1)" in app.selectbox(key="remove_choice").options
    app.sidebar.radio(key="lang").set_value("en").run()
    assert "Added site 1 (new-1)" in app.selectbox(key="remove_choice.en").options
    app.button(key="remove_close").click().run()
    app.sidebar.radio(key="lang").set_value("zh").run()
    # Changing the standard keeps the edit (replayed on the new standard).
    app.sidebar.number_input(key=f"minutes_{layer}").set_value(10).run()
    cov10 = population_coverage(_with_site(layer, lon, lat), layer,
                                standards=standard_override(load_standards(), layer, "drive", 10))
    city10 = cov10[cov10["level"] == "city"].iloc[0]
    assert metrics(app)[1][1] == f"{city10['covered']:,.0f}"
    app.button(key="reset").click().run()
    assert metrics(app)[3][1] == f"{len(load_default().facilities[layer]):,}"


BAD_REGISTER = "名称,经度,纬度\n甲社工站,113.08,22.58\n乙社工站,,22.25\n".encode("utf-8")
GOOD_REGISTER = "名称,经度,纬度\n甲社工站,113.08,22.58\n乙社工站,112.79,22.25\n".encode("utf-8")


def _upload(app: AppTest, content: bytes) -> None:
    open_tab(app, "tab_data")
    app.selectbox(key="upload_layer").set_value("social_work_station")
    app.file_uploader(key="up_fac").set_value(("register.csv", content, "text/csv"))
    next(b for b in app.button if b.label in ("使用上传数据", "Use the uploaded data")).click().run()
    assert not app.exception, [e.message for e in app.exception]


def test_upload_shows_row_errors_then_replaces_the_layer(app):
    app.sidebar.selectbox(key="layer").set_value("social_work_station").run()
    _upload(app, BAD_REGISTER)
    assert app.error and "register\\.csv" in app.error[0].value  # markdown-escaped file name
    # The report in the page language: 文件/行/列/级别/说明, severities in words.
    report = next(d.value for d in app.dataframe if {"行", "列", "说明"} <= set(d.value.columns))
    assert list(report.columns) == ["文件", "行", "列", "级别", "说明"]
    assert 3 in {int(v) for v in report["行"].dropna() if str(v).strip()}  # the line without a longitude
    assert "错误" in set(report["级别"])
    assert metrics(app)[3][1] == f"{len(load_default().facilities['social_work_station']):,}"

    _upload(app, GOOD_REGISTER)
    assert not app.error
    assert metrics(app)[3][1] == "2"
    # The page reran onto the data tab the planner was on: the import report is in view.
    assert app.session_state["main_tab"] == "数据"
    # The planner is told the register replaced the whole layer, and how many facilities it had.
    had = len(load_default().facilities["social_work_station"])
    assert any(t("upload_replaced", "zh", n=2, old=had) in m.value for m in app.success), \
        [m.value for m in app.success]
    provenance = next(d.value for d in app.dataframe if list(d.value.columns) == ["输入", "来源"])
    row = provenance[provenance["输入"] == "设施: 乡镇(街道)社工站"].iloc[0]
    assert row["来源"] == "用户上传"
    side = " ".join(m.value for m in app.sidebar.markdown)
    assert "设施: 乡镇(街道)社工站 — 用户上传" in side


def _two_sheet_workbook() -> bytes:
    """A workbook whose first sheet lists one canteen and whose second lists three."""
    import io

    from openpyxl import Workbook

    book = Workbook()
    first = book.active
    first.title = "旧台账"
    for row in (("名称", "经度", "纬度"), ("甲食堂", 113.08, 22.58)):
        first.append(row)
    second = book.create_sheet("新台账")
    for row in (("名称", "经度", "纬度"), ("甲食堂", 113.08, 22.58), ("乙食堂", 112.79, 22.25),
                ("丙食堂", 113.05, 22.40)):
        second.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def test_upload_of_a_two_sheet_workbook_imports_the_sheet_picked(app):
    layer = "elder_canteen"
    app.sidebar.selectbox(key="layer").set_value(layer).run()
    open_tab(app, "tab_data")
    app.selectbox(key="upload_layer").set_value(layer)
    # A file name with Markdown in it (an image that would load from the internet, a link) and a '?'
    # and over 255 bytes: shown as text, stored under a name any file system takes.
    hostile = "![i](https:pixel.example.com)[点此下载](https:example.org)?" + "台账" * 60 + ".xlsx"
    app.file_uploader(key="up_fac").set_value((hostile, _two_sheet_workbook(),
                                               "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    next(b for b in app.button if b.label in ("使用上传数据", "Use the uploaded data")).click().run()
    assert not app.exception, [e.message for e in app.exception]
    # Nothing imported yet: the page asks which sheet.
    assert metrics(app)[3][1] == f"{len(load_default().facilities[layer]):,}"
    picker = app.selectbox(key=f"upload_part_{layer}")
    assert "\\!\\[i\\]\\(https\\:pixel" in picker.label, picker.label  # escaped: no image, no link
    assert picker.options == ["旧台账", "新台账"]
    picker.set_value("新台账")
    app.button(key="upload_pick_apply").click().run()
    assert not app.exception, [e.message for e in app.exception]
    assert not app.error
    assert metrics(app)[3][1] == "3"


def record_downloads(monkeypatch) -> dict[str, bytes]:
    """The bytes of every download button the app draws from now on, by file name (recorded as
    Streamlit's media file manager takes them)."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    files: dict[str, bytes] = {}
    add = MediaFileManager.add

    def recording_add(self, data, mimetype, *args, **kwargs):
        name = kwargs.get("file_name") or next((a for a in args if isinstance(a, str) and "." in a), "")
        if isinstance(data, bytes):
            files[name] = data
        return add(self, data, mimetype, *args, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add", recording_add)
    return files


def test_siting_tab_ranks_sites_and_draws_them(app, monkeypatch):
    downloads = record_downloads(monkeypatch)
    app.sidebar.selectbox(key="layer").set_value("elder_care_station").run()
    open_tab(app, "tab_siting")
    app.number_input(key="k_sites").set_value(3)
    next(b for b in app.button if b.label in ("运行选址", "Run siting")).click().run()
    assert not app.exception, [e.message for e in app.exception]
    sites = app.session_state["siting"]["sites"]
    assert list(sites["rank"]) == [1, 2, 3]
    table = next(d.value for d in app.dataframe if "经度" in d.value.columns)
    assert list(table.columns)[:2] == ["序号", "镇街"]
    assert len(table) == 3 and list(table.iloc[:, 0]) == [1, 2, 3]
    rates = list(table.iloc[:, 4])
    assert rates == sorted(rates)  # cumulative coverage grows with each site
    fc = json.loads(app.session_state["siting"]["geojson"])
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == 3
    # The download says in words which inputs are modelled or illustrative (not only the mark).
    got = json.loads(downloads["sites_elder_care_station.geojson"])
    assert got["features"] == fc["features"]
    assert got["caveat"] == load_default().provenance_note("zh", layers=["elder_care_station"])


def test_the_review_files_are_written_in_the_page_language(app, monkeypatch):
    """The review's Excel, CSV and Markdown downloads read in the page's language (the review itself is
    computed once; its files are written per language), and the tab says the review is of the data as
    loaded (not the map's what-if edits)."""
    files = record_downloads(monkeypatch)
    open_tab(app, "tab_review")
    app.button(key="run_review").click().run()
    assert not app.exception, [e.message for e in app.exception]
    assert any(c.value == t("review_as_loaded", "zh") for c in app.caption)
    zh = dict(files)
    app.sidebar.radio(key="lang").set_value("en").run()
    assert not app.exception, [e.message for e in app.exception]
    assert any(c.value == t("review_as_loaded", "en") for c in app.caption)
    en = dict(files)
    try:
        for name in ("review_2025.csv", "review_2025.md", "review_2025.xlsx"):
            assert name in zh and name in en, sorted(files)
        md_zh, md_en = zh["review_2025.md"].decode("utf-8"), en["review_2025.md"].decode("utf-8")
        assert md_zh.startswith("# " + t("report.title", "zh").replace("\n", " "))
        assert md_en.startswith("# " + t("report.title", "en").replace("\n", " "))
        header_zh = zh["review_2025.csv"].decode("utf-8-sig").splitlines()[0]
        header_en = en["review_2025.csv"].decode("utf-8-sig").splitlines()[0]
        assert header_zh != header_en and header_en.isascii(), header_en
        import io

        from openpyxl import load_workbook

        sheets_en = load_workbook(io.BytesIO(en["review_2025.xlsx"]), read_only=True).sheetnames
        assert all(name.isascii() for name in sheets_en), sheets_en
    finally:
        app.sidebar.radio(key="lang").set_value("zh").run()
        open_tab(app, "tab_coverage")


def test_the_gaps_tab_accounts_for_every_uncovered_person(app):
    """The gap zones and the people scattered outside them add up to the uncovered people of the
    headline figures (served − covered), and the tab says so."""
    app.sidebar.selectbox(key="layer").set_value("elder_care_station").run()
    open_tab(app, "tab_gaps")
    served, covered = (float(m.value.replace(",", "")) for m in headline(app)[:2])
    result = app.session_state["gaps_cache"][2]
    zones_total = float(result.zones["served"].sum())
    assert result.left_out > 0 and zones_total + result.left_out == pytest.approx(served - covered, abs=1)
    text = t("gaps_left_out", "zh", n=result.left_out, min=result.min_cell_population,
             total=zones_total + result.left_out)
    assert any(text in c.value for c in app.caption), [c.value for c in app.caption]
    open_tab(app, "tab_coverage")


def test_a_reload_keeps_the_page_language():
    """The language is in the page URL (``?lang=en``) beside the draft: a reload of the same tab
    (a new session with that URL) opens in it; a switch updates the URL."""
    at = AppTest.from_file(str(APP), default_timeout=90)
    at.query_params["lang"] = "en"
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.sidebar.radio(key="lang").value == "en"
    assert at.title[0].value == t("title", "en")
    at.sidebar.radio(key="lang").set_value("zh").run()
    assert at.query_params["lang"] in ("zh", ["zh"]) and at.title[0].value == t("title", "zh")
    other = AppTest.from_file(str(APP), default_timeout=90)  # a URL with an unknown language: Chinese
    other.query_params["lang"] = "fr"
    other.run()
    assert not other.exception and other.sidebar.radio(key="lang").value == "zh"


def test_no_gap_zone_yet_people_uncovered_is_said_not_no_gaps(app):
    """Under a generous standard every uncovered person may live in a sparse cell: no zone, but the
    tab says how many are uncovered (the figures show them), not "no coverage gaps"."""
    layer = "elder_care_institution"
    app.sidebar.selectbox(key="layer").set_value(layer).run()
    default = app.sidebar.number_input(key=f"minutes_{layer}").value
    app.sidebar.number_input(key=f"minutes_{layer}").set_value(45).run()
    try:
        open_tab(app, "tab_gaps")
        result = app.session_state["gaps_cache"][2]
        served, covered = (float(m.value.replace(",", "")) for m in headline(app)[:2])
        assert result.zones.empty and result.left_out > 0 and result.left_out == pytest.approx(served - covered, abs=1)
        assert [i.value for i in app.info] == [t("gaps_only_scattered", "zh", n=result.left_out,
                                                 min=result.min_cell_population)]
        assert not any(s.value == t("gaps_none", "zh") for s in app.success)
    finally:
        app.sidebar.number_input(key=f"minutes_{layer}").set_value(default).run()
        open_tab(app, "tab_coverage")


def test_the_open_tab_stays_open_across_a_language_switch(app):
    """Only the open tab runs; a language switch keeps the same tab open, in the new language."""
    open_tab(app, "tab_siting")
    assert app.number_input(key="k_sites")
    assert not any(t("per_district", "zh") in m.value for m in app.markdown)  # the coverage tab did not run
    app.sidebar.radio(key="lang").set_value("en").run()
    assert not app.exception, [e.message for e in app.exception]
    assert app.session_state["main_tab"] == "Siting"
    assert app.number_input(key="k_sites")
    app.sidebar.radio(key="lang").set_value("zh").run()
    assert app.session_state["main_tab"] == "选址"
    open_tab(app, "tab_coverage")


def test_basemap_choices(app):
    app.sidebar.selectbox(key="basemap").set_value("tianditu").run()
    assert not app.exception
    # no key: refused in the page's words (the error's code), the offline map shown instead
    words = t("basemap_error.tianditu_key_missing", "zh", site="console.tianditu.gov.cn")
    assert any(words.replace(".", "\\.") in w.value or words in w.value for w in app.warning), \
        [w.value for w in app.warning]
    app.sidebar.selectbox(key="basemap").set_value("amap").run()
    assert not app.exception and not app.warning
    app.sidebar.selectbox(key="basemap").set_value("none").run()
    assert not app.exception



def test_caveat_goes_once_every_input_is_uploaded(tmp_path, monkeypatch):
    """Towns, population and the layer's register all uploaded: no mark next to the figures."""
    from coverage.workspace import Workspace

    region = load_default()
    ws = Workspace.open(tmp_path)
    ws.save_towns(region.towns, source_name="towns.geojson")
    ws.save_population(region.population, source_name="population.csv")
    ws.save_layer("elder_care_station", region.facilities["elder_care_station"].assign(source="uploaded"),
                  source_name="stations.csv")
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    at = start()
    assert not at.exception, [e.message for e in at.exception]
    labels = [m.label for m in headline(at)]
    assert labels[2] == "覆盖率" and not any("ᵃ" in label for label in labels), labels
    assert not any("ᵃ" in c.value for c in at.caption)
    # Another layer still on the illustrative register is marked.
    at.sidebar.selectbox(key="layer").set_value("elder_canteen").run()
    assert all(m.label.endswith(" ᵃ示意数据") for m in headline(at))
