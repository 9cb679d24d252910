"""Catalogue: siting text (the CLI's ``site`` printer, the app's siting tab, summaries).

Each entry is ``key: (中文, English)``; :mod:`coverage.i18n` merges every catalogue module. The
library's siting results carry codes (objective, method, status) and numbers; this is where they
become words.
"""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # progress of `python -m coverage site` (coverage.siting.propose.STEPS)
    "siting.progress": ("选址 {layer}", "siting {layer}"),
    "siting.step.reach": ("现有设施的可达范围", "reach of existing facilities"),
    "siting.step.candidates": ("候选点", "candidates"),
    "siting.step.matrix": ("覆盖矩阵（{n:,} 个候选点）", "coverage matrix ({n:,} candidates)"),
    "siting.step.solver": ("求解", "solver"),
    # objectives (coverage.siting.OBJECTIVES)
    "siting.objective.mclp": ("最大覆盖 (新增 k 处, 覆盖最多人口)", "Maximal coverage (k new sites, most people)"),
    "siting.objective.lscp": ("最少站点达到目标覆盖率", "Fewest sites reaching a coverage target"),
    "siting.objective.pmedian": ("最短出行 (p-中位, 新增 k 处)", "Minimum travel (p-median, k new sites)"),
    "siting.objective.one_per_town": ("每个缺设施的镇街一处", "One site in each town lacking one"),
    "siting.objective.one_per_county": ("每个缺设施的区县一处", "One site in each county lacking one"),
    # methods (Solution.solver)
    "siting.method.ilp": ("整数规划 (精确)", "integer programme (exact)"),
    "siting.method.greedy": ("贪心启发式", "greedy heuristic"),
    "siting.method.substitution": ("贪心 + 顶点替换启发式 (Teitz-Bart)", "greedy + vertex substitution heuristic (Teitz-Bart)"),
    "siting.method.ilp+greedy": ("整数规划限时内未胜过贪心解, 采用贪心解", "ILP stopped at its time limit; greedy set kept"),
    "siting.method.ilp+substitution": ("整数规划限时内未胜过贪心 + 顶点替换解, 采用该解",
                                       "ILP stopped at its time limit; greedy + vertex substitution set kept"),
    "siting.method.suffix.greedy": ("(贪心)", "(greedy)"),
    # statuses (Solution.status)
    "siting.status.optimal": ("已证明最优（容差内）", "proven optimal within tolerance"),
    "siting.status.time_limit": ("达到时限", "time limit reached"),
    "siting.status.heuristic": ("启发式解", "heuristic answer"),
    "siting.status.exhausted": ("再增站点无新增效益 (最优)", "no further site adds anything (optimal)"),
    "siting.status.infeasible": ("无法满足", "infeasible"),
    "siting.status.no_candidates": ("没有候选点", "no candidate sites"),
    # summary lines
    "siting.summary.cover": ("{layer}：新增 {n} 处站点，新覆盖服务人口 {new:,} 人，覆盖率 {before:.1f}% → {after:.1f}%",
                             "{layer}: {n} new site(s) newly cover {new:,} people; coverage {before:.1f}% -> {after:.1f}%"),
    "siting.summary.pmedian": ("{layer}：新增 {n} 处站点，服务人群平均出行 {before} → {after}（上限 {cap:g} 倍标准），"
                               "覆盖率 {rate_before:.1f}% → {rate_after:.1f}%",
                               "{layer}: {n} new site(s); mean travel of the served group {before} -> {after} "
                               "(capped at {cap:g}x the standard); coverage {rate_before:.1f}% -> {rate_after:.1f}%"),
    "siting.summary.method": ("方法：{method}，{status}", "method: {method}, {status}"),
    "siting.summary.gap": ("，最优性差距 ≤ {gap:.2%}（界 {bound}）", ", optimality gap <= {gap:.2%} (bound {bound})"),
    "siting.summary.tolerance": ("：最优性差距 {gap} ≤ 容差 {tol}", ": optimality gap {gap} <= tolerance {tol}"),
    "siting.summary.sites_bound": ("{bound:g} 处", "{bound:g} sites"),
    "siting.summary.sources": ("数据来源：{items}", "Data sources: {items}"),
    "siting.cost.s": ("{value:.1f} 分钟", "{value:.1f} min"),
    "siting.cost.m": ("{value:,.0f} 米", "{value:,.0f} m"),
    # the app's table of proposed sites (coverage.ui.views.sites_table / sites_heading)
    "siting.table.heading.cover": ("建议站点 (按新增覆盖人口排序, 每处计入排在其前的站点)",
                                   "Proposed sites (ranked by people newly covered, each after the sites above it)"),
    "siting.table.heading.pmedian": ("建议站点 (按减少出行排序, 每处计入排在其前的站点)",
                                     "Proposed sites (ranked by travel saved, each after the sites above it)"),
    "siting.table.cumulative_rate": ("累计覆盖率", "Cumulative rate"),
    # the site command's ranking lines
    "siting.line.cover": ("  #{rank} {district}{town} {cid}: 新覆盖 常住 {total:,} / 60+ {p60:,} / 0-17 {p017:,} → {rate:.1f}%",
                          "  #{rank} {district} {town} {cid}: newly covers all {total:,} / 60+ {p60:,} / 0-17 {p017:,} -> {rate:.1f}%"),
    "siting.line.pmedian": ("  #{rank} {district}{town} {cid}: 平均出行降至 {mean}，新覆盖 常住 {total:,} / 60+ {p60:,} / 0-17 {p017:,}",
                            "  #{rank} {district} {town} {cid}: mean travel down to {mean}; newly covers all {total:,} / 60+ {p60:,} / 0-17 {p017:,}"),
    "siting.line.more": ("  … 另有 {n} 处", "  … {n} more"),
    "siting.warn.units_without_candidate": ("警告：{n} 个缺设施的单元内没有候选点：{codes}",
                                            "warning: no candidate inside {n} unit(s) lacking a facility: {codes}"),
    "siting.wrote": ("已写出 {path}（{n} 处站点）", "wrote {path} ({n} sites)"),
    "siting.wrote_csv": ("已写出 {path}", "wrote {path}"),
}
