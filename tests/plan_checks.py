"""An independent check that a plan's tables respect every limit of its programme and that
every figure it reports adds up.

Written from the programme's rules, not from the LP, so a wrong LP row is caught here:
limits (hours, ramp-up, licences and their windows, supplier capacity, material through the
BOM revision in force, lead times, lanes, offer availability), and money (each cost part
recomputed from the tables; objective = costs + service term). A plan at the default
resolution lists buckets by their first period; a bucket's limits are summed over its
periods, as docs/formulation.md says.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np

from coprod.domain import BomLine, ExportControl, Licence, Programme
from coprod.domain.bom import BomSegment, bom_segments, explode
from coprod.domain.capacity import learning_factors, line_hours, offer_capacities, rate_caps
from coprod.domain.money import Rates
from coprod.planning import Plan

TOL = 1e-6


@dataclass(frozen=True, slots=True)
class Buckets:
    """The plan's periods as calendar index ranges."""

    index: dict[str, int]  # label -> bucket
    start: list[int]
    length: list[int]

    @classmethod
    def of(cls, p: Programme, plan: Plan) -> Buckets:
        starts = [p.calendar.labels.index(label) for label in plan.periods]
        ends = [*starts[1:], p.calendar.periods]
        return cls(
            {x: i for i, x in enumerate(plan.periods)},
            starts,
            [b - a for a, b in zip(starts, ends, strict=True)],
        )

    def span(self, label: str) -> range:
        b = self.index[label]
        return range(self.start[b], self.start[b] + self.length[b])

    def first(self, label: str) -> int:
        return self.start[self.index[label]]

    def last(self, label: str) -> int:
        return self.start[self.index[label]] + self.length[self.index[label]] - 1


def _licence_for(p: Programme, partner: str, design: str, periods: range) -> Licence | None:
    """The licence of `partner` for `design` in force in any period of `periods`."""
    cal = p.calendar
    for x in p.licences:
        if x.licensee != partner or x.design != design:
            continue
        first = cal.index_of(x.valid_from)
        last = cal.periods - 1 if x.valid_to is None else cal.index_of(x.valid_to)
        if first <= periods[-1] and last >= periods[0]:
            return x
    return None


def _bom_in_force(p: Programme, item: str, t: int) -> BomSegment:
    found = [seg for seg in bom_segments(p, item) if seg.first <= t <= seg.last]
    assert found, f"{item} built in period {t} before any revision of its BOM is in force"
    return found[0]


def check_plan(p: Programme, plan: Plan) -> None:
    """Every limit and every figure; raises AssertionError naming what does not hold."""
    b = Buckets.of(p, plan)
    made = _check_production(p, plan, b)
    _check_transfers(p, plan, b)
    _check_finished_goods(p, plan, b, made)
    _check_material(p, plan, b, made)
    _check_deliveries(p, plan, b)
    _check_export_control(p, plan, b)
    check_figures(p, plan)


def _receives(control: ExportControl | None, place: tuple[str, str], owner: str | None = None) -> bool:
    """May the (partner, country) of a place receive an item under `control`?"""
    if control is None:
        return True
    partner, country = place
    return partner == owner or partner in control.partners or country in control.countries


def _contained(p: Programme, lines: tuple[BomLine, ...] | list[BomLine]) -> set[str]:
    out: set[str] = set()
    for line in lines:
        out.add(line.item)
        comp = p.component_by_id.get(line.item)
        if comp is not None:
            out |= _contained(p, comp.bom)
    return out


