"""Turn the LP optimum into whole units that still respect every limit.

1. Production (products and built assemblies alike) is rounded to whole units along each
   build's cumulative output, with units
   taken back where a capacity, rate or licence row would be exceeded, and fixed. (If a
   rounded-up unit lacks material, every build is rounded down instead: those rows have
   only non-negative coefficients, so rounding down always keeps them.)
   Where that leaves the re-solve infeasible with built assemblies, it goes level by
   level instead, what is used before what uses it (`_by_stages`): the assemblies of
   purchased parts are rounded and fixed, the LP is re-solved with their users free (they
   take what was made, at whatever site transfers take it to), then the next level, and
   the products last, against the whole assemblies that are there. (Rounding all at once
   had left the assembly site short of the units its transfers carried.) A level whose
   re-solve still fails is rounded down (always feasible: less is drawn, and its users are
   still free).
2. The LP is re-solved warm with dual simplex: with production fixed, what remains of the
   finished-goods part (stock, lanes, deliveries) is a network, whose vertex solutions are
   integral for integer stock, production and quantities.
3. Orders are rounded up (more material never breaks a balance) and the offer's minimum
   order is met per need, not per order (planning/orders.py); component stock is carried.
"""

from __future__ import annotations

import logging
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

log = logging.getLogger(__name__)

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
    try:
        fixed, second = _at_once(m, session, first, resolve)
    except SolverError:
        if not m.structure.assemblies:
            raise
        # built assemblies the transfers carry elsewhere: round level by level instead,
        # from the LP's own bounds (the failed attempt left production fixed)
        cols = np.arange(made.start, made.stop)
        session.set_column_bounds(cols, m.lp.col_lower[made], m.lp.col_upper[made])
        fixed, second = _by_stages(m, session, first, resolve)
    second = _whole_transfers(m, session, second, resolve)
    x = second.x.copy()
    x[made] = fixed
    for name in ("ship", "transfer_p", "deliver", "unmet", "stock_p"):
        fam = m.lp.columns[name]
        x[fam.slice] = np.round(x[fam.slice])
    if orders:
        consolidate_orders(m, x, session.column_lower())
    return x, second


def _at_once(
    m: PlanningModel,
    session: HighsSession,
    first: SolveOutcome,
    resolve: Callable[[Method], SolveOutcome],
) -> tuple[np.ndarray, SolveOutcome]:
    """Round and fix all production at once (every programme without built assemblies,
    and those with them where it works: the same plans as before `_by_stages`), with every
    build rounded down where a rounded-up unit finds no material. SolverError when even
    that leaves the re-solve infeasible."""
    made, _ = production_block(m)
    cols = np.arange(made.start, made.stop)
    flows = transfer_flows(m, first.x)
    fixed = whole_production(m, first.x[made], flows)
    session.set_column_bounds(cols, fixed, fixed)
    try:
        return fixed, resolve(Method.SIMPLEX)
    except SolverError:
        # A unit rounded up found no material: round every build down instead (always
        # feasible without built assemblies).
        fixed = np.floor(first.x[made] + EPS)
        # a part of a unit of assembly, rounded down, may leave its user a part short
        _keep_material(m, fixed, fixed, flows)
        session.set_column_bounds(cols, fixed, fixed)
        return fixed, resolve(Method.SIMPLEX)


