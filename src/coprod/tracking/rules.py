"""The rules between events and the programme, each broken one a Finding (kind, record, field).

- every reference resolves (site, line at that site, design, variant, revision, lot, ...);
- a licensee builds only under a licence valid on the built date, on a line with a routing;
- serials are unique in the programme (ranges and lists, compared as intervals);
- a lot of a site x design revision is accepted only once that site's first article of the
  revision has passed, and never more units than the lot holds;
- nothing ships before it is accepted, and no shipment exceeds the stock at its site;
- no receipt exceeds what was shipped; at a destination the units received are assigned to
  requirements of that product and destination, never more than a requirement asks;
- events are dated inside the calendar and not after the day they are recorded.

`check_actuals` returns every problem at once; nothing is stored unless the list is empty.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterator

from coprod.domain import Programme
from coprod.domain.actuals import ActualsBatch, Lot, date_field, event_date, split_serial
from coprod.domain.checks import Finding
from coprod.tracking.flow import check_receipts, check_shipments
from coprod.tracking.ledger import Ledger

__all__ = ["check_actuals"]


def check_actuals(p: Programme, batch: ActualsBatch, recorded_on: dt.date) -> list[Finding]:
    """Every broken rule of `batch` (the stored events followed by the new ones) against `p`."""
    ledger = Ledger(p, batch)
    out: list[Finding] = []
    for check in (
        _unique_ids,
        _dates,
        _lots,
        _serials,
        _inspections,
        _orders,
        check_shipments,
        check_receipts,
    ):
        out.extend(check(p, ledger, recorded_on))
    return out


def _unique_ids(p: Programme, led: Ledger, today: dt.date) -> Iterator[Finding]:
    for kind, events in led.batch.kinds().items():
        counts = Counter(e.id for e in events)
        seen: set[str] = set()
        for i, e in enumerate(events):
            if counts[e.id] > 1 and e.id in seen:
                yield Finding(kind, i, e.id, "id", f"duplicate id '{e.id}' (already recorded)")
            seen.add(e.id)


def _dates(p: Programme, led: Ledger, today: dt.date) -> Iterator[Finding]:
    cal = p.calendar
    for kind, events in led.batch.kinds().items():
        field = date_field(kind)
        for i, e in enumerate(events):
            day = event_date(kind, e)
            if not cal.start <= day < cal.end:
                yield Finding(kind, i, e.id, field, f"{day} is outside the calendar {cal.start}..{cal.end}")
            elif day > today:
                yield Finding(kind, i, e.id, field, f"{day} is in the future (recorded on {today})")


def _lots(p: Programme, led: Ledger, today: dt.date) -> Iterator[Finding]:
    routings = {(r.design, r.line) for r in p.routings}
    for i, lot in enumerate(led.batch.lots):
        site = p.site_by_id.get(lot.site)
        if site is None:
            yield Finding("lots", i, lot.id, "site", f"unknown site '{lot.site}'")
        line = p.line_by_id.get(lot.line)
        if line is None:
            yield Finding("lots", i, lot.id, "line", f"unknown line '{lot.line}'")
        elif line.site != lot.site:
            yield Finding("lots", i, lot.id, "line", f"line {lot.line} is at {line.site}, not {lot.site}")
        design = p.design_by_id.get(lot.design)
        if design is None:
            yield Finding("lots", i, lot.id, "design", f"unknown design '{lot.design}'")
            continue
        if lot.variant is not None and lot.variant not in {v.id for v in design.variants}:
            yield Finding("lots", i, lot.id, "variant", f"'{lot.variant}' is not a variant of {lot.design}")
        if lot.revision not in {r.revision for r in design.revisions}:
            yield Finding("lots", i, lot.id, "revision", f"{lot.design} has no revision {lot.revision}")
        if line is not None and (lot.design, lot.line) not in routings:
            yield Finding("lots", i, lot.id, "line", f"no routing of {lot.design} on line {lot.line}")
        if site is not None and site.partner != design.owner and not _licensed(p, site.partner, lot):
            yield Finding(
                "lots",
                i,
                lot.id,
                "built",
                f"{site.partner} holds no licence for {lot.design} valid on {lot.built}",
            )


def _licensed(p: Programme, partner: str, lot: Lot) -> bool:
    return any(
        lic.licensee == partner
        and lic.design == lot.design
        and lic.valid_from <= lot.built
        and (lic.valid_to is None or lot.built <= lic.valid_to)
        for lic in p.licences
    )


def _serials(p: Programme, led: Ledger, today: dt.date) -> Iterator[Finding]:
    """Serials as intervals per (prefix, width); plain strings for serials without a number."""
    spans: list[tuple[str, int, int, int, int]] = []  # prefix, width, low, high, lot index
    words: dict[str, int] = {}
    for i, lot in enumerate(led.batch.lots):
        if lot.serials:
            for serial in lot.serials:
                parts = split_serial(serial)
                if parts is None:
                    if serial in words:
                        other = led.batch.lots[words[serial]].id
                        yield Finding(
                            "lots", i, lot.id, "serials", f"serial {serial} is already in lot {other}"
                        )
                    words[serial] = i
                else:
                    spans.append((parts[0], parts[2], parts[1], parts[1], i))
        elif lot.first_serial and lot.last_serial:
            a, b = split_serial(lot.first_serial), split_serial(lot.last_serial)
            assert a is not None and b is not None  # checked on the record
            spans.append((a[0], a[2], a[1], b[1], i))
    spans.sort()
    reported: set[int] = set()
    reach: tuple[str, int, int, int] | None = None  # prefix, width, high so far, its lot
    for prefix, width, low, high, i in spans:
        if reach is not None and reach[:2] == (prefix, width) and low <= reach[2] and reach[3] != i:
            later, earlier = max(i, reach[3]), min(i, reach[3])
            if later not in reported:
                reported.add(later)
                lot = led.batch.lots[later]
                serial = f"{prefix}{str(low).zfill(width)}"
                yield Finding(
                    "lots",
                    later,
                    lot.id,
                    "serials",
                    f"serial {serial} is already in lot {led.batch.lots[earlier].id}: serials are unique",
                )
        if reach is None or reach[:2] != (prefix, width) or high > reach[2]:
            reach = (prefix, width, high, i)


def _inspections(p: Programme, led: Ledger, today: dt.date) -> Iterator[Finding]:
    for i, fa in enumerate(led.batch.first_articles):
        design = p.design_by_id.get(fa.design)
        if fa.site not in p.site_by_id:
            yield Finding("first_articles", i, fa.id, "site", f"unknown site '{fa.site}'")
        if design is None:
            yield Finding("first_articles", i, fa.id, "design", f"unknown design '{fa.design}'")
        elif fa.revision not in {r.revision for r in design.revisions}:
            yield Finding(
                "first_articles", i, fa.id, "revision", f"{fa.design} has no revision {fa.revision}"
            )
        if fa.lot is not None:
            lot = led.lots.get(fa.lot)
            if lot is None:
                yield Finding("first_articles", i, fa.id, "lot", f"unknown lot '{fa.lot}'")
            elif (lot.site, lot.design, lot.revision) != (fa.site, fa.design, fa.revision):
                yield Finding(
                    "first_articles",
                    i,
                    fa.id,
                    "lot",
                    f"lot {fa.lot} is not {fa.design} rev {fa.revision} of {fa.site}",
                )
    decided: dict[str, int] = defaultdict(int)
    for i, acc in enumerate(led.batch.acceptances):
        lot = led.lots.get(acc.lot)
        if lot is None:
            yield Finding("acceptances", i, acc.id, "lot", f"unknown lot '{acc.lot}'")
            continue
        decided[acc.lot] += acc.accepted + acc.rejected
        if decided[acc.lot] > lot.quantity:
            yield Finding(
                "acceptances",
                i,
                acc.id,
                "accepted",
                f"lot {lot.id} holds {lot.quantity} units; {decided[acc.lot]} accepted or rejected so far",
            )
        if acc.date < lot.built:
            yield Finding(
                "acceptances", i, acc.id, "date", f"{acc.date} is before lot {lot.id} was built ({lot.built})"
            )
        passed = led.first_pass(lot.site, lot.design, lot.revision)
        if acc.accepted and (passed is None or passed > acc.date):
            failed = [
                str(f.date)
                for f in led.first_articles_of.get((lot.site, lot.design, lot.revision), [])
                if f.result.value == "failed"
            ]
            state = f"it failed on {', '.join(failed)}" if failed else "none is recorded"
            if passed is not None:
                state = f"it passed only on {passed}"
            yield Finding(
                "acceptances",
                i,
                acc.id,
                "lot",
                f"lot {lot.id} cannot be accepted on {acc.date}: the first article of {lot.design} "
                f"rev {lot.revision} at {lot.site} has not passed ({state})",
            )


def _orders(p: Programme, led: Ledger, today: dt.date) -> Iterator[Finding]:
    offers = {(o.component, o.supplier, o.ship_to) for o in p.supply_offers}
    for i, po in enumerate(led.batch.purchase_orders):
        if po.supplier not in p.partner_by_id:
            yield Finding("purchase_orders", i, po.id, "supplier", f"unknown partner '{po.supplier}'")
        comp = p.component_by_id.get(po.component)
        if comp is None:
            yield Finding("purchase_orders", i, po.id, "component", f"unknown component '{po.component}'")
        elif comp.bom:
            yield Finding(
                "purchase_orders", i, po.id, "component", f"'{po.component}' is an assembly: order its parts"
            )
        if po.site not in p.site_by_id:
            yield Finding("purchase_orders", i, po.id, "site", f"unknown site '{po.site}'")
        elif comp is not None and (po.component, po.supplier, po.site) not in offers:
            yield Finding(
                "purchase_orders",
                i,
                po.id,
                "supplier",
                f"no supply offer of {po.component} from {po.supplier} to {po.site}",
            )
    got: dict[str, int] = defaultdict(int)
    for i, r in enumerate(led.batch.order_receipts):
        order = led.orders.get(r.order)
        if order is None:
            yield Finding("order_receipts", i, r.id, "order", f"unknown purchase order '{r.order}'")
            continue
        got[r.order] += r.quantity + r.refused
        if got[r.order] > order.quantity:
            yield Finding(
                "order_receipts",
                i,
                r.id,
                "quantity",
                f"order {order.id} is for {order.quantity}; {got[r.order]} received so far",
            )
        if r.received < order.ordered:
            yield Finding(
                "order_receipts", i, r.id, "received", f"{r.received} is before the order ({order.ordered})"
            )
