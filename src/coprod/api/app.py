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


def create_app(database_url: str | None = None) -> FastAPI:
    conf = settings()
    app = FastAPI(
        title="coprod",
        version=__version__,
        docs_url=None,  # served by _offline_docs
        redoc_url=None,
        description="Plan and track the co-production of small drones by partner nations. "
        "Errors are RFC 9457 problem details; every change is audited.",
    )
    app.state.database_url = database_url or conf.database_url
    app.state.token_hours = conf.token_hours
    app.state.login_limiter = LoginLimiter(conf.login_limit)
    install_problem_handlers(app)
    _offline_docs(app)
    for router in (auth_router, programmes_router, records_router, plans_router, audit_router, web_router):
        app.include_router(router)
    return app
