"""Tunables in one place: limits on inputs, engine and solver settings.

Domain facts (service standards, GB 50180 life-circle distances, speeds, the detour factor, plan
targets) are data files under ``data/``, read by :mod:`coverage.standards` and :mod:`coverage.review`;
this module holds the engineering settings that are not domain facts. Each section is owned by the
module named in its heading; change a value here, never a copy elsewhere.
"""

from __future__ import annotations

# --------------------------------------------------------------------------- inputs (coverage.io)

#: Upload / import size limits in MB (the file on disk; a ``.csv.gz`` counts decompressed).
MAX_IMPORT_MB = 50.0
MAX_POPULATION_MB = 500.0
#: ZIP-based inputs (XLSX, zipped Shapefile) are refused past this many times the size limit.
ARCHIVE_EXPANSION = 20
#: XLSX: most cells actually written in a sheet, and most cells its used range may span
#: (rows × columns: what reading it pads out in memory). Checked by streaming the sheet XML.
MAX_XLSX_CELLS = 1_000_000
MAX_XLSX_SPAN = 20_000_000
#: XLSX: most uncompressed MB of the workbook part, its relationships and its style sheet (each;
#: checked before parsing, then streamed) ...
MAX_XLSX_PART_MB = 32.0
#: ... and of the shared-string table; most items it may hold (a filled cell holds one at most)
#: and most characters in one item (Excel's own limit for a cell).
MAX_XLSX_STRINGS_MB = 128.0
MAX_XLSX_STRINGS = MAX_XLSX_CELLS
MAX_XLSX_STRING_CHARS = 32_767
#: Rasters: most pixels × bands read (the part over the region), checked before reading.
MAX_RASTER_PIXELS = 40_000_000
#: A population file whose total over the districts it fully covers differs from their
#: 2020 census total by more than this share is refused (unless the check is overridden).
POPULATION_CENSUS_TOLERANCE = 0.5
#: Population vector files: a polygon larger than this (km²) is not a grid cell (a town, a
#: district): taken at one point it would put all its people in one cell, so the file is refused.
MAX_POPULATION_POLYGON_KM2 = 1.5
#: Most people one population cell / pixel can hold (more is not a count: a raster pixel is
#: treated as empty with a warning, a vector/table cell is an error naming its row).
MAX_CELL_PEOPLE = 10_000_000
#: A district counts as covered by a population file when this share of it lies inside the file.
POPULATION_DISTRICT_COVERED = 0.9
#: Facility registers: most data rows (far above any county's register: a file past it is not one).
MAX_FACILITY_ROWS = 200_000
#: Duplicate facilities named one by one up to this many; past it one warning lists the first rows.
DUPLICATES_LISTED = 20
#: Facility registers: most beds one facility can plausibly have (more: a warning, left empty).
MAX_BEDS_PER_FACILITY = 5_000
#: Earliest plausible opening year (the next calendar year is the latest).
MIN_OPENING_YEAR = 1949
#: Two facilities of one register with the same name this close (m) are reported as duplicates.
DUPLICATE_DISTANCE_M = 5.0
#: Facilities outside every town polygon but this close (m) to one are given the nearest town (noted).
NEAREST_TOWN_M = 2000.0
#: Town boundaries: pairwise overlap above this share of the smaller town is a warning;
#: one town covering more than this share of the city is an error.
TOWN_OVERLAP_SHARE = 0.01
TOWN_MAX_CITY_SHARE = 0.5
#: Town boundaries: most vertices one town's polygon and all of them together may have (checked
#: before any geometry test) ...
MAX_TOWN_VERTICES = 500_000
MAX_TOWNS_VERTICES = 5_000_000
#: ... and most crossings of non-adjacent edges an invalid polygon may have to be repaired
#: (repair costs grow with them; a boundary with digitising slips crosses itself a few times).
MAX_TOWN_REPAIR_CROSSINGS = 1_000
#: ... or four per vertex of the polygon, up to this many (parts sharing a border cross ~1.5 times an edge).
MAX_TOWN_REPAIR_CROSSINGS_CAP = 100_000
#: Town polygons smaller than this (m²) are refused as degenerate.
TOWN_MIN_AREA_M2 = 10_000.0
#: An official town seat this far (m) outside its own polygon is reported.
SEAT_TOLERANCE_M = 200.0
#: Encoding detection: a legacy decoding whose share of common characters is below this
#: is a warning (the encoding may be wrong) ...
ENCODING_MIN_COMMON_SHARE = 0.6
#: ... or whose share is within this of the other candidate's.
ENCODING_MIN_MARGIN = 0.2

