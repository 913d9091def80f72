"""`POST /programmes/{name}/promise` on the tiny programme of tests/integration/test_promise.py
(R1: 80 due January on a 100-hour line), on SQLite and PostgreSQL: the hand-worked quote,
errors as 422 naming the field, who may (a customer for its own destinations only), and a
commit that is versioned, audited and refused against a stale version."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from coprod.api import create_app
from coprod.storage.db import session_scope
from coprod.storage.records import RecordStore
from coprod.storage.users import UserStore
from tests.programmes import load, tiny_data
from tests.server.conftest import PASSWORD, Api

BASE = "/programmes/tiny"
M = ["2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01"]
ASK = {"item": "X", "quantity": 150, "destination": "D1", "due": "2026-01-01"}


@pytest.fixture(scope="module")
def api(private_database_url: str) -> Iterator[dict[str, Api]]:
    data = tiny_data()
    data["requirements"][0].update(quantity=80, priority=2)
    data["partners"].append({"id": "MOD2", "country": "GB", "role": "customer"})
    data["destinations"].append({"id": "D2", "partner": "MOD2", "country": "GB"})
    data["lanes"].append({"id": "K2", "from_site": "S1", "to": "D2", "lead_time": 0, "cost_per_unit": 1})
    with session_scope(private_database_url) as session:
        RecordStore(session).import_programme(load(data), "tiny", "pytest")
        users = UserStore(session)
        for username, partner, role in (
            ("po", "DA", "programme-office"),
            ("customer", "MOD", "customer"),
            ("customer2", "MOD2", "customer"),
            ("supplier", "SUP", "supplier"),
        ):
            users.add(username, partner, role, PASSWORD)
    with TestClient(create_app(private_database_url, plan_worker="thread")) as client:
        yield {u: Api(client, u) for u in ("po", "customer", "customer2", "supplier")}


def _plan(po: Api) -> int:
    started = po.post(f"{BASE}/plans", json={})
    assert started.status_code in (200, 201, 202), started.text
    number = int(started.json()["number"])
    for _ in range(1200):
        status = po.get(f"{BASE}/plans/{number}").json()
        if status["status"] in ("done", "failed"):
            assert status["status"] == "done", status
            return number
        time.sleep(0.05)
    raise AssertionError("the plan did not finish")


def _sched(q: dict[str, Any]) -> dict[str, int]:
    return {d["period"]: d["quantity"] for d in q["quote"]["schedule"]}


def test_promise_quote_access_errors_and_commit(api: dict[str, Api]) -> None:
    po, cust, cust2, sup = api["po"], api["customer"], api["customer2"], api["supplier"]
    assert po.post(f"{BASE}/promise", json=ASK).status_code == 404  # no plan yet
    _plan(po)
    r = po.post(f"{BASE}/promise", json=ASK)
    assert r.status_code == 200, r.text
    q = r.json()
    assert _sched(q) == {M[0]: 20, M[1]: 100, M[2]: 30}
    assert q["alternatives"]["top_priority"]["costs_others"][0]["lost"] == 80
    version = q["programme_version"]

    # the customer asks for its own destination and sees no other's requirement
    mine = cust.post(f"{BASE}/promise", json=ASK)
    assert mine.status_code == 200, mine.text
    assert _sched(mine.json()) == _sched(q)
    other = cust2.post(f"{BASE}/promise", json={**ASK, "destination": "D2"})
    assert other.status_code == 200, other.text
    top = other.json()["alternatives"]["top_priority"]
    assert top["costs_others"] == [] and top["others_lost_units"] == 80
    denied = cust2.post(f"{BASE}/promise", json=ASK)  # D1 is MOD's
    assert denied.status_code == 403 and "destination" in denied.json()["detail"]
    assert sup.post(f"{BASE}/promise", json=ASK).status_code == 403

    for change, field in (
        ({"item": "NOPE"}, "item"),
        ({"destination": "D9"}, "destination"),
        ({"quantity": 0}, "quantity"),
        ({"due": "2031-01-01"}, "due"),
    ):
        bad = po.post(f"{BASE}/promise", json={**ASK, **change})
        assert bad.status_code == 422, bad.text
        assert bad.json()["detail"].startswith(f"{field}:")

    # commit against a stale version: 409, nothing written; then with the right one
    stale = cust.post(f"{BASE}/promise", json={**ASK, "commit": True, "version": version - 1})
    assert stale.status_code == 409
    done = cust.post(f"{BASE}/promise", json={**ASK, "commit": True, "version": version, "id": "NEW"})
    assert done.status_code == 200, done.text
    made = done.json()["committed"]
    assert [(c["id"], c["quantity"], c["due"]) for c in made] == [
        ("NEW-1", 20, M[0]),
        ("NEW-2", 100, M[1]),
        ("NEW-3", 30, M[2]),
    ]
    assert done.json()["programme_version_after"] > version
    assert po.get(f"{BASE}/requirements/NEW-2").json()["data"]["quantity"] == 100
    trail = po.get(f"{BASE}/audit", params={"key": "NEW-3"}).json()
    assert [(e["action"], e["username"]) for e in trail] == [("create", "customer")]
    again = cust.post(f"{BASE}/promise", json={**ASK, "commit": True, "version": version})
    assert again.status_code == 409
