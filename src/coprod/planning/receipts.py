"""Scheduled receipts: goods already on their way enter the balances as fixed arrivals.

A lot in transit to a site, a lot awaiting acceptance or an open purchase order is one
term on the right-hand side of its balance, in the bucket it arrives in:

    stock[t] - stock[t-1] - arrivals[t] + use[t] = initial stock [t = 0] + scheduled[t]

Nothing else changes: no column, no row. It is applied to the built LP, so the model
families stay as they are. A receipt of something no balance holds is left out: a part
no build at that site uses, or one whose supply is ample (planning/reduce.py folds only
pairs it proved can never bind, so an extra arrival there cannot change the service).
"""

from __future__ import annotations

from coprod.planning.grid import exact_grid
from coprod.planning.model import PlanningModel

__all__ = ["add_scheduled_receipts"]


def add_scheduled_receipts(m: PlanningModel) -> int:
    """Add the programme's scheduled receipts to the balance rows of `m`; the number of
    receipts that found a balance."""
    s, lp = m.structure, m.lp
    p = s.programme
    if not p.scheduled_receipts:
        return 0
    grid = s.grid or exact_grid(p.calendar.periods)
    T = s.periods
    site_ix = {x: i for i, x in enumerate(s.sites)}
    comp_ix = {c: i for i, c in enumerate(s.components)}
    prod_ix = {x: i for i, x in enumerate(s.products)}
    comp_pair = {pair: k for k, pair in enumerate(s.component_pairs)}
    prod_pair = {pair: k for k, pair in enumerate(s.product_pairs)}
    comp_rows, prod_rows = lp.rows["component_balance"], lp.rows["product_balance"]
    used = 0
    for sr in p.scheduled_receipts:
        bucket = int(grid.bucket_of[max(0, p.calendar.index_of(sr.arrives))])
        site = site_ix[sr.site]
        if sr.item in prod_ix:
            k = prod_pair.get((prod_ix[sr.item], site))
            row = None if k is None else prod_rows.start + k * T + bucket
        else:
            k = comp_pair.get((comp_ix.get(sr.item, -1), site))
            row = None if k is None else comp_rows.start + k * T + bucket
        if row is None:
            continue
        lp.row_lower[row] += sr.quantity
        lp.row_upper[row] += sr.quantity
        used += 1
    return used
