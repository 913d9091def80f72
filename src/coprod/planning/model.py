"""The planning LP, one function per column or row family; the model is their sum.

Notation (docs/formulation.md has the maths): make[p,l,t] production, make_a[a,l,t]
assemblies built on lines (usable the routing's lead time later), buy[o,t] orders,
stock_c[c,s,t] / stock_p[p,s,t] end-of-period stock, ship[p,k,t] departures on lane k,
transfer_c[c,k,t] / transfer_p[p,k,t] departures on a lane k between sites (transfers.py),
deliver[r,t] units of requirement r received in period t, unmet[r] never delivered.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from coprod.domain import Programme
from coprod.domain.capacity import offer_capacities
from coprod.domain.export import delivery_blocker, has_controls
from coprod.planning.grid import TimeGrid, exact_grid
from coprod.planning.lp import INF, LinearProgram, LpBuilder
from coprod.planning.money import BucketRates
from coprod.planning.structure import Structure
from coprod.planning.transfers import add_lane_capacity, add_transfers
from coprod.planning.weights import lateness_unit_weight

__all__ = ["PlanningModel", "build_model"]


@dataclass(slots=True)
class PlanningModel:
    structure: Structure
    lp: LinearProgram
    unit_weight: float  # W: cost of one unit-period of lateness at priority weight 1
    dest_pairs: list[tuple[int, str]]  # (product, destination) with demand
    # stock of folded components left by rounding orders up, (offer, period) -> units
    folded_stock: dict[tuple[int, int], float] = field(default_factory=dict)

    @property
    def production(self) -> slice:
        """Every production column: `make` (products), then `make_a` (built assemblies)
        right after it, one contiguous block."""
        make, make_a = self.lp.columns["make"], self.lp.columns["make_a"]
        return slice(make.start, make_a.start + make_a.size)


def _ints(values: list[int] | range) -> np.ndarray:
    return np.asarray(values, dtype=np.int64)


def _buy_prices(p: Programme, grid: TimeGrid, offer: np.ndarray, bucket: np.ndarray) -> np.ndarray:
    """Each order's unit price in the programme currency at its order bucket's rate (money.py)."""
    money = BucketRates(p, grid)
    price = np.array([o.unit_price for o in p.supply_offers])[offer]
    factor = np.ones(offer.size)
    for cur in {o.currency for o in p.supply_offers} - {None, p.settings.currency}:
        of = np.array([o.currency == cur for o in p.supply_offers])[offer]
        factor[of] = money.factor(cur)[bucket[of]]
    out: np.ndarray = price * factor
    return out


def _lane_factors(p: Programme, grid: TimeGrid, lane: np.ndarray, bucket: np.ndarray) -> np.ndarray:
    """A shipment's rate at its departure bucket, per lane currency (money.py)."""
    money = BucketRates(p, grid)
    factor = np.ones(lane.size)
    for cur in {ln.currency for ln in p.lanes} - {None, p.settings.currency}:
        of = np.array([ln.currency == cur for ln in p.lanes])[lane]
        factor[of] = money.factor(cur)[bucket[of]]
    return factor


