"""The baseline: the textbook formulation of coprod's planning LP, written in Pyomo.

What a competent user would write by hand: indexed variables, one constraint per balance,
built from the same programme object with the same domain formulas (capacity, BOM
explosion), solved by the same HiGHS with the same options as coprod's cold solve. No
reductions (coprod's folding of ample supply is not here), no handicaps.
"""

from __future__ import annotations

import time
from collections import defaultdict
from typing import Any

import numpy as np
import pyomo.environ as pyo

from coprod.domain import Programme
from coprod.planning.analyse import analyse
from coprod.planning.model import order_capacity
from coprod.planning.options import SolverOptions
from coprod.planning.weights import lateness_unit_weight


def solve_baseline(p: Programme, options: SolverOptions | None = None) -> dict[str, Any]:
    options = options or SolverOptions()
    started = time.perf_counter()
    s = analyse(p, fold_supply=False)
    T = s.periods
    W = lateness_unit_weight(s)
    comp_ix = {c: i for i, c in enumerate(s.components)}
    site_ix = {x: i for i, x in enumerate(s.sites)}
    prod_ix = {x: i for i, x in enumerate(s.products)}
    m = pyo.ConcreteModel()

    make_idx = [(b, int(t)) for b, build in enumerate(s.builds) for t in build.periods]
    m.make = pyo.Var(make_idx, within=pyo.NonNegativeReals)
    offers = p.supply_offers
    buy_idx = [(o, t) for o in s.offers for t in range(T - offers[o].lead_time)]
    caps = order_capacity(
        p, np.array([o for o, _ in buy_idx], dtype=int), np.array([t for _, t in buy_idx], dtype=int)
    )
    m.buy = pyo.Var(buy_idx, within=pyo.NonNegativeReals)
    cap_of = dict(zip(buy_idx, caps, strict=True))
    for key in buy_idx:
        m.buy[key].setub(float(cap_of[key]))
    cpairs = s.component_pairs
    m.stock_c = pyo.Var([(k, t) for k in range(len(cpairs)) for t in range(T)], within=pyo.NonNegativeReals)
    ppairs = s.product_pairs
    m.stock_p = pyo.Var([(k, t) for k in range(len(ppairs)) for t in range(T)], within=pyo.NonNegativeReals)
    reqs = p.requirements
    demanded = {(prod_ix[r.item], r.destination) for r in reqs}
    products_at = defaultdict(list)
    for prod, site in ppairs:
        products_at[site].append(prod)
    ship_idx = [
        (prod, k, t)
        for k, lane in enumerate(p.lanes)
        for prod in products_at[site_ix[lane.from_site]]
        if (prod, lane.to) in demanded
        for t in range(T - lane.lead_time)
    ]
    m.ship = pyo.Var(ship_idx, within=pyo.NonNegativeReals)
    due = [p.calendar.index_of(r.due) for r in reqs]
    del_idx = [(r, t) for r in range(len(reqs)) for t in range(due[r], T)]
    m.deliver = pyo.Var(del_idx, within=pyo.NonNegativeReals)
    m.unmet = pyo.Var(range(len(reqs)), within=pyo.NonNegativeReals)

    stock0 = {(st.item, st.site): st.quantity for st in p.stock}
    m.balance = pyo.ConstraintList()
    # component balances
    use = defaultdict(list)
    for b, build in enumerate(s.builds):
        for seg in s.bom[build.product]:
            for t in build.periods:
                if seg.first <= t <= seg.last:
                    for comp, qty in seg.usage.items():
                        use[(comp_ix[comp], build.site, int(t))].append((qty, m.make[b, int(t)]))
    arrivals = defaultdict(list)
    for o, t in buy_idx:
        off = offers[o]
        arrivals[(comp_ix[off.component], site_ix[off.ship_to], t + off.lead_time)].append(m.buy[o, t])
    for k, (c, si) in enumerate(cpairs):
        for t in range(T):
            prev = m.stock_c[k, t - 1] if t else stock0.get((s.components[c], s.sites[si]), 0)
            m.balance.add(
                m.stock_c[k, t] == prev + sum(arrivals[(c, si, t)]) - sum(q * v for q, v in use[(c, si, t)])
            )
    made = defaultdict(list)
    for b, build in enumerate(s.builds):
        for t in build.periods:
            made[(build.product, build.site, int(t))].append(m.make[b, int(t)])
    shipped = defaultdict(list)
    arriving = defaultdict(list)
    for prod, k, t in ship_idx:
        lane = p.lanes[k]
        shipped[(prod, site_ix[lane.from_site], t)].append(m.ship[prod, k, t])
        arriving[(prod, lane.to, t + lane.lead_time)].append(m.ship[prod, k, t])
    for k, (prod, si) in enumerate(ppairs):
        for t in range(T):
            prev = m.stock_p[k, t - 1] if t else stock0.get((s.products[prod], s.sites[si]), 0)
            m.balance.add(m.stock_p[k, t] == prev + sum(made[(prod, si, t)]) - sum(shipped[(prod, si, t)]))
    delivered = defaultdict(list)
    for r, t in del_idx:
        delivered[(prod_ix[reqs[r].item], reqs[r].destination, t)].append(m.deliver[r, t])
    for prod, dest in sorted(demanded):
        for t in range(T):
            if arriving[(prod, dest, t)] or delivered[(prod, dest, t)]:
                m.balance.add(sum(arriving[(prod, dest, t)]) == sum(delivered[(prod, dest, t)]))
    for r, rq in enumerate(reqs):
        m.balance.add(sum(m.deliver[r, t] for t in range(due[r], T)) + m.unmet[r] == rq.quantity)
    m.capacity = pyo.ConstraintList()
    on_line = defaultdict(list)
    for b, build in enumerate(s.builds):
        for i, t in enumerate(build.periods):
            on_line[(build.line, int(t))].append(
                (float(build.hours_per_unit[i]), m.make[b, int(t)], int(build.licence[i]))
            )
    for (line, t), entries in on_line.items():
        m.capacity.add(sum(h * v for h, v, _ in entries) <= float(s.hours[line, t]))
        if np.isfinite(s.rates[line, t]):
            m.capacity.add(sum(v for _, v, _ in entries) <= float(s.rates[line, t]))
    by_licence = defaultdict(list)
    for b, build in enumerate(s.builds):
        for i, t in enumerate(build.periods):
            if build.licence[i] >= 0:
                by_licence[(int(build.licence[i]), int(t))].append(m.make[b, int(t)])
    for (k, _t), vars_ in by_licence.items():
        cap = p.licences[k].cap_per_period
        if cap is not None:
            m.capacity.add(sum(vars_) <= cap)

    hold_c = {c.id: c.holding_cost for c in p.components}
    weight = [p.weight_of(r.priority) * W for r in reqs]
    cost = sum(
        float(build.cost_per_unit[i]) * m.make[b, int(t)]
        for b, build in enumerate(s.builds)
        for i, t in enumerate(build.periods)
    )
    cost += sum(offers[o].unit_price * m.buy[o, t] for o, t in buy_idx)
    cost += sum(
        hold_c.get(s.components[c], 0.0) * m.stock_c[k, t]
        for k, (c, _) in enumerate(cpairs)
        for t in range(T)
    )
    cost += sum(
        p.design_by_id[s.product_design[prod]].holding_cost * m.stock_p[k, t]
        for k, (prod, _) in enumerate(ppairs)
        for t in range(T)
    )
    cost += sum(p.lanes[k].cost_per_unit * m.ship[prod, k, t] for prod, k, t in ship_idx)
    cost += sum(weight[r] * (t - due[r]) * m.deliver[r, t] for r, t in del_idx)
    cost += sum(weight[r] * (T - due[r] + 1) * m.unmet[r] for r in range(len(reqs)))
    m.objective = pyo.Objective(expr=cost, sense=pyo.minimize)
    build_s = time.perf_counter() - started

    solver = pyo.SolverFactory("appsi_highs")
    n_cols = (
        len(make_idx)
        + len(buy_idx)
        + len(cpairs) * T
        + len(ppairs) * T
        + len(ship_idx)
        + len(del_idx)
        + len(reqs)
    )
    solver.highs_options = {
        "solver": options.resolved_method(n_cols),
        "run_crossover": "on" if options.crossover else "off",
    }
    clock = time.perf_counter()
    result = solver.solve(m)
    solve_s = time.perf_counter() - clock
    return {
        "build_s": build_s,
        "solve_s": solve_s,
        "total_s": time.perf_counter() - started,
        "objective": float(pyo.value(m.objective)),
        "status": str(result.solver.termination_condition),
        "columns": n_cols,
    }
