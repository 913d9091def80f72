"""Typed dependencies: the transaction of a request, the authenticated principal, and
range-checked path numbers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from coprod.access import Principal
from coprod.app.database import Tx, transaction
from coprod.app.users import principal
from coprod.errors import Unauthorized

__all__ = ["CurrentUser", "DbSession", "PlanNumber", "PlanNumberQuery", "database_url"]

_bearer = HTTPBearer(auto_error=False, description="A token from POST /auth/token")
MAX_NUMBER = 2**31 - 1  # plan numbers are 32-bit in every database coprod runs on


def database_url(request: Request) -> str:
    url: str = request.app.state.database_url
    return url


def _session(request: Request) -> Iterator[Tx]:
    """One transaction per request: committed when the route returns, rolled back on error."""
    with transaction(database_url(request)) as tx:
        yield tx


DbSession = Annotated[Tx, Depends(_session)]


def _principal(
    session: DbSession, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    if credentials is None:
        raise Unauthorized("send a bearer token (POST /auth/token)")
    return principal(session, credentials.credentials)


CurrentUser = Annotated[Principal, Depends(_principal)]
PlanNumber = Annotated[int, Path(ge=1, le=MAX_NUMBER, description="A plan version number")]
PlanNumberQuery = Annotated[int, Query(ge=1, le=MAX_NUMBER, description="A plan version number")]
