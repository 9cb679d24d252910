"""Regenerate ``toy_jiangmen.osm``: a hand-made street network near Jiangmen (江门蓬江).

Run once: ``python tests/data/network/make_toy_osm.py``. The layout (200 m blocks)::

    row 3   W03--W13--W23   ~   E03--E13--E23
             |    |    |    ~    |    |    |
    row 2   W02--W12--W22   ~   E02--E12--E22
             |    |    |    ~    |    |    |
    row 1   W01--W11--W21 <==== E01--E11--E21      <== one-way bridge, westbound only
             |    |    |    ~    |    |    |
    row 0   W00--W10--W20   ~   E00--E10--E20
                          river
                                 I0---I1---I2       island, 600 m south of E00, no link

Node (c, r) of the west bank sits at column c, of the east bank at column 3 + c;
the island at columns 3, 4, 5 of row -3. A column is 200 m east-west, a row
200 m north-south. Every street is ``highway=residential`` with
``maxspeed=36`` (10 m/s); the bridge is ``highway=tertiary``, ``oneway=yes``,
nodes ordered E01 -> W21. A building outline and the river centre line are
included as non-street ways that the loader must ignore.
"""

from __future__ import annotations

import math
from pathlib import Path

LAT0, LON0 = 22.5800, 113.0800
R = 6371009.0  # osmnx's Earth radius for great-circle lengths
DLAT = 200.0 / (R * math.pi / 180)
DLON = 200.0 / (R * math.pi / 180 * math.cos(math.radians(LAT0)))

NODE_IDS: dict[str, int] = {}


def lonlat(col: float, row: float) -> tuple[float, float]:
    return LON0 + col * DLON, LAT0 + row * DLAT


def main() -> None:
    nodes: list[tuple[int, float, float]] = []
    ways: list[tuple[int, list[int], dict[str, str]]] = []

    def node(name: str, col: float, row: float) -> int:
        nid = 1000 + len(nodes)
        NODE_IDS[name] = nid
        lon, lat = lonlat(col, row)
        nodes.append((nid, lon, lat))
        return nid

    street = {"highway": "residential", "maxspeed": "36"}
    for bank, x0 in (("W", 0), ("E", 3)):
        for c in range(3):
            for r in range(4):
                node(f"{bank}{c}{r}", x0 + c, r)
        for r in range(4):
            ways.append((len(ways), [NODE_IDS[f"{bank}{c}{r}"] for c in range(3)], street))
        for c in range(3):
            ways.append((len(ways), [NODE_IDS[f"{bank}{c}{r}"] for r in range(4)], street))
    ways.append(
        (len(ways), [NODE_IDS["E01"], NODE_IDS["W21"]],
         {"highway": "tertiary", "maxspeed": "36", "oneway": "yes", "bridge": "yes", "name": "单行桥"})
    )
    for i in range(3):
        node(f"I{i}", 3 + i, -3)
    ways.append((len(ways), [NODE_IDS[f"I{i}"] for i in range(3)], {"highway": "residential", "maxspeed": "36"}))
    # non-street ways: a building around (0.5, 0.5) and the river centre line at column 2.5
    b = [node(f"B{i}", 0.5 + dx, 0.5 + dy) for i, (dx, dy) in enumerate(((-.1, -.1), (.1, -.1), (.1, .1), (-.1, .1)))]
    ways.append((len(ways), b + [b[0]], {"building": "yes"}))
    rv = [node("R0", 2.5, -1), node("R1", 2.5, 4)]
    ways.append((len(ways), rv, {"waterway": "river", "name": "江门河"}))

    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="hand-made test data">']
    for nid, lon, lat in nodes:
        lines.append(f'  <node id="{nid}" version="1" lat="{lat:.8f}" lon="{lon:.8f}"/>')
    for wid, refs, tags in ways:
        lines.append(f'  <way id="{5000 + wid}" version="1">')
        lines.extend(f'    <nd ref="{ref}"/>' for ref in refs)
        lines.extend(f'    <tag k="{k}" v="{v}"/>' for k, v in tags.items())
        lines.append("  </way>")
    lines.append("</osm>")
    out = Path(__file__).with_name("toy_jiangmen.osm")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(out, len(nodes), "nodes", len(ways), "ways")
    print(NODE_IDS)


if __name__ == "__main__":
    main()
