"""OSM access tags and readers against osmnx/networkx on the real extracts pyrosm ships offline.

The reference is osmnx 2.1 itself: its network-type filters (read from ``osmnx._overpass`` at run time
and evaluated with Overpass semantics: unanchored regular expressions, a missing key never matches
``!~``) and ``ox.graph_from_xml`` on the same extract, with every difference documented in
``coverage.network`` checked here one by one.
"""

from __future__ import annotations

import re
from pathlib import Path

import networkx as nx
import numpy as np
import osmium
import pytest

from coverage.errors import NetworkError
from coverage.network import OSM_WAY_TAGS, RoadNetwork, mode_permissions
from coverage.reach import multi_source_times

pyrosm = pytest.importorskip("pyrosm")
ox = pytest.importorskip("osmnx")
from osmnx._overpass import _get_network_filter  # noqa: E402  (osmnx's own filters: the reference)

REF_FILTER = {"walk": "walk", "bike": "bike", "drive": "drive_service"}
MODES = ("walk", "bike", "drive")


def overpass_match(way_filter: str, tags: dict[str, str]) -> bool:
    """Does an Overpass way filter such as ``["highway"]["foot"!~"no"]`` keep a way with ``tags``?"""
    for key, op, rx in re.findall(r'\["([^"]+)"(?:(!?~)"([^"]*)")?\]', way_filter):
        value = tags.get(key)
        if op == "" and value is None:
            return False
        if op == "!~" and value is not None and re.search(rx, value):
            return False
        if op == "~" and (value is None or not re.search(rx, value)):
            return False
    return True


def osmnx_verdict(tags: dict[str, str]) -> tuple[bool, bool, bool]:
    return tuple(overpass_match(_get_network_filter(REF_FILTER[m]), tags) for m in MODES)


ALLOW = {"yes", "designated", "permissive", "destination", "official", "customers", "delivery",
         "use_sidepath", "dismount", "discouraged"}  # fmt: skip
DENY = {"no", "private", "agricultural", "forestry", "military", "permit", "restricted"}


def documented(tags: dict[str, str], mode: str) -> bool | None:
    """Our verdict where the module docstring documents a difference from osmnx, else None."""
    hw = tags.get("highway")
    keys = {"walk": ("foot", "access"), "bike": ("bicycle", "vehicle", "access"),
            "drive": ("motorcar", "motor_vehicle", "vehicle", "access")}[mode]  # fmt: skip
    decided = next(((k, tags[k]) for k in keys if tags.get(k) in ALLOW | DENY), None)
    if decided and decided[0] != "access":  # a mode tag decides (overrides access / the class)
        return decided[1] in ALLOW
    if decided and decided[1] in DENY:  # access=no (osmnx keeps it), vehicle=no
        return False
    if mode == "drive" and hw == "track":
        return True
    if mode == "drive" and hw == "trail":  # a class osmnx does not name
        return False
    return None


@pytest.fixture(scope="module")
def extract(tmp_path_factory) -> dict[str, Path]:
    """test_pbf as .pbf, as .osm XML, and as an XML osmnx can read (ways cut at missing nodes)."""
    pbf = Path(pyrosm.get_data("test_pbf"))
    out = tmp_path_factory.mktemp("osm")
    xml = out / "test.osm"
    with osmium.SimpleWriter(str(xml)) as w:
        for obj in osmium.FileProcessor(str(pbf)):
            if obj.is_node():
                w.add_node(obj)
            elif obj.is_way():
                w.add_way(obj)
    complete = out / "complete.osm"
    known = {o.id for o in osmium.FileProcessor(str(pbf)) if o.is_node()}
    with osmium.SimpleWriter(str(complete)) as w:
        for obj in osmium.FileProcessor(str(pbf)):
            if obj.is_node():
                w.add_node(obj)
            elif obj.is_way() and "highway" in obj.tags:
                runs, run = [], []
                for n in obj.nodes:
                    if n.ref in known:
                        run.append(n.ref)
                    else:
                        runs.append(run)
                        run = []
                runs.append(run)
                for k, r in enumerate(x for x in runs if len(x) >= 2):
                    w.add_way(obj.replace(id=obj.id * 1000 + k, nodes=r))
    return {"pbf": pbf, "xml": xml, "complete": complete}


def edge_set(net: RoadNetwork, mode: str) -> dict[tuple[int, int], float]:
    coo = net.travel_csr(mode, 3.6 if mode != "drive" else None).tocoo()
    return {(int(net.node_id[i]), int(net.node_id[j])): float(w) for i, j, w in zip(coo.row, coo.col, coo.data)}


