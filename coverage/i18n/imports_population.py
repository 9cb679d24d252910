"""Catalogue: messages of the population import readers (``coverage/io/population.py``,
``coverage/io/raster.py``); keys start with ``import.population.``.

Values are numbers and the file's own text (column names, CRS ids, district codes and names);
percentages that need more than a format spec come pre-formatted as language-neutral strings
(``"3.2%"``, ``"<0.1%"``).
"""

from __future__ import annotations

from coverage.i18n.rows import by_rows

_JM_EN = "Jiangmen is 111.9-113.3 E, 21.4-22.9 N"
_JM_ZH = "江门市位于东经 111.9-113.3°、北纬 21.4-22.9°"
_CRS_WRONG_EN = f"The file's coordinate system is probably wrong or missing ({_JM_EN})"
_CRS_WRONG_ZH = f"文件的坐标系很可能有误或缺失（{_JM_ZH}）"

#: How a usual fill value is named: (key part, 中文, English); the raster reader picks one.
_FILL_LABELS = (
    ("plain", "{value}", "{value}"),
    ("max", "{dtype} 类型的最大值", "the {dtype} maximum"),
    ("min", "{dtype} 类型的最小值", "the {dtype} minimum"),
    ("value_max", "{value}（{dtype} 类型的最大值）", "{value} (the {dtype} maximum)"),
    ("value_min", "{value}（{dtype} 类型的最小值）", "{value} (the {dtype} minimum)"),
)
#: What the file declares about nodata: (key part, 中文, English).
_FILL_NODATA = (
    ("no_nodata", "但文件未声明无数据值", "but the file declares no nodata"),
    ("nodata", "但文件声明的无数据值为 {nodata:g}", "but the file declares nodata {nodata:g}"),
)

_FILL: dict[str, tuple[str, str]] = {
    f"import.population.fill.{label}.{nodata}": (
        f"{{n}} 个像元的值为 {label_zh}，这是常见的填充值，{nodata_zh}：已按无人口处理（如确为真实人数，请修正文件）",
        f"{{n}} cells hold {label_en}, a usual fill value, {nodata_en}: treated as empty "
        "(if they are real counts, fix the file)",
    )
    for label, label_zh, label_en in _FILL_LABELS
    for nodata, nodata_zh, nodata_en in _FILL_NODATA
}

_SHARE_POPULATION_EN = (
    "{share} of the city's 2020 census population ({people:,.0f} of {census:,.0f} people, placed as the "
    "embedded {cell:g} m grid spreads each district's census total)"
)
_SHARE_POPULATION_ZH = (
    "全市 2020 年人口普查人口的 {share}（{census:,.0f} 人中的 {people:,.0f} 人，按内置 {cell:g} 米人口网格"
    "对各区县普查总数的分布计算）"
)
_SHARE_AREA_EN = (
    "{share} of the city's area (not of its people: without the embedded population grid, where people live "
    "inside a district is not known)"
)
_SHARE_AREA_ZH = "全市面积的 {share}（不是人口比例：没有内置人口网格，无法得知人口在区县内的分布）"
_PARTIAL_EN = (
    "the file covers no whole district, yet it replaces the whole population grid: the rest of the city now "
    "has no people. It covers {coverage} and part of {n_districts} district(s) (in brackets, the share of each "
    "district's area): {districts}. Its total is not compared with the census"
)
_PARTIAL_ZH = (
    "文件没有完整覆盖任何一个区县，却会替换整个人口网格：全市其余地区将没有人口。文件覆盖{coverage}，"
    "涉及 {n_districts} 个区县的一部分（括号内为占该区县面积的比例）：{districts}。其总数不与人口普查比较"
)
_LEFT_OUT_EN = (
    "the file covers {n_covered} of the {n_all} districts wholly ({covered}), yet it replaces the whole "
    "population grid: {n_left} district(s) are left without people, or with only the part the file covers (in "
    "brackets, the share of the district's area): {left}. It covers {coverage}"
)
_LEFT_OUT_ZH = (
    "文件完整覆盖了 {n_all} 个区县中的 {n_covered} 个（{covered}），却会替换整个人口网格：其余 {n_left} 个区县将没有人口，"
    "或只剩文件覆盖的部分（括号内为占该区县面积的比例）：{left}。文件覆盖{coverage}"
)


def _with(template: str, coverage: str) -> str:
    """``template`` with its ``{coverage}`` part written out (the share of the city the file covers)."""
    return template.replace("{coverage}", coverage)


