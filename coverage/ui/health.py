"""The app's workspace-health panel: a damaged, unreadable or read-only workspace, said plainly.

Shown at the top of the page (from ``app.init_session``) only when something is wrong:

* the workspace file could not be opened (0 bytes, truncated, not SQLite, another program's
  database): the error, the note that this session works on a temporary workspace, and a way to
  restore a backup;
* some saved items are damaged (their bodies do not decode): they are named, the rest of the
  workspace is in use, and each can be removed — only after its own confirmation box is ticked —
  or the whole workspace restored from a backup;
* the workspace is read-only: viewing works, saving does not.

Restoring (:func:`coverage.workspace.restore_backup`) moves the current file aside, never deletes
it. After a drop or a restore the panel sets ``st.session_state["ws_reload"]``: the app reopens
the workspace and the session's draft on the next run.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

import streamlit as st

from coverage.errors import WorkspaceError
from coverage.i18n import STRINGS, t
from coverage.ui.views import md_text
from coverage.ui.widgets import show_flash
from coverage.workspace import Damage, Workspace, list_backups, restore_backup

__all__ = ["RELOAD_KEY", "workspace_panel", "damaged_text"]

#: Session-state flag: reopen the workspace (and the session's draft) on the next run.
RELOAD_KEY = "ws_reload"
_FLASH = "ws_flash"


def damaged_text(damage: Damage, lang: str) -> str:
    """``设施图层 “elder_canteen”``: a damaged item named for the planner."""
    key = f"ws_kind_{damage.kind}"
    kind = t(key, lang) if key in STRINGS else damage.kind
    return t("ws_damaged_item", lang, kind=kind, name=damage.name)


def _drop(ws: Workspace, damage: Damage, lang: str) -> None:
    item = damaged_text(damage, lang)
    try:
        ws.drop(damage.kind, damage.name)
    except (WorkspaceError, KeyError) as exc:
        st.session_state[_FLASH] = ("error", t("ws_drop_failed", lang, error=str(exc)))
        return
    st.session_state[_FLASH] = ("success", t("ws_dropped", lang, item=item))
    st.session_state[RELOAD_KEY] = True


def _restore(directory: Path, lang: str) -> None:
    upload = st.session_state.get("ws_backup_upload")
    picked = st.session_state.get("ws_backup_pick")
    uploaded: Path | None = None
    try:
        if upload is not None:
            with tempfile.NamedTemporaryFile(suffix=".sqlite", delete=False) as fh:
                fh.write(upload.getvalue())
                source = uploaded = Path(fh.name)
            label = upload.name
        elif picked:
            source, label = Path(picked), Path(picked).name
        else:
            return
        moved = restore_backup(directory, source)
    except (WorkspaceError, OSError) as exc:
        st.session_state[_FLASH] = ("error", t("ws_restore_failed", lang, error=str(exc)))
        return
    finally:
        if uploaded is not None:
            uploaded.unlink(missing_ok=True)
    text = t("ws_restored", lang, backup=label)
    if moved is not None:
        text += " " + t("ws_restored_moved", lang, moved=str(moved))
    st.session_state[_FLASH] = ("success", text)
    st.session_state[RELOAD_KEY] = True


def _restore_section(directory: Path, lang: str) -> None:
    st.markdown(f"**{t('ws_restore_title', lang)}**")
    backups = list_backups(directory)
    if backups:
        st.selectbox(t("ws_backup_pick", lang), [str(p) for p in backups], key="ws_backup_pick",
                     format_func=lambda p: Path(p).name)
    else:
        st.caption(md_text(t("ws_no_backups", lang, path=str(directory))))
    st.file_uploader(t("ws_backup_upload", lang), type=["sqlite"], key="ws_backup_upload")
    ok = st.checkbox(t("ws_restore_confirm", lang), key="ws_restore_ok")
    chosen = bool(backups) or st.session_state.get("ws_backup_upload") is not None
    st.button(t("ws_restore", lang), key="ws_restore", disabled=not (ok and chosen),
              on_click=_restore, args=(directory, lang))


def workspace_panel(ws: Workspace, lang: str, *, directory: Path, open_error: str | None,
                    damaged: Sequence[Damage]) -> None:
    """Draw the panel (nothing when the workspace is healthy and writable).

    Parameters
    ----------
    ws : Workspace
        The workspace in use (a temporary one when ``open_error`` is set).
    lang : str
    directory : Path
        The planner's workspace directory (where backups are looked for and restored to).
    open_error : str or None
        Why the planner's workspace could not be opened.
    damaged : sequence of Damage
        Saved items that cannot be read.
    """
    show_flash(st, _FLASH)
    if open_error:
        st.error(md_text(t("ws_open_failed", lang, error=open_error)))
        st.caption(t("ws_temporary", lang))
        _restore_section(directory, lang)
        return
    if ws.read_only:
        st.info(md_text(t("ws_read_only", lang, path=str(ws.file))))
    if not damaged:
        return
    items = "; ".join(damaged_text(d, lang) for d in damaged)
    st.error(md_text(t("ws_damaged", lang, n=len(damaged), items=items)))
    if not ws.read_only:
        for i, d in enumerate(damaged):
            item = damaged_text(d, lang)
            c1, c2 = st.columns([3, 1])
            ok = c1.checkbox(md_text(t("ws_drop_confirm", lang, item=item)), key=f"ws_drop_ok_{i}")
            c2.button(t("ws_drop", lang), key=f"ws_drop_{i}", disabled=not ok, on_click=_drop,
                      args=(ws, d, lang))
        _restore_section(directory, lang)
