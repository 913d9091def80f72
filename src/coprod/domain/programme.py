"""The programme aggregate: every record, plus the cross-reference checks between them.

`Programme.model_validate(data)` checks fields; `check_references(programme)` returns every
broken rule between records (unknown ids, duplicates, BOM cycles, lead times beyond the
horizon, ...). `load` in coprod.io runs both and raises ProgrammeInvalid with all problems.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from coprod.domain.actuals import ScheduledReceipt
from coprod.domain.calendar import Calendar
from coprod.domain.entities import (
    Component,
    Design,
    Destination,
    ExchangeRate,
    Lane,
    Licence,
    Line,
    Partner,
    Requirement,
    Routing,
    Site,
    Stock,
    SupplyOffer,
    Variant,
)

__all__ = ["Programme", "Settings"]


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = "programme"
    currency: str = Field(default="EUR", min_length=3, max_length=3, description="The programme's currency")
    priority_weights: dict[int, float] = Field(
        default_factory=lambda: {1: 4.0, 2: 2.0, 3: 1.0},
        description="Weight of one unit-period of lateness per priority (1 = most urgent)",
    )


class Programme(BaseModel):
    """Everything one co-production effort holds. Immutable: use `model_copy(update=...)`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    settings: Settings = Field(default_factory=Settings)
    calendar: Calendar
    partners: tuple[Partner, ...] = ()
    sites: tuple[Site, ...] = ()
    lines: tuple[Line, ...] = ()
    destinations: tuple[Destination, ...] = ()
    components: tuple[Component, ...] = ()
    designs: tuple[Design, ...] = ()
    routings: tuple[Routing, ...] = ()
    licences: tuple[Licence, ...] = ()
    supply_offers: tuple[SupplyOffer, ...] = ()
    lanes: tuple[Lane, ...] = ()
    stock: tuple[Stock, ...] = ()
    requirements: tuple[Requirement, ...] = ()
    # rates of the partners' currencies into settings.currency, each in force until the next
    exchange_rates: tuple[ExchangeRate, ...] = ()
    # goods already on their way (lots in transit, open orders): set by planning as of a date
    scheduled_receipts: tuple[ScheduledReceipt, ...] = ()

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Programme:
        """A copy with `update` applied; look-ups cached on this programme are not carried over
        (they would describe the old records)."""
        copy = super().model_copy(update=update, deep=deep)
        for name, member in vars(Programme).items():
            if isinstance(member, cached_property):
                copy.__dict__.pop(name, None)
        return copy

    # Look-ups built once per (immutable) programme.
    @cached_property
    def partner_by_id(self) -> dict[str, Partner]:
        return {p.id: p for p in self.partners}

    @cached_property
    def site_by_id(self) -> dict[str, Site]:
        return {s.id: s for s in self.sites}

    @cached_property
    def line_by_id(self) -> dict[str, Line]:
        return {ln.id: ln for ln in self.lines}

    @cached_property
    def design_by_id(self) -> dict[str, Design]:
        return {d.id: d for d in self.designs}

    @cached_property
    def component_by_id(self) -> dict[str, Component]:
        return {c.id: c for c in self.components}

    @cached_property
    def built_assemblies(self) -> frozenset[str]:
        """Assemblies some line builds (a routing names them): they keep a balance of their
        own instead of being exploded into their parts."""
        return frozenset(
            rt.design
            for rt in self.routings
            if rt.design in self.component_by_id and self.component_by_id[rt.design].bom
        )

    @cached_property
    def variant_by_id(self) -> dict[str, tuple[Design, Variant]]:
        return {v.id: (d, v) for d in self.designs for v in d.variants}

    @cached_property
    def products(self) -> tuple[str, ...]:
        """Deliverable items: every design (its base configuration) and every variant."""
        out: list[str] = []
        for d in self.designs:
            out.append(d.id)
            out.extend(v.id for v in d.variants)
        return tuple(out)

    def design_of(self, product: str) -> Design:
        if product in self.design_by_id:
            return self.design_by_id[product]
        return self.variant_by_id[product][0]

    def weight_of(self, priority: int) -> float:
        return self.settings.priority_weights[priority]
