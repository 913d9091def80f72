"""An independent check that a plan's tables respect every limit of its programme.

Written from the programme's rules, not from the LP, so a wrong LP row is caught here.
"""

from __future__ import annotations

from collections import defaultdict

from coprod.domain import Programme
from coprod.domain.bom import bom_segments
from coprod.domain.capacity import learning_factors, line_hours, rate_caps
from coprod.planning import Plan

TOL = 1e-6


def check_plan(p: Programme, plan: Plan) -> None:
    cal = p.calendar
    T = cal.periods
    ix = {label: i for i, label in enumerate(cal.labels)}
    routing = {(r.design, r.line): r for r in p.routings}
    hours: dict[tuple[str, int], float] = defaultdict(float)
    units: dict[tuple[str, int], int] = defaultdict(int)
    made: dict[tuple[str, str, int], int] = defaultdict(int)
    by_licence: dict[tuple[str, int], int] = defaultdict(int)
    for row in plan.production:
        assert isinstance(row["quantity"], int) and row["quantity"] > 0
        t, line = ix[row["period"]], p.line_by_id[row["line"]]
        design = p.design_of(row["item"])
        learn = learning_factors(line, cal)[t]
        hours[(line.id, t)] += row["quantity"] * routing[(design.id, line.id)].hours_per_unit * learn
        units[(line.id, t)] += row["quantity"]
        made[(row["item"], line.site, t)] += row["quantity"]
        partner = p.site_by_id[line.site].partner
        if design.owner != partner:
            lic = [
                x
                for x in p.licences
                if x.licensee == partner
                and x.design == design.id
                and cal.index_of(x.valid_from) <= t
                and (x.valid_to is None or cal.index_of(x.valid_to) >= t)
            ]
            assert lic, f"{row}: built outside any licence window"
            by_licence[(lic[0].id, t)] += row["quantity"]
    for (line_id, t), used in hours.items():
        assert used <= line_hours(p.line_by_id[line_id], cal)[t] + TOL, (line_id, t, used)
        caps = rate_caps(p.line_by_id[line_id], cal)
        if caps is not None:
            assert units[(line_id, t)] <= caps[t] + TOL
    caps_by_id = {x.id: x.cap_per_period for x in p.licences}
    for (lic_id, _), n in by_licence.items():
        cap = caps_by_id[lic_id]
        assert cap is None or n <= cap

    # Finished goods: cumulative production + stock covers cumulative shipments at each site.
    stock0 = {(s.item, s.site): s.quantity for s in p.stock}
    shipped: dict[tuple[str, str, int], int] = defaultdict(int)
    for s in plan.shipments:
        shipped[(s["item"], s["from_site"], ix[s["depart_period"]])] += s["quantity"]
    for item, site in {(k[0], k[1]) for k in list(made) + list(shipped)}:
        have = stock0.get((item, site), 0)
        for t in range(T):
            have += made[(item, site, t)] - shipped[(item, site, t)]
            assert have >= 0, (item, site, t)

    # Components: stock + arrivals cover consumption through the BOM in force.
    use: dict[tuple[str, str, int], float] = defaultdict(float)
    for (item, site, t), n in made.items():
        for seg in bom_segments(p, item):
            if seg.first <= t <= seg.last:
                for comp, q in seg.usage.items():
                    use[(comp, site, t)] += q * n
    arrive: dict[tuple[str, str, int], float] = defaultdict(float)
    offers = {o.id: o for o in p.supply_offers}
    per_order: dict[tuple[str, int], int] = defaultdict(int)
    for b in plan.purchases:
        o = offers[b["offer"]]
        assert isinstance(b["quantity"], int) and b["quantity"] >= max(1, o.min_order)
        per_order[(o.id, ix[b["order_period"]])] += b["quantity"]
        arrive[(o.component, o.ship_to, ix[b["arrival_period"]])] += b["quantity"]
    for (oid, _), n in per_order.items():
        assert n <= offers[oid].capacity_per_period
    for comp, site in {(k[0], k[1]) for k in use}:
        have = float(stock0.get((comp, site), 0))
        for t in range(T):
            have += arrive[(comp, site, t)] - use[(comp, site, t)]
            assert have >= -TOL, (comp, site, t, have)

    # Requirements: deliveries in whole units, never more than required, arriving by lanes.
    arrivals: dict[tuple[str, str, int], int] = defaultdict(int)
    for s in plan.shipments:
        arrivals[(s["item"], s["to"], ix[s["arrive_period"]])] += s["quantity"]
    delivered: dict[tuple[str, str, int], int] = defaultdict(int)
    reqs = {r.id: r for r in p.requirements}
    for d in plan.deliveries:
        rq = reqs[d["requirement"]]
        assert ix[d["period"]] >= cal.index_of(rq.due)
        delivered[(rq.item, rq.destination, ix[d["period"]])] += d["quantity"]
    assert dict(delivered) == {k: v for k, v in arrivals.items() if v}
    for row in plan.requirements:
        assert row["delivered"] + row["unmet"] == row["quantity"]
