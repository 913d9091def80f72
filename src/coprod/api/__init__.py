"""The REST API (FastAPI): thin routes over the storage and planning services."""

from coprod.api.app import create_app

__all__ = ["create_app"]
