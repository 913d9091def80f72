"""Re-planning: keep the solver alive, apply a change set as bound edits, re-solve warm.

Requirement quantities, supplier delays and capacities, and line hours are all bounds or
right-hand sides of the LP, so the kept HiGHS instance re-solves from its last basis with
dual simplex (SOLVING.md: 1.9 s warm against 27 s cold after a 5 % demand change at M).
The first `frozen` periods keep the previous plan's production, orders and shipments.
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np

from coprod.domain import Programme
from coprod.domain.capacity import line_hours
from coprod.domain.changes import (
    ChangeSet,
    LineHours,
    SupplierCapacity,
    SupplierDelay,
    apply_changes,
    check_changes,
    is_bound_change,
)
from coprod.errors import Problem, ProgrammeInvalid
from coprod.planning.analyse import analyse
from coprod.planning.grid import aggregated_grid
from coprod.planning.highs import HighsSession
from coprod.planning.model import PlanningModel, build_model, order_capacity
from coprod.planning.options import Method, PlanOptions, Resolution
from coprod.planning.repair import repair_to_units
from coprod.planning.result import Plan
from coprod.planning.solve import assemble_plan, solve_model

__all__ = ["PlanningSession"]

INF = np.inf


class PlanningSession:
    """A plan and the live solver behind it; `replan` answers "what now?" warm."""

    def __init__(self, programme: Programme, options: PlanOptions | None = None) -> None:
        self.options = options or PlanOptions()
        self._plan_cold(programme)

    def _plan_cold(self, programme: Programme) -> None:
        """Build the LP, solve it, keep the instance and the optimum's basis."""
        started = time.perf_counter()
        # the same resolution as `plan` (the default coarsens far periods), so warm and cold agree
        grid = aggregated_grid(programme) if self.options.resolution is Resolution.AUTO else None
        self.model: PlanningModel = build_model(
            analyse(programme, fold_supply=self.options.fold_supply, grid=grid)
        )
        self.session = HighsSession(self.model.lp, self.options.solver)
        build_s = time.perf_counter() - started
        outcome = solve_model(self.model, self.session, self.options.objective)
        # The LP optimum's basis, not the one the whole-unit repair leaves: a bound or
        # right-hand-side change keeps it dual feasible, so dual simplex starts close.
        self.basis = self.session.save_basis()
        self.x, _ = repair_to_units(self.model, self.session, outcome)
        timings = {"build_s": build_s, "solve_s": outcome.seconds}
        self.plan: Plan = assemble_plan(self.model, outcome, self.x, timings, outcome.status.value)
        timings["total_s"] = time.perf_counter() - started  # the same dict the plan holds

    def _needs_rebuild(self, changes: ChangeSet) -> bool:
        """True when a change alters the LP's shape, or breaks the folding of ample supply."""
        if not all(is_bound_change(ch) for ch in changes.changes):
            return True
        s = self.model.structure
        if not s.ample:
            return False
        folded = {s.programme.supply_offers[k].id for k in s.ample.values()}
        for ch in changes.changes:
            if isinstance(ch, SupplierDelay | SupplierCapacity) and ch.offer in folded:
                return True
            if isinstance(ch, LineHours):
                line = s.programme.line_by_id[ch.line]
                if ch.hours > min(line_hours(line, s.programme.calendar)):
                    return True
        return False

    @property
    def programme(self) -> Programme:
        return self.model.structure.programme

    def replan(self, changes: ChangeSet, frozen: int = 0, source: str = "changes") -> Plan:
        findings = check_changes(self.programme, changes)
        if findings:
            raise ProgrammeInvalid(
                [Problem(source, f"changes[{f.index}] ({f.key})", f.field, f.message) for f in findings]
            )
        started = time.perf_counter()
        changed = apply_changes(self.programme, changes)
        if self._needs_rebuild(changes):
            # The LP's shape changes (a due date, a dropped site, ...), or a folded offer
            # changed or may now bind: build the LP again for the changed programme (cold).
            self._plan_cold(changed)
            self.plan.timings["total_s"] = time.perf_counter() - started
            self.plan.timings["cold_rebuild"] = 1.0
            return replace(self.plan)
        m, lp = self.model, self.model.lp
        m.structure.programme = changed
        cols = lp.columns
        lower, upper = lp.col_lower.copy(), lp.col_upper.copy()
        buy = cols["buy"]
        grid = m.structure.grid
        upper[buy.slice] = order_capacity(changed, buy.keys["offer"], buy.keys["period"], grid)
        if frozen > 0:  # keep what was already decided for the first `frozen` periods
            for name in ("make", "buy", "ship"):
                fam = cols[name]
                keep = fam.start + np.flatnonzero(fam.keys["period"] < frozen)
                lower[keep] = upper[keep] = self.x[keep]
        lp.col_upper[:] = upper
        all_cols = np.arange(lower.size)
        self.session.set_column_bounds(all_cols, lower, upper)
        req = lp.rows["requirement"]
        qty = np.array([r.quantity for r in changed.requirements], dtype=float)
        lp.row_lower[req.slice] = lp.row_upper[req.slice] = qty
        hours = lp.rows["hours"]
        by_line = {
            i: (
                grid.sum_over(np.array(line_hours(changed.lines[i], changed.calendar)))
                if grid is not None
                else line_hours(changed.lines[i], changed.calendar)
            )
            for i in np.unique(hours.keys["line"])
        }
        old_hours = lp.row_upper[hours.slice].copy()
        new_hours = np.array(
            [by_line[int(li)][int(t)] for li, t in zip(hours.keys["line"], hours.keys["period"], strict=True)]
        )
        # Frozen periods are already committed: their hours stay as they were planned with.
        lp.row_upper[hours.slice] = np.where(hours.keys["period"] < frozen, old_hours, new_hours)
        rows = np.arange(lp.shape[0])
        self.session.set_row_bounds(rows, lp.row_lower, lp.row_upper)
        self.session.restore_basis(self.basis)
        clock = time.perf_counter()
        outcome = self.session.solve(method=Method.SIMPLEX)  # warm: dual simplex from the kept basis
        solve_s = time.perf_counter() - clock
        self.basis = self.session.save_basis()
        clock = time.perf_counter()
        self.x, _ = repair_to_units(m, self.session, outcome)
        repair_s = time.perf_counter() - clock
        timings = {"solve_s": solve_s, "repair_s": repair_s, "iterations": float(outcome.iterations)}
        self.plan = assemble_plan(m, outcome, self.x, timings, outcome.status.value)
        timings["total_s"] = time.perf_counter() - started
        return replace(self.plan)
