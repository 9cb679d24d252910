"""Import speed of a large XLSX facility register: ``read_facilities`` and its table reader.

Generates a facility register of ``--rows`` rows × 10 columns (300,000 cells by default) the
way Excel saves one — text in the shared-string table, numbers as values, a title row above
the header — with points inside Jiangmen's towns, then times in the same process, median of
``--runs`` runs each:

* ``table_s``: :func:`coverage.io.tables.read_table` (the streaming XLSX reader, header search,
  cleaning) — the part of the import that reads the file;
* ``baseline_s``: ``pandas.read_excel(engine="openpyxl")`` of the same file, the usual way to
  read a sheet in Python (values only, no checks);
* ``import_s``: the whole :func:`coverage.io.read_facilities` (reading + row-by-row validation,
  town assignment).

It also checks the reader's cells equal openpyxl's read-only reader's (``same``). Usage:
``python benchmarks/bench_import.py [--rows N] [--runs K] [--inline]`` (``--inline``: text as
inline strings, as openpyxl itself writes). Last line:
``RESULT cells=<n> table_s=<s> baseline_s=<s> speedup=<baseline/table> import_s=<s> same=<bool>``.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import openpyxl
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coverage.io import FACILITY_ALIASES, read_facilities  # noqa: E402
from coverage.io.report import ImportReport  # noqa: E402
from coverage.io.reference import default_towns  # noqa: E402
from coverage.io.tables import read_table  # noqa: E402

HEADER = ["名称", "经度", "纬度", "地址", "所属镇街", "区县", "床位数", "护理型床位数", "启用年份", "类型"]
_INLINE = re.compile(r'<c r="([A-Z]+[0-9]+)" t="inlineStr"><is><t>([^<]*)</t></is></c>')
_SST_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def make_register(path: Path, rows: int, inline: bool = False) -> Path:
    """Write a register of ``rows`` facilities (a title row, the header, ``rows`` data rows)."""
    rng = np.random.default_rng(0)
    towns = default_towns()
    points = towns.geometry.sample_points(40, rng=0).explode().reset_index()
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("站点")
    ws.append(["江门市养老服务站点名册（基准测试）"])
    ws.append(HEADER)
    for i in range(rows):
        k = i % len(points)
        p, town = points.geometry.iloc[k], towns.iloc[int(points["index"].iloc[k])]
        ws.append([f"长者服务站{i}", round(p.x, 6), round(p.y, 6), f"{town.town_zh}幸福路{i}号", town.town_zh,
                   town.district_zh, int(rng.integers(0, 100)), int(rng.integers(0, 50)), 2015 + i % 8, "站点"])
    raw = path.with_suffix(".inline.xlsx")
    wb.save(raw)
    if inline:
        raw.replace(path)
        return path
    _to_shared_strings(raw, path)
    raw.unlink()
    return path


def _to_shared_strings(src: Path, dst: Path) -> None:
    """Rewrite openpyxl's inline strings as a shared-string table, as Excel saves text."""
    import html

    index: dict[str, int] = {}
    order: list[str] = []

    def shared(m: re.Match[str]) -> str:
        text = html.unescape(m[2])
        if text not in index:
            index[text] = len(order)
            order.append(text)
        return f'<c r="{m[1]}" t="s"><v>{index[text]}</v></c>'

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = _INLINE.sub(shared, data.decode("utf-8")).encode("utf-8")
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", f'<Relationship Id="rIdSST" Type="{_REL}" '
                                    'Target="sharedStrings.xml"/></Relationships>'.encode())
            elif info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_CT}"/>'
                                    "</Types>".encode())
            zout.writestr(info, data)
        items = "".join(f"<si><t>{escape(s)}</t></si>" for s in order)
        zout.writestr("xl/sharedStrings.xml", f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_SST_NS}" '
                      f'count="{len(order)}" uniqueCount="{len(order)}">{items}</sst>')


def _timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def _same_as_openpyxl(path: Path) -> bool:
    """The reader's rows equal openpyxl's read-only, values-only reader's."""
    from coverage.io.xlsx import read_sheets, scan_workbook

    scans = scan_workbook(path, values=True)
    mine = read_sheets(path, scans, [s.title for s in scans], ImportReport(path.name, "bench"))
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        for s in scans:
            ws = wb[s.title]
            ws.reset_dimensions()
            theirs = [list(r) for r in ws.iter_rows(max_row=s.max_row, max_col=s.max_col, values_only=True)]
            if theirs != mine[s.title]:
                return False
    finally:
        wb.close()
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=30_000, help="data rows (10 cells each; default 30,000)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each reader (default 3; the median is shown)")
    parser.add_argument("--inline", action="store_true", help="text as inline strings (as openpyxl writes)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        path, made_s = _timed(lambda: make_register(Path(tmp) / "register.xlsx", args.rows, args.inline))
        cells = (args.rows + 1) * len(HEADER) + 1
        print(f"generated {path.name}: {cells:,} cells, {path.stat().st_size / 1e6:.1f} MB in {made_s:.1f} s")
        tables, baselines, imports = [], [], []
        n_rows = n_base = n_imported = 0
        for _ in range(args.runs):
            table, dt = _timed(lambda: read_table(path, FACILITY_ALIASES, ImportReport(path.name, "bench")))
            tables.append(dt)
            n_rows = len(table.frame)
            base, dt = _timed(lambda: pd.read_excel(path, engine="openpyxl", header=1))
            baselines.append(dt)
            n_base = len(base)
            (gdf, _report), dt = _timed(lambda: read_facilities(path, "elder_care_station"))
            imports.append(dt)
            n_imported = len(gdf)
        same = _same_as_openpyxl(path)
    table_s, base_s, import_s = (statistics.median(x) for x in (tables, baselines, imports))
    print(f"read_table: {n_rows:,} rows, runs {', '.join(f'{x:.2f}' for x in tables)} s")
    print(f"pandas.read_excel(openpyxl): {n_base:,} rows, runs {', '.join(f'{x:.2f}' for x in baselines)} s")
    print(f"read_facilities: {n_imported:,} facilities, runs {', '.join(f'{x:.2f}' for x in imports)} s")
    print(f"RESULT cells={cells} table_s={table_s:.3f} baseline_s={base_s:.3f} speedup={base_s / table_s:.1f} "
          f"import_s={import_s:.3f} same={same}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
