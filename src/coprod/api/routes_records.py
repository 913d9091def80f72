"""CRUD for every record type, generated from the domain model so the OpenAPI is exact.

For each section (partners, lines, requirements, ...) there are typed schemas
<Type>Create {data}, <Type>Update {version, data}, <Type>Public {key, version, partner,
data} and <Type>Page, and five routes. Scoping is done by the store, not here. A list is
sent as the stored JSON (each record was validated as this model when it was written, and
is stored as the model's own serialisation), not validated and serialised again per request.

No `from __future__ import annotations` here: the route functions' annotations name the
per-section schemas made in `_register`, so they must be evaluated where they are defined.
"""

from enum import Enum
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Response
from pydantic import Field, create_model

from coprod.access import SECTIONS, Principal
from coprod.api.deps import CurrentUser, DbSession
from coprod.api.problems import problem_responses
from coprod.app import programmes, records
from coprod.app.caches import Lru
from coprod.app.records import RecordView

router = APIRouter()
# Pages of records as sent, per programme state, section, role, partner and query. Every
# write of a programme's records (create, update, delete, import) raises the programme's
# version in the same transaction, so a page of an older state is never found again; the
# version is read before the page, so a page is never older than its key.
_PAGES: Lru[bytes] = Lru(512)


def _programme_version(session: DbSession, who: Principal, name: str) -> tuple[Any, ...]:
    s = programmes.programme_summary(session, who, name)
    return (s.name, s.version, s.created_at)


ERRORS = problem_responses(401, 403, 404, 409, 422)
VERSION = Annotated[int, Query(ge=1, le=2**31 - 1)]


def _register(section: str) -> None:
    model = records.section_model(section)
    name = model.__name__
    create = create_model(f"{name}Create", data=(model, ...))
    update = create_model(f"{name}Update", version=(int, Field(ge=1, le=2**31 - 1)), data=(model, ...))
    public = create_model(
        f"{name}Public",
        key=(str, ...),
        version=(int, ...),
        partner=(str | None, ...),
        data=(model, ...),
        withheld=(list[str], Field(default=[], description="export-controlled parts left out")),
    )
    page = create_model(
        f"{name}Page",
        items=(list[public], ...),
        total=(int, ...),
        limit=(int, ...),
        offset=(int, ...),
    )
    base = f"/programmes/{{programme}}/{section}"
    tags: list[str | Enum] = [section]

    def show(rec: RecordView) -> Any:
        return public(
            key=rec.key, version=rec.version, partner=rec.partner, data=rec.data, withheld=list(rec.withheld)
        )

    fields = ", ".join(records.filterable_fields(section))

    def list_records(
        programme: str,
        who: CurrentUser,
        session: DbSession,
        where: Annotated[list[str], Query(description=f"field=value, repeatable; fields: {fields}")] = [],  # noqa: B006
        sort: Annotated[
            str | None,
            Query(max_length=500, description="fields separated by commas, '-' before one for descending"),
        ] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
    ) -> Any:
        query = records.parse_query(section, where, sort, limit, offset)
        asked = (tuple(sorted(query.where.items())), tuple(query.sort), limit, offset)
        key = (*_programme_version(session, who, programme), section, who.role, who.partner, asked)

        def make() -> bytes:
            found = records.list_records(session, who, programme, section, query)
            items = [
                {
                    "key": r.key,
                    "version": r.version,
                    "partner": r.partner,
                    "data": r.data,
                    "withheld": list(r.withheld),
                }
                for r in found.items
            ]
            return orjson.dumps({"items": items, "total": found.total, "limit": limit, "offset": offset})

        if section in ("components", "designs"):  # reads of controlled records are audited
            return Response(make(), media_type="application/json")
        return Response(_PAGES.get_or_make(key, make), media_type="application/json")

    def get_record(programme: str, key: str, who: CurrentUser, session: DbSession) -> Any:
        return show(records.get_record(session, who, programme, section, key))

    def create_record(programme: str, body: create, who: CurrentUser, session: DbSession) -> Any:
        data = body.data.model_dump(mode="json", by_alias=True)  # type: ignore[attr-defined]
        rec = records.create_record(session, who, programme, section, data)
        session.commit()  # committed before the answer leaves, so a read right after sees it
        return show(rec)

    def update_record(programme: str, key: str, body: update, who: CurrentUser, session: DbSession) -> Any:
        data = body.data.model_dump(mode="json", by_alias=True)  # type: ignore[attr-defined]
        rec = records.update_record(session, who, programme, section, key, body.version, data)  # type: ignore[attr-defined]
        session.commit()
        return show(rec)

    def delete_record(
        programme: str, key: str, version: VERSION, who: CurrentUser, session: DbSession
    ) -> Response:
        records.delete_record(session, who, programme, section, key, version)
        session.commit()
        return Response(status_code=204)

    router.add_api_route(
        base,
        list_records,
        methods=["GET"],
        response_model=page,
        tags=tags,
        name=f"list {section}",
        responses=ERRORS,
    )
    router.add_api_route(
        base,
        create_record,
        methods=["POST"],
        response_model=public,
        status_code=201,
        tags=tags,
        name=f"create {section}",
        responses=ERRORS,
    )
    router.add_api_route(
        f"{base}/{{key:path}}",
        get_record,
        methods=["GET"],
        response_model=public,
        tags=tags,
        name=f"get {section}",
        responses=ERRORS,
    )
    router.add_api_route(
        f"{base}/{{key:path}}",
        update_record,
        methods=["PUT"],
        response_model=public,
        tags=tags,
        name=f"update {section}",
        responses=ERRORS,
    )
    router.add_api_route(
        f"{base}/{{key:path}}",
        delete_record,
        methods=["DELETE"],
        status_code=204,
        tags=tags,
        name=f"delete {section}",
        responses=ERRORS,
    )


for _section in SECTIONS:
    _register(_section)