def build_model(s: Structure) -> PlanningModel:
    p, T = s.programme, s.periods  # T: buckets of the LP (calendar periods unless aggregated)
    grid = s.grid or exact_grid(p.calendar.periods)
    b = LpBuilder()
    W = lateness_unit_weight(s)
    periods = grid.labels(p.calendar.labels)
    comp_ix = {c: i for i, c in enumerate(s.components)}
    prod_ix = {x: i for i, x in enumerate(s.products)}
    site_ix = {x: i for i, x in enumerate(s.sites)}

    # ---- columns -------------------------------------------------------------------------
    if s.builds:
        make_p = np.concatenate([np.full(x.periods.size, x.product) for x in s.builds])
        make_l = np.concatenate([np.full(x.periods.size, x.line) for x in s.builds])
        make_b = np.concatenate([np.full(x.periods.size, i) for i, x in enumerate(s.builds)])
        make_t = np.concatenate([x.periods for x in s.builds])
        make_cost = np.concatenate([x.cost_per_unit + x.material_cost for x in s.builds])
        make_hours = np.concatenate([x.hours_per_unit for x in s.builds])
        make_lic = np.concatenate([x.licence for x in s.builds])
    else:
        make_p = make_l = make_b = make_t = make_lic = _ints([])
        make_cost = make_hours = np.zeros(0)
    make = b.add_columns(
        "make",
        {"product": make_p, "line": make_l, "build": make_b, "period": make_t},
        make_cost,
        label=lambda i: f"make[{s.products[make_p[i]]}@{s.lines[make_l[i]]}@{periods[make_t[i]]}]",
    )

    # Assemblies built on lines: started in `period`, usable at the site from `arrival`. The
    # family follows `make` directly, so the two form one contiguous block of production
    # columns (repair.py rounds and caps them together).
    asm = s.assemblies
    if asm:
        ma_c = np.concatenate([np.full(a.periods.size, a.component) for a in asm])
        ma_l = np.concatenate([np.full(a.periods.size, a.line) for a in asm])
        ma_b = np.concatenate([np.full(a.periods.size, i) for i, a in enumerate(asm)])
        ma_t = np.concatenate([a.periods for a in asm])
        ma_arr = np.concatenate([a.arrival for a in asm])
        ma_cost = np.concatenate([a.cost_per_unit for a in asm])
        ma_hours = np.concatenate([a.hours_per_unit for a in asm])
    else:
        ma_c = ma_l = ma_b = ma_t = ma_arr = _ints([])
        ma_cost = ma_hours = np.zeros(0)
    make_a = b.add_columns(
        "make_a",
        {"component": ma_c, "line": ma_l, "build": ma_b, "period": ma_t, "arrival": ma_arr},
        ma_cost,
        label=lambda i: f"make[{s.components[ma_c[i]]}@{s.lines[ma_l[i]]}@{periods[ma_t[i]]}]",
    )
    assert make_a.start == make.start + make.size

    offers = p.supply_offers
    every = np.arange(T)
    arrives = {o: grid.arrival(every, offers[o].lead_time) for o in s.offers}
    valid = {o: np.flatnonzero(arrives[o] >= 0) for o in s.offers}
    buy_o = np.concatenate([np.full(valid[o].size, o) for o in s.offers]) if s.offers else _ints([])
    buy_t = np.concatenate([valid[o] for o in s.offers]) if s.offers else _ints([])
    buy_arrival = np.concatenate([arrives[o][valid[o]] for o in s.offers]) if s.offers else _ints([])
    buy = b.add_columns(
        "buy",
        {"offer": buy_o, "period": buy_t, "arrival": buy_arrival},
        _buy_prices(p, grid, buy_o, buy_t) if offers else 0.0,
        order_capacity(p, buy_o, buy_t, grid) if offers else INF,
        label=lambda i: f"buy[{offers[buy_o[i]].id}@{periods[buy_t[i]]}]",
    )

    nc = len(s.component_pairs)
    cp = np.array(s.component_pairs, dtype=np.int64).reshape(nc, 2)
    hold_c = np.array(
        [p.component_by_id[c].holding_cost if c in p.component_by_id else 0.0 for c in s.components]
    )
    stock_c = b.add_columns(
        "stock_c",
        {
            "component": np.repeat(cp[:, 0], T),
            "site": np.repeat(cp[:, 1], T),
            "period": np.tile(np.arange(T), nc),
        },
        np.outer(hold_c[cp[:, 0]], grid.length).ravel() if nc else np.zeros(0),  # per period held
        label=lambda i: f"stock[{s.components[cp[i // T, 0]]}@{s.sites[cp[i // T, 1]]}@{periods[i % T]}]",
    )

    npp = len(s.product_pairs)
    pp = np.array(s.product_pairs, dtype=np.int64).reshape(npp, 2)
    hold_p = np.array([p.design_by_id[d].holding_cost for d in s.product_design])
    stock_p = b.add_columns(
        "stock_p",
        {
            "product": np.repeat(pp[:, 0], T),
            "site": np.repeat(pp[:, 1], T),
            "period": np.tile(np.arange(T), npp),
        },
        np.outer(hold_p[pp[:, 0]], grid.length).ravel() if npp else np.zeros(0),
        label=lambda i: f"stock[{s.products[pp[i // T, 0]]}@{s.sites[pp[i // T, 1]]}@{periods[i % T]}]",
    )

    reqs = p.requirements
    dest_pairs = sorted({(prod_ix[r.item], r.destination) for r in reqs})
    dest_ix = {pair: i for i, pair in enumerate(dest_pairs)}
    pairs_at_site: dict[int, list[int]] = {}
    for prod, site in s.product_pairs:
        pairs_at_site.setdefault(site, []).append(prod)
    ship_p, ship_k, ship_t, ship_a = [], [], [], []
    controlled = has_controls(p)
    for k, lane in enumerate(p.lanes):
        lane_arrives = grid.arrivals(lane.lead_time, shipment=True)
        departs = np.flatnonzero(lane_arrives >= 0)
        for prod in pairs_at_site.get(site_ix[lane.from_site], []):
            if (prod, lane.to) in dest_ix:
                if controlled and delivery_blocker(p, s.products[prod], lane.to) is not None:
                    continue  # export control: the destination may not receive the product
                ship_p.append(np.full(departs.size, prod))
                ship_k.append(np.full(departs.size, k))
                ship_t.append(departs)
                ship_a.append(lane_arrives[departs])
    sp_ = np.concatenate(ship_p) if ship_p else _ints([])
    sk = np.concatenate(ship_k) if ship_k else _ints([])
    st = np.concatenate(ship_t) if ship_t else _ints([])
    sa = np.concatenate(ship_a) if ship_a else _ints([])
    lane_cost = np.array([ln.cost_per_unit for ln in p.lanes])
    ship = b.add_columns(
        "ship",
        {"product": sp_, "lane": sk, "period": st, "arrival": sa},
        lane_cost[sk] * _lane_factors(p, grid, sk, st) if sk.size else 0.0,
        label=lambda i: f"ship[{s.products[sp_[i]]}@{p.lanes[sk[i]].id}@{periods[st[i]]}]",
    )

    due_period = _ints([p.calendar.index_of(r.due) for r in reqs])  # in calendar periods
    due = grid.bucket_of[due_period] if reqs else _ints([])  # in buckets
    weight = np.array([p.weight_of(r.priority) for r in reqs]) * W
    del_r = np.concatenate([np.full(T - d, i) for i, d in enumerate(due)]) if reqs else _ints([])
    del_t = np.concatenate([np.arange(d, T) for d in due]) if reqs else _ints([])
    late_periods = np.maximum(0, grid.start[del_t] - due_period[del_r]) if reqs else _ints([])
    deliver = b.add_columns(
        "deliver",
        {"requirement": del_r, "period": del_t},
        weight[del_r] * late_periods if reqs else 0.0,
        service=True,
        label=lambda i: f"deliver[{reqs[del_r[i]].id}@{periods[del_t[i]]}]",
    )
    n_req = len(reqs)
    unmet = b.add_columns(
        "unmet",
        {"requirement": np.arange(n_req)},
        weight * (grid.base_periods - due_period + 1),
        service=True,
        label=lambda i: f"unmet[{reqs[i].id}]",
    )

    # ---- rows ----------------------------------------------------------------------------
    stock0 = {(st_.item, st_.site): st_.quantity for st_ in p.stock}

    # Component balance: stock[t] - stock[t-1] - arrivals[t] + use[t] = initial stock (t = 0).
    rhs_c = np.zeros(nc * T)
    for pair, (c, si) in enumerate(s.component_pairs):
        rhs_c[pair * T] = stock0.get((s.components[c], s.sites[si]), 0)
    comp_row = b.add_rows(
        "component_balance",
        {
            "component": np.repeat(cp[:, 0], T),
            "site": np.repeat(cp[:, 1], T),
            "period": np.tile(np.arange(T), nc),
        },
        rhs_c,
        rhs_c,
        label=lambda i: f"balance[{s.components[cp[i // T, 0]]}@{s.sites[cp[i // T, 1]]}@{periods[i % T]}]",
    )
    cpair_ix = {pair: k for k, pair in enumerate(s.component_pairs)}
    _stock_entries(b, comp_row.start, stock_c.start, nc, T)
    if buy_o.size:
        off_pair = np.zeros(len(offers), dtype=np.int64)
        for o in s.offers:
            off_pair[o] = cpair_ix[(comp_ix[offers[o].component], site_ix[offers[o].ship_to])]
        arrive = buy_arrival
        b.add_entries(comp_row.start + off_pair[buy_o] * T + arrive, buy.start + np.arange(buy.size), -1.0)
    offset = make.start
    for build in s.builds:  # builds own contiguous runs of `make` columns, in order
        cols = offset + np.arange(build.periods.size)
        offset += build.periods.size
        for seg in s.bom[build.product]:
            mask = (build.periods >= seg.first) & (build.periods <= seg.last)
            if not mask.any():
                continue
            for comp, qty in seg.usage.items():
                row = cpair_ix.get((comp_ix[comp], build.site))
                if row is None:  # folded in (reduce.py): no balance to draw from
                    continue
                b.add_entries(comp_row.start + row * T + build.periods[mask], cols[mask], qty)

    offset = make_a.start
    for a in asm:  # the assembly joins its balance on arrival; its parts leave at the start
        cols = offset + np.arange(a.periods.size)
        offset += a.periods.size
        b.add_entries(comp_row.start + cpair_ix[(a.component, a.site)] * T + a.arrival, cols, -1.0)
        for comp, qty in a.usage.items():
            b.add_entries(comp_row.start + cpair_ix[(comp_ix[comp], a.site)] * T + a.periods, cols, qty)

    # Product balance at a site: stock[t] - stock[t-1] - make[t] + ship[t] = initial stock.
    rhs_p = np.zeros(npp * T)
    for pair, (prod, si) in enumerate(s.product_pairs):
        rhs_p[pair * T] = stock0.get((s.products[prod], s.sites[si]), 0)
    prod_row = b.add_rows(
        "product_balance",
        {
            "product": np.repeat(pp[:, 0], T),
            "site": np.repeat(pp[:, 1], T),
            "period": np.tile(np.arange(T), npp),
        },
        rhs_p,
        rhs_p,
        label=lambda i: f"balance[{s.products[pp[i // T, 0]]}@{s.sites[pp[i // T, 1]]}@{periods[i % T]}]",
    )
    ppair_ix = {pair: k for k, pair in enumerate(s.product_pairs)}
    _stock_entries(b, prod_row.start, stock_p.start, npp, T)
    make_site = _ints([s.builds[x].site for x in make_b]) if make_b.size else _ints([])
    if make_p.size:
        pos = _ints([ppair_ix[(int(a), int(c))] for a, c in zip(make_p, make_site, strict=True)])
        b.add_entries(prod_row.start + pos * T + make_t, make.start + np.arange(make.size), -1.0)
    if sp_.size:
        lane_site = _ints([site_ix[ln.from_site] for ln in p.lanes])
        pos = _ints([ppair_ix[(int(a), int(c))] for a, c in zip(sp_, lane_site[sk], strict=True)])
        b.add_entries(prod_row.start + pos * T + st, ship.start + np.arange(ship.size), 1.0)

    # Transfers between sites: out of the sender's balance, into the receiver's on arrival.
    transfer_c, transfer_p = add_transfers(
        b,
        p,
        grid,
        periods,
        T,
        (comp_row, prod_row),
        (cpair_ix, ppair_ix),
        (s.transfers_c, s.transfers_p),
        (s.components, s.products),
    )
    add_lane_capacity(b, p, grid, periods, [ship, transfer_c, transfer_p])

    # Destination balance: arrivals of a product at a destination = deliveries there.
    nd = len(dest_pairs)
    dest_row = b.add_rows(
        "destination_balance",
        {"pair": np.repeat(np.arange(nd), T), "period": np.tile(np.arange(T), nd)},
        0.0,
        0.0,
        label=lambda i: (
            f"arrive[{s.products[dest_pairs[i // T][0]]}@{dest_pairs[i // T][1]}@{periods[i % T]}]"
        ),
    )
    if sp_.size:
        lane_to = [ln.to for ln in p.lanes]
        pos = _ints([dest_ix[(int(a), lane_to[int(c)])] for a, c in zip(sp_, sk, strict=True)])
        b.add_entries(dest_row.start + pos * T + sa, ship.start + np.arange(ship.size), 1.0)
    if del_r.size:
        req_pair = _ints([dest_ix[(prod_ix[r.item], r.destination)] for r in reqs])
        b.add_entries(
            dest_row.start + req_pair[del_r] * T + del_t,
            deliver.start + np.arange(deliver.size),
            -1.0,
        )

    # Requirement: delivered + unmet = quantity.
    req_qty = np.array([r.quantity for r in reqs], dtype=float)
    req_row = b.add_rows(
        "requirement",
        {"requirement": np.arange(n_req)},
        req_qty,
        req_qty,
        label=lambda i: f"requirement[{reqs[i].id}]",
    )
    b.add_entries(req_row.start + del_r, deliver.start + np.arange(deliver.size), 1.0)
    b.add_entries(req_row.start + np.arange(n_req), unmet.start + np.arange(n_req), 1.0)

    # hours and ramp-up rate rows count both products and assemblies (one block of columns)
    _capacity_rows(
        b,
        s,
        make.start,
        np.concatenate([make_l, ma_l]),
        np.concatenate([make_t, ma_t]),
        np.concatenate([make_hours, ma_hours]),
        np.concatenate([make_lic, np.full(ma_l.size, -1, dtype=np.int64)]),
    )
    lp = b.build()
    return PlanningModel(s, lp, W, dest_pairs)


