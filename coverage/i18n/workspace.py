"""Catalogue: the workspace's messages in the app (drafts, versions, damage, read-only, backups).

Keys start with ``ws_``.
"""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # a name refused by coverage.workspace.check_name (the error's code)
    "ws_name.not_string": ("名称必须是文本。", "The name must be text."),
    "ws_name.empty": ("名称不能为空: 请输入名称。", "The name is empty: type a name."),
    "ws_name.too_long": ("名称不能超过 {limit} 个字符。", "The name cannot be longer than {limit} characters."),
    "ws_name.control_character": ("名称不能包含换行或其他控制字符。",
                                  "The name cannot contain a line break or another control character."),
    "ws_name.forbidden_character": ("名称不能包含 {chars}: 不可使用路径分隔符及 : * ? \" < > |。",
                                    "The name cannot contain {chars}: path separators and : * ? \" < > | are not allowed."),
    "ws_name.invisible_character": ("名称不能包含不可见的格式字符 (如零宽空格、从右到左标记)。",
                                    "The name cannot contain an invisible formatting character (a zero-width space, "
                                    "a right-to-left mark …)."),
    "ws_name.leading_dot": ("名称不能以 “.” 开头。", "The name cannot start with '.'."),
    "ws_name.surrounding_space": ("名称首尾不能有空格。", "The name cannot start or end with a space."),
    "ws_open_failed": (
        "工作区文件已损坏或无法读取, 文件保持原样未作改动: {error}",
        "The workspace file is damaged or cannot be read; it has been left as it is: {error}",
    ),
    "ws_temporary": (
        "本次会话使用临时工作区: 修改不会保存。可从下方的备份恢复工作区。",
        "This session uses a temporary workspace: changes are not kept. You can restore the workspace from a "
        "backup below.",
    ),
    "ws_read_only": (
        "工作区为只读 ({path}): 可以查看、列出和备份, 但修改不会保存。",
        "The workspace is read-only ({path}): viewing, listing and backing up work, changes are not saved.",
    ),
    "ws_damaged": (
        "工作区中有 {n} 项已保存的内容损坏, 已跳过 (其余内容正常使用): {items}",
        "{n} saved item(s) in the workspace are damaged and were skipped (the rest is in use): {items}",
    ),
    "ws_damaged_item": ("{kind} “{name}”", "{kind} “{name}”"),
    "ws_kind_layer": ("设施图层", "facility layer"),
    "ws_kind_towns": ("镇街边界", "town boundaries"),
    "ws_kind_population": ("人口数据", "population"),
    "ws_kind_scenario": ("方案", "scenario"),
    "ws_kind_standards": ("服务标准", "standards"),
    "ws_kind_draft": ("草稿", "draft"),
    "ws_drop_confirm": ("确认删除损坏的 {item}", "Yes, remove the damaged {item}"),
    "ws_drop": ("删除损坏项", "Remove the damaged item"),
    "ws_dropped": ("已删除损坏的 {item} (原始内容保留在历史记录中)。",
                   "Removed the damaged {item} (its raw text is kept in the history)."),
    "ws_drop_failed": ("无法删除: {error}", "Could not remove it: {error}"),
    "ws_restore_title": ("从备份恢复工作区", "Restore the workspace from a backup"),
    "ws_no_backups": (
        "在 {path} 及其 backups 文件夹中未找到备份。可用 python -m coverage workspace backup 创建备份, "
        "或在此上传备份文件 (.sqlite)。",
        "No backups found in {path} or its backups folder. Make one with python -m coverage workspace backup, "
        "or upload a backup file (.sqlite) here.",
    ),
    "ws_backup_pick": ("备份", "Backup"),
    "ws_backup_upload": ("或上传备份文件 (.sqlite)", "Or upload a backup file (.sqlite)"),
    "ws_restore_confirm": (
        "确认用所选备份替换当前工作区 (当前文件会被移到一旁保留, 不会删除)",
        "Yes, replace the current workspace with this backup (the current file is moved aside, not deleted)",
    ),
    "ws_restore": ("恢复", "Restore"),
    "ws_restored": ("已从 {backup} 恢复工作区。", "Workspace restored from {backup}."),
    "ws_restored_moved": ("原文件已移至 {moved}。", "The previous file was moved to {moved}."),
    "ws_restore_failed": ("无法恢复: {error}", "Could not restore: {error}"),
    "ws_draft_forked": (
        "本草稿同时在另一个浏览器标签页中被修改并先行保存。为不丢失任何修改, 本标签页已另存为新草稿继续 "
        "(另一标签页的修改保持不变)。",
        "This draft was also changed in another browser tab, which saved first. So that no edit is lost, this "
        "tab continues as a new draft (the other tab's edits are unchanged).",
    ),
    "ws_draft_failed": ("无法保存草稿: {error}", "Could not save the draft: {error}"),
    "ws_draft_unreadable": ("无法读取本会话的草稿, 以空白草稿开始: {error}",
                            "Could not read this session's draft; starting from an empty one: {error}"),
    "ws_scenario_exists": (
        "已有名为 “{name}” 的方案 (或自载入后已被其他会话修改): 未覆盖。请换一个名称, 或勾选“覆盖同名方案”。",
        "A scenario named “{name}” exists already (or was changed by another session since you loaded it): "
        "nothing was overwritten. Choose another name, or tick “Overwrite the scenario of this name”.",
    ),
    "ws_overwrite": ("覆盖同名方案", "Overwrite the scenario of this name"),
    "ws_read_only_save": ("工作区为只读, 无法保存。", "The workspace is read-only: nothing can be saved."),
    # what-if changes of a draft or scenario that no longer apply (coverage.ui.persist.replay)
    "ws_replay_missing_facility": ("第 {n} 项 (移除 {facility_id}): 该设施已不在图层中",
                                   "change {n} (remove {facility_id}): the facility is no longer in the layer"),
    "ws_replay_bad_position": ("第 {n} 项 (新增站点 {facility_id}): 位置无效",
                               "change {n} (add site {facility_id}): its position cannot be used"),
    # ``python -m coverage workspace`` (the CLI's printers)
    "ws_cli_workspace": ("工作区: {path}", "workspace: {path}"),
    "ws_cli_read_only": ("(只读)", "(read-only)"),
    "ws_cli_empty": ("(空)", "(empty)"),
    "ws_cli_rows": ("{n} 行", "{n} rows"),
    "ws_cli_from": ("来自 {source}", "from {source}"),
    "ws_cli_backup": ("备份", "backup"),
    "ws_cli_action_save": ("保存", "save"),
    "ws_cli_action_delete": ("删除", "delete"),
    "ws_cli_action_drop": ("移除", "drop"),
    "ws_cli_sqlite": ("SQLite 完整性检查: {result}", "sqlite: {result}"),
    "ws_cli_damaged_line": ("损坏: {kind_name} ({kind}) “{name}”: {reason}",
                            "damaged: {kind} '{name}' ({kind_name}): {reason}"),
    "ws_cli_check_count": ("共 {n} 项已保存内容, {damaged} 项损坏", "{n} stored items, {damaged} damaged"),
    "ws_cli_check_ok": ("正常", "ok"),
    "ws_cli_check_damaged": (
        "已损坏: 请删除损坏项 (python -m coverage workspace drop 类别 名称 --yes) "
        "或从备份恢复 (python -m coverage workspace restore 备份文件 --yes)",
        "DAMAGED: drop the damaged items (python -m coverage workspace drop KIND NAME --yes) "
        "or restore a backup (python -m coverage workspace restore FILE --yes)",
    ),
    "ws_cli_export_exists": (
        "导出目录 {path} 已存在且不为空 (可能是之前的导出): 未写入任何文件。请换一个目录, 或加 --force "
        "覆盖同名文件 (其他文件保留不动)",
        "export destination {path} exists and is not empty (an earlier export?): nothing was written. "
        "Choose another directory, or add --force to replace files of the same name (other files are left)",
    ),
    "ws_cli_export_done": ("已导出 {n} 个文件到 {path}", "{n} files exported to {path}"),
    "ws_cli_export_damaged": (
        "有 {n} 项损坏, 未导出 (其余已导出): 见上方“损坏”各行; 可用 workspace check 查看",
        "{n} damaged item(s) not exported (the rest was): see the 'damaged' lines above; "
        "workspace check lists them too",
    ),
    "ws_cli_restored": ("已将 {backup} 恢复到 {path}", "restored {backup} into {path}"),
    "ws_cli_restored_moved": ("原文件已移至 {moved}", "the previous file was moved to {moved}"),
    "ws_cli_restore_confirm": (
        "恢复会替换工作区文件 (原文件移到一旁保留, 不会删除): 请加 --yes",
        "restore replaces the workspace file (it is moved aside, not deleted): add --yes",
    ),
    "ws_cli_drop_confirm": (
        "drop 会从工作区移除{kind} “{name}”: 请加 --yes",
        "drop removes {kind} '{name}' from the workspace: add --yes",
    ),
    "ws_cli_dropped": ("已移除{kind} “{name}” (其内容保留在历史记录中)",
                       "dropped {kind} '{name}' (its text is kept in the history)"),
    "ws_cli_would_delete_draft": ("将删除草稿 {draft}", "would delete draft {draft}"),
    "ws_cli_deleted_draft": ("已删除草稿 {draft}", "deleted draft {draft}"),
    "ws_cli_prune_confirm": ("加 --yes 以删除这些草稿", "add --yes to delete them"),
}
