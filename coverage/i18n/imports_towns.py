"""Catalogue: messages of the town-boundary and community import readers (``coverage/io/towns.py``,
``coverage/io/communities.py``); keys start with ``import.towns.`` and ``import.communities.``.

A town written in a file that matches no official town is reported with the reason
(:data:`_REASONS`: an unknown code, an unknown name, a name two districts share) followed by what the
reader did about it (:data:`_OUTCOMES`); each reason × outcome pair is one key,
``import.<area>.<outcome>.<reason>``. The city's outline a check used is named by its own key
(``area_key``: ``import.tables.area.*``, from :func:`coverage.io.reference.city_area_source`).
"""

from __future__ import annotations

from coverage.i18n.rows import phrased, row_phrase

#: The row a duplicate repeats (:func:`coverage.i18n.rows.row_phrase`).
FIRST_ROW = row_phrase("{first_row}")

#: Why a town written in a file matches no official town (``coverage.io.matching.TownMatcher``).
_REASONS: dict[str, tuple[str, str]] = {
    "unknown_code": ("代码 {town_code} 不是江门 {n} 个镇街之一", "code {town_code} is not one of Jiangmen's {n} towns/streets"),
    "unknown_name": ("“{value}”不是江门 {n} 个镇街之一", "{value!r} is not one of Jiangmen's {n} towns/streets"),
    "ambiguous": ("“{value}”有重名（{names}），请注明所属区县", "{value!r} is ambiguous ({names}); add the district"),
}

#: What the reader did with a row whose town matched nothing: key → (中文, English) after the reason.
_OUTCOMES: dict[str, tuple[str, str]] = {
    "import.towns.matched_by_other": ("；已改按“{other}”列匹配", "; matched by {other} instead"),
    "import.towns.unmatched": ("；该行未能对应任何官方镇街", "; row not matched to an official town"),
    "import.communities.town_from_location": (
        "；所属镇街按该单元的位置确定（{town}）", "; town taken from the unit's location ({town})"),
    "import.communities.no_town": ("；其位置也不在任何镇街内", "; the location lies in no town either"),
    "import.communities.code_town_kept": (
        "；以代码所属镇街（{by_code}）为准", "; the code's town ({by_code}) is kept"),
}  # fmt: skip

