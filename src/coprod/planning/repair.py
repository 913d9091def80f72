"""Turn the LP optimum into whole units that still respect every limit.

1. Production (products and built assemblies alike) is rounded to whole units along each
   build's cumulative output, with units
   taken back where a capacity, rate or licence row would be exceeded, and fixed. (If a
   rounded-up unit lacks material, every build is rounded down instead: those rows have
   only non-negative coefficients, so rounding down always keeps them.)
2. The LP is re-solved warm with dual simplex: with production fixed, what remains of the
   finished-goods part (stock, lanes, deliveries) is a network, whose vertex solutions are
   integral for integer stock, production and quantities.
3. Orders are rounded up (more material never breaks a balance) and the offer's minimum
   order is met per need, not per order (planning/orders.py); component stock is carried.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.sparse as sp

from coprod.errors import SolverError
from coprod.planning.highs import HighsSession, SolveOutcome
from coprod.planning.model import PlanningModel
from coprod.planning.options import Method
from coprod.planning.orders import consolidate_orders
from coprod.planning.structure import AssemblyBuild, Build

__all__ = ["repair_to_units"]

EPS = 1e-6


def repair_to_units(
    m: PlanningModel,
    session: HighsSession,
    first: SolveOutcome,
    resolve: Callable[[Method], SolveOutcome] | None = None,
    orders: bool = True,
) -> tuple[np.ndarray, SolveOutcome]:
    """`resolve(method)` re-solves with production fixed (default: `session.solve`; strict
    priority passes its class-by-class solve so the classes keep their order). `orders=False`
    leaves step 3 out: orders stay as the re-solve left them (a risk sample reads production
    and deliveries only, which step 3 never changes)."""
    resolve = resolve or (lambda method: session.solve(method=method))
    made, _ = production_block(m)
    cols = np.arange(made.start, made.stop)
    flows = transfer_flows(m, first.x)
    fixed = whole_production(m, first.x[made], flows)
    session.set_column_bounds(cols, fixed, fixed)
    try:
        second = resolve(Method.SIMPLEX)
    except SolverError:
        # A unit rounded up found no material: round every build down instead (always feasible).
        fixed = np.floor(first.x[made] + EPS)
        # a part of a unit of assembly, rounded down, may leave its user a part short
        _keep_material(m, fixed, fixed, flows)
        session.set_column_bounds(cols, fixed, fixed)
        second = resolve(Method.SIMPLEX)
    second = _whole_transfers(m, session, second, resolve)
    x = second.x.copy()
    x[made] = fixed
    for name in ("ship", "transfer_p", "deliver", "unmet", "stock_p"):
        fam = m.lp.columns[name]
        x[fam.slice] = np.round(x[fam.slice])
    if orders:
        consolidate_orders(m, x, session.column_lower())
    return x, second


def production_block(m: PlanningModel) -> tuple[slice, list[Build | AssemblyBuild]]:
    """The production columns (`make`, then `make_a` right after it: model.py) and the
    builds owning them, in column order: products' builds, then assemblies'."""
    return m.production, [*m.structure.builds, *m.structure.assemblies]


def transfer_flows(m: PlanningModel, x: np.ndarray) -> np.ndarray:
    """Per component balance row: units the LP's transfers take out (+) or bring in (-)."""
    lp = m.lp
    rows, fam = lp.rows["component_balance"], lp.columns["transfer_c"]
    if fam.size == 0:
        return np.zeros(rows.size)
    out: np.ndarray = lp.matrix[rows.slice][:, fam.slice] @ x[fam.slice]
    return out


