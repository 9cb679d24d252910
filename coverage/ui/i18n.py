"""Interface strings in Chinese (default) and English.

``t(key, lang)`` returns the string for ``key``; ``lang`` is ``"zh"`` or ``"en"``. A missing key
raises ``KeyError`` (a test checks every key has both languages). Plan indicator names stay in
Chinese in both languages: they are the plan's own wording, the English gloss is added after.
"""

from __future__ import annotations

import re

from typing import Any

from coverage.layers import LAYERS, SERVED_GROUPS

__all__ = ["LANGUAGES", "STRINGS", "t", "layer_name", "served_name", "source_name",
           "status_name", "indicator_name"]

LANGUAGES: dict[str, str] = {"zh": "中文", "en": "English"}

STRINGS: dict[str, tuple[str, str]] = {
    # page
    "title": ("江门市民政设施 15 分钟服务覆盖规划", "Jiangmen civil-affairs 15-minute coverage planner"),
    "subtitle": ("设施布局、覆盖率、缺口与选址 (离线运行)",
                 "Facility layout, coverage, gaps and siting (runs offline)"),
    "language": ("语言 / Language", "语言 / Language"),
    "loading": ("正在加载数据…", "Loading data…"),
    "computing": ("正在计算服务范围…", "Computing service areas…"),
    # sidebar
    "settings": ("设置", "Settings"),
    "layer": ("设施图层", "Facility layer"),
    "standard": ("服务标准", "Service standard"),
    "mode": ("出行方式", "Travel mode"),
    "minutes": ("时间 (分钟)", "Time (minutes)"),
    "area_type": ("区域类型", "Area type"),
    "urban": ("城市 (街道)", "Urban (streets)"),
    "rural": ("农村 (镇)", "Rural (towns)"),
    "walk": ("步行", "Walk"),
    "bike": ("骑行 / 电动车", "Bike / e-bike"),
    "drive": ("驾车", "Drive"),
    "year": ("评估年份", "Review year"),
    "basemap": ("底图", "Basemap"),
    "basemap_none": ("无底图 (离线)", "None (offline)"),
    "basemap_osm": ("OpenStreetMap (需联网)", "OpenStreetMap (online)"),
    "basemap_tianditu": ("天地图 (需密钥, 联网)", "Tianditu (key, online)"),
    "basemap_amap": ("高德 (GCJ-02, 联网)", "Amap (GCJ-02, online)"),
    "tianditu_key": ("天地图密钥", "Tianditu key"),
    "basemap_error": ("底图不可用: {reason}", "Basemap unavailable: {reason}"),
    "sources": ("数据来源", "Data sources"),
    "std_fallback": ("无路网: 使用 GB 50180-2018 直线距离 {distance:.0f} 米",
                     "No road network: GB 50180-2018 straight-line distance {distance:.0f} m"),
    "std_network": ("路网出行时间 {minutes:g} 分钟", "Network travel time {minutes:g} min"),
    # inputs / provenance
    "in_districts": ("区县边界", "District boundaries"),
    "in_towns": ("镇街边界", "Town boundaries"),
    "in_population": ("人口格网", "Population grid"),
    "in_roads": ("路网", "Road network"),
    "in_facilities": ("设施: {layer}", "Facilities: {layer}"),
    "modelled_note": ("注: 以下输入为推算或示意数据: {inputs}",
                      "Note: these inputs are modelled or illustrative: {inputs}"),
    # map and what-if
    "map": ("地图", "Map"),
    "map_hint": ("点击地图添加候选站点; 在下方选择设施可将其移除。",
                 "Click the map to add a candidate site; pick a facility below to remove it."),
    "remove_facility": ("移除设施", "Remove a facility"),
    "remove": ("移除", "Remove"),
    "none_selected": ("(不选)", "(none)"),
    "scenario": ("情景变更", "Scenario changes"),
    "scenario_empty": ("尚无变更: 点击地图添加站点。", "No changes yet: click the map to add a site."),
    "added_site": ("新增站点 {lon:.4f}, {lat:.4f}", "Added site {lon:.4f}, {lat:.4f}"),
    "removed_facility": ("移除设施 {name}", "Removed facility {name}"),
    "undo": ("撤销", "Undo"),
    "reset": ("清空", "Reset"),
    "no_network": ("未提供路网: 按直线距离标准计算", "no road network: straight-line distance standard"),
    "covered_pop": ("覆盖人口", "Covered population"),
    "served_pop": ("服务对象人口", "Served population"),
    "coverage_rate": ("覆盖率", "Coverage rate"),
    "facilities_n": ("设施数", "Facilities"),
    "no_served": ("无服务对象", "No served population"),
    "lyr_towns": ("镇街覆盖率", "Town coverage"),
    "lyr_facilities": ("现有设施", "Existing facilities"),
    "lyr_added": ("新增站点", "Added sites"),
    "lyr_service": ("服务范围", "Service areas"),
    "lyr_gaps": ("覆盖缺口", "Coverage gaps"),
    "lyr_proposals": ("选址建议", "Proposed sites"),
    "show_service": ("显示服务范围", "Show service areas"),
    "show_gaps": ("显示缺口", "Show gap zones"),
    # tooltip fields
    "f_name": ("名称", "Name"),
    "f_town": ("镇街", "Town"),
    "f_district": ("区县", "District"),
    "f_source": ("来源", "Source"),
    "f_rank": ("序号", "Rank"),
    "f_new_pop": ("新增覆盖人口", "Newly covered"),
    "f_population": ("人口", "Population"),
    "f_area": ("面积 (km²)", "Area (km²)"),
    # tabs
    "tab_coverage": ("覆盖率", "Coverage"),
    "tab_gaps": ("缺口", "Gaps"),
    "tab_siting": ("选址", "Siting"),
    "tab_review": ("年度评估", "Annual review"),
    "tab_data": ("数据", "Data"),
    "level": ("层级", "Level"),
    "city": ("全市", "City"),
    "district": ("区县", "District"),
    "town": ("镇街", "Town"),
    "per_town": ("各镇街覆盖率", "Coverage per town"),
    "per_district": ("各区县覆盖率", "Coverage per district"),
    "gaps_none": ("当前标准下没有覆盖缺口。", "No coverage gaps under this standard."),
    "gaps_summary": ("{n} 个缺口区, 未覆盖人口 {pop:,.0f}", "{n} gap zones, {pop:,.0f} people uncovered"),
    "run_gaps": ("按当前情景更新缺口区", "Update the gap zones for this scenario"),
    "gaps_stale": ("以下为情景变更前的缺口区。", "These are the gap zones before the latest scenario changes."),
    "gaps_hint": ("点击按钮计算当前情景的缺口区。", "Press the button to find the gap zones of the current scenario."),
    "k_sites": ("新增站点数", "New sites"),
    "target_rate": ("目标覆盖率", "Target rate"),
    "solver": ("算法", "Solver"),
    "solver_greedy": ("贪心 (快速)", "Greedy (fast)"),
    "solver_ilp": ("整数规划 (精确)", "Integer programme (exact)"),
    "objective": ("目标", "Objective"),
    "objective_k": ("新增 k 个站点, 覆盖最多人口", "k new sites covering the most people"),
    "objective_target": ("以最少站点达到目标覆盖率", "Fewest sites reaching a target rate"),
    "objective_units": ("每个缺设施的镇街/区县一处", "One site in each town/county lacking one"),
    "run_siting": ("运行选址", "Run siting"),
    "siting_running": ("正在选址…", "Siting…"),
    "siting_steps": ("生成候选点 → 计算覆盖矩阵 → 求解 → 排序", "Candidates → coverage matrix → solve → rank"),
    "siting_failed": ("选址未完成", "Siting failed"),
    "review_failed": ("评估未完成", "Review failed"),
    "siting_done": ("选址完成", "Siting done"),
    "siting_result": ("建议站点 (按新增覆盖人口排序)", "Proposed sites (ranked by newly covered population)"),
    "download_geojson": ("下载 GeoJSON", "Download GeoJSON"),
    "download_csv": ("下载 CSV", "Download CSV"),
    "download_excel": ("下载 Excel", "Download Excel"),
    "download_md": ("下载 Markdown", "Download Markdown"),
    "run_review": ("生成年度评估", "Run the annual review"),
    "review_running": ("正在评估规划指标…", "Measuring the plan indicators…"),
    "review_done": ("评估完成", "Review done"),
    "review_hint": ("点击按钮生成评估 (约需数秒)。", "Press the button to run the review (takes a few seconds)."),
    "review_title": ("{year} 年度规划指标评估", "{year} plan indicator review"),
    "upload_title": ("上传数据", "Upload data"),
    "upload_facilities": ("设施台账 (CSV / Excel / GeoJSON / GPKG / 压缩 SHP)",
                          "Facility register (CSV / Excel / GeoJSON / GPKG / zipped SHP)"),
    "upload_towns": ("镇街边界", "Town boundaries"),
    "upload_population": ("人口 (GeoTIFF / 格网)", "Population (GeoTIFF / grid)"),
    "upload_layer": ("上传到图层", "Layer to replace"),
    "upload_crs": ("坐标系", "Coordinate system"),
    "apply_upload": ("使用上传数据", "Use the uploaded data"),
    "reset_data": ("恢复默认数据", "Restore the default data"),
    "upload_ok": ("已读取 {n} 行。", "Read {n} rows."),
    "upload_failed": ("读取失败: {error}", "Could not read the file: {error}"),
    "validation": ("校验报告", "Validation report"),
    "validation_clean": ("未发现问题。", "No problems found."),
    "provenance": ("各输入数据来源", "Provenance of every input"),
    "input": ("输入", "Input"),
    "status": ("来源", "Status"),
    "not_available": ("此功能所需模块 ({module}) 尚未就绪。", "This feature needs {module}, which is not available yet."),
    "error": ("出错: {error}", "Error: {error}"),
    "progress_step": ("{step}…", "{step}…"),
    # workspace: saved data and scenarios
    "workspace": ("工作区 (已保存的数据与方案)", "Workspace (saved data and scenarios)"),
    "workspace_path": ("保存位置: {path}", "Saved in: {path}"),
    "workspace_failed": ("无法打开工作区, 本次会话的修改不会保存: {error}",
                         "Could not open the workspace; changes in this session will not be kept: {error}"),
    "reset_confirm": ("确认清除已保存的上传数据", "Yes, forget the saved uploads"),
    "reset_done": ("已恢复默认数据 (清除 {n} 项上传)。", "Default data restored ({n} uploads forgotten)."),
    "scenarios_saved": ("方案", "Scenarios"),
    "scenario_name": ("方案名称", "Scenario name"),
    "save_scenario": ("保存方案", "Save scenario"),
    "saved_scenarios": ("已保存的方案", "Saved scenarios"),
    "load_scenario": ("载入", "Load"),
    "delete_scenario": ("删除", "Delete"),
    "scenario_saved": ("已保存方案 “{name}”。", "Scenario “{name}” saved."),
    "scenario_loaded": ("已载入方案 “{name}” ({n} 项变更)。", "Scenario “{name}” loaded ({n} changes)."),
    "scenario_deleted": ("已删除方案 “{name}”。", "Scenario “{name}” deleted."),
    "scenario_save_failed": ("无法保存方案: {error}", "Could not save the scenario: {error}"),
    "scenario_load_failed": ("无法载入或删除方案: {error}", "Could not load or delete the scenario: {error}"),
    "replay_skipped": ("已保存的变更中有 {n} 项无法应用 (数据已更改), 已跳过:",
                       "{n} saved changes no longer apply to the data and were skipped:"),
}

