"""Actuals through the API, on a database of this module's own: batches and single events
all or nothing (422 naming record and field, 403 for another partner's event, nothing
stored), each role seeing its own events, royalties and tracking; a plan as of a date."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from coprod.api import create_app
from tests.server.conftest import PASSWORD, USERS, Api, seed_example

BATCH = Path(__file__).parents[2] / "examples" / "actuals" / "actuals.yaml"
BASE = "/programmes/example"


def _batch() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(json.dumps(yaml.safe_load(BATCH.read_text()), default=str))
    return data


@pytest.fixture(scope="module")
def api(private_database_url: str) -> Iterator[dict[str, Api]]:
    seed_example(private_database_url, USERS)
    with TestClient(create_app(private_database_url, plan_worker="thread")) as client:
        yield {u: Api(client, u) for u, _, _ in USERS}


def _uk_lot(lot_id: str = "LOT-UK-API-1", serial: str = "UK-API-0001") -> dict[str, Any]:
    return {
        "id": lot_id,
        "site": "UK-MIDLANDS",
        "line": "UK-MID-1",
        "design": "INT-1",
        "revision": 1,
        "quantity": 1,
        "serials": [serial],
        "built": "2026-03-10",
    }


def test_a_batch_lands_whole_or_not_at_all(api: dict[str, Api]) -> None:
    po = api["po"]
    bad = _batch()
    bad["acceptances"][6]["date"] = "2026-03-10"  # the UK lot, before its first article passed (03-18)
    r = po.post(f"{BASE}/actuals", json=bad)
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    errors = r.json()["errors"]
    assert any(
        e["record"] == "acceptances[6] (ACC-UK-2603-A)"
        and e["field"] == "lot"
        and "has not passed" in e["message"]
        for e in errors
    ), errors
    assert po.get(f"{BASE}/actuals/lots").json()["total"] == 0  # nothing stored
    ok = po.post(f"{BASE}/actuals", json=_batch())
    assert ok.status_code == 201 and ok.json()["recorded"] == 43
    again = po.post(f"{BASE}/actuals", json=_batch())
    assert again.status_code == 422 and "duplicate id" in again.text
    audit = po.get(f"{BASE}/audit", params={"section": "actuals"}).json()
    assert audit[-1]["action"] == "import" and audit[-1]["after"]["events"]["lots"] == 10


def test_only_the_owning_partner_records_an_event(api: dict[str, Api]) -> None:
    lot = _uk_lot()
    refused = api["planner_no"].post(f"{BASE}/actuals/lots", json=lot)
    assert refused.status_code == 403, refused.text
    assert "lots LOT-UK-API-1 (of UK-MFG)" in refused.json()["detail"]
    assert api["customer"].post(f"{BASE}/actuals/lots", json=lot).status_code == 403
    assert api["po"].get(f"{BASE}/actuals/lots/LOT-UK-API-1").status_code == 404  # nothing stored
    mine = api["planner_uk"].post(f"{BASE}/actuals/lots", json=lot)
    assert mine.status_code == 201 and mine.json()["partner"] == "UK-MFG"
    clash = api["planner_uk"].post(f"{BASE}/actuals/lots", json=_uk_lot("LOT-UK-API-2", "UK-INT1-000050"))
    assert clash.status_code == 422 and "serial UK-INT1-000050 is already in lot LOT-UK-2603-A" in clash.text
    typo = api["planner_uk"].post(
        f"{BASE}/actuals/lots", json={**_uk_lot("LOT-UK-API-3", "UK-API-3"), "qty": 1}
    )
    assert typo.status_code == 422


def test_each_role_sees_its_own_events(api: dict[str, Api]) -> None:
    lots = {r["key"] for r in api["planner_uk"].get(f"{BASE}/actuals/lots").json()["items"]}
    assert lots == {"LOT-UK-2603-FA", "LOT-UK-2603-FA2", "LOT-UK-2603-A", "LOT-UK-API-1"}
    assert api["planner_no"].get(f"{BASE}/actuals/lots").json()["total"] == 0
    assert api["planner_no"].get(f"{BASE}/actuals/lots/LOT-UK-2603-A").status_code == 404
    assert api["da"].get(f"{BASE}/actuals/lots").json()["total"] == 11  # every build of its designs
    assert api["customer"].get(f"{BASE}/actuals/lots").status_code == 403
    receipts = api["customer"].get(f"{BASE}/actuals/receipts").json()
    assert receipts["total"] == 6  # every receipt is at its depots
    shipments = api["customer"].get(f"{BASE}/actuals/shipments").json()
    assert shipments["total"] == 7
    assert api["supplier"].get(f"{BASE}/actuals/purchase_orders").json()["total"] == 0  # none on AS-MOTORS
    assert api["auditor"].get(f"{BASE}/actuals/purchase_orders").json()["total"] == 5


def test_royalties_for_the_licensor_and_each_licensee(api: dict[str, Api]) -> None:
    rows = api["da"].get(f"{BASE}/royalties").json()
    assert [(r["licensee"], r["licence"], r["accepted"], r["amount"]) for r in rows] == [
        ("UK-MFG", "LIC-UK-INT1-B1", 118, 35282.0)  # GBP 260 a unit at 1.15
    ]
    assert api["planner_uk"].get(f"{BASE}/royalties").json() == rows
    assert api["planner_no"].get(f"{BASE}/royalties").json() == []  # NO-MFG owes nothing yet
    assert api["customer"].get(f"{BASE}/royalties").status_code == 403
    assert api["supplier"].get(f"{BASE}/royalties").status_code == 403
    assert api["po"].get(f"{BASE}/royalties", params={"period": "2030-01-01"}).status_code == 422


def test_tracking_and_trace_are_scoped(api: dict[str, Api]) -> None:
    uk = api["planner_uk"].get(f"{BASE}/tracking").json()
    assert {r["line"] for r in uk["rows"]} == {"UK-MID-1", "UK-MID-2"}
    assert api["customer"].get(f"{BASE}/tracking").status_code == 403
    assert api["planner_no"].get(f"{BASE}/trace/UK-INT1-000050").status_code == 404
    found = api["planner_uk"].get(f"{BASE}/trace/UK-INT1-000050").json()
    assert found["lot"]["id"] == "LOT-UK-2603-A" and [f["result"] for f in found["first_articles"]] == [
        "failed",
        "passed",
    ]


def test_a_plan_as_of_a_date(api: dict[str, Api]) -> None:
    po = api["po"]
    assert po.post(f"{BASE}/plans", json={"as_of": "2026-04-15"}).status_code == 422
    started = po.post(f"{BASE}/plans", json={"as_of": "2026-04-01"})
    assert started.status_code == 202, started.text
    number = started.json()["number"]
    for _ in range(240):
        status = po.get(f"{BASE}/plans/{number}").json()["status"]
        if status in ("done", "failed"):
            break
        time.sleep(0.5)
    assert status == "done"
    results = po.get(f"{BASE}/plans/{number}/results").json()
    assert results["periods"][0] == "2026-04-01"
    assert "R001" not in {r["id"] for r in results["requirements"]}


def _browser(api: dict[str, Api], username: str) -> TestClient:
    app = next(iter(api.values())).client.app
    client = TestClient(app)
    assert client.post("/login", data={"username": username, "password": PASSWORD}).status_code == 200
    return client


def test_dashboard_tracking_site_and_royalty_pages(api: dict[str, Api]) -> None:
    po = _browser(api, "po")
    overview = po.get("/p/example/tracking")
    assert overview.status_code == 200 and "Plan against actual" in overview.text
    assert overview.text.count('class="chart"') == 2 and "UK-MIDLANDS" in overview.text
    site = po.get("/p/example/tracking/UK-MIDLANDS")
    assert site.status_code == 200 and "UK-MID-1" in site.text and "UA-KYIV-1" not in site.text
    uk = _browser(api, "planner_uk")
    assert "UA-KYIV-1" not in uk.get("/p/example/tracking").text  # only its own lines
    # 118 units at GBP 260 (the licence's currency, and UK-MFG's own) = EUR 35,282 at 1.15
    page = uk.get("/p/example/royalties").text
    assert "EUR 35,282.00" in page and "GBP 30,680.00" in page
    assert "35,282.00" in _browser(api, "da").get("/p/example/royalties").text
    assert "35,282.00" not in _browser(api, "planner_no").get("/p/example/royalties").text
    denied = _browser(api, "customer").get("/p/example/royalties")
    assert denied.status_code == 403 and denied.headers["content-type"].startswith("text/html")


def test_dashboard_run_form_plans_as_of_a_date(api: dict[str, Api]) -> None:
    po = _browser(api, "po")
    page_html = po.get("/p/example").text
    csrf = page_html.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    wrong = po.post("/p/example/run", data={"csrf": csrf, "as_of": "2026-04-15"})
    assert wrong.status_code == 422 and "plan as of 2026-04-01 or 2026-05-01" in wrong.text
    ran = po.post("/p/example/run", data={"csrf": csrf, "as_of": "2026-05-01"}, follow_redirects=False)
    assert ran.status_code == 303 and "/progress" in ran.headers["location"]