# --------------------------------------------------------------------------- engine (network, reach)
#: Largest straight-line distance (m) from a point to its road node; beyond it the point is off the network.
MAX_SNAP_M = 500.0
#: Gap zones (coverage.gaps): uncovered cells with fewer served residents than this are left out
#: of the zones (scattered settlement; still counted per town); the same default in the app, CLI and API.
GAP_MIN_CELL_POPULATION = 10.0
#: Zones with fewer uncovered served residents than this are dropped (0: keep every zone).
GAP_MIN_ZONE_POPULATION = 0.0
#: Cells touching by an edge (4) or also by a corner (8) join one zone.
GAP_CONNECTIVITY = 8

# --------------------------------------------------------------------------- siting

#: Seconds the exact solver (HiGHS) gets per siting problem before the best answer found so far
#: (or the greedy's, if better) is returned with the proven bound and gap.
SITING_TIME_LIMIT_S = 30.0
#: Relative optimality gap at which HiGHS stops (1e-6: proven optimal to the person).
SITING_MIP_REL_GAP = 1e-6
#: Exact by default: the integer programme is tried when the reduced coverage matrix has at most
#: this many non-zeros (larger instances go to the greedy, which reports its submodular bound).
SITING_ILP_MAX_NONZEROS = 5_000_000
#: With site capacities the ILP has one assignment variable and one linking row per covering pair;
#: it is tried by default up to this many pairs (on the Jiangmen elder-care instance, 85,225 pairs,
#: k = 10, 2,000 per site, HiGHS had no useful bound after 30 s, while the capacitated greedy's own
#: bound proved it within 0.29 % in 0.2 s).
SITING_CAPACITATED_ILP_MAX_PAIRS = 20_000
#: p-median: the exact ILP is tried (when the heuristic's bound leaves a gap) up to this many
#: assignment pairs (cell rows x candidates that could serve them); beyond it greedy + vertex
#: substitution (Teitz-Bart) with its Lagrangian lower bound.
SITING_PMEDIAN_ILP_MAX_PAIRS = 100_000
#: p-median: the LP relaxation (lower bound of the forced heuristic) is solved up to this many pairs
#: (HiGHS took 78 s on the 295,211 pairs of the Jiangmen elder-care instance).
SITING_PMEDIAN_LP_MAX_PAIRS = 50_000
#: p-median: subgradient iterations of the Lagrangian lower bound.
SITING_PMEDIAN_LAGRANGE_ITERATIONS = 300
#: p-median: a cell's travel cost counts at most this multiple of its own standard (time in network
#: mode, distance in distance mode): beyond it the cell counts as unserved at the cap.
SITING_PMEDIAN_COST_CAP_FACTOR = 3.0
#: Vertex-substitution (Teitz-Bart) passes of the p-median heuristic.
SITING_PMEDIAN_SWAP_PASSES = 5

# --------------------------------------------------------------------------- workspace

#: Largest serialised value (one layer, override, scenario or draft) a workspace save accepts.
WORKSPACE_MAX_BLOB_BYTES = 128 * 1024 * 1024
#: Seconds a workspace writer waits for another process's write lock before giving up.
WORKSPACE_BUSY_TIMEOUT_S = 30.0
#: Versions of each scenario / standards / draft document kept in full in the workspace history.
WORKSPACE_HISTORY_KEEP = 50

# --------------------------------------------------------------------------- report

#: Resolution of the Word report's maps and charts: 200 dpi keeps lines and labels sharp in print (a
#: 6.4-inch figure is 1,280 px wide, printed 16 cm wide). The CLI's ``report --dpi`` default.
REPORT_FIGURE_DPI = 200

# --------------------------------------------------------------------------- app

# --------------------------------------------------------------------------- access (access, equity, community)

#: Enhanced 2SFCA (Luo & Qi 2009) steps: (upper bound of travel cost / the cell's standard limit, weight).
#: Three equal sub-zones with the weights of the original paper (Gaussian-derived 1.00 / 0.68 / 0.22).
ACCESS_E2SFCA_STEPS: tuple[tuple[float, float], ...] = ((1 / 3, 1.0), (2 / 3, 0.68), (1.0, 0.22))
#: Equity: the worst-served share of towns listed (0.10 = the worst 10 %, at least one town).
EQUITY_WORST_SHARE = 0.10
#: Equity: "beyond twice the standard" is measured with the standard's limits times this factor.
EQUITY_FAR_FACTOR = 2.0
#: CLI: a progress bar appears only when a command runs longer than this many seconds.
PROGRESS_DELAY_S = 1.0