def _by_stages(
    m: PlanningModel,
    session: HighsSession,
    first: SolveOutcome,
    resolve: Callable[[Method], SolveOutcome],
) -> tuple[np.ndarray, SolveOutcome]:
    """Round and fix production one level at a time, what is used before what uses it:
    built assemblies of purchased parts, then those containing them, then the products,
    each level rounded from the solution re-solved with the levels before it fixed (so a
    product is rounded against the whole assemblies that are there, wherever transfers take
    them). A level's users are still free when it is fixed, so they take what it makes, and
    its material is checked with the levels it uses already whole. Without built assemblies
    this is one round, fix and re-solve of the products."""
    made, _ = production_block(m)
    fixed = np.zeros(made.stop - made.start)
    pair_component = np.array(m.structure.component_pairs, dtype=np.int64).reshape(-1, 2)[:, 0]
    assembly_of = m.lp.columns["make_a"].keys["component"]
    n_make = m.lp.columns["make"].size
    outcome = first
    stages = _stages(m)
    for i, cols in enumerate(stages):
        x = outcome.x[made]
        only = np.zeros(fixed.size, dtype=bool)
        only[cols] = True
        # the balances of assemblies not yet fixed are not checked: their users are re-solved
        later = [assembly_of[c - n_make] for c in stages[i:-1]]
        free = np.isin(pair_component, np.concatenate(later)) if later else None
        fixed[cols] = whole_production(m, x, transfer_flows(m, outcome.x), only, free)[cols]
        _fix(m, session, cols, fixed[cols])
        try:
            outcome = resolve(Method.SIMPLEX)
        except SolverError:
            # A unit rounded up found no material: round the level down instead (always
            # feasible: less is drawn from every balance, and its users are still free).
            log.debug("level %d of %d rounded down: a rounded-up unit found no material", i + 1, len(stages))
            fixed[cols] = np.floor(np.maximum(x[cols], 0.0) + EPS)
            _fix(m, session, cols, fixed[cols])
            outcome = resolve(Method.SIMPLEX)
    return fixed, outcome


def _built(m: PlanningModel) -> np.ndarray:
    """The components built on lines (indices into Structure.components)."""
    return np.unique(np.array([a.component for a in m.structure.assemblies], dtype=np.int64))


def _stages(m: PlanningModel) -> list[np.ndarray]:
    """Production columns (positions in the production block) by level, what is used before
    what uses it: built assemblies of purchased parts only, then those containing them
    (deepest nesting last), then the products."""
    s = m.structure
    names = {s.components[int(c)] for c in _built(m)}
    usage = {s.components[a.component]: a.usage for a in s.assemblies}
    memo: dict[str, int] = {}

    def depth(a: str) -> int:
        if a not in memo:
            memo[a] = 1 + max((depth(c) for c in usage[a] if c in names and c != a), default=-1)
        return memo[a]

    n_make = m.lp.columns["make"].size
    comp = m.lp.columns["make_a"].keys["component"]
    level = np.array([depth(s.components[int(c)]) for c in comp], dtype=np.int64)
    stages = [n_make + np.flatnonzero(level == d) for d in np.unique(level)]
    return [*stages, np.arange(n_make)]


def _fix(m: PlanningModel, session: HighsSession, cols: np.ndarray, values: np.ndarray) -> None:
    """Hold production columns (positions in the production block) at `values`."""
    start = m.production.start
    session.set_column_bounds(start + cols, values, values)


