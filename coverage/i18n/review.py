"""Strings of the annual review and the Word report (``review.*`` / ``report.*`` keys)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # statuses (coverage.review.Status values)
    "review.status.met": ("达标", "met"),
    "review.status.not_met": ("未达标", "not met"),
    "review.status.not_yet_due": ("未到期", "not yet due"),
    "review.status.not_yet_due_year": ("未到期（{year}年目标）", "not yet due ({year} target)"),
    "review.status.measured": ("已测算", "measured"),
    "review.status.cannot_compute": ("无法计算", "cannot compute"),
    # reasons (coverage.review.Reason values)
    "review.reason.layer_missing": ("缺少{detail}图层", "the {detail} layer is missing"),
    "review.reason.layer_empty": ("{detail}图层没有设施", "the {detail} layer has no facilities"),
    "review.reason.column_missing": ("缺少 {detail} 列", "column {detail} is missing"),
    "review.reason.column_empty": ("{detail} 列全部为空", "column {detail} is empty"),
    "review.reason.nursing_beds_exceed_beds": (
        "{detail} 家机构护理型床位数大于床位数", "{detail} institution(s) list more nursing beds than beds"),
    "review.reason.no_base": ("分母为 0（无单位或无人口）", "nothing to measure against (no units or no residents)"),
    "review.reason.reach_failed": ("服务范围无法计算（{detail}）", "service areas could not be computed ({detail})"),
    "review.reason.unknown_measure": ("未知口径 {detail}", "unknown measure {detail}"),
    # levels and places
    "review.level.city": ("全市", "City"),
    "review.level.district": ("区县", "District"),
    "review.level.town": ("镇街", "Town"),
    "review.city_name": ("江门市", "Jiangmen"),
    # units of values and gaps
    "review.value.has": ("有", "yes"),
    "review.value.lacks": ("无", "no"),
    "review.unit.per_1000": ("张/千名老人", "beds per 1,000 aged 60+"),
    "review.gap.towns": ("还需 {n} 个乡镇(街道)", "{n} more towns"),
    "review.gap.towns.one": ("还需 {n} 个乡镇(街道)", "{n} more town"),
    "review.gap.counties": ("还需 {n} 个县级行政区", "{n} more counties"),
    "review.gap.counties.one": ("还需 {n} 个县级行政区", "{n} more county"),
    "review.gap.nursing_beds.one": ("还需 {n} 张护理型床位", "{n} more nursing bed"),
    "review.gap.beds.one": ("还需 {n} 张床位", "{n} more bed"),
    "review.gap.people.one": ("还需覆盖 {n} 人", "{n} more person to cover"),
    "review.gap.nursing_beds": ("还需 {n} 张护理型床位", "{n} more nursing beds"),
    "review.gap.beds": ("还需 {n} 张床位", "{n} more beds"),
    "review.gap.people": ("还需覆盖 {n} 人", "{n} more people to cover"),
    "review.gap.uncovered_people": ("未覆盖 {n} 人", "{n} people not covered"),
    "review.gap.facilities": ("需新建 {n} 处", "{n} facilities to build"),
    "review.gap.facilities.one": ("需新建 {n} 处", "{n} facility to build"),
    # the unit of a gap (a column of the CSV and the XLSX)
    "review.gap_unit.towns": ("个乡镇(街道)", "towns"),
    "review.gap_unit.counties": ("个县级行政区", "counties"),
    "review.gap_unit.nursing_beds": ("张护理型床位", "nursing beds"),
    "review.gap_unit.beds": ("张床位", "beds"),
    "review.gap_unit.people": ("人(待覆盖)", "people to cover"),
    "review.gap_unit.uncovered_people": ("人(未覆盖)", "people not covered"),
    "review.gap_unit.facilities": ("处(需新建)", "facilities to build"),
    "review.unit.presence": ("有=1, 无=0", "1 = has one, 0 = none"),
    "review.target.presence": ("应配置", "should have one"),
    "review.target.基本建成": ("基本建成", "basically in place"),
    "review.target.by_year": ("{year}年 {target}", "{target} by {year}"),
    "review.note.lacking": ("缺少: {names}", "lacking: {names}"),
    "review.note.skipped": ("{n} 家机构缺少床位数据, 未计入", "{n} institution(s) without bed data left out"),
    "review.note.list_sep": ("、", ", "),
    # table headers
    "review.col.status": ("完成情况", "Status"),
    "review.col.indicator": ("指标", "Indicator"),
    "review.col.level": ("层级", "Level"),
    "review.col.place": ("地区", "Place"),
    "review.col.value": ("测算值", "Measured"),
    "review.col.target": ("目标", "Target"),
    "review.col.gap": ("差距", "Gap"),
    "review.col.note": ("说明", "Note"),
    "review.col.unit": ("单位", "Unit"),
    "review.col.caveat": ("数据性质", "Data"),
    "review.caveat.short": ("† 含推算或示意数据", "† modelled or illustrative inputs"),
    "review.col.target_value": ("目标值", "Target value"),
    "review.col.gap_unit": ("差距单位", "Gap unit"),
    "review.col.year": ("年份", "Year"),
    "review.col.target_2023": ("2023年目标", "2023 target"),
    "review.col.target_2025": ("2025年目标", "2025 target"),
    # sheets
    "review.sheet.overview": ("概况", "Overview"),
    "review.sheet.city": ("全市", "City"),
    "review.sheet.district": ("区县", "Districts"),
    "review.sheet.town": ("镇街", "Towns"),
    "review.sheet.trajectory": ("逐年", "By year"),
    "review.sheet.notes": ("说明", "Notes"),
    "review.unit.rate": ("%", "%"),
    # notes
    "review.notes.year": (
        "评估年份: {year}年; 启用年份晚于{year}年的设施不计入。",
        "Review year: {year}; facilities opened after {year} are left out.",
    ),
    "review.notes.undated": (
        "{n} 处设施无启用年份, 视为已启用。", "{n} facilities have no opening year and are counted as open."),
    "review.notes.targets": (
        "考核目标: 《江门市民政事业发展“十四五”规划》主要指标表、重点工程与正文(十三五完成情况表仅用于2020年); "
        "对照评估年份当年或之后最近的目标年份(2023/2025)。",
        "Targets: the main-indicator table, key projects and text of Jiangmen's 14th Five-Year Plan for civil "
        "affairs (the 13th-plan completion table for 2020 only); each year is judged against the next milestone "
        "due (2023 or 2025).",
    ),
    "review.notes.comparator": (
        "“50%以上”按含本数(≥50%)判断: 规划正文两处写“覆盖率达到50%以上”, 主要指标表写“>50”; 同表把正文的"
        "“60%以上”写作“≥60”, 且按通行用法(《民法典》第1259条)“以上”包括本数。所有目标统一按目标表的比较符判断。",
        "The plan's “50 % or more” (yishang; “>50” in its table) is read as inclusive (≥50 %): its text twice "
        "says the coverage should “reach 50 % or more”, the same table writes the text's “60 % or more” as “≥60”, "
        "and in Chinese legal usage (Civil Code art. 1259) yishang includes the number. Every target is judged "
        "with the one comparator of the targets table.",
    ),
    "review.notes.standard": ("服务标准 — {layer}: {standard}", "Service standard — {layer}: {standard}"),
    "review.notes.method.network": ("按路网通行时间计算", "measured on the road network"),
    "review.notes.method.distance": (
        "未提供路网, 按直线距离(GB 50180-2018)计算", "no road network: straight-line distance (GB 50180-2018)"),
    "review.notes.unit_standard": (
        "乡镇(街道)/县级覆盖率: 单位内至少 1 处设施即计为覆盖; 护理型床位占比 = 护理型床位数 ÷ 床位总数"
        "(差距按床位总数不变、将普通床位改为护理型床位计算)。",
        "Town / county coverage: a unit counts when it has at least one facility; nursing-bed share = nursing "
        "beds ÷ all beds (the gap assumes ordinary beds converted, total beds unchanged).",
    ),
    "review.notes.statuses": (
        "完成情况: 达标 / 未达标按目标判断; 评估年份早于目标年份且尚未达到时为“未到期”; “无法计算”表示所需数据缺失; "
        "社区15分钟居家养老服务圈在规划中无量化目标(“基本建成”), 只报告覆盖率(“已测算”)。",
        "Status: met / not met against the target; “not yet due” when the milestone year is later than the review "
        "year and not reached yet; “cannot compute” when inputs are missing; the 15-minute elder-care circle has no "
        "numeric target in the plan (“basically in place”), so only its rate is reported (“measured”).",
    ),
    "review.notes.rounding": (
        "区县差距是各区县各自达到目标所需的数量, 按区县分别向上取整, 因此各区县之和可以大于全市差距({items}); "
        "规划目标按全市考核, 全市差距按全市合计计算。",
        "A district's gap is what that district needs to reach the target on its own, rounded up district by "
        "district, so the districts can add up to more than the city's gap ({items}); the plan's targets are "
        "city-wide and the city's gap is computed on the city's totals.",
    ),
    "review.notes.rounding_item": ("{indicator}: 全市 {city}, 各区县合计 {districts}",
                                   "{indicator}: city {city}, districts {districts}"),
    "review.overview.generated": ("生成日期: {date}", "Generated on {date}"),
    "review.overview.modelled": ("推算或示意的输入: {items}", "Modelled or illustrative inputs: {items}"),
    "review.overview.all_real": ("全部输入均为上传的真实数据。", "Every input is real uploaded data."),
    "review.overview.sheets": ("工作表: {names}", "Sheets: {names}"),
    "review.notes.sources": ("数据来源: {items}", "Data sources: {items}"),
    "review.notes.caveat": (
        "† 标注的数值使用了推算或示意数据, 只能演示方法, 不代表实际完成情况。",
        "† marks figures computed from modelled or illustrative inputs: they demonstrate the method and are not "
        "the bureau's actual results.",
    ),
    "review.input.districts": ("区县边界", "district boundaries"),
    "review.input.towns": ("镇街边界", "town boundaries"),
    "review.input.population": ("人口网格", "population grid"),
    "review.input.roads": ("路网", "road network"),
    # the Word report
    "report.title": ("江门市民政事业发展“十四五”规划\n指标年度评估报告", "Jiangmen 14th Five-Year Plan for civil affairs\nAnnual indicator review"),
    "report.subtitle": ("{year}年度", "Review year {year}"),
    "report.date": ("编制日期: {date}", "Prepared on {date}"),
    "report.generated_by": ("由 coverage 自动生成", "Generated by coverage"),
    "report.draft_mark": ("演示数据 — 非正式评估结果", "Demonstration data — not an official result"),
    "report.summary": ("一、评估摘要", "1. Summary"),
    "report.summary_counts": (
        "全市层面共测算 {n} 项指标: 达标 {met} 项, 未达标 {not_met} 项, 未到期 {not_yet_due} 项, "
        "无法计算 {cannot_compute} 项, 无量化目标 {measured} 项。",
        "{n} indicators measured for the city: {met} met, {not_met} not met, {not_yet_due} not yet due, "
        "{cannot_compute} cannot be computed, {measured} without a numeric target.",
    ),
    "report.worst_gaps": ("差距最大的指标(全市)", "Largest gaps (city)"),
    "report.worst_districts": ("差距最大的区县", "Districts furthest from target"),
    "report.no_gaps": ("全市各项有量化目标的指标均已达标。", "Every indicator with a numeric target is met."),
    "report.tables": ("二、指标完成情况", "2. Indicators"),
    "report.community": ("村(社区)层面指标", "Community-level indicators"),
    "report.maps": ("三、分区地图", "3. Maps"),
    "report.map_caption": ("图 {n}: {name} ({level}, {year}年)", "Figure {n}: {name} ({level}, {year})"),
    "report.trajectory": ("四、逐年进展", "4. Year by year"),
    "report.trajectory_caption": (
        "图 {n}: {name} — {first}–{year}年逐年值(按设施启用年份)与2023、2025年目标",
        "Figure {n}: {name} — yearly value {first}–{year} (from opening years) against the 2023 and 2025 targets",
    ),
    "report.equity": ("五、服务公平性", "5. Equity of service"),
    "report.equity_layer": ("{layer}({group})", "{layer} ({group})"),
    "report.equity_summary": (
        "可达性(每千名服务对象的设施容量)的基尼系数 {gini:.3f}, 泰尔指数 {theil:.3f}; 两倍标准: 标准距离/时间 × {factor:g}。",
        "Gini index of accessibility (capacity per 1,000 served) {gini:.3f}, Theil index {theil:.3f}; "
        "twice the standard: the standard's distance/time × {factor:g}.",
    ),
    "report.equity_worst": ("服务最差的镇街", "Worst-served towns"),
    "report.col.group": ("组别", "Group"),
    "report.col.coverage": ("覆盖率", "Coverage"),
    "report.col.beyond": ("标准外", "Beyond the standard"),
    "report.col.beyond_2x": ("两倍标准外", "Beyond twice the standard"),
    "report.col.access": ("可达性(设施容量/千名服务对象)", "Accessibility (capacity per 1,000 served)"),
    "report.col.gini": ("基尼系数", "Gini"),
    "report.progress.equity": ("测算公平性", "measuring equity"),
    "report.methods": ("六、方法与数据说明", "6. Methods and data"),
    "report.data_notice": ("数据说明", "Data notice"),
    "report.col.input": ("输入数据", "Input"),
    "report.col.source": ("性质", "Provenance"),
    "report.progress.review": ("测算指标", "measuring indicators"),
    "report.progress.tables": ("写入表格", "writing the tables"),
    "report.progress.maps": ("绘制地图", "drawing maps"),
    "report.progress.charts": ("绘制图表", "drawing charts"),
    "report.progress.write": ("写入文档", "writing the document"),
    # maps and charts
    "report.legend.has": ("有设施", "has a facility"),
    "report.legend.lacks": ("无设施", "no facility"),
    "report.legend.no_data": ("无数据", "no data"),
    "report.legend.value": ("{year} 年测算值", "Measured, {year}"),
    "report.chart.value": ("测算值", "measured"),
    "report.chart.target": ("{year}年目标", "{year} target"),
    "report.chart.plan_2020": ("2020年规划实际值", "2020 actual (plan)"),
    "report.chart.by_district": ("各区县 {name}", "{name} by district"),
    "report.scale": ("{km} 千米", "{km} km"),
    "report.north": ("北", "N"),
}