def _whole_transfers(
    m: PlanningModel, session: HighsSession, outcome: SolveOutcome, resolve: Callable[[Method], SolveOutcome]
) -> SolveOutcome:
    """Component transfers in whole units. With production fixed, a BOM quantity below one
    or a yield leaves fractional needs, so the LP moves fractions of a part: each transfer is
    rounded up (the receiver keeps what it needs) and the rest re-solved warm, the senders
    buying the extra. If the senders cannot supply it, the fractions stay (the plan says so
    with a quantity that is not whole)."""
    fam = m.lp.columns["transfer_c"]
    if fam.size == 0:
        return outcome
    value = outcome.x[fam.slice]
    if np.all(np.abs(value - np.round(value)) < EPS):
        return outcome
    cols = np.arange(fam.start, fam.start + fam.size)
    whole = _within_lane_capacity(m, outcome.x, np.ceil(value - EPS))
    session.set_column_bounds(cols, whole, whole)
    try:
        return resolve(Method.SIMPLEX)
    except SolverError:
        session.set_column_bounds(cols, np.zeros(fam.size), m.lp.col_upper[fam.slice])
        return outcome


def _within_lane_capacity(m: PlanningModel, x: np.ndarray, whole: np.ndarray) -> np.ndarray:
    """`whole` (component transfers rounded up) with units taken back, smallest fraction
    first, on lanes whose capacity rounding up would exceed: a full lane keeps its (whole)
    capacity and the receivers cover the fractions from stock or their own offers."""
    lp = m.lp
    fam, rows = lp.columns["transfer_c"], lp.rows["lane_capacity"]
    if rows.size == 0:
        return whole
    matrix = lp.matrix[rows.slice]
    others = matrix @ x - matrix[:, fam.slice] @ x[fam.slice]
    block = matrix[:, fam.slice].tocsr()
    upper = lp.row_upper[rows.slice]
    frac = whole - x[fam.slice]  # what rounding up added, per column
    for r in np.flatnonzero(others + block @ whole > upper + 1e-7):
        members = block.indices[block.indptr[r] : block.indptr[r + 1]]
        for j in members[np.argsort(-frac[members])]:  # the least needed extra first
            if others[r] + whole[members].sum() <= upper[r] + 1e-7:
                break
            if frac[j] > EPS:
                whole[j] -= 1.0
    return whole


def whole_production(m: PlanningModel, make: np.ndarray, flows: np.ndarray | None = None) -> np.ndarray:
    """Whole units per build and period that keep each build's cumulative output within one
    unit of the LP's (rounding each period down would lose up to a unit every period), then
    take back rounded-up units wherever an hours, rate or licence row would be exceeded.
    `flows` (transfer_flows): the LP's transfers, held as they are while checking material."""
    lp = m.lp
    made, builds = production_block(m)
    whole = np.empty_like(make)
    start = 0
    for b in builds:  # each build owns a contiguous run of columns, periods ascending
        n = b.periods.size
        cumulative = np.floor(np.cumsum(make[start : start + n]) + 0.5)  # nearest: no unit lost
        whole[start : start + n] = np.diff(cumulative, prepend=0.0)
        start += n
    rows = np.concatenate(
        [
            np.arange(lp.rows[f].start, lp.rows[f].start + lp.rows[f].size)
            for f in ("hours", "rate", "licence")
        ]
    )
    capacity = lp.matrix[rows][:, made].tocsr()
    upper = lp.row_upper[rows]
    for r in np.flatnonzero(capacity @ whole > upper + 1e-7):
        lo, hi = capacity.indptr[r], capacity.indptr[r + 1]
        members, coef = capacity.indices[lo:hi], capacity.data[lo:hi]
        for k in np.argsort(-(whole[members] - make[members])):  # most rounded-up first
            if coef @ whole[members] <= upper[r] + 1e-7:
                break
            j = members[k]
            if whole[j] > np.floor(make[j] + EPS):
                whole[j] -= 1.0
        if coef @ whole[members] > upper[r] + 1e-7:  # still over: fall back to rounding down
            whole[members] = np.minimum(whole[members], np.floor(make[members] + EPS))
    if flows is None:
        flows = np.zeros(lp.rows["component_balance"].size)
    _keep_material(m, make, whole, flows)
    _top_up(m, make, whole, capacity, upper, flows)
    return whole


