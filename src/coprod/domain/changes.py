"""Change sets: small, validated edits of a programme (re-plans and what-if scenarios).

    changes:
      - {type: requirement_quantity, requirement: R012, quantity: 900}
      - {type: supplier_delay, offer: MOTOR-2807/AS-MOTORS/UK-MIDLANDS, until: 2026-06-01}
      - {type: supplier_capacity, offer: ..., capacity: 500}
      - {type: line_hours, line: UK-MID-1, hours: 3000}

Each change is also applied to the programme itself (`apply_changes`), so a cold plan of
the changed programme is always the reference a warm re-plan must match.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from coprod.domain.checks import Finding
from coprod.domain.programme import Programme

__all__ = ["Change", "ChangeSet", "apply_changes", "check_changes"]


class _Change(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RequirementQuantity(_Change):
    type: Literal["requirement_quantity"]
    requirement: str
    quantity: int = Field(ge=1, le=10**9)


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


Change = Annotated[
    RequirementQuantity | SupplierDelay | SupplierCapacity | LineHours, Field(discriminator="type")
]


class ChangeSet(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = ""
    changes: tuple[Change, ...] = Field(min_length=1)


def check_changes(p: Programme, cs: ChangeSet) -> list[Finding]:
    reqs = {r.id for r in p.requirements}
    offers = {o.id for o in p.supply_offers}
    out = []
    for i, ch in enumerate(cs.changes):
        if isinstance(ch, RequirementQuantity) and ch.requirement not in reqs:
            out.append(
                Finding("changes", i, ch.type, "requirement", f"unknown requirement '{ch.requirement}'")
            )
        elif isinstance(ch, SupplierDelay | SupplierCapacity) and ch.offer not in offers:
            out.append(Finding("changes", i, ch.type, "offer", f"unknown supply offer '{ch.offer}'"))
        elif isinstance(ch, LineHours) and ch.line not in p.line_by_id:
            out.append(Finding("changes", i, ch.type, "line", f"unknown line '{ch.line}'"))
    return out


def apply_changes(p: Programme, cs: ChangeSet) -> Programme:
    """The programme with every change applied (for a cold plan of the same question)."""
    reqs = list(p.requirements)
    offers = list(p.supply_offers)
    lines = list(p.lines)
    extra_exceptions: dict[str, float] = {}
    for ch in cs.changes:
        if isinstance(ch, RequirementQuantity):
            reqs = [
                r.model_copy(update={"quantity": ch.quantity}) if r.id == ch.requirement else r for r in reqs
            ]
        elif isinstance(ch, SupplierCapacity):
            offers = [
                o.model_copy(
                    update={
                        "capacity_per_period": ch.capacity,
                        "min_order": min(o.min_order, ch.capacity),
                    }
                )
                if o.id == ch.offer
                else o
                for o in offers
            ]
        elif isinstance(ch, LineHours):
            extra_exceptions[ch.line] = ch.hours
        elif isinstance(ch, SupplierDelay):
            offers = [
                o.model_copy(update={"available_from": max(ch.until, o.available_from or ch.until)})
                if o.id == ch.offer
                else o
                for o in offers
            ]
    lines = [
        ln.model_copy(update={"hours_per_period": extra_exceptions[ln.id], "exceptions": ()})
        if ln.id in extra_exceptions
        else ln
        for ln in lines
    ]
    return p.model_copy(
        update={"requirements": tuple(reqs), "supply_offers": tuple(offers), "lines": tuple(lines)}
    )
