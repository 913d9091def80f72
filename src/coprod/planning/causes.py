"""Why a requirement is late or unmet, in words a planner can act on.

The cause of a late or unmet requirement is the first of:
1. it cannot be built and delivered at all, and why: no routing, no licence, a line with no
   hours or a ramp-up after the horizon, no BOM in force, no lane to its destination;
2. the earliest possible arrival (first build period, component lead times, transport) is
   after its due date;
3. the most valuable binding limit (explain.bottlenecks) on the supply that would serve it
   in time: the lines its late units were pegged to (pegging.py) first, then any line that
   could reach its destination by the due date, with their licences and component offers,
   in periods from which output could still arrive on time;
4. otherwise the supply that could serve it goes to higher priorities or earlier due dates.
"""

from __future__ import annotations

from typing import Any

from coprod.domain import Programme, Requirement
from coprod.domain.bom import explode
from coprod.domain.capacity import line_hours, rate_caps
from coprod.planning.grid import TimeGrid, exact_grid
from coprod.planning.model import PlanningModel
from coprod.planning.pegging import peg_all
from coprod.planning.structure import Build
from coprod.planning.transfers import lanes_to

__all__ = ["late_causes", "service_until", "unbuildable_cause"]

Row = dict[str, Any]


def service_until(requirements: list[Row], deliveries: list[Row], periods: tuple[str, ...]) -> str | None:
    """The last period in which some requirement still waits (None: nothing is late), so
    that more capacity after it can only save money, never lateness."""
    late = [r["id"] for r in requirements if r["status"] != "on_time"]
    if not late:
        return None
    if any(r["unmet"] > 0 for r in requirements):
        return periods[-1]
    ids = set(late)
    return str(max(d["period"] for d in deliveries if d["requirement"] in ids and d["periods_late"] > 0))


def late_causes(m: PlanningModel, tables: dict[str, list[Row]], binding: list[Row]) -> None:
    """Fill the `cause` of every late or unmet requirement row of `tables` in place."""
    s = m.structure
    p = s.programme
    grid = s.grid or exact_grid(p.calendar.periods)
    labels = grid.labels(p.calendar.labels)
    late_rows = [row for row in tables["requirements"] if row["status"] != "on_time"]
    if not late_rows:
        return
    by_id = {r.id: r for r in p.requirements}
    items = {row["item"] for row in late_rows}
    pegs = peg_all(
        p, tables["production"], tables["shipments"], tables["deliveries"], items, tables["transfers"]
    )
    prod_ix = {x: i for i, x in enumerate(s.products)}
    facts = _supply_facts(p, s.periods)
    offers = _offers_by_component(p)
    for row in late_rows:
        rq = by_id[row["id"]]
        pi, due = prod_ix[rq.item], int(grid.bucket_of[p.calendar.index_of(rq.due)])
        lanes = lanes_to(p, rq.destination)
        builds = [b for b in s.builds if b.product == pi and s.sites[b.site] in lanes]
        if not builds:
            row["cause"] = unbuildable_cause(p, rq)
            continue
        arrival, reason = _earliest_arrival(m, grid, labels, rq, pi, builds, lanes, facts)
        if arrival > due:
            row["cause"] = f"cannot arrive by {labels[due]}: {reason}"
            continue
        late_lines = list(
            dict.fromkeys(
                g["line"] for g in pegs.get(rq.id, []) if g["delivered"] > row["due"] and g["line"] != "stock"
            )
        )
        row["cause"] = _capacity_cause(m, grid, labels, rq, builds, lanes, late_lines, binding, offers)


