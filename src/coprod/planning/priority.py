"""Strict priority: no lower class is served at the expense of a higher one.

With priorities as weights (the default), ten units five periods late at weight 1 cost more
than ten units one period late at weight 4, so a priority-3 order due in January can be
served on time while a priority-1 order due in May waits a month. Strict priority solves
once per class present, highest first: each solve minimises that class's lateness (and the
plan's cost, below it, with the usual service-dominant W), with one bound row per class
above holding it at its optimum. No huge weights (../shared/SOLVING.md: they wreck the
numerics); each solve after the first starts from the previous basis (dual simplex warm:
only costs and one row bound changed).

The whole-unit repair re-solves with production fixed; it must keep the same order of
classes, so it calls `StrictSolver.solve` too (bounds reset, then class by class).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from coprod.planning.highs import HighsSession, SolveOutcome
from coprod.planning.model import PlanningModel
from coprod.planning.options import Method

__all__ = ["StrictSolver", "column_priority"]

# Families whose columns belong to one requirement and price its service.
REQUIREMENT_FAMILIES = ("deliver", "unmet", "fair_short")


def column_priority(m: PlanningModel) -> np.ndarray:
    """Each column's requirement priority (0 for columns that serve no one requirement)."""
    lp = m.lp
    prio = np.zeros(lp.shape[1], dtype=np.int64)
    by_req = np.array([r.priority for r in m.structure.programme.requirements], dtype=np.int64)
    for name in REQUIREMENT_FAMILIES:
        fam = lp.columns.get(name)
        if fam is not None and fam.size:
            prio[fam.slice] = by_req[fam.keys["requirement"]]
    return prio


class StrictSolver:
    """Solves `m` class by class on `session`; `solve` may be called again after bound edits."""

    def __init__(self, m: PlanningModel, session: HighsSession) -> None:
        self.m, self.session = m, session
        lp = m.lp
        prio = column_priority(m)
        self.classes = sorted(int(c) for c in np.unique(prio) if c > 0)
        # everything that prices service (lateness, unmet, fair-share shortfall), by class
        service = lp.cost.copy()
        service[prio == 0] = 0.0
        self.base = lp.cost - service  # the plan's own costs
        self.by_class = {c: np.where(prio == c, service, 0.0) for c in self.classes}
        self.rows: dict[int, int] = {}
        for c in self.classes[:-1]:  # the last class is bounded by nothing after it
            nz = np.flatnonzero(self.by_class[c])
            self.rows[c] = session.add_row(-np.inf, np.inf, nz, self.by_class[c][nz])

    def _relax(self) -> None:
        rows = np.array(list(self.rows.values()), dtype=np.int64)
        self.session.set_row_bounds(rows, np.full(rows.size, -np.inf), np.full(rows.size, np.inf))

    def solve(self, method: Method | None = None) -> SolveOutcome:
        """The strict-priority optimum; its `objective` is the weighted objective of that
        point (what `lp_objective` means for every plan)."""
        self._relax()
        outcome: SolveOutcome | None = None
        W = self.m.unit_weight
        for i, c in enumerate(self.classes):
            self.session.set_costs(self.base + self.by_class[c])
            # later classes start from the basis the previous one left: dual simplex, warm
            outcome = self.session.solve(method=method if i == 0 else Method.SIMPLEX)
            if c in self.rows:
                reached = float(self.by_class[c] @ outcome.x)
                bound = reached * (1 + 1e-9) + 1e-6 * W
                self.session.set_row_bounds(np.array([self.rows[c]]), np.array([-np.inf]), np.array([bound]))
        self.session.set_costs(self.m.lp.cost)
        if outcome is None:  # no requirements: nothing to order by
            return self.session.solve(method=method)
        return replace(outcome, objective=float(self.m.lp.cost @ outcome.x))
