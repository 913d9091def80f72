"""The dashboard: server-rendered pages (Jinja2) with Plotly charts served from the
installed plotly package, on the same app, storage and access rules as the API."""

from coprod.api.web.routes import router

__all__ = ["router"]
