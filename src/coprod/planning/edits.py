"""Which edits of a programme a kept LP can take as new bounds, and which need a new LP.

A server keeps the planning session of a programme between plans (app/plan_sessions.py);
what it has next is not a change set but the programme as stored now. `rebuild_reason`
compares the two: the LP's matrix and costs stay valid when only requirement quantities
(the requirement rows' right-hand sides), supply offers' capacity, minimum order or first
arrival date (order column bounds; minimum orders are applied when rounding) and lines'
hours (hour rows' right-hand sides) differ. Anything else reshapes the LP, and so do these
edits where the LP was derived from them:
  - an offer folded into build cost (planning/reduce.py) changes;
  - a line's hours rise where folded supply was proven ample at the old hours;
  - a line's hours go to or from zero (a build exists only where its line has hours);
  - a line with learning has its hours changed in a bucket of several periods (the bucket's
    hours per unit average the learning weighted by the hours);
  - the time resolution `plan` would choose for the new programme differs.
Prices and exchange rates (MONEY_FIELDS) are the LP's costs: `with_money_of` takes them out
of the comparison, and the session (planning/replan.py) gives the kept solver the new
programme's costs when its LP has the kept layout.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel

from coprod.domain import Programme
from coprod.domain.capacity import line_hours
from coprod.planning.options import Resolution
from coprod.planning.resolution import choose_resolution
from coprod.planning.structure import Structure

__all__ = ["BOUND_FIELDS", "MONEY_FIELDS", "rebuild_reason", "with_money_of"]

# per section: the fields whose edits are bounds of the LP
BOUND_FIELDS = {
    "requirements": frozenset({"quantity"}),
    "supply_offers": frozenset({"capacity_per_period", "min_order", "available_from"}),
    "lines": frozenset({"hours_per_period", "exceptions"}),
}


# per section: the fields that only price things (the LP's costs); exchange rates too
MONEY_FIELDS = {
    "supply_offers": frozenset({"unit_price", "currency"}),
    "routings": frozenset({"cost_per_unit", "currency"}),
    "licences": frozenset({"royalty_per_unit", "currency"}),
    "lanes": frozenset({"cost_per_unit", "currency"}),
    "components": frozenset({"holding_cost"}),
    "designs": frozenset({"holding_cost"}),
}


def with_money_of(before: Programme, after: Programme) -> Programme | None:
    """`before` with `after`'s prices and exchange rates (MONEY_FIELDS), so what is left
    between it and `after` is what else changed; None when no price or rate changed or the
    sections' records differ in number (a record added or removed is no price edit)."""
    update: dict[str, object] = {}
    if before.exchange_rates != after.exchange_rates:
        update["exchange_rates"] = after.exchange_rates
    for section, fields in MONEY_FIELDS.items():
        old, new = getattr(before, section), getattr(after, section)
        if len(old) != len(new):
            return None
        records = []
        for a, b in zip(old, new, strict=True):
            moved = {f: getattr(b, f) for f in fields if getattr(a, f) != getattr(b, f)}
            records.append(a.model_copy(update=moved) if moved else a)
        if any(r is not a for r, a in zip(records, old, strict=True)):
            update[section] = tuple(records)
    return before.model_copy(update=update) if update else None


def _changed_fields(a: BaseModel, b: BaseModel) -> set[str]:
    return {name for name in type(a).model_fields if getattr(a, name) != getattr(b, name)}


def _section_reason(section: str, before: tuple[BaseModel, ...], after: tuple[BaseModel, ...]) -> str | None:
    """Why the records of one section are not bound edits of each other, or None."""
    ids_before = [getattr(r, "id", None) for r in before]
    if ids_before != [getattr(r, "id", None) for r in after]:
        return f"{section} were added, removed or reordered"
    allowed = BOUND_FIELDS.get(section, frozenset())
    for a, b in zip(before, after, strict=True):
        if a == b:
            continue
        other = sorted(_changed_fields(a, b) - allowed)
        if other:
            return f"{section} '{getattr(a, 'id', '?')}' changed in {', '.join(other)}"
    return None


def _lines_reason(before: Programme, after: Programme, s: Structure) -> str | None:
    aggregated = s.grid is not None and not s.grid.is_exact
    for a, b in zip(before.lines, after.lines, strict=True):
        if a == b:
            continue
        old = np.array(line_hours(a, before.calendar))
        new = np.array(line_hours(b, after.calendar))
        if not np.array_equal(old > 0, new > 0):
            return f"line '{a.id}' gains or loses every hour in some period"
        if s.ample and np.any(new > old):
            return f"more hours on line '{a.id}' may make folded supply bind"
        if aggregated and a.ramp_up is not None and s.grid is not None:
            long = np.repeat(s.grid.length > 1, s.grid.length)[: len(old)]
            if np.any((old != new) & long):
                return f"line '{a.id}' learns, and its hours change inside an aggregated bucket"
    return None


def rebuild_reason(
    before: Programme,
    after: Programme,
    s: Structure,
    resolution: Resolution,
    unchanged: frozenset[str] = frozenset(),
) -> str | None:
    """Why the LP built from `before` (its analysed structure `s`) cannot be re-solved for
    `after` by changing bounds, or None when it can. `unchanged`: sections the caller knows
    to be equal (their stored records are), not compared record by record again."""
    for name in type(before).model_fields:
        if name in unchanged:
            continue
        a, b = getattr(before, name), getattr(after, name)
        if a == b:
            continue
        if name not in BOUND_FIELDS:
            return f"{name} changed"
        why = _section_reason(name, a, b)
        if why is not None:
            return why
    if "supply_offers" not in unchanged:
        folded = {before.supply_offers[k].id for k in s.ample.values()}
        for a, b in zip(before.supply_offers, after.supply_offers, strict=True):
            if a != b and a.id in folded:
                return f"offer '{a.id}' was folded into build cost and changed"
    if not {"lines", "calendar"} <= unchanged:
        why = _lines_reason(before, after, s)
        if why is not None:
            return why
    old, new = s.grid, choose_resolution(after, resolution).grid
    same_grid = (
        (old is None or old.is_exact)
        if new is None
        else (old is not None and np.array_equal(old.length, new.length))
    )
    return None if same_grid else "the time resolution of the new programme differs"