def _check_export_control(p: Programme, plan: Plan, b: Buckets) -> None:
    """No controlled item reaches a place whose partner (or country) it does not allow: no
    order of a controlled component to such a site, no build there with a controlled design,
    revision or component (assemblies included), no shipment of a controlled product to such
    a destination."""
    places = {s.id: (s.partner, s.country) for s in p.sites}
    places |= {d.id: (d.partner, d.country) for d in p.destinations}
    for row in plan.purchases:
        comp = p.component_by_id[row["component"]]
        assert _receives(comp.export_control, places[row["site"]]), f"export control broken: {row}"
    for row in plan.production:
        design = p.design_of(row["item"])
        seg = _bom_in_force(p, row["item"], b.first(row["period"]))
        rev = next(r for r in design.revisions if r.revision == seg.revision)
        place = places[row["site"]]
        assert _receives(design.export_control, place, design.owner), f"export control broken: {row}"
        assert _receives(rev.export_control, place, design.owner), f"export control broken: {row}"
        lines = list(rev.bom)
        if row["item"] != design.id:
            variant = next(v for v in design.variants if v.id == row["item"])
            swap = {x.from_: x.to for x in variant.replace}
            lines = [x.model_copy(update={"item": swap.get(x.item, x.item)}) for x in lines]
            lines += list(variant.add)
        for item in _contained(p, lines):
            control = p.component_by_id[item].export_control
            assert _receives(control, place), f"export control broken: {item} in {row}"
    for row in plan.transfers:
        comp = p.component_by_id.get(row["item"])
        if comp is not None:
            assert _receives(comp.export_control, places[row["to_site"]]), f"export control broken: {row}"
    for row in [*plan.shipments, *({**t, "to": t["to_site"]} for t in plan.transfers)]:
        if row["to"] not in places or row["item"] in p.component_by_id:
            continue
        design = p.design_of(row["item"])
        place = places[row["to"]]
        for control in [
            design.export_control,
            *(r.export_control for r in design.revisions if r.effective_from <= p.calendar.end),
        ]:
            assert _receives(control, place, design.owner), f"export control broken: {row}"


def _bucket_learning(line: Any, cal: Any, span: list[int]) -> float:
    """A bucket's learning factor as the LP has it (analyse.py): its hours make as many units
    as its periods would, sum(h) / sum(h / learn); the plain mean when it has no hours."""
    learn = np.asarray(learning_factors(line, cal))[span]
    h = np.asarray(line_hours(line, cal), dtype=float)[span]
    return float(h.sum() / (h / learn).sum()) if h.sum() > 0 else float(learn.mean())


def _check_production(p: Programme, plan: Plan, b: Buckets) -> dict[tuple[str, str, int], int]:
    cal = p.calendar
    routing = {(r.design, r.line): r for r in p.routings}
    hours: dict[tuple[str, str], float] = defaultdict(float)
    units: dict[tuple[str, str], int] = defaultdict(int)
    made: dict[tuple[str, str, int], int] = defaultdict(int)
    by_licence: dict[tuple[str, str], int] = defaultdict(int)
    for row in plan.production:
        assert isinstance(row["quantity"], int) and row["quantity"] > 0
        label, line = row["period"], p.line_by_id[row["line"]]
        assert row["site"] == line.site, row
        design = p.design_of(row["item"])
        assert (design.id, line.id) in routing, f"{row}: no routing of {design.id} on {line.id}"
        _bom_in_force(p, row["item"], b.first(label))
        learn = _bucket_learning(line, cal, list(b.span(label)))
        hours[(line.id, label)] += row["quantity"] * routing[(design.id, line.id)].hours_per_unit * learn
        units[(line.id, label)] += row["quantity"]
        made[(row["item"], line.site, b.first(label))] += row["quantity"]
        partner = p.site_by_id[line.site].partner
        if design.owner != partner:
            lic = _licence_for(p, partner, design.id, b.span(label))
            assert lic is not None, f"{row}: built outside any licence window"
            by_licence[(lic.id, label)] += row["quantity"]
    for row in plan.assembly_builds:  # assemblies share the line's hours and rate
        assert isinstance(row["quantity"], int) and row["quantity"] > 0
        line = p.line_by_id[row["line"]]
        assert row["site"] == line.site, row
        rt = routing.get((row["item"], line.id))
        assert rt is not None, f"{row}: no routing of {row['item']} on {line.id}"
        assert row["item"] in p.built_assemblies, row
        assert b.first(row["available"]) >= b.last(row["period"]) + rt.lead_time, row
        hours[(line.id, row["period"])] += row["quantity"] * rt.hours_per_unit
        units[(line.id, row["period"])] += row["quantity"]
    for (line_id, label), used in hours.items():
        line = p.line_by_id[line_id]
        span = list(b.span(label))
        assert used <= sum(line_hours(line, cal)[t] for t in span) + TOL, (line_id, label, used)
        caps = rate_caps(line, cal)
        if caps is not None:
            assert units[(line_id, label)] <= sum(caps[t] for t in span) + TOL, (line_id, label)
    licences = {x.id: x for x in p.licences}
    for (lic_id, label), n in by_licence.items():
        lic = licences[lic_id]
        if lic.cap_per_period is not None:
            first = cal.index_of(lic.valid_from)
            last = cal.periods - 1 if lic.valid_to is None else cal.index_of(lic.valid_to)
            inside = sum(1 for t in b.span(label) if first <= t <= last)
            assert n <= lic.cap_per_period * inside, (lic_id, label, n)
    return made


