"""RoadNetwork: loading OSM data, per-mode travel matrices, snapping."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from coverage.errors import NetworkError
from coverage.network import RoadNetwork, mode_permissions, parse_maxspeed

TOY = Path(__file__).parent / "data" / "network" / "toy_jiangmen.osm"

# OSM ids written by tests/data/network/make_toy_osm.py
W = {f"W{c}{r}": 1000 + 4 * c + r for c in range(3) for r in range(4)}
E = {f"E{c}{r}": 1012 + 4 * c + r for c in range(3) for r in range(4)}
ISLAND = {f"I{i}": 1024 + i for i in range(3)}
BUILDING = [1027, 1028, 1029, 1030]
RIVER = [1031, 1032]
ID = {**W, **E, **ISLAND}


@pytest.fixture(scope="module")
def toy() -> RoadNetwork:
    return RoadNetwork.from_osm_xml(TOY)


def idx(net: RoadNetwork, *names: str) -> np.ndarray:
    return net.node_index([ID[n] for n in names])


def test_toy_loads_streets_only(toy):
    assert toy.n_nodes == 27  # 24 bank + 3 island nodes: building / river nodes are not streets
    # streets: per bank 4 rows × 2 blocks + 3 columns × 3 blocks = 17 segments, two
    # directions each; island 2 segments × 2; the one-way bridge 1 → 34*2 + 4 + 1
    assert toy.n_edges == 73
    usable = set(toy.node_id[toy.usable_nodes("walk")].tolist())
    assert usable == set(ID.values())  # building / river nodes are not streets


def test_components_separate_the_island(toy):
    comp = toy.component
    mainland = comp[idx(toy, *W, *E)]
    island = comp[idx(toy, *ISLAND)]
    assert len(set(mainland)) == 1 and len(set(island)) == 1
    assert mainland[0] != island[0]


def test_one_way_bridge_only_for_driving(toy):
    e01, w21 = idx(toy, "E01", "W21")
    drive = toy.travel_csr("drive")
    walk = toy.travel_csr("walk", 4.5)
    # 200 m at maxspeed 36 km/h = 10 m/s → 20 s, westbound only
    assert drive[e01, w21] == pytest.approx(20.0, abs=0.01)
    assert drive[w21, e01] == 0  # no eastbound edge
    # walking ignores oneway: 200 m at 4.5 km/h (1.25 m/s) = 160 s both ways
    assert walk[e01, w21] == pytest.approx(160.0, abs=0.01)
    assert walk[w21, e01] == pytest.approx(160.0, abs=0.01)
    # to_node=True is the transpose (time *to* a node)
    rev = toy.travel_csr("drive", to_node=True)
    assert rev[w21, e01] == pytest.approx(20.0, abs=0.01)
    assert (abs(rev - drive.T) > 1e-9).nnz == 0


def test_travel_matrices_are_cached_and_need_a_speed(toy):
    assert toy.travel_csr("walk", 4.5) is toy.travel_csr("walk", 4.5)
    with pytest.raises(ValueError, match="speed"):
        toy.travel_csr("bike")
    with pytest.raises(ValueError, match="mode"):
        toy.travel_csr("fly", 4.0)


def test_snap_nearest_street_node_with_max_distance(toy):
    w00, w11, e02 = idx(toy, "W00", "W11", "E02")
    pts = np.array(
        [
            toy.node_xy[w00] + [0, 60],  # 60 m north of W00
            toy.node_xy[w00] + [-600, 0],  # 600 m west of the city: beyond 500 m
            toy.node_xy[w00] + [100, 100],  # centre of the building: its corners are not streets
            toy.node_xy[e02] + [-100 + 1, 0],  # 1 m east of the river centre → E02 (99 m)
        ]
    )
    node, dist = toy.snap(pts, "walk")
    assert node[0] == w00 and dist[0] == pytest.approx(60)
    assert node[1] == -1 and math.isinf(dist[1])
    # equidistant to W00, W10, W01, W11 (141 m); the building corners are 113 m away but unusable
    assert node[2] in idx(toy, "W00", "W10", "W01", "W11")
    assert dist[2] == pytest.approx(math.hypot(100, 100), rel=2e-2)  # UTM grid ≠ lon/lat grid
    assert node[3] == e02 and dist[3] == pytest.approx(99, abs=0.5)
    node, _ = toy.snap(pts[1:2], "walk", max_snap_m=700)
    assert node[0] == w00
    assert w11 not in node  # sanity


def test_snap_cached_returns_same_arrays(toy):
    pts = toy.node_xy[:5] + 3.0
    a = toy.snap_cached(pts, "walk")
    b = toy.snap_cached(pts.copy(), "walk")
    assert a is b
    np.testing.assert_array_equal(a[0], toy.snap(pts, "walk")[0])


def test_parse_maxspeed():
    assert parse_maxspeed("50") == 50
    assert parse_maxspeed(40) == 40
    assert parse_maxspeed("30 mph") == pytest.approx(48.28, abs=0.01)
    assert parse_maxspeed(["40", "60"]) == 50
    assert parse_maxspeed("40;60") == 50
    assert math.isnan(parse_maxspeed("none"))
    assert math.isnan(parse_maxspeed("CN:urban"))
    assert math.isnan(parse_maxspeed(None))


def test_mode_permissions_by_highway_class():
    assert mode_permissions({"highway": "motorway"}) == (False, False, True)  # 高速公路: cars only
    assert mode_permissions({"highway": "footway"}) == (True, False, False)
    assert mode_permissions({"highway": "steps"}) == (True, False, False)
    assert mode_permissions({"highway": "residential"}) == (True, True, True)
    assert mode_permissions({"highway": "residential", "access": "no"}) == (False, False, False)
    assert mode_permissions({"highway": "construction"}) == (False, False, False)
    assert mode_permissions({}) == (False, False, False)


def test_from_networkx_speeds_and_modes():
    import networkx as nx

    G = nx.MultiDiGraph(crs="EPSG:4326")
    G.add_node(1, x=113.08, y=22.58)
    G.add_node(2, x=113.09, y=22.58)
    G.add_node(3, x=113.10, y=22.58)
    G.add_edge(1, 2, highway="primary", length=1000.0)  # no maxspeed: 50 km/h default
    G.add_edge(2, 3, highway="footway", length=500.0)
    G.add_edge(3, 3, highway="service", length=10.0)  # self-loop dropped
    net = RoadNetwork.from_networkx(G)
    assert net.n_edges == 2
    drive = net.travel_csr("drive")
    assert drive[0, 1] == pytest.approx(1000 / (50 / 3.6))
    assert drive[1, 2] == 0  # footway not drivable
    walk = net.travel_csr("walk", 3.6)
    assert walk[2, 1] == pytest.approx(500.0)  # 1 m/s, both directions
    # projected to EPSG:32649: 0.01° of longitude at 22.58° N ≈ 1027 m
    assert np.hypot(*(net.node_xy[1] - net.node_xy[0])) == pytest.approx(1027.4, rel=2e-3)


def test_from_arrays_oneway_parallel_edges_and_validation():
    xy = np.array([[0, 0], [100, 0], [200, 0]], dtype=float)
    net = RoadNetwork.from_arrays(
        xy, [0, 0, 1], [1, 1, 2], length_m=[100, 80, 100], oneway=[False, False, True],
        drive_speed_kmh=36.0,
    )
    d = net.travel_csr("drive")
    assert d[0, 1] == pytest.approx(8.0)  # parallel edges keep the shorter (80 m at 10 m/s)
    assert d[1, 2] == pytest.approx(10.0) and d[2, 1] == 0
    with pytest.raises(ValueError, match="endpoints"):
        RoadNetwork.from_arrays(xy, [0], [5])
    with pytest.raises(ValueError, match="node_xy"):
        RoadNetwork(np.zeros((3, 3)), [], [], [])
    with pytest.raises(ValueError, match="length_m"):
        RoadNetwork(xy, [0], [1], [-1.0])
    with pytest.raises(ValueError, match="max_snap_m"):
        RoadNetwork(xy, [0], [1], [1.0], max_snap_m=0)


def test_save_load_roundtrip(tmp_path, toy):
    path = toy.save(tmp_path / "roads.npz")
    back = RoadNetwork.load(path)
    np.testing.assert_array_equal(back.node_xy, toy.node_xy)
    np.testing.assert_array_equal(back.node_id, toy.node_id)
    assert back.source == toy.source and back.max_snap_m == toy.max_snap_m
    assert (abs(back.travel_csr("drive") - toy.travel_csr("drive")) > 0).nnz == 0


def test_load_refuses_damaged_or_foreign_files(tmp_path):
    bad = tmp_path / "roads.npz"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(NetworkError, match="roads.npz"):
        RoadNetwork.load(bad)
    other = tmp_path / "other.npz"
    np.savez(other, a=np.zeros(3))
    with pytest.raises(NetworkError, match="not a saved road network"):
        RoadNetwork.load(other)
    with pytest.raises(NetworkError, match="not found"):
        RoadNetwork.load(tmp_path / "absent.npz")


def test_graphml_roundtrip(tmp_path):
    import osmnx as ox

    G = ox.graph_from_xml(TOY, simplify=False, retain_all=True)
    path = tmp_path / "toy.graphml"
    ox.save_graphml(G, path)
    net = RoadNetwork.from_graphml(path)
    ref = RoadNetwork.from_osm_xml(TOY)
    assert net.n_edges == ref.n_edges
    # pyosmium keeps coordinates to 1e-7 degree (~1 cm): lengths agree to 1e-4
    np.testing.assert_allclose(np.sort(net.length_m), np.sort(ref.length_m), rtol=1e-4)
    assert net.source == "graphml:toy.graphml"


def test_missing_files_and_pbf_without_osmium(tmp_path):
    with pytest.raises(NetworkError):
        RoadNetwork.from_osm_xml(tmp_path / "absent.osm")
    with pytest.raises(NetworkError):
        RoadNetwork.from_graphml(tmp_path / "absent.graphml")
    try:
        import osmium  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="osmium"):
            RoadNetwork.from_pbf(tmp_path / "x.osm.pbf")
    else:  # osmium installed: a real .pbf of the toy network gives the same streets
        with pytest.raises(NetworkError):
            RoadNetwork.from_pbf(tmp_path / "x.osm.pbf")
        pbf = tmp_path / "toy.osm.pbf"
        with osmium.SimpleWriter(str(pbf)) as writer:
            for obj in osmium.FileProcessor(str(TOY)):
                if obj.is_node():
                    writer.add_node(obj)
                elif obj.is_way():
                    writer.add_way(obj)
        net = RoadNetwork.from_pbf(pbf)
        ref = RoadNetwork.from_osm_xml(TOY)
        assert net.n_nodes == 27  # street nodes only (no building / river nodes)
        for mode, speed in (("drive", None), ("walk", 4.5)):
            a = net.travel_csr(mode, speed).tocoo()
            b = ref.travel_csr(mode, speed).tocoo()
            got = {(net.node_id[i], net.node_id[j]): w for i, j, w in zip(a.row, a.col, a.data)}
            want = {(ref.node_id[i], ref.node_id[j]): w for i, j, w in zip(b.row, b.col, b.data)}
            assert got.keys() == want.keys()  # incl. the one-way bridge
            # .pbf stores coordinates to 1e-7 degree (~1 cm, i.e. < 0.01 s on foot)
            assert max(abs(got[k] - want[k]) for k in got) < 0.05


def test_max_snap_distance_is_inclusive():
    net = RoadNetwork.from_arrays(np.array([[0.0, 0.0], [100.0, 0.0]]), [0], [1], max_snap_m=50)
    node, dist = net.snap(np.array([[0.0, 50.0], [0.0, 50.001], [100.0, -20.0]]), "walk")
    assert node.tolist() == [0, -1, 1]
    assert dist[0] == 50 and np.isinf(dist[1]) and dist[2] == 20


def test_min_component_nodes_skips_stray_fragments():
    # main street 0-1-2-3 (4 nodes) and a stray 2-node fragment 4-5 next to point P
    xy = np.array([[0, 0], [100, 0], [200, 0], [300, 0], [150, 40], [160, 40]], dtype=float)
    u, v = [0, 1, 2, 4], [1, 2, 3, 5]
    p = np.array([[150.0, 45.0]])
    assert RoadNetwork.from_arrays(xy, u, v).snap(p, "walk")[0][0] == 4
    net = RoadNetwork.from_arrays(xy, u, v, min_component_nodes=3)
    node, dist = net.snap(p, "walk")
    assert node[0] in (1, 2) and dist[0] == pytest.approx(np.hypot(50, 45))
    with pytest.raises(ValueError, match="min_component_nodes"):
        RoadNetwork.from_arrays(xy, u, v, min_component_nodes=0)


def test_pickle_drops_caches_and_keeps_working(toy):
    import pickle

    toy.travel_csr("walk", 4.5)
    back = pickle.loads(pickle.dumps(toy))
    assert back._csr == {} and back.n_edges == toy.n_edges
    assert (abs(back.travel_csr("walk", 4.5) - toy.travel_csr("walk", 4.5)) > 0).nnz == 0
