"""Service-first weights derived from the data, so one solve honours the lexicographic goal.

One unit-period of lateness at priority weight 1 costs W, where W exceeds the full cost of
any unit through its BOM, line, licence, lane and holding over the whole horizon. Then no
cost saving can pay for a period of lateness of a unit. An unmet unit costs as much as
being late until one period past the horizon end. docs/formulation.md gives the argument;
tests compare the one-solve plan with a literal two-phase solve.
"""

from __future__ import annotations

import numpy as np

from coprod.planning.money import BucketRates
from coprod.planning.structure import Structure

__all__ = ["lateness_unit_weight"]


def lateness_unit_weight(s: Structure) -> float:
    p = s.programme
    T = s.grid.base_periods if s.grid is not None else s.periods  # holding over the whole horizon
    money = BucketRates(p, s.grid)  # prices at their dearest rate in the horizon

    top: dict[str | None, float] = {}  # per currency: one maximum, not one per offer and lane

    def dearest(amount: float, currency: str | None) -> float:
        if currency not in top:
            top[currency] = float(money.factor(currency).max())
        return amount * top[currency]

    price: dict[str, float] = {}
    for o in p.supply_offers:
        price[o.component] = max(price.get(o.component, 0.0), dearest(o.unit_price, o.currency))
    hold = {c.id: c.holding_cost for c in p.components}
    make = np.zeros(len(s.products))
    for b in s.builds:
        make[b.product] = max(make[b.product], float(b.cost_per_unit.max()))
    lane_cost = max((dearest(ln.cost_per_unit, ln.currency) for ln in p.lanes), default=0.0)
    worst = 0.0
    for pi, segments in enumerate(s.bom):
        design = p.design_by_id[s.product_design[pi]]
        for seg in segments:
            material = sum(q * price.get(c, 0.0) for c, q in seg.usage.items())
            holding = design.holding_cost + sum(q * hold.get(c, 0.0) for c, q in seg.usage.items())
            worst = max(worst, make[pi] + material + lane_cost + T * holding)
    # Round up to a power of ten times 1, 2 or 5: readable, and no false precision.
    return _nice_ceiling(1.0 + worst)


def _nice_ceiling(value: float) -> float:
    exponent = np.floor(np.log10(value))
    for step in (1.0, 2.0, 5.0, 10.0):
        if step * 10**exponent >= value:
            return float(step * 10**exponent)
    return float(10 ** (exponent + 1))
