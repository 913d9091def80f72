"""Typed dependencies: the database session of a request and the authenticated principal."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from coprod.access import Principal
from coprod.errors import Unauthorized
from coprod.storage.db import session_scope
from coprod.storage.users import UserStore

__all__ = ["CurrentUser", "DbSession", "database_url"]

_bearer = HTTPBearer(auto_error=False, description="A token from POST /auth/token")


def database_url(request: Request) -> str:
    url: str = request.app.state.database_url
    return url


def _session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the route returns, rolled back on error."""
    with session_scope(database_url(request)) as session:
        yield session


DbSession = Annotated[Session, Depends(_session)]


def _principal(
    session: DbSession, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    if credentials is None:
        raise Unauthorized("send a bearer token (POST /auth/token)")
    return UserStore(session).principal(credentials.credentials)


CurrentUser = Annotated[Principal, Depends(_principal)]
