"""Live planning sessions in the plan worker, so a re-plan after an edit starts warm.

The worker keeps, per programme, the planning session of its last plan (the LP, the HiGHS
instance and its basis: planning/replan.py). The next plan of that programme is of the
programme as stored then; when it differs only in bounds (planning/edits.py) the kept
solver re-solves from its basis, else the LP is built again and kept in its place. Every
plan says how it started (`Start`): warm, or cold and why. Sessions defer why late
requirements are late, why idle lines and offers stay idle and the solver state for
promises: the worker stores the plan first, then `complete`s it (app/plan_jobs.py).

Bounded: at most COPROD_PLAN_SESSIONS sessions (least recently used dropped first; 0 keeps
none); a programme's session goes when the programme is deleted (`prune`, from the worker's
loop) and is never reused for a programme re-created under the same name, since sessions
are keyed by the programme's row id and creation time. Sessions hold whole programmes, and
access rules apply when a plan is read (app/plan_view.py), as for any plan: one programme's
session never serves another programme, whoever edited it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any

from coprod.domain import Programme
from coprod.planning import Plan, PlanOptions
from coprod.planning.options import Objective, PlanStage, Priority

__all__ = ["PlanSessions", "Start", "cold_only_reason"]


@dataclass(frozen=True, slots=True)
class Start:
    """How a plan started: `warm` (from the kept solver) or `cold`, and why."""

    mode: str
    why: str

    def as_dict(self) -> dict[str, str]:
        return {"mode": self.mode, "why": self.why}


def cold_only_reason(options: PlanOptions, stored: dict[str, Any]) -> str | None:
    """Why plans with these options are never warm (the session re-solves only the weighted
    objective, without fair share, stability or a plan as of a date), or None."""
    if options.first_only:
        return "a first plan only: the heuristic, no LP"
    if options.solver.time_limit:
        return "a time limit: the first plan, then the LP's best plan within the limit"
    if stored.get("as_of"):
        return "a plan as of a date starts from the recorded actuals each time"
    if options.objective is not Objective.WEIGHTED:
        return f"objective {options.objective.value} solves in two phases"
    if options.priority is not Priority.WEIGHTED:
        return f"priority {options.priority.value} solves class by class"
    if options.fair_share:
        return "fair share adds rows per plan"
    if options.stability > 0:
        return "stability penalises moves against the last plan"
    return None


@dataclass(slots=True)
class _Kept:
    options: str  # the stored options as text: a session serves one set of options
    session: Any  # planning.replan.PlanningSession (imported when a plan runs)
    data: dict[str, Any]  # the stored records the session's programme was validated from


def _unchanged(before: dict[str, Any], now: dict[str, Any]) -> frozenset[str]:
    """The sections whose stored records are equal in both (plain data compares in C, a
    few milliseconds at generated M against ~0.03 s for the validated records)."""
    return frozenset(name for name, rows in now.items() if name in before and before[name] == rows)


class PlanSessions:
    """The worker's live sessions, least recently used first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._kept: OrderedDict[Hashable, _Kept] = OrderedDict()
        # programmes whose session went (evicted to stay within `size`, or lost with a failed
        # plan): why, said when the programme is next planned
        self._gone: dict[Hashable, str] = {}
        self._lock = threading.Lock()  # one worker loop uses it; a lock keeps a second honest

    def __len__(self) -> int:
        return len(self._kept)

    def keys(self) -> list[Hashable]:
        return list(self._kept)

    def plan(
        self,
        key: Hashable,
        programme: Programme,
        options: PlanOptions,
        stored: dict[str, Any],
        progress: Callable[[PlanStage], None],
        on_first: Callable[[Plan | str], None] | None = None,
        data: dict[str, Any] | None = None,
    ) -> tuple[Plan, Start]:
        """The plan of `programme` (the programme `key` as stored now, validated from its
        stored records `data`), warm from its kept session when one fits, and how it started."""
        from coprod.planning import plan
        from coprod.planning.replan import PlanningSession

        never = cold_only_reason(options, stored)
        if never is not None or self.size == 0:
            why = never or "live sessions are off (COPROD_PLAN_SESSIONS=0)"
            return plan(programme, options, progress=progress, on_first=on_first), Start("cold", why)
        text = repr(sorted(stored.items()))
        with self._lock:
            kept = self._kept.pop(key, None)
        if kept is not None and kept.options == text:
            progress(PlanStage.SOLVING)
            try:
                result = kept.session.replan_to(programme, _unchanged(kept.data, data or {}))
            except Exception:
                # popped above: a session that failed may be half changed and is not kept
                self._gone[key] = "the last plan of this programme failed, and its live session with it"
                raise
            path = result.replan
            start = (
                Start("warm", path["why"])
                if path["path"] == "warm"
                else Start("cold", f"structure changed: {path['why']}")
            )
        else:
            if kept is not None:
                why = "the plan options changed since the last plan"
            elif key in self._gone:
                why = self._gone[key]
            else:
                why = "first plan of this programme since the server started"
            progress(PlanStage.BUILDING)
            # the first plan of a session is a cold solve (seconds at M): its heuristic
            # first plan is shown meanwhile, as `plan` does
            session = PlanningSession(programme, options, defer=True, on_first=on_first)
            kept = _Kept(text, session, {})  # its records: below, as on the warm path
            result, start = session.plan, Start("cold", why)
        kept.data = data or {}
        self._keep(key, kept)
        return result, start

    def complete(self, key: Hashable, shown: Plan) -> Plan:
        """`shown`, the last plan of programme `key`, with what its session deferred (why late
        requirements are late and idle lines stay idle, the solver state); as it is when
        nothing was deferred."""
        if shown.explanation != "pending":
            return shown
        with self._lock:
            kept = self._kept.get(key)
        if kept is None:  # cannot happen while one loop plans and completes in turn
            raise RuntimeError("the live session of the plan to complete is gone")
        completed: Plan = kept.session.complete(shown)
        return completed

    def _keep(self, key: Hashable, kept: _Kept) -> None:
        with self._lock:
            self._gone.pop(key, None)
            self._kept[key] = kept
            while len(self._kept) > self.size:
                old, _ = self._kept.popitem(last=False)
                self._gone[old] = f"its live session was dropped to keep at most {self.size} in memory"

    def prune(self, alive: Iterable[Hashable]) -> list[Hashable]:
        """Drop the sessions of programmes that are gone; the keys dropped."""
        keep = set(alive)
        with self._lock:
            gone = [k for k in self._kept if k not in keep]
            for k in gone:
                del self._kept[k]
            self._gone = {k: v for k, v in self._gone.items() if k in keep}
        return gone
