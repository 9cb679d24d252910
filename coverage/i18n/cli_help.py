"""Catalogue: the command line's help (``python -m coverage [COMMAND] --help``), worded in ``--lang``.

``cli.help.*`` the top level and argparse's own headings (:class:`coverage.commands._parser.CliParser`),
``cli.command.<NAME>`` each command's one-line description (the list of commands and the command's
own help), ``cli.ws.<ACTION>`` the actions of ``workspace``. The texts go through argparse's help
formatting: a literal per cent sign is written ``%%``. Merged into :mod:`coverage.i18n.cli`.
"""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "cli.help.description": (
        "江门民政服务设施覆盖规划：覆盖率、服务空白、选址与规划评估。",
        "江门民政 service-coverage planner: coverage, gaps, siting and plan review.",
    ),
    "cli.help.commands": ("命令", "commands"),
    "cli.help.help": ("显示本帮助并退出", "show this help message and exit"),
    "cli.help.positionals": ("位置参数", "positional arguments"),
    "cli.help.options": ("选项", "options"),
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
}
