"""The command line's parser: argparse, worded in the language of ``--lang``.

:class:`CliParser` is an :class:`argparse.ArgumentParser` that speaks the planner's language at
the boundary: its errors (an unknown command or option, an invalid choice, a missing argument, a
number that is not one) are worded from the catalogue (keys ``cli.argparse.*`` in
:mod:`coverage.i18n.cli`) after the CLI's prefix (``错误：`` / ``error: ``), with argparse's usage
line and exit status 2; its help has the catalogue's headings (ending in a full-width ``：`` in
Chinese), ``-h`` and usage prefix. The language is read from the command line before parsing
(:func:`lang_from_argv`: the last ``--lang zh|en``, else Chinese, as every command defaults to).
The English texts are argparse's own. A sub-command's options are added when it is first used
(:meth:`CliParser.command`), so the top level and its ``--help`` build none of them. The leading
underscore keeps this module out of the sub-command list.
"""

from __future__ import annotations

import argparse
import functools
import re
import sys
from typing import Any, Callable, Sequence

from coverage.i18n import LANGUAGES, t

#: The language of a command line that names none (every command's ``--lang`` default).
DEFAULT_LANG = "zh"

#: argparse's own messages (its English templates) → the catalogue key that words them; each
#: pattern's groups are the key's values.
TOP_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"unrecognized arguments: (?P<args>.*)", re.S), "cli.argparse.unrecognized"),
    (re.compile(r"the following arguments are required: (?P<args>.*)", re.S), "cli.argparse.required"),
    (re.compile(r"one of the arguments (?P<args>.*) is required", re.S), "cli.argparse.one_required"),
    (re.compile(r"ambiguous option: (?P<option>\S+) could match (?P<matches>.*)", re.S), "cli.argparse.ambiguous"),
)
#: The messages argparse gives about one argument (after ``argument NAME: ``).
ARGUMENT_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"invalid choice: (?P<value>.*) \(choose from (?P<choices>.*)\)", re.S), "cli.argparse.invalid_choice"),
    (re.compile(r"invalid int value: (?P<value>.*)", re.S), "cli.argparse.invalid_int"),
    (re.compile(r"invalid float value: (?P<value>.*)", re.S), "cli.argparse.invalid_float"),
    (re.compile(r"invalid (?P<type>\S+) value: (?P<value>.*)", re.S), "cli.argparse.invalid_type"),
    (re.compile(r"expected one argument"), "cli.argparse.expected_one"),
    (re.compile(r"expected at most one argument"), "cli.argparse.expected_at_most_one"),
    (re.compile(r"expected at least one argument"), "cli.argparse.expected_at_least_one"),
    (re.compile(r"expected (?P<n>\d+) arguments"), "cli.argparse.expected_n"),
    (re.compile(r"not allowed with argument (?P<other>.*)", re.S), "cli.argparse.not_allowed_with"),
    (re.compile(r"ignored explicit argument (?P<value>.*)", re.S), "cli.argparse.ignored_explicit"),
)
ARGUMENT = re.compile(r"argument (?P<name>\S+): (?P<message>.*)", re.S)
#: argparse's help headings → catalogue keys.
HEADINGS: dict[str, str] = {
    "positional arguments": "cli.help.positionals",
    "options": "cli.help.options",
    "optional arguments": "cli.help.options",
}


class WordedTypeError(argparse.ArgumentTypeError):
    """An option's value refused by its type, worded from the catalogue: English in ``str(error)``
    (what argparse shows), ``code`` and ``values`` kept for :class:`CliParser` to word it in
    ``--lang``."""

    def __init__(self, code: str, /, **values: Any) -> None:
        super().__init__(t(code, "en", **values))
        self.code = code
        self.values = values


def lang_from_argv(argv: Sequence[str]) -> str:
    """The language ``argv`` asks for: the last valid ``--lang zh|en`` (or ``--lang=…``, or an
    abbreviation argparse takes, ``--lan``) before a ``--``, else :data:`DEFAULT_LANG`.

    Parameters
    ----------
    argv : sequence of str
        The command line without the program name.

    Returns
    -------
    str
        ``"zh"`` or ``"en"``.
    """
    lang = DEFAULT_LANG
    items = list(argv)
    for i, item in enumerate(items):
        if item == "--":
            break
        name, eq, rest = item.partition("=")
        if len(name) > len("--la") and "--lang".startswith(name):  # --lang, or argparse's --lan
            value = rest if eq else (items[i + 1] if i + 1 < len(items) else None)
        else:
            value = None
        if value in LANGUAGES:
            lang = value
    return lang


