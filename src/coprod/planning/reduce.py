"""Exact reductions of the planning LP: take out what provably cannot matter.

Ample supply. A (component, site) pair needs no balance rows, order or stock columns when
  - there is no stock of it at the site, no transfer to or from it, and no assembly built
    at the site makes it or uses it,
  - one offer is both the cheapest and the fastest of the offers to that site, with no
    `available_from` date, and
  - that offer's capacity covers the most the site could ever consume in any period
    (every line at the site running flat out on every product that uses the component).
Then the offer never binds and buying just in time (ordered lead-time periods ahead,
never earlier: holding costs are not negative) is optimal. So its price times the usage is
folded into the cost of the builds that use it, and a build needs the order's lead time
before its first period. The optimum is unchanged; the component balance, which is most of
the LP on large programmes, shrinks to the pairs that can bind. Orders for folded pairs
are derived from the production after the solve (orders.folded_orders).

Prices in other currencies (money.py): an offer is folded only when its currency has a
single rate (its converted price never moves, so when it is paid does not matter), and it
dominates only if that price is no higher than every other offer's converted price in every
bucket.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

import numpy as np

from coprod.domain import Programme, SupplyOffer
from coprod.domain.money import Rates
from coprod.planning.money import BucketRates
from coprod.planning.structure import Build, Structure

__all__ = ["find_ample", "fold_ample_supply"]


def _first_arrival(s: Structure, lead: int) -> int:
    """The first bucket an order placed at the start can arrive in."""
    if s.grid is None:
        return lead
    arrival = s.grid.arrivals(lead)[0]  # computed once per lead time (grid.py)
    return int(arrival) if arrival >= 0 else s.periods


def fold_ample_supply(s: Structure, ample: dict[tuple[int, int], int] | None = None) -> Structure:
    """`s` with its ample pairs folded (found here, or given: an aggregated structure takes
    the pairs found per single period, so its near-term plan is one the exact model allows).
    `s` itself is left as it was."""
    if ample is None:
        ample = find_ample(s)
    return _fold(s, ample) if ample else s


def find_ample(s: Structure) -> dict[tuple[int, int], int]:
    """(component, site) -> the offer that supplies it amply, just in time."""
    p, T = s.programme, s.periods
    comp_ix = {c: i for i, c in enumerate(s.components)}
    site_ix = {x: i for i, x in enumerate(s.sites)}
    stocked = {
        (comp_ix[st.item], site_ix[st.site]) for st in p.stock if st.item in comp_ix and st.quantity > 0
    }
    # The most a line can make in a period (of whatever it builds fastest), and the most of
    # each component one unit of anything it builds uses: their product bounds its use.
    most_units = np.zeros((len(s.lines), T))
    per_unit: dict[tuple[int, int], np.ndarray] = defaultdict(lambda: np.zeros(T))
    for b in s.builds:
        fastest = np.minimum(s.hours[b.line, b.periods] / b.hours_per_unit, s.rates[b.line, b.periods])
        most_units[b.line, b.periods] = np.maximum(most_units[b.line, b.periods], fastest)
        for seg in s.bom[b.product]:
            mask = (b.periods >= seg.first) & (b.periods <= seg.last)
            for comp, qty in seg.usage.items():
                row = per_unit[(b.line, comp_ix[comp])]
                row[b.periods[mask]] = np.maximum(row[b.periods[mask]], qty)
    need: dict[tuple[int, int], np.ndarray] = defaultdict(lambda: np.zeros(T))
    site_of_line = {b.line: b.site for b in s.builds}
    for (line, ci), most_each in per_unit.items():
        need[(ci, site_of_line[line])] += most_each * most_units[line]
    by_pair: dict[tuple[int, int], list[int]] = defaultdict(list)
    for k in s.offers:
        o = p.supply_offers[k]
        by_pair[(comp_ix[o.component], site_ix[o.ship_to])].append(k)
    # a pair a transfer touches has more in its balance than its own builds and offers
    moved = set()
    for c, k in s.transfers_c:
        lane = p.lanes[k]
        moved |= {(c, site_ix[lane.from_site]), (c, site_ix[lane.to])}
    # so does a pair an assembly build makes or draws on (its use is not in `need` above)
    for a in s.assemblies:
        moved.add((a.component, a.site))
        moved.update((comp_ix[c], a.site) for c in a.usage)
    ample: dict[tuple[int, int], int] = {}
    money = BucketRates(p, s.grid)
    # each currency's lowest and highest rate over the buckets (rates are positive)
    currencies = {o.currency for o in p.supply_offers}
    lowest = {c: float(money.factor(c).min()) for c in currencies}
    highest = {c: float(money.factor(c).max()) for c in currencies}
    for pair in s.component_pairs:
        offers = [p.supply_offers[k] for k in by_pair.get(pair, [])]
        if pair in stocked or pair in moved or not offers:
            continue
        low = [o.unit_price * lowest[o.currency] for o in offers]
        high = [o.unit_price * highest[o.currency] for o in offers]
        best = min(range(len(offers)), key=lambda i: (high[i], offers[i].lead_time))
        o = offers[best]
        dominant = money.rates.is_constant(o.currency or money.rates.base) and all(
            low[i] >= high[best] and x.lead_time >= o.lead_time for i, x in enumerate(offers)
        )
        per_bucket = o.capacity_per_period * (s.grid.length if s.grid is not None else 1)
        if dominant and o.available_from is None and not o.commitments and np.all(per_bucket >= need[pair]):
            ample[pair] = by_pair[pair][best]
    return ample


def folded_price(p: Programme, offer: SupplyOffer) -> float:
    """A folded offer's unit price in the programme currency (its rate never moves)."""
    return offer.unit_price * Rates(p).rate_on(offer.currency or p.settings.currency, p.calendar.start)


