"""Anytime planning: the heuristic's first plan as a Plan, and the gap of a plan against
the LP's bound.

The first plan goes through the same extraction as the LP's (extract.py), so its tables,
costs and KPIs mean the same; it has no duals, so it lists no bottlenecks and no idle
reasons (what binds, and why a line idles, are known once the LP has solved)."""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np

from coprod.planning.heuristic import first_plan_x
from coprod.planning.model import PlanningModel
from coprod.planning.outcome import SolveOutcome, SolveStatus
from coprod.planning.resolution import Choice
from coprod.planning.result import Plan

__all__ = ["gap_of", "heuristic_plan", "with_bound"]


def heuristic_plan(m: PlanningModel, choice: Choice, timings: dict[str, float]) -> Plan:
    """The first plan of `m` (state "first", gap unknown); raises heuristic.Unsupported
    when the heuristic cannot plan this model."""
    from coprod.planning.solve import assemble_plan  # solve.py imports this module

    clock = time.perf_counter()
    x = first_plan_x(m)
    lp = m.lp
    rows, cols = lp.shape
    outcome = SolveOutcome(
        status=SolveStatus.OPTIMAL,  # of nothing: assemble_plan reads the status below
        objective=float(lp.cost @ x),
        x=x,
        row_dual=np.zeros(rows),
        col_dual=np.zeros(cols),
        seconds=time.perf_counter() - clock,
        method="heuristic",
        iterations=0,
    )
    own = {**timings, "heuristic_s": outcome.seconds}
    plan = assemble_plan(m, outcome, x, own, "first", choice, explain=False)
    return replace(plan, status="first", state="first", bound=None, gap=None, bottlenecks=[])


def gap_of(objective: float, bound: float | None) -> float | None:
    """(objective - bound) / |objective|: how far above the best any plan could be, at most."""
    if bound is None or not np.isfinite(bound):
        return None
    return max(0.0, objective - bound) / max(1.0, abs(objective))


def with_bound(plan: Plan, state: str, bound: float | None) -> Plan:
    return replace(plan, state=state, bound=bound, gap=gap_of(plan.objective, bound))
