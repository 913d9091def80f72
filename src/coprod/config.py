"""Settings from the environment: where the database is, how tokens and logins behave.

COPROD_DATABASE_URL   SQLAlchemy URL; default: SQLite in $XDG_DATA_HOME/coprod/coprod.db
                      (~/.local/share/coprod/coprod.db). PostgreSQL:
                      postgresql+psycopg://user@127.0.0.1:5432/coprod
COPROD_TOKEN_HOURS    bearer token lifetime in hours (default 12)
COPROD_LOGIN_LIMIT    failed logins allowed per user and minute (default 5)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Settings", "default_database_url", "settings"]


def default_database_url() -> str:
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    path = base / "coprod" / "coprod.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    token_hours: float = 12.0
    login_limit: int = 5


def settings() -> Settings:
    return Settings(
        database_url=os.environ.get("COPROD_DATABASE_URL") or default_database_url(),
        token_hours=float(os.environ.get("COPROD_TOKEN_HOURS", "12")),
        login_limit=int(os.environ.get("COPROD_LOGIN_LIMIT", "5")),
    )