def _check_transfers(p: Programme, plan: Plan, b: Buckets) -> None:
    """Transfers run on lanes between the sites they name, in whole units, take at least the
    lane's lead time (components leave at the end of their period, as orders do) and, with
    the shipments on the same lane, stay within its capacity in each period."""
    lanes = {x.id: x for x in p.lanes}
    on_lane: dict[tuple[str, str], int] = defaultdict(int)
    for t in plan.transfers:
        lane = lanes.get(t["lane"])
        assert lane is not None and (lane.from_site, lane.to) == (t["from_site"], t["to_site"]), t
        assert t["to_site"] in p.site_by_id and t["to_site"] != t["from_site"], t
        assert not lane.items or t["item"] in lane.items, t
        assert isinstance(t["quantity"], int) and t["quantity"] > 0, t
        if t["item"] in p.component_by_id:
            assert b.first(t["arrive_period"]) >= b.last(t["ship_period"]) + lane.lead_time, t
        else:
            assert b.first(t["arrive_period"]) >= b.first(t["ship_period"]) + lane.lead_time, t
        rate = Rates(p).rate_on(lane.currency or p.settings.currency, dt.date.fromisoformat(t["ship_period"]))
        assert abs(t["cost"] - t["quantity"] * lane.cost_per_unit * rate) <= 0.005 + TOL, t
        on_lane[(lane.id, t["ship_period"])] += t["quantity"]
    for s in plan.shipments:
        on_lane[(s["lane"], s["depart_period"])] += s["quantity"]
    for (lane_id, label), n in on_lane.items():
        cap = lanes[lane_id].capacity_per_period
        if cap is not None:
            assert n <= cap * b.length[b.index[label]], (lane_id, label, n, cap)


def _check_finished_goods(
    p: Programme, plan: Plan, b: Buckets, made: dict[tuple[str, str, int], int]
) -> None:
    """Cumulative production + stock covers cumulative shipments at each site; lanes exist,
    join the sites they name and take at least their lead time."""
    lanes = {x.id: x for x in p.lanes}
    stock0 = {(s.item, s.site): s.quantity for s in p.stock}
    shipped: dict[tuple[str, str, int], int] = defaultdict(int)
    came: dict[tuple[str, str, int], int] = defaultdict(int)  # by transfer
    for s in plan.shipments:
        lane = lanes.get(s["lane"])
        assert lane is not None and (lane.from_site, lane.to) == (s["from_site"], s["to"]), s
        # a shipment leaves in its bucket's middle (its own period when single: grid.py) and
        # arrives in the bucket holding that day plus the lead time, or later
        first, last = b.first(s["depart_period"]), b.last(s["depart_period"])
        assert b.last(s["arrive_period"]) >= first + (last - first + 1) // 2 + lane.lead_time, s
        shipped[(s["item"], s["from_site"], b.first(s["depart_period"]))] += s["quantity"]
    for t in plan.transfers:  # finished units moved between sites: out on leaving, in on arrival
        if t["item"] not in p.component_by_id:
            shipped[(t["item"], t["from_site"], b.first(t["ship_period"]))] += t["quantity"]
            came[(t["item"], t["to_site"], b.first(t["arrive_period"]))] += t["quantity"]
    for item, site in {(k[0], k[1]) for k in list(made) + list(shipped)}:
        have = stock0.get((item, site), 0)
        for t in range(p.calendar.periods):
            have += made[(item, site, t)] + came[(item, site, t)] - shipped[(item, site, t)]
            assert have >= 0, (item, site, t)


