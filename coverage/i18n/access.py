"""Catalogue: accessibility (2SFCA family), equity and the community level.

Each entry is ``key: (中文, English)``; :mod:`coverage.i18n` merges every catalogue module.
"""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # methods
    "access.method.2sfca": ("两步移动搜索法 (2SFCA)", "two-step floating catchment (2SFCA)"),
    "access.method.e2sfca": ("增强两步移动搜索法 (E2SFCA, 分段权重)", "enhanced 2SFCA (stepped weights)"),
    "access.method.gaussian": ("高斯两步移动搜索法", "Gaussian 2SFCA"),
    # capacities
    "access.capacity.beds": ("床位", "beds"),
    "access.capacity.nursing_beds": ("护理型床位", "nursing beds"),
    "access.capacity.seats": ("座位", "seats"),
    "access.capacity.staff": ("工作人员", "staff"),
    "access.capacity.facilities": ("设施", "facilities"),
    # travel cost
    "access.cost_mode.network": ("按路网通行时间", "road-network travel time"),
    "access.cost_mode.distance": ("无路网, 按直线距离", "no road network: straight-line distance"),
    # command output
    "access.progress": ("计算可达性", "accessibility"),
    "access.title": ("{layer}: 每千名{group}可及{capacity} — {method}",
                     "{layer}: {capacity} within reach per 1,000 {group} — {method}"),
    "access.standard": ("服务标准 ({area}): {label}; {cost_mode}", "Service standard ({area}): {label}; {cost_mode}"),
    "access.header": ("范围: 人均可及 (P10 / 中位 / P90) | 本地拥有 | 有可及者占比",
                      "Area: mean within reach (P10 / median / P90) | located in the area | share with any in reach"),
    "access.row": ("  {name}: {mean:.1f} ({p10:.1f} / {p50:.1f} / {p90:.1f}) | {local:.1f} | {reach:.1%}",
                   "  {name}: {mean:.1f} ({p10:.1f} / {p50:.1f} / {p90:.1f}) | {local:.1f} | {reach:.1%}"),
    "access.city": ("全市", "City"),
    "access.plan_target": ("规划指标 {indicator}: 目标 {target:g}", "Plan indicator {indicator}: target {target:g}"),
    "access.no_capacity_values": ("{n} 处设施无{capacity}数据, 按 0 计",
                                  "{n} facilities have no {capacity} value (counted as 0)"),
    "access.wrote": ("已写入 {path} ({rows} 行)", "wrote {path} ({rows} rows)"),
    # equity
    "equity.progress": ("计算公平性", "equity"),
    "equity.title": ("{layer}: 服务公平性 ({group})", "{layer}: equity of service ({group})"),
    "equity.header": ("分组: 覆盖率 | 超出标准 | 超出两倍标准 | 人均可及{capacity}(每千人) | 基尼系数",
                      "Group: coverage | beyond the standard | beyond twice the standard | "
                      "{capacity} within reach per 1,000 | Gini"),
    "equity.row": ("  {name}: {rate:.1%} | {beyond:.1%} | {beyond2:.1%} | {value:.2f} | {gini:.3f}",
                   "  {name}: {rate:.1%} | {beyond:.1%} | {beyond2:.1%} | {value:.2f} | {gini:.3f}"),
    "equity.indices": ("可达性不平等: 基尼系数 {gini:.3f} (仅有可及者 {gini_covered:.3f}), 泰尔指数 {theil:.3f}",
                       "Inequality of accessibility: Gini {gini:.3f} (people with any in reach {gini_covered:.3f}), "
                       "Theil {theil:.3f}"),
    "equity.worst": ("服务最差的 {n} 个镇街:", "The {n} worst-served towns:"),
    "equity.worst_row": ("  {rank}. {town} ({district}): 覆盖率 {rate:.1%}, 超出两倍标准 {beyond2:.1%}, 每千人 {value:.2f}",
                         "  {rank}. {town} ({district}): coverage {rate:.1%}, beyond twice the standard "
                         "{beyond2:.1%}, {value:.2f} per 1,000"),
    # community
    "community.progress": ("计算社区覆盖", "community coverage"),
    "community.title": ("{layer}: 村(社区)覆盖", "{layer}: community coverage"),
    "community.needs_layer": ("需要上传村(社区)图层 (--communities 文件) 才能计算村(社区)指标",
                              "Community figures need an uploaded community layer (--communities FILE)"),
    "community.summary": ("村(社区) {n} 个, 有设施 {k} 个 ({share:.1%}); 判定: {rule}",
                          "{n} communities, {k} with a facility ({share:.1%}); rule: {rule}"),
    "community.rule.inside": ("设施位于村(社区)范围内", "a facility inside the community"),
    "community.rule.within_standard": ("服务标准内有设施", "a facility within the service standard"),
    "community.district_row": ("  {name}: {k}/{n} ({share})", "  {name}: {k}/{n} ({share})"),
    "community.circle": ("村(社区)服务圈: {n} 个村(社区)中 {full} 个全部覆盖; 未归属村(社区)的服务人口 {unassigned:,.0f}",
                         "Circle per community: {full} of {n} fully covered; served people in no community "
                         "{unassigned:,.0f}"),
    "community.indicator.community_day_care_coverage": ("社区日间照料机构覆盖率", "community day-care coverage"),
    "community.indicator.volunteer_point_coverage": ("志愿服务站点在社区综合服务设施中的覆盖率",
                                                     "volunteer points in community service facilities"),
    "community.indicator_row": ("  {name}: {value} (目标 {target}) — {status}",
                                "  {name}: {value} (target {target}) — {status}"),
    "community.status.ok": ("已计算", "computed"),
    "community.status.needs_community_layer": ("需要村(社区)图层", "needs a community layer"),
    "community.status.needs_facility_layer": ("缺少对应设施图层", "needs a facility layer for it"),
    "community.status.no_target": ("目标表中无此指标", "no target in the targets table"),
    "community.met.true": ("达标", "met"),
    "community.met.false": ("未达标", "not met"),
    "community.none": ("—", "—"),
}