MESSAGES: dict[str, tuple[str, str]] = {
    # ------------------------------------------------------------------ towns: the file
    "import.towns.not_vector": (
        "镇街边界须为 GeoJSON、GeoPackage 或压缩的 Shapefile（.zip）",
        "town boundaries must be GeoJSON, GeoPackage or a zipped Shapefile",
    ),
    "import.towns.no_features": ("文件中没有任何要素", "the file holds no features"),
    "import.towns.no_code_or_name_column": (
        "找不到镇街代码列或名称列（可用的列名：{accepted}）",
        "no town code or name column (accepted: {accepted})",
    ),
    "import.towns.z_dropped": (
        "{n} 个要素带三维坐标：已舍去高程（Z）",
        "{n} features have 3D coordinates: the height (Z) is dropped",
    ),
    "import.towns.no_crs": ("文件未声明坐标系，按经纬度读取", "the file declares no CRS; longitude/latitude assumed"),
    "import.towns.reprojected": ("已从 {crs} 转换为 WGS-84", "reprojected from {crs} to WGS-84"),
    "import.towns.datum_converted": ("已从 {datum} 转换为 WGS-84", "converted from {datum} to WGS-84"),
    "import.towns.far_from_jiangmen": (
        "按经纬度读取，多边形范围为东经 {x0} 至 {x1}、北纬 {y0} 至 {y1}，远离江门（东经 {bx0}-{bx1}、北纬 {by0}-{by1}）："
        "文件声明的坐标系为 {crs}，这是它真实的坐标系吗？",
        "the polygons span {x0} to {x1} E, {y0} to {y1} N as longitude/latitude, nowhere near Jiangmen "
        "({bx0}-{bx1} E, {by0}-{by1} N): the file declares CRS {crs}; is that its real coordinate system?",
    ),
    "import.towns.far_from_jiangmen_no_crs": (
        "按经纬度读取，多边形范围为东经 {x0} 至 {x1}、北纬 {y0} 至 {y1}，远离江门（东经 {bx0}-{bx1}、北纬 {by0}-{by1}）："
        "文件未声明坐标系（已按经纬度读取），这是它真实的坐标系吗？",
        "the polygons span {x0} to {x1} E, {y0} to {y1} N as longitude/latitude, nowhere near Jiangmen "
        "({bx0}-{bx1} E, {by0}-{by1} N): the file declares no CRS (longitude/latitude assumed); "
        "is that its real coordinate system?",
    ),
    # ------------------------------------------------------------------ towns: each feature
    "import.towns.no_name_or_code": ("没有镇街名称或代码", "no town/street name or code"),
    "import.towns.name_differs_from_code": (
        "名称对应 {named}，代码对应 {kept}：以代码为准", "the name is {named} but the code is {kept}: the code's town is kept"),
    "import.towns.duplicate_town": phrased(
        "镇街 {town_code}（{name}）已由{where}给出",
        "town {town_code} ({name}) already given by {where}", where=FIRST_ROW,
    ),
    "import.towns.missing_geometry": ("缺少几何图形", "missing geometry"),
    "import.towns.too_many_vertices": (
        "多边形有 {n:,} 个顶点，超过每个镇街 {limit:,} 个的上限（settings.MAX_TOWN_VERTICES）；请先简化边界",
        "the polygon has {n:,} vertices, over the limit of {limit:,} per town (settings.MAX_TOWN_VERTICES); "
        "simplify the boundary first",
    ),
    "import.towns.too_many_vertices_in_all": (
        "所有多边形共有 {n:,} 个顶点，超过 {limit:,} 个的上限（settings.MAX_TOWNS_VERTICES）；请先简化边界",
        "the polygons have {n:,} vertices in all, over the limit of {limit:,} (settings.MAX_TOWNS_VERTICES); "
        "simplify the boundaries first",
    ),
    "import.towns.shapefile_too_many_vertices": (
        "压缩包中的 Shapefile 解压后可容纳约 {n:,} 个顶点，超过 {limit:,} 个的上限（settings.MAX_TOWNS_VERTICES）；"
        "请先简化边界",
        "the zipped Shapefile expands to room for about {n:,} vertices, over the limit of {limit:,} "
        "(settings.MAX_TOWNS_VERTICES); simplify the boundaries first",
    ),
    "import.towns.polygon_tangled": (
        "多边形无效，且其边相互交叉超过 {limit:,} 处（settings.MAX_TOWN_REPAIR_CROSSINGS），无法修复："
        "边界可能沿同一轮廓绕行多圈；请在地理信息软件中修正后重新导出",
        "invalid polygon whose edges cross each other in more than {limit:,} places "
        "(settings.MAX_TOWN_REPAIR_CROSSINGS), too tangled to repair: the boundary may run round the same outline "
        "many times; fix it in a GIS program and export it again",
    ),
    "import.towns.polygon_unrepairable": (
        "多边形无效，且无法修复：{detail}；请在地理信息软件中修正后重新导出",
        "invalid polygon that cannot be repaired: {detail}; fix it in a GIS program and export it again",
    ),
    "import.towns.polygon_repaired": ("多边形无效（{detail}），已修复", "invalid polygon ({detail}) repaired"),
    "import.towns.not_polygon": ("几何类型为 {geom_type}，不是多边形", "geometry is a {geom_type}, not a polygon"),
    # ------------------------------------------------------------------ towns: the polygons as a whole
    "import.towns.missing_official": (
        "官方 {total} 个镇街中有 {n} 个不在文件中：{towns}",
        "{n} of the {total} official towns are not in the file: {towns}",
    ),
    "import.towns.degenerate_polygon": (
        "镇街 {town}：多边形面积仅 {area:,.0f} m²，小于 {min_area:,.0f} m²（{setting}），是退化的多边形",
        "town {town}: the polygon's area is {area:,.0f} m², below {min_area:,.0f} m² ({setting}): "
        "a degenerate polygon",
    ),
    "import.towns.covers_city": (
        "镇街 {town} 覆盖了全市（{area_key}）的 {share:.0%}：一个多边形覆盖江门大部分地区，会把其中所有人口网格和设施都归入该镇街",
        "town {town} covers {share:.0%} of the city ({area_key}): one polygon for most of Jiangmen would take "
        "every cell and facility in it",
    ),
    "import.towns.overlap": phrased(
        "镇街 {town_a}（{where_a}）与 {town_b}（{where_b}）重叠 {km2:,.2f} km²（占较小者的 {share:.0%}）："
        "重叠区内的人口网格只归入其中一个镇街",
        "towns {town_a} ({where_a}) and {town_b} ({where_b}) overlap by {km2:,.2f} km² "
        "({share:.0%} of the smaller): cells in the overlap are given to one of them",
        where_a=row_phrase("{row_a}"), where_b=row_phrase("{row_b}"),
    ),
    "import.towns.seat_in_other": (
        "{town} 的官方驻地不在其多边形内（落在 {holder} 的多边形内）",
        "the official seat of {town} is outside its polygon (it lies in the polygon given for {holder})",
    ),
    "import.towns.seat_in_none": (
        "{town} 的官方驻地不在其多边形内（不在任何多边形内）",
        "the official seat of {town} is outside its polygon (it lies in no polygon)",
    ),
    "import.towns.seats_shifted": (
        "{checked} 个镇街中有 {n} 个的官方驻地落在自身多边形之外：名称或代码是否与多边形错位（例如错了一行）？",
        "{n} of the {checked} towns' official seats lie outside their own polygon: are the names or codes "
        "shifted against the polygons (e.g. by one row)?",
    ),
    # ------------------------------------------------------------------ towns: what the new towns leave out
    # (added to the towns report by coverage.region.Region.with_towns)
    "import.towns.unassigned_cells": (
        "{cells} 个人口网格（{people} 人）不在该文件的任何镇街内：未归入镇街（仍计入所在区县和全市）",
        "{cells} population cells ({people} residents) lie in no town of this file: unassigned "
        "(they still count for their district and the city)",
    ),
    "import.towns.unassigned_facilities": (
        "图层 {layer_id} 有 {n} 个设施不在该文件的任何镇街内：未归入镇街（{ids}）",
        "{n} facilities of {layer_id} lie in no town of this file: unassigned ({ids})",
    ),
    # ------------------------------------------------------------------ towns: town type → area type
    "import.towns.township_as_town": (
        "镇街类型“{town_type}”按镇计（与镇同属乡级行政区，适用农村标准）：{towns}",
        "town type {town_type} counted as 镇 (a township-level unit like 镇: rural standards): {towns}",
    ),
    "import.towns.unknown_town_type": (
        "镇街 {town}：官方名录中的镇街类型“{town_type}”既不是镇（或乡、民族乡），也不是街道，"
        "无法确定按城市还是农村标准；请在名录中写明 area_type（urban 或 rural）",
        "town {town}: the official list's town type {town_type!r} is neither 镇 (or 乡, 民族乡) nor 街道, "
        "so whether urban or rural standards apply is unknown; give its area_type (urban or rural) in the list",
    ),
    "import.towns.unknown_area_type": (
        "镇街 {town}：官方名录中的 area_type“{area_type}”无法识别，应为 urban（城市）或 rural（农村）",
        "town {town}: the official list's area_type {area_type!r} is not urban or rural",
    ),
    # ------------------------------------------------------------------ communities: the file
    "import.communities.raster": (
        "栅格文件不能作为村（社区）图层：应为表格、点或多边形",
        "a raster is not a community layer; expected a table, points or polygons",
    ),
    "import.communities.no_rows": (
        "没有数据行：文件只有表头，没有村（社区）",
        "no data rows: the file holds a header but no communities",
    ),
    "import.communities.no_lon_column": ("找不到经度列（可用的列名：{accepted}）", "no longitude column (accepted: {accepted})"),
    "import.communities.no_lat_column": ("找不到纬度列（可用的列名：{accepted}）", "no latitude column (accepted: {accepted})"),
    "import.communities.no_name_column": ("找不到名称列（可用的列名：{accepted}）", "no name column (accepted: {accepted})"),
    "import.communities.no_name_attribute": (
        "找不到名称属性（可用的属性名：{accepted}）", "no name attribute (accepted: {accepted})"),
    "import.communities.projected": ("投影坐标已转换为 WGS-84", "projected coordinates converted to WGS-84"),
    "import.communities.cgcs2000_as_wgs84": (
        "CGCS2000 坐标按 WGS-84 使用（两者相差不到 1 米）", "CGCS2000 coordinates used as WGS-84 (they differ by < 1 m)"),
    "import.communities.datum_converted": (
        "{n} 个单元已从 {datum} 转换为 WGS-84", "{n} units converted from {datum} to WGS-84"),
    # ------------------------------------------------------------------ communities: each row
    "import.communities.bad_coordinate": ("坐标为空或不是数字", "empty or non-numeric coordinate"),
    "import.communities.no_geometry": ("要素没有几何图形", "feature has no geometry"),
    "import.communities.not_point_or_polygon": (
        "村（社区）应为点或多边形，而不是 {geom_type}", "a community is a point or a polygon, not a {geom_type}"),
    "import.communities.outside": ("位于{area_key}之外", "outside {area_key}"),
    "import.communities.polygon_invalid": ("多边形无效（{detail}）：请在地理信息软件中修正边界后重新导出",
                                           "invalid polygon ({detail}): fix the boundary in a GIS program and export it again"),
    "import.communities.empty_name": ("名称为空", "name is empty"),
    "import.communities.bad_code": (
        "代码“{unit_code}”不是 12 位统计用区划代码", "code {unit_code!r} is not a 12-digit statistical code"),
    "import.communities.duplicate_code": phrased(
        "代码 {unit_code} 已在{where}使用", "code {unit_code} already used on {where}", where=FIRST_ROW),
    "import.communities.code_town_unknown": (
        "代码 {unit_code} 的前 9 位（{prefix}）不是江门 {n} 个镇街之一",
        "the first 9 digits of code {unit_code} ({prefix}) are not one of Jiangmen's {n} towns/streets",
    ),
    "import.communities.town_differs_from_code": (
        "所填镇街（{named}）与代码所属镇街（{by_code}）不一致，以代码为准",
        "the town named ({named}) differs from the code's town ({by_code}); the code's is kept",
    ),
    "import.communities.town_from_location": (
        "所属镇街按该单元的位置确定（{town}）", "town taken from the unit's location ({town})"),
    "import.communities.no_town": (
        "既没有代码也没有所属镇街，其位置也不在任何镇街内",
        "no code and no town given; the location lies in no town either",
    ),
}  # fmt: skip

# every "reason; outcome" pair (see the module docstring)
for _outcome, (_zh, _en) in _OUTCOMES.items():
    for _reason, (_rzh, _ren) in _REASONS.items():
        MESSAGES[f"{_outcome}.{_reason}"] = (_rzh + _zh, _ren + _en)
del _outcome, _zh, _en, _reason, _rzh, _ren
