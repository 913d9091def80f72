"""The FastAPI application: routers, problem-details errors, bounded load, the plan worker."""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import AsyncIterator

import anyio.to_thread
from fastapi import FastAPI

from coprod import __version__
from coprod.api.capacity import RequestGate
from coprod.api.problems import install_problem_handlers
from coprod.api.routes_audit import router as audit_router
from coprod.api.routes_auth import router as auth_router
from coprod.api.routes_collaboration import router as collaboration_router
from coprod.api.routes_plans import router as plans_router
from coprod.api.routes_programmes import router as programmes_router
from coprod.api.routes_promise import router as promise_router
from coprod.api.routes_records import router as records_router
from coprod.api.routes_tracking import router as tracking_router
from coprod.api.web import router as web_router
from coprod.app.plan_jobs import Worker, WorkerSupervisor, reap
from coprod.app.users import LoginLimiter
from coprod.config import settings

__all__ = ["create_app"]

log = logging.getLogger("coprod.api")


def _offline_docs(app: FastAPI) -> None:
    """Swagger UI at /docs from the installed swagger-ui-bundle package: machines are offline,
    so nothing is fetched from a CDN (FastAPI's default page would)."""
    import swagger_ui_bundle
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.responses import HTMLResponse
    from fastapi.staticfiles import StaticFiles

    app.mount("/swagger", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="swagger")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="coprod API",
            swagger_js_url="/swagger/swagger-ui-bundle.js",
            swagger_css_url="/swagger/swagger-ui.css",
            swagger_favicon_url="/swagger/favicon-32x32.png",
        )


STOP_WAIT_S = 60.0  # what a stopping app waits for its thread worker's job
WORKER_NICE = 10  # the plan worker yields the CPU to requests whenever both want it


def _lower_priority(pid: int) -> None:
    """Run the plan worker at a lower priority than the server: a plan then uses what
    requests leave over instead of halving their share of the cores. Set right after the
    start, before the interpreter has started any thread (threads inherit it)."""
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, pid, WORKER_NICE)


def create_app(database_url: str | None = None, plan_worker: str | None = None) -> FastAPI:
    """The app on `database_url`; plans run by a worker `process` (the default), a `thread`
    of this process, or `none` (workers started elsewhere with `coprod worker`)."""
    conf = settings()
    url = database_url or conf.database_url
    mode = plan_worker or conf.plan_worker

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = conf.threads
        lost = reap(url)  # jobs a previous server's worker left running
        if lost:
            log.warning("plans %s were interrupted by a restart: marked failed", lost)
        worker: Worker | None = None
        worker_thread: threading.Thread | None = None
        supervisor: WorkerSupervisor | None = None
        if mode == "thread":
            worker = Worker(url)
            worker_thread = worker.start_thread()
        elif mode == "process":
            supervisor = WorkerSupervisor(url, on_start=_lower_priority)
        try:
            yield
        finally:
            if worker is not None:
                worker.stop_soon()
            if worker_thread is not None:
                # its last transaction ends before whoever started the app disposes of the
                # database (a thread still polling held a connection past the engine's end)
                worker_thread.join(timeout=STOP_WAIT_S)
            if supervisor is not None:
                supervisor.stop()

    app = FastAPI(
        title="coprod",
        version=__version__,
        docs_url=None,  # served by _offline_docs
        redoc_url=None,
        lifespan=lifespan,
        description="Plan and track the co-production of small drones by partner nations. "
        "Errors are RFC 9457 problem details; every change is audited.",
    )
    app.state.database_url = url
    app.state.token_hours = conf.token_hours
    app.state.login_limiter = LoginLimiter(conf.login_limit)
    install_problem_handlers(app)
    _offline_docs(app)
    routers = (
        auth_router,
        programmes_router,
        records_router,
        plans_router,
        tracking_router,
        collaboration_router,
        promise_router,
        audit_router,
    )
    for router in (*routers, web_router):
        app.include_router(router)
    app.add_middleware(RequestGate, limit=conf.threads + conf.queue)
    return app
