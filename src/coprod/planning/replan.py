"""Re-planning: keep the solver alive, apply a change set as bound edits, re-solve warm.

Requirement quantities, supplier delays and capacities, and line hours are all bounds or
right-hand sides of the LP, so the kept HiGHS instance re-solves from its last basis with
dual simplex (SOLVING.md: 1.9 s warm against 27 s cold after a 5 % demand change at M).
Any other change rebuilds the LP for the changed programme. On both paths the first
`frozen` periods keep the last plan's production, orders and shipments, matched by key
(planning/commit.py), or the re-plan is refused; the plan's `replan` field says which path
ran and why. Orders of folded supply (reduce.py) follow production and are not decisions
of their own, so a frozen or stabilised re-plan builds the LP once without folding.
"""

from __future__ import annotations

import time
from collections.abc import Callable
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
from coprod.errors import InputError, Problem, ProgrammeInvalid, SolverError
from coprod.planning.analyse import analyse
from coprod.planning.commit import Committed, committed, hold_frozen, with_stability
from coprod.planning.edits import rebuild_reason, with_money_of
from coprod.planning.first import with_bound
from coprod.planning.highs import HighsSession, SolveOutcome
from coprod.planning.model import PlanningModel, build_model, order_capacity
from coprod.planning.options import Method, PlanOptions
from coprod.planning.outcome import SolveStatus
from coprod.planning.repair import repair_to_units
from coprod.planning.resolution import Choice, choose_resolution
from coprod.planning.result import TABLES, Plan
from coprod.planning.solve import EXACT, FirstPlan, assemble_plan, first_plan, never_later, solve_model
from coprod.planning.warm_state import same_layout, state_of

__all__ = ["PlanningSession"]

INF = np.inf


