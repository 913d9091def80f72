"""The FastAPI application: routers, problem-details errors, settings on app.state."""

from __future__ import annotations

from fastapi import FastAPI

from coprod import __version__
from coprod.api.problems import install_problem_handlers
from coprod.api.routes_audit import router as audit_router
from coprod.api.routes_auth import router as auth_router
from coprod.api.routes_plans import router as plans_router
from coprod.api.routes_programmes import router as programmes_router
from coprod.api.routes_records import router as records_router
from coprod.api.web import router as web_router
from coprod.config import settings
from coprod.storage.users import LoginLimiter

__all__ = ["create_app"]


def create_app(database_url: str | None = None) -> FastAPI:
    conf = settings()
    app = FastAPI(
        title="coprod",
        version=__version__,
        description="Plan and track the co-production of small drones by partner nations. "
        "Errors are RFC 9457 problem details; every change is audited.",
    )
    app.state.database_url = database_url or conf.database_url
    app.state.token_hours = conf.token_hours
    app.state.login_limiter = LoginLimiter(conf.login_limit)
    install_problem_handlers(app)
    for router in (auth_router, programmes_router, records_router, plans_router, audit_router, web_router):
        app.include_router(router)
    return app