def _top_up(
    m: PlanningModel,
    make: np.ndarray,
    whole: np.ndarray,
    capacity: sp.csr_matrix,
    upper: np.ndarray,
    flows: np.ndarray,
) -> None:
    """Give back the units rounding lost where the LP had them: one unit at a time, to the
    build-period with the largest lost fraction, while hours, rates, licences and material
    allow and the build stays within its LP total rounded up. Fragments of a unit spread
    over builds would otherwise go missing and show up as late or unmet demand."""
    lp, T = m.lp, m.structure.periods
    made, builds = production_block(m)
    rows_fam, buy = lp.rows["component_balance"], lp.columns["buy"]
    build_of = np.repeat(np.arange(len(builds)), [b.periods.size for b in builds])
    room = np.ceil(np.bincount(build_of, weights=make, minlength=len(builds)) - EPS)
    room -= np.bincount(build_of, weights=whole, minlength=len(builds))
    slack = upper - capacity @ whole
    cap_cols = capacity.tocsc()
    rows = lp.matrix[rows_fam.slice]
    use = rows[:, made].tocsc()
    most_in = -(rows[:, buy.slice] @ lp.col_upper[buy.slice])
    supply = np.cumsum((lp.row_lower[rows_fam.slice] + most_in - flows).reshape(-1, T), axis=1)
    need = (use @ whole).reshape(-1, T)
    for j in np.argsort(-(make - whole)):
        if make[j] - whole[j] <= 0.05:
            break
        if room[build_of[j]] < 1:
            continue
        lo, hi = cap_cols.indptr[j], cap_cols.indptr[j + 1]
        if np.any(slack[cap_cols.indices[lo:hi]] < cap_cols.data[lo:hi] - 1e-7):
            continue
        ulo, uhi = use.indptr[j], use.indptr[j + 1]
        pairs, periods, qty = use.indices[ulo:uhi] // T, use.indices[ulo:uhi] % T, use.data[ulo:uhi]
        trial = need[pairs].copy()
        trial[np.arange(pairs.size), periods] += qty
        if np.any(np.cumsum(trial, axis=1) > supply[pairs] + 1e-6):
            continue
        need[pairs] = trial
        whole[j] += 1.0
        room[build_of[j]] -= 1
        slack[cap_cols.indices[lo:hi]] -= cap_cols.data[lo:hi]


def _keep_material(m: PlanningModel, make: np.ndarray, whole: np.ndarray, flows: np.ndarray) -> None:
    """Take back rounded-up units that no stock or order could supply in time.

    A component balance involves production, that pair's own orders and its transfers, so
    with the transfers held at the LP's values a fixed production is feasible when, for every
    pair and period, the cumulative need does not exceed the initial stock plus every order
    that could have arrived by then plus the net transfers in."""
    lp = m.lp
    made, _ = production_block(m)
    rows_fam, buy = lp.rows["component_balance"], lp.columns["buy"]
    if rows_fam.size == 0:
        return
    T = m.structure.periods
    rows = lp.matrix[rows_fam.slice]
    use = rows[:, made].tocsr()
    most_in = -(rows[:, buy.slice] @ lp.col_upper[buy.slice])  # every order at capacity
    supply = np.cumsum((lp.row_lower[rows_fam.slice] + most_in - flows).reshape(-1, T), axis=1)
    down = np.floor(make + EPS)
    for _ in range(4 * T + 10):
        over = np.cumsum((use @ whole).reshape(-1, T), axis=1) - supply
        short = over > 1e-6
        if not short.any():
            return
        pair, t = np.argwhere(short)[0]
        span = use[pair * T : pair * T + t + 1]  # every use of the pair up to the shortfall
        # consumers only: a built assembly's own output enters its balance with -1
        takers = span.indices[span.data > 0]
        cols = np.unique(takers)
        if np.any(whole[cols] > down[cols]):
            whole[cols] = np.minimum(whole[cols], down[cols])
            continue
        # already rounded down (a built assembly rounded down too): take whole units back
        # from the latest use that makes anything, as many as the shortfall needs
        busy = takers[whole[takers] > 0]
        if busy.size == 0:
            break  # only transfers draw on it: the re-solve moves fewer
        j = busy[-1]
        coef = float(use[pair * T : pair * T + t + 1, j].sum())
        whole[j] = max(0.0, whole[j] - np.ceil(over[pair, t] / coef - 1e-9))
    whole[:] = np.minimum(whole, down)
