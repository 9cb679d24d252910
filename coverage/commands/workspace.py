"""``python -m coverage workspace``: list, export, back up, check and repair the saved workspace.

Exit status: 0 when done; 2 for a refused or failed action, and when ``check`` or ``export``
found damaged items (each named on a ``damaged`` line; ``export`` still writes every other
item); 1 only for a bug (a traceback). ``--lang zh|en`` (default zh, before or after the
action) chooses the language of what is printed.

Examples
--------
::

    python -m coverage workspace list
    python -m coverage workspace --workspace /srv/coverage/ws backup /backups/
    python -m coverage workspace backup workspace/backups/monday.sqlite --force
    python -m coverage workspace export out/ws-export
    python -m coverage workspace --lang en check
    python -m coverage workspace drop layer elder_canteen --yes
    python -m coverage workspace restore workspace/backups/monday.sqlite --yes
    python -m coverage workspace prune-drafts --older-than 30 --yes
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from coverage.errors import InputError, WorkspaceDamagedError, WorkspaceError
from coverage.commands._parser import help_words, parser_lang
from coverage.i18n import STRINGS, t, worded_error

if TYPE_CHECKING:
    from coverage.workspace import Damage, StoredFrame, Workspace

NAME = "workspace"

ACTIONS: tuple[str, ...] = ("list", "history", "export", "backup", "check", "drop", "prune-drafts", "restore")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register ``--workspace``, ``--lang`` and the actions (:data:`ACTIONS`); help in the parser's language."""
    lang = parser_lang(parser)
    say = help_words(parser, "cli.ws.arg")
    parser.add_argument("--workspace", metavar="DIR", default=None, help=say("workspace"))
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help=say("lang"))
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    subs: dict[str, argparse.ArgumentParser] = {}
    for name in ACTIONS:
        text = t(f"cli.ws.{name}", lang)
        subs[name] = actions.add_parser(name, help=text, description=text)
        # also accepted after the action; SUPPRESS keeps a value given before it
        subs[name].add_argument("--lang", choices=("zh", "en"), default=argparse.SUPPRESS, help=say("lang"))
    subs["history"].add_argument("--limit", type=int, default=20, help=say("limit"))
    subs["export"].add_argument("dest", metavar="DIR", help=say("export_dest"))
    subs["export"].add_argument("--force", action="store_true", help=say("export_force"))
    subs["backup"].add_argument("dest", metavar="PATH", help=say("backup_dest"))
    subs["backup"].add_argument("--force", action="store_true", help=say("backup_force"))
    p = subs["drop"]
    p.add_argument("kind", choices=("layer", "towns", "population", "standards", "scenario", "draft"),
                   help=say("drop_kind"))
    p.add_argument("name", help=say("drop_name"))
    p.add_argument("--yes", action="store_true", help=say("drop_yes"))
    p = subs["prune-drafts"]
    p.add_argument("--older-than", metavar="DAYS", type=float, required=True, help=say("older_than"))
    p.add_argument("--yes", action="store_true", help=say("prune_yes"))
    subs["restore"].add_argument("backup", metavar="FILE", help=say("restore_backup"))
    subs["restore"].add_argument("--yes", action="store_true", help=say("restore_yes"))


def kind_name(kind: str, lang: str) -> str:
    """The printed name of a stored item's ``kind`` (the code itself when the catalogue has none)."""
    key = f"ws_kind_{kind}"
    return t(key, lang) if key in STRINGS else kind


def item_error(code: str, kind: str, lang: str, **values: str) -> InputError:
    """A refusal about a stored item of ``kind``, worded from the catalogue (``code`` with the item's
    kind name and ``values``): English in ``str(error)``, ``lang`` when the CLI prints it."""
    return InputError(t(code, "en", kind=kind_name(kind, "en"), **values), code,
                      {"kind": kind_name(kind, lang), **values})


def damaged_line(damage: Damage, lang: str) -> str:
    """One printed line naming a damaged item (its kind as ``drop KIND NAME`` takes it) and why."""
    return t("ws_cli_damaged_line", lang, kind=damage.kind, kind_name=kind_name(damage.kind, lang),
             name=damage.name, reason=damage.reason)


