"""Compressed sparse matrices in numpy alone: what the planning LP is built as and what the
first plan reads it with.

scipy.sparse costs ~0.15-0.2 s of CPU to import (scipy 1.17 imports its array-API layer,
which walks numpy's whole namespace and so loads numpy.testing, f2py, random and ma); a first
plan is ~0.8 s end to end, so it reads the LP through these few operations instead. The LP
side (HiGHS, repair, fair share, re-plans) still sees a scipy matrix: `LinearProgram.matrix`
builds it from the same arrays when first asked.

Both classes keep scipy's canonical layout and its arithmetic order: `Csr.from_coo` sorts by
row then column and sums duplicates in their input order; selections keep each row's (or
column's) entries in their stored order, as scipy's indexing does; a product with a vector
sums each row's terms in the order scipy's C++ loops do (row by row for CSR, column by
column for CSC), so the first plan's numbers are the same bits whichever side computed them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self

import numpy as np

if TYPE_CHECKING:
    import scipy.sparse as sp

__all__ = ["Csc", "Csr"]


def _positions(sel: slice | np.ndarray, n: int) -> tuple[np.ndarray, int]:
    """Per old index its new one (-1: not selected), and how many were selected."""
    picked = np.arange(n)[sel] if isinstance(sel, slice) else np.asarray(sel, dtype=np.int64)
    pos = np.full(n, -1, dtype=np.int64)
    pos[picked] = np.arange(picked.size)
    if np.count_nonzero(pos >= 0) != picked.size:
        raise ValueError("a selection names an index twice")
    return pos, int(picked.size)


@dataclass(frozen=True, slots=True)
class _Compressed:
    """`indptr` over the major axis (rows of a Csr, columns of a Csc), `indices` on the
    minor axis, `data` the values; `shape` is (rows, columns) either way."""

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    shape: tuple[int, int]

    @property
    def nnz(self) -> int:
        return int(self.indices.size)

    def _major(self) -> int:
        return self.shape[0] if isinstance(self, Csr) else self.shape[1]

    def _minor(self) -> int:
        return self.shape[1] if isinstance(self, Csr) else self.shape[0]

    def _major_of_entries(self) -> np.ndarray:
        return np.repeat(np.arange(self._major()), np.diff(self.indptr))

    def _take_major(self, sel: slice | np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
        if isinstance(sel, slice) and sel.step in (None, 1):
            start, stop, _ = sel.indices(self._major())
            stop = max(start, stop)
            lo, hi = int(self.indptr[start]), int(self.indptr[stop])
            return self.indptr[start : stop + 1] - lo, self.indices[lo:hi], self.data[lo:hi], stop - start
        picked = np.arange(self._major())[sel] if isinstance(sel, slice) else np.asarray(sel, np.int64)
        counts = np.diff(self.indptr)[picked]
        indptr = np.zeros(picked.size + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
        # the entries of each picked row (column) in their stored order
        take = np.repeat(self.indptr[picked] - indptr[:-1], counts) + np.arange(int(indptr[-1]))
        return indptr, self.indices[take], self.data[take], int(picked.size)

    def _take_minor(self, sel: slice | np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
        if isinstance(sel, slice) and sel.step in (None, 1):
            start, stop, _ = sel.indices(self._minor())
            n = max(0, stop - start)
            keep = (self.indices >= start) & (self.indices < start + n)
            new = self.indices - start
        else:
            pos, n = _positions(sel, self._minor())
            new = pos[self.indices]
            keep = new >= 0
        kept = np.zeros(keep.size + 1, dtype=np.int64)  # entries kept before each entry
        np.cumsum(keep, out=kept[1:])
        return kept[self.indptr], new[keep], self.data[keep], n

    def _transposed(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The same entries compressed over the other axis (a stable counting sort, as
        scipy's csr_tocsc: within each new major index, entries in the old major order)."""
        order = np.argsort(self.indices, kind="stable")
        indptr = np.zeros(self._minor() + 1, dtype=np.int64)
        np.cumsum(np.bincount(self.indices, minlength=self._minor()), out=indptr[1:])
        return indptr, self._major_of_entries()[order], self.data[order]

    def __neg__(self) -> Self:
        return type(self)(self.indptr, self.indices, -self.data, self.shape)

    def __matmul__(self, x: np.ndarray) -> np.ndarray:
        """Matrix times vector; each output sums its terms in scipy's order (bincount adds
        in entry order, as scipy's csr_matvec and csc_matvec loops do)."""
        x = np.asarray(x, dtype=float)
        terms = self.data * x[self.indices if isinstance(self, Csr) else self._major_of_entries()]
        out_of = self._major_of_entries() if isinstance(self, Csr) else self.indices
        out: np.ndarray = np.bincount(out_of, weights=terms, minlength=self.shape[0])
        return out


