"""The command line speaks ``--lang`` end to end: argparse's own errors (unknown command or option,
invalid choice, missing argument, a bad number) and ``--help`` are worded from the catalogue, Chinese
by default, with argparse's usage line and exit status 2; the English is argparse's own."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

import pytest

from coverage.cli import build_parser, main
from coverage.commands._parser import argparse_message, lang_from_argv
from coverage.i18n import t
from coverage.layers import LAYERS

LAYER = ["--layer", "elder_care_station", "--no-workspace"]
COMMANDS = "'access', 'community', 'coverage', 'equity', 'gaps', 'import', 'service-areas', 'report', 'review', " \
    "'site', 'workspace'"


def refused(capsys, argv: list[str]) -> tuple[int, list[str]]:
    """Run the CLI on ``argv`` that argparse refuses; return (exit status, stderr lines)."""
    with pytest.raises(SystemExit) as exc:
        main(argv)
    return exc.value.code, capsys.readouterr().err.splitlines()


CASES = [
    # unknown command
    (["nope"], "python -m coverage",
     f"错误：参数 COMMAND：无效的选择 'nope'（可选：{COMMANDS}）",
     f"error: argument COMMAND: invalid choice: 'nope' (choose from {COMMANDS})"),
    # unknown option (reported by the command it follows, with its usage line)
    (["coverage", *LAYER, "--bogus", "x"], "python -m coverage coverage",
     "错误：无法识别的参数：--bogus x", "error: unrecognized arguments: --bogus x"),
    (["workspace", "list", "--bogus"], "python -m coverage workspace list",  # the action it follows
     "错误：无法识别的参数：--bogus", "error: unrecognized arguments: --bogus"),
    # invalid choice, naming the choices
    (["coverage", "--no-workspace", "--layer", "canteen"], "python -m coverage coverage",
     f"错误：参数 --layer：无效的选择 'canteen'（可选：{', '.join(map(repr, LAYERS))}）",
     f"error: argument --layer: invalid choice: 'canteen' (choose from {', '.join(map(repr, LAYERS))})"),
    (["coverage", *LAYER, "--crs", "utm"], "python -m coverage coverage",
     "错误：参数 --crs：无效的选择 'utm'（可选：'wgs84', 'cgcs2000', 'gcj02', 'bd09'）",
     "error: argument --crs: invalid choice: 'utm' (choose from 'wgs84', 'cgcs2000', 'gcj02', 'bd09')"),
    # missing required arguments
    (["site", "--no-workspace"], "python -m coverage site",
     "错误：缺少必需的参数：--layer, --out", "error: the following arguments are required: --layer, --out"),
    (["workspace"], "python -m coverage workspace",
     "错误：缺少必需的参数：ACTION", "error: the following arguments are required: ACTION"),
    (["site", *LAYER, "--out", "s.geojson"], "python -m coverage site",
     "错误：必须给出以下参数之一：--k --target", "error: one of the arguments --k --target is required"),
    # a bad int / float (argparse's own types)
    (["site", *LAYER, "--out", "s.geojson", "--k", "ten"], "python -m coverage site",
     "错误：参数 --k：'ten' 不是整数", "error: argument --k: invalid int value: 'ten'"),
    (["site", *LAYER, "--out", "s.geojson", "--k", "1", "--time-limit", "abc"], "python -m coverage site",
     "错误：参数 --time-limit：'abc' 不是数字", "error: argument --time-limit: invalid float value: 'abc'"),
    # the planner's number types (coverage.commands._options.number)
    (["coverage", *LAYER, "--minutes", "fifteen"], "python -m coverage coverage",
     "错误：参数 --minutes：'fifteen' 不是数字", "error: argument --minutes: 'fifteen' is not a number"),
    (["gaps", *LAYER, "--out", "g.geojson", "--top", "2.5"], "python -m coverage gaps",
     "错误：参数 --top：'2.5' 不是整数", "error: argument --top: '2.5' is not a whole number"),
    (["coverage", *LAYER, "--minutes", "-15"], "python -m coverage coverage",
     "错误：参数 --minutes：应为大于 0 的有限数；收到 '-15'",
     "error: argument --minutes: must be a finite number > 0, got '-15'"),
    (["gaps", *LAYER, "--out", "g.geojson", "--min-population", "nan"], "python -m coverage gaps",
     "错误：参数 --min-population：应为不小于 0 的有限数；收到 'nan'",
     "error: argument --min-population: must be a finite number >= 0, got 'nan'"),
    # a value missing, two exclusive options
    (["coverage", *LAYER, "--out"], "python -m coverage coverage",
     "错误：参数 --out：需要给出一个值", "error: argument --out: expected one argument"),
    (["site", *LAYER, "--out", "s.geojson", "--k", "1", "--target", "0.9"], "python -m coverage site",
     "错误：参数 --target：不能与参数 --k 同时使用", "error: argument --target: not allowed with argument --k"),
]


@pytest.mark.parametrize("argv, prog, zh, en", CASES, ids=[" ".join(c[0])[:40] for c in CASES])
def test_argparse_errors_are_worded_in_the_command_language(capsys, argv, prog, zh, en):
    code, lines = refused(capsys, argv)  # Chinese by default
    assert code == 2
    assert lines[0].startswith(f"用法：{prog} ")
    assert lines[-1] == f"{prog}: {zh}"
    code, lines = refused(capsys, [*argv, "--lang", "en"])
    assert code == 2
    assert lines[0].startswith(f"usage: {prog} ")
    assert lines[-1] == f"{prog}: {en}"


def test_the_english_is_argparse_own_and_an_unknown_message_is_kept():
    # the English templates reproduce argparse's messages word for word
    for _, _, _, en in CASES:
        message = en.removeprefix("error: ")
        assert argparse_message(message, "en") == message
    assert argparse_message("something argparse may say one day", "zh") == "something argparse may say one day"
    assert argparse_message("argument --x: something new", "zh") == "参数 --x：something new"


def test_the_language_is_read_from_the_command_line_before_parsing():
    assert lang_from_argv([]) == "zh"
    assert lang_from_argv(["site", "--lang", "en"]) == "en"
    assert lang_from_argv(["site", "--lang=en"]) == "en"
    assert lang_from_argv(["site", "--lang", "en", "--lang", "zh"]) == "zh"  # the last wins, as in argparse
    assert lang_from_argv(["site", "--lang", "fr"]) == "zh"  # refused later, in the default language
    assert lang_from_argv(["site", "--lang"]) == "zh"
    assert lang_from_argv(["import", "--", "--lang", "en"]) == "zh"  # a file name after --
    # argparse takes an unambiguous abbreviation: so does the language read before it
    assert lang_from_argv(["site", "--lan", "en"]) == "en" == lang_from_argv(["site", "--lan=en"])
    assert lang_from_argv(["site", "--la", "en"]) == "zh"  # --la could be --layer too


def test_an_abbreviated_lang_words_argparse_errors_in_that_language(capsys):
    code, lines = refused(capsys, ["coverage", *LAYER, "--lan", "en", "--bogus"])
    assert code == 2 and "error:" in lines[-1] and "错误" not in lines[-1]


def test_an_invalid_language_is_refused_in_chinese_naming_the_choices(capsys):
    code, lines = refused(capsys, ["coverage", *LAYER, "--lang", "fr"])
    assert code == 2 and lines[-1] == "python -m coverage coverage: 错误：参数 --lang：无效的选择 'fr'（可选：'zh', 'en'）"


def test_workspace_takes_lang_before_or_after_the_action(capsys):
    code, lines = refused(capsys, ["workspace", "drop", "widget", "x", "--lang", "en"])
    assert code == 2 and lines[-1] == (
        "python -m coverage workspace drop: error: argument kind: invalid choice: 'widget' (choose from 'layer', "
        "'towns', 'population', 'standards', 'scenario', 'draft')")
    code, lines = refused(capsys, ["workspace", "--lang", "en", "prune-drafts", "--older-than", "a"])
    assert code == 2 and lines[-1] == (
        "python -m coverage workspace prune-drafts: error: argument --older-than: invalid float value: 'a'")
    code, lines = refused(capsys, ["workspace", "prune-drafts", "--older-than", "a"])
    assert lines[-1] == "python -m coverage workspace prune-drafts: 错误：参数 --older-than：'a' 不是数字"


def test_the_entry_point_exits_2_with_the_worded_error():
    done = subprocess.run([sys.executable, "-m", "coverage", "site", "--lang", "en", "--k", "x"],
                          capture_output=True, text=True)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("usage: python -m coverage site ")
    assert done.stderr.splitlines()[-1] == "python -m coverage site: error: argument --k: invalid int value: 'x'"


def test_help_is_worded_in_the_command_language():
    zh = build_parser("zh").format_help()
    en = build_parser("en").format_help()
    assert zh.startswith("用法：python -m coverage") and "显示本帮助并退出" in zh and "\n命令：\n" in zh
    assert "江门民政服务设施覆盖规划" in zh and "为新设施选址" in zh
    assert en.startswith("usage: python -m coverage") and "show this help message and exit" in en
    assert "propose new facility sites" in en and "为新设施选址" not in en
    done = subprocess.run([sys.executable, "-m", "coverage", "site", "--help", "--lang", "en"],
                          capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.startswith("usage: python -m coverage site")
    assert "propose new facility sites" in done.stdout and "options:" in done.stdout


def heading_lines(parser: argparse.ArgumentParser) -> list[str]:
    """The section heading lines of ``parser``'s help: an unindented line after a blank one, before an
    indented one (the usage line, the first, is not one)."""
    lines = parser.format_help().splitlines()
    return [line for before, line, after in zip(lines, lines[1:], lines[2:])
            if not before and line and not line[0].isspace() and after.startswith("  ")]


@pytest.mark.parametrize("command", [[], ["site"], ["workspace", "drop"]])
def test_chinese_help_headings_end_in_a_full_width_colon(command):
    parser = build_parser("zh")
    for name in command:
        parser = parser.command(name)
    headings = heading_lines(parser)
    expected = {"选项：", "命令："} if not command else {"选项：", "位置参数："} if len(command) > 1 else {
        "选项：", "服务标准（默认：data/standards.csv，按区域类型）："}
    assert expected <= set(headings), headings
    assert all(line.endswith("：") for line in headings), headings
    assert not [line for line in parser.format_help().splitlines() if line.endswith(":")]


@pytest.mark.parametrize("command", [[], ["site"], ["workspace", "drop"]])
def test_english_help_is_argparse_own(command):
    parser = build_parser("en")
    for name in command:
        parser = parser.command(name)
    ours = parser.format_help()
    assert {"options:", "commands:" if not command else "options:"} <= set(heading_lines(parser))
    parser.formatter_class = argparse.HelpFormatter  # argparse's formatter on the same parser
    assert ours == parser.format_help()


@pytest.mark.parametrize("command", ["access", "community", "coverage", "equity", "gaps", "import", "service-areas",
                                     "report", "review", "site", "workspace", "workspace drop", "workspace export"])
def test_every_command_help_is_in_the_chosen_language(capsys, command):
    helps = {}
    for lang in ("zh", "en"):
        with pytest.raises(SystemExit) as exc:
            main([*command.split(), "--help", "--lang", lang])
        assert exc.value.code == 0
        helps[lang] = capsys.readouterr().out
    name = command.split()[-1]
    key = f"cli.ws.{name}" if command.startswith("workspace ") else f"cli.command.{name}"
    assert t(key, "zh") in helps["zh"] and t(key, "en") in helps["en"].replace("\n", " ")
    # no English sentence of the English help (four words or more) is left in the Chinese one
    english = set(re.findall(r"[a-z]+(?: [a-z]+){3,}", helps["en"].split("\n\n", 1)[1]))  # after the usage
    assert english, command
    assert not [phrase for phrase in english if phrase in helps["zh"]], command


def test_the_communities_import_report_is_printed_in_the_command_language(capsys):
    from coverage.io.communities import read_communities
    from coverage.region import load_default

    points = Path(__file__).parent / "data" / "communities" / "points.csv"
    _, report = read_communities(points, towns=load_default().towns)
    for lang in ("zh", "en"):
        assert main(["community", "--no-workspace", "--communities", str(points), "--lang", lang]) == 0
        err = capsys.readouterr().err
        assert f"[communities] {report.summary(lang)}" in err
    assert report.summary("zh") != report.summary("en")


def test_an_unknown_argument_after_a_workspace_action_is_refused_by_that_action(capsys, tmp_path):
    code, lines = refused(capsys, ["workspace", "--workspace", str(tmp_path), "restore", "x.sqlite", "--bogus"])
    assert code == 2
    assert lines[-1] == "python -m coverage workspace restore: 错误：无法识别的参数：--bogus"
    assert lines[0].startswith("用法：python -m coverage workspace restore ")  # the action's usage line