def test_xml_and_pbf_readers_give_the_same_graph_on_a_clipped_extract(extract):
    a = RoadNetwork.from_pbf(extract["pbf"])
    b = RoadNetwork.from_osm_xml(extract["xml"])
    np.testing.assert_array_equal(a.node_id, b.node_id)
    np.testing.assert_allclose(a.node_xy, b.node_xy, atol=0.02)
    for mode in MODES:
        ea, eb = edge_set(a, mode), edge_set(b, mode)
        assert ea.keys() == eb.keys()
        assert max(abs(ea[k] - eb[k]) for k in ea) < 0.01


def test_ways_are_split_at_nodes_missing_from_the_extract(extract):
    net = RoadNetwork.from_pbf(extract["pbf"])
    present = {o.id for o in osmium.FileProcessor(str(extract["pbf"])) if o.is_node()}
    allowed = set()  # consecutive node pairs of highway ways, both in the extract
    gaps = 0
    for obj in osmium.FileProcessor(str(extract["pbf"])):
        if obj.is_way() and "highway" in obj.tags:
            refs = [n.ref for n in obj.nodes]
            for p, q in zip(refs[:-1], refs[1:]):
                if p in present and q in present:
                    allowed |= {(p, q), (q, p)}
            gaps += sum(r not in present for r in refs)
    assert gaps > 100  # the extract is clipped
    edges = set(edge_set(net, "walk")) | set(edge_set(net, "bike")) | set(edge_set(net, "drive"))
    assert edges <= allowed  # never a segment joining nodes across a missing one


@pytest.mark.parametrize(
    "tags, expected",
    [
        ({"highway": "residential"}, (True, True, True)),
        ({"highway": "residential", "foot": "no"}, (False, True, True)),
        ({"highway": "residential", "access": "private"}, (False, False, False)),
        ({"highway": "service", "access": "private", "foot": "yes"}, (True, False, False)),
        ({"highway": "service", "access": "no", "foot": "yes", "bicycle": "designated"}, (True, True, False)),
        ({"highway": "unclassified", "access": "destination"}, (True, True, True)),
        ({"highway": "track", "motor_vehicle": "private"}, (True, True, False)),
        ({"highway": "primary", "vehicle": "no"}, (True, False, False)),
        ({"highway": "primary", "motorcar": "no", "motor_vehicle": "yes"}, (True, True, False)),
        ({"highway": "footway", "bicycle": "yes"}, (True, True, False)),
        ({"highway": "cycleway", "foot": "designated"}, (True, True, False)),
        ({"highway": "cycleway"}, (False, True, False)),
        ({"highway": "pedestrian", "motorcar": "destination"}, (True, True, True)),
        ({"highway": "motorway"}, (False, False, True)),
        ({"highway": "steps", "access": "conditional=no @ (22:00-06:00)"}, (True, False, False)),
        ({"highway": "service", "service": "parking_aisle"}, (True, True, False)),
        ({"highway": "service", "service": "private"}, (False, False, False)),
        ({"highway": "pedestrian", "area": "yes"}, (False, False, False)),
        ({"highway": "construction"}, (False, False, False)),
        ({"highway": ["residential", "service"], "access": ["permissive"]}, (True, True, True)),
        ({}, (False, False, False)),
    ],
)
def test_mode_permissions(tags, expected):
    assert mode_permissions(tags) == expected


