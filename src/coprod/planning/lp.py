"""A solver-independent linear programme: cost vector, sparse matrix, bounds, and names.

Columns and rows are allocated in families (contiguous blocks); each family keeps the key
arrays (product, site, period, ...) that say what its entries mean, so results are read
back with array indexing, never one Python object per variable.

The matrix is kept as numpy arrays (`csr`, sparse.py), which is all a first plan reads;
`matrix` is the same entries as a scipy CSR matrix, built when the LP side first asks, so
a first plan never imports scipy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from coprod.planning.sparse import Csr

if TYPE_CHECKING:
    import scipy.sparse as sp

__all__ = ["Family", "LinearProgram", "LpBuilder"]

INF = np.inf


@dataclass(slots=True)
class Family:
    name: str
    start: int
    size: int
    keys: dict[str, np.ndarray]
    label: Callable[[int], str] | None = None  # readable name of entry i, for MPS export

    @property
    def slice(self) -> slice:
        return slice(self.start, self.start + self.size)


@dataclass(slots=True)
class LinearProgram:
    cost: np.ndarray
    csr: Csr
    row_lower: np.ndarray
    row_upper: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    columns: dict[str, Family]
    rows: dict[str, Family]
    service_cost: np.ndarray  # the part of `cost` that prices lateness and unmet demand
    # the part of `cost` that is a re-plan's stability penalty (planning/commit.py), if any
    penalty_cost: np.ndarray | None = None
    _scipy: Any = field(default=None, repr=False, compare=False)  # `matrix`, once built

    @property
    def matrix(self) -> sp.csr_matrix:
        """The constraint matrix as scipy CSR (the arrays of `csr`, shared)."""
        if self._scipy is None:
            self._scipy = self.csr.to_scipy()
        return self._scipy

    @matrix.setter
    def matrix(self, value: sp.csr_matrix) -> None:
        self.csr = Csr.from_scipy(value)
        self._scipy = None

    def plan_cost(self) -> np.ndarray:
        """`cost` without the stability penalty: what a plan's objective reports."""
        if self.penalty_cost is None:
            return self.cost
        # families added after the penalty (fairness.py) carry none of it
        penalty = np.zeros(self.cost.size)
        penalty[: self.penalty_cost.size] = self.penalty_cost
        return self.cost - penalty

    @property
    def shape(self) -> tuple[int, int]:
        return self.csr.shape

    @property
    def nnz(self) -> int:
        return self.csr.nnz

    def column_names(self) -> list[str]:
        return _names(self.columns, self.shape[1], "c")

    def row_names(self) -> list[str]:
        return _names(self.rows, self.shape[0], "r")


def _names(families: dict[str, Family], n: int, prefix: str) -> list[str]:
    names = [f"{prefix}{i}" for i in range(n)]
    for fam in families.values():
        for i in range(fam.size):
            names[fam.start + i] = fam.label(i) if fam.label else f"{fam.name}[{i}]"
    return names


@dataclass(slots=True)
class LpBuilder:
    n_cols: int = 0
    n_rows: int = 0
    columns: dict[str, Family] = field(default_factory=dict)
    rows: dict[str, Family] = field(default_factory=dict)
    _cost: list[np.ndarray] = field(default_factory=list)
    _service: list[np.ndarray] = field(default_factory=list)
    _col_lo: list[np.ndarray] = field(default_factory=list)
    _col_hi: list[np.ndarray] = field(default_factory=list)
    _row_lo: list[np.ndarray] = field(default_factory=list)
    _row_hi: list[np.ndarray] = field(default_factory=list)
    _r: list[np.ndarray] = field(default_factory=list)
    _c: list[np.ndarray] = field(default_factory=list)
    _v: list[np.ndarray] = field(default_factory=list)

    def add_columns(
        self,
        name: str,
        keys: dict[str, np.ndarray],
        cost: np.ndarray | float = 0.0,
        upper: np.ndarray | float = INF,
        *,
        service: bool = False,
        label: Callable[[int], str] | None = None,
    ) -> Family:
        size = len(next(iter(keys.values())))
        fam = Family(name, self.n_cols, size, keys, label)
        self.columns[name] = fam
        self.n_cols += size
        cost_arr = np.broadcast_to(np.asarray(cost, dtype=float), (size,)).copy()
        self._cost.append(cost_arr)
        self._service.append(cost_arr if service else np.zeros(size))
        self._col_lo.append(np.zeros(size))
        self._col_hi.append(np.broadcast_to(np.asarray(upper, dtype=float), (size,)).copy())
        return fam

    def add_rows(
        self,
        name: str,
        keys: dict[str, np.ndarray],
        lower: np.ndarray | float,
        upper: np.ndarray | float,
        *,
        label: Callable[[int], str] | None = None,
    ) -> Family:
        size = len(next(iter(keys.values())))
        fam = Family(name, self.n_rows, size, keys, label)
        self.rows[name] = fam
        self.n_rows += size
        self._row_lo.append(np.broadcast_to(np.asarray(lower, dtype=float), (size,)).copy())
        self._row_hi.append(np.broadcast_to(np.asarray(upper, dtype=float), (size,)).copy())
        return fam

    def add_entries(self, rows: np.ndarray, cols: np.ndarray, values: np.ndarray | float) -> None:
        rows = np.asarray(rows, dtype=np.int64)
        self._r.append(rows)
        self._c.append(np.asarray(cols, dtype=np.int64))
        self._v.append(np.broadcast_to(np.asarray(values, dtype=float), rows.shape).copy())

    def build(self) -> LinearProgram:
        def cat(parts: list[np.ndarray], dtype: type = float) -> np.ndarray:
            return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)

        matrix = Csr.from_coo(
            cat(self._r, np.int64), cat(self._c, np.int64), cat(self._v), (self.n_rows, self.n_cols)
        )
        return LinearProgram(
            cost=cat(self._cost),
            csr=matrix,
            row_lower=cat(self._row_lo),
            row_upper=cat(self._row_hi),
            col_lower=cat(self._col_lo),
            col_upper=cat(self._col_hi),
            columns=self.columns,
            rows=self.rows,
            service_cost=cat(self._service),
        )
