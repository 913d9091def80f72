"""`coprod db upgrade`, `import`, `export`, `user add`, `serve`, `worker`: the database, the
API and the plan worker."""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from coprod.cli.common import ProgrammePath, err, out, user_errors, writable, writing

__all__ = ["register"]

db_app = typer.Typer(
    help="The database (SQLite by default; COPROD_DATABASE_URL for PostgreSQL).", no_args_is_help=True
)
user_app = typer.Typer(help="Users of the API.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database to the latest schema."""
    from coprod.app.database import configured_url, migrate, shown_url

    with user_errors():
        url = configured_url()
        migrate(url)
    out.print(f"database at the latest schema: {shown_url(url)}", highlight=False, markup=False)


def import_cmd(
    path: ProgrammePath,
    name: Annotated[str | None, typer.Option(help="Name in the database (default: the file's stem)")] = None,
    replace: Annotated[bool, typer.Option(help="Overwrite a programme of that name")] = False,
) -> None:
    """Load a programme file into the database (all of it, or nothing)."""
    from coprod.app.database import configured_url, local_operator
    from coprod.app.programmes import import_file

    with user_errors():
        summary = import_file(configured_url(), path, name, replace, local_operator())
    out.print(f"imported {path} as '{summary.name}'", highlight=False, markup=False)


def export_cmd(
    name: Annotated[str, typer.Argument(help="The programme's name in the database")],
    target: Annotated[Path, typer.Argument(help="A .yaml file, or a folder for CSV files")],
) -> None:
    """Write a programme from the database to a file (YAML) or folder (CSV)."""
    from coprod.app.database import configured_url, local_operator
    from coprod.app.programmes import export_file, file_format

    writable("TARGET", target, folder=file_format(target) == "csv")
    with user_errors(), writing("TARGET", target):
        export_file(configured_url(), name, target, local_operator())
    out.print(f"exported '{name}' to {target}", highlight=False, markup=False)


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument()],
    partner: Annotated[str, typer.Option(help="The partner the user belongs to (in a stored programme)")],
    role: Annotated[
        str,
        typer.Option(help="programme-office, design-authority, site-planner, supplier, customer or auditor"),
    ],
    password_stdin: Annotated[bool, typer.Option(help="Read the password from standard input")] = False,
) -> None:
    """Add a user (the password is asked for, or read from standard input)."""
    from coprod.app.database import configured_url, local_operator
    from coprod.app.users import add_user_locally

    password = sys.stdin.readline().rstrip("\n") if password_stdin else getpass.getpass("password: ")
    with user_errors():
        user = add_user_locally(configured_url(), local_operator(), username, partner, role, password)
    out.print(
        f"user {user.username} ({user.role.value} of {user.partner}) added", highlight=False, markup=False
    )


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port", min=1, max=65535)] = 8000,
) -> None:
    """Serve the dashboard (/) and the REST API (OpenAPI at /docs) on the configured database.

    Plans run in a worker process started beside the server (COPROD_PLAN_WORKER: process,
    thread or none; see `coprod worker`)."""
    import uvicorn

    from coprod.api import create_app
    from coprod.app.database import configured_url, migrate, shown_url

    with user_errors():
        url = configured_url()
        migrate(url)
        app = create_app(url)
    err.print(
        f"coprod on http://{host}:{port}/ (dashboard; API beside it, OpenAPI at /docs), "
        f"database {shown_url(url)}",
        highlight=False,
        markup=False,
    )
    uvicorn.run(app, host=host, port=port, log_level="info")


def worker() -> None:
    """Run plan jobs from the configured database until stopped (`coprod serve` starts one;
    start more on other machines that reach the same PostgreSQL)."""
    import logging

    from coprod.app.database import configured_url, migrate
    from coprod.app.plan_jobs import Worker, watch_parent

    logging.basicConfig(level=logging.INFO, format="%(asctime)s worker %(levelname)s %(message)s")
    parent = os.environ.get("COPROD_WORKER_PARENT", "")
    with user_errors():
        url = configured_url()
        if not parent.isdigit():  # started by `coprod serve`, which has just migrated it
            migrate(url)
    if parent.isdigit():
        watch_parent(int(parent))
    runner = Worker(url, settle=True)
    if os.environ.get("COPROD_WORKER_WAKE") == "stdin":  # spawned by `coprod serve`: woken per job
        runner.listen(sys.stdin.buffer)
    runner.run()


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
    app.add_typer(user_app, name="user")
    app.command("import")(import_cmd)
    app.command("export")(export_cmd)
    app.command()(serve)
    app.command()(worker)
