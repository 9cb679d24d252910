"""The CLI's outputs and language: every ``--out`` is checked before any work (directory, extension,
an input file, an existing file without ``--force``), numeric options are refused at the boundary
(NaN, inf, negatives), ``--lang en`` prints no Chinese and ``--lang zh`` no English-only line; one
standards-by-area helper and one town-type mapping."""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
from pathlib import Path

import pytest

from coverage.cli import main
from coverage.errors import InputError
from coverage.paths import TARGETS_FILE
from coverage.standards import AREA_TYPES, TOWN_TYPE_AREA, Standard, area_type_of, load_standards, standards_by_area

POINTS = Path(__file__).parent / "data" / "communities" / "points.csv"
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
LAYER = ["--layer", "elder_care_station", "--no-workspace"]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """Run the CLI in-process (in English unless ``--lang`` is given); return (exit status, stdout,
    stderr). argparse errors exit 2 too."""
    if "--lang" not in argv:
        argv = (*argv, "--lang", "en")
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse refused an option
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


# --------------------------------------------------------------------------- --out rules


@pytest.mark.parametrize("command", [
    ["coverage", *LAYER], ["access", *LAYER], ["equity", *LAYER], ["gaps", *LAYER],
    ["service-areas", *LAYER], ["site", *LAYER, "--k", "1"], ["community", "--no-workspace"],
    ["review", "--no-workspace"], ["report", "--no-workspace"],
])
def test_a_directory_as_out_is_refused_before_any_work(tmp_path, capsys, command):
    code, out, err = run(capsys, *command, "--out", str(tmp_path))
    assert code == 2
    assert "is a directory" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command, name", [
    (["gaps", *LAYER], "g.xlsx"), (["coverage", *LAYER], "c.geojson"), (["review", "--no-workspace"], "r.docx"),
    (["report", "--no-workspace"], "r.md"), (["service-areas", *LAYER], "s.csv"), (["access", *LAYER], "a.xlsx"),
])
def test_the_extension_decides_the_format_and_a_wrong_one_is_refused(tmp_path, capsys, command, name):
    code, _, err = run(capsys, *command, "--out", str(tmp_path / name))
    assert code == 2
    assert "the extension decides the format" in err
    assert not (tmp_path / name).exists()


def test_review_does_not_overwrite_its_targets_file(tmp_path, capsys):
    targets = tmp_path / "T.csv"
    shutil.copy(TARGETS_FILE, targets)
    before = targets.read_bytes()
    code, _, err = run(capsys, "review", "--no-workspace", "--targets", str(targets), "--out", str(targets),
                       "--force")
    assert code == 2 and "is the input file" in err
    assert targets.read_bytes() == before


def test_community_does_not_overwrite_its_communities_file_even_through_a_link(tmp_path, capsys):
    points = tmp_path / "points.csv"
    shutil.copy(POINTS, points)
    link = tmp_path / "link.csv"
    os.symlink(points, link)
    before = points.read_bytes()
    for out in (points, link):
        code, _, err = run(capsys, "community", "--no-workspace", "--communities", str(points), "--out", str(out),
                           "--force")
        assert code == 2 and "is the input file" in err
    assert points.read_bytes() == before


def test_a_facilities_file_is_an_input_too(tmp_path, capsys):
    register = tmp_path / "stations.csv"
    register.write_text("名称,经度,纬度\n白沙站,113.0726,22.5760\n", encoding="utf-8")
    code, _, err = run(capsys, "coverage", *LAYER, "--facilities", f"elder_care_station={register}",
                       "--out", str(register), "--force")
    assert code == 2 and "is the input file" in err


@pytest.mark.parametrize("command, name", [
    (["report", "--no-workspace"], "existing.docx"), (["coverage", *LAYER], "existing.csv"),
    (["gaps", *LAYER], "existing.geojson"), (["review", "--no-workspace"], "existing.xlsx"),
])
def test_an_existing_file_is_replaced_only_with_force(tmp_path, capsys, command, name):
    target = tmp_path / name
    target.write_bytes(b"an unrelated file")
    code, _, err = run(capsys, *command, "--out", str(target))
    assert code == 2 and "exists" in err and "--force" in err
    assert target.read_bytes() == b"an unrelated file"


def test_two_outputs_of_one_command_may_not_be_the_same_file(tmp_path, capsys):
    same = str(tmp_path / "a.csv")
    code, _, err = run(capsys, "access", *LAYER, "--out", same, "--cells", same)
    assert code == 2 and "is the input file" in err
    code, _, err = run(capsys, "gaps", *LAYER, "--out", str(tmp_path / "g.geojson"), "--towns-out",
                       str(tmp_path / "g.geojson"))
    assert code == 2


def test_coverage_with_force_replaces_its_earlier_output(tmp_path, capsys):
    target = tmp_path / "cov.csv"
    target.write_text("old", encoding="utf-8")
    code, _, err = run(capsys, "coverage", *LAYER, "--out", str(target), "--force")
    assert code == 0, err
    assert "town_code" in target.read_text(encoding="utf-8-sig")


