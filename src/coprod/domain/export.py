"""Export control: who may receive a controlled item, build with it, or read its records.

An item (component or design) or a design revision may carry an `ExportControl`. A place
(site or destination) may receive a controlled item when its partner is named in the control
or the place's country is; the owner of a design may always receive its own design and
revisions. Components inside a product are controlled where the product is *built* (the
plant handles them); a finished product is controlled where it is *delivered* by its design's
and revisions' controls. docs/export-control.md has the rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from coprod.domain.bom import items_used
from coprod.domain.entities import Design, ExportControl, Revision
from coprod.domain.programme import Programme

__all__ = [
    "Blocker",
    "build_blocker",
    "component_blocker",
    "delivery_blocker",
    "has_controls",
    "item_control",
    "place_party",
    "reader_allowed",
]


@dataclass(frozen=True, slots=True)
class Blocker:
    """The controlled item that keeps a place from receiving something, and its control."""

    item: str  # a component id, a design id, or "DESIGN revision N"
    control: ExportControl
    place: str
    partner: str

    def message(self) -> str:
        who = f"{self.place} (partner {self.partner})" if self.place != self.partner else self.partner
        return (
            f"{self.item} is export-controlled ({self.control.classification}) and {who} "
            f"is not allowed to receive it"
        )


def has_controls(p: Programme) -> bool:
    """Does any component, design or revision carry an export control?"""
    return any(c.export_control is not None for c in p.components) or any(
        d.export_control is not None or any(r.export_control is not None for r in d.revisions)
        for d in p.designs
    )


def place_party(p: Programme, place: str) -> tuple[str, str] | None:
    """(partner, country) of a site or destination; None for an unknown place."""
    site = p.site_by_id.get(place)
    if site is not None:
        return site.partner, site.country
    for d in p.destinations:
        if d.id == place:
            return d.partner, d.country
    return None


def _design_controls(design: Design, revision: Revision | None) -> list[tuple[str, ExportControl]]:
    out = []
    if design.export_control is not None:
        out.append((design.id, design.export_control))
    if revision is not None and revision.export_control is not None:
        out.append((f"{design.id} revision {revision.revision}", revision.export_control))
    return out


def reader_allowed(control: ExportControl, partner: str, country: str, owner: str | None = None) -> bool:
    """May `partner` (in `country`) receive or read an item under `control`?"""
    return partner == owner or control.allows(partner, country)


def build_blocker(p: Programme, product: str, revision: int, site: str) -> Blocker | None:
    """Why `site` may not build `product` to `revision` (None: it may): the design, the
    revision or a component of its BOM (assemblies included) it may not receive."""
    party = place_party(p, site)
    if party is None:
        return None
    partner, country = party
    design = p.design_of(product)
    rev = next((r for r in design.revisions if r.revision == revision), None)
    for item, control in _design_controls(design, rev):
        if not reader_allowed(control, partner, country, design.owner):
            return Blocker(item, control, site, partner)
    if rev is None:
        return None
    for item in items_used(p, product, rev.bom):
        comp = p.component_by_id.get(item)
        found = comp.export_control if comp is not None else None
        if found is not None and not found.allows(partner, country):
            return Blocker(item, found, site, partner)
    return None


def component_blocker(p: Programme, component: str, place: str) -> Blocker | None:
    """Why `place` may not receive `component` (None: it may)."""
    comp = p.component_by_id.get(component)
    party = place_party(p, place)
    if comp is None or comp.export_control is None or party is None:
        return None
    if comp.export_control.allows(*party):
        return None
    return Blocker(component, comp.export_control, place, party[0])


def delivery_blocker(p: Programme, product: str, place: str) -> Blocker | None:
    """Why finished units of `product` may not go to `place` (None: they may). A unit does
    not say which revision it was built to, so every revision in force within the horizon
    must allow the place."""
    party = place_party(p, place)
    if party is None or product not in p.products:
        return None
    partner, country = party
    design = p.design_of(product)
    controls = _design_controls(design, None)
    for rev in design.revisions:
        if rev.effective_from <= p.calendar.end and rev.export_control is not None:
            controls.append((f"{design.id} revision {rev.revision}", rev.export_control))
    for item, control in controls:
        if not reader_allowed(control, partner, country, design.owner):
            return Blocker(item, control, place, partner)
    return None


def item_control(p: Programme, item: str) -> tuple[ExportControl, str | None] | None:
    """The control of a component or design and the partner exempt from it (a design's
    owner); None when the item is not controlled."""
    comp = p.component_by_id.get(item)
    if comp is not None and comp.export_control is not None:
        return comp.export_control, None
    design = p.design_by_id.get(item)
    if design is not None and design.export_control is not None:
        return design.export_control, design.owner
    return None
