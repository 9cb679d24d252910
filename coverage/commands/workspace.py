"""``python -m coverage workspace``: list, export, back up, check and repair the saved workspace.

Examples
--------
::

    python -m coverage workspace list
    python -m coverage workspace --workspace /srv/coverage/ws backup /backups/
    python -m coverage workspace backup workspace/backups/monday.sqlite --force
    python -m coverage workspace export out/ws-export
    python -m coverage workspace check
    python -m coverage workspace drop layer elder_canteen --yes
    python -m coverage workspace restore workspace/backups/monday.sqlite --yes
    python -m coverage workspace prune-drafts --older-than 30 --yes
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import geopandas as gpd

from coverage.errors import InputError, WorkspaceError
from coverage.export import write_geojson
from coverage.workspace import (
    Workspace,
    check_name,
    list_backups,
    resolve_workspace_dir,
    restore_backup,
)

NAME = "workspace"
HELP = "list, export, back up, check or repair the saved workspace (layers, overrides, scenarios)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register ``--workspace`` and the ``list|history|export|backup|check|drop|restore`` actions."""
    parser.add_argument(
        "--workspace",
        metavar="DIR",
        default=None,
        help="workspace directory (default: $COVERAGE_WORKSPACE, else ./workspace)",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    actions.add_parser("list", help="list saved layers, overrides, standards, scenarios, drafts and backups")
    p = actions.add_parser("history", help="show the latest saves and deletes")
    p.add_argument("--limit", type=int, default=20, help="number of events (default 20)")
    p = actions.add_parser(
        "export", help="write everything saved as GeoJSON / CSV / JSON files into a directory"
    )
    p.add_argument("dest", metavar="DIR", help="destination directory (created if missing)")
    p = actions.add_parser(
        "backup", help="copy the workspace database (safe while the app is running)"
    )
    p.add_argument("dest", metavar="PATH", help="destination .sqlite file, or an existing directory")
    p.add_argument("--force", action="store_true",
                   help="replace an existing destination (only if it is itself a coverage workspace)")
    actions.add_parser("check", help="SQLite's integrity check, then decode every stored item; name the damaged")
    p = actions.add_parser("drop", help="remove one stored item (e.g. a damaged one); needs --yes")
    p.add_argument("kind", choices=("layer", "towns", "population", "standards", "scenario", "draft"))
    p.add_argument("name", help="its name (for towns / population / standards: the same word)")
    p.add_argument("--yes", action="store_true", help="confirm the removal")
    p = actions.add_parser("prune-drafts", help="forget app sessions' drafts not saved for DAYS days; needs --yes")
    p.add_argument("--older-than", metavar="DAYS", type=float, required=True, help="age in days")
    p.add_argument("--yes", action="store_true", help="confirm the removal (without it: list them)")
    p = actions.add_parser("restore", help="put a backup in place (the current file is moved aside); needs --yes")
    p.add_argument("backup", metavar="FILE", help="a backup .sqlite file")
    p.add_argument("--yes", action="store_true", help="confirm the restore")


def _inside(base: Path, name: str) -> Path:
    """``base / name``, refusing anything that would land outside ``base``."""
    path = (base / name).resolve()
    if base.resolve() not in path.parents:
        raise InputError(f"refusing to write {name!r} outside {base}")
    return path


def export_workspace(ws: Workspace, dest: str | os.PathLike[str]) -> list[Path]:
    """Write every stored object of ``ws`` into the directory ``dest``.

    Layers go to ``layers/<layer_id>.geojson``, the towns override to
    ``towns.geojson``, the population override to ``population.csv`` (or
    ``.geojson`` if it has geometries), standards to ``standards.json`` and
    scenarios to ``scenarios/<name>.json``. Returns the files written.
    """
    base = Path(dest)
    if base.exists() and not base.is_dir():
        raise InputError(f"export destination {base} exists and is not a directory")
    try:
        base.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WorkspaceError(f"cannot create {base}: {exc.strerror or exc}") from exc
    written: list[Path] = []

    def frame_out(stored, stem: str) -> None:
        props = {"source_name": stored.source_name, "version": stored.version, "saved_at": stored.saved_at}
        data = stored.data
        if isinstance(data, gpd.GeoDataFrame) and data.crs is not None:
            written.append(write_geojson(data, _inside(base, stem + ".geojson"), properties=props))
        else:
            path = _inside(base, stem + ".csv")
            path.parent.mkdir(parents=True, exist_ok=True)
            data.to_csv(path, index=False, encoding="utf-8")
            written.append(path)

    for layer_id in ws.layers():
        frame_out(ws.load_layer(layer_id), f"layers/{check_name(layer_id, 'layer id')}")
    for which in ws.overrides():
        stored = ws.load_towns() if which == "towns" else ws.load_population()
        frame_out(stored, which)
    standards = ws.load_standards()
    if standards:
        path = _inside(base, "standards.json")
        path.write_text(json.dumps(standards, ensure_ascii=False, indent=2), encoding="utf-8")
        written.append(path)
    for name in ws.scenarios():
        path = _inside(base, f"scenarios/{check_name(name, 'scenario name')}.json")
        path.parent.mkdir(parents=True, exist_ok=True)
        doc = {"name": name, "changes": ws.load_scenario(name)}
        path.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
        written.append(path)
    return written


def run(args: argparse.Namespace) -> int:
    """Run the chosen action; return the exit status."""
    if args.action == "restore":
        if not args.yes:
            raise InputError("restore replaces the workspace file (it is moved aside, not deleted): add --yes")
        moved = restore_backup(args.workspace, args.backup)
        print(f"restored {args.backup} into {resolve_workspace_dir(args.workspace)}")
        if moved is not None:
            print(f"the previous file was moved to {moved}")
        return 0
    ws = Workspace.open(args.workspace)
    if args.action == "list":
        entries = ws.entries()
        print(f"workspace: {ws.file}" + ("  (read-only)" if ws.read_only else ""))
        if not entries:
            print("(empty)")
        for e in entries:
            rows = f"{e.n_rows} rows" if e.n_rows is not None else ""
            src = f"from {e.source_name}" if e.source_name else ""
            print(f"{e.kind:<11} {e.name:<34} v{e.version:<4} {e.saved_at}  {rows} {src}".rstrip())
        for path in list_backups(ws.directory):
            print(f"backup      {path}")
    elif args.action == "history":
        for h in ws.history(args.limit):
            print(f"{h.saved_at}  {h.action:<6} {h.kind:<11} {h.name} v{h.version}")
    elif args.action == "export":
        try:
            files = export_workspace(ws, args.dest)
        except KeyError as exc:  # deleted by another process while exporting
            raise WorkspaceError(str(exc.args[0] if exc.args else exc)) from None
        except OSError as exc:  # e.g. a full disk
            raise WorkspaceError(f"export to {args.dest} failed: {exc.strerror or exc}") from exc
        for f in files:
            print(f)
    elif args.action == "backup":
        print(ws.backup(args.dest, force=args.force))
    elif args.action == "check":
        report = ws.check()
        print(f"sqlite: {report.sqlite}")
        for d in report.damaged:
            print(f"damaged: {d.kind} {d.name!r}: {d.reason}")
        print(f"{report.n_objects} stored items, {len(report.damaged)} damaged")
        print("ok" if report.ok else "DAMAGED: drop the damaged items (workspace drop KIND NAME --yes) "
              "or restore a backup (workspace restore FILE --yes)")
        return 0 if report.ok else 1
    elif args.action == "prune-drafts":
        stale = ws.stale_drafts(args.older_than)
        for draft_id in stale:
            if args.yes:
                try:
                    ws.delete_draft(draft_id)
                except KeyError:  # deleted meanwhile
                    continue
            print(("deleted draft " if args.yes else "would delete draft ") + draft_id)
        if stale and not args.yes:
            print("add --yes to delete them")
    elif args.action == "drop":
        if not args.yes:
            raise InputError(f"drop removes {args.kind} {args.name!r} from the workspace: add --yes")
        try:
            ws.drop(args.kind, args.name)
        except KeyError as exc:
            raise InputError(str(exc.args[0] if exc.args else exc)) from None
        print(f"dropped {args.kind} {args.name!r} (its text is kept in the history)")
    return 0