# --------------------------------------------------------------------------- numeric options


@pytest.mark.parametrize("command, option, value", [
    (["gaps", *LAYER, "--out", "g.geojson"], "--top", "-1"),
    (["gaps", *LAYER, "--out", "g.geojson"], "--min-population", "nan"),
    (["gaps", *LAYER, "--out", "g.geojson"], "--min-cell-population", "-5"),
    (["gaps", *LAYER, "--out", "g.geojson"], "--max-across", "inf"),
    (["coverage", *LAYER], "--minutes", "nan"),
    (["coverage", *LAYER], "--minutes", "-15"),
    (["coverage", *LAYER], "--speed", "inf"),
    (["coverage", *LAYER], "--distance", "0"),
    (["service-areas", *LAYER, "--out", "s.geojson"], "--buffer", "nan"),
    (["community", "--no-workspace"], "--year", "-1"),
    (["report", "--no-workspace", "--out", "r.docx"], "--dpi", "nan"),
])
def test_numeric_options_refuse_nan_inf_and_out_of_range(tmp_path, capsys, monkeypatch, command, option, value):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, *command, option, value)
    assert code == 2
    assert option in err and ("finite number" in err or "whole number" in err)
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- language


LANG_COMMANDS = [
    ["coverage", *LAYER],
    ["access", "--layer", "elder_care_institution", "--no-workspace"],
    ["equity", *LAYER],
    ["community", "--no-workspace", "--communities", str(POINTS)],
    ["gaps", *LAYER, "--top", "5"],
]


@pytest.mark.parametrize("command", LANG_COMMANDS, ids=lambda c: c[0])
def test_english_output_has_no_chinese_and_chinese_output_no_english_only_line(tmp_path, capsys, command):
    outs = {}
    for lang in ("en", "zh"):
        extra = ["--out", str(tmp_path / f"{lang}.geojson")] if command[0] == "gaps" else \
            ["--out", str(tmp_path / f"{lang}.csv")]
        code, out, err = run(capsys, *command, *extra, "--lang", lang)
        assert code == 0, err
        outs[lang] = (out, err)
    out, err = outs["en"]
    # the data files' own import report (stderr, names the file's rows) is the user's text, not ours
    printed = out + "\n".join(line for line in err.splitlines() if not line.startswith("[communities]")
                              and not line.startswith("  ") and str(tmp_path) not in line)
    assert not CJK.findall(printed), [line for line in printed.splitlines() if CJK.search(line)]
    out, err = outs["zh"]
    # stderr lines starting "[" or indented are the importer's report of the user's file (io, not the CLI)
    ours = [line for line in out.splitlines() + [e for e in err.splitlines() if not e.startswith(("[", "  "))]
            if re.search(r"[A-Za-z]{3,}", line.replace(str(tmp_path), ""))]
    assert all(CJK.search(line) for line in ours), [line for line in ours if not CJK.search(line)]


# --------------------------------------------------------------------------- standards by area type


def test_standards_by_area_reads_the_table_per_area_type_or_repeats_one_standard():
    table = load_standards()
    by_area = standards_by_area(table, "elder_care_station")
    assert set(by_area) == set(AREA_TYPES)
    assert by_area["urban"] == table.get("elder_care_station", "urban")
    assert by_area["rural"] == table.get("elder_care_station", "rural")
    assert by_area["urban"] != by_area["rural"]  # data/standards.csv: walk in 街道, ride in 镇
    one = table.get("elder_canteen", "urban")
    assert standards_by_area(one, None, ["rural"]) == {"rural": one}
    assert isinstance(one, Standard)
    with pytest.raises(InputError, match="needs a layer_id"):
        standards_by_area(table, None)
    with pytest.raises(InputError, match="StandardTable"):
        standards_by_area({"urban": one}, "elder_care_station")


def test_town_types_map_to_area_types_and_an_unknown_type_is_an_error(small_region):
    assert {k: area_type_of(k) for k in TOWN_TYPE_AREA} == {"街道": "urban", "镇": "rural"}
    with pytest.raises(InputError, match="unknown town type '乡'"):
        area_type_of("乡")
    towns = small_region.towns.copy()
    towns["area_type"] = None
    by_type = dataclasses.replace(small_region, towns=towns)
    assert list(by_type.cell_area_type()) == list(small_region.cell_area_type())  # 街道/镇 give the same answer
    towns.loc[towns["town_code"] == "440703101", "town_type"] = "乡"
    with pytest.raises(InputError, match="440703101"):
        dataclasses.replace(small_region, towns=towns).cell_area_type()


def test_a_refused_output_is_worded_in_the_command_language(tmp_path, capsys):
    code, _, err = run(capsys, "coverage", *LAYER, "--out", str(tmp_path), "--lang", "zh")
    assert code == 2 and err == f"错误：{tmp_path}：是一个目录；请给出以 .csv / .csv.gz 结尾的文件名\n"
    code, _, err = run(capsys, "coverage", *LAYER, "--out", str(tmp_path))
    assert code == 2 and err == f"error: {tmp_path}: is a directory; give a file name ending in .csv / .csv.gz\n"
