"""Programmes as a whole: list, import (create or replace), export."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter
from pydantic import BaseModel, Field

from coprod.api.deps import CurrentUser, DbSession
from coprod.api.problems import problem_responses
from coprod.app import programmes
from coprod.app.names import NAME_MAX, NAME_PATTERN
from coprod.domain import Programme

router = APIRouter(tags=["programmes"])


class ProgrammeImport(BaseModel):
    name: str = Field(min_length=1, max_length=NAME_MAX, pattern=NAME_PATTERN)
    programme: Programme
    replace: bool = False


class ProgrammePublic(BaseModel):
    name: str
    version: int
    created_at: dt.datetime


def _public(s: programmes.ProgrammeSummary) -> ProgrammePublic:
    return ProgrammePublic(name=s.name, version=s.version, created_at=s.created_at)


@router.get("/programmes", response_model=list[ProgrammePublic], responses=problem_responses(401))
def list_programmes(who: CurrentUser, session: DbSession) -> list[ProgrammePublic]:
    return [_public(s) for s in programmes.list_programmes(session, who)]


@router.post(
    "/programmes",
    response_model=ProgrammePublic,
    status_code=201,
    responses=problem_responses(401, 403, 409, 422),
)
def import_programme(body: ProgrammeImport, who: CurrentUser, session: DbSession) -> ProgrammePublic:
    """Import a whole programme (the programme office only); all of it lands, or none."""
    summary = programmes.import_programme(session, who, body.name, body.programme, body.replace)
    session.commit()
    return _public(summary)


@router.get("/programmes/{name}/export", response_model=Programme, responses=problem_responses(401, 403, 404))
def export_programme(name: str, who: CurrentUser, session: DbSession) -> Programme:
    """The whole programme, as in a file (the programme office and auditors)."""
    return programmes.export_programme(session, who, name)