def order_capacity(
    p: Programme, offer: np.ndarray, period: np.ndarray, grid: TimeGrid | None = None
) -> np.ndarray:
    """Upper bound of each order column: the offer's capacity over the bucket, 0 if it would
    arrive before the offer is available. Orders keep their columns either way, so a supplier
    delay is a bound change that a kept solver instance re-solves warm."""
    grid = grid or exact_grid(p.calendar.periods)
    offers = p.supply_offers
    if any(o.commitments for o in offers):  # per-period capacity summed over each bucket
        per_period = np.array([offer_capacities(o, p.calendar) for o in offers], dtype=float)
        per_bucket = np.add.reduceat(per_period, grid.start, axis=1)
        cap = per_bucket[offer, period]
    else:
        cap = np.array([o.capacity_per_period for o in offers], dtype=float)[offer] * grid.length[period]
    first = np.array(
        [max(0, p.calendar.index_of(o.available_from)) if o.available_from else 0 for o in offers]
    )
    lead = np.array([o.lead_time for o in offers])
    return np.where(grid.end[period] + lead[offer] < first[offer], 0.0, cap)


def _stock_entries(b: LpBuilder, row0: int, col0: int, pairs: int, T: int) -> None:
    """+1 for stock at the end of t, -1 for stock at the end of t-1, in each balance row."""
    n = pairs * T
    idx = np.arange(n)
    b.add_entries(row0 + idx, col0 + idx, 1.0)
    carry = idx[(idx % T) != 0]
    b.add_entries(row0 + carry, col0 + carry - 1, -1.0)