def unbuildable_cause(p: Programme, rq: Requirement) -> str:
    """Why no line can build `rq`'s item and deliver it to its destination in the horizon."""
    cal = p.calendar
    design = p.design_of(rq.item)
    routings = [rt for rt in p.routings if rt.design == design.id]
    head = f"no licensed line with a lane to {rq.destination} can build {rq.item}"
    if not routings:
        return f"{head}: no line has a routing for {design.id}"
    lane_from = {ln.from_site for ln in p.lanes if ln.to == rq.destination}
    reasons = []
    for rt in routings:
        line = p.line_by_id[rt.line]
        partner = p.site_by_id[line.site].partner
        hours = line_hours(line, cal)
        caps = rate_caps(line, cal)
        own = design.owner == partner
        licences = [lic for lic in p.licences if lic.licensee == partner and lic.design == design.id]
        if not own and not licences:
            reasons.append(f"{partner} (line {line.id}) holds no licence for {design.id}")
        elif max(hours, default=0.0) <= 0:
            reasons.append(f"line {line.id} has 0 hours in every period of the horizon")
        elif caps is not None and max(caps, default=0.0) <= 0:
            start = line.ramp_up.start if line.ramp_up else "?"
            reasons.append(f"line {line.id}'s ramp-up starts on {start}, after the horizon")
        elif line.site not in lane_from:
            reasons.append(f"no lane from {line.site} (line {line.id}) to {rq.destination}")
        elif not own:
            windows = ", ".join(f"{lic.id} {lic.valid_from}..{lic.valid_to or 'open'}" for lic in licences)
            reasons.append(f"line {line.id} has no hours or ramp-up within licence {windows}")
        else:
            first = min(r.effective_from for r in design.revisions)
            reasons.append(
                f"line {line.id}: no period with hours, ramp-up and a BOM of {design.id} in force "
                f"(first revision effective {first}), or its components arrive after the horizon"
            )
    return f"{head}: " + "; ".join(reasons)


def _earliest_arrival(
    m: PlanningModel,
    grid: TimeGrid,
    labels: tuple[str, ...],
    rq: Requirement,
    pi: int,
    builds: list[Build],
    lanes: dict[str, int],
    facts: Facts,
) -> tuple[int, str]:
    """The first bucket any unit of `rq` could arrive in, and what sets it."""
    s = m.structure
    T = s.periods

    def after(bucket: int, lead: int, shipment: bool = False) -> int:
        """The bucket something leaving `bucket` arrives in (T: never); grid.py's rules."""
        arrival = int(grid.arrivals(lead, shipment)[min(bucket, T - 1)])
        return arrival if arrival >= 0 and bucket < T else T

    stock, lead_to = facts
    p_built = s.programme.built_assemblies
    best: tuple[int, str] = (T + 1, "")
    for b in builds:
        site = s.sites[b.site]
        first = int(b.periods[0])
        reason = f"{rq.item} can first be built on line {s.lines[b.line]} in {labels[first]}"
        ready = first
        for seg in s.bom[pi]:
            if seg.last < first:
                continue
            for comp in seg.usage:
                if stock.get((comp, site), 0) > 0:
                    continue
                lead = lead_to.get((comp, site))
                if lead is None:
                    reason = (
                        f"no supply offer of {comp} to {site}, "
                        + ("no line there builds it, " if comp in p_built else "")
                        + "no transfer of it there and no stock there"
                    )
                    ready = T
                    break
                lead_b = after(0, lead)
                if lead_b >= ready and lead > 0:  # folded supply moves the first build too
                    ready = lead_b
                    arrives = labels[min(lead_b, T - 1)]
                    reason = f"{comp} reaches {site} at the earliest in {arrives} (lead time {lead})"
            break
        arrival = after(ready, lanes[site], shipment=True)
        if arrival < best[0]:
            best = (arrival, f"{reason}; transport to {rq.destination} takes {lanes[site]} period(s)")
    return best


Facts = tuple[dict[tuple[str, str], int], dict[tuple[str, str], int]]


def _supply_facts(p: Programme, T: int) -> Facts:
    """Stock on hand and the shortest supply lead time per (component, site): an offer, a
    line there that builds it (after its slowest part), or transfers from a site that has it,
    over any number of lanes; to a fixed point."""
    stock = {(st.item, st.site): st.quantity for st in p.stock}
    lead_to: dict[tuple[str, str], int] = {}
    for o in p.supply_offers:
        pair = (o.component, o.ship_to)
        lead_to[pair] = min(lead_to.get(pair, T), o.lead_time)
    built = [
        (rt, p.line_by_id[rt.line].site, _parts(p, rt.design))
        for rt in p.routings
        if rt.design in p.built_assemblies
    ]
    lanes = [ln for ln in p.lanes if ln.to in p.site_by_id]

    def have(comp: str, site: str) -> int | None:
        return 0 if stock.get((comp, site), 0) > 0 else lead_to.get((comp, site))

    def offer(pair: tuple[str, str], lead: int) -> bool:
        if lead < lead_to.get(pair, T):
            lead_to[pair] = lead
            return True
        return False

    for _ in range(len(p.sites) + len(built) + 1):
        changed = False
        for rt, site, parts in built:
            leads = [have(c, site) for c in parts]
            if all(x is not None for x in leads):
                changed |= offer((rt.design, site), max((x or 0 for x in leads), default=0) + rt.lead_time)
        for ln in lanes:
            held = {c for c, site in lead_to if site == ln.from_site} | {
                c for c, site in stock if site == ln.from_site
            }
            for comp in held & set(ln.items) if ln.items else held:
                own = have(comp, ln.from_site)
                if own is not None:
                    changed |= offer((comp, ln.to), own + ln.lead_time)
        if not changed:
            break
    return stock, lead_to


