"""Cross-reference checks of a programme: every broken rule between records, all at once.

Each Finding names the section, the record (index and id) and the field; coprod.io turns
findings into Problems that also name the file (and the CSV row) they came from.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from coprod.domain.bom import bom_segments
from coprod.domain.entities import ExportControl, Lane, Routing
from coprod.domain.export import build_blocker, delivery_blocker
from coprod.domain.programme import Programme

__all__ = ["Finding", "check_references"]


@dataclass(frozen=True, slots=True)
class Finding:
    section: str
    index: int  # position in the section; -1 for the programme as a whole
    key: str  # the record's id (or a readable key)
    field: str
    message: str


def _duplicates(section: str, keys: Iterable[str]) -> Iterator[Finding]:
    keys = list(keys)
    counts = Counter(keys)
    seen: set[str] = set()
    for i, key in enumerate(keys):
        if counts[key] > 1 and key in seen:
            yield Finding(section, i, key, "id", f"duplicate id '{key}'")
        seen.add(key)


def _bom_cycles(p: Programme) -> Iterator[Finding]:
    children = {c.id: [b.item for b in c.bom] for c in p.components if c.bom}
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for child in children.get(node, []):
            if state.get(child) == 1:
                return [*path, node, child]
            if child in children and state.get(child) is None:
                found = visit(child, [*path, node])
                if found:
                    return found
        state[node] = 2
        return None

    index = {c.id: i for i, c in enumerate(p.components)}
    for node in children:
        if state.get(node) is None:
            cycle = visit(node, [])
            if cycle:
                start = cycle.index(cycle[-1])
                loop = " -> ".join(cycle[start:])
                yield Finding("components", index[node], node, "bom", f"BOM cycle: {loop}")


def _lead_beyond(lead: int, horizon: int, what: str) -> str:
    """A lead time of `lead` periods leaves nothing arriving within `horizon` periods: an
    order in the first period arrives in period `lead`, and the last one is horizon - 1."""
    periods = "period" if horizon == 1 else "periods"
    return (
        f"lead time {lead} is not shorter than the horizon ({horizon} {periods}): "
        f"{what} could arrive within it"
    )


def _currency_findings(p: Programme) -> Iterator[Finding]:
    """Exchange rates: no duplicates, none for the programme currency, and every currency a
    record uses has a rate in force at the horizon start (docs/programme-format.md)."""
    base = p.settings.currency
    seen: set[tuple[str, dt.date]] = set()
    first: dict[str, dt.date] = {}
    for i, r in enumerate(p.exchange_rates):
        key = f"{r.currency}@{r.valid_from}"
        if r.currency == base:
            yield Finding(
                "exchange_rates", i, key, "currency", f"{base} is the programme currency (its rate is 1)"
            )
        if (r.currency, r.valid_from) in seen:
            message = f"a second {r.currency} rate from {r.valid_from}"
            yield Finding("exchange_rates", i, key, "valid_from", message)
        seen.add((r.currency, r.valid_from))
        first[r.currency] = min(first.get(r.currency, r.valid_from), r.valid_from)
    start = p.calendar.start
    priced: list[tuple[str, Iterable[tuple[str, str | None]]]] = [
        ("partners", ((x.id, x.currency) for x in p.partners)),
        ("routings", ((f"{x.design}@{x.line}", x.currency) for x in p.routings)),
        ("licences", ((x.id, x.currency) for x in p.licences)),
        ("supply_offers", ((x.id, x.currency) for x in p.supply_offers)),
        ("lanes", ((x.id, x.currency) for x in p.lanes)),
    ]
    for section, records in priced:
        for i, (key, cur) in enumerate(records):
            if cur is None or cur == base:
                continue
            if cur not in first:
                yield Finding(section, i, key, "currency", f"no exchange rate for {cur} (exchange_rates)")
            elif first[cur] > start:
                yield Finding(
                    section,
                    i,
                    key,
                    "currency",
                    f"the first {cur} rate is from {first[cur]}, after the horizon start {start}",
                )


def _lane_findings(
    p: Programme, i: int, lane: Lane, destinations: set[str], assemblies: set[str]
) -> Iterator[Finding]:
    """A lane runs to a destination or to another site (a transfer), and carries known items."""
    if lane.to in destinations and lane.to in p.site_by_id:
        yield Finding("lanes", i, lane.id, "to", f"'{lane.to}' names both a site and a destination")
    elif lane.to not in destinations and lane.to not in p.site_by_id:
        yield Finding("lanes", i, lane.id, "to", f"unknown site or destination '{lane.to}'")
    elif lane.to == lane.from_site:
        yield Finding("lanes", i, lane.id, "to", f"a lane from site '{lane.from_site}' to itself")
    products = set(p.products)
    for item in lane.items:
        if item in assemblies:
            yield Finding(
                "lanes",
                i,
                lane.id,
                "items",
                f"'{item}' is an assembly built as a phantom: send its parts (or give it a routing)",
            )
        elif item not in p.component_by_id and item not in products:
            yield Finding("lanes", i, lane.id, "items", f"unknown item '{item}'")
        elif lane.to in destinations and item not in products:
            yield Finding(
                "lanes", i, lane.id, "items", f"'{item}' is a component: only sites receive components"
            )


def _routing_findings(p: Programme, i: int, rt: Routing, horizon: int) -> Iterator[Finding]:
    """A routing builds a design or an assembly (a component with a BOM) on a known line."""
    key = f"{rt.design}@{rt.line}"
    comp = p.component_by_id.get(rt.design)
    if rt.design in p.design_by_id:
        if rt.lead_time:
            yield Finding(
                "routings",
                i,
                key,
                "lead_time",
                "a lead time applies to built assemblies only, not to designs",
            )
    elif comp is not None and not comp.bom:
        yield Finding(
            "routings",
            i,
            key,
            "design",
            f"'{rt.design}' is a purchased component (no BOM): it is bought, not built",
        )
    elif comp is None:
        yield Finding("routings", i, key, "design", f"unknown design or assembly '{rt.design}'")
    elif rt.lead_time >= horizon:
        yield Finding(
            "routings",
            i,
            key,
            "lead_time",
            _lead_beyond(rt.lead_time, horizon, "nothing built on this routing"),
        )
    if rt.line not in p.line_by_id:
        yield Finding("routings", i, key, "line", f"unknown line '{rt.line}'")


def check_references(p: Programme) -> list[Finding]:
    """Return every cross-record problem of `p` (empty when the programme is consistent)."""
    return list(_iter_findings(p))


def _iter_findings(p: Programme) -> Iterator[Finding]:
    horizon = p.calendar.periods
    partners, sites = p.partner_by_id, p.site_by_id
    destinations = {d.id for d in p.destinations}
    components = p.component_by_id
    designs = p.design_by_id
    products = set(p.products)
    # phantom assemblies: exploded into their parts, so nothing holds, buys or moves them
    assemblies = {c.id for c in p.components if c.bom} - p.built_assemblies

    yield from _currency_findings(p)
    if not p.designs or not p.sites or not p.requirements:
        missing = [
            name
            for name, rows in (
                ("designs", p.designs),
                ("sites", p.sites),
                ("requirements", p.requirements),
            )
            if not rows
        ]
        yield Finding("programme", -1, "", "", f"empty programme: no {', no '.join(missing)}")

    # Unique ids, per section; items (components, designs, variants) share one namespace.
    for section, keys in (
        ("partners", [x.id for x in p.partners]),
        ("sites", [x.id for x in p.sites]),
        ("lines", [x.id for x in p.lines]),
        ("destinations", [x.id for x in p.destinations]),
        ("licences", [x.id for x in p.licences]),
        ("supply_offers", [x.id for x in p.supply_offers]),
        ("lanes", [x.id for x in p.lanes]),
        ("requirements", [x.id for x in p.requirements]),
        ("routings", [f"{x.design}@{x.line}" for x in p.routings]),
        ("stock", [f"{x.item}@{x.site}" for x in p.stock]),
    ):
        yield from _duplicates(section, keys)
    item_ids = [c.id for c in p.components] + [d.id for d in p.designs]
    counts = Counter(item_ids + [v.id for d in p.designs for v in d.variants])
    for i, c in enumerate(p.components):
        if counts[c.id] > 1:
            yield Finding("components", i, c.id, "id", f"item id '{c.id}' is used more than once")
    for i, d in enumerate(p.designs):
        if counts[d.id] > 1 and d.id not in components:
            yield Finding("designs", i, d.id, "id", f"item id '{d.id}' is used more than once")
        for j, v in enumerate(d.variants):
            if counts[v.id] > 1:
                field = f"variants[{j}].id"
                yield Finding("designs", i, d.id, field, f"item id '{v.id}' is used more than once")

    def ref(
        section: str, i: int, key: str, field: str, value: str, pool: object, what: str
    ) -> Iterator[Finding]:
        if value not in pool:  # type: ignore[operator]
            yield Finding(section, i, key, field, f"unknown {what} '{value}'")

    for i, s in enumerate(p.sites):
        yield from ref("sites", i, s.id, "partner", s.partner, partners, "partner")
    for i, ln in enumerate(p.lines):
        yield from ref("lines", i, ln.id, "site", ln.site, sites, "site")
        for j, ex in enumerate(ln.exceptions):
            if not 0 <= p.calendar.index_of(ex.period) < horizon:
                yield Finding(
                    "lines",
                    i,
                    ln.id,
                    f"exceptions[{j}].period",
                    f"{ex.period} is outside the horizon",
                )
    for i, o in enumerate(p.supply_offers):
        for j, oc in enumerate(o.commitments):
            if not 0 <= p.calendar.index_of(oc.period) < horizon:
                yield Finding(
                    "supply_offers",
                    i,
                    o.id,
                    f"commitments[{j}].period",
                    f"{oc.period} is outside the horizon",
                )
            elif 0 < oc.quantity < o.min_order:
                yield Finding(
                    "supply_offers",
                    i,
                    o.id,
                    f"commitments[{j}].quantity",
                    f"{oc.quantity} is below the minimum order {o.min_order}: commit 0 or the minimum",
                )
    for i, dst in enumerate(p.destinations):
        yield from ref("destinations", i, dst.id, "partner", dst.partner, partners, "partner")

    for i, c in enumerate(p.components):
        for j, b in enumerate(c.bom):
            yield from ref("components", i, c.id, f"bom[{j}].item", b.item, components, "component")
    yield from _bom_cycles(p)

    for i, d in enumerate(p.designs):
        yield from ref("designs", i, d.id, "owner", d.owner, partners, "partner")
        revs = [r.revision for r in d.revisions]
        if len(set(revs)) != len(revs):
            yield Finding("designs", i, d.id, "revisions", "revision numbers repeat")
        for k, r in enumerate(d.revisions):
            for j, b in enumerate(r.bom):
                field = f"revisions[{k}].bom[{j}].item"
                yield from ref("designs", i, d.id, field, b.item, components, "component")
        bom_items = {b.item for r in d.revisions for b in r.bom}
        for j, v in enumerate(d.variants):
            for k, rep in enumerate(v.replace):
                if rep.from_ not in bom_items:
                    yield Finding(
                        "designs",
                        i,
                        d.id,
                        f"variants[{j}].replace[{k}].from",
                        f"'{rep.from_}' is not in any revision of {d.id}'s BOM",
                    )
                yield from ref(
                    "designs",
                    i,
                    d.id,
                    f"variants[{j}].replace[{k}].to",
                    rep.to,
                    components,
                    "component",
                )
            for k, b in enumerate(v.add):
                yield from ref(
                    "designs",
                    i,
                    d.id,
                    f"variants[{j}].add[{k}].item",
                    b.item,
                    components,
                    "component",
                )

    for i, rt in enumerate(p.routings):
        yield from _routing_findings(p, i, rt, horizon)

    windows: dict[tuple[str, str], list[tuple[int, object, object]]] = {}
    for i, lic in enumerate(p.licences):
        yield from ref("licences", i, lic.id, "licensor", lic.licensor, partners, "partner")
        yield from ref("licences", i, lic.id, "licensee", lic.licensee, partners, "partner")
        if lic.design not in designs:
            yield Finding(
                "licences",
                i,
                lic.id,
                "design",
                f"licence for a design that does not exist: '{lic.design}'",
            )
        elif designs[lic.design].owner != lic.licensor:
            yield Finding(
                "licences",
                i,
                lic.id,
                "licensor",
                f"'{lic.licensor}' does not own design {lic.design} (owner: {designs[lic.design].owner})",
            )
        windows.setdefault((lic.licensee, lic.design), []).append((i, lic.valid_from, lic.valid_to))
    for (licensee, design), spans in windows.items():
        spans.sort(key=lambda s: s[1])  # type: ignore[arg-type,return-value]
        for (_, _, end_a), (j, start_b, _) in itertools.pairwise(spans):
            if end_a is None or end_a >= start_b:  # type: ignore[operator]
                lic = p.licences[j]
                yield Finding(
                    "licences",
                    j,
                    lic.id,
                    "valid_from",
                    f"overlaps another licence of {licensee} for {design}",
                )

    for i, o in enumerate(p.supply_offers):
        yield from ref("supply_offers", i, o.id, "supplier", o.supplier, partners, "partner")
        yield from ref("supply_offers", i, o.id, "ship_to", o.ship_to, sites, "site")
        if o.component not in components:
            yield Finding("supply_offers", i, o.id, "component", f"unknown component '{o.component}'")
        elif o.component in assemblies:
            yield Finding(
                "supply_offers",
                i,
                o.id,
                "component",
                f"'{o.component}' is a phantom assembly (a BOM, no routing): offer its parts instead",
            )
        if o.lead_time >= horizon:
            yield Finding(
                "supply_offers",
                i,
                o.id,
                "lead_time",
                _lead_beyond(o.lead_time, horizon, "nothing ordered from this offer"),
            )

    for i, lane in enumerate(p.lanes):
        yield from ref("lanes", i, lane.id, "from_site", lane.from_site, sites, "site")
        yield from _lane_findings(p, i, lane, destinations, assemblies)
        if lane.lead_time >= horizon:
            yield Finding(
                "lanes",
                i,
                lane.id,
                "lead_time",
                _lead_beyond(lane.lead_time, horizon, "nothing sent on this lane"),
            )

    for i, st in enumerate(p.stock):
        key = f"{st.item}@{st.site}"
        yield from ref("stock", i, key, "site", st.site, sites, "site")
        if st.item in assemblies:
            yield Finding(
                "stock", i, key, "item", f"'{st.item}' is a phantom assembly: hold stock of its parts"
            )
        elif st.item not in components and st.item not in products:
            yield Finding("stock", i, key, "item", f"unknown item '{st.item}'")

    yield from _scheduled_receipts(p)
    yield from _export_controls(p)
    weights = p.settings.priority_weights
    for i, rq in enumerate(p.requirements):
        yield from ref("requirements", i, rq.id, "customer", rq.customer, partners, "partner")
        yield from ref("requirements", i, rq.id, "destination", rq.destination, destinations, "destination")
        if rq.item not in products:
            yield Finding("requirements", i, rq.id, "item", f"unknown design or variant '{rq.item}'")
        if not 0 <= p.calendar.index_of(rq.due) < horizon:
            yield Finding(
                "requirements",
                i,
                rq.id,
                "due",
                f"{rq.due} is outside the horizon {p.calendar.start}..{p.calendar.end}",
            )
        if rq.priority not in weights:
            yield Finding(
                "requirements",
                i,
                rq.id,
                "priority",
                f"priority {rq.priority} has no weight (settings.priority_weights: {sorted(weights)})",
            )


def _scheduled_receipts(p: Programme) -> Iterator[Finding]:
    items = set(p.products) | {c.id for c in p.components if not c.bom}
    for i, sr in enumerate(p.scheduled_receipts):
        key = f"{sr.item}@{sr.site}"
        if sr.site not in p.site_by_id:
            yield Finding("scheduled_receipts", i, key, "site", f"unknown site '{sr.site}'")
        if sr.item not in items:
            yield Finding(
                "scheduled_receipts", i, key, "item", f"unknown product or purchased part '{sr.item}'"
            )
        if not 0 <= p.calendar.index_of(sr.arrives) < p.calendar.periods:
            yield Finding("scheduled_receipts", i, key, "arrives", f"{sr.arrives} is outside the horizon")


def _controls(p: Programme) -> Iterator[tuple[str, int, str, str, ExportControl]]:
    """Every export control: (section, index, record id, field, control)."""
    for i, c in enumerate(p.components):
        if c.export_control is not None:
            yield "components", i, c.id, "export_control", c.export_control
    for i, d in enumerate(p.designs):
        if d.export_control is not None:
            yield "designs", i, d.id, "export_control", d.export_control
        for k, r in enumerate(d.revisions):
            if r.export_control is not None:
                yield "designs", i, d.id, f"revisions[{k}].export_control", r.export_control


def _export_controls(p: Programme) -> Iterator[Finding]:
    """Controls naming unknown partners; requirements whose only supply breaks a control."""
    controls = list(_controls(p))
    if not controls:
        return
    for section, i, key, field, control in controls:
        for j, partner in enumerate(control.partners):
            if partner not in p.partner_by_id:
                yield Finding(section, i, key, f"{field}.partners[{j}]", f"unknown partner '{partner}'")
    products = set(p.products)
    for i, rq in enumerate(p.requirements):
        if rq.item not in products or not 0 <= p.calendar.index_of(rq.due) < p.calendar.periods:
            continue
        blocked = _only_supply_blocked(p, rq.item, rq.destination)
        if blocked is not None:
            yield Finding(
                "requirements",
                i,
                rq.id,
                "item",
                f"every supply of {rq.item} to {rq.destination} breaks an export control: {blocked}",
            )


def _only_supply_blocked(p: Programme, product: str, destination: str) -> str | None:
    """The control broken when every source of `product` for `destination` breaks one (None
    when a lawful source exists, or when there is no source at all: that is unmet demand)."""
    to_dest = delivery_blocker(p, product, destination)
    design = p.design_of(product)
    revisions = [seg.revision for seg in bom_segments(p, product)]
    makers = {
        p.site_by_id[p.line_by_id[rt.line].site].id
        for rt in p.routings
        if rt.design == design.id and rt.line in p.line_by_id and p.line_by_id[rt.line].site in p.site_by_id
    }
    licensed = {lic.licensee for lic in p.licences if lic.design == design.id} | {design.owner}
    makers = {s for s in makers if p.site_by_id[s].partner in licensed}
    held = {st.site for st in p.stock if st.item == product and st.quantity > 0}
    shippers = {ln.from_site for ln in p.lanes if ln.to == destination}
    # a site that reaches a shipping site by a transfer the product may take is a source too
    shippers |= {
        ln.from_site
        for ln in p.lanes
        if ln.to in shippers and ln.to in p.site_by_id and delivery_blocker(p, product, ln.to) is None
    }
    sources = sorted(shippers & (makers | held))
    if not sources:
        return None
    if to_dest is not None:
        return to_dest.message()
    first: str | None = None
    for site in sources:
        if site in held:
            return None
        for rev in revisions:
            why = build_blocker(p, product, rev, site)
            if why is None:
                return None
            first = first or why.message()
    return first
