"""Typed dependencies: the transaction of a request, the authenticated principal, and
range-checked path numbers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import anyio
import anyio.to_thread
from fastapi import Depends, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from coprod.access import Principal
from coprod.app.database import Tx, transaction
from coprod.app.users import cached_principal, principal
from coprod.errors import Unauthorized

__all__ = ["CurrentUser", "DbSession", "PlanNumber", "PlanNumberQuery", "database_url"]

_bearer = HTTPBearer(auto_error=False, description="A token from POST /auth/token")
MAX_NUMBER = 2**31 - 1  # plan numbers are 32-bit in every database coprod runs on


def database_url(request: Request) -> str:
    url: str = request.app.state.database_url
    return url


async def _session(request: Request) -> AsyncIterator[Tx]:
    """One transaction per request: committed when the route returns, rolled back on error.
    Opening it does no I/O (a connection is taken on the first query, in the route's
    thread), so it is opened here, without a thread hop. Closing it may wait for the
    database, so it runs in a thread, outside the request threads' limit (as FastAPI does
    for its own dependencies): a request waiting for a connection must never hold the
    thread that the request holding the connection needs to give it back."""
    scope = transaction(database_url(request))
    tx = scope.__enter__()
    closing = anyio.CapacityLimiter(1)
    try:
        yield tx
    except BaseException as exc:
        await anyio.to_thread.run_sync(scope.__exit__, type(exc), exc, exc.__traceback__, limiter=closing)
        raise
    else:
        await anyio.to_thread.run_sync(scope.__exit__, None, None, None, limiter=closing)


DbSession = Annotated[Tx, Depends(_session)]


async def _principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    """The token's owner: from the short-lived cache (app/users.py) without a thread hop or
    a database round trip, else looked up in a transaction of its own."""
    if credentials is None:
        raise Unauthorized("send a bearer token (POST /auth/token)")
    token = credentials.credentials
    who = cached_principal(token)
    if who is not None:
        return who

    def look_up() -> Principal:
        with transaction(database_url(request)) as tx:
            return principal(tx, token)

    return await run_in_threadpool(look_up)


CurrentUser = Annotated[Principal, Depends(_principal)]
PlanNumber = Annotated[int, Path(ge=1, le=MAX_NUMBER, description="A plan version number")]
PlanNumberQuery = Annotated[int, Query(ge=1, le=MAX_NUMBER, description="A plan version number")]
