"""Coverage matrices and the demand they cover.

A siting instance is a sparse boolean matrix ``A`` (demand cells × candidate
sites, ``A[i, j]`` True when candidate ``j`` reaches cell ``i`` within the
cell's standard), a vector of demand weights (the served population of each
cell) and a mask of cells that existing facilities already cover. Existing
facilities are never moved or removed: their cells are simply taken out of
the demand the new sites compete for.

:func:`reduce_demand` shrinks an instance without changing any solution:
cells that are already covered, empty, or reached by no candidate are
dropped, and cells reached by exactly the same set of candidates are merged
into one row carrying their summed weight.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from coverage.errors import InputError

__all__ = ["ReducedDemand", "as_coverage_matrix", "check_instance", "reduce_demand", "undominated_columns"]

_HASH_SEED = 20_231_115


def as_coverage_matrix(matrix: object) -> sp.csr_matrix:
    """Return ``matrix`` as a canonical boolean CSR matrix (sorted, no duplicates, no zeros).

    Parameters
    ----------
    matrix : scipy sparse matrix or array-like
        Demand cells × candidates; any non-zero entry means "covers".
    """
    if sp.issparse(matrix):
        m = sp.csr_matrix(matrix, copy=True)
    else:
        arr = np.asarray(matrix)
        if arr.ndim != 2:
            raise InputError(f"coverage matrix must be 2-D; got shape {arr.shape}")
        m = sp.csr_matrix(arr)
    m.sum_duplicates()
    m.eliminate_zeros()
    m.sort_indices()
    m.data = np.ones(m.nnz, dtype=bool)
    return m


def check_instance(
    matrix: sp.spmatrix, weights: np.ndarray, covered: np.ndarray | None = None
) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    """Validate and normalise a siting instance.

    Returns the canonical CSR matrix, float64 weights and a boolean covered mask.

    Raises
    ------
    InputError
        If shapes disagree, or weights are negative or not finite.
    """
    a = as_coverage_matrix(matrix)
    w = np.asarray(weights, dtype=np.float64).ravel()
    if w.shape[0] != a.shape[0]:
        raise InputError(
            f"weights has {w.shape[0]} values but the coverage matrix has {a.shape[0]} demand rows"
        )
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        bad = int(np.flatnonzero(~np.isfinite(w) | (w < 0))[0])
        raise InputError(f"demand weights must be finite and >= 0; row {bad} is {w[bad]!r}")
    if covered is None:
        c = np.zeros(a.shape[0], dtype=bool)
    else:
        c = np.asarray(covered, dtype=bool).ravel()
        if c.shape[0] != a.shape[0]:
            raise InputError(
                f"covered mask has {c.shape[0]} values but the coverage matrix has {a.shape[0]} rows"
            )
    return a, w, c


@dataclass(frozen=True)
class ReducedDemand:
    """A siting instance with redundant demand rows removed.

    Attributes
    ----------
    matrix : scipy.sparse.csr_matrix
        Reduced rows × candidates (boolean). Every row is reached by ≥ 1 candidate
        and no two rows have the same candidate set.
    weights : numpy.ndarray
        Summed demand of each reduced row.
    rows : numpy.ndarray
        Original row index of every kept cell.
    group : numpy.ndarray
        Reduced row of every kept cell (same length as ``rows``).
    n_original : int
        Number of rows in the original matrix.
    """

    matrix: sp.csr_matrix
    weights: np.ndarray
    rows: np.ndarray
    group: np.ndarray
    n_original: int

    @property
    def csc(self) -> sp.csc_matrix:
        """The reduced matrix in CSC form (column slices = cells a candidate reaches)."""
        return self.matrix.tocsc()

    @property
    def n_candidates(self) -> int:
        """Number of candidate columns."""
        return int(self.matrix.shape[1])

    def total(self) -> float:
        """Total demand still to cover (the best any number of sites can add)."""
        return float(self.weights.sum())


def _row_keys(m: sp.csr_matrix) -> np.ndarray:
    """Per-row key (nnz, hash1, hash2) of the candidate set; identical sets get identical keys."""
    rng = np.random.default_rng(_HASH_SEED)
    n_cols = m.shape[1]
    r1 = rng.integers(0, np.iinfo(np.uint64).max, size=n_cols, dtype=np.uint64, endpoint=True)
    r2 = rng.integers(0, np.iinfo(np.uint64).max, size=n_cols, dtype=np.uint64, endpoint=True)
    starts = m.indptr[:-1]
    # Every row here has nnz >= 1, so reduceat's segments are all non-empty.
    h1 = np.add.reduceat(r1[m.indices], starts)  # uint64 sums wrap modulo 2**64
    h2 = np.add.reduceat(r2[m.indices], starts)
    nnz = np.diff(m.indptr).astype(np.uint64)
    return np.column_stack([nnz, h1, h2])


def reduce_demand(
    matrix: sp.spmatrix, weights: np.ndarray, covered: np.ndarray | None = None
) -> ReducedDemand:
    """Drop rows that cannot gain and merge rows reached by the same candidates.

    Parameters
    ----------
    matrix : scipy sparse matrix
        Demand cells × candidates, True where the candidate covers the cell.
    weights : array-like
        Demand of each cell (e.g. its served population), ``>= 0``.
    covered : array-like of bool, optional
        Cells already covered by existing (fixed) facilities.

    Returns
    -------
    ReducedDemand
        Any coverage objective over candidate subsets has the same value on the
        reduced instance as on the original one.
    """
    a, w, c = check_instance(matrix, weights, covered)
    nnz = np.diff(a.indptr)
    keep = np.flatnonzero((w > 0) & ~c & (nnz > 0))
    sub = a[keep]
    sub.sort_indices()
    if keep.size == 0:
        empty = sp.csr_matrix((0, a.shape[1]), dtype=bool)
        return ReducedDemand(empty, np.zeros(0), keep, keep.copy(), a.shape[0])

    keys = _row_keys(sub)
    _, first, group = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    group = np.asarray(group).ravel()

    # Verify that rows sharing a key really share their candidate set (a hash
    # collision is astronomically unlikely; if one happens the row stays alone).
    rep = first[group]
    lengths = np.diff(sub.indptr)
    offsets = np.repeat(sub.indptr[rep] - sub.indptr[:-1], lengths)
    same = sub.indices == sub.indices[np.arange(sub.nnz) + offsets]
    row_ok = np.logical_and.reduceat(same, sub.indptr[:-1])
    if not row_ok.all():
        bad = np.flatnonzero(~row_ok)
        n_groups = first.size
        group = group.copy()
        group[bad] = n_groups + np.arange(bad.size)
        first = np.concatenate([first, bad])

    merged = sub[first]
    merged_w = np.bincount(group, weights=w[keep], minlength=first.size)
    return ReducedDemand(merged, merged_w, keep, group, a.shape[0])


def undominated_columns(matrix: sp.csr_matrix, group: np.ndarray | None = None) -> np.ndarray:
    """Columns not dominated by another column (sorted indices).

    Column ``j`` is dominated when another column ``i`` covers every row ``j``
    covers (a strict superset, or the same set with ``i < j``). For uncapacitated
    coverage problems a dominated candidate can always be swapped for its
    dominator without loss, so dropping it changes no optimal value.

    Parameters
    ----------
    matrix : scipy sparse matrix
        Rows × candidates.
    group : array of int, optional
        Group of every column; a column is then only dominated by one of its own
        group (for one-site-per-group problems).
    """
    m = sp.csc_matrix(matrix, dtype=np.int32)
    nnz = np.diff(m.indptr)
    overlap = (m.T @ m).tocoo()
    i, j, v = overlap.row, overlap.col, overlap.data
    dominated = (i != j) & (v == nnz[j]) & ((nnz[i] > nnz[j]) | ((nnz[i] == nnz[j]) & (i < j)))
    if group is not None:
        group = np.asarray(group)
        dominated &= group[i] == group[j]
    drop = np.zeros(m.shape[1], dtype=bool)
    drop[j[dominated]] = True
    if group is None:
        drop |= nnz == 0  # (within groups an empty column may be a group's only choice)
    return np.flatnonzero(~drop)