def _check_material(p: Programme, plan: Plan, b: Buckets, made: dict[tuple[str, str, int], int]) -> None:
    """Stock + arrivals cover consumption through the BOM revision in force; orders meet the
    minimum, fit the offer's capacity, arrive after the lead time and not before the offer
    is available."""
    cal = p.calendar
    use: dict[tuple[str, str, int], float] = defaultdict(float)
    for (item, site, t), n in made.items():
        for comp, q in _bom_in_force(p, item, t).usage.items():
            use[(comp, site, t)] += q * n
    arrive: dict[tuple[str, str, int], float] = defaultdict(float)
    for row in plan.assembly_builds:  # parts leave at the start, the assembly joins on arrival
        for comp, q in explode(p, p.component_by_id[row["item"]].bom).items():
            use[(comp, row["site"], b.first(row["period"]))] += q * row["quantity"]
        arrive[(row["item"], row["site"], b.first(row["available"]))] += row["quantity"]
    offers = {o.id: o for o in p.supply_offers}
    per_order: dict[tuple[str, str], int] = defaultdict(int)
    for row in plan.purchases:
        o = offers[row["offer"]]
        assert (row["component"], row["site"], row["supplier"]) == (o.component, o.ship_to, o.supplier)
        assert isinstance(row["quantity"], int) and row["quantity"] >= max(1, o.min_order)
        arrival = b.first(row["arrival_period"])
        assert arrival >= b.last(row["order_period"]) + o.lead_time, row
        if o.available_from is not None:
            assert arrival >= cal.index_of(o.available_from), row
        per_order[(o.id, row["order_period"])] += row["quantity"]
        arrive[(o.component, o.ship_to, arrival)] += row["quantity"]
    for (oid, label), n in per_order.items():
        first, caps = b.first(label), offer_capacities(offers[oid], cal)
        assert n <= sum(caps[first : first + int(b.length[b.index[label]])]) + TOL, (oid, label, n)
    for t in plan.transfers:  # components moved between sites: out on leaving, in on arrival
        if t["item"] in p.component_by_id:
            use[(t["item"], t["from_site"], b.first(t["ship_period"]))] += t["quantity"]
            arrive[(t["item"], t["to_site"], b.first(t["arrive_period"]))] += t["quantity"]
    stock0 = {(s.item, s.site): s.quantity for s in p.stock}
    for comp, site in {(k[0], k[1]) for k in use}:
        have = float(stock0.get((comp, site), 0))
        for t in range(cal.periods):
            have += arrive[(comp, site, t)] - use[(comp, site, t)]
            assert have >= -TOL, (comp, site, t, have)


def _check_deliveries(p: Programme, plan: Plan, b: Buckets) -> None:
    """Deliveries in whole units, never more than required, arriving by lanes."""
    cal = p.calendar
    arrivals: dict[tuple[str, str, int], int] = defaultdict(int)
    for s in plan.shipments:
        arrivals[(s["item"], s["to"], b.first(s["arrive_period"]))] += s["quantity"]
    delivered: dict[tuple[str, str, int], int] = defaultdict(int)
    reqs = {r.id: r for r in p.requirements}
    for d in plan.deliveries:
        rq = reqs[d["requirement"]]
        assert b.last(d["period"]) >= cal.index_of(rq.due)
        assert d["periods_late"] == max(0, b.first(d["period"]) - cal.index_of(rq.due)), d
        delivered[(rq.item, rq.destination, b.first(d["period"]))] += d["quantity"]
    assert dict(delivered) == {k: v for k, v in arrivals.items() if v}
    for row in plan.requirements:
        assert row["delivered"] + row["unmet"] == row["quantity"]