_SOURCES: dict[str, tuple[str, str]] = {
    "real": ("真实", "real"),
    "modelled": ("推算", "modelled"),
    "illustrative": ("示意", "illustrative"),
    "uploaded": ("用户上传", "uploaded"),
    "none": ("无", "none"),
}

_STATUSES: dict[str, tuple[str, str]] = {
    "达标": ("达标", "met"),
    "未达标": ("未达标", "not met"),
    "met": ("达标", "met"),
    "not met": ("未达标", "not met"),
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    return pair[0] if lang == "zh" else pair[1]


def t(key: str, lang: str = "zh", **values: Any) -> str:
    """The interface string ``key`` in ``lang``, formatted with ``values``."""
    text = _pick(STRINGS[key], lang)
    return text.format(**values) if values else text


def layer_name(layer_id: str, lang: str = "zh") -> str:
    """Name of a facility layer (registry names in :mod:`coverage.layers`)."""
    layer = LAYERS.get(layer_id)
    if layer is None:
        return layer_id
    return _pick((layer.zh, layer.en), lang)


def served_name(column: str, lang: str = "zh") -> str:
    """Name of a served population group (``pop_total`` / ``pop_60plus`` / ``pop_0_17``)."""
    pair = SERVED_GROUPS.get(column)
    return _pick(pair, lang) if pair else column


def source_name(source: str, lang: str = "zh") -> str:
    """Label of a provenance flag (``real`` / ``modelled`` / ``illustrative`` / ``uploaded``)."""
    base = str(source).split(":", 1)[0]
    pair = _SOURCES.get(base)
    return _pick(pair, lang) if pair else str(source)


def status_name(status: str, lang: str = "zh") -> str:
    """Label of a review status (达标 / 未达标 / 未达标(未到期: 2025年目标))."""
    text = str(status)
    pending = re.fullmatch(r"未达标\(未到期: (\d{4})年目标\)", text)
    if pending:
        return text if lang == "zh" else f"not met yet ({pending.group(1)} target not due)"
    pair = _STATUSES.get(text)
    return _pick(pair, lang) if pair else text


def indicator_name(name_zh: str, name_en: str | None = None, lang: str = "zh") -> str:
    """A plan indicator's name: the plan's Chinese wording, with the English gloss in English mode."""
    if lang == "zh" or not name_en:
        return name_zh
    return f"{name_zh} ({name_en})"
