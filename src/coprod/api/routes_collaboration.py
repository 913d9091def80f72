"""Supplier collaboration: forecast releases, the suppliers' answers (JSON or the filled-in
workbook), and where commitments fall short. A release the user may not read is a 404."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, File, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from coprod.api.deps import CurrentUser, DbSession
from coprod.api.problems import problem_responses
from coprod.app import collaboration
from coprod.app.collaboration import AnswerLine, AnswerStatus
from coprod.errors import InputError

router = APIRouter(tags=["collaboration"])
ERRORS = problem_responses(401, 403, 404, 409, 422)
MAX_SHEET = 5 * 1024 * 1024


class ReleaseCreate(BaseModel):
    supplier: str | None = Field(
        None, max_length=64, description="One supplier (default: every one the plan orders from)"
    )
    note: str = Field("", max_length=2000)


class ReleasePublic(BaseModel):
    id: int
    supplier: str
    number: int
    plan: int
    programme_version: int
    released_by: str
    released_at: dt.datetime
    note: str
    lines: list[dict[str, Any]]
    answers: list[dict[str, Any]]


class AnswerLineIn(BaseModel):
    offer: str = Field(max_length=64)
    period: dt.date
    status: AnswerStatus
    quantity: int | None = Field(None, ge=0, le=2**31 - 1)
    proposed_period: dt.date | None = None
    note: str = Field("", max_length=2000)


class AnswerIn(BaseModel):
    lines: list[AnswerLineIn] = Field(max_length=10000)


class CommitmentPublic(BaseModel):
    supplier: str
    offer: str
    component: str
    ship_to: str
    period: dt.date
    requested: int
    committed: int | None
    planned: int
    shortfall: int
    state: str
    release: int


def _public(v: collaboration.ReleaseView) -> ReleasePublic:
    return ReleasePublic(**v.as_dict())


@router.post(
    "/programmes/{programme}/releases", response_model=list[ReleasePublic], status_code=201, responses=ERRORS
)
def release(programme: str, body: ReleaseCreate, who: CurrentUser, session: DbSession) -> list[ReleasePublic]:
    """Release the latest finished plan's orders to one supplier or to every supplier."""
    made = collaboration.release_forecast(session, who, programme, body.supplier, body.note)
    session.commit()
    return [_public(v) for v in made]


@router.get("/programmes/{programme}/releases", response_model=list[ReleasePublic], responses=ERRORS)
def releases(
    programme: str, who: CurrentUser, session: DbSession, supplier: str | None = None
) -> list[ReleasePublic]:
    """The releases the user may read, newest first (a supplier: its own)."""
    return [_public(v) for v in collaboration.list_releases(session, who, programme, supplier)]


@router.get("/programmes/{programme}/releases/{release_id}", response_model=ReleasePublic, responses=ERRORS)
def get_release(programme: str, release_id: int, who: CurrentUser, session: DbSession) -> ReleasePublic:
    return _public(collaboration.get_release(session, who, programme, release_id))


# Served as application/octet-stream (an .xlsx file by its name): generated clients read that
# as a file, which they do not for the spreadsheet media type.
_SHEET = {
    "description": "The release workbook (.xlsx)",
    "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
}


@router.get(
    "/programmes/{programme}/releases/{release_id}/workbook",
    responses={**ERRORS, 200: _SHEET},
    response_class=Response,
)
def release_workbook(programme: str, release_id: int, who: CurrentUser, session: DbSession) -> Response:
    """The release as a workbook to fill in and upload back as the answer."""
    name, data = collaboration.release_workbook(session, who, programme, release_id)
    return Response(
        data,
        media_type="application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post(
    "/programmes/{programme}/releases/{release_id}/answer", response_model=ReleasePublic, responses=ERRORS
)
def answer(
    programme: str, release_id: int, body: AnswerIn, who: CurrentUser, session: DbSession
) -> ReleasePublic:
    """Answer a release line by line: commit, part, propose (another quantity or period) or
    decline. The commitments become the offers' capacity in the next plan."""
    lines = [
        AnswerLine(a.offer, a.period, a.status, a.quantity, a.proposed_period, a.note) for a in body.lines
    ]
    view = collaboration.answer_release(session, who, programme, release_id, lines)
    session.commit()
    return _public(view)


@router.post(
    "/programmes/{programme}/releases/{release_id}/answer/workbook",
    response_model=ReleasePublic,
    responses=ERRORS,
)
def answer_workbook(
    programme: str, release_id: int, who: CurrentUser, session: DbSession, file: Annotated[UploadFile, File()]
) -> ReleasePublic:
    """Answer with the release workbook filled in (see GET .../workbook)."""
    data = file.file.read(MAX_SHEET + 1)
    if len(data) > MAX_SHEET:
        raise InputError(f"file: larger than {MAX_SHEET // (1024 * 1024)} MB")
    view = collaboration.answer_from_workbook(session, who, programme, release_id, data, "answer.xlsx")
    session.commit()
    return _public(view)


@router.get("/programmes/{programme}/commitments", response_model=list[CommitmentPublic], responses=ERRORS)
def commitments(programme: str, who: CurrentUser, session: DbSession) -> list[CommitmentPublic]:
    """Each line of the latest release to each supplier, against what was committed and what
    the latest plan orders: `shortfall` and `state` (open, short, covered)."""
    return [CommitmentPublic(**r.as_dict()) for r in collaboration.commitment_status(session, who, programme)]
