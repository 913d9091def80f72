"""The programme as of a date: the remaining horizon, starting from what really happened.

`programme_as_of(p, events, day)` (day: the first day of a period) gives the programme a
planner should plan on that day; the events before `day` are the truth, the past is not
re-planned:

- calendar: from `day` to the end of the original horizon (same buckets and labels);
- stock per site: the initial stock, plus accepted lots, plus receipts of orders and
  transfers, minus shipments, minus the parts the lots built consumed (their revision's
  BOM, yields included; never below zero, rounded down: a part is whole or missing);
- scheduled receipts: lots in transit to a site (at their expected arrival, or at once
  when overdue), lots awaiting acceptance whose first article has passed (at once),
  open purchase orders (at their due date, or at once when overdue);
- requirements: reduced by the units delivered against them and by units in transit to
  their destination (earliest due first); fully served ones are gone; one due before `day`
  is due at once (lateness is counted from `day`);
- ramp-up: a line whose ramp began before `day` continues from the position its actual
  cumulative output reached (Wright's law on units: a line that built nothing is still at
  its pilot rate); the learning factor becomes the line's hours divided by the factor, so
  the LP sees exactly (hours x factor per unit <= hours) as before;
- what cannot happen in the remaining horizon is left out (calendar exceptions, offers and
  lanes whose lead time reaches past its end).

Licence caps are per period, and as of a period's first day no past period shares a cap
with a future one: what was built used the caps of the periods it was built in.
With no events and `day` the calendar's start, the programme is unchanged.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field

from coprod.domain import Calendar, LineException, Programme, RampUp, Requirement, Stock
from coprod.domain.actuals import ActualsBatch, ScheduledReceipt
from coprod.domain.capacity import MAX_LEARNING_FACTOR, line_hours
from coprod.domain.entities import Line
from coprod.errors import InputError
from coprod.tracking.ledger import Ledger, State

__all__ = ["AsOf", "check_as_of", "programme_as_of"]


@dataclass(frozen=True, slots=True)
class AsOf:
    programme: Programme
    day: dt.date
    notes: list[str] = field(default_factory=list)  # what the transformation decided, in words


def check_as_of(p: Programme, day: dt.date) -> int:
    """The period `day` starts, or InputError naming the period starts around it."""
    cal = p.calendar
    k = cal.index_of(day)
    if not 0 <= k < cal.periods:
        raise InputError(f"as-of {day} is outside the calendar {cal.start}..{cal.end}")
    if cal.starts[k] != day:
        after = cal.starts[k + 1] if k + 1 < cal.periods else None
        hint = f"{cal.starts[k]}" + (f" or {after}" if after else "")
        raise InputError(f"as-of {day} is not the first day of a period: plan as of {hint}")
    return k


def programme_as_of(p: Programme, events: ActualsBatch, day: dt.date) -> AsOf:
    k = check_as_of(p, day)
    cal = p.calendar
    periods = cal.periods - k
    new_cal = Calendar(start=day, periods=periods, granularity=cal.granularity)
    led = Ledger(p, events.before(day))
    st = led.state(day)
    notes: list[str] = []
    receipts = _scheduled(led, st, day, notes)
    requirements = _requirements(p, led, st, day, notes)
    stock = _stock(p, st, receipts, notes)
    lines = tuple(_line(p, ln, k, st.output.get(ln.id, 0), new_cal, notes) for ln in p.lines)
    offers = tuple(o for o in p.supply_offers if o.lead_time < periods)
    lanes = tuple(ln for ln in p.lanes if ln.lead_time < periods)
    if len(offers) < len(p.supply_offers) or len(lanes) < len(p.lanes):
        notes.append(
            f"{len(p.supply_offers) - len(offers)} offer(s), {len(p.lanes) - len(lanes)} lane(s) "
            "reach past the horizon"
        )
    updated = p.model_copy(
        update={
            "calendar": new_cal,
            "stock": stock,
            "requirements": requirements,
            "lines": lines,
            "supply_offers": offers,
            "lanes": lanes,
            "scheduled_receipts": (*p.scheduled_receipts, *receipts),
        }
    )
    return AsOf(updated, day, notes)


def _at(day: dt.date, when: dt.date) -> dt.date:
    return max(day, when)


def _scheduled(led: Ledger, st: State, day: dt.date, notes: list[str]) -> list[ScheduledReceipt]:
    out: list[ScheduledReceipt] = []
    for sh in st.in_transit:
        to_site = led.receiver(sh)
        if to_site is None:
            continue  # to a destination: counted against requirements (_requirements)
        for line in sh.lines:
            item = led.product_of(line.what)
            out.append(
                ScheduledReceipt(
                    site=to_site,
                    item=item,
                    quantity=line.quantity,
                    arrives=_at(day, sh.expected),
                    source=f"shipment {sh.id}",
                )
            )
    blocked = 0
    articles = {f.lot for f in led.batch.first_articles}  # kept as inspection evidence
    for lot_id, units in st.pending.items():
        lot = led.lots[lot_id]
        if lot_id in articles:
            continue
        if led.first_pass(lot.site, lot.design, lot.revision) is None:
            blocked += units
            continue
        out.append(
            ScheduledReceipt(
                site=lot.site,
                item=lot.product,
                quantity=units,
                arrives=day,
                source=f"lot {lot.id} awaiting acceptance",
            )
        )
    if blocked:
        notes.append(f"{blocked} unit(s) built but not counted: their first article has not passed")
    for order_id, units in st.open_orders.items():
        po = led.orders[order_id]
        out.append(
            ScheduledReceipt(
                site=po.site,
                item=po.component,
                quantity=units,
                arrives=_at(day, po.due),
                source=f"order {po.id}",
            )
        )
    return out


def _requirements(
    p: Programme, led: Ledger, st: State, day: dt.date, notes: list[str]
) -> tuple[Requirement, ...]:
    left = {r.id: r.quantity - st.delivered.get(r.id, 0) for r in p.requirements}
    coming: dict[tuple[str, str], int] = defaultdict(int)  # (product, destination) -> units in transit
    for sh in st.in_transit:
        if led.receiver(sh) is None:
            for line in sh.lines:
                coming[(led.product_of(line.what), sh.to)] += line.quantity
    for r in sorted(p.requirements, key=lambda r: (r.due, r.priority, r.id)):
        units = coming.get((r.item, r.destination), 0)
        take = min(units, max(0, left[r.id]))
        if take:
            left[r.id] -= take
            coming[(r.item, r.destination)] -= take
    out: list[Requirement] = []
    late = 0
    for r in p.requirements:
        if left[r.id] <= 0:
            continue
        due = r.due
        if due < day:
            due, late = day, late + 1
        out.append(r.model_copy(update={"quantity": left[r.id], "due": due}))
    served = len(p.requirements) - len(out)
    if served or late:
        notes.append(
            f"{served} requirement(s) served or on their way; {late} open past their due date, due at once"
        )
    return tuple(out)


def _stock(p: Programme, st: State, receipts: list[ScheduledReceipt], notes: list[str]) -> tuple[Stock, ...]:
    out: list[Stock] = []
    short = 0
    recorded = {(s.site, s.item) for s in p.stock}
    for (site, item), qty in st.stock.items():  # the programme's records first, in order
        if qty < -1e-6:
            short += 1
        whole = max(0, math.floor(qty + 1e-6))
        if whole > 0 or (site, item) in recorded:
            out.append(Stock(site=site, item=item, quantity=whole))
    held = {(s.site, s.item) for s in out}
    products = set(p.products)
    for sr in receipts:  # a product's balance exists where it is built or stocked
        if sr.item in products and (sr.site, sr.item) not in held:
            out.append(Stock(site=sr.site, item=sr.item, quantity=0))
            held.add((sr.site, sr.item))
    if short:
        notes.append(f"{short} part(s) consumed beyond recorded stock and receipts: counted as none on hand")
    return tuple(out)


def _cumulative(ramp: RampUp, k: float) -> float:
    """Units along the planned ramp by position k (periods since its start, fractional)."""
    done, j = 0.0, 0
    while j + 1 <= k:
        done += _rate(ramp, j)
        j += 1
    return done + (k - j) * _rate(ramp, j)


def _rate(ramp: RampUp, k: float) -> float:
    if ramp.ramp_periods == 0:
        return ramp.full_rate
    return ramp.pilot_rate + (ramp.full_rate - ramp.pilot_rate) * min(1.0, k / ramp.ramp_periods)


def _position(ramp: RampUp, built: float) -> float:
    """The ramp position whose planned cumulative output equals what was built."""
    total = _cumulative(ramp, ramp.ramp_periods)
    if ramp.ramp_periods == 0 or built >= total:
        return float(ramp.ramp_periods)
    done, j = 0.0, 0
    while j < ramp.ramp_periods:
        rate = _rate(ramp, j)
        if rate > 0 and done + rate > built:
            return j + (built - done) / rate
        done += rate
        j += 1
    return float(ramp.ramp_periods)


def _line(p: Programme, ln: Line, k: int, built: int, cal: Calendar, notes: list[str]) -> Line:
    hours = line_hours(ln, p.calendar)[k:]
    exceptions = [ex for ex in ln.exceptions if 0 <= cal.index_of(ex.period) < cal.periods]
    ramp = ln.ramp_up
    if ramp is None or k == 0 or p.calendar.index_of(ramp.start) >= k:
        return ln.model_copy(update={"exceptions": tuple(exceptions)})
    pos = _position(ramp, built)
    remaining = max(0, round(ramp.ramp_periods - pos))
    pilot = min(ramp.full_rate, _rate(ramp, pos))
    new_ramp = RampUp(
        start=cal.start, pilot_rate=pilot, full_rate=ramp.full_rate, ramp_periods=remaining, learning_rate=1.0
    )
    notes.append(
        f"line {ln.id}: {built} built, ramp position {pos:.2f} of {ramp.ramp_periods}, rate {pilot:.0f} now"
    )
    by_period = {cal.index_of(ex.period): ex for ex in exceptions}
    if ramp.learning_rate < 1.0 and ramp.ramp_periods > 0:
        exponent = math.log2(ramp.learning_rate)
        total = _cumulative(ramp, ramp.ramp_periods)
        done = float(built)
        for j in range(cal.periods):
            rate = _rate(new_ramp, j)
            mid = done + rate / 2
            done += rate
            if mid >= total:
                break
            factor = (
                min(MAX_LEARNING_FACTOR, max(1.0, (mid / total) ** exponent))
                if mid > 0
                else MAX_LEARNING_FACTOR
            )
            if factor > 1.0:
                reason = f"learning: x{factor:.2f} hours per unit at {mid:.0f} units"
                by_period[j] = LineException(period=cal.starts[j], hours=hours[j] / factor, reason=reason)
    return ln.model_copy(
        update={"ramp_up": new_ramp, "exceptions": tuple(by_period[t] for t in sorted(by_period))}
    )
