"""Programmes as a whole: list, import (create or replace), export."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter
from pydantic import BaseModel, Field

from coprod.api.deps import CurrentUser, DbSession
from coprod.api.problems import problem_responses
from coprod.domain import Programme
from coprod.domain.checks import check_references
from coprod.errors import Forbidden, Problem, ProgrammeInvalid
from coprod.storage.records import RecordStore

router = APIRouter(tags=["programmes"])


class ProgrammeImport(BaseModel):
    name: str = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
    programme: Programme
    replace: bool = False


class ProgrammePublic(BaseModel):
    name: str
    version: int
    created_at: dt.datetime


@router.get("/programmes", response_model=list[ProgrammePublic], responses=problem_responses(401))
def list_programmes(who: CurrentUser, session: DbSession) -> list[ProgrammePublic]:
    return [
        ProgrammePublic(name=r.name, version=r.version, created_at=r.created_at)
        for r in RecordStore(session).programmes()
    ]


@router.post(
    "/programmes",
    response_model=ProgrammePublic,
    status_code=201,
    responses=problem_responses(401, 403, 409, 422),
)
def import_programme(body: ProgrammeImport, who: CurrentUser, session: DbSession) -> ProgrammePublic:
    """Import a whole programme (the programme office only); all of it lands, or none."""
    if who.role.value != "programme-office":
        raise Forbidden("only the programme office imports programmes")
    findings = check_references(body.programme)
    if findings:
        raise ProgrammeInvalid(
            [Problem("request", f"programme.{f.section}[{f.index}]", f.field, f.message) for f in findings]
        )
    row = RecordStore(session).import_programme(body.programme, body.name, who.username, body.replace)
    session.commit()
    return ProgrammePublic(name=row.name, version=row.version, created_at=row.created_at)


@router.get("/programmes/{name}/export", response_model=Programme, responses=problem_responses(401, 403, 404))
def export_programme(name: str, who: CurrentUser, session: DbSession) -> Programme:
    """The whole programme, as in a file (the programme office and auditors)."""
    if not who.sees_everything:
        raise Forbidden("only the programme office and auditors export whole programmes")
    store = RecordStore(session)
    return store.load(store.programme(name))
