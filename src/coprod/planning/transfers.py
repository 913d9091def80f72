"""Transfers: lanes between sites, and the LP families that carry goods along them.

A lane whose `to` is a site moves components (into the receiving site's component balance)
and finished units of designs or variants (into its product balance). A transfer leaving in
bucket t with lead time L is taken from the sender's balance in t and enters the receiver's
in the bucket it arrives in (t + L on the calendar): the units in between are in transit,
held by neither site. Components follow order timing (they leave at the bucket's end, like a
purchase), finished units shipment timing (grid.py). A transfer that would arrive after the
horizon has no column: nothing can use it.

Which transfers exist is worked out backwards for components (a sender gets a balance for a
component the receiver needs, if the sender can get the component at all) and forwards for
products (a receiver gets a balance for what the sender makes or holds), to a fixed point so
that chains of lanes (A -> B -> C) work. Export control: nothing controlled goes to a site
whose partner may not receive it (domain/export.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

import numpy as np

from coprod.domain import Lane, Programme, SupplyOffer
from coprod.domain.export import component_blocker, delivery_blocker, has_controls
from coprod.domain.money import Rates
from coprod.planning.grid import TimeGrid
from coprod.planning.lp import INF, Family, LpBuilder
from coprod.planning.money import BucketRates

__all__ = [
    "add_lane_capacity",
    "add_transfers",
    "dominated_transfers",
    "lanes_to",
    "site_lanes",
    "site_transfers",
    "without_site_lanes",
]


def site_lanes(p: Programme) -> list[tuple[int, Lane]]:
    """(index, lane) of every lane that runs to a site rather than to a destination."""
    return [(k, ln) for k, ln in enumerate(p.lanes) if ln.to in p.site_by_id]


def lanes_to(p: Programme, destination: str) -> dict[str, int]:
    """Site -> the shortest transport to `destination`: a lane there, or a transfer to a
    site with one (one hop: what a programme office would look at first)."""
    direct = {ln.from_site: ln.lead_time for ln in p.lanes if ln.to == destination}
    out = dict(direct)
    for ln in p.lanes:
        if ln.to in direct and ln.from_site != ln.to:
            lead = ln.lead_time + direct[ln.to]
            out[ln.from_site] = min(out.get(ln.from_site, lead), lead)
    return out


def without_site_lanes(p: Programme) -> Programme:
    """`p` with only its lanes to destinations."""
    return p.model_copy(update={"lanes": tuple(ln for ln in p.lanes if ln.to not in p.site_by_id)})


def dominated_transfers(p: Programme, ample: dict[tuple[int, int], int]) -> Callable[[int, int], bool]:
    """Is the transfer of component c on lane k provably useless? `ample`: the pairs
    (component, site) reduce.find_ample proves amply supplied, just in time, by one offer
    when there are no lanes between sites. A transfer into such a pair is useless when
      - the receiver passes c on by no lane (its offer covers only its own use),
      - the sender has no stock, receipt or lane in of c (its only source is its offers), and
      - every offer to the sender, plus the lane, costs at least the receiver's offer and takes
        at least as long:
    any unit transferred could then be bought by the receiver instead, arriving no later, at
    no more cost, without ever reaching the offer's capacity. Exact, like the folding itself."""
    sites = {s.id: i for i, s in enumerate(p.sites)}
    held = {(st.item, st.site) for st in p.stock} | {(r.item, r.site) for r in p.scheduled_receipts}
    offers_to: dict[tuple[str, str], list[SupplyOffer]] = defaultdict(list)
    for o in p.supply_offers:
        offers_to[(o.component, o.ship_to)].append(o)
    lanes = site_lanes(p)

    rates = Rates(p)

    def price(amount: float, currency: str | None) -> float:
        return amount * rates.rate_on(currency or rates.base, p.calendar.start)

    def carries(ln: Lane, comp: str) -> bool:
        return not ln.items or comp in ln.items

    def skip(c: int, k: int) -> bool:
        lane = p.lanes[k]
        found = ample.get((c, sites[lane.to]))
        if found is None:
            return False
        best = p.supply_offers[found]
        comp = best.component
        if any(ln.from_site == lane.to and carries(ln, comp) for _, ln in lanes):
            return False  # the receiver relays it
        if (comp, lane.from_site) in held or any(
            ln.to == lane.from_site and carries(ln, comp) for _, ln in lanes
        ):
            return False
        # prices compared in the programme currency; only where no rate involved moves
        # (then when each is paid does not matter)
        offers = offers_to[(comp, lane.from_site)]
        involved = [best.currency, lane.currency, *(o.currency for o in offers)]
        if not all(rates.is_constant(c or rates.base) for c in involved):
            return False
        return all(
            price(o.unit_price, o.currency) + price(lane.cost_per_unit, lane.currency)
            >= price(best.unit_price, best.currency)
            and o.lead_time + lane.lead_time >= best.lead_time
            for o in offers
        )

    return skip


