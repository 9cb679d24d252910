"""Catalogue: the command line's errors (``python -m coverage …``), worded in ``--lang``.

Keys start with ``cli.option.`` (:func:`coverage.cli.option_error` raises them), ``cli.error`` is the
prefix of every printed error, ``cli.argparse.`` argparse's own errors and the number types
(:mod:`coverage.commands._parser`), ``export.error.`` the refused output paths
(:func:`coverage.export.safe_output_path`). The help texts (:mod:`coverage.i18n.cli_help`) are merged in.
"""

from __future__ import annotations

from coverage.i18n.cli_help import MESSAGES as HELP_MESSAGES

ERRORS: dict[str, tuple[str, str]] = {
    "cli.progress.unit": ("步", "step"),  # the unit of every command's progress bar
    "cli.error": ("错误：{message}", "error: {message}"),
    # -- argparse's own messages (coverage.commands._parser.CliParser); the English is argparse's ----
    "cli.usage": ("用法：", "usage: "),
    "cli.argparse.argument": ("参数 {name}：{message}", "argument {name}: {message}"),
    "cli.argparse.unrecognized": ("无法识别的参数：{args}", "unrecognized arguments: {args}"),
    "cli.argparse.required": ("缺少必需的参数：{args}", "the following arguments are required: {args}"),
    "cli.argparse.one_required": ("必须给出以下参数之一：{args}", "one of the arguments {args} is required"),
    "cli.argparse.ambiguous": (
        "有歧义的选项：{option} 可以是 {matches}", "ambiguous option: {option} could match {matches}"),
    "cli.argparse.invalid_choice": (
        "无效的选择 {value}（可选：{choices}）", "invalid choice: {value} (choose from {choices})"),
    "cli.argparse.invalid_int": ("{value} 不是整数", "invalid int value: {value}"),
    "cli.argparse.invalid_float": ("{value} 不是数字", "invalid float value: {value}"),
    "cli.argparse.invalid_type": ("{value} 不是有效的 {type} 值", "invalid {type} value: {value}"),
    "cli.argparse.expected_one": ("需要给出一个值", "expected one argument"),
    "cli.argparse.expected_at_most_one": ("最多只能给出一个值", "expected at most one argument"),
    "cli.argparse.expected_at_least_one": ("至少需要给出一个值", "expected at least one argument"),
    "cli.argparse.expected_n": ("需要给出 {n} 个值", "expected {n} arguments"),
    "cli.argparse.not_allowed_with": ("不能与参数 {other} 同时使用", "not allowed with argument {other}"),
    "cli.argparse.ignored_explicit": ("不接受值 {value}", "ignored explicit argument {value}"),
    # -- the number types of the options (coverage.commands._options.number) ----------------------
    "cli.argparse.not_number": ("{text!r} 不是数字", "{text!r} is not a number"),
    "cli.argparse.not_whole_number": ("{text!r} 不是整数", "{text!r} is not a whole number"),
    "cli.argparse.above": (
        "应为大于 {minimum:g} 的有限数；收到 {text!r}", "must be a finite number > {minimum:g}, got {text!r}"),
    "cli.argparse.from": (
        "应为不小于 {minimum:g} 的有限数；收到 {text!r}", "must be a finite number >= {minimum:g}, got {text!r}"),
    # -- the workspace command's refusals (coverage.commands.workspace) --------------------------------
    "cli.ws.error.outside": ("拒绝写入 {name!r}：它会落在 {base} 之外", "refusing to write {name!r} outside {base}"),
    "cli.ws.error.not_a_directory": (
        "导出目标 {path} 已存在且不是目录", "export destination {path} exists and is not a directory"),
    "cli.ws.error.no_workspace": ("{path} 中没有工作区 (workspace.sqlite)：请检查 --workspace 路径",
                                  "no workspace (workspace.sqlite) in {path}: check the --workspace path"),
    "cli.ws.error.cannot_create": ("无法创建 {path}：{reason}", "cannot create {path}: {reason}"),
    "cli.ws.error.export_failed": ("导出到 {path} 失败：{reason}", "export to {path} failed: {reason}"),
    "cli.ws.error.no_item": ("工作区 {directory} 中没有{kind} {name!r}", "no {kind} {name!r} in workspace {directory}"),
    # -- what the commands print besides their results ----------------------------------------------
    "cli.edit_skipped": (
        "[方案修改] 第 {number} 项修改（{op} {facility_id}）已跳过：图层 {layer} 中没有该设施",
        "[edits] change {number} ({op} {facility_id}) skipped: no such facility in {layer}",
    ),
    # -- output paths (coverage.export.safe_output_path) ------------------------------------------
    "export.error.parent_not_directory": (
        "{path}：{parent} 是文件而不是文件夹，无法在其中写入", "{path}: {parent} is a file, not a folder: nothing can be written inside it"),
    "export.error.directory": (
        "{path}：是一个目录；请给出以 {suffixes} 结尾的文件名", "{path}: is a directory; give a file name ending in {suffixes}"),
    "export.error.extension": (
        "{path}：输出格式由扩展名决定，而 {found!r} 不是此输出可写的格式（{suffixes}）",
        "{path}: the extension decides the format and {found!r} is not one this output can be written as ({suffixes})",
    ),
    "export.error.no_extension": (
        "{path}：输出格式由扩展名决定，而文件名没有扩展名（可用：{suffixes}）",
        "{path}: the extension decides the format and 'no extension' is not one this output can be written as "
        "({suffixes})",
    ),
    "export.error.input": (
        "{path}：是输入文件 {input}；写入会毁掉它", "{path}: is the input file {input}; writing there would destroy it"),
    "export.error.exists": (
        "{path}：文件已存在；请换一个新名称；如果它是您之前的输出，可用 --force（force=True）覆盖",
        "{path}: exists; choose a new name, or replace it with --force (force=True) if it is an earlier output of "
        "yours",
    ),
    "cli.option.layer_file": ("--facilities 的格式应为 图层=文件，收到 {item!r}", "--facilities expects LAYER=FILE, got {item!r}"),
    "cli.option.unknown_layer": (
        "未知图层 {layer!r}；可用图层：{layers}", "unknown layer {layer!r}; valid layers: {layers}"),
    "cli.option.no_workspace_combined": (
        "--no-workspace 不能与 --workspace、--scenario 或 --draft 同时使用",
        "--no-workspace cannot be combined with --workspace, --scenario or --draft",
    ),
    "cli.option.no_workspace_here": (
        "{directory} 中没有工作区（没有 {db}）；请用 --workspace 目录 或环境变量 ${env} 指定",
        "there is no workspace in {directory} (no {db}); set --workspace DIR or ${env}",
    ),
    "cli.option.no_draft": ("--draft：工作区中没有草稿 {value!r}", "--draft: no draft {value!r} in the workspace"),
    "cli.option.scenario_and_draft": ("--scenario 与 --draft 不能同时使用", "--scenario and --draft cannot be combined"),
    "cli.option.no_scenario": (
        "--scenario：{directory} 中没有方案 {name!r}；已保存的方案：{saved}",
        "--scenario: no scenario {name!r} in {directory}; saved: {saved}",
    ),
    "cli.option.no_scenario_none_saved": (
        "--scenario：{directory} 中没有方案 {name!r}；尚未保存任何方案",
        "--scenario: no scenario {name!r} in {directory}; saved: none",
    ),
    "cli.option.no_file": ("{option}：文件不存在：{path}", "{option}: no such file: {path}"),
    "cli.option.target_text": (
        "--target 应为比例（0.9 或 90%）、'town' 或 'county'；收到 {text!r}",
        "--target must be a rate (0.9 or 90%), 'town' or 'county'; got {text!r}",
    ),
    "cli.option.target_range": (
        "--target 比例应在 (0, 1] 之间（如 0.9 或 90%）；收到 {text!r}",
        "--target rate must be in (0, 1] (e.g. 0.9 or 90%); got {text!r}",
    ),
    "cli.option.k": ("--k 应为正整数；收到 {k}", "--k must be a positive integer; got {k}"),
    "cli.option.time_limit": ("--time-limit 应为正数；收到 {value:g}", "--time-limit must be positive; got {value:g}"),
    "cli.option.capacity": ("--capacity 应为正数；收到 {value:g}", "--capacity must be positive; got {value:g}"),
    "cli.option.no_candidates": ("候选点文件不存在：{path}", "candidate file not found: {path}"),
    "cli.option.dpi": ("--dpi 应在 50 到 600 之间；收到 {dpi}", "--dpi must be between 50 and 600; got {dpi}"),
    "cli.option.no_roads": ("路网文件不存在：{path}", "road network file not found: {path}"),
    "cli.option.roads_type": (
        "--roads：不支持的文件类型 {ext!r}（请用 .osm、.graphml、.pbf 或 .npz）",
        "--roads: unsupported file type {ext!r} (use .osm, .graphml, .pbf or .npz)",
    ),
}


def merged(*parts: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """The parts as one dict; a key in two of them is refused."""
    out: dict[str, tuple[str, str]] = {}
    for part in parts:
        twice = out.keys() & part.keys()
        if twice:
            raise RuntimeError(f"i18n keys defined twice: {sorted(twice)}")
        out.update(part)
    return out


MESSAGES: dict[str, tuple[str, str]] = merged(ERRORS, HELP_MESSAGES)
