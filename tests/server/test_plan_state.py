"""The anytime planner's state and gap in storage: migration 0007 on SQLite and PostgreSQL,
and a stored plan job that records them."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import inspect, select

from coprod.access import Principal, Role
from coprod.app.plans import plan_stored
from coprod.planning import PlanOptions
from coprod.storage.db import MIGRATIONS, engine_for, session_scope, upgrade
from coprod.storage.tables import PlanVersion
from tests.plan_checks import check_plan
from tests.server.conftest import _backends, fresh_database, seed_example


def _plan_columns(url: str) -> set[str]:
    engine = engine_for(url)
    engine.dispose()  # a fresh look at the schema after a migration
    return {c["name"] for c in inspect(engine).get_columns("plans")}


def _downgrade(url: str, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    with engine_for(url).begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


@pytest.mark.parametrize("backend", _backends())
def test_migration_adds_and_removes_state_and_gap(backend: str, tmp_path: Path) -> None:
    with fresh_database(backend, tmp_path) as url:
        assert {"state", "gap"} <= _plan_columns(url)
        _downgrade(url, "0006")
        assert not {"state", "gap"} & _plan_columns(url)
        assert {"start", "start_reason"} <= _plan_columns(url)  # 0006's columns stay
        upgrade(url)
        assert {"state", "gap"} <= _plan_columns(url)


def test_a_stored_plan_records_its_state_and_gap(private_database_url: str) -> None:
    url = private_database_url
    seed_example(url, [])
    office = Principal("pytest", "UA-DB", Role.PROGRAMME_OFFICE)
    number, result = plan_stored(url, "example", office)
    assert result.state == "optimal" and result.gap is not None
    number_first, first = plan_stored(url, "example", office, PlanOptions(first_only=True))
    assert (first.state, first.gap) == ("first", None)
    with session_scope(url) as session:
        rows = {v.number: v for v in session.scalars(select(PlanVersion))}
        assert (rows[number].state, rows[number].gap) == ("optimal", pytest.approx(result.gap))
        assert (rows[number_first].state, rows[number_first].gap) == ("first", None)
    from coprod.io import load_programme
    from tests.server.conftest import EXAMPLE

    check_plan(load_programme(EXAMPLE), first)