def site_transfers(
    p: Programme,
    components: list[str],
    products: list[str],
    cpairs: set[tuple[int, int]],
    ppairs: set[tuple[int, int]],
    skip: Callable[[int, int], bool] | None = None,
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(component, lane) and (product, lane) pairs the site lanes carry; `cpairs` and
    `ppairs` (component / product, site) gain the balances those transfers need. `skip`:
    (component, lane) transfers proved useless (dominated_transfers)."""
    lanes = site_lanes(p)
    if not lanes:
        return [], []
    site_ix = {s.id: i for i, s in enumerate(p.sites)}
    controlled = has_controls(p)
    # where a component can come from at all: an offer, stock, goods on the way, a line that
    # builds it, or a lane in
    sources = {(o.component, o.ship_to) for o in p.supply_offers}
    sources |= {(st.item, st.site) for st in p.stock} | {(r.item, r.site) for r in p.scheduled_receipts}
    built = p.built_assemblies  # an assembly built on a line comes from that line's site
    sources |= {(rt.design, p.line_by_id[rt.line].site) for rt in p.routings if rt.design in built}
    relays = {site_ix[ln.to] for _, ln in lanes}
    tc: set[tuple[int, int]] = set()
    tp: set[tuple[int, int]] = set()
    changed = True
    while changed:
        changed = False
        comps_at: dict[int, list[int]] = defaultdict(list)
        for c, si in cpairs:
            comps_at[si].append(c)
        prods_at: dict[int, list[int]] = defaultdict(list)
        for x, si in ppairs:
            prods_at[si].append(x)
        for k, ln in lanes:
            a, b = site_ix[ln.from_site], site_ix[ln.to]
            allowed = set(ln.items) if ln.items else None
            for c in comps_at.get(b, []):
                cid = components[c]
                if (c, k) in tc or (allowed is not None and cid not in allowed):
                    continue
                if a not in relays and (cid, ln.from_site) not in sources:
                    continue  # the sender has no way of getting it
                if skip is not None and skip(c, k):
                    continue
                if controlled and component_blocker(p, cid, ln.to) is not None:
                    continue
                tc.add((c, k))
                if (c, a) not in cpairs:
                    cpairs.add((c, a))
                    changed = True
            for x in prods_at.get(a, []):
                if (x, k) in tp or (allowed is not None and products[x] not in allowed):
                    continue
                if controlled and delivery_blocker(p, products[x], ln.to) is not None:
                    continue
                tp.add((x, k))
                if (x, b) not in ppairs:
                    ppairs.add((x, b))
                    changed = True
    return sorted(tc), sorted(tp)


def _columns(
    b: LpBuilder,
    name: str,
    key: str,
    pairs: list[tuple[int, int]],
    p: Programme,
    grid: TimeGrid,
    names: list[str],
    periods: tuple[str, ...],
    shipment: bool,
) -> Family:
    it, kt, tt, at = [], [], [], []
    for item, k in pairs:
        arrives = grid.arrivals(p.lanes[k].lead_time, shipment=shipment)
        departs = np.flatnonzero(arrives >= 0)
        it.append(np.full(departs.size, item))
        kt.append(np.full(departs.size, k))
        tt.append(departs)
        at.append(arrives[departs])

    def cat(parts: list[np.ndarray]) -> np.ndarray:
        return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, dtype=np.int64)

    items, lanes, depart, arrive = cat(it), cat(kt), cat(tt), cat(at)
    cost = np.array([ln.cost_per_unit for ln in p.lanes])[lanes] if lanes.size else 0.0
    if lanes.size:  # in the programme currency at the departure bucket's rate (money.py)
        cost = cost * BucketRates(p, grid).of_columns([ln.currency for ln in p.lanes], lanes, depart)
    return b.add_columns(
        name,
        {key: items, "lane": lanes, "period": depart, "arrival": arrive},
        cost,
        label=lambda i: f"{name}[{names[items[i]]}@{p.lanes[lanes[i]].id}@{periods[depart[i]]}]",
    )


def add_transfers(
    b: LpBuilder,
    p: Programme,
    grid: TimeGrid,
    periods: tuple[str, ...],
    T: int,
    balances: tuple[Family, Family],
    pair_index: tuple[dict[tuple[int, int], int], dict[tuple[int, int], int]],
    transfers: tuple[list[tuple[int, int]], list[tuple[int, int]]],
    names: tuple[list[str], list[str]],
) -> tuple[Family, Family]:
    """Columns `transfer_c` (components) and `transfer_p` (finished units): +1 in the
    sender's balance in the departure bucket, -1 in the receiver's in the arrival bucket."""
    site_ix = {s.id: i for i, s in enumerate(p.sites)}
    out = []
    for kind, key, shipment in ((0, "component", False), (1, "product", True)):
        fam = _columns(b, f"transfer_{key[0]}", key, transfers[kind], p, grid, names[kind], periods, shipment)
        out.append(fam)
        if fam.size == 0:
            continue
        k = fam.keys
        src = np.array([site_ix[ln.from_site] for ln in p.lanes])[k["lane"]]
        dst = np.array([site_ix.get(ln.to, -1) for ln in p.lanes])[k["lane"]]
        index = pair_index[kind]
        send = np.array([index[(int(i), int(s))] for i, s in zip(k[key], src, strict=True)])
        recv = np.array([index[(int(i), int(s))] for i, s in zip(k[key], dst, strict=True)])
        cols = fam.start + np.arange(fam.size)
        row0 = balances[kind].start
        b.add_entries(row0 + send * T + k["period"], cols, 1.0)
        b.add_entries(row0 + recv * T + k["arrival"], cols, -1.0)
    return out[0], out[1]


def add_lane_capacity(
    b: LpBuilder, p: Programme, grid: TimeGrid, periods: tuple[str, ...], fams: list[Family]
) -> Family:
    """Row `lane_capacity` per capped lane and bucket: everything leaving on the lane in the
    bucket (shipments to destinations and transfers alike) <= capacity x periods in it."""
    T = grid.buckets
    capped = np.array(
        [k for k, ln in enumerate(p.lanes) if ln.capacity_per_period is not None], dtype=np.int64
    )
    pos = np.full(len(p.lanes), -1)
    pos[capped] = np.arange(capped.size)
    cap = np.array([float(p.lanes[k].capacity_per_period or 0) for k in capped])
    upper = (np.outer(cap, grid.length)).ravel() if capped.size else np.zeros(0)
    rows = b.add_rows(
        "lane_capacity",
        {"lane": np.repeat(capped, T), "period": np.tile(np.arange(T), capped.size)},
        -INF,
        upper,
        label=lambda i: f"lane_capacity[{p.lanes[capped[i // T]].id}@{periods[i % T]}]",
    )
    for fam in fams:
        if fam.size == 0 or capped.size == 0:
            continue
        on = np.flatnonzero(pos[fam.keys["lane"]] >= 0)
        b.add_entries(
            rows.start + pos[fam.keys["lane"][on]] * T + fam.keys["period"][on], fam.start + on, 1.0
        )
    return rows
