"""Bills of materials: which components one unit of a product consumes, period by period.

A product is a design (its base configuration) or a variant (the design with components
replaced or added). The BOM in force in period t is the latest revision effective on or
before t. Assemblies (components with a BOM) are phantoms, exploded into their parts, unless
a routing builds them on a line (Programme.built_assemblies): a built assembly stays whole.
Yields compound: a line of qty q at yield y needs q / y, so 4 motors at 98% need 4.0816.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from coprod.domain.entities import BomLine
from coprod.domain.programme import Programme

__all__ = ["BomSegment", "bom_segments", "explode", "items_used"]


@dataclass(frozen=True, slots=True)
class BomSegment:
    """Periods first..last (inclusive) use `usage` (component -> quantity per unit)."""

    first: int
    last: int
    revision: int
    usage: dict[str, float]


def explode(programme: Programme, lines: Iterable[BomLine]) -> dict[str, float]:
    """Components with a balance (purchased parts and built assemblies) per unit for a list of
    BOM lines, yields included: phantom assemblies are walked through."""
    out: dict[str, float] = {}
    by_id = programme.component_by_id
    built = programme.built_assemblies

    def walk(items: Iterable[BomLine], factor: float, depth: int) -> None:
        if depth > 50:  # cycles are rejected by validation; this is a guard, not a rule
            raise ValueError("BOM deeper than 50 levels")
        for b in items:
            need = factor * b.qty / b.yield_
            comp = by_id.get(b.item)
            if comp is not None and comp.bom and b.item not in built:
                walk(comp.bom, need, depth + 1)
            else:
                out[b.item] = out.get(b.item, 0.0) + need

    walk(lines, 1.0, 0)
    return out


def _product_lines(programme: Programme, product: str, bom: tuple[BomLine, ...]) -> list[BomLine]:
    if product in programme.design_by_id:
        return list(bom)
    _, variant = programme.variant_by_id[product]
    swap = {r.from_: r.to for r in variant.replace}
    lines = [b.model_copy(update={"item": swap.get(b.item, b.item)}) for b in bom]
    return lines + list(variant.add)


def items_used(programme: Programme, product: str, bom: tuple[BomLine, ...]) -> list[str]:
    """Every component a unit of `product` built to `bom` contains, assemblies included, in
    the order first met (depth first)."""
    by_id = programme.component_by_id
    seen: dict[str, None] = {}

    def walk(items: Iterable[BomLine], depth: int) -> None:
        for b in items:
            if b.item in seen or depth > 50:
                continue
            seen[b.item] = None
            comp = by_id.get(b.item)
            if comp is not None and comp.bom:
                walk(comp.bom, depth + 1)

    walk(_product_lines(programme, product, bom), 0)
    return list(seen)


def bom_segments(programme: Programme, product: str) -> list[BomSegment]:
    """The BOM of `product` over the horizon, as segments of periods sharing one revision."""
    design = programme.design_of(product)
    cal = programme.calendar
    revs = sorted(design.revisions, key=lambda r: r.effective_from)
    starts = [max(0, cal.index_of(r.effective_from)) for r in revs]
    segments: list[BomSegment] = []
    for i, rev in enumerate(revs):
        first = starts[i]
        last = (starts[i + 1] - 1) if i + 1 < len(revs) else cal.periods - 1
        last = min(last, cal.periods - 1)
        if first > last:
            continue  # superseded before it took effect, or after the horizon
        usage = explode(programme, _product_lines(programme, product, rev.bom))
        segments.append(BomSegment(first, last, rev.revision, usage))
    return segments
