"""The facility-layer registry.

Every layer the planner knows: its id, names, the population group it serves
and the administrative level its plan indicator is counted at.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Level = Literal["point", "town", "county"]


@dataclass(frozen=True)
class Layer:
    """A facility layer.

    Parameters
    ----------
    id : str
        Stable identifier, used in file names and on the command line.
    zh, en : str
        Chinese and English names.
    served_column : str
        Population-grid column of the group the layer serves
        (``pop_60plus``, ``pop_0_17`` or ``pop_total``).
    level : {"point", "town", "county"}
        ``point``: population coverage within a travel standard is the indicator;
        ``town`` / ``county``: the plan counts towns / counties with at least one facility.
    count_2020 : int or None
        Count published by the plan for end-2020 (None where it publishes none).
    """

    id: str
    zh: str
    en: str
    served_column: str
    level: Level
    count_2020: int | None = None


LAYERS: dict[str, Layer] = {
    layer.id: layer
    for layer in (
        Layer("elder_care_station", "居家养老服务站点", "Home elder-care station", "pop_60plus", "point", 581),
        Layer("elder_canteen", "长者饭堂", "Elder canteen", "pop_60plus", "point", 60),
        Layer("elder_care_institution", "养老机构", "Elder-care institution", "pop_60plus", "point", 103),
        Layer("elder_care_centre", "镇街综合养老服务中心", "Town comprehensive elder-care centre", "pop_60plus", "town", None),
        Layer("child_protection_post", "乡镇(街道)未成年人保护工作站", "Town child-protection workstation", "pop_0_17", "town", None),
        Layer("minor_protection_centre", "县级未成年人救助保护中心", "County minor-protection centre", "pop_0_17", "county", 8),
        Layer("social_work_station", "乡镇(街道)社工站", "Town social-work station", "pop_total", "town", 17),
        Layer("ossuary", "公益性骨灰存放设施", "Public ossuary facility", "pop_total", "county", None),
    )
}

SERVED_GROUPS: dict[str, tuple[str, str]] = {
    "pop_total": ("常住人口", "all residents"),
    "pop_60plus": ("60岁及以上", "residents 60+"),
    "pop_0_17": ("0-17岁", "children 0-17"),
}


def get_layer(layer_id: str) -> Layer:
    """Return the layer ``layer_id`` or raise ``ValueError`` listing the valid ids."""
    try:
        return LAYERS[layer_id]
    except KeyError:
        raise ValueError(
            f"unknown layer {layer_id!r}; valid layers: {', '.join(LAYERS)}"
        ) from None
