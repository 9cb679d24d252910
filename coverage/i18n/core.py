"""Catalogue: the core's words (standards, methods, provenance, result metadata).

Each entry is ``key: (中文, English)``; :mod:`coverage.i18n` merges every catalogue module. Keys
start with ``core_``.
"""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # travel modes, as used inside a standard's label
    "core_mode_walk": ("步行", "walk"),
    "core_mode_bike": ("骑行", "ride"),
    "core_mode_drive": ("驾车", "drive"),
    # a standard's label: {mode} {minutes} {basis}
    "core_standard": ("{mode}{minutes:g}分钟（{basis}直线{distance:g}米）",
                      "{minutes:g}-min {mode} ({basis}{distance:g} m straight line)"),
    "core_basis_life_circle": ("GB 50180-2018 步行{walk:g}米÷{detour:g}，",
                               "GB 50180-2018: {walk:g} m walk ÷ {detour:g} = "),
    "core_basis_travel": ("{speed:g}km/h×{minutes:g}分钟÷{detour:g}，",
                          "{speed:g} km/h × {minutes:g} min ÷ {detour:g} = "),
    "core_basis_user": ("用户设定，", "set by the user: "),
    "core_area_urban": ("街道（城区）", "sub-districts (urban)"),
    "core_area_rural": ("镇（乡村）", "towns (rural)"),
    "core_per_area": ("{area}: {label}", "{area}: {label}"),
    # how reach was measured
    "core_method_network": ("按路网通行时间计算", "measured on the road network"),
    "core_method_distance": ("无路网, 按直线距离计算", "no road network: straight-line distance"),
    # provenance
    "core_prov_real": ("真实数据", "real"),
    "core_prov_modelled": ("模型推算", "modelled"),
    "core_prov_illustrative": ("示意数据", "illustrative"),
    "core_prov_uploaded": ("用户上传", "uploaded"),
    "core_prov_none": ("缺失", "missing"),
    "core_input_districts": ("区县边界", "district boundaries"),
    "core_input_towns": ("镇街边界", "town boundaries"),
    "core_input_population": ("人口网格", "population grid"),
    "core_input_population:age_groups": ("人口网格年龄组(60+、0-17)", "population age groups (60+, 0-17)"),
    "core_input_roads": ("路网", "road network"),
    "core_prov_unknown": ("数据来源未标注", "data sources not stated"),
    "core_prov_modelled_warning": ("。注意: 含模型推算/示意数据, 结果仅供方法演示, 不代表实际情况",
                                   ". Note: includes modelled/illustrative data; the figures demonstrate "
                                   "the method and are not actual coverage"),
    "core_city": ("全市", "City"),
    # Region.provenance_note: "数据说明：镇街边界、人口网格为模型推算；…" / "Data note: … are modelled; …"
    "core_note_head": ("数据说明：", "Data note: "),
    "core_note_sep": ("；", "; "),
    "core_note_one": ("{names}{status}", "{names} is {status}"),
    "core_note_many": ("{names}{status}", "{names} are {status}"),
    "core_note_modelled": ("为模型推算", "modelled"),
    "core_note_illustrative": ("为示意数据", "illustrative"),
    "core_note_uploaded": ("为用户上传", "uploaded"),
    "core_note_all_layers": ("全部设施图层", "all facility layers"),
    "core_note_all_real": ("各项输入均为真实数据", "all inputs are real data"),
    "core_note_no_roads": ("；未提供路网，服务范围按距离标准（GB 50180-2018）估算。",
                           "; no road network was given, so service areas use distance standards (GB 50180-2018)."),
    "core_note_end": ("。", "."),
    # ratio statuses (coverage.metrics.RatioStatus)
    "core_ratio_ok": ("已计算", "computed"),
    "core_ratio_no_layer": ("无法计算: 缺少图层", "cannot compute: layer missing"),
    "core_ratio_empty_layer": ("无法计算: 图层没有设施", "cannot compute: the layer has no facilities"),
    "core_ratio_missing_column": ("无法计算: 缺少所需列", "cannot compute: a required column is missing"),
    "core_ratio_empty_column": ("无法计算: 所需列全部为空", "cannot compute: a required column is empty"),
    "core_ratio_zero_denominator": ("无法计算: 分母为 0", "cannot compute: the denominator is 0"),
    "core_ratio_inconsistent": ("无法计算: 护理型床位数大于床位数", "cannot compute: nursing beds exceed beds"),
    "core_ratio_no_population": ("无法计算: 人口网格缺少所需年龄组", "cannot compute: the grid lacks the age group"),
    # CLI printers
    "core_cli_coverage_head": ("{layer} ({layer_id}) — {group}人口覆盖率", "{layer} ({layer_id}) — coverage of {group}"),
    "core_cli_standard": ("服务标准: {text}", "standard: {text}"),
    "core_cli_provenance": ("数据来源: {text}", "data sources: {text}"),
    "core_cli_row": ("  {name}: {rate}  (覆盖 {covered:,} / {served:,}, 未覆盖 {uncovered:,}{off})",
                     "  {name}: {rate}  (covered {covered:,} / {served:,}, uncovered {uncovered:,}{off})"),
    "core_cli_off": (", 其中无路可达 {n:,}", ", of whom off the road network {n:,}"),
    "core_cli_gaps_head": ("{layer}: {n} 个服务空白区 (服务标准: {standard})",
                           "{layer}: {n} gap zones (standard: {standard})"),
    "core_cli_gap_row": ("  #{rank} {district}{town}: 未覆盖 {served:,} 人 ({cells} 格, {area:g} km²)",
                         "  #{rank} {district} {town}: {served:,} uncovered ({cells} cells, {area:g} km²)"),
    "core_cli_left_out": ("  (另有 {n:,.0f} 人分散居住于每格少于 {min:g} 人的网格, 未划入空白区)",
                          "  ({n:,.0f} more live scattered in cells with fewer than {min:g}; not in any zone)"),
    "core_cli_gap_towns": ("未覆盖人口最多的镇街:", "towns with most people uncovered:"),
    "core_cli_gap_town_row": ("  {rank}. {district}{town}: {n:,} 人", "  {rank}. {district} {town}: {n:,}"),
    "core_cli_wrote": ("已写入 {path} ({rows} 行)", "wrote {path} ({rows} rows)"),
    "core_cli_wrote_gaps": ("已写入 {path} ({n} 个空白区, 服务人群: {group})", "wrote {path} ({n} zones, served group: {group})"),
    "core_cli_wrote_file": ("已写入 {path}", "wrote {path}"),
    "core_cli_service_areas": ("{layer}: {n} 个服务范围 ({method}) → {path}", "{layer}: {n} service areas ({method}) → {path}"),
}