class PlanningSession:
    """A plan and the live solver behind it; `replan` answers "what now?" warm when it can."""

    def __init__(
        self,
        programme: Programme,
        options: PlanOptions | None = None,
        defer: bool = False,
        on_first: FirstPlan | None = None,
    ) -> None:
        """`defer`: each plan leaves out why late requirements are late, why idle lines and
        offers stay idle and the solver state for promises (plan.explanation "pending"), for
        `complete` to add once the plan has been shown (the server's worker: about 0.2 of
        0.5 s of a warm re-plan at generated M).
        `on_first`: the heuristic's first plan is made and handed to it before the LP
        solves, and the session's plan is never later than it (planning/solve.py)."""
        self.options = options or PlanOptions()
        self.defer = defer
        self._pending = False  # the last plan awaits `complete`
        first = None
        if on_first is not None:
            made = first_plan(programme, self.options, on_first, EXACT)
            first = made if isinstance(made, Plan) else None
        self._plan_cold(programme, fold=self.options.fold_supply, first=first)

    def _plan_cold(
        self,
        programme: Programme,
        fold: bool,
        frozen: int = 0,
        last: Committed | None = None,
        stability: float = 0.0,
        first: Plan | None = None,
    ) -> None:
        """Build the LP (holding `frozen` periods of `last`, penalising moves beyond them),
        solve it, keep the instance and the optimum's basis; the plan is never later than
        `first` (a first plan shown while the LP solved)."""
        started = time.perf_counter()
        # the same resolution choice as `plan`, with single periods through the fence
        self.choice: Choice = choose_resolution(programme, self.options.resolution, frozen=max(13, frozen))
        self.folded = fold
        model = build_model(analyse(programme, fold_supply=fold, grid=self.choice.grid))
        if last is not None and stability > 0:
            model = with_stability(model, last, frozen, stability)
        if last is not None and frozen > 0:
            hold_frozen(model, last, frozen)
        self.model: PlanningModel = model
        self.session = HighsSession(self.model.lp, self.options.solver, folded=fold)
        build_s = time.perf_counter() - started
        outcome = self._solve(lambda: solve_model(self.model, self.session, self.options.objective), frozen)
        # The LP optimum's basis, not the one the whole-unit repair leaves: a bound or
        # right-hand-side change keeps it dual feasible, so dual simplex starts close.
        self.basis = self.session.save_basis()
        self.x, _ = repair_to_units(self.model, self.session, outcome)
        timings = {"build_s": build_s, "solve_s": outcome.seconds}
        self.plan: Plan = self._assemble(outcome, timings, first)
        timings["total_s"] = time.perf_counter() - started  # the same dict the plan holds

    @staticmethod
    def _solve(run: Callable[[], SolveOutcome], frozen: int) -> SolveOutcome:
        try:
            return run()
        except SolverError as exc:
            if frozen > 0:
                raise InputError(
                    f"the first {frozen} frozen period(s) cannot be held in the changed programme "
                    f"({exc}); re-plan with fewer frozen periods"
                ) from exc
            raise

    def _rebuild_reason(self, changes: ChangeSet, frozen: int, stability: float) -> str | None:
        """Why the LP must be built again, or None when bound edits on the kept LP suffice."""
        kinds = sorted({ch.type for ch in changes.changes if not is_bound_change(ch)})
        if kinds:
            return f"the change set alters the LP's shape ({', '.join(kinds)})"
        if stability > 0:
            return "stability adds penalty rows against the last plan"
        s = self.model.structure
        if s.ample and (frozen > 0):
            return "frozen orders of folded supply must become decisions of their own"
        if s.grid is not None and not s.grid.is_exact and frozen > int(np.argmax(s.grid.length > 1)):
            return f"the {frozen} frozen periods reach into the aggregated buckets"
        if "stay" in self.model.lp.columns:
            return "the last re-plan's stability penalty is dropped"
        if not s.ample:
            return None
        folded = {s.programme.supply_offers[k].id for k in s.ample.values()}
        for ch in changes.changes:
            if isinstance(ch, SupplierDelay | SupplierCapacity) and ch.offer in folded:
                return f"offer {ch.offer} was folded into build cost and now changes"
            if isinstance(ch, LineHours):
                line = s.programme.line_by_id[ch.line]
                if ch.hours > min(line_hours(line, s.programme.calendar)):
                    return f"more hours on {ch.line} may make folded supply bind"
        return None

    @property
    def programme(self) -> Programme:
        return self.model.structure.programme

    def replan(
        self, changes: ChangeSet, frozen: int = 0, source: str = "changes", stability: float | None = None
    ) -> Plan:
        """The plan after `changes`, holding the first `frozen` periods of the last plan and,
        with `stability` (default: the session's PlanOptions), penalising moves beyond them."""
        findings = check_changes(self.programme, changes)
        if findings:
            raise ProgrammeInvalid(
                [Problem(source, f"changes[{f.index}] ({f.key})", f.field, f.message) for f in findings]
            )
        if frozen < 0 or frozen > self.programme.calendar.periods:
            raise InputError(
                f"frozen: {frozen} is not between 0 and the horizon "
                f"({self.programme.calendar.periods} periods)"
            )
        stability = self.options.stability if stability is None else stability
        if stability < 0:
            raise InputError(f"stability: {stability} is negative (0 turns it off)")
        started = time.perf_counter()
        last = committed(self.plan)
        changed = apply_changes(self.programme, changes)
        why = self._rebuild_reason(changes, frozen, stability)
        if why is not None:
            fold = self.options.fold_supply and frozen == 0 and stability == 0
            self._plan_cold(changed, fold, frozen, last, stability)
        else:
            self._replan_warm(changed, frozen, last)
        self.plan.timings["total_s"] = time.perf_counter() - started
        if why is not None:
            self.plan.timings["cold_rebuild"] = 1.0
        self.plan.replan.update(
            {
                "path": "warm" if why is None else "rebuilt",
                "frozen": frozen,
                "stability": stability,
                "why": why
                or "bound and right-hand-side edits on the kept LP, dual simplex from the last basis",
            }
        )
        return replace(self.plan)

    def replan_to(self, changed: Programme, unchanged: frozenset[str] = frozenset()) -> Plan:
        """The plan of `changed`, the programme as it is now rather than a change set (the
        server's re-plan after edits): warm when it differs from the session's programme only
        in bounds (planning/edits.py), else the LP is built again. `replan` says which and why.
        `unchanged`: sections known to equal the session's programme's (not compared again)."""
        started = time.perf_counter()
        s = self.model.structure
        why = rebuild_reason(self.programme, changed, s, self.options.resolution, unchanged)
        if why is None and "stay" in self.model.lp.columns:
            why = "the last re-plan's stability penalty is dropped"
        how = "bound and right-hand-side edits on the kept LP, dual simplex from the last basis"
        repriced = (
            self._repriced(changed) if why is not None and "stay" not in self.model.lp.columns else None
        )
        if repriced is not None:  # only prices and rates moved: new costs, the same LP
            self.model, why = repriced, None
            self.session.set_costs(repriced.lp.cost)
            how = "prices or exchange rates changed: new costs on the kept LP, primal simplex from its basis"
            self.session.simplex_strategy(primal=True)  # the basis stays primal feasible
            try:
                self._replan_warm(changed, 0, None)
            finally:
                self.session.simplex_strategy(primal=False)
        elif why is None:
            self._replan_warm(changed, 0, None)
        else:
            self._plan_cold(changed, fold=self.options.fold_supply)
        self.plan.timings["total_s"] = time.perf_counter() - started
        self.plan.replan.update(
            {
                "path": "warm" if why is None else "rebuilt",
                "frozen": 0,
                "stability": 0.0,
                "why": why or how,
            }
        )
        return replace(self.plan)

    def _repriced(self, changed: Programme) -> PlanningModel | None:
        """The model of `changed` when it differs from the session's programme only in
        prices and exchange rates (besides bound edits) and its LP has the kept LP's layout
        and matrix (folding supply, which prices decide, may reshape it): None otherwise."""
        rest = with_money_of(self.programme, changed)
        if rest is None or rebuild_reason(rest, changed, self.model.structure, self.options.resolution):
            return None
        new = build_model(analyse(changed, fold_supply=self.folded, grid=self.choice.grid))
        return new if same_layout(self.model.lp, new.lp) else None

    def _replan_warm(self, changed: Programme, frozen: int, last: Committed | None) -> None:
        m, lp = self.model, self.model.lp
        m.structure.programme = changed
        buy = lp.columns["buy"]
        grid = m.structure.grid
        lp.col_lower[:] = 0.0
        lp.col_upper[buy.slice] = order_capacity(changed, buy.keys["offer"], buy.keys["period"], grid)
        # no bounds of their own; a former fence may have fixed them
        for name in ("make", "ship", "transfer_c", "transfer_p"):
            lp.col_upper[lp.columns[name].slice] = INF
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
        lp.row_upper[hours.slice] = [
            by_line[int(li)][int(t)] for li, t in zip(hours.keys["line"], hours.keys["period"], strict=True)
        ]
        # the explanation reads the lines' hours from the structure: the new ones, as analyse sets them
        for i, line_row in by_line.items():
            m.structure.hours[i] = line_row
        if (
            frozen > 0 and last is not None
        ):  # keep what was already decided, matched by key as on the rebuilt path
            hold_frozen(m, last, frozen)
        self.session.set_column_bounds(np.arange(lp.shape[1]), lp.col_lower, lp.col_upper)
        self.session.set_row_bounds(np.arange(lp.shape[0]), lp.row_lower, lp.row_upper)
        self.session.restore_basis(self.basis)
        clock = time.perf_counter()
        # warm: dual simplex from the kept basis
        outcome = self._solve(lambda: self.session.solve(method=Method.SIMPLEX), frozen)
        solve_s = time.perf_counter() - clock
        self.basis = self.session.save_basis()
        clock = time.perf_counter()
        self.x, _ = repair_to_units(m, self.session, outcome)
        repair_s = time.perf_counter() - clock
        timings = {"solve_s": solve_s, "repair_s": repair_s, "iterations": float(outcome.iterations)}
        self.plan = self._assemble(outcome, timings)

    def _assemble(self, outcome: SolveOutcome, timings: dict[str, float], first: Plan | None = None) -> Plan:
        """The plan of the whole-unit solution just found, with the LP's bound (the session
        solves only the weighted objective: its optimum bounds every plan) and the solver
        state of the LP optimum's basis (kept in `self.basis`: the repair left another), or
        without it and the idle reasons when deferred (`complete` adds them). The first plan
        instead where the LP's is later (never_later: it has no idle reasons to defer)."""
        m = self.model
        now, status = not self.defer, outcome.status.value
        made = assemble_plan(
            m, outcome, self.x, timings, status, self.choice, explain_idle=now, explain_late=now
        )
        optimal = outcome.status is SolveStatus.OPTIMAL
        best = never_later(m.structure.programme, first, made, self.options.priority)
        took_first = best is not made  # the first plan's tables: no LP explanation to defer
        best = with_bound(best, "optimal" if optimal else "improving", outcome.objective if optimal else None)
        self._pending = self.defer and not took_first
        if self._pending:
            return replace(best, explanation="pending")
        object.__setattr__(best, "solver_state", state_of(m.lp, self.session, self.basis))  # for promises
        return best

    def complete(self, shown: Plan) -> Plan:
        """`shown` (the last plan, as deferred) with why late requirements are late, why idle
        lines and offers stay idle and the solver state for order promises. Only for the
        session's last plan: nothing has moved the solution, the model or the basis since."""
        if shown.explanation != "pending" or not self._pending:
            return shown
        from coprod.planning.causes import late_causes
        from coprod.planning.idle import idle_reasons

        tables = {name: getattr(shown, name) for name in TABLES}
        late_causes(self.model, tables, shown.bottlenecks)  # fills the requirement rows' causes
        idle = idle_reasons(self.model, self.x, tables)
        state = state_of(self.model.lp, self.session, self.basis)
        self._pending = False
        return replace(shown, idle_reasons=idle, solver_state=state, explanation="complete")
