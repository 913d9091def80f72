"""Whole orders: minimum order quantities applied per need, not per order.

The LP knows nothing of minimum orders (they would make it a MIP), so it orders just what
each period needs. Raising every one of those orders to the offer's minimum buys the
minimum again and again: with a minimum of 500 and a need of 10 parts a month, three orders
of 500. A planner places one order of 500 and lives off the stock it leaves. So orders are
taken in arrival order per (component, site): an order is cut by whatever stock is already
there for every later period (an earlier order's surplus, or rounding), dropped if that
covers it, and raised to the minimum only when something is still to be bought. The stock
it leaves is carried (and its holding paid, so the plan's cost says what the minimum costs).

Folded pairs (reduce.py: ample supply bought just in time) have no order columns; their
orders are derived from production in the same way, and their stock is reported with them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from coprod.planning.grid import exact_grid
from coprod.planning.model import PlanningModel

__all__ = ["FoldedOrders", "consolidate_orders", "folded_orders"]

EPS = 1e-6


def consolidate_orders(m: PlanningModel, x: np.ndarray, lower: np.ndarray | None = None) -> None:
    """Whole orders in `x` (in place), the minimum order met per need; component stock
    recomputed from the balance. `lower`: column lower bounds the solver held (frozen orders
    of a re-plan are never cut below what was committed)."""
    lp, s = m.lp, m.structure
    p, T = s.programme, s.periods
    buy, stock, rows_fam = lp.columns["buy"], lp.columns["stock_c"], lp.rows["component_balance"]
    if rows_fam.size == 0:
        return
    raw = np.maximum(x[buy.slice], 0.0)
    whole = np.ceil(raw - EPS)
    floor = np.zeros(buy.size) if lower is None else np.ceil(lower[buy.slice] - EPS)
    minimum = np.array([o.min_order for o in p.supply_offers], dtype=float)[buy.keys["offer"]]
    rows = lp.csr.rows(rows_fam.slice)
    # use: production's, plus transfers out (+1 in the row) less transfers in (-1)
    moved = rows.cols(lp.columns["transfer_c"].slice) @ x[lp.columns["transfer_c"].slice]
    # production's use nets built assemblies: their parts (+) and their own arrival (-1)
    made = m.production
    use = (rows.cols(made) @ x[made] + moved).reshape(-1, T)
    initial = lp.row_lower[rows_fam.slice].reshape(-1, T)[:, 0]
    # the balance row each order arrives in: its pair and its arrival bucket
    entry = rows.cols(buy.slice).tocsc()
    arrive_row = entry.indices[entry.indptr[:-1]]
    pair, arrival = arrive_row // T, arrive_row % T
    arrivals = np.zeros((initial.size, T))
    np.add.at(arrivals, (pair, arrival), whole)
    level = initial[:, None] + np.cumsum(arrivals - use, axis=1)
    ranked = np.lexsort((buy.keys["period"], arrival, pair))
    # an order's own step is the only one that changes it: the empty ones are skipped at once
    for j in ranked[whole[ranked] > 0]:
        a, row = arrival[j], level[pair[j]]
        spare = np.floor(row[a:].min() + EPS)  # stock there in every later period anyway
        keep = max(whole[j] - max(spare, 0.0), floor[j])
        if 0 < keep < minimum[j]:
            keep = minimum[j]
        row[a:] -= whole[j] - keep
        whole[j] = keep
    x[buy.slice] = whole
    x[stock.slice] = np.maximum(level, 0.0).ravel()


@dataclass(slots=True)
class FoldedOrders:
    """Orders of folded components, (offer, order bucket) -> units, and the stock they
    leave, (offer, bucket) -> units at the end of the bucket."""

    orders: dict[tuple[int, int], int] = field(default_factory=dict)
    stock: dict[tuple[int, int], float] = field(default_factory=dict)


def folded_orders(m: PlanningModel, make: np.ndarray) -> FoldedOrders:
    """Just-in-time orders of folded components (reduce.py) in whole units: each need is
    ordered as late as its lead time allows, from the stock earlier orders left first, and an
    order is raised to the offer's minimum only when something is still to be bought."""
    s = m.structure
    out = FoldedOrders()
    if not s.ample:
        return out
    p, T = s.programme, s.periods
    grid = s.grid or exact_grid(p.calendar.periods)
    comp_ix = {c: i for i, c in enumerate(s.components)}
    use = {k: np.zeros(T) for k in set(s.ample.values())}
    start = 0
    for b in s.builds:
        qty = make[start : start + b.periods.size]
        start += b.periods.size
        for seg in s.bom[b.product]:
            in_seg = (b.periods >= seg.first) & (b.periods <= seg.last) & (qty > EPS)
            for comp, per_unit in seg.usage.items():
                k = s.ample.get((comp_ix[comp], b.site))
                if k is not None and in_seg.any():
                    np.add.at(use[k], b.periods[in_seg], per_unit * qty[in_seg])
    latest: dict[int, tuple[list[int], list[int]]] = {}  # per lead time (Python numbers: a loop)
    for k, need in use.items():
        offer = p.supply_offers[k]
        lead = offer.lead_time
        if lead not in latest:
            latest[lead] = (grid.latest_order(lead).tolist(), grid.arrivals(lead).tolist())
        order_by, arrives = latest[lead]
        arrived = np.zeros(T)
        have = 0.0  # stock left by earlier orders at the current bucket
        needs = need.tolist()
        for t in np.flatnonzero(need > EPS).tolist():
            if needs[t] > have + EPS:
                order = max(math.ceil(needs[t] - have - EPS), offer.min_order)
                when = order_by[t]
                out.orders[(k, when)] = out.orders.get((k, when), 0) + order
                arrived[arrives[when]] += order
                have += order
            have -= needs[t]
        level = np.cumsum(arrived - need)
        held = np.flatnonzero(level > EPS)
        out.stock.update(zip([(k, t) for t in held.tolist()], level[held].tolist(), strict=True))
    return out
