"""Actuals and tracking: record events (a batch, or one of a kind), list and read them,
plan against actual, the trace of a serial, royalty statements. All or nothing: a batch
that breaks a rule is a 422 naming record and field, one with another partner's event a 403,
and nothing is stored."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from coprod.access import EVENT_KINDS
from coprod.api.deps import CurrentUser, DbSession, PlanNumberQuery
from coprod.api.problems import problem_responses
from coprod.app import actuals, tracking
from coprod.domain.actuals import EVENT_KINDS as MODELS
from coprod.domain.actuals import ActualsBatch

router = APIRouter(tags=["actuals"])
ERRORS = problem_responses(401, 403, 404, 422)


class ImportPublic(BaseModel):
    programme: str
    recorded: int
    counts: dict[str, int]


class EventPublic(BaseModel):
    kind: str
    key: str
    day: dt.date
    partner: str | None
    recorded_by: str
    data: dict[str, Any]


class EventPagePublic(BaseModel):
    items: list[EventPublic]
    total: int
    limit: int
    offset: int


class TrackPublic(BaseModel):
    programme: str
    plan: int | None
    through: dt.date
    lines: list[dict[str, Any]]
    rows: list[dict[str, Any]]


def _event(v: actuals.EventView) -> EventPublic:
    return EventPublic(
        kind=v.kind,
        key=v.key,
        day=dt.date.fromisoformat(v.day),
        partner=v.partner,
        recorded_by=v.recorded_by,
        data=v.data,
    )


@router.post(
    "/programmes/{programme}/actuals", response_model=ImportPublic, status_code=201, responses=ERRORS
)
def record_batch(programme: str, body: ActualsBatch, who: CurrentUser, session: DbSession) -> ImportPublic:
    """Record a batch of events (any kinds), all or nothing: every rule is checked against
    the events recorded before, and only the owning partner records an event."""
    summary = actuals.import_request(session, who, programme, body)
    session.commit()
    return ImportPublic(programme=programme, recorded=summary.total, counts=summary.counts)


def _single(kind: str) -> None:
    model = MODELS[kind]

    def record_one(programme: str, body: model, who: CurrentUser, session: DbSession) -> EventPublic:  # type: ignore[valid-type]
        event: BaseModel = body
        view = actuals.record_event(
            session, who, programme, kind, event.model_dump(mode="json", by_alias=True)
        )
        session.commit()
        return _event(view)

    record_one.__doc__ = f"Record one of {kind} (the same rules as a batch of one)."
    # annotations are strings here (PEP 563): give FastAPI the kind's model itself
    record_one.__annotations__ = {**record_one.__annotations__, "body": model}
    router.post(
        f"/programmes/{{programme}}/actuals/{kind}",
        response_model=EventPublic,
        status_code=201,
        responses=ERRORS,
        name=f"record_{kind}",
        operation_id=f"record_{kind}",
    )(record_one)

    def list_kind(
        programme: str,
        who: CurrentUser,
        session: DbSession,
        limit: int = Query(100, ge=1, le=1000),
        offset: int = Query(0, ge=0, le=2**31 - 1),
    ) -> EventPagePublic:
        page = actuals.list_events(session, who, programme, kind, limit, offset)
        return EventPagePublic(
            items=[_event(e) for e in page.items], total=page.total, limit=limit, offset=offset
        )

    list_kind.__doc__ = f"The {kind} the user may read, in date order."
    router.get(
        f"/programmes/{{programme}}/actuals/{kind}",
        response_model=EventPagePublic,
        responses=ERRORS,
        name=f"list_{kind}",
        operation_id=f"list_{kind}",
    )(list_kind)

    def get_one(programme: str, key: str, who: CurrentUser, session: DbSession) -> EventPublic:
        return _event(actuals.get_event(session, who, programme, kind, key))

    router.get(
        f"/programmes/{{programme}}/actuals/{kind}/{{key}}",
        response_model=EventPublic,
        responses=ERRORS,
        name=f"get_{kind}",
        operation_id=f"get_{kind}",
    )(get_one)


for _kind in EVENT_KINDS:
    _single(_kind)


@router.get("/programmes/{programme}/tracking", response_model=TrackPublic, responses=ERRORS)
def track(
    programme: str, who: CurrentUser, session: DbSession, plan: PlanNumberQuery | None = None
) -> TrackPublic:
    """Plan against actual per site, line and period (the lines whose lots the user reads)."""
    report = tracking.track(session, who, programme, plan)
    return TrackPublic(
        programme=programme,
        plan=report.plan,
        through=dt.date.fromisoformat(report.through),
        lines=report.lines,
        rows=report.rows,
    )


@router.get("/programmes/{programme}/trace/{serial}", responses=ERRORS)
def trace(programme: str, serial: str, who: CurrentUser, session: DbSession) -> dict[str, Any]:
    """A unit's lot, line, revision, inspections, shipments, receipt and requirement."""
    return tracking.trace(session, who, programme, serial)


@router.get("/programmes/{programme}/royalties", responses=ERRORS)
def royalties(
    programme: str, who: CurrentUser, session: DbSession, period: dt.date | None = None
) -> list[dict[str, Any]]:
    """Royalty statements per licensee and period (the licensor's and the licensee's own)."""
    return tracking.royalties(session, who, programme, period)
