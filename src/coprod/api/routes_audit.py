"""The audit trail: read and filter (append-only: the API has no way to change it)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from coprod.api.deps import CurrentUser, DbSession
from coprod.api.problems import problem_responses
from coprod.app.audit import AuditFilter, audit_trail

router = APIRouter(tags=["audit"])


class AuditPublic(BaseModel):
    id: int
    at: dt.datetime
    username: str
    partner: str | None
    section: str
    key: str
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@router.get(
    "/programmes/{programme}/audit",
    response_model=list[AuditPublic],
    responses=problem_responses(401, 403, 404),
)
def audit(
    programme: str,
    who: CurrentUser,
    session: DbSession,
    section: str | None = None,
    key: str | None = None,
    username: str | None = None,
    since: dt.datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> list[AuditPublic]:
    """Who changed what, when, with the record before and after (programme office, auditors)."""
    query = AuditFilter(section=section, key=key, username=username, since=since, limit=limit, offset=offset)
    return [
        AuditPublic(
            id=e.id,
            at=e.at,
            username=e.username,
            partner=e.partner,
            section=e.section,
            key=e.key,
            action=e.action,
            before=e.before,
            after=e.after,
        )
        for e in audit_trail(session, who, programme, query)
    ]
