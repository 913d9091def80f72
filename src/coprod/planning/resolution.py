"""Which time resolution a plan uses, and why: the guard on the default's service.

Far-out 4-period buckets make large LPs fast, but they lose service against the exact plan
on some programmes (long horizons, one capacity-tight line), and on a small programme the
exact plan costs about as much as the aggregated one. So the default (`auto`) spends a
budget of LP columns (`EXACT_UP_TO_COLUMNS`, estimated from the programme before anything
is built): a programme whose exact LP fits is planned exactly; a larger one keeps single
periods as far out as the budget allows (never fewer than the frozen window plus the
longest lead time, grid.py) and 4-period buckets beyond. Generated M is far over the budget
and keeps today's grid, so the guard costs it nothing. `Choice.as_dict` is what the Plan
reports in `resolution`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coprod.domain import Programme
from coprod.planning.grid import TimeGrid, aggregated_grid
from coprod.planning.options import Resolution

__all__ = ["EXACT_UP_TO_COLUMNS", "Choice", "choose_resolution", "exact_columns_estimate"]

# Where the budget sits (CPU seconds on this project's 2-core machine, docs/performance.md):
# the bundled example (about 4.6k estimated columns) and generated S (9.4k) plan exactly in
# well under a second; generated S over 104 weeks (44k, just over) took 5.7 s exactly and
# 1.4 s on the plain aggregated grid; generated M (529k estimated, 92k real after folding)
# takes 13 s exactly against 2.7 s aggregated. The estimate overcounts: it only ranks sizes.
EXACT_UP_TO_COLUMNS = 40_000


@dataclass(frozen=True, slots=True)
class Choice:
    grid: TimeGrid | None  # None: every calendar period is a bucket
    used: str  # exact | aggregated
    reason: str
    # steps away from the plain aggregated grid (single periods through frozen + the longest
    # lead time): 1 when the default planned exactly or kept more single periods, else 0
    refinements: int = 0

    def as_dict(self, buckets: int) -> dict[str, object]:
        single = buckets if self.grid is None else int(np.argmax(self.grid.length > 1))
        return {
            "used": self.used,
            "reason": self.reason,
            "refinements": self.refinements,
            "buckets": buckets,
            "single_periods": single,
        }


def exact_columns_estimate(p: Programme) -> int:
    """A rough count of the exact LP's columns before reductions: every routing, offer and
    lane in every period, stock of every item at every site, a delivery column per
    requirement from its due period on."""
    T = p.calendar.periods
    items = len(p.components) + len(p.products)
    per_period = len(p.routings) + len(p.supply_offers) + len(p.lanes) * max(1, len(p.products))
    per_period += items * len(p.sites)
    due = np.array([p.calendar.index_of(r.due) for r in p.requirements], dtype=np.int64)
    return int(T * per_period + np.maximum(T - due, 0).sum())


def choose_resolution(p: Programme, resolution: Resolution, frozen: int = 13) -> Choice:
    if resolution is Resolution.EXACT:
        return Choice(
            None,
            "exact",
            "asked for: every period is a bucket (supply that can never bind is still folded away: "
            "exact in value, a smaller LP)",
        )
    T = p.calendar.periods
    columns = exact_columns_estimate(p)
    fine = 0
    if resolution is Resolution.AUTO:
        if columns <= EXACT_UP_TO_COLUMNS:
            return Choice(
                None,
                "exact",
                f"the exact LP is small (about {columns:,} columns, at most {EXACT_UP_TO_COLUMNS:,}): "
                "no aggregation, no loss",
                refinements=1,
            )
        # single periods for f periods and 4-period buckets for the rest: about
        # (f + (T - f) / 4) / T of the exact columns; the largest f within the budget
        fine = int((EXACT_UP_TO_COLUMNS * T / columns - T / 4) * 4 / 3)
    grid = aggregated_grid(p, frozen=frozen, fine=fine)
    if grid.is_exact:
        return Choice(None, "exact", "the horizon ends within the single periods near term")
    single = int(np.argmax(grid.length > 1))
    plain = int(np.argmax(aggregated_grid(p, frozen=frozen).length > 1))
    why = (
        "asked for"
        if resolution is Resolution.AGGREGATED
        else f"the exact LP is large (about {columns:,} columns)"
    )
    return Choice(
        grid,
        "aggregated",
        f"{why}: the first {single} periods single (at least frozen {frozen} + the longest "
        "lead time), 4-period buckets beyond",
        refinements=int(single > plain),
    )
