"""Header aliases: Chinese and English column names mapped to canonical fields.

Matching is case-, width- and space-insensitive (NFKC-normalised, lower-cased, spaces,
underscores and hyphens removed) and ignores a trailing unit in brackets, so
``"床位数（张）"``, ``" Beds "`` and ``"BEDS"`` all match ``beds``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable, Mapping

__all__ = [
    "FACILITY_ALIASES",
    "TOWN_ALIASES",
    "POPULATION_ALIASES",
    "normalise_header",
    "match_columns",
]

FACILITY_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("名称", "机构名称", "站点名称", "设施名称", "单位名称", "服务站名称", "名稱", "機構名稱", "設施名稱", "name", "facility", "facilityname"),
    "lon": ("经度", "經度", "lon", "lng", "long", "longitude", "x", "东经"),
    "lat": ("纬度", "緯度", "lat", "latitude", "y", "北纬"),
    "type": ("类型", "机构类型", "设施类型", "type", "category", "kind"),
    "address": ("地址", "详细地址", "机构地址", "address", "addr"),
    "town": ("所属镇街", "镇街", "所属镇(街道)", "所属镇街道", "镇(街道)", "乡镇街道", "镇街道", "乡镇", "街道", "town", "township", "towncode", "town_code"),
    "district": ("区县", "所属区县", "区(市)", "县区", "所属区", "district", "county", "districtcode"),
    "beds": ("床位数", "床位", "总床位数", "beds", "bedcount"),
    "nursing_beds": ("护理型床位数", "护理型床位", "nursingbeds", "nursing_beds"),
    "opening_year": ("启用年份", "建成年份", "开业年份", "成立年份", "openingyear", "opening_year", "year"),
    "id": ("编号", "序号", "机构编号", "id", "facilityid", "facility_id", "code"),
}

TOWN_ALIASES: dict[str, tuple[str, ...]] = {
    "code": ("town_code", "towncode", "代码", "区划代码", "统计用区划代码", "乡镇代码", "镇街代码", "编码", "code", "township_code_9", "adcode"),
    "name": ("town_zh", "镇街", "镇街名称", "乡镇", "乡镇名称", "乡镇街道", "名称", "name", "town", "township", "township_name"),
    "district": ("district_zh", "区县", "所属区县", "district", "county", "district_name"),
}

POPULATION_ALIASES: dict[str, tuple[str, ...]] = {
    "pop_total": ("pop_total", "人口", "总人口", "常住人口", "人口数", "population", "pop", "total", "value"),
    "pop_60plus": ("pop_60plus", "60岁及以上", "60岁以上", "老年人口", "60+", "pop60", "pop60plus", "age60plus"),
    "pop_0_17": ("pop_0_17", "0-17岁", "0至17岁", "儿童", "未成年人口", "0-17", "pop017", "age017"),
    "cell_id": ("cell_id", "cellid", "id", "编号"),
}

_BRACKETED_SUFFIX = re.compile(r"[(\[][^()\[\]]*[)\]]$")


def normalise_header(header: object) -> str:
    """Canonical comparison key for a header cell (see module docstring)."""
    if header is None:
        return ""
    s = unicodedata.normalize("NFKC", str(header)).strip().lstrip("\ufeff").lower()
    return re.sub(r"[\s_\-]+", "", s)


def _keys(header: object) -> list[str]:
    key = normalise_header(header)
    out = [key]
    stripped = _BRACKETED_SUFFIX.sub("", key)
    if stripped and stripped != key:
        out.append(stripped)
    return out


def match_columns(
    headers: Iterable[object], aliases: Mapping[str, Iterable[str]]
) -> dict[str, str]:
    """Map canonical field → the first header that matches one of its aliases.

    Parameters
    ----------
    headers : iterable
        Header cells as read from the file (their original spelling is kept in the result).
    aliases : mapping
        Canonical field → accepted spellings (e.g. :data:`FACILITY_ALIASES`).

    Returns
    -------
    dict
        Only the fields found. Each header is used for at most one field; an exact
        match wins over a match with the unit suffix removed.
    """
    lookup: dict[str, str] = {}
    for field, names in aliases.items():
        for n in names:
            lookup.setdefault(normalise_header(n), field)
    headers = [h for h in headers if h is not None and str(h).strip() != ""]
    found: dict[str, str] = {}
    used: set[int] = set()
    for pass_no in (0, 1):
        for i, h in enumerate(headers):
            if i in used:
                continue
            keys = _keys(h)
            if pass_no >= len(keys):
                continue
            field = lookup.get(keys[pass_no])
            if field is not None and field not in found:
                found[field] = str(h)
                used.add(i)
    return found
