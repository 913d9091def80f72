"""The engine and sessions, and `upgrade()` which runs the Alembic migrations to head."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

from coprod.config import settings
from coprod.errors import Busy, InputError

__all__ = ["engine_for", "safe_url", "session_scope", "upgrade"]

MIGRATIONS = Path(__file__).parent / "migrations"


def _json_dumps(value: Any) -> str:
    """JSON columns written with orjson: a stored plan at M (megabytes) in a few
    milliseconds instead of a tenth of a second; int keys become strings as with json."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY).decode()


# read back with orjson too (the records of a programme at M: thousands of small documents)
JSON_CODEC: dict[str, Any] = {"json_serializer": _json_dumps, "json_deserializer": orjson.loads}


@cache
def engine_for(url: str) -> Engine:
    """One engine per URL, its pool as large as the threads that serve requests (so a
    request never waits for a connection another thread holds idle), checked out within
    the pool timeout or refused as busy (503), never a 30-second wait."""
    conf = settings()
    pool = {"pool_size": conf.threads, "max_overflow": 4, "pool_timeout": conf.pool_timeout_s}
    if url.startswith("sqlite"):
        memory = url in ("sqlite://", "sqlite:///:memory:")
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 15},
            **JSON_CODEC,
            **({} if memory else pool),
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        event.listen(engine, "before_cursor_execute", _refuse_nul)  # the same data on both
        return engine
    # pre-ping: a connection the server terminated is replaced on the next checkout
    engine = create_engine(url, pool_pre_ping=True, **JSON_CODEC, **pool)
    event.listen(engine, "before_cursor_execute", _refuse_nul)
    return engine


def _refuse_nul(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
    """PostgreSQL cannot store or even compare text holding NUL (a 500 from psycopg): such a
    value is refused as bad input (422 on the API, exit 2 on the command line), whichever
    request or file brought it. One place, below every entry point; NUL is never valid text
    in a programme, a name or a key."""
    for row in params if many else (params,):
        values: Any
        if isinstance(row, dict):
            values = row.values()
        elif isinstance(row, list | tuple):
            values = row
        else:  # one bare value (a driver may pass it so)
            values = (row,)
        if any(isinstance(v, str) and "\x00" in v for v in values):
            raise InputError("text: a value holds a NUL character (\\0), which is not valid text")


@cache
def _sessions(url: str) -> sessionmaker[Session]:
    return sessionmaker(engine_for(url), expire_on_commit=False)


@contextmanager
def session_scope(url: str) -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back (all of it) on error. A
    full pool or an unreachable database is `Busy` (503 with Retry-After on the API)."""
    try:
        with _sessions(url)() as session, session.begin():
            yield session
    except PoolTimeout as exc:
        raise Busy("the server is busy: every database connection is in use; try again shortly") from exc
    except (OperationalError, ProgrammingError) as exc:
        if isinstance(exc, OperationalError) and _unavailable(exc):
            raise Busy(f"the database is not answering ({_short(exc)}); try again shortly") from exc
        if _no_schema(exc):
            raise InputError(
                f"the database {safe_url(url)} lacks coprod's tables or is at an older schema "
                f"({_short(exc)}): run `coprod db upgrade`"
            ) from exc
        raise


def _no_schema(exc: OperationalError | ProgrammingError) -> bool:
    """A table or column is missing: the database was never upgraded, or is behind."""
    text = str(exc.orig).lower()
    return any(m in text for m in ("no such table", "no such column", "does not exist", "undefined"))


_UNAVAILABLE = ("could not connect", "terminat", "connection", "server closed", "database is locked")


def _unavailable(exc: OperationalError) -> bool:
    """The database is away or locked (worth a retry), not a wrong query or schema."""
    text = str(exc.orig).lower()
    return bool(exc.connection_invalidated) or any(marker in text for marker in _UNAVAILABLE)


def _short(exc: OperationalError | ProgrammingError) -> str:
    return str(exc.orig).strip().splitlines()[0][:200] if exc.orig else exc.__class__.__name__


def upgrade(url: str, revision: str = "head") -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    try:
        with engine_for(url).begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except OperationalError as exc:
        raise InputError(f"cannot reach the database {safe_url(url)}: {exc.orig}") from exc


def safe_url(url: str) -> str:
    """The URL without a password, for messages."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
