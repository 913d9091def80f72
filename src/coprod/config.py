"""Settings from the environment: where the database is, how tokens and logins behave.

COPROD_DATABASE_URL   SQLAlchemy URL; default: SQLite in $XDG_DATA_HOME/coprod/coprod.db
                      (~/.local/share/coprod/coprod.db). PostgreSQL:
                      postgresql+psycopg://user@127.0.0.1:5432/coprod
COPROD_TOKEN_HOURS    bearer token lifetime in hours (default 12)
COPROD_LOGIN_LIMIT    failed logins allowed per user and minute (default 5)
COPROD_THREADS        threads serving requests; the connection pool has as many (default 16)
COPROD_QUEUE          requests allowed to wait for a thread before 503 Busy (default 64)
COPROD_POOL_TIMEOUT   seconds a request waits for a database connection before 503 (default 5)
COPROD_JOB_LEASE      seconds without a heartbeat after which a plan job counts as lost (default 30)
COPROD_PLAN_WORKER    how `coprod serve` runs plans: process (default), thread, or none
COPROD_PLAN_SESSIONS  live planning sessions a plan worker keeps, one per programme, so a
                      re-plan after an edit starts warm (default 4; 0: every plan cold).
                      Each holds its programme, LP and solver: 60-75 MB at generated M
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coprod.errors import InputError

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
    threads: int = 16
    queue: int = 64
    pool_timeout_s: float = 5.0
    job_lease_s: float = 30.0
    plan_worker: str = "process"
    plan_sessions: int = 4


def _number(name: str, default: str, kind: type[float] | type[int], low: float) -> Any:
    text = os.environ.get(name, default)
    try:
        value = kind(text)
    except ValueError:
        raise InputError(f"{name}={text!r} is not a number") from None
    if value < low:
        raise InputError(f"{name}={text!r} must be at least {low:g}")
    return value


def settings() -> Settings:
    worker = os.environ.get("COPROD_PLAN_WORKER", "process")
    if worker not in ("process", "thread", "none"):
        raise InputError(f"COPROD_PLAN_WORKER={worker!r}: one of process, thread, none")
    return Settings(
        database_url=os.environ.get("COPROD_DATABASE_URL") or default_database_url(),
        token_hours=_number("COPROD_TOKEN_HOURS", "12", float, float("-inf")),  # tests expire tokens
        login_limit=_number("COPROD_LOGIN_LIMIT", "5", int, 1),
        threads=_number("COPROD_THREADS", "16", int, 1),
        queue=_number("COPROD_QUEUE", "64", int, 0),
        pool_timeout_s=_number("COPROD_POOL_TIMEOUT", "5", float, 0.1),
        job_lease_s=_number("COPROD_JOB_LEASE", "30", float, 1),
        plan_worker=worker,
        plan_sessions=_number("COPROD_PLAN_SESSIONS", "4", int, 0),
    )
