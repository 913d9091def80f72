"""Bounded load: requests beyond what the server can take are answered 503 at once.

Sync routes run on a thread pool of COPROD_THREADS threads (the connection pool has as
many connections, storage/db.py). Up to COPROD_QUEUE more requests may wait for a thread;
a request beyond that is answered 503 with Retry-After before it is read, so a burst
cannot build a queue that keeps the server slow after the burst has passed.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from coprod.api.problems import RETRY_AFTER_S, busy_body

__all__ = ["RequestGate"]


class RequestGate:
    """Pure ASGI middleware counting requests in flight (one event loop: no lock needed)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit, self.in_flight = app, limit, 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.limit:
            body = busy_body(scope.get("path", ""), "the server is at capacity; try again in a moment")
            await send(
                {
                    "type": "http.response.start",
                    "status": 503,
                    "headers": [
                        (b"content-type", b"application/problem+json"),
                        (b"retry-after", str(RETRY_AFTER_S).encode()),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