MESSAGES: dict[str, tuple[str, str]] = {
    # ---------------------------------------------------------------- the file as a whole
    "import.population.no_towns": (
        "没有可用来分配网格的镇街边界：请传入 towns=",
        "no town boundaries to assign cells to: pass towns=",
    ),
    "import.population.outside_towns": (
        f"{{n}} 个有人口的网格都不在任何镇街内。{_CRS_WRONG_ZH}",
        f"none of the {{n}} populated cells lies in a town. {_CRS_WRONG_EN}",
    ),
    "import.population.outside_towns.file_crs": (
        "{n} 个有人口的网格都不在任何镇街内；按文件声明的坐标系 {crs}，文件范围为 x {x0:.10g} 至 {x1:.10g}、"
        f"y {{y0:.10g}} 至 {{y1:.10g}}。{_CRS_WRONG_ZH}",
        "none of the {n} populated cells lies in a town; the file covers x {x0:.10g} to {x1:.10g}, y {y0:.10g} "
        f"to {{y1:.10g}} in its declared CRS {{crs}}. {_CRS_WRONG_EN}",
    ),
    "import.population.outside_towns.file_no_crs": (
        "{n} 个有人口的网格都不在任何镇街内；文件未声明坐标系（按经纬度读取），范围为 x {x0:.10g} 至 {x1:.10g}、"
        f"y {{y0:.10g}} 至 {{y1:.10g}}。{_CRS_WRONG_ZH}",
        "none of the {n} populated cells lies in a town; the file covers x {x0:.10g} to {x1:.10g}, y {y0:.10g} "
        f"to {{y1:.10g}} in its declared no CRS (longitude/latitude assumed). {_CRS_WRONG_EN}",
    ),
    "import.population.outside_towns.raster_crs": (
        "{n} 个有人口的像元都不在任何镇街内；按栅格声明的坐标系 {crs}，栅格范围为 x {x0:.6g} 至 {x1:.6g}、"
        f"y {{y0:.6g}} 至 {{y1:.6g}}。{_CRS_WRONG_ZH}",
        "none of the {n} populated cells lies in a town; the raster covers x {x0:.6g} to {x1:.6g}, y {y0:.6g} "
        f"to {{y1:.6g}} in its declared CRS {{crs}}. {_CRS_WRONG_EN}",
    ),
    "import.population.outside_towns.raster_no_crs": (
        "{n} 个有人口的像元都不在任何镇街内；栅格未声明坐标系（按经纬度读取），范围为 x {x0:.6g} 至 {x1:.6g}、"
        f"y {{y0:.6g}} 至 {{y1:.6g}}。{_CRS_WRONG_ZH}",
        "none of the {n} populated cells lies in a town; the raster covers x {x0:.6g} to {x1:.6g}, y {y0:.6g} "
        f"to {{y1:.6g}} in its declared no CRS (longitude/latitude assumed). {_CRS_WRONG_EN}",
    ),
    # ---------------------------------------------------------------- what the file covers; the census
    "import.population.partial_city.population": (
        _with(_PARTIAL_ZH, _SHARE_POPULATION_ZH), _with(_PARTIAL_EN, _SHARE_POPULATION_EN),
    ),
    "import.population.partial_city.area": (_with(_PARTIAL_ZH, _SHARE_AREA_ZH), _with(_PARTIAL_EN, _SHARE_AREA_EN)),
    "import.population.no_people": (
        "文件中没有人口（有人口的网格或像元为 {n} 个）：不予导入，否则全市将没有人口",
        "the file holds no people ({n} populated cells or pixels): not imported, it would leave the city "
        "without people",
    ),
    "import.population.districts_left_out.population": (
        _with(_LEFT_OUT_ZH, _SHARE_POPULATION_ZH), _with(_LEFT_OUT_EN, _SHARE_POPULATION_EN),
    ),
    "import.population.districts_left_out.area": (
        _with(_LEFT_OUT_ZH, _SHARE_AREA_ZH), _with(_LEFT_OUT_EN, _SHARE_AREA_EN),
    ),
    "import.population.census_agrees": (
        "文件覆盖的 {n} 个区县（{districts}）共 {people:,.0f} 人；2020 年人口普查为 {census:,.0f} 人（{diff:+.1%}）",
        "{people:,.0f} people in the {n} district(s) it covers ({districts}); the 2020 census counts "
        "{census:,.0f} ({diff:+.1%})",
    ),
    "import.population.census_mismatch": (
        "文件覆盖的 {n} 个区县（{districts}）共 {people:,.0f} 人，而 2020 年人口普查为 {census:,.0f} 人"
        "（×{ratio:.3g}，超出 ±{tolerance:.0%} 的容差）：是单位有误、有未声明的无数据值，还是其他地区的数据？"
        "如确认数字无误，请加 --skip-census-check（census_check=False）重新导入",
        "{people:,.0f} people in the {n} district(s) it covers ({districts}), against {census:,.0f} in the 2020 "
        "census (×{ratio:.3g}, beyond the ±{tolerance:.0%} tolerance): wrong units, an undeclared nodata value, "
        "or another area? If the figure is right, import again with --skip-census-check (census_check=False)",
    ),
    # ---------------------------------------------------------------- vector and table grids
    "import.population.no_population_column": (
        "没有人口列（可用的列名：{accepted}）",
        "no population column (accepted: {accepted})",
    ),
    "import.population.no_crs_lonlat": (
        "文件未声明坐标系，按经纬度读取",
        "the file declares no CRS; longitude/latitude assumed",
    ),
    **by_rows(
        "import.population.polygons_too_large",
        "{n} 个多边形大于 {limit:g} 平方公里（最大 {largest:,.1f} 平方公里），见{where}：人口文件中的多边形各按一个点读取，"
        "镇街或区县的人口会全部落在一个网格中；请提供人口点、不大于 1 公里的网格单元，或栅格",
        "{n} polygon(s) larger than {limit:g} km² (the largest {largest:,.1f} km²) in {where}: a population file's "
        "polygons are each read at one point, so a town's or district's people would all land in one cell; give "
        "the people as points, grid cells of at most 1 km, or a raster",
    ),
    "import.population.missing_geometry": ("缺少几何图形", "missing geometry"),
    "import.population.not_a_number": ("{value} 不是数字", "{value} is not a number"),
    "import.population.empty_cell": ("单元格为空", "empty cell"),
    "import.population.negative_count": ("人数为负数 {count:g}", "negative count {count:g}"),
    "import.population.too_many_people": (
        "{count:g} 人超过了任何一个网格可能容纳的人数（上限 {limit:,}）",
        "{count:g} people is more than any cell can hold (over {limit:,})",
    ),
    "import.population.age_over_total": (
        "{count:g} 超过了该网格的总人口 {total:g}",
        "{count:g} exceeds the total {total:g}",
    ),
    "import.population.cell_id_not_unique": (
        "列 {name} 不是唯一的整数编号；网格从 0 起重新编号",
        "column {name} is not a unique integer id; cells numbered from 0",
    ),
    "import.population.empty_cells_skipped": (
        "跳过 {n} 个没有人口的网格",
        "{n} cells with no people skipped",
    ),
    "import.population.no_centre_columns": (
        "没有网格中心坐标列（经度/纬度、lon/lat 或 x/y）",
        "no cell-centre columns (经度/纬度, lon/lat or x/y)",
    ),
    "import.population.centres_lonlat": (
        "网格中心按经纬度（WGS-84）读取",
        "cell centres read as longitude/latitude (WGS-84)",
    ),
    "import.population.centres_metres": (
        "网格中心按 EPSG:32649 米制坐标读取",
        "cell centres read as EPSG:32649 metres",
    ),
    "import.population.cells_outside_towns": (
        "{n} 个网格不在任何镇街内，已剔除（{people:,.1f} 人）",
        "{n} cells outside every town dropped ({people:,.1f} people)",
    ),
    "import.population.summed_onto_grid": (
        "{n} 个网格已汇总到区域的 {cell:g} 米网格：共 {cells} 个网格",
        "{n} cells summed onto the region's {cell:g} m grid: {cells} cells",
    ),
    "import.population.summed_onto_grid.split": (
        "{n} 个网格已汇总到区域的 {cell:g} 米网格：共 {cells} 个网格（其中 {split} 个网格跨越镇街边界："
        "各归入其人口最多的镇街）",
        "{n} cells summed onto the region's {cell:g} m grid: {cells} cells ({split} grid cells straddle towns: "
        "each given to the town with most of its people)",
    ),
    # ---------------------------------------------------------------- age groups
    "import.population.no_age_shares": (
        "区县 {districts} 没有年龄结构比例：其年龄组人数设为 0",
        "no age shares for districts {districts}: their age groups set to 0",
    ),
    "import.population.ages_modelled.census": (
        "文件中没有 pop_60plus 和 pop_0_17：按 2020 年人口普查各区县的年龄结构比例推算",
        "pop_60plus and pop_0_17 not in the file: modelled from the 2020 census district shares",
    ),
    "import.population.ages_modelled.grid": (
        "文件中没有 pop_60plus 和 pop_0_17：按内置人口网格各区县的年龄结构比例推算",
        "pop_60plus and pop_0_17 not in the file: modelled from the default population grid's district shares",
    ),
    "import.population.age_modelled.census": (
        "文件中没有 {group}：按 2020 年人口普查各区县的年龄结构比例推算",
        "{group} not in the file: modelled from the 2020 census district shares",
    ),
    "import.population.age_modelled.grid": (
        "文件中没有 {group}：按内置人口网格各区县的年龄结构比例推算",
        "{group} not in the file: modelled from the default population grid's district shares",
    ),
    "import.population.rounded_to_zero": (
        "{n} 个网格取整后为 0 人，已省略（总人数不变）",
        "{n} cells rounded to 0 people omitted (the total is kept)",
    ),
    # ---------------------------------------------------------------- rasters
    "import.population.not_a_raster": ("无法作为栅格读取：{detail}", "cannot read as a raster: {detail}"),
    "import.population.unreadable_pixels": (
        "无法读取栅格的像元：{detail}",
        "cannot read the raster's pixels: {detail}",
    ),
    "import.population.too_many_pixels.whole": (
        "栅格声明了 {width:,} × {height:,} 个像元 × {bands} 个波段；整个文件为 {pixels:,} 像元 × 波段，超过 "
        "{limit:,} 的上限（settings.MAX_RASTER_PIXELS）：请裁剪到江门市范围，或使用更粗的网格",
        "the raster declares {width:,} × {height:,} pixels × {bands} band(s); the whole file is {pixels:,} "
        "pixels × bands, over the {limit:,} limit (settings.MAX_RASTER_PIXELS): clip it to Jiangmen, or use a "
        "coarser grid",
    ),
    "import.population.too_many_pixels.window": (
        "栅格声明了 {width:,} × {height:,} 个像元 × {bands} 个波段；江门市范围内的部分为 {pixels:,} 像元 × 波段，"
        "超过 {limit:,} 的上限（settings.MAX_RASTER_PIXELS）：请裁剪到江门市范围，或使用更粗的网格",
        "the raster declares {width:,} × {height:,} pixels × {bands} band(s); the part over Jiangmen is "
        "{pixels:,} pixels × bands, over the {limit:,} limit (settings.MAX_RASTER_PIXELS): clip it to Jiangmen, "
        "or use a coarser grid",
    ),
    "import.population.nodata_declared": (
        "{n} 个像元为文件声明的无数据值 {nodata:g}",
        "{n} cells hold the declared nodata value {nodata:g}",
    ),
    "import.population.nodata_mask": ("{n} 个像元无数据（掩膜）", "{n} cells hold no data (mask)"),
    "import.population.nan_cells": ("{n} 个像元为 NaN：已按无人口处理", "{n} cells hold NaN: treated as empty"),
    "import.population.infinite_cells": (
        "{n} 个像元为无穷大：已按无人口处理",
        "{n} cells hold an infinite value: treated as empty",
    ),
    "import.population.huge_cells": (
        "{n} 个像元超过 {limit:,} 人（最大 {top:.3g}）：不是人数，已按无人口处理",
        "{n} cells hold more than {limit:,} people (up to {top:.3g}): not a count, treated as empty",
    ),
    "import.population.negative_cells": (
        "{n} 个像元为负值，已按无人口处理",
        "{n} cells with negative values treated as empty",
    ),
    "import.population.many_bands": (
        "栅格有 {bands} 个波段：按第 1 波段读取每个像元的人数",
        "the raster has {bands} bands: band 1 read as people per pixel",
    ),
    "import.population.raster_no_crs": (
        "栅格未声明坐标系，按经纬度读取",
        "the raster declares no CRS; longitude/latitude assumed",
    ),
    "import.population.raster_read": (
        "栅格 {width}×{height} 个像元，像元大小 {res_x:g}×{res_y:g}（{crs}）；读取区域范围内的 {read_width}×{read_height} "
        "个像元；有人口的像元 {populated} 个，共 {people:,.1f} 人",
        "raster {width}×{height} pixels of {res_x:g}×{res_y:g} ({crs}); read {read_width}×{read_height} over the "
        "region; {populated} populated pixels, {people:,.1f} people",
    ),
    "import.population.raster_read.split": (
        "栅格 {width}×{height} 个像元，像元大小 {res_x:g}×{res_y:g}（{crs}）；读取区域范围内的 {read_width}×{read_height} "
        "个像元；有人口的像元 {populated} 个，共 {people:,.1f} 人；每个像元拆分为 {k}×{k} 份，分摊到 {cell:g} 米网格",
        "raster {width}×{height} pixels of {res_x:g}×{res_y:g} ({crs}); read {read_width}×{read_height} over the "
        "region; {populated} populated pixels, {people:,.1f} people; pixels split {k}×{k} to spread over the "
        "{cell:g} m cells",
    ),
    "import.population.raster_straddle": (
        "{n} 个网格跨越镇街边界：各归入其人口最多的镇街（{people:,.1f} 人计入相邻镇街）",
        "{n} grid cells straddle towns: each given to the town with most of its people ({people:,.1f} people "
        "counted in a neighbouring town)",
    ),
    "import.population.raster_aggregated": (
        "已汇总到 {cell:g} 米网格：{n} 个网格，{people:,.1f} 人",
        "aggregated onto the {cell:g} m grid: {n} cells, {people:,.1f} people",
    ),
    **_FILL,
}
