"""Errors as RFC 9457 problem details, mapped from the one exception tree in one place."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from coprod.errors import (
    Busy,
    Conflict,
    CoprodError,
    Forbidden,
    InputError,
    NotFound,
    ProgrammeInvalid,
    SolverError,
    TooManyRequests,
    Unauthorized,
)

__all__ = ["RETRY_AFTER_S", "Problem", "busy_body", "install_problem_handlers", "problem_responses"]

STATUS: list[tuple[type[CoprodError], int, str]] = [
    (ProgrammeInvalid, 422, "The programme would break its rules"),
    (InputError, 422, "Unusable input"),
    (NotFound, 404, "Not found"),
    (Forbidden, 403, "Forbidden"),
    (Conflict, 409, "Conflict"),
    (Unauthorized, 401, "Not authenticated"),
    (TooManyRequests, 429, "Too many requests"),
    (Busy, 503, "Busy"),
    (SolverError, 500, "The solver failed"),
]
RETRY_AFTER_S = 1  # what a 503 tells a client to wait before trying again


class FieldError(BaseModel):
    record: str = ""
    field: str = ""
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str = ""
    errors: list[FieldError] = []


def problem_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for error statuses (422 always: any request can be invalid); each
    answers application/problem+json."""
    return {code: {"model": Problem, "content": {"application/problem+json": {}}} for code in {*codes, 422}}


def _response(
    request: Request, status: int, title: str, detail: str, errors: list[dict[str, Any]]
) -> Response:
    from coprod.api.web.errors import error_page, is_page

    if is_page(request):
        return error_page(request, status, detail, errors)
    body = Problem(
        title=title,
        status=status,
        detail=detail,
        instance=request.url.path,
        errors=[FieldError(**e) for e in errors],
    )
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if status == 503:
        headers = {"Retry-After": str(RETRY_AFTER_S)}
    return JSONResponse(
        body.model_dump(), status_code=status, media_type="application/problem+json", headers=headers
    )


def busy_body(path: str, detail: str) -> bytes:
    """A 503 problem document (for the request gate, which answers before any route)."""
    return Problem(title="Busy", status=503, detail=detail, instance=path).model_dump_json().encode()


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(CoprodError)
    async def _coprod(request: Request, exc: CoprodError) -> Response:
        status, title = next(
            ((code, text) for kind, code, text in STATUS if isinstance(exc, kind)), (500, "Internal error")
        )
        errors = []
        detail = str(exc)
        if isinstance(exc, ProgrammeInvalid):
            errors = [{"record": p.record, "field": p.field, "message": p.message} for p in exc.problems]
            detail = f"{len(exc.problems)} problem(s); see errors"
        return _response(request, status, title, detail, errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        # Framework-level answers (no such route, method not allowed) in the same shape.
        return _response(request, exc.status_code, str(exc.detail), str(exc.detail), [])

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        errors = []
        for e in exc.errors():
            loc = [str(x) for x in e.get("loc", ())]
            errors.append(
                {"record": loc[0] if loc else "", "field": ".".join(loc[1:]), "message": str(e.get("msg"))}
            )
        return _response(
            request, 422, "Invalid request", f"{len(errors)} invalid field(s); see errors", errors
        )
