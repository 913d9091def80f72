"""Plans through the API: a background job with progress, reuse, scoped results, diffs."""

from __future__ import annotations

import time
from typing import Any

from tests.server.conftest import Api

BASE = "/programmes/example"


def _wait(api: Api, number: int) -> dict[str, Any]:
    seen = set()
    for _ in range(600):
        status = api.get(f"{BASE}/plans/{number}").json()
        seen.add(status["status"])
        if status["status"] in ("done", "failed"):
            status["seen"] = seen
            return status
        time.sleep(0.05)
    raise AssertionError(f"plan {number} did not finish: {seen}")


def test_plan_job_reuse_scoping_and_diff(api: dict[str, Api]) -> None:
    po = api["po"]
    assert api["customer"].post(f"{BASE}/plans").status_code == 403
    started = po.post(f"{BASE}/plans")
    assert started.status_code in (200, 202), started.text
    first = _wait(po, started.json()["number"])
    assert first["status"] == "done", first
    assert 0 < first["kpis"]["on_time_rate"] <= 1
    again = po.post(f"{BASE}/plans")
    assert again.status_code == 200 and again.json()["reused"] and again.json()["number"] == first["number"]

    full = po.get(f"{BASE}/plans/{first['number']}/results").json()
    customer = api["customer"].get(f"{BASE}/plans/{first['number']}/results").json()
    assert {r["id"] for r in customer["requirements"]} == {
        r["id"] for r in full["requirements"] if r["customer"] == "UA-MOD"
    }
    assert customer["production"] == [] and customer["purchases"] == [] and "costs" not in customer
    supplier = api["supplier"].get(f"{BASE}/plans/{first['number']}/results").json()
    assert supplier["purchases"] and all(p["supplier"] == "AS-MOTORS" for p in supplier["purchases"])
    planner = api["planner_no"].get(f"{BASE}/plans/{first['number']}/results").json()
    assert planner["production"] and all(p["site"] == "NO-RAUFOSS" for p in planner["production"])
    # transfers (issue 11): a site planner sees those from or to its own sites only
    assert {t["to_site"] for t in full["transfers"]} == {"UK-MIDLANDS", "NO-RAUFOSS"}
    assert planner["transfers"] == [t for t in full["transfers"] if t["to_site"] == "NO-RAUFOSS"]
    assert customer["transfers"] == [] and supplier["transfers"] == []
    # built sub-assemblies (issue 11): Kyiv's flight-controller line, seen by its own partner
    assert {(r["item"], r["site"]) for r in full["assembly_builds"]} == {("FC-F7", "UA-KYIV")}
    assert planner["assembly_builds"] == [] and customer["assembly_builds"] == []
    da = api["da"].get(f"{BASE}/plans/{first['number']}/results").json()
    assert da["assembly_builds"] == full["assembly_builds"]
    assert "FC-F7" in {t["item"] for t in full["transfers"]}  # sent on to the licensees
    late = po.get(f"{BASE}/plans/{first['number']}/late").json()
    assert late and all(r["status"] != "on_time" and r["cause"] for r in late)
    assert po.get(f"{BASE}/plans/{first['number']}/bottlenecks").json()[0]["rank"] == 1

    # change a requirement, plan again, and diff
    req = po.get(f"{BASE}/requirements/R013").json()
    bigger = {**req["data"], "quantity": req["data"]["quantity"] + 500}
    assert (
        po.put(f"{BASE}/requirements/R013", json={"version": req["version"], "data": bigger}).status_code
        == 200
    )
    second = po.post(f"{BASE}/plans")
    assert second.status_code == 202 and not second.json()["reused"]
    done = _wait(po, second.json()["number"])
    assert done["status"] == "done"
    diff = po.get(f"{BASE}/plans/{first['number']}/diff/{second.json()['number']}").json()
    assert {"kpis", "requirements", "production", "cost_change", "inputs"} <= set(diff)
    assert {"purchases", "shipments", "churn"} <= set(diff)
    assert any(r["id"] == "R013" for r in diff["requirements"])
    # the diff names the input that changed between the two plans, and only that one
    assert [(c["section"], c["key"], c["fields"]) for c in diff["inputs"]] == [
        (
            "requirements",
            "R013",
            {"quantity": {"before": req["data"]["quantity"], "after": bigger["quantity"]}},
        )
    ]
    listed = po.get(f"{BASE}/plans").json()
    assert [p["number"] for p in listed][-2:] == [first["number"], second.json()["number"]]
    assert po.get(f"{BASE}/plans/999").status_code == 404
