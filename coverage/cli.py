"""Command-line interface: ``python -m coverage <command> ...``.

Each sub-command lives in its own module under :mod:`coverage.commands` and
exposes ``NAME`` (its description is the catalogue's ``cli.command.<NAME>``), ``add_arguments(parser)``
and ``run(args) -> int``.
Options shared by every command that reads a region (``--workspace DIR``,
``--no-workspace``, ``--scenario``, ``--draft``, ``--towns``, ``--population``,
``--facilities LAYER=FILE``) are added by :func:`add_region_arguments` and turned into a
:class:`coverage.region.Region` by :func:`region_from_args`: like the app, the CLI reads the
workspace (``$COVERAGE_WORKSPACE``, default ``./workspace``), so every figure the app shows can
be reproduced from the command line. Only :class:`coverage.errors.CoverageError` is caught.

Building the parser (and ``--help``, and argparse's refusals) imports no part of the analysis stack
(pandas, geopandas, numpy, …): the functions that read a region or a workspace import it when they
run, and so does every command's ``run``.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Mapping, Sequence

import coverage.commands
from coverage.choices import SUPPORTED_CRS
from coverage.commands._parser import DEFAULT_LANG, CliParser, help_words, lang_from_argv
from coverage.errors import CoverageError, OptionError
from coverage.i18n import error_words, t, worded_error
from coverage.layers import LAYERS, get_layer

if TYPE_CHECKING:
    from coverage.region import Region
    from coverage.workspace import Workspace

def option_error(code: str, /, **values: Any) -> OptionError:
    """An unusable option's error, worded from the catalogue (``cli.option.*``, :mod:`coverage.i18n.cli`):
    English in ``str(error)``, the command's ``--lang`` when the CLI prints it (:func:`error_text`)."""
    return worded_error(OptionError, code, **values)