def _fold(s: Structure, ample: dict[tuple[int, int], int]) -> Structure:
    p = s.programme
    comp_ix = {c: i for i, c in enumerate(s.components)}
    site_ix = {x: i for i, x in enumerate(s.sites)}
    price = {k: folded_price(p, p.supply_offers[k]) for k in set(ample.values())}
    builds = [_fold_build(s, b, ample, comp_ix, price) for b in s.builds]
    folded_offers = set(ample.values())
    offers = [
        k
        for k in s.offers
        if k not in folded_offers
        and (comp_ix[p.supply_offers[k].component], site_ix[p.supply_offers[k].ship_to]) not in ample
    ]
    return replace(
        s,
        builds=[b for b in builds if b.periods.size],
        ample=dict(ample),
        component_pairs=[pair for pair in s.component_pairs if pair not in ample],
        offers=offers,
    )


def _fold_build(
    s: Structure,
    b: Build,
    ample: dict[tuple[int, int], int],
    comp_ix: dict[str, int],
    price: dict[int, float],
) -> Build:
    """`b` with the folded components' price in its material cost, and without the periods
    before a folded order could arrive."""
    p = s.programme
    material = b.material_cost.copy()
    keep = np.ones(b.periods.size, dtype=bool)
    for seg in s.bom[b.product]:
        mask = (b.periods >= seg.first) & (b.periods <= seg.last)
        for comp, qty in seg.usage.items():
            folded = ample.get((comp_ix[comp], b.site))
            if folded is None:
                continue
            offer = p.supply_offers[folded]
            material[mask] += qty * price[folded]
            keep &= ~mask | (b.periods >= _first_arrival(s, offer.lead_time))
    return replace(
        b,
        periods=b.periods[keep],
        hours_per_unit=b.hours_per_unit[keep],
        cost_per_unit=b.cost_per_unit[keep],
        licence=b.licence[keep],
        material_cost=material[keep],
    )