def test_graph_and_reach_equal_osmnx_networkx_on_the_same_extract(extract):
    """Edge sets, lengths and 15-minute walk times equal an osmnx graph of the same file (our permissions)."""
    saved = list(ox.settings.useful_tags_way)
    ox.settings.useful_tags_way = sorted(set(saved) | set(OSM_WAY_TAGS))
    try:
        G = ox.graph_from_xml(extract["complete"], bidirectional=False, simplify=False, retain_all=True)
    finally:
        ox.settings.useful_tags_way = saved
    net = RoadNetwork.from_pbf(extract["pbf"])
    for k, mode in enumerate(MODES):
        want: dict[tuple[int, int], float] = {}
        for u, v, data in G.edges(data=True):
            if u == v or not mode_permissions(data)[k]:
                continue
            pairs = [(u, v), (v, u)] if mode != "drive" else [(u, v)]
            for p in pairs:
                want[p] = min(want.get(p, np.inf), float(data["length"]))
        got = edge_set(net, mode)
        assert got.keys() == want.keys(), mode
        if mode != "drive":  # 3.6 km/h = 1 m/s: seconds are metres
            assert max(abs(got[p] - want[p]) for p in got) < 1e-6 * max(want.values())
    # reach: 15-minute walk (4.5 km/h) from 5 sources, networkx multi-source Dijkstra as the reference
    H = nx.Graph()
    for (u, v), length in edge_set(net, "walk").items():
        H.add_edge(u, v, t=length / 1.25)  # 1 m/s edges; 4.5 km/h = 1.25 m/s
    sources = sorted(H.nodes)[:: max(1, len(H) // 5)][:5]
    ref = nx.multi_source_dijkstra_path_length(H, sources, cutoff=900, weight="t")
    dist, _ = multi_source_times(net.travel_csr("walk", 4.5), net.node_index(sources), limit=900)
    ours = {int(net.node_id[i]): float(d) for i, d in enumerate(dist) if np.isfinite(d)}
    assert ours.keys() == ref.keys() and len(ours) > 50
    assert max(abs(ours[n] - ref[n]) for n in ours) < 1e-6


def test_helsinki_permissions_match_osmnx_except_where_documented():
    """The one Helsinki test: its 2,650 highway ways carry every usual access value."""
    path = pyrosm.get_data("helsinki_pbf")
    ways = [(dict(o.tags), [n.ref for n in o.nodes]) for o in osmium.FileProcessor(path)
            if o.is_way() and "highway" in o.tags]  # fmt: skip
    assert len(ways) == 2650
    differ = {m: 0 for m in MODES}
    for tags, _ in ways:
        for m, got, want in zip(MODES, mode_permissions(tags), osmnx_verdict(tags)):
            if got != want:
                assert documented(tags, m) == got, (m, tags)
                differ[m] += 1
    # the documented differences are the exception, not the rule
    assert all(0 < differ[m] < 0.1 * len(ways) for m in MODES), differ
    # foot=no ways (35) are not walked: a node only they use is no walking node
    net = RoadNetwork.from_pbf(path, crs="EPSG:3067")
    walk_nodes = set(net.node_id[net.usable_nodes("walk")].tolist())
    closed = [refs for tags, refs in ways if tags.get("foot") == "no"]
    assert len(closed) == 35
    only_closed = {r for refs in closed for r in refs}
    for tags, refs in ways:
        if tags.get("foot") != "no" and mode_permissions(tags)[0]:
            only_closed -= set(refs)
    assert only_closed and not (only_closed & walk_nodes)
    assert net.crs == "EPSG:3067"


def test_missing_or_unreadable_osm_file(tmp_path):
    with pytest.raises(NetworkError, match="not found"):
        RoadNetwork.from_pbf(tmp_path / "absent.osm.pbf")
    bad = tmp_path / "bad.osm"
    bad.write_text("<osm><way id='1'><nd ref=", encoding="utf-8")
    with pytest.raises(NetworkError, match="bad.osm"):
        RoadNetwork.from_osm_xml(bad)


CLIPPED = Path(__file__).parent / "data" / "network" / "clipped_access.osm"


def test_hand_made_clipped_extract_with_every_access_case():
    net = RoadNetwork.from_osm_xml(CLIPPED)
    walk, bike, drive = (set(edge_set(net, m)) for m in MODES)

    def both(*pairs):
        return {p for a, b in pairs for p in ((a, b), (b, a))}

    # way 100 is cut at the missing node 99: 1-2-3 and 4-5, never 3-4 straight across
    street = both((1, 2), (2, 3), (4, 5))
    assert walk == street | both((5, 6), (1, 9))  # private service + foot=yes; cycleway + foot=designated
    assert bike == street | both((6, 7), (1, 9))  # foot=no street; the cycleway
    assert drive == {(1, 2), (2, 1), (2, 3), (3, 2), (4, 5), (5, 4), (6, 7), (7, 6), (10, 9)}  # oneway=-1
    assert 8 not in set(net.node_id.tolist())  # only reached by the access=no track
    assert net.travel_csr("drive")[net.node_index(10)[0], net.node_index(9)[0]] == pytest.approx(
        111.2 / (60 / 3.6), rel=0.01)  # ~111 m of primary at maxspeed 60
    # osmnx's own XML reader refuses this clipped file (the way refers to a node it does not hold)
    with pytest.raises(Exception, match="(?i)node"):
        ox.graph_from_xml(CLIPPED, simplify=False, retain_all=True)