def parser_lang(parser: argparse.ArgumentParser) -> str:
    """The language a parser words its help in (:data:`DEFAULT_LANG` for a plain argparse parser)."""
    return getattr(parser, "lang", DEFAULT_LANG)


def help_words(parser: argparse.ArgumentParser, prefix: str = "cli.arg") -> Callable[..., str]:
    """The help texts of a command's options in the parser's language.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The command's parser (its language: :func:`parser_lang`).
    prefix : str
        The catalogue keys' prefix (:mod:`coverage.i18n.cli_help`).

    Returns
    -------
    callable
        ``say(name, **values)``: the catalogue's ``<prefix>.<name>`` in that language.
    """
    lang = parser_lang(parser)

    def say(name: str, **values: Any) -> str:
        return t(f"{prefix}.{name}", lang, **values)

    return say


def argparse_message(message: str, lang: str, cause: BaseException | None = None) -> str:
    """argparse's English error ``message`` worded in ``lang`` from the catalogue.

    Parameters
    ----------
    message : str
        argparse's message (English).
    lang : {"zh", "en"}
    cause : BaseException, optional
        The exception behind the message, when known: a :class:`WordedTypeError` gives its own
        catalogue text.

    Returns
    -------
    str
        The message in ``lang``; a message the catalogue does not know is returned as it is.
    """
    argument = ARGUMENT.fullmatch(message)
    if argument is None:
        return match_message(TOP_MESSAGES, message, lang)
    if isinstance(cause, WordedTypeError):
        inner = t(cause.code, lang, **cause.values)
    else:
        inner = match_message(ARGUMENT_MESSAGES, argument["message"], lang)
    return t("cli.argparse.argument", lang, name=argument["name"], message=inner)


def match_message(patterns: Sequence[tuple[re.Pattern[str], str]], message: str, lang: str) -> str:
    """``message`` worded by the first of ``patterns`` it matches.

    Parameters
    ----------
    patterns : sequence of (compiled pattern, catalogue key)
        Tried in order; the pattern's named groups are the key's values.
    message : str
    lang : {"zh", "en"}

    Returns
    -------
    str
        The worded message, or ``message`` unchanged when no pattern matches.
    """
    for pattern, key in patterns:
        found = pattern.fullmatch(message)
        if found is not None:
            return t(key, lang, **found.groupdict())
    return message


class CliHelpFormatter(argparse.HelpFormatter):
    """argparse's help formatter with the usage prefix and the section headings of the catalogue.

    A heading line is worded by ``cli.help.heading`` (``选项：`` with a full-width colon in Chinese,
    argparse's own ``options:`` in English, so the English help is argparse's byte for byte).
    """

    def __init__(self, prog: str, *args: Any, lang: str = DEFAULT_LANG, **kwargs: Any) -> None:
        super().__init__(prog, *args, **kwargs)
        self.lang = lang
        #: the headings of the sections started so far (as shown, before argparse's ``:``)
        self.headings: set[str] = set()

    def add_usage(self, usage: str | None, actions: Any, groups: Any, prefix: str | None = None) -> None:
        """The usage line, after ``用法：`` / ``usage: ``."""
        super().add_usage(usage, actions, groups, t("cli.usage", self.lang) if prefix is None else prefix)

    def start_section(self, heading: str | None) -> None:
        """A help section; argparse's own headings (positional arguments, options) from the catalogue."""
        key = HEADINGS.get(heading or "")
        shown = t(key, self.lang) if key else heading
        if shown:
            self.headings.add(shown)
        super().start_section(shown)

    def format_help(self) -> str:
        """argparse's help, each section's heading line (``<heading>:``) worded by ``cli.help.heading``."""
        lines = super().format_help().split("\n")
        for i, line in enumerate(lines):
            heading = line.strip()[:-1]
            if line.endswith(":") and heading in self.headings:
                lines[i] = line[: len(line) - len(line.lstrip())] + t("cli.help.heading", self.lang, heading=heading)
        return "\n".join(lines)


