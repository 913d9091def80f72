"""Order promising: `POST /programmes/{name}/promise` quotes a new requirement against the
latest plan (docs/promise.md); with `commit` it is added with the promised schedule."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from coprod.api.deps import CurrentUser, DbSession
from coprod.api.problems import problem_responses
from coprod.app.promise import PromiseRequest, promise

router = APIRouter(tags=["promise"])
ERRORS = problem_responses(401, 403, 404, 409, 422)


class PromiseIn(BaseModel):
    item: str = Field(max_length=64, description="The design or variant asked for")
    quantity: int = Field(le=2**31 - 1, description="Units asked for (at least 1)")
    destination: str = Field(max_length=64)
    due: dt.date | None = Field(None, description="Wanted by this day (default: as soon as possible)")
    priority: int = Field(2, description="Its priority once committed (1 = most urgent)")
    id: str = Field("", max_length=64, description="Its requirement id on commit (default: PROMISE-n)")
    commit: bool = Field(False, description="Add it as requirements with the promised schedule")
    version: int | None = Field(None, description="With commit: the programme version the quote was made on")
    alternatives: bool = True


@router.post("/programmes/{programme}/promise", responses=ERRORS)
def promise_route(programme: str, body: PromiseIn, who: CurrentUser, session: DbSession) -> dict[str, Any]:
    """The quote: schedule, what limits it, the alternatives; `committed` lists the
    requirements added when `commit` is true."""
    req = PromiseRequest(
        item=body.item,
        quantity=body.quantity,
        destination=body.destination,
        due=body.due,
        priority=body.priority,
        id=body.id,
    )
    result = promise(session, who, programme, req, body.commit, body.version, body.alternatives)
    if body.commit:
        session.commit()
    return result
