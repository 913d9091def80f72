"""The read caches (app/caches.py) never hand one partner another's view, and follow a
change of the programme: after a site changes hands, the plan's rows of that site and the
site's lines go to the new owner at once, for lists and plans alike."""

from __future__ import annotations

import time
import uuid

from coprod.io import load_programme
from coprod.storage.db import session_scope
from coprod.storage.records import RecordStore
from tests.server.conftest import EXAMPLE, Api


def _planned_copy(url: str, po: Api) -> str:
    name = f"caches-{uuid.uuid4().hex[:8]}"
    with session_scope(url) as session:
        RecordStore(session).import_programme(load_programme(EXAMPLE), name, "pytest")
    started = po.post(f"/programmes/{name}/plans").json()
    deadline = time.monotonic() + 300
    while po.get(f"/programmes/{name}/plans/{started['number']}").json()["status"] != "done":
        assert time.monotonic() < deadline, "the plan did not finish"
        time.sleep(0.2)
    return f"/programmes/{name}"


def _sites(api: Api, base: str, table: str) -> set[str]:
    r = api.get(f"{base}/plans/1/results")
    assert r.status_code == 200, r.text
    return {row["site"] for row in r.json()[table]}


def test_partners_get_their_own_rows_and_a_handed_over_site_moves_at_once(
    seeded: str, api: dict[str, Api]
) -> None:
    po, uk, no = api["po"], api["planner_uk"], api["planner_no"]
    base = _planned_copy(seeded, po)
    for _ in range(2):  # the second answer comes from the caches
        assert _sites(uk, base, "production") == {"UK-MIDLANDS"}
        assert _sites(no, base, "production") == {"NO-RAUFOSS"}
        overview = uk.get(f"{base}/plans/1/overview").json()
        assert overview["rows"]["production"] == len(uk.get(f"{base}/plans/1/results").json()["production"])
        assert "costs" not in overview and "costs" in po.get(f"{base}/plans/1/overview").json()
    assert {ln["data"]["site"] for ln in no.get(f"{base}/lines").json()["items"]} == {"NO-RAUFOSS"}

    site = po.get(f"{base}/sites/NO-RAUFOSS").json()
    handed = {"version": site["version"], "data": {**site["data"], "partner": "UK-MFG"}}
    assert po.put(f"{base}/sites/NO-RAUFOSS", json=handed).status_code == 200

    assert _sites(uk, base, "production") == {"UK-MIDLANDS", "NO-RAUFOSS"}
    assert _sites(no, base, "production") == set()
    assert no.get(f"{base}/lines").json()["items"] == []
    assert {ln["data"]["site"] for ln in uk.get(f"{base}/lines").json()["items"]} == {
        "UK-MIDLANDS",
        "NO-RAUFOSS",
    }


def test_a_status_poll_and_a_list_of_plans_do_not_need_the_results(api: dict[str, Api]) -> None:
    """Status answers (polled while a plan runs) carry the status and KPIs, not the plan."""
    po = api["po"]
    versions = po.get("/programmes/example/plans").json()
    assert versions and all("production" not in v for v in versions)
