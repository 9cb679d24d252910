"""Catalogue: messages of the facility-register reader (:mod:`coverage.io.facilities`).

Keys start with ``import.facilities.``. Values that are text from the user's file (cells,
column names) are quoted with ``{value!r}`` in English, as the messages always were.
"""

from __future__ import annotations

from coverage.i18n.rows import phrased, row_phrase

#: The rows a message lists, the row a duplicate repeats (:func:`coverage.i18n.rows.row_phrase`).
ROW_LIST = row_phrase(form="many")
FIRST_ROW = row_phrase("{first_row}")

MESSAGES: dict[str, tuple[str, str]] = {
    # -- the file as a whole ----------------------------------------------------------
    "import.facilities.raster_not_register": (
        "栅格文件不是设施名单：请提供表格（CSV/XLSX）或点图层",
        "a raster is not a facility register; expected a table or points",
    ),
    "import.facilities.no_data_rows": (
        "没有数据行：文件只有表头，没有任何设施",
        "no data rows: the file holds a header but no facilities",
    ),
    "import.facilities.no_name_column": (
        "缺少名称列（可用的列名：{accepted}）",
        "no name column (accepted: {accepted})",
    ),
    "import.facilities.no_lon_column": (
        "缺少经度列（可用的列名：{accepted}）",
        "no longitude column (accepted: {accepted})",
    ),
    "import.facilities.no_lat_column": (
        "缺少纬度列（可用的列名：{accepted}）",
        "no latitude column (accepted: {accepted})",
    ),
    "import.facilities.columns_not_imported": (
        "以下列不是设施字段，未导入：{columns}",
        "columns not imported (not a facility field): {columns}",
    ),
    # -- coordinates ------------------------------------------------------------------
    "import.facilities.empty_coordinate": ("坐标为空", "empty coordinate"),
    "import.facilities.not_a_number": ("“{value}”不是数字", "{value!r} is not a number"),
    "import.facilities.dms_read": (
        "{header} 列有 {n} 个值按度分秒格式读取",
        "{n} values of column {header} read as degrees-minutes-seconds",
    ),
    "import.facilities.converted_datum": (
        "{n} 个点已从 {datum} 转换为 WGS-84",
        "{n} points converted from {datum} to WGS-84",
    ),
    "import.facilities.cgcs2000_as_wgs84": (
        "CGCS2000 坐标按 WGS-84 使用（两者相差不到 1 米）",
        "CGCS2000 coordinates used as WGS-84 (they differ by < 1 m)",
    ),
    "import.facilities.swapped_columns": (
        "{lon_col} 列与 {lat_col} 列填反了（{lon_col} 列是纬度，{lat_col} 列是经度）；已将全部 {n} 行换回",
        "columns {lon_col} and {lat_col} are swapped ({lon_col} holds latitudes, {lat_col} longitudes); "
        "swapped back for all {n} rows",
    ),
    "import.facilities.swapped_row": (
        "{lon_col}={lon:g}、{lat_col}={lat:g} 疑似经纬度填反；已换回",
        "{lon_col}={lon:g} and {lat_col}={lat:g} look swapped; swapped back",
    ),
    "import.facilities.swapped_columns_geometry": (
        "点的 x、y 坐标填反了（x 是纬度，y 是经度）；已将全部 {n} 个要素换回",
        "the points' x and y are swapped (x holds latitudes, y longitudes); swapped back for all {n} features",
    ),
    "import.facilities.swapped_row_geometry": (
        "x={lon:g}、y={lat:g} 疑似经纬度填反；已换回",
        "x={lon:g} and y={lat:g} look swapped; swapped back",
    ),
    "import.facilities.outside_city": (
        "点 ({lon:.6g}, {lat:.6g}) 不在江门市范围内（江门市市界）",
        "point ({lon:.6g}, {lat:.6g}) is outside Jiangmen (the Jiangmen city boundary)",
    ),
    "import.facilities.outside_towns": (
        "点 ({lon:.6g}, {lat:.6g}) 不在江门市范围内（江门市各镇街边界）",
        "point ({lon:.6g}, {lat:.6g}) is outside Jiangmen (the Jiangmen town boundaries)",
    ),
    "import.facilities.outside_bbox": (
        "点 ({lon:.6g}, {lat:.6g}) 不在江门市范围内（江门市外接矩形：东经 {x0}-{x1}，北纬 {y0}-{y1}）",
        "point ({lon:.6g}, {lat:.6g}) is outside Jiangmen (the Jiangmen bounding box ({x0}-{x1} E, {y0}-{y1} N))",
    ),
    "import.facilities.outside_boundary": (
        "点 ({lon:.6g}, {lat:.6g}) 不在江门市范围内（指定的边界）",
        "point ({lon:.6g}, {lat:.6g}) is outside Jiangmen (the given boundary)",
    ),
    "import.facilities.outside_box": (
        "点 ({lon:.6g}, {lat:.6g}) 不在江门市范围内（指定的矩形：东经 {x0}-{x1}，北纬 {y0}-{y1}）",
        "point ({lon:.6g}, {lat:.6g}) is outside Jiangmen (the box {x0}-{x1} E, {y0}-{y1} N)",
    ),
    "import.facilities.looks_gcj02": (
        "这些点看起来是 GCJ-02（高德/腾讯）坐标，但导入时声明为 WGS-84：填写了所属镇街（{town_column} 列）的 "
        "{named} 行中，有 {fixed} 行按 WGS-84 落在该镇街之外、按 GCJ-02 读取则落在其内（反之 {broken} 行）；"
        "GCJ-02 坐标会偏离道路和镇街约 500-700 米。如果 {lon_col} 列和 {lat_col} 列来自高德、腾讯或国内网络地图，"
        "请选择 GCJ-02 重新导入（--crs gcj02，crs='gcj02'）",
        "the points look like GCJ-02 (Amap/Tencent) coordinates declared as WGS-84: {fixed} of the {named} "
        "rows that name their town ({town_column}) lie outside it as WGS-84 but inside it when read as GCJ-02 "
        "({broken} the other way); GCJ-02 points sit ~500-700 m off the roads and towns. If the columns "
        "{lon_col} and {lat_col} come from Amap, Tencent or a Chinese web map, import again with --crs gcj02 "
        "(crs='gcj02')",
    ),
    "import.facilities.looks_gcj02_geometry": (
        "这些点看起来是 GCJ-02（高德/腾讯）坐标，但导入时声明为 WGS-84：填写了所属镇街（{town_column} 列）的 "
        "{named} 行中，有 {fixed} 行按 WGS-84 落在该镇街之外、按 GCJ-02 读取则落在其内（反之 {broken} 行）；"
        "GCJ-02 坐标会偏离道路和镇街约 500-700 米。如果 {header} 列来自高德、腾讯或国内网络地图，"
        "请选择 GCJ-02 重新导入（--crs gcj02，crs='gcj02'）",
        "the points look like GCJ-02 (Amap/Tencent) coordinates declared as WGS-84: {fixed} of the {named} "
        "rows that name their town ({town_column}) lie outside it as WGS-84 but inside it when read as GCJ-02 "
        "({broken} the other way); GCJ-02 points sit ~500-700 m off the roads and towns. If the column "
        "{header} come from Amap, Tencent or a Chinese web map, import again with --crs gcj02 (crs='gcj02')",
    ),
    # -- vector files -----------------------------------------------------------------
    "import.facilities.features_read": (
        "读取了 {n} 个要素；行号即要素序号（1 = 第一个要素）",
        "read {n} features; row numbers are feature numbers (1 = first feature)",
    ),
    "import.facilities.no_crs": (
        "文件未声明坐标系；按经纬度读取",
        "the file declares no CRS; longitude/latitude assumed",
    ),
    "import.facilities.reprojected": (
        "已从 {crs} 投影转换为经纬度",
        "reprojected from {crs} to longitude/latitude",
    ),
    "import.facilities.geographic_as_wgs84": (
        "地理坐标系 {crs} 按 WGS-84 使用（相差不到 1 米）",
        "geographic CRS {crs} used as WGS-84 (< 1 m apart)",
    ),
    "import.facilities.missing_geometry": ("缺少几何图形", "missing geometry"),
    "import.facilities.geometry_from_columns": phrased(
        "{n} 个要素没有几何图形，按其 {lon_col} 列和 {lat_col} 列的坐标定位：{where}",
        "{n} features without geometry placed at their {lon_col}/{lat_col} values: {where}", where=ROW_LIST,
    ),
    "import.facilities.multipoint_several": (
        "一个多点要素含 {n} 个点：一个要素只能是一个设施（请拆成单点）",
        "a MultiPoint of {n} points: one feature must be one facility (split it into single points)",
    ),
    "import.facilities.multipoint_one": (
        "只含一个点的多点要素按该点读取",
        "a MultiPoint with one point read as that point",
    ),
    "import.facilities.has_z": (
        "{n} 个要素带三维坐标：已舍弃高程（Z）",
        "{n} features have 3D coordinates: the height (Z) is dropped",
    ),
    "import.facilities.non_point": (
        "{n} 个非点要素（线或面）按其内部的一个点导入",
        "{n} non-point features imported at a point inside each",
    ),
    # -- names, ids, duplicates -------------------------------------------------------
    "import.facilities.empty_name": ("名称为空", "empty name"),
    "import.facilities.duplicate": phrased(
        "与{where}重复（名称同为“{name}”，相距 {distance:.1f} 米）；已保留",
        "duplicate of {where} (same name {name!r}, {distance:.1f} m apart); kept", where=FIRST_ROW,
    ),
    "import.facilities.duplicates": phrased(
        "{n:,} 行与前面的行重复（名称相同，相距不超过 {distance:.0f} 米）：{where}；均已保留",
        "{n:,} rows repeat an earlier row (same name, at most {distance:.0f} m apart): {where}; all kept",
        where=row_phrase(form="more"),
    ),
    "import.facilities.no_id_column": (
        "没有编号列：各设施按所在行编号（如第 2 行为 {layer}-r2）",
        "no id column: each facility is numbered by its row ({layer}-r2 for row 2)",
    ),
    "import.facilities.empty_id": ("编号为空；设为 {id}", "empty id; set to {id}"),
    "import.facilities.duplicate_id": phrased(
        "编号“{id}”已在{where}使用",
        "id {id!r} already used on {where}", where=FIRST_ROW,
    ),
    # -- beds and opening years -------------------------------------------------------
    "import.facilities.not_whole_number": (
        "“{value}”不是整数；留空",
        "{value!r} is not a whole number; left empty",
    ),
    "import.facilities.negative_count": (
        "“{value}”是负数；留空",
        "{value!r} is negative; left empty",
    ),
    "import.facilities.too_large": (
        "“{value}”太大，不可能是数量；留空",
        "{value!r} is too large to be a count; left empty",
    ),
    "import.facilities.implausible_year": (
        "{year} 不是合理的启用年份（{first}-{last}）；留空",
        "{year} is not a plausible opening year ({first}-{last}); left empty",
    ),
    "import.facilities.too_many_beds": (
        "{beds:,} 张床位超出单个机构的合理规模（上限 {limit:,} 张）；留空",
        "{beds:,} beds is more than one facility plausibly has (over {limit:,}); left empty",
    ),
    "import.facilities.nursing_over_beds": (
        "护理型床位 {nursing} 张，超过该机构的床位总数 {beds} 张（{beds_column} 列）；两者均保留：请核对该行",
        "{nursing} nursing beds exceed the facility's {beds} beds ({beds_column}); both kept: check the row",
    ),
    # -- towns and districts ----------------------------------------------------------
    "import.facilities.town_unknown_code": (
        "代码 {town_code} 不是江门 {n} 个镇街之一；所属镇街按点位确定",
        "code {town_code} is not one of Jiangmen's {n} towns/streets; town taken from the point's location",
    ),
    "import.facilities.town_unknown_name": (
        "“{value}”不是江门 {n} 个镇街之一；所属镇街按点位确定",
        "{value!r} is not one of Jiangmen's {n} towns/streets; town taken from the point's location",
    ),
    "import.facilities.town_ambiguous": (
        "“{value}”有重名（{names}），请注明所属区县；所属镇街按点位确定",
        "{value!r} is ambiguous ({names}); add the district; town taken from the point's location",
    ),
    "import.facilities.no_town_boundaries": (
        "没有镇街边界可用：文件未写明镇街的行，town_code/district_code 留空",
        "no town boundaries available: town_code/district_code left empty where the file does not name the town",
    ),
    "import.facilities.no_town_polygon": (
        "点不在任何镇街边界内；town_code 留空",
        "point is in no town polygon; town_code left empty",
    ),
    "import.facilities.nearest_town": phrased(
        "{n} 个点不在任何镇街边界内，归入 {max_gap_m:,.0f} 米内最近的镇街：{where}",
        "{n} points lie in no town polygon and were given the nearest town within {max_gap_m:,.0f} m: {where}",
        where=ROW_LIST,
    ),
    "import.facilities.named_town_differs": phrased(
        "{n} 行写明的镇街与点位所在的镇街不同（保留写明的镇街）：{where}",
        "{n} rows name a town other than the polygon containing the point (the named town is kept): {where}",
        where=ROW_LIST,
    ),
    "import.facilities.district_unknown": (
        "区县“{district}”不是江门市的区县；已忽略",
        "district {district!r} is not one of Jiangmen's districts; ignored",
    ),
    "import.facilities.district_differs": (
        "区县“{district}”与该镇街所属区县 {district_code} 不一致；保留镇街所属区县",
        "district {district!r} differs from the town's district {district_code}; the town's is kept",
    ),
}