def _capacity(m: PlanningModel) -> tuple[sp.csr_matrix, np.ndarray]:
    """The hours, rate and licence rows over the production columns, and their limits."""
    lp = m.lp
    rows = np.concatenate(
        [
            np.arange(lp.rows[f].start, lp.rows[f].start + lp.rows[f].size)
            for f in ("hours", "rate", "licence")
        ]
    )
    return lp.matrix[rows][:, m.production].tocsr(), lp.row_upper[rows]


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
    buying the extra. Where a sender cannot have the extra unit in time (its stock and every
    order that could arrive are spoken for), that transfer is rounded down instead and the
    receiver covers the fraction itself. If that fails too, the fractions stay (the plan says
    so with a quantity that is not whole)."""
    fam = m.lp.columns["transfer_c"]
    if fam.size == 0:
        return outcome
    value = outcome.x[fam.slice]
    if np.all(np.abs(value - np.round(value)) < EPS):
        return outcome
    cols = np.arange(fam.start, fam.start + fam.size)
    whole = _within_lane_capacity(m, outcome.x, np.ceil(value - EPS))
    for attempt in range(2):
        session.set_column_bounds(cols, whole, whole)
        try:
            return resolve(Method.SIMPLEX)
        except SolverError:
            if attempt == 0:
                fewer = _within_senders(m, outcome.x, whole, value)
                if np.array_equal(fewer, whole):
                    break
                whole = fewer
    session.set_column_bounds(cols, np.zeros(fam.size), m.lp.col_upper[fam.slice])
    return outcome


def _within_senders(m: PlanningModel, x: np.ndarray, whole: np.ndarray, value: np.ndarray) -> np.ndarray:
    """`whole` (component transfers rounded up, `value` as the LP had them) with units taken
    back, the smallest fraction first, from transfers whose sender could not have the extra
    unit: its cumulative stock, with every order at capacity, the fixed production's use and
    the whole transfers in and out, falls below zero."""
    lp, T = m.lp, m.structure.periods
    rows_fam, fam, buy = lp.rows["component_balance"], lp.columns["transfer_c"], lp.columns["buy"]
    rows = lp.matrix[rows_fam.slice]
    moved = rows[:, fam.slice].tocsr()
    most_in = -(rows[:, buy.slice] @ lp.col_upper[buy.slice])
    base = lp.row_lower[rows_fam.slice] + most_in - rows[:, m.production] @ x[m.production]
    whole = whole.copy()
    frac = whole - value  # what rounding up added
    for _ in range(fam.size):
        level = np.cumsum((base - moved @ whole).reshape(-1, T), axis=1)
        short = np.argwhere(level < -1e-6)
        if short.size == 0:
            break
        pair, t = short[0]
        span = moved[pair * T : pair * T + t + 1]
        out = np.unique(span.indices[span.data > 0])  # leaving the pair by then
        out = out[frac[out] > EPS]
        if out.size == 0:
            break
        j = out[np.argmin(frac[out])]
        whole[j] -= 1.0
        frac[j] -= 1.0
    return whole


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


def whole_production(
    m: PlanningModel,
    make: np.ndarray,
    flows: np.ndarray | None = None,
    only: np.ndarray | None = None,
    free_pairs: np.ndarray | None = None,
) -> np.ndarray:
    """Whole units per build and period that keep each build's cumulative output within one
    unit of the LP's (rounding each period down would lose up to a unit every period), then
    take back rounded-up units wherever an hours, rate or licence row would be exceeded.
    `flows` (transfer_flows): the LP's transfers, held as they are while checking material.
    `only` (a mask over the production block): round these columns, hold the rest at `make`;
    `free_pairs` (a mask over the component pairs): balances left out of the material check
    (built assemblies, re-solved for what the whole builds need)."""
    _, builds = production_block(m)
    rounded = np.ones(make.size, dtype=bool) if only is None else only
    whole = make.copy()
    start = 0
    for b in builds:  # each build owns a contiguous run of columns, periods ascending
        n = b.periods.size
        if rounded[start]:
            cumulative = np.floor(np.cumsum(make[start : start + n]) + 0.5)  # nearest: no unit lost
            whole[start : start + n] = np.diff(cumulative, prepend=0.0)
        start += n
    capacity, upper = _capacity(m)
    for r in np.flatnonzero(capacity @ whole > upper + 1e-7):
        lo, hi = capacity.indptr[r], capacity.indptr[r + 1]
        members, coef = capacity.indices[lo:hi], capacity.data[lo:hi]
        for k in np.argsort(-(whole[members] - make[members])):  # most rounded-up first
            if coef @ whole[members] <= upper[r] + 1e-7:
                break
            j = members[k]
            if rounded[j] and whole[j] > np.floor(make[j] + EPS):
                whole[j] -= 1.0
        if coef @ whole[members] > upper[r] + 1e-7:  # still over: fall back to rounding down
            mine = members[rounded[members]]
            whole[mine] = np.minimum(whole[mine], np.floor(make[mine] + EPS))
    if flows is None:
        flows = np.zeros(m.lp.rows["component_balance"].size)
    _keep_material(m, make, whole, flows, rounded, free_pairs)
    _top_up(m, make, whole, capacity, upper, flows, rounded, free_pairs)
    return whole


def _top_up(
    m: PlanningModel,
    make: np.ndarray,
    whole: np.ndarray,
    capacity: sp.csr_matrix,
    upper: np.ndarray,
    flows: np.ndarray,
    rounded: np.ndarray,
    free_pairs: np.ndarray | None = None,
) -> None:
    """Give back the units rounding lost where the LP had them: one unit at a time, to the
    build-period with the largest lost fraction, while hours, rates, licences and material
    allow and the build stays within its LP total rounded up. Fragments of a unit spread
    over builds would otherwise go missing and show up as late or unmet demand. Only the
    `rounded` columns gain units; `free_pairs` balances are not checked."""
    lp, T = m.lp, m.structure.periods
    made, builds = production_block(m)
    rows_fam = lp.rows["component_balance"]
    build_of = np.repeat(np.arange(len(builds)), [b.periods.size for b in builds])
    room = np.ceil(np.bincount(build_of, weights=make, minlength=len(builds)) - EPS)
    room -= np.bincount(build_of, weights=whole, minlength=len(builds))
    slack = upper - capacity @ whole
    cap_cols = capacity.tocsc()
    use = lp.matrix[rows_fam.slice][:, made].tocsc()
    supply = _supply(m, flows, free_pairs)
    need = (use @ whole).reshape(-1, T)
    for j in np.argsort(-(make - whole)):
        if make[j] - whole[j] <= 0.05:
            break
        if not rounded[j] or room[build_of[j]] < 1:
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


def _supply(m: PlanningModel, flows: np.ndarray, free_pairs: np.ndarray | None) -> np.ndarray:
    """Per component pair and period, the most that can be there by then: the initial stock
    plus every order at capacity plus the net transfers in (`flows` held); unlimited for
    `free_pairs`."""
    lp, T = m.lp, m.structure.periods
    rows_fam, buy = lp.rows["component_balance"], lp.columns["buy"]
    most_in = -(lp.matrix[rows_fam.slice][:, buy.slice] @ lp.col_upper[buy.slice])  # every order at capacity
    supply = np.cumsum((lp.row_lower[rows_fam.slice] + most_in - flows).reshape(-1, T), axis=1)
    if free_pairs is not None:
        supply[free_pairs] = np.inf
    return supply


def _keep_material(
    m: PlanningModel,
    make: np.ndarray,
    whole: np.ndarray,
    flows: np.ndarray,
    rounded: np.ndarray | None = None,
    free_pairs: np.ndarray | None = None,
) -> None:
    """Take back rounded-up units that no stock or order could supply in time.

    A component balance involves production, that pair's own orders and its transfers, so
    with the transfers held at the LP's values a fixed production is feasible when, for every
    pair and period, the cumulative need does not exceed the initial stock plus every order
    that could have arrived by then plus the net transfers in. Only `rounded` columns (all
    by default) are taken back; `free_pairs` balances are not checked."""
    lp = m.lp
    made, _ = production_block(m)
    rows_fam = lp.rows["component_balance"]
    if rows_fam.size == 0:
        return
    T = m.structure.periods
    use = lp.matrix[rows_fam.slice][:, made].tocsr()
    supply = _supply(m, flows, free_pairs)
    mine = np.ones(whole.size, dtype=bool) if rounded is None else rounded
    down = np.where(mine, np.floor(make + EPS), whole)
    for _ in range(4 * T + 10):
        over = np.cumsum((use @ whole).reshape(-1, T), axis=1) - supply
        short = over > 1e-6
        if not short.any():
            return
        pair, t = np.argwhere(short)[0]
        span = use[pair * T : pair * T + t + 1]  # every use of the pair up to the shortfall
        # consumers only: a built assembly's own output enters its balance with -1
        takers = span.indices[span.data > 0]
        takers = takers[mine[takers]]
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
