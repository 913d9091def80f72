"""Turn the LP optimum into whole units that still respect every limit.

1. Production is rounded down to whole units (capacity, rate and licence rows have only
   non-negative coefficients, so rounding down keeps them) and fixed.
2. The LP is re-solved warm with dual simplex: with production fixed, what remains of the
   finished-goods part (stock, lanes, deliveries) is a network, whose vertex solutions are
   integral for integer stock, production and quantities.
3. Orders are rounded up (more material never breaks a balance) and raised to the offer's
   minimum order; component stock is carried forward with the extra arrivals.
"""

from __future__ import annotations

import numpy as np

from coprod.planning.highs import HighsSession, SolveOutcome
from coprod.planning.model import PlanningModel

__all__ = ["repair_to_units"]

EPS = 1e-6


def repair_to_units(
    m: PlanningModel, session: HighsSession, first: SolveOutcome
) -> tuple[np.ndarray, SolveOutcome]:
    lp = m.lp
    make = lp.columns["make"]
    fixed = np.floor(first.x[make.slice] + EPS)
    cols = np.arange(make.start, make.start + make.size)
    session.set_column_bounds(cols, fixed, fixed)
    second = session.solve(method="simplex")
    x = second.x.copy()
    x[make.slice] = fixed
    for name in ("ship", "deliver", "unmet", "stock_p"):
        fam = lp.columns[name]
        x[fam.slice] = np.round(x[fam.slice])
    _round_orders(m, x)
    return x, second


def _round_orders(m: PlanningModel, x: np.ndarray) -> None:
    lp, s = m.lp, m.structure
    p, T = s.programme, s.periods
    buy = lp.columns["buy"]
    if buy.size == 0:
        return
    raw = np.maximum(x[buy.slice], 0.0)
    whole = np.ceil(raw - EPS)
    minimum = np.array([o.min_order for o in p.supply_offers], dtype=float)[buy.keys["offer"]]
    whole = np.where((whole > 0) & (whole < minimum), minimum, whole)
    extra = whole - raw
    x[buy.slice] = whole
    # Extra arrivals raise the component stock from their arrival period on.
    comp_ix = {c: i for i, c in enumerate(s.components)}
    site_ix = {c: i for i, c in enumerate(s.sites)}
    pair_ix = {pair: k for k, pair in enumerate(s.component_pairs)}
    offer_pair = np.zeros(len(p.supply_offers), dtype=np.int64)
    for k in s.offers:  # only offers to a site that uses the component have columns
        o = p.supply_offers[k]
        offer_pair[k] = pair_ix[(comp_ix[o.component], site_ix[o.ship_to])]
    lead = np.array([o.lead_time for o in p.supply_offers])
    delta = np.zeros(len(s.component_pairs) * T)
    np.add.at(
        delta,
        offer_pair[buy.keys["offer"]] * T + buy.keys["period"] + lead[buy.keys["offer"]],
        extra,
    )
    stock = lp.columns["stock_c"]
    x[stock.slice] = np.maximum(x[stock.slice] + np.cumsum(delta.reshape(-1, T), axis=1).ravel(), 0.0)
