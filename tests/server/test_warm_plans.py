"""Warm re-plans where users are: the plan worker keeps a live session per programme, so a
re-plan after edits through the API starts warm, and a warm plan equals a cold plan of the
same inputs. Each plan says how it started and why; a restarted server starts cold; one
programme's session never serves another; a deleted programme's session is dropped."""

from __future__ import annotations

import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete

from coprod.access import Principal, Role
from coprod.api import create_app
from coprod.app import plan_jobs, plans
from coprod.app.database import transaction
from coprod.app.plan_sessions import PlanSessions
from coprod.io import load_programme
from coprod.planning import Plan, plan
from coprod.storage.plans import PlanStore
from coprod.storage.records import RecordStore
from coprod.storage.tables import ProgrammeRow
from tests.server.conftest import EXAMPLE, Api, seed_example

OFFICE = Principal("pytest", "UA-DB", Role.PROGRAMME_OFFICE)

USERS = [
    ("po", "UA-DB", "programme-office"),
    ("planner_uk", "UK-MFG", "site-planner"),
    ("customer", "UA-MOD", "customer"),
]
BASE = "/programmes/example"


@pytest.fixture(scope="module")
def url(private_database_url: str) -> str:
    seed_example(private_database_url, USERS)
    return private_database_url


def _plan(api: Api, base: str = BASE) -> dict[str, Any]:
    started = api.post(f"{base}/plans", json={})
    assert started.status_code == 202, started.text
    number = started.json()["number"]
    for _ in range(1200):
        status = api.get(f"{base}/plans/{number}").json()
        if status["status"] in ("done", "failed"):
            assert status["status"] == "done", status
            return dict(status)
        time.sleep(0.05)
    raise AssertionError(f"plan {number} did not finish")


def _edit(api: Api, section: str, key: str, **fields: Any) -> None:
    rec = api.get(f"{BASE}/{section}/{key}").json()
    body = {"version": rec["version"], "data": {**rec["data"], **fields}}
    answer = api.put(f"{BASE}/{section}/{key}", json=body)
    assert answer.status_code == 200, answer.text


def _cold(url: str, name: str = "example") -> Plan:
    """A cold plan, in this process, of the programme as stored now (the reference)."""
    with transaction(url) as tx:
        records = RecordStore(tx)
        programme = records.load(records.programme(name))
    return plan(programme)


def _same_optimum(api: Api, number: int, cold: Plan) -> None:
    warm = api.get(f"{BASE}/plans/{number}/results").json()
    # the LP optimum is unique in value; the whole-unit plan rounds from it
    assert warm["lp_objective"] == pytest.approx(cold.lp_objective, rel=1e-7)
    assert warm["objective"] == pytest.approx(cold.objective, rel=1e-4)


def test_replans_after_edits_start_warm_and_equal_cold_plans(url: str) -> None:
    with TestClient(create_app(url, plan_worker="thread")) as client:
        po, planner = Api(client, "po"), Api(client, "planner_uk")
        first = _plan(po)
        assert (first["start"], first["start_reason"]) == (
            "cold",
            "first plan of this programme since the server started",
        )
        _same_optimum(po, first["number"], _cold(url))

        # several bound edits, each planned warm, each the cold plan's optimum
        edits: list[tuple[Api, str, str, dict[str, Any]]] = [
            (po, "requirements", "R013", {"quantity": 2600}),
            (po, "requirements", "R009", {"quantity": 300}),
            (po, "supply_offers", "MOTOR-2807/EU-MOTORS/UK-MIDLANDS", {"capacity_per_period": 400}),
            (planner, "lines", "UK-MID-2", {"hours_per_period": 1900.0}),
        ]
        for who, section, key, fields in edits:
            _edit(who, section, key, **fields)
            done = _plan(po)
            assert done["start"] == "warm", (key, done["start_reason"])
            assert "kept LP" in done["start_reason"]
            _same_optimum(po, done["number"], _cold(url))

        # a due date moves requirement rows' columns: built again, and it says so
        _edit(po, "requirements", "R013", due="2026-10-01")
        moved = _plan(po)
        assert moved["start"] == "cold"
        assert moved["start_reason"] == "structure changed: requirements 'R013' changed in due"
        _same_optimum(po, moved["number"], _cold(url))

        # and the next bound edit is warm again, from the rebuilt session
        _edit(po, "requirements", "R013", quantity=2400)
        again = _plan(po)
        assert again["start"] == "warm"
        _same_optimum(po, again["number"], _cold(url))

        # reading a warm plan is scoped as any plan: the customer sees its own requirements
        customer = Api(client, "customer").get(f"{BASE}/plans/{again['number']}/results").json()
        assert customer["requirements"] and all(r["customer"] == "UA-MOD" for r in customer["requirements"])
        assert customer["production"] == [] and "costs" not in customer

    # a restarted server has no live sessions: its first plan says it starts cold
    _store_quantity(url, "example", "R009", 350)
    with TestClient(create_app(url, plan_worker="thread")) as client:
        restarted = _plan(Api(client, "po"))
        assert restarted["start"] == "cold"
        assert restarted["start_reason"] == "first plan of this programme since the server started"


def _store_quantity(url: str, name: str, key: str, quantity: int) -> None:
    """Edit a requirement in the database (as an import or another server would)."""
    with transaction(url) as tx:
        store = RecordStore(tx)
        row = store.programme(name)
        rec = store.get(row, "requirements", key, OFFICE)
        store.update(row, "requirements", key, rec.version, {**rec.data, "quantity": quantity}, OFFICE)


def test_sessions_are_per_programme_bounded_and_dropped_with_the_programme(url: str) -> None:
    with transaction(url) as tx:
        for name in ("other-a", "other-b"):
            RecordStore(tx).import_programme(load_programme(EXAMPLE), name, "pytest")
    worker = plan_jobs.Worker(url)
    worker.sessions = PlanSessions(1)  # room for one: the second programme evicts the first
    starts = []
    # edits in other-a only (R013 differs from other-b's): they must not reach other-b's plan
    for name, quantity in (("other-a", 99), ("other-b", None), ("other-a", 98)):
        if quantity is not None:
            _store_quantity(url, name, "R013", quantity)
        with transaction(url) as tx:
            view = plans.start_plan(tx, OFFICE, name)
            assert not view.reused
            version_id = PlanStore(tx).get(RecordStore(tx).programme(name), view.number).id
        plan_jobs.run_job(url, version_id, sessions=worker.sessions)
        with transaction(url) as tx:
            done = PlanStore(tx).by_id(version_id)
            assert done is not None and done.result is not None
            starts.append((done.start, done.start_reason))
            assert done.result["lp_objective"] == pytest.approx(_cold(url, name).lp_objective, rel=1e-7)
    assert starts[0] == ("cold", "first plan of this programme since the server started")
    assert starts[1] == ("cold", "first plan of this programme since the server started")
    assert starts[2] == ("cold", "its live session was dropped to keep at most 1 in memory")
    assert len(worker.sessions) == 1
    with transaction(url) as tx:
        tx.execute(delete(ProgrammeRow).where(ProgrammeRow.name == "other-a"))
    worker.prune()
    assert len(worker.sessions) == 0
