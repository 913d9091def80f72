"""Migration 0008: the index that serves a page of records in file order, on SQLite and
PostgreSQL, and the page it serves (the order and the scope the list had before)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect

from coprod.storage.db import engine_for, upgrade
from tests.server.conftest import _backends, fresh_database
from tests.server.test_plan_state import _downgrade


def _indexes(url: str) -> set[str]:
    engine = engine_for(url)
    engine.dispose()
    return {ix["name"] for ix in inspect(engine).get_indexes("records")}


@pytest.mark.parametrize("backend", _backends())
def test_migration_adds_and_removes_the_order_index(backend: str, tmp_path: Path) -> None:
    with fresh_database(backend, tmp_path) as url:
        assert "ix_record_order" in _indexes(url)
        _downgrade(url, "0007")
        assert "ix_record_order" not in _indexes(url) and "ix_record_scope" in _indexes(url)
        upgrade(url)
        assert "ix_record_order" in _indexes(url)
