"""Migration 0008: the index that serves a page of records in file order, on SQLite and
PostgreSQL, and the page it serves (the order and the scope the list had before)."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text

from coprod.storage.db import engine_for, upgrade
from tests.server.conftest import _backends, fresh_database
from tests.server.test_plan_state import _downgrade


def _reflected(url: str) -> list[Any]:
    engine = engine_for(url)
    engine.dispose()
    with warnings.catch_warnings():  # SQLite's reflection skips expression indexes, warning
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index")
        return list(inspect(engine).get_indexes("records"))


def _indexes(url: str) -> set[str]:
    if url.startswith("sqlite"):  # every index, those on expressions too
        with engine_for(url).connect() as conn:
            found = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'index'"))
            return {name for (name,) in found}
    return {ix["name"] for ix in _reflected(url)}


@pytest.mark.parametrize("backend", _backends())
def test_migration_adds_and_removes_the_order_index(backend: str, tmp_path: Path) -> None:
    with fresh_database(backend, tmp_path) as url:
        assert "ix_record_order" in _indexes(url)
        _downgrade(url, "0007")
        assert "ix_record_order" not in _indexes(url) and "ix_record_scope" in _indexes(url)
        upgrade(url)
        assert "ix_record_order" in _indexes(url)


@pytest.mark.parametrize("backend", _backends())
def test_migration_0009_adds_and_removes_the_field_indexes(backend: str, tmp_path: Path) -> None:
    """A pair of partial indexes per sortable field of supply offers and requirements, the
    party's index; downgraded, they are gone and the file-order index is 0008's again."""
    from coprod.app.records import filterable_fields
    from coprod.storage.records import INDEXED_SECTIONS

    # every field a list of these sections sorts on has its pair (a new field: a new migration)
    short = {"supply_offers": "offer", "requirements": "req"}
    names = {
        f"ix_{short[s]}_{f}{end}"
        for s in INDEXED_SECTIONS
        for f in filterable_fields(s)
        for end in ("", "_desc")
    }
    assert {"ix_offer_lead_time", "ix_offer_lead_time_desc", "ix_req_due_desc"} <= names and len(names) == 34
    with fresh_database(backend, tmp_path) as url:
        assert names | {"ix_record_party", "ix_record_order"} <= _indexes(url)
        _downgrade(url, "0008")
        assert not (names | {"ix_record_party"}) & _indexes(url) and "ix_record_order" in _indexes(url)
        order = next(ix for ix in _reflected(url) if ix["name"] == "ix_record_order")
        assert order["column_names"] == ["programme_id", "section", "position"]
        upgrade(url)
        assert names | {"ix_record_party"} <= _indexes(url)