def inside(base: Path, name: str) -> Path:
    """``base / name``, refusing anything that would land outside ``base``."""
    path = (base / name).resolve()
    if base.resolve() not in path.parents:
        raise worded_error(InputError, "cli.ws.error.outside", name=name, base=str(base))
    return path


def export_workspace(ws: Workspace, dest: str | os.PathLike[str], *,
                     force: bool = False) -> tuple[list[Path], list[Damage]]:
    """Write every readable stored object of ``ws`` into the directory ``dest``.

    Layers go to ``layers/<layer_id>.geojson``, the towns override to
    ``towns.geojson``, the population override to ``population.csv`` (or
    ``.geojson`` if it has geometries), standards to ``standards.json`` and
    scenarios to ``scenarios/<name>.json`` (``workspace.storable_name`` of the name, ``-2`` … when
    two names give one file name; the JSON holds the name). A damaged item is skipped and
    returned; every other item is still written.

    Parameters
    ----------
    ws : Workspace
        The workspace to export.
    dest : path
        Destination directory: created if missing; refused when it exists and is not
        empty (e.g. an earlier export), unless ``force``.
    force : bool
        Write into a non-empty directory, replacing files of the same name (other files
        are left as they are).

    Returns
    -------
    (list of Path, list of Damage)
        The files written, and the items not exported because they are damaged.

    Raises
    ------
    InputError
        ``dest`` is a file, or a non-empty directory without ``force`` (worded from the catalogue).
    WorkspaceError
        ``dest`` cannot be created or read (worded from the catalogue).
    """
    import geopandas as gpd

    from coverage.export import write_geojson
    from coverage.workspace import Damage, check_name, storable_name

    base = Path(dest)
    if base.exists() and not base.is_dir():
        raise worded_error(InputError, "cli.ws.error.not_a_directory", path=str(base))
    try:
        if not force and base.is_dir() and any(base.iterdir()):
            raise worded_error(InputError, "ws_cli_export_exists", path=str(base))
        base.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise worded_error(WorkspaceError, "cli.ws.error.cannot_create", path=str(base),
                           reason=str(exc.strerror or exc)) from exc
    written: list[Path] = []

    def frame_out(stored: StoredFrame, stem: str) -> None:
        props = {"source_name": stored.source_name, "version": stored.version, "saved_at": stored.saved_at}
        data = stored.data
        if isinstance(data, gpd.GeoDataFrame) and data.crs is not None:
            written.append(write_geojson(data, inside(base, stem + ".geojson"), properties=props))
        else:
            path = inside(base, stem + ".csv")
            path.parent.mkdir(parents=True, exist_ok=True)
            data.to_csv(path, index=False, encoding="utf-8")
            written.append(path)

    def json_out(doc: object, name: str) -> None:
        path = inside(base, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
        written.append(path)

    def layer_out(layer_id: str) -> None:
        frame_out(ws.load_layer(layer_id), f"layers/{check_name(layer_id, 'layer id')}")

    def override_out(which: str) -> None:
        frame_out(ws.load_towns() if which == "towns" else ws.load_population(), which)

    def standards_out(_name: str) -> None:
        standards = ws.load_standards()
        if standards:
            json_out(standards, "standards.json")

    used: set[str] = set()  # file names taken (case-folded: Plan / plan are one file on Windows, macOS)

    def scenario_out(name: str) -> None:
        # The file is named after the scenario as far as a file system allows (a 120-character Chinese
        # name is 360 bytes; two names may fold to one file): the JSON holds the name itself.
        stem = storable_name(name + ".json")[: -len(".json")]
        fname, n = f"{stem}.json", 1
        while fname.casefold() in used:
            n += 1
            fname = f"{stem}-{n}.json"
        used.add(fname.casefold())
        json_out({"name": name, "changes": ws.load_scenario(name)}, f"scenarios/{fname}")

    items: list[tuple[str, str, Callable[[str], None]]] = [("layer", n, layer_out) for n in ws.layers()]
    items += [(which, which, override_out) for which in ws.overrides()]
    items += [("standards", "standards", standards_out)]
    items += [("scenario", n, scenario_out) for n in ws.scenarios()]
    damaged: list[Damage] = []
    for kind, name, write in items:
        try:
            write(name)
        except WorkspaceDamagedError as exc:
            damaged.append(Damage(kind, name, str(exc)))
        except KeyError:
            continue  # deleted by another process while exporting
    return written, damaged


def run(args: argparse.Namespace) -> int:
    """Run the chosen action; return the exit status (2 when damaged items were found)."""
    from coverage.workspace import DB_NAME, Workspace, list_backups, restore_backup, resolve_workspace_dir

    lang = getattr(args, "lang", "zh")
    if args.action == "restore":
        if not args.yes:
            raise worded_error(InputError, "ws_cli_restore_confirm")
        moved = restore_backup(args.workspace, args.backup)
        print(t("ws_cli_restored", lang, backup=args.backup, path=resolve_workspace_dir(args.workspace)))
        if moved is not None:
            print(t("ws_cli_restored_moved", lang, moved=moved))
        return 0
    directory = resolve_workspace_dir(args.workspace)
    if not directory.is_file() and not (directory / DB_NAME).exists():  # a mistyped --workspace: no new one
        raise worded_error(InputError, "cli.ws.error.no_workspace", path=str(directory))
    ws = Workspace.open(args.workspace)
    if args.action == "list":
        entries = ws.entries()
        tag = "  " + t("ws_cli_read_only", lang) if ws.read_only else ""
        print(t("ws_cli_workspace", lang, path=ws.file) + tag)
        if not entries:
            print(t("ws_cli_empty", lang))
        for e in entries:
            rows = t("ws_cli_rows", lang, n=e.n_rows) if e.n_rows is not None else ""
            src = t("ws_cli_from", lang, source=e.source_name) if e.source_name else ""
            print(f"{e.kind:<11} {e.name:<34} v{e.version:<4} {e.saved_at}  {rows} {src}".rstrip())
        for path in list_backups(ws.directory):
            print(f"{t('ws_cli_backup', lang):<11} {path}")
    elif args.action == "history":
        for h in ws.history(args.limit):
            key = f"ws_cli_action_{h.action}"
            act = t(key, lang) if key in STRINGS else h.action
            print(f"{h.saved_at}  {act:<6} {h.kind:<11} {h.name} v{h.version}")
    elif args.action == "export":
        try:
            files, damaged = export_workspace(ws, args.dest, force=args.force)
        except OSError as exc:  # e.g. a full disk
            raise worded_error(WorkspaceError, "cli.ws.error.export_failed", path=str(args.dest),
                               reason=str(exc.strerror or exc)) from exc
        for f in files:
            print(f)
        for d in damaged:
            print(damaged_line(d, lang))
        print(t("ws_cli_export_done", lang, n=len(files), path=args.dest))
        if damaged:
            print(t("ws_cli_export_damaged", lang, n=len(damaged)))
            return 2
    elif args.action == "backup":
        print(ws.backup(args.dest, force=args.force))
    elif args.action == "check":
        report = ws.check()
        print(t("ws_cli_sqlite", lang, result=report.sqlite))
        for d in report.damaged:
            print(damaged_line(d, lang))
        print(t("ws_cli_check_count", lang, n=report.n_objects, damaged=len(report.damaged)))
        print(t("ws_cli_check_ok", lang) if report.ok else t("ws_cli_check_damaged", lang))
        return 0 if report.ok else 2
    elif args.action == "prune-drafts":
        stale = ws.stale_drafts(args.older_than)
        for draft_id in stale:
            if args.yes:
                try:
                    ws.delete_draft(draft_id)
                except KeyError:  # deleted meanwhile
                    continue
            print(t("ws_cli_deleted_draft" if args.yes else "ws_cli_would_delete_draft", lang, draft=draft_id))
        if stale and not args.yes:
            print(t("ws_cli_prune_confirm", lang))
    elif args.action == "drop":
        if not args.yes:
            raise item_error("ws_cli_drop_confirm", args.kind, lang, name=args.name)
        try:
            ws.drop(args.kind, args.name)
        except KeyError:
            raise item_error("cli.ws.error.no_item", args.kind, lang, name=args.name,
                             directory=str(ws.directory)) from None
        print(t("ws_cli_dropped", lang, kind=kind_name(args.kind, lang), name=args.name))
    return 0