def add_region_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the workspace options and the ``--towns``, ``--population``, ``--facilities`` overrides
    (help in the parser's language)."""
    say = help_words(parser)
    try:
        parser.add_argument("--lang", choices=("zh", "en"), default="zh", help=say("lang"))
    except argparse.ArgumentError:
        pass  # the command has its own --lang
    ws = parser.add_argument_group(say("group.workspace"))
    ws.add_argument("--workspace", metavar="DIR", help=say("workspace"))
    ws.add_argument("--no-workspace", action="store_true", help=say("no_workspace"))
    ws.add_argument("--scenario", metavar="NAME", help=say("scenario"))
    ws.add_argument("--draft", metavar="ID", help=say("draft"))
    group = parser.add_argument_group(say("group.data"))
    group.add_argument("--towns", metavar="FILE", help=say("towns"))
    group.add_argument("--population", metavar="FILE", help=say("population"))
    group.add_argument("--facilities", metavar="LAYER=FILE", action="append", default=[], help=say("facilities"))
    group.add_argument("--crs", choices=SUPPORTED_CRS, default="wgs84", help=say("crs"))


def parse_layer_files(items: Sequence[str]) -> dict[str, str]:
    """Parse ``LAYER=FILE`` items into a dict, validating the layer ids."""
    out: dict[str, str] = {}
    for item in items:
        layer, sep, path = item.partition("=")
        if not sep or not path:
            raise option_error("cli.option.layer_file", item=item)
        try:
            get_layer(layer)
        except ValueError:
            raise option_error("cli.option.unknown_layer", layer=layer, layers=", ".join(LAYERS)) from None
        out[layer] = path
    return out


def workspace_from_args(args: argparse.Namespace, stream: IO[str] | None = None) -> Workspace | None:
    """The workspace the options name, or None (``--no-workspace``, or no workspace saved yet).

    The directory is resolved as the app does (:func:`coverage.workspace.resolve_workspace_dir`:
    ``--workspace``, else ``$COVERAGE_WORKSPACE``, else ``./workspace``). A directory named with
    ``--workspace`` must hold a workspace; the default one is used only when it exists. The
    workspace used is named on stderr.
    """
    from coverage.workspace import DB_NAME, ENV_VAR, Workspace, resolve_workspace_dir

    if getattr(args, "no_workspace", False):
        if getattr(args, "workspace", None) or getattr(args, "scenario", None) or getattr(args, "draft", None):
            raise option_error("cli.option.no_workspace_combined")
        return None
    cached = getattr(args, "workspace_opened", None)
    if cached is not None:
        return cached
    explicit = getattr(args, "workspace", None)
    directory = resolve_workspace_dir(explicit)
    if not (directory / DB_NAME).exists():
        if explicit or getattr(args, "scenario", None) or getattr(args, "draft", None):
            raise option_error("cli.option.no_workspace_here", directory=str(directory), db=DB_NAME, env=ENV_VAR)
        return None
    ws = Workspace.open(directory)
    print(f"[workspace] {ws.file}", file=sys.stderr if stream is None else stream)
    args.workspace_opened = ws
    return ws


def draft_from_args(args: argparse.Namespace) -> Mapping[str, Any] | None:
    """The app session draft ``--draft ID`` names (``{"changes": [...], "standards": {...}}``), or None."""
    from coverage.ui import persist

    value = getattr(args, "draft", None)
    if not value:
        return None
    ws = workspace_from_args(args)
    draft_id = persist.draft_id_from(value)
    doc = ws.draft_doc(draft_id) if ws is not None and draft_id is not None else None
    if doc is None:
        raise option_error("cli.option.no_draft", value=value)
    return doc.data


def changes_from_args(args: argparse.Namespace) -> list[dict[str, Any]]:
    """The what-if edits ``--scenario`` / ``--draft`` name (workspace change records; [] without them)."""
    name = getattr(args, "scenario", None)
    draft = draft_from_args(args)
    if name and draft is not None:
        raise option_error("cli.option.scenario_and_draft")
    if draft is not None:
        return list(draft.get("changes", []))
    if not name:
        return []
    ws = workspace_from_args(args)
    assert ws is not None  # workspace_from_args raises without one
    try:
        return ws.load_scenario(name)
    except KeyError:
        saved = ws.scenarios()
        raise option_error("cli.option.no_scenario" if saved else "cli.option.no_scenario_none_saved", name=name,
                           directory=str(ws.directory), saved=", ".join(saved)) from None


def region_from_args(args: argparse.Namespace) -> Region:
    """The :class:`~coverage.region.Region` the options describe: the embedded data, the
    workspace's saved uploads on top (unless ``--no-workspace``), then the files given here, then
    the edits of ``--scenario`` / ``--draft`` (:func:`apply_edits`)."""
    from coverage.region import load_default, load_region
    from coverage.ui import persist

    files = {"--towns": args.towns, "--population": args.population, **{
        f"--facilities {k}": v for k, v in parse_layer_files(args.facilities).items()}}
    for option, path in files.items():
        if path and not Path(path).is_file():
            raise option_error("cli.option.no_file", option=option, path=str(path))
    ws = workspace_from_args(args)
    base = load_default() if ws is None else persist.region_from_workspace(ws, load_default())
    region = load_region(
        towns=args.towns,
        population=args.population,
        facilities=parse_layer_files(args.facilities),
        crs=args.crs,
        base=base,
    )
    print_import_reports(region, lang=getattr(args, "lang", "en"))
    return apply_edits(region, args)


def apply_edits(region: Region, args: argparse.Namespace) -> Region:
    """``region`` with the what-if edits of ``--scenario`` / ``--draft`` applied (as the app applies
    them: :meth:`coverage.analysis.Analysis.edited_region`); edits that cannot be applied are named
    on stderr. Every command that reads a region gets them, so no option is silently ignored."""
    from coverage.analysis import Analysis

    changes = changes_from_args(args)
    if not changes:
        return region
    analysis = Analysis(region, edits=changes)
    for i, edit in analysis.problems:
        print(t("cli.edit_skipped", getattr(args, "lang", "en"), number=i + 1, op=edit.op,
                facility_id=edit.facility_id, layer=edit.layer), file=sys.stderr)
    return analysis.edited_region()


def print_import_reports(region: Region, stream: IO[str] | None = None, lang: str = "en") -> None:
    """Print the import report of every user file the region was loaded with (to stderr), in ``lang``.

    A report is printed whole (warnings and notes with file, row and column) so that what
    the importer fixed or flagged — swapped coordinates, duplicates, cells outside every
    town, modelled age groups — is never silent.
    """
    stream = sys.stderr if stream is None else stream
    for name, report in region.reports.items():
        print(f"[{name}] {report.summary(lang)}", file=stream)


def error_text(exc: CoverageError, lang: str = "en") -> str:
    """What the CLI prints for ``exc``: ``错误：`` / ``error: `` and its message, in ``lang`` when the
    error is worded from the catalogue (a failed import, an option, an output path)."""
    return t("cli.error", lang, message=error_words(exc, lang))


def _commands() -> list:
    mods = []
    for info in sorted(pkgutil.iter_modules(coverage.commands.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        mods.append(importlib.import_module(f"coverage.commands.{info.name}"))
    return mods


def build_parser(lang: str = DEFAULT_LANG) -> CliParser:
    """The top-level parser with every sub-command registered, its help and errors in ``lang``
    (:class:`coverage.commands._parser.CliParser`; a command's description is the catalogue's
    ``cli.command.<NAME>``; its options are added by its ``add_arguments`` when it is first used)."""
    parser = CliParser(prog="python -m coverage", description=t("cli.help.description", lang), lang=lang)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title=t("cli.help.commands", lang))
    sub.required = True
    for mod in _commands():
        text = t(f"cli.command.{mod.NAME}", lang)
        p = sub.add_parser(mod.NAME, arguments=mod.add_arguments, help=text, description=text)
        p.set_defaults(_run=mod.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the process exit status.

    The command line's language (``--lang``, default zh; :func:`coverage.commands._parser.lang_from_argv`)
    is read first: argparse's own errors (exit 2, after the usage line; an unknown argument by the
    command it follows) and ``--help`` are worded in it.
    A :class:`~coverage.errors.CoverageError` (bad input, option, file, workspace …) prints its
    message and exits 2 — worded in the command's ``--lang`` when it has a catalogue code
    (:func:`error_text`); any other exception is a bug and keeps its traceback (exit 1).
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    lang = lang_from_argv(argv)
    args = build_parser(lang).parse_command_line(argv)
    try:
        return int(args._run(args) or 0)
    except CoverageError as exc:
        print(error_text(exc, getattr(args, "lang", lang)), file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
