"""`coprod db upgrade`, `import`, `export`, `user add`, `serve`: the database and the API."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path
from typing import Annotated

import typer

from coprod.cli_common import ProgrammePath, err, out, user_errors

db_app = typer.Typer(
    help="The database (SQLite by default; COPROD_DATABASE_URL for PostgreSQL).", no_args_is_help=True
)
user_app = typer.Typer(help="Users of the API.", no_args_is_help=True)


def _url() -> str:
    from coprod.config import settings

    return settings().database_url


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database to the latest schema."""
    from coprod.storage.db import _safe, upgrade

    url = _url()
    with user_errors():
        upgrade(url)
    out.print(f"database at the latest schema: {_safe(url)}")


def import_cmd(
    path: ProgrammePath,
    name: Annotated[str | None, typer.Option(help="Name in the database (default: the file's stem)")] = None,
    replace: Annotated[bool, typer.Option(help="Overwrite a programme of that name")] = False,
) -> None:
    """Load a programme file into the database (all of it, or nothing)."""
    from coprod.services import validate_file
    from coprod.storage.db import session_scope, upgrade
    from coprod.storage.records import RecordStore

    url = _url()
    with user_errors():
        programme = validate_file(path)
        upgrade(url)
        with session_scope(url) as session:
            RecordStore(session).import_programme(programme, name or path.stem, getpass.getuser(), replace)
    out.print(f"imported {path} as '{name or path.stem}'")


def export_cmd(
    name: Annotated[str, typer.Argument(help="The programme's name in the database")],
    target: Annotated[Path, typer.Argument(help="A .yaml file, or a folder for CSV files")],
) -> None:
    """Write a programme from the database to a file (YAML) or folder (CSV)."""
    from coprod.io import write_programme
    from coprod.storage.db import session_scope
    from coprod.storage.records import RecordStore

    with user_errors(), session_scope(_url()) as session:
        store = RecordStore(session)
        programme = store.load(store.programme(name))
        write_programme(programme, target, "yaml" if target.suffix.lower() in (".yaml", ".yml") else "csv")
    out.print(f"exported '{name}' to {target}")


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument()],
    partner: Annotated[str, typer.Option(help="The partner the user belongs to")],
    role: Annotated[
        str,
        typer.Option(help="programme-office, design-authority, site-planner, supplier, customer or auditor"),
    ],
    password_stdin: Annotated[bool, typer.Option(help="Read the password from standard input")] = False,
) -> None:
    """Add a user (the password is asked for, or read from standard input)."""
    from coprod.storage.db import session_scope, upgrade
    from coprod.storage.users import UserStore

    password = sys.stdin.readline().rstrip("\n") if password_stdin else getpass.getpass("password: ")
    url = _url()
    with user_errors():
        upgrade(url)
        with session_scope(url) as session:
            UserStore(session).add(username, partner, role, password)
    out.print(f"user {username} ({role} of {partner}) added")


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8000,
) -> None:
    """Serve the dashboard (/) and the REST API (OpenAPI at /docs) on the configured database."""
    import uvicorn

    from coprod.api import create_app
    from coprod.storage.db import _safe, upgrade

    url = _url()
    with user_errors():
        upgrade(url)
    err.print(f"coprod API on http://{host}:{port}/ (OpenAPI: /docs), database {_safe(url)}")
    uvicorn.run(create_app(url), host=host, port=port, log_level="info")