@dataclass(frozen=True, slots=True)
class Csr(_Compressed):
    """Compressed sparse rows."""

    @staticmethod
    def from_coo(rows: np.ndarray, cols: np.ndarray, values: np.ndarray, shape: tuple[int, int]) -> Csr:
        """Entries (row, column, value), duplicates summed: sorted by row, then column."""
        rows = np.asarray(rows, dtype=np.int64)
        cols = np.asarray(cols, dtype=np.int64)
        values = np.asarray(values, dtype=float)
        order = np.lexsort((cols, rows))  # stable: duplicates in their input order
        r, c, v = rows[order], cols[order], values[order]
        if r.size:
            first = np.ones(r.size, dtype=bool)
            first[1:] = (r[1:] != r[:-1]) | (c[1:] != c[:-1])
            starts = np.flatnonzero(first)
            if starts.size < r.size:
                v = np.add.reduceat(v, starts)
                r, c = r[starts], c[starts]
        indptr = np.zeros(shape[0] + 1, dtype=np.int64)
        np.cumsum(np.bincount(r, minlength=shape[0]), out=indptr[1:])
        return Csr(indptr, c, v, shape)

    @staticmethod
    def from_scipy(matrix: Any) -> Csr:
        """A scipy matrix's entries (canonical: duplicates summed, indices sorted)."""
        csr = matrix.tocsr(copy=True)
        csr.sum_duplicates()
        return Csr(
            csr.indptr.astype(np.int64), csr.indices.astype(np.int64), csr.data.astype(float), csr.shape
        )

    def to_scipy(self) -> sp.csr_matrix:
        import scipy.sparse as sp

        # copies: scipy code may sort or prune its matrix in place, the arrays here stay as built
        return sp.csr_matrix((self.data.copy(), self.indices.copy(), self.indptr.copy()), shape=self.shape)

    def rows(self, sel: slice | np.ndarray) -> Csr:
        indptr, indices, data, n = self._take_major(sel)
        return Csr(indptr, indices, data, (n, self.shape[1]))

    def cols(self, sel: slice | np.ndarray) -> Csr:
        indptr, indices, data, n = self._take_minor(sel)
        return Csr(indptr, indices, data, (self.shape[0], n))

    def tocsc(self) -> Csc:
        indptr, indices, data = self._transposed()
        return Csc(indptr, indices, data, self.shape)


@dataclass(frozen=True, slots=True)
class Csc(_Compressed):
    """Compressed sparse columns."""

    def cols(self, sel: slice | np.ndarray) -> Csc:
        indptr, indices, data, n = self._take_major(sel)
        return Csc(indptr, indices, data, (self.shape[0], n))

    def positive(self) -> Csc:
        """The positive entries only (the others dropped)."""
        keep = self.data > 0
        kept = np.zeros(keep.size + 1, dtype=np.int64)
        np.cumsum(keep, out=kept[1:])
        return Csc(kept[self.indptr], self.indices[keep], self.data[keep], self.shape)
