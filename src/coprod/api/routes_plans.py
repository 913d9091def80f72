"""Plans: start (a background job, reused for unchanged inputs), status, results, diff."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from coprod.api.deps import CurrentUser, DbSession, database_url
from coprod.api.plan_scope import scope_plan
from coprod.api.problems import problem_responses
from coprod.errors import Conflict
from coprod.planning.diff import diff_plans
from coprod.storage.plans import PlanStore, plan_from_dict
from coprod.storage.records import RecordStore
from coprod.storage.tables import PlanVersion

router = APIRouter(tags=["plans"])
ERRORS = problem_responses(401, 403, 404, 409, 422)


class PlanStatus(BaseModel):
    number: int
    status: str  # queued | building | solving | rounding | explaining | done | failed
    requested_by: str
    created_at: dt.datetime
    finished_at: dt.datetime | None
    error: str | None
    kpis: dict[str, Any] | None
    reused: bool = False


def _status(v: PlanVersion, reused: bool = False) -> PlanStatus:
    return PlanStatus(
        number=v.number,
        status=v.status,
        requested_by=v.requested_by,
        created_at=v.created_at,
        finished_at=v.finished_at,
        error=v.error,
        kpis=v.kpis,
        reused=reused,
    )


@router.post(
    "/programmes/{programme}/plans",
    response_model=PlanStatus,
    status_code=202,
    responses={**ERRORS, 200: {"model": PlanStatus, "description": "The same inputs were planned already"}},
)
def start_plan(
    programme: str, who: CurrentUser, session: DbSession, request: Request, response: Response
) -> PlanStatus:
    """Plan the programme as it is now, in the background; poll GET .../plans/{number}.
    The same inputs return the existing plan (reused: true) instead of planning again."""
    store = PlanStore(session, database_url(request))
    version, new = store.start(RecordStore(session).programme(programme), who)
    if new:
        session.commit()  # the job reads the version in its own transaction
        store.run_later(version.id, programme)
    else:
        response.status_code = 200
    return _status(version, reused=not new)


@router.get("/programmes/{programme}/plans", response_model=list[PlanStatus], responses=ERRORS)
def list_plans(programme: str, who: CurrentUser, session: DbSession, request: Request) -> list[PlanStatus]:
    store = PlanStore(session, database_url(request))
    return [_status(v) for v in store.all(RecordStore(session).programme(programme))]


@router.get("/programmes/{programme}/plans/{number}", response_model=PlanStatus, responses=ERRORS)
def plan_status(
    programme: str, number: int, who: CurrentUser, session: DbSession, request: Request
) -> PlanStatus:
    store = PlanStore(session, database_url(request))
    return _status(store.get(RecordStore(session).programme(programme), number))


def _done(
    programme: str, number: int, who: CurrentUser, session: DbSession, request: Request
) -> dict[str, Any]:
    records = RecordStore(session)
    row = records.programme(programme)
    version = PlanStore(session, database_url(request)).get(row, number)
    if version.status != "done" or version.result is None:
        raise Conflict(f"plan {number} is {version.status}, not done")
    return scope_plan(version.result, who, records.load(row))


@router.get("/programmes/{programme}/plans/{number}/results", responses=ERRORS)
def plan_results(
    programme: str, number: int, who: CurrentUser, session: DbSession, request: Request
) -> dict[str, Any]:
    """The plan's tables and KPIs, limited to what the user's partner may see."""
    return _done(programme, number, who, session, request)


@router.get("/programmes/{programme}/plans/{number}/bottlenecks", responses=ERRORS)
def plan_bottlenecks(
    programme: str, number: int, who: CurrentUser, session: DbSession, request: Request
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = _done(programme, number, who, session, request)["bottlenecks"]
    return rows


@router.get("/programmes/{programme}/plans/{number}/late", responses=ERRORS)
def plan_late(
    programme: str, number: int, who: CurrentUser, session: DbSession, request: Request
) -> list[dict[str, Any]]:
    """Late and unmet requirements with their causes."""
    rows = _done(programme, number, who, session, request)["requirements"]
    return [r for r in rows if r["status"] != "on_time"]


@router.get("/programmes/{programme}/plans/{a}/diff/{b}", responses=ERRORS)
def plan_diff(
    programme: str, a: int, b: int, who: CurrentUser, session: DbSession, request: Request
) -> dict[str, Any]:
    """What moved from plan a to plan b: KPIs, requirements, production per line and period."""
    before = _done(programme, a, who, session, request)
    after = _done(programme, b, who, session, request)
    return diff_plans(plan_from_dict(before), plan_from_dict(after))
