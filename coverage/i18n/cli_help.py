"""Catalogue: the command line's help (``python -m coverage [COMMAND] --help``), worded in ``--lang``.

``cli.help.*`` the top level and argparse's own headings (:class:`coverage.commands._parser.CliParser`),
``cli.command.<NAME>`` each command's one-line description (the list of commands and the command's
own help), ``cli.ws.<ACTION>`` the actions of ``workspace``. The texts go through argparse's help
formatting: a literal per cent sign is written ``%%``. Merged into :mod:`coverage.i18n.cli`.
"""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "cli.help.description": (
        "江门民政服务设施覆盖规划：覆盖率、服务空白、选址与规划评估。"
        "每个命令都接受 --lang zh|en（默认中文）。English: python -m coverage --help --lang en",
        "江门民政 service-coverage planner: coverage, gaps, siting and plan review. "
        "Every command takes --lang zh|en (default zh, Chinese). 中文：python -m coverage --help",
    ),
    "cli.help.commands": ("命令", "commands"),
    "cli.help.help": ("显示本帮助并退出", "show this help message and exit"),
    "cli.help.positionals": ("位置参数", "positional arguments"),
    "cli.help.options": ("选项", "options"),
    # a help section's heading line (argparse's "<heading>:"; a full-width colon in Chinese)
    "cli.help.heading": ("{heading}：", "{heading}:"),
    # -- the commands (coverage/commands/<verb>.py, NAME) --------------------------------------------
    "cli.command.access": (
        "考虑容量的可达性（2SFCA / E2SFCA / 高斯），按镇街、区县和全市（CSV）",
        "capacity-aware accessibility (2SFCA / E2SFCA / Gaussian) per town, district and city (CSV)",
    ),
    "cli.command.community": (
        "某图层的村/社区覆盖、每个社区的生活圈，以及规划中的社区指标",
        "community (村/社区) coverage of a layer, the circle per community and the plan's community indicators",
    ),
    "cli.command.coverage": (
        "某设施图层按镇街、区县和全市的人口覆盖率（CSV）",
        "population coverage rate of a facility layer per town, district and city (CSV)",
    ),
    "cli.command.equity": (
        "某图层的均衡性：按街道/镇和区县的覆盖率与可达性、基尼/泰尔系数、服务最差的镇街",
        "equity of a layer: coverage and accessibility by 街道/镇 and district, Gini/Theil, worst-served towns",
    ),
    "cli.command.gaps": (
        "某设施图层的服务空白区（未覆盖的有人口区域），GeoJSON",
        "gap zones (uncovered populated areas) of a facility layer as GeoJSON",
    ),
    "cli.command.import": (
        "校验设施名录 / 镇街边界 / 人口网格，并按标准格式写出",
        "validate a facility register / town boundaries / population grid and write it in the standard schema",
    ),
    "cli.command.service-areas": (
        "某设施图层的服务范围多边形（路网或 GB 50180 距离），GeoJSON",
        "service-area polygons of a facility layer (road network or GB 50180 distance), GeoJSON",
    ),
    "cli.command.report": (
        "把年度评估写成 Word 报告（.docx），含地图和图表",
        "write the annual review as a Word report (.docx) with maps and charts",
    ),
    "cli.command.review": (
        "对照目标测算“十四五”规划指标（.xlsx / .csv / .md）",
        "measure the 14th Five-Year Plan indicators against their targets (.xlsx / .csv / .md)",
    ),
    "cli.command.site": (
        "为新设施选址（k 个点位、覆盖率目标、最短出行、每个镇街/区县一个），GeoJSON",
        "propose new facility sites (k sites, a coverage target, least travel, one per town/county) as GeoJSON",
    ),
    "cli.command.workspace": (
        "列出、导出、备份、检查或修复已保存的工作区（图层、覆盖数据、方案）",
        "list, export, back up, check or repair the saved workspace (layers, overrides, scenarios)",
    ),
    # -- the actions of ``workspace`` ------------------------------------------------------------------
    "cli.ws.list": (
        "列出已保存的图层、覆盖数据、标准、方案、草稿和备份",
        "list saved layers, overrides, standards, scenarios, drafts and backups",
    ),
    "cli.ws.history": ("显示最近的保存和删除记录", "show the latest saves and deletes"),
    "cli.ws.export": (
        "把已保存的全部内容写成 GeoJSON / CSV / JSON 文件到一个目录（损坏项会被列出并跳过，退出码 2）",
        "write everything saved as GeoJSON / CSV / JSON files into a directory (damaged items are named and "
        "skipped, exit status 2)",
    ),
    "cli.ws.backup": ("复制工作区数据库（应用运行时也可安全进行）", "copy the workspace database (safe while the app is running)"),
    "cli.ws.check": (
        "SQLite 完整性检查，再逐项解码已保存内容；列出损坏项（退出码 2）",
        "SQLite's integrity check, then decode every stored item; name the damaged (exit status 2)",
    ),
    "cli.ws.drop": ("移除一项已保存内容（例如损坏的一项）；需要 --yes", "remove one stored item (e.g. a damaged one); needs --yes"),
    "cli.ws.prune-drafts": (
        "删除超过 DAYS 天未保存的应用会话草稿；需要 --yes", "forget app sessions' drafts not saved for DAYS days; needs --yes"),
    "cli.ws.restore": (
        "启用一个备份（当前文件会被移到一旁）；需要 --yes", "put a backup in place (the current file is moved aside); needs --yes"),
    "cli.ws.arg.workspace": (
        "工作区目录（默认：$COVERAGE_WORKSPACE，否则 ./workspace）",
        "workspace directory (default: $COVERAGE_WORKSPACE, else ./workspace)",
    ),
    "cli.ws.arg.lang": ("输出所用的语言（默认 zh）", "language of what is printed (default zh)"),
    "cli.ws.arg.limit": ("记录条数（默认 20）", "number of events (default 20)"),
    "cli.ws.arg.export_dest": (
        "目标目录（不存在则创建；不为空则拒绝）", "destination directory (created if missing; refused if not empty)"),
    "cli.ws.arg.export_force": (
        "写入不为空的目录，替换同名文件", "write into a non-empty directory, replacing files of the same name"),
    "cli.ws.arg.backup_dest": ("目标 .sqlite 文件，或一个已有的目录", "destination .sqlite file, or an existing directory"),
    "cli.ws.arg.backup_force": (
        "替换已有的目标文件（仅当它本身是 coverage 工作区时）",
        "replace an existing destination (only if it is itself a coverage workspace)",
    ),
    "cli.ws.arg.drop_kind": ("要移除的内容类型", "the kind of the stored item"),
    "cli.ws.arg.drop_name": (
        "其名称（镇街边界 / 人口数据 / 服务标准：与类型同名）",
        "its name (for towns / population / standards: the same word)",
    ),
    "cli.ws.arg.drop_yes": ("确认移除", "confirm the removal"),
    "cli.ws.arg.older_than": ("天数", "age in days"),
    "cli.ws.arg.prune_yes": ("确认删除（不加时只列出）", "confirm the removal (without it: list them)"),
    "cli.ws.arg.restore_backup": ("一个备份 .sqlite 文件", "a backup .sqlite file"),
    "cli.ws.arg.restore_yes": ("确认恢复", "confirm the restore"),
    # -- options several commands share (coverage.cli.add_region_arguments, coverage.commands._options) ----
    "cli.arg.layer": ("设施图层：{layers}", "facility layer: {layers}"),
    "cli.arg.lang": (
        "输出及写出的文字列所用的语言（默认 zh）", "language of what is printed and of the text columns written (default zh)"),
    "cli.arg.lang_summary": ("输出摘要所用的语言", "language of the printed summary"),
    "cli.arg.force": ("替换已有的输出文件（输入文件从不替换）", "replace an existing output file (an input file is never replaced)"),
    "cli.arg.quiet": ("不显示进度条", "no progress bar"),
    "cli.arg.targets": (
        "规划指标表（默认 data/targets/plan_indicators.csv）", "plan-indicator table (default data/targets/plan_indicators.csv)"),
    "cli.arg.year": ("评估年份（默认 2025）", "review year (default 2025)"),
    "cli.arg.group.workspace": (
        "工作区（默认：应用的工作区，$COVERAGE_WORKSPACE 或 ./workspace，若存在）",
        "workspace (default: the app's, $COVERAGE_WORKSPACE or ./workspace, when it exists)",
    ),
    "cli.arg.workspace": (
        "读取此工作区中保存的上传数据（配合 --scenario/--draft 时还有其修改）",
        "read the uploads (and, with --scenario/--draft, the edits) saved in this workspace",
    ),
    "cli.arg.no_workspace": (
        "忽略工作区：只用内置数据和此处给出的文件", "ignore the workspace: the embedded data and the files given here only"),
    "cli.arg.scenario": ("应用此已保存方案的模拟修改", "apply the what-if edits of this saved scenario"),
    "cli.arg.draft": (
        "应用某个应用会话的草稿：其修改和所选标准（页面地址中的 ?draft= 编号）",
        "apply an app session's draft: its edits and standard choices (the ?draft= id in the page address)",
    ),
    "cli.arg.group.data": (
        "数据替换（默认：工作区的数据，否则内置的江门数据）",
        "data overrides (default: the workspace's data, else the embedded Jiangmen data)",
    ),
    "cli.arg.towns": ("镇街边界（GeoJSON/GPKG/压缩的 SHP）", "town/street boundaries (GeoJSON/GPKG/zipped SHP)"),
    "cli.arg.population": ("人口网格（GeoTIFF 或矢量网格）", "population grid (GeoTIFF or vector grid)"),
    "cli.arg.facilities": (
        "图层 LAYER 的设施名录（可重复），例如 elder_care_station=stations.xlsx",
        "facility register for LAYER (repeatable), e.g. elder_care_station=stations.xlsx",
    ),
    "cli.arg.crs": ("替换文件的坐标系（默认 wgs84）", "coordinate system of the override files (default wgs84)"),
    "cli.arg.group.standard": (
        "服务标准（默认：data/standards.csv，按区域类型）", "service standard (default: data/standards.csv, per area type)"),
    "cli.arg.standards": ("替换 data/standards.csv 的标准 CSV", "standards CSV replacing data/standards.csv"),
    "cli.arg.minutes": (
        "该图层的时间上限（分钟；各区域类型保留各自的出行方式）",
        "time limit in minutes for the layer (each area type keeps its own mode)",
    ),
    "cli.arg.mode": ("该图层在所有区域类型中的出行方式", "travel mode for the layer in every area type"),
    "cli.arg.speed": ("出行速度，km/h（默认：data/standards/speeds.csv）", "travel speed in km/h (default: data/standards/speeds.csv)"),
    "cli.arg.distance": (
        "无路网时使用的直线半径（米；默认：出行距离 ÷ 绕行系数，见 data/standards/README.md）",
        "straight-line radius in metres used without a road network (default: the travel distance ÷ the detour "
        "factor, see data/standards/README.md)",
    ),
    "cli.arg.roads": ("路网（.osm、.graphml、.pbf 或保存的 .npz）", "road network (.osm, .graphml, .pbf or a saved .npz)"),
    # -- access and equity (coverage.commands._options.add_access_arguments) ---------------------------
    "cli.arg.access.cells": ("另写出每个人口网格一行", "also write one row per population cell"),
    "cli.arg.access.method": ("浮动集水区方法（默认 2sfca）", "floating-catchment variant (default 2sfca)"),
    "cli.arg.access.capacity": (
        "容量列（默认：该图层第一个有值的列；'facilities' 按设施个数计）",
        "capacity column (default: the first the layer fills; 'facilities' counts facilities)",
    ),
    "cli.arg.access.out": ("把镇街/区县/全市表写到此处", "write the town/district/city table here"),
    "cli.arg.equity.method": ("可达性方法（默认 2sfca）", "accessibility variant (default 2sfca)"),
    "cli.arg.equity.capacity": (
        "容量列（默认：该图层第一个有值的列，否则按设施个数计）",
        "capacity column (default: the first the layer fills, else the facility count)",
    ),
    "cli.arg.equity.out": ("把各分组和服务最差的镇街写到此处", "write the groups and the worst-served towns here"),
    # -- community -----------------------------------------------------------------------------------
    "cli.arg.community.communities": (
        "村/社区单元（CSV、XLSX、GeoJSON、GPKG、压缩的 SHP；点或面）",
        "community / village units (CSV, XLSX, GeoJSON, GPKG, zipped SHP; points or polygons)",
    ),
    "cli.arg.community.layer": ("设施图层（默认 elder_care_station）", "facility layer (default elder_care_station)"),
    "cli.arg.community.year": ("指标的评估年份（默认 2025）", "review year of the indicators (default 2025)"),
    "cli.arg.community.out": ("把每个社区一行写到此处", "write one row per community here"),
    # -- coverage ------------------------------------------------------------------------------------
    "cli.arg.coverage.out": ("把表写到此处（带 BOM 的 UTF-8 CSV）", "write the table here (UTF-8 CSV with BOM)"),
    # -- gaps ----------------------------------------------------------------------------------------
    "cli.arg.gaps.out": ("服务空白区（RFC 7946 GeoJSON）", "gap zones (RFC 7946 GeoJSON)"),
    "cli.arg.gaps.towns_out": ("另写出每个镇街的未覆盖人口（CSV）", "also write uncovered population per town (CSV)"),
    "cli.arg.gaps.connectivity": (
        "共边（4）或也共角（8）的网格连成一个空白区（默认取库的设置）",
        "cells touching by an edge (4) or also a corner (8) form one zone (library default)",
    ),
    "cli.arg.gaps.min_population": (
        "去掉服务对象未覆盖人数少于此数的空白区（默认取库的设置）",
        "drop zones with fewer uncovered residents of the served group (library default)",
    ),
    "cli.arg.gaps.min_cell_population": (
        "略去服务对象人数少于 N 的未覆盖网格；它们仍计入所在镇街（默认取库的设置）",
        "leave out uncovered cells with fewer than N residents of the served group; they still count per town "
        "(library default)",
    ),
    "cli.arg.gaps.max_across": (
        "空白区的最大对角线长度，米（默认：标准半径的两倍）",
        "largest zone diagonal in metres (library default: twice the standard's radius)",
    ),
    "cli.arg.gaps.top": ("输出的空白区和镇街个数（默认 10）", "zones and towns to print (default 10)"),
    # -- import --------------------------------------------------------------------------------------
    "cli.arg.import.file": (
        "CSV、XLSX、GeoJSON、GeoPackage、压缩的 Shapefile 或 GeoTIFF", "CSV, XLSX, GeoJSON, GeoPackage, zipped Shapefile or GeoTIFF"),
    "cli.arg.import.kind": ("FILE 的内容（默认 facilities）", "what FILE holds (default facilities)"),
    "cli.arg.import.layer": ("设施图层编号（--kind facilities 时必需）", "facility layer id (required for --kind facilities)"),
    "cli.arg.import.crs": ("FILE 和 --towns 的坐标系（默认 wgs84）", "coordinate system of FILE and --towns (default wgs84)"),
    "cli.arg.import.out": (
        "输出文件：.geojson（设施、镇街）或 .csv / .csv.gz（人口）",
        "output file: .geojson (facilities, towns) or .csv / .csv.gz (population)",
    ),
    "cli.arg.import.towns": ("用于归属镇街的镇街边界（默认：内置）", "town boundaries to assign towns with (default: embedded)"),
    "cli.arg.import.max_mb": ("拒绝更大的输入文件（默认 50，人口 500）", "refuse larger input files (default 50, population 500)"),
    "cli.arg.import.sheet": ("要读取的 XLSX 工作表（多个工作表都有表格时需要）", "XLSX sheet to read (needed when several sheets hold a table)"),
    "cli.arg.import.layer_name": (
        "GeoPackage / Shapefile 压缩包中的图层（多个图层都有要素时需要）",
        "layer of a GeoPackage / zip of Shapefiles (needed when several hold features)",
    ),
    "cli.arg.import.encoding": (
        "CSV 文本编码，例如 gb18030、big5、utf-8（默认：自动检测）",
        "CSV text encoding, e.g. gb18030, big5, utf-8 (default: detected)",
    ),
    "cli.arg.import.skip_census_check": (
        "人口：总数与 2020 年人口普查相差很大时仍导入（给出警告）",
        "population: import even when its total is far from the 2020 census (a warning)",
    ),
    "cli.arg.import.lang": ("输出报告和错误所用的语言（默认 zh）", "language of the printed report and errors (default zh)"),
    # -- service-areas -------------------------------------------------------------------------------
    "cli.arg.service-areas.out": ("要写出的 GeoJSON 文件", "GeoJSON file to write"),
    "cli.arg.service-areas.dissolve": ("整个图层合并为一个多边形", "one polygon for the whole layer"),
    "cli.arg.service-areas.buffer": (
        "可达街道走廊的半宽，米（路网模式，默认 25）",
        "half-width in metres of the reached street corridors (network mode, default 25)",
    ),
    # -- report and review ---------------------------------------------------------------------------
    "cli.arg.report.out": ("输出的 .docx", "output .docx"),
    "cli.arg.report.lang": ("报告的语言（默认 zh）", "language of the report (default zh)"),
    "cli.arg.report.dpi": ("地图和图表的分辨率（默认 {dpi}）", "resolution of the maps and charts (default {dpi})"),
    "cli.arg.review.out": ("输出：.xlsx、.csv 或 .md", "output: .xlsx, .csv or .md"),
    "cli.arg.review.no_yearly": ("不生成逐年视图", "skip the year-by-year view"),
    # -- site ----------------------------------------------------------------------------------------
    "cli.arg.site.k": ("新设施个数（最大覆盖）", "number of new sites (maximal coverage)"),
    "cli.arg.site.target": (
        "用最少的新设施达到的覆盖率（0.9 或 90%%），或在每个缺少该图层的镇街 / 区县各设一个",
        "coverage rate to reach with the fewest sites (0.9 or 90%%), or one site in every town / county lacking "
        "the layer",
    ),
    "cli.arg.site.candidates": (
        "候选点（带经纬度的 CSV/XLSX/GeoJSON/GPKG/压缩的 SHP）；默认：由未覆盖人口生成",
        "candidate sites (CSV/XLSX/GeoJSON/GPKG/zipped SHP with lon/lat); default: generated from the uncovered "
        "population",
    ),
    "cli.arg.site.objective": (
        "问题：mclp（覆盖最多人口，配合 --k）、lscp（最少设施，配合 --target 比例）、pmedian（出行最短，配合 --k）、"
        "one_per_town / one_per_county；默认由 --k / --target 决定",
        "problem: mclp (most people covered, with --k), lscp (fewest sites, with --target RATE), pmedian (least "
        "travel, with --k), one_per_town / one_per_county; default from --k / --target",
    ),
    "cli.arg.site.solver": (
        "auto：规模允许时用精确整数规划，否则用贪心（默认）；ilp 或 greedy 指定其一",
        "auto: exact integer programme where it fits, greedy beyond (default); ilp or greedy to force one",
    ),
    "cli.arg.site.time_limit": ("精确求解器的秒数（默认 {default:g}）", "seconds for the exact solver (default {default:g})"),
    "cli.arg.site.capacity": ("一个新设施可服务的人数（mclp 和 lscp）", "people one new site can serve (mclp and lscp)"),
    "cli.arg.site.seed": ("生成候选点的随机种子（默认 0）", "random seed of candidate generation (default 0)"),
    "cli.arg.site.out": ("建议的新设施（RFC 7946 GeoJSON）", "proposed sites (RFC 7946 GeoJSON)"),
    "cli.arg.site.csv": (
        "同一批建议另写成 CSV 表的位置（默认：--out 旁，扩展名 .csv）",
        "where to write the same proposals as a CSV table (default: beside --out with .csv)",
    ),
    "cli.arg.site.no_csv": ("只写 GeoJSON", "write the GeoJSON only"),
}