def _parts(p: Programme, assembly: str) -> list[str]:
    return list(explode(p, p.component_by_id[assembly].bom))


def _capacity_cause(
    m: PlanningModel,
    grid: TimeGrid,
    labels: tuple[str, ...],
    rq: Requirement,
    builds: list[Build],
    lanes: dict[str, int],
    late_lines: list[str],
    binding: list[Row],
    offers: dict[str, list[tuple[str, str]]],
) -> str:
    """The most valuable binding limit on the supply that would serve `rq` on time, looked
    for first where its late units came from."""
    s = m.structure
    p = s.programme
    design = p.design_of(rq.item).id
    due = int(grid.bucket_of[p.calendar.index_of(rq.due)])
    comps = {c for seg in s.bom[builds[0].product] for c in seg.usage}
    # the last period from which each candidate line's output can still arrive on time
    latest: dict[str, str] = {}
    for b in builds:
        t = int(grid.latest_order(lanes[s.sites[b.site]])[due])
        if t >= 0:
            latest[s.lines[b.line]] = max(latest.get(s.lines[b.line], ""), labels[t])
    served = f"; its late units come from line {', '.join(late_lines)}" if late_lines else ""
    for lines in ([x for x in late_lines if x in latest], list(latest)):
        found = _related_binding(p, design, comps, {x: latest[x] for x in lines}, binding, offers)
        if found is not None:
            return f"limited by {found['subject']}{served}"
    names = ", ".join(sorted(latest)) or "none"
    return (
        f"the supply that could reach {rq.destination} by {labels[due]} (line {names}) goes to "
        f"requirements of higher priority or earlier due dates{served}"
    )


def _offers_by_component(p: Programme) -> dict[str, list[tuple[str, str]]]:
    """(offer id, ship-to site) per component: built once per plan, since scanning every
    offer for each late requirement was 1.2 s of the explanation at generated L."""
    out: dict[str, list[tuple[str, str]]] = {}
    for o in p.supply_offers:
        out.setdefault(o.component, []).append((o.id, o.ship_to))
    return out


def _related_binding(
    p: Programme,
    design: str,
    comps: set[str],
    latest: dict[str, str],
    binding: list[Row],
    by_component: dict[str, list[tuple[str, str]]],
) -> Row | None:
    """The most valuable binding row (binding is ranked) on `latest`'s lines, their licences
    for `design` or offers of `comps` to their sites, starting no later than the line's last
    useful period."""
    if not latest:
        return None
    site_latest: dict[str, str] = {}
    partner_latest: dict[str, str] = {}
    for line, last in latest.items():
        site = p.line_by_id[line].site
        site_latest[site] = max(site_latest.get(site, ""), last)
        partner = p.site_by_id[site].partner
        partner_latest[partner] = max(partner_latest.get(partner, ""), last)
    licences = {lic.id: lic.licensee for lic in p.licences if lic.design == design}
    offers = {oid: to for c in comps for oid, to in by_component.get(c, ())}
    # a lane's capacity limits the sites it leaves from (shipments) and feeds (transfers)
    lanes = {ln.id: {ln.from_site, ln.to} for ln in p.lanes if ln.capacity_per_period is not None}
    for row in binding:
        kind, ent, start = row["constraint"], row["entity"], row["from"]
        if kind in ("hours", "rate") and ent in latest:
            limit = latest[ent]
        elif kind == "licence" and ent in licences and licences[ent] in partner_latest:
            limit = partner_latest[licences[ent]]
        elif kind == "supply" and ent in offers and offers[ent] in site_latest:
            limit = site_latest[offers[ent]]
        elif kind == "lane_capacity" and lanes.get(ent, set()) & set(site_latest):
            limit = max(site_latest[x] for x in lanes[ent] if x in site_latest)
        else:
            continue
        if start <= limit and row.get("service_gain", 0.0) > 0:
            return row
    return None
