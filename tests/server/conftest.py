"""A real database for server tests: SQLite always; PostgreSQL too when COPROD_TEST_POSTGRES_URL
names a server (CI sets it). A database is created for the run and dropped after it. When the
variable is set and the server cannot be reached, the tests fail; they do not skip."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from coprod.access import Principal, Role
from coprod.api import create_app
from coprod.io import load_programme
from coprod.storage.db import engine_for, session_scope, upgrade
from coprod.storage.records import RecordStore
from coprod.storage.users import UserStore

PG_ENV = "COPROD_TEST_POSTGRES_URL"
EXAMPLE = Path(__file__).parents[2] / "examples" / "uk-ua-interceptors.yaml"
PASSWORD = "correct horse battery"
# (username, partner, role)
USERS = [
    ("po", "UA-DB", "programme-office"),
    ("da", "UA-DB", "design-authority"),
    ("planner_uk", "UK-MFG", "site-planner"),
    ("planner_no", "NO-MFG", "site-planner"),
    ("supplier", "AS-MOTORS", "supplier"),
    ("customer", "UA-MOD", "customer"),
    ("auditor", "UA-DB", "auditor"),
]


def _backends() -> list[str]:
    return ["sqlite", "postgresql"] if os.environ.get(PG_ENV) else ["sqlite"]


@contextmanager
def fresh_database(backend: str, folder: Path) -> Iterator[str]:
    """A new, migrated database on `backend` (sqlite or postgresql), dropped afterwards."""
    if backend == "sqlite":
        url = f"sqlite:///{folder / f'coprod-{uuid.uuid4().hex[:8]}.db'}"
        upgrade(url)
        yield url
        engine_for(url).dispose()
        return
    admin_url = make_url(os.environ[PG_ENV])
    name = f"coprod_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        yield url
    finally:
        engine_for(url).dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session", params=_backends())
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with fresh_database(request.param, tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture(scope="module", params=_backends())
def private_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A database of the module's own: no server or worker of other tests touches it."""
    with fresh_database(request.param, tmp_path_factory.mktemp("private")) as url:
        yield url


def seed_example(url: str, users: list[tuple[str, str, str]]) -> None:
    """The example imported as 'example' into a module's own database, and these users."""
    with session_scope(url) as session:
        RecordStore(session).import_programme(load_programme(EXAMPLE), "example", "pytest")
        store = UserStore(session)
        for username, partner, role in users:
            store.add(username, partner, role, PASSWORD)


@pytest.fixture(scope="session")
def seeded(database_url: str) -> str:
    """The example imported as 'example', and one user per role."""
    with session_scope(database_url) as session:
        RecordStore(session).import_programme(load_programme(EXAMPLE), "example", "pytest")
        # a second customer, so every record type has records of more than one partner
        store = RecordStore(session)
        row = store.programme("example")
        office = Principal("pytest", "UA-DB", Role.PROGRAMME_OFFICE)
        store.create(row, "partners", {"id": "PL-MOD", "country": "PL", "role": "customer"}, office)
        store.create(row, "destinations", {"id": "PL-DEPOT", "partner": "PL-MOD", "country": "PL"}, office)
        store.create(
            row,
            "requirements",
            {
                "id": "R-PL-1",
                "customer": "PL-MOD",
                "destination": "PL-DEPOT",
                "item": "FPV-10",
                "quantity": 50,
                "due": "2026-06-01",
            },
            office,
        )
        store.create(row, "partners", {"id": "NO-DA", "country": "NO", "role": "design_authority"}, office)
        store.create(
            row,
            "designs",
            {
                "id": "SCOUT-1",
                "owner": "NO-DA",
                "revisions": [
                    {"revision": 1, "effective_from": "2026-01-01", "bom": [{"item": "FRAME-10", "qty": 1}]}
                ],
            },
            office,
        )
        store.create(
            row,
            "licences",
            {
                "id": "LIC-UK-SCOUT",
                "licensor": "NO-DA",
                "licensee": "UK-MFG",
                "design": "SCOUT-1",
                "valid_from": "2026-06-01",
            },
            office,
        )
        users = UserStore(session)
        for username, partner, role in USERS:
            users.add(username, partner, role, PASSWORD)
    return database_url


class Api:
    """A TestClient logged in as one user."""

    def __init__(self, client: TestClient, username: str) -> None:
        self.client = client
        r = client.post("/auth/token", json={"username": username, "password": PASSWORD})
        assert r.status_code == 200, r.text
        self.headers = {"Authorization": f"Bearer {r.json()['access_token']}"}

    def get(self, path: str, **kw: Any) -> Any:
        return self.client.get(path, headers=self.headers, **kw)

    def post(self, path: str, **kw: Any) -> Any:
        return self.client.post(path, headers=self.headers, **kw)

    def put(self, path: str, **kw: Any) -> Any:
        return self.client.put(path, headers=self.headers, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self.client.delete(path, headers=self.headers, **kw)


@pytest.fixture(scope="session")
def client(seeded: str) -> Iterator[TestClient]:
    # a plan worker thread in this process (the server's default is a worker process)
    with TestClient(create_app(seeded, plan_worker="thread")) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def api(client: TestClient) -> dict[str, Api]:
    return {username: Api(client, username) for username, _, _ in USERS}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked postgresql_only run on the PostgreSQL database only (deselected, not
    skipped, on SQLite: they test what only a database server does)."""
    keep, drop = [], []
    for item in items:
        params = getattr(item, "callspec", None)
        on_sqlite = params is not None and "sqlite" in params.id.split("-")
        (drop if item.get_closest_marker("postgresql_only") and on_sqlite else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
