"""Which time resolution a plan uses, and why: the guard on the default's service.

Far-out 4-period buckets make large LPs fast, but on some programmes (long horizons, one
capacity-tight line) they lose service against the exact plan; and on a small programme the
exact plan costs about as much as the aggregated one. So the default (`auto`) plans exactly
whenever the exact LP is small (`EXACT_UP_TO_COLUMNS`, estimated from the programme before
anything is built), and aggregates only where that pays. `Choice.as_dict` is what the Plan
reports in `resolution`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coprod.domain import Programme
from coprod.planning.grid import TimeGrid, aggregated_grid
from coprod.planning.options import Resolution

__all__ = ["EXACT_UP_TO_COLUMNS", "Choice", "choose_resolution", "exact_columns_estimate"]

# An exact LP of this many columns solves in about a second on this project's machine
# (generated S: 6k columns aggregated, 0.3 s; the bundled example: 2k, 0.1 s), while the
# exact generated M (92k after folding) takes 13 s against 2.7 s aggregated.
EXACT_UP_TO_COLUMNS = 40_000


@dataclass(frozen=True, slots=True)
class Choice:
    grid: TimeGrid | None  # None: every calendar period is a bucket
    used: str  # exact | aggregated
    reason: str
    refinements: int = 0

    def as_dict(self, buckets: int) -> dict[str, object]:
        return {"used": self.used, "reason": self.reason, "refinements": self.refinements, "buckets": buckets}


def exact_columns_estimate(p: Programme) -> int:
    """An upper estimate of the exact LP's columns: every routing, offer and lane in every
    period, and a delivery column per requirement from its due period on."""
    T = p.calendar.periods
    per_period = len(p.routings) + len(p.supply_offers) + len(p.lanes) * max(1, len(p.products))
    due = np.array([p.calendar.index_of(r.due) for r in p.requirements], dtype=np.int64)
    return int(T * per_period + np.maximum(T - due, 0).sum())


def choose_resolution(p: Programme, resolution: Resolution, frozen: int = 13) -> Choice:
    if resolution is Resolution.EXACT:
        return Choice(None, "exact", "asked for: every period is a bucket")
    if resolution is Resolution.AUTO:
        columns = exact_columns_estimate(p)
        if columns <= EXACT_UP_TO_COLUMNS:
            return Choice(
                None,
                "exact",
                f"the exact LP is small (about {columns:,} columns, at most {EXACT_UP_TO_COLUMNS:,}): "
                "no aggregation, no loss",
            )
    grid = aggregated_grid(p, frozen=frozen)
    if grid.is_exact:
        return Choice(None, "exact", "the horizon ends within the single periods near term")
    fine = int(np.argmax(grid.length > 1))
    why = "asked for" if resolution is Resolution.AGGREGATED else "the exact LP is large"
    return Choice(
        grid,
        "aggregated",
        f"{why}: single periods through {fine} (frozen {frozen} + the longest lead time), "
        "4-period buckets beyond",
    )
