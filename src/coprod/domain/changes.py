"""Change sets: small, validated edits of a programme, for re-plans and what-if scenarios.

    name: UK motors late
    changes:
      - {type: requirement_quantity, requirement: R012, quantity: 900}
      - {type: requirement_due, requirement: R012, due: 2026-09-01}
      - {type: move_demand, from_item: FPV-10, to_item: FPV-10-B2, share: 0.3, from_date: 2026-07-01}
      - {type: supplier_delay, offer: MOTOR-2807/AS-MOTORS/UK-MIDLANDS, until: 2026-06-01}
      - {type: supplier_capacity, offer: ..., capacity: 500}
      - {type: line_hours, line: UK-MID-1, hours: 3000}
      - {type: add_shift, line: UK-MID-1, hours: 800, from_date: 2026-05-01}
      - {type: ramp_delay, line: NO-RAU-1, periods: 2}
      - {type: drop_site, site: NO-RAUFOSS}

`apply_changes` gives the changed programme (a cold plan of it is the reference). The
first four kinds of edit after requirement_due are bounds or right-hand sides of the LP, so
a kept solver re-plans them warm (`is_bound_change`); the others change the LP's shape.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from coprod.domain.checks import Finding
from coprod.domain.entities import Line, LineException, Requirement, SupplyOffer
from coprod.domain.programme import Programme

__all__ = ["Change", "ChangeSet", "apply_changes", "check_changes", "delay_ramp", "is_bound_change"]


class _Change(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RequirementQuantity(_Change):
    type: Literal["requirement_quantity"]
    requirement: str
    quantity: int = Field(ge=1, le=10**9)


class RequirementDue(_Change):
    type: Literal["requirement_due"]
    requirement: str
    due: dt.date


class MoveDemand(_Change):
    """Move a share of every requirement for one item (due on or after a date) to another."""

    type: Literal["move_demand"]
    from_item: str
    to_item: str
    share: float = Field(gt=0, le=1)
    from_date: dt.date | None = None


class SupplierDelay(_Change):
    """Nothing ordered from the offer arrives before `until` (a slip at the supplier)."""

    type: Literal["supplier_delay"]
    offer: str
    until: dt.date


class SupplierCapacity(_Change):
    type: Literal["supplier_capacity"]
    offer: str
    capacity: int = Field(ge=0, le=10**9)


class LineHours(_Change):
    type: Literal["line_hours"]
    line: str
    hours: float = Field(ge=0, le=1e9)


class AddShift(_Change):
    """Extra hours per period on a line, from a date (a second or third shift)."""

    type: Literal["add_shift"]
    line: str
    hours: float = Field(gt=0, le=1e9)
    from_date: dt.date | None = None


class RampDelay(_Change):
    type: Literal["ramp_delay"]
    line: str
    periods: int = Field(ge=0, le=520)


class DropSite(_Change):
    type: Literal["drop_site"]
    site: str


Change = Annotated[
    RequirementQuantity
    | RequirementDue
    | MoveDemand
    | SupplierDelay
    | SupplierCapacity
    | LineHours
    | AddShift
    | RampDelay
    | DropSite,
    Field(discriminator="type"),
]
BOUND_CHANGES = (RequirementQuantity, SupplierDelay, SupplierCapacity, LineHours)


class ChangeSet(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = ""
    changes: tuple[Change, ...] = Field(min_length=1)


def is_bound_change(change: Change) -> bool:
    return isinstance(change, BOUND_CHANGES)


def check_changes(p: Programme, cs: ChangeSet) -> list[Finding]:
    """Every change naming something the programme does not have, or leaving the horizon."""
    reqs = {r.id for r in p.requirements}
    offers = {o.id for o in p.supply_offers}
    products = set(p.products)
    out: list[Finding] = []

    def bad(i: int, ch: _Change, field: str, message: str) -> None:
        out.append(Finding("changes", i, str(getattr(ch, "type", "")), field, message))

    for i, ch in enumerate(cs.changes):
        if isinstance(ch, RequirementQuantity | RequirementDue) and ch.requirement not in reqs:
            bad(i, ch, "requirement", f"unknown requirement '{ch.requirement}'")
        if isinstance(ch, RequirementDue) and not 0 <= p.calendar.index_of(ch.due) < p.calendar.periods:
            bad(i, ch, "due", f"{ch.due} is outside the horizon")
        if isinstance(ch, SupplierDelay | SupplierCapacity) and ch.offer not in offers:
            bad(i, ch, "offer", f"unknown supply offer '{ch.offer}'")
        if isinstance(ch, LineHours | AddShift | RampDelay) and ch.line not in p.line_by_id:
            bad(i, ch, "line", f"unknown line '{ch.line}'")
        if isinstance(ch, RampDelay) and ch.line in p.line_by_id and p.line_by_id[ch.line].ramp_up is None:
            bad(i, ch, "line", f"line '{ch.line}' has no ramp-up to delay")
        if isinstance(ch, DropSite) and ch.site not in p.site_by_id:
            bad(i, ch, "site", f"unknown site '{ch.site}'")
        if isinstance(ch, MoveDemand):
            for field in ("from_item", "to_item"):
                if getattr(ch, field) not in products:
                    bad(i, ch, field, f"unknown design or variant '{getattr(ch, field)}'")
    return out


def apply_changes(p: Programme, cs: ChangeSet) -> Programme:
    """The programme with every change applied, in order."""
    for ch in cs.changes:
        p = _apply(p, ch)
    return p


def _apply(p: Programme, ch: _Change) -> Programme:
    if isinstance(ch, RequirementQuantity | RequirementDue):
        update = {"quantity": ch.quantity} if isinstance(ch, RequirementQuantity) else {"due": ch.due}
        reqs = tuple(r.model_copy(update=update) if r.id == ch.requirement else r for r in p.requirements)
        return p.model_copy(update={"requirements": reqs})
    if isinstance(ch, MoveDemand):
        return p.model_copy(update={"requirements": _move_demand(p, ch)})
    if isinstance(ch, SupplierCapacity | SupplierDelay):
        return p.model_copy(
            update={
                "supply_offers": tuple(_edit_offer(o, ch) if o.id == ch.offer else o for o in p.supply_offers)
            }
        )
    if isinstance(ch, LineHours):
        lines = tuple(
            ln.model_copy(update={"hours_per_period": ch.hours, "exceptions": ()}) if ln.id == ch.line else ln
            for ln in p.lines
        )
        return p.model_copy(update={"lines": lines})
    if isinstance(ch, AddShift):
        return p.model_copy(
            update={"lines": tuple(_add_shift(p, ln, ch) if ln.id == ch.line else ln for ln in p.lines)}
        )
    if isinstance(ch, RampDelay):
        return p.model_copy(
            update={
                "lines": tuple(delay_ramp(p, ln, ch.periods) if ln.id == ch.line else ln for ln in p.lines)
            }
        )
    if isinstance(ch, DropSite):
        gone_lines = {ln.id for ln in p.lines if ln.site == ch.site}
        return p.model_copy(
            update={
                "sites": tuple(s for s in p.sites if s.id != ch.site),
                "lines": tuple(ln for ln in p.lines if ln.site != ch.site),
                "routings": tuple(r for r in p.routings if r.line not in gone_lines),
                "supply_offers": tuple(o for o in p.supply_offers if o.ship_to != ch.site),
                "lanes": tuple(ln for ln in p.lanes if ln.from_site != ch.site),
                "stock": tuple(s for s in p.stock if s.site != ch.site),
            }
        )
    raise TypeError(f"unknown change {ch!r}")


def _edit_offer(o: SupplyOffer, ch: SupplierCapacity | SupplierDelay) -> SupplyOffer:
    if isinstance(ch, SupplierCapacity):
        return o.model_copy(
            update={"capacity_per_period": ch.capacity, "min_order": min(o.min_order, ch.capacity)}
        )
    return o.model_copy(update={"available_from": max(ch.until, o.available_from or ch.until)})


def delay_ramp(p: Programme, line: Line, periods: int) -> Line:
    cal, ramp = p.calendar, line.ramp_up
    if ramp is None:
        return line
    start = cal.index_of(ramp.start) + periods
    day = cal.starts[min(start, cal.periods)] if start >= 0 else ramp.start
    return line.model_copy(update={"ramp_up": ramp.model_copy(update={"start": day})})


def _add_shift(p: Programme, line: Line, ch: AddShift) -> Line:
    cal = p.calendar
    first = 0 if ch.from_date is None else max(0, cal.index_of(ch.from_date))
    usual = {cal.index_of(ex.period): ex.hours for ex in line.exceptions}
    exceptions = [
        LineException(
            period=cal.starts[t],
            hours=usual.get(t, line.hours_per_period) + (ch.hours if t >= first else 0),
            reason="added shift" if t >= first else "",
        )
        for t in range(cal.periods)
        if t >= first or t in usual
    ]
    return line.model_copy(update={"exceptions": tuple(exceptions)})


def _move_demand(p: Programme, ch: MoveDemand) -> tuple[Requirement, ...]:
    start = ch.from_date or p.calendar.start
    existing = {(r.item, r.destination, r.due, r.priority): r for r in p.requirements}
    out = {r.id: r for r in p.requirements}
    for r in p.requirements:
        if r.item != ch.from_item or r.due < start:
            continue
        moved = int(round(r.quantity * ch.share))
        if moved == 0:
            continue
        if moved >= r.quantity:
            del out[r.id]
        else:
            out[r.id] = r.model_copy(update={"quantity": r.quantity - moved})
        twin = existing.get((ch.to_item, r.destination, r.due, r.priority))
        if twin is not None and twin.id in out:
            out[twin.id] = out[twin.id].model_copy(update={"quantity": out[twin.id].quantity + moved})
        else:
            rid = f"{r.id}-{ch.to_item}"
            out[rid] = r.model_copy(update={"id": rid, "item": ch.to_item, "quantity": moved})
    return tuple(out.values())