def _capacity_rows(
    b: LpBuilder,
    s: Structure,
    col0: int,
    make_l: np.ndarray,
    make_t: np.ndarray,
    make_hours: np.ndarray,
    make_lic: np.ndarray,
) -> None:
    p, T = s.programme, s.periods
    periods = (s.grid or exact_grid(p.calendar.periods)).labels(p.calendar.labels)
    used = np.flatnonzero(np.bincount(make_l, minlength=len(s.lines)))  # the lines built on
    nl = used.size
    line_pos = np.full(len(s.lines), -1)
    line_pos[used] = np.arange(nl)
    hours = b.add_rows(
        "hours",
        {"line": np.repeat(used, T), "period": np.tile(np.arange(T), nl)},
        -INF,
        s.hours[used].ravel() if nl else np.zeros(0),
        label=lambda i: f"hours[{s.lines[used[i // T]]}@{periods[i % T]}]",
    )
    cols = col0 + np.arange(make_l.size)
    b.add_entries(hours.start + line_pos[make_l] * T + make_t, cols, make_hours)

    ramped = used[np.isfinite(s.rates[used]).any(axis=1)] if nl else used
    nr = ramped.size
    rate_pos = np.full(len(s.lines), -1)
    rate_pos[ramped] = np.arange(nr)
    caps = np.where(np.isfinite(s.rates[ramped]), s.rates[ramped], INF).ravel() if nr else np.zeros(0)
    rate = b.add_rows(
        "rate",
        {"line": np.repeat(ramped, T), "period": np.tile(np.arange(T), nr)},
        -INF,
        caps,
        label=lambda i: f"rate[{s.lines[ramped[i // T]]}@{periods[i % T]}]",
    )
    on = rate_pos[make_l] >= 0
    b.add_entries(rate.start + rate_pos[make_l[on]] * T + make_t[on], cols[on], 1.0)

    capped = _ints([k for k, lic in enumerate(p.licences) if lic.cap_per_period is not None])
    nk = capped.size
    lic_pos = np.full(len(p.licences) + 2, -1)  # +2 so indices -1/-2 (no licence) map to -1
    lic_pos[capped] = np.arange(nk)
    # A bucket's cap: the per-period cap times the periods of the bucket inside the window.
    grid = s.grid or exact_grid(p.calendar.periods)
    cap = np.zeros(nk * T)
    for pos_k, k in enumerate(capped):
        lic = p.licences[k]
        inside = np.zeros(grid.base_periods)
        first = max(0, p.calendar.index_of(lic.valid_from))
        last = grid.base_periods - 1
        if lic.valid_to is not None:
            last = min(last, p.calendar.index_of(lic.valid_to))
        inside[first : last + 1] = 1.0
        cap[pos_k * T : (pos_k + 1) * T] = float(lic.cap_per_period or 0) * grid.sum_over(inside)
    licence = b.add_rows(
        "licence",
        {"licence": np.repeat(capped, T), "period": np.tile(np.arange(T), nk)},
        -INF,
        cap,
        label=lambda i: f"licence[{p.licences[capped[i // T]].id}@{periods[i % T]}]",
    )
    pos = np.where(make_lic >= 0, lic_pos[np.maximum(make_lic, 0)], -1)
    on = pos >= 0
    b.add_entries(licence.start + pos[on] * T + make_t[on], cols[on], 1.0)