class CliParser(argparse.ArgumentParser):
    """An argument parser whose errors and help headings are worded in ``lang`` (see the module).

    Its sub-command parsers are :class:`CliParser` in the same language. ``lang`` is public: the
    commands word their help from it (:func:`parser_lang`). A sub-command registered with
    ``add_parser(name, arguments=add)`` gets its options from ``add(parser)`` the first time it is
    used (:meth:`add_pending_arguments`: a command line naming it, its help or its usage line), so
    the top-level parser and its ``--help`` are built without any command's options.
    """

    def __init__(self, *args: Any, lang: str = DEFAULT_LANG, add_help: bool = True, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", functools.partial(CliHelpFormatter, lang=lang))
        super().__init__(*args, add_help=False, **kwargs)
        self.lang = lang
        #: the sub-command parsers by name, and the namespace attribute naming the one chosen (both
        #: filled by :meth:`add_subparsers`' ``add_parser``)
        self.commands: dict[str, CliParser] = {}
        self.command_dest: str | None = None
        #: what adds this parser's options when it is first used (None once added)
        self.pending_arguments: Callable[[CliParser], None] | None = None
        if add_help:
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                              help=t("cli.help.help", lang))

    def add_subparsers(self, **kwargs: Any) -> Any:
        """argparse's sub-command action, making :class:`CliParser` sub-parsers in this language and
        recording each in :attr:`commands` (so an unknown argument is refused by the sub-command,
        or the sub-command's own action, that it follows). Its ``add_parser`` also takes
        ``arguments``: a callable adding the sub-command's options when it is first used."""
        kwargs.setdefault("parser_class", functools.partial(type(self), lang=self.lang))
        action = super().add_subparsers(**kwargs)
        self.command_dest = kwargs.get("dest")
        make = action.add_parser

        def add_parser(name: str, arguments: Callable[[CliParser], None] | None = None, **options: Any) -> Any:
            child = make(name, **options)
            child.pending_arguments = arguments
            self.commands[name] = child
            return child

        action.add_parser = add_parser
        return action

    def add_pending_arguments(self) -> None:
        """Add the options registered with ``add_parser(..., arguments=)``, once."""
        add, self.pending_arguments = self.pending_arguments, None
        if add is not None:
            add(self)

    def command(self, name: str) -> CliParser:
        """The sub-command parser ``name`` (:attr:`commands`), its options added.

        Raises
        ------
        KeyError
            No sub-command of that name.
        """
        self.add_pending_arguments()
        child = self.commands[name]
        child.add_pending_arguments()
        return child

    def parse_known_args(self, args: Sequence[str] | None = None,  # type: ignore[override]
                         namespace: argparse.Namespace | None = None) -> tuple[argparse.Namespace, list[str]]:
        """argparse's, after the pending options are added (:meth:`add_pending_arguments`)."""
        self.add_pending_arguments()
        return super().parse_known_args(args, namespace)

    def format_usage(self) -> str:
        """argparse's usage line, with the pending options (:meth:`add_pending_arguments`)."""
        self.add_pending_arguments()
        return super().format_usage()

    def format_help(self) -> str:
        """argparse's help, with the pending options (:meth:`add_pending_arguments`)."""
        self.add_pending_arguments()
        return super().format_help()

    def error(self, message: str) -> None:  # type: ignore[override]
        """Print the usage line and the error worded in :attr:`lang`; exit 2 (as argparse)."""
        cause = sys.exc_info()[1]
        self.refuse(argparse_message(message, self.lang, cause.__context__ if cause is not None else None))

    def refuse(self, message: str) -> None:
        """Print the usage line and ``message`` (worded already) after the catalogue's prefix; exit 2."""
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: {t('cli.error', self.lang, message=message)}\n")

    def parse_command_line(self, argv: Sequence[str]) -> argparse.Namespace:
        """``argv`` parsed; arguments no parser knows are refused by the sub-command they follow (its
        usage line, from :attr:`commands`), not the top level as argparse does.

        Parameters
        ----------
        argv : sequence of str
            The command line without the program name.

        Returns
        -------
        argparse.Namespace
        """
        args, unknown = self.parse_known_args(argv)
        if unknown:
            owner: CliParser = self
            while owner.command_dest and getattr(args, owner.command_dest, None) in owner.commands:
                owner = owner.commands[getattr(args, owner.command_dest)]
            owner.refuse(t("cli.argparse.unrecognized", self.lang, args=" ".join(unknown)))
        return args