def recompute_costs(p: Programme, plan: Plan) -> dict[str, float]:
    """Each cost part from the plan's tables and the programme's prices alone; a price in
    another currency at the rate in force on the first day of the row's period."""
    b = Buckets.of(p, plan)
    rates = Rates(p)

    def eur(amount: float, currency: str | None, period: str) -> float:
        return amount * rates.rate_on(currency or p.settings.currency, dt.date.fromisoformat(period))

    routing = {(r.design, r.line): r for r in p.routings}
    costs = dict.fromkeys(("production", "royalties", "purchases", "transport", "holding"), 0.0)
    for row in plan.production:
        design = p.design_of(row["item"])
        rt = routing[(design.id, row["line"])]
        costs["production"] += row["quantity"] * eur(rt.cost_per_unit, rt.currency, row["period"])
        partner = p.site_by_id[row["site"]].partner
        if design.owner != partner:
            lic = _licence_for(p, partner, design.id, b.span(row["period"]))
            assert lic is not None
            costs["royalties"] += row["quantity"] * eur(lic.royalty_per_unit, lic.currency, row["period"])
    for row in plan.assembly_builds:
        rt = routing[(row["item"], row["line"])]
        cost = row["quantity"] * eur(rt.cost_per_unit, rt.currency, row["period"])
        assert abs(row["cost"] - cost) <= 0.005 + TOL, row
        costs["production"] += cost
    offers = {o.id: o for o in p.supply_offers}
    for row in plan.purchases:
        off = offers[row["offer"]]
        price = eur(off.unit_price, off.currency, row["order_period"])
        assert abs(row["cost"] - row["quantity"] * price) <= 0.005 + TOL, row
        assert abs(row["cost_in_currency"] - row["quantity"] * off.unit_price) <= 0.005 + TOL, row
        assert row["currency"] == (off.currency or p.settings.currency), row
        costs["purchases"] += row["quantity"] * price
    lanes = {x.id: x for x in p.lanes}
    for s in [*plan.shipments, *plan.transfers]:
        lane = lanes[s["lane"]]
        departed = s.get("depart_period") or s["ship_period"]  # a shipment's, a transfer's
        costs["transport"] += s["quantity"] * eur(lane.cost_per_unit, lane.currency, departed)
    for row in plan.stock:
        item = p.component_by_id.get(row["item"]) or p.design_of(row["item"])
        costs["holding"] += row["quantity"] * item.holding_cost * b.length[b.index[row["period"]]]
    costs["total"] = sum(costs.values())
    return costs


def recompute_service(p: Programme, plan: Plan) -> float:
    """W x priority weight x unit-periods late; an unmet unit as if delivered after the horizon."""
    cal = p.calendar
    reqs = {r.id: r for r in p.requirements}
    late = sum(
        d["quantity"] * d["periods_late"] * p.weight_of(reqs[d["requirement"]].priority)
        for d in plan.deliveries
    )
    unmet = sum(
        row["unmet"] * p.weight_of(row["priority"]) * (cal.periods - cal.index_of(reqs[row["id"]].due) + 1)
        for row in plan.requirements
    )
    return plan.unit_weight * (late + unmet)


def check_figures(p: Programme, plan: Plan) -> None:
    """objective = sum of the cost parts + service term, each part recomputed from the tables."""
    costs = recompute_costs(p, plan)
    scale = max(1.0, abs(plan.objective))
    for name, value in costs.items():
        assert abs(plan.costs[name] - value) <= 1e-6 * scale + 0.01, (name, plan.costs[name], value)
    service = recompute_service(p, plan)
    assert abs(plan.service_term - service) <= 1e-6 * scale, (plan.service_term, service)
    assert abs(plan.objective - (plan.costs["total"] + plan.service_term)) <= 1e-6 * scale, (
        plan.objective,
        plan.costs["total"],
        plan.service_term,
    )
    weighted = sum(r["weighted_late_periods"] for r in plan.requirements)
    assert abs(plan.kpis["weighted_late_periods"] - weighted) <= TOL * max(1.0, weighted)


def check_quote(p: Programme, base: Plan, quote: dict[str, Any]) -> None:
    """A promise quote (planning/promise.py): the plan behind it respects every limit of the
    programme with the new requirement; no existing requirement has fewer on-time units than
    in `base`; the schedule adds up. (Its figures price the new requirement at the lead
    weight, so check_figures does not apply.)"""
    from coprod.domain.entities import Requirement

    plan: Plan = quote["_plan"]
    rq = Requirement(**quote["requirement"])
    with_new = p.model_copy(update={"requirements": (*p.requirements, rq)})
    b = Buckets.of(with_new, plan)
    made = _check_production(with_new, plan, b)
    _check_transfers(with_new, plan, b)
    _check_finished_goods(with_new, plan, b, made)
    _check_material(with_new, plan, b, made)
    _check_deliveries(with_new, plan, b)
    before = {r["id"]: r["on_time"] for r in base.requirements}
    for row in plan.requirements:
        if row["id"] in before:
            assert row["on_time"] >= before[row["id"]], (row["id"], row["on_time"], before[row["id"]])
    q = quote["quote"]
    sched = q["schedule"]
    assert sum(d["quantity"] for d in sched) == q["quantity"] - q["unmet"]
    assert q["on_time"] == sum(d["quantity"] for d in sched if d["periods_late"] == 0)
    assert quote["kept"]["dropped"] == [] and quote["kept"]["shortfalls"] == []
