"""planning/sparse.py against scipy.sparse: the same entries in the same order, the same
products to the last bit (the first plan reads the LP through it, the LP side through scipy,
and both must see one matrix)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from coprod.planning.lp import LpBuilder
from coprod.planning.sparse import Csc, Csr


def _same(mine: Csr | Csc, ref: sp.csr_matrix | sp.csc_matrix) -> None:
    assert mine.shape == ref.shape
    assert mine.indptr.tolist() == ref.indptr.tolist()
    assert mine.indices.tolist() == ref.indices.tolist()
    assert mine.data.tobytes() == np.asarray(ref.data, dtype=float).tobytes()


def _random(seed: int, shape: tuple[int, int] = (40, 60), n: int = 500) -> tuple[Csr, sp.csr_matrix]:
    """A matrix with duplicates and explicit zeros, and scipy's of the same entries. Values are
    multiples of 1/8 here, so duplicates sum to the same bits in any order (scipy sorts a long
    row's duplicates with std::sort, in no defined order)."""
    rng = np.random.default_rng(seed)
    rows, cols = rng.integers(0, shape[0], n), rng.integers(0, shape[1], n)  # duplicates among them
    values = rng.integers(-40, 40, n) / 8.0
    values[:20] = 0.0  # explicit zeros are kept, as scipy keeps them
    ref = sp.csr_matrix((values, (rows, cols)), shape=shape)
    ref.sum_duplicates()
    return Csr.from_coo(rows, cols, values, shape), ref


def _inexact(seed: int) -> tuple[Csr, sp.csr_matrix]:
    """A matrix of values whose sums round, and scipy's view of the very same arrays."""
    rng = np.random.default_rng(seed)
    rows, cols = rng.integers(0, 40, 500), rng.integers(0, 60, 500)
    mine = Csr.from_coo(rows, cols, rng.normal(size=500) / 3.0, (40, 60))
    return mine, mine.to_scipy()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_from_coo_sums_duplicates_in_scipys_layout(seed: int) -> None:
    mine, ref = _random(seed)
    assert mine.nnz < 500  # there were duplicates to sum
    _same(mine, ref)
    _same(Csr.from_scipy(ref), ref)
    _same(mine, mine.to_scipy())
    # values whose sums round: the same layout, sums equal up to the order of three or more
    rng = np.random.default_rng(seed)
    rows, cols, values = rng.integers(0, 40, 500), rng.integers(0, 60, 500), rng.normal(size=500) / 3
    inexact = Csr.from_coo(rows, cols, values, (40, 60))
    ref = sp.csr_matrix((values, (rows, cols)), shape=(40, 60))
    ref.sum_duplicates()
    assert inexact.indices.tolist() == ref.indices.tolist()
    np.testing.assert_allclose(inexact.data, ref.data, rtol=1e-12, atol=1e-15)


def test_an_empty_matrix_and_empty_rows() -> None:
    empty = Csr.from_coo(np.zeros(0), np.zeros(0), np.zeros(0), (3, 4))
    assert empty.indptr.tolist() == [0, 0, 0, 0] and empty.nnz == 0
    assert (empty @ np.ones(4)).tolist() == [0.0, 0.0, 0.0]
    assert empty.tocsc().indptr.tolist() == [0] * 5


@pytest.mark.parametrize("seed", [0, 1])
def test_selections_keep_scipys_entries_and_order(seed: int) -> None:
    mine, ref = _inexact(seed)
    rng = np.random.default_rng(seed + 10)
    some_rows = rng.permutation(40)[:15]
    some_cols = rng.permutation(60)[:25]  # unsorted: entries keep their stored order
    _same(mine.rows(slice(5, 30)), ref[5:30])
    _same(mine.rows(some_rows), ref[some_rows])
    _same(mine.cols(slice(10, 45)), ref[:, 10:45])
    _same(mine.cols(some_cols), ref[:, some_cols])
    _same(mine.rows(some_rows).cols(slice(3, 50)), ref[some_rows][:, 3:50])
    _same(mine.rows(slice(7, 7)), ref[7:7])
    csc = mine.tocsc()
    _same(csc, ref.tocsc())
    _same(csc.cols(slice(2, 40)), ref.tocsc()[:, 2:40])
    _same(csc.cols(np.arange(20, 50)), ref.tocsc()[:, np.arange(20, 50)])
    positive = ref.tocsc().copy()
    positive.data = np.maximum(positive.data, 0.0)
    positive.eliminate_zeros()
    _same(csc.positive(), positive)
    _same(-csc, -ref.tocsc())
    with pytest.raises(ValueError, match="twice"):
        mine.cols(np.array([1, 1]))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_products_are_scipys_to_the_last_bit(seed: int) -> None:
    mine, ref = _inexact(seed)
    x = np.random.default_rng(seed).normal(size=60) * 1e3
    assert (mine @ x).tobytes() == (ref @ x).tobytes()
    assert (mine.tocsc() @ x).tobytes() == (ref.tocsc() @ x).tobytes()
    cols = np.random.default_rng(seed).permutation(60)[:30]
    assert (mine.cols(cols) @ x[cols]).tobytes() == (ref[:, cols] @ x[cols]).tobytes()


def test_the_lp_keeps_one_matrix_for_both_sides() -> None:
    b = LpBuilder()
    b.add_columns("x", {"i": np.arange(3)}, cost=1.0)
    b.add_rows("r", {"i": np.arange(2)}, lower=0.0, upper=5.0)
    b.add_entries(np.array([0, 0, 1, 1]), np.array([0, 0, 2, 1]), np.array([1.0, 2.0, 4.0, 3.0]))
    lp = b.build()
    assert lp.shape == (2, 3) and lp.nnz == 3
    assert lp.matrix.toarray().tolist() == [[3.0, 0.0, 0.0], [0.0, 3.0, 4.0]]
    # a family added on the scipy side (fair share does so) is what the arrays then hold
    lp.matrix = sp.vstack([lp.matrix, sp.csr_matrix(np.array([[0.0, 0.0, 7.0]]))], format="csr")
    assert lp.shape == (3, 3) and lp.nnz == 4
    assert (lp.csr @ np.ones(3)).tolist() == [3.0, 7.0, 7.0]
    assert lp.matrix.toarray()[2].tolist() == [0.0, 0.0, 7.0]
