"""Supplier collaboration through the API, on a database of this module's own: the office
releases the plan's orders, each supplier sees only its own release, answers (JSON or the
filled-in workbook) become the offers' commitments, the next plan is held to them, and
every release and answer is audited. Bad answers are 422s naming the line, nothing stored."""

from __future__ import annotations

import io
import time
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from coprod.api import create_app
from tests.server.conftest import USERS, Api, seed_example

BASE = "/programmes/example"
OFFER = "MOTOR-2807/AS-MOTORS/UA-KYIV"  # AS-MOTORS is the test supplier's partner


@pytest.fixture(scope="module")
def api(private_database_url: str) -> Iterator[dict[str, Api]]:
    seed_example(private_database_url, [*USERS, ("supplier_eu", "EU-OPTICS", "supplier")])
    with TestClient(create_app(private_database_url, plan_worker="thread")) as client:
        yield {u: Api(client, u) for u in [*(u for u, _, _ in USERS), "supplier_eu"]}


def _plan(po: Api) -> dict[str, Any]:
    started = po.post(f"{BASE}/plans", json={})
    assert started.status_code in (200, 201, 202), started.text
    number = started.json()["number"]
    for _ in range(1200):
        status = po.get(f"{BASE}/plans/{number}").json()
        if status["status"] in ("done", "failed"):
            assert status["status"] == "done", status
            return dict(po.get(f"{BASE}/plans/{number}/results").json())
        time.sleep(0.05)
    raise AssertionError("the plan did not finish")


def _ordered(plan: dict[str, Any], offer: str) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for r in plan["purchases"]:
        if r["offer"] == offer:
            out[r["arrival_period"]] += r["quantity"]
    return dict(out)


def test_release_answer_and_replan(api: dict[str, Api]) -> None:
    po, sup, other = api["po"], api["supplier"], api["supplier_eu"]
    assert po.post(f"{BASE}/releases", json={}).status_code == 422  # no plan yet
    first = _plan(po)
    asked = _ordered(first, OFFER)
    assert asked, "the example's plan orders motors from AS-MOTORS"

    assert sup.post(f"{BASE}/releases", json={}).status_code == 403
    assert po.post(f"{BASE}/releases", json={"supplier": "NOBODY"}).status_code == 422
    made = po.post(f"{BASE}/releases", json={"note": "December forecast"})
    assert made.status_code == 201, made.text
    by_supplier = {r["supplier"]: r for r in made.json()}
    mine = by_supplier["AS-MOTORS"]
    assert {ln["period"]: ln["quantity"] for ln in mine["lines"] if ln["offer"] == OFFER} == asked

    # each supplier sees its own release only; another's is a 404, never a 403
    assert [r["supplier"] for r in sup.get(f"{BASE}/releases").json()] == ["AS-MOTORS"]
    assert {r["supplier"] for r in other.get(f"{BASE}/releases").json()} == {"EU-OPTICS"}
    assert other.get(f"{BASE}/releases/{mine['id']}").status_code == 404
    assert api["customer"].get(f"{BASE}/releases").json() == []
    assert api["customer"].get(f"{BASE}/releases/{mine['id']}").status_code == 404
    assert len(api["auditor"].get(f"{BASE}/releases").json()) == len(made.json())

    periods = sorted(asked)
    p0, p1 = periods[0], periods[1]
    # bad answers: a period not released, a part that is not below, another supplier answering
    bad = {"lines": [{"offer": OFFER, "period": "2030-01-01", "status": "commit"}]}
    r = sup.post(f"{BASE}/releases/{mine['id']}/answer", json=bad)
    assert r.status_code == 422 and "line 1" in r.text and "period" in r.text
    bad = {"lines": [{"offer": OFFER, "period": p0, "status": "part", "quantity": asked[p0]}]}
    assert sup.post(f"{BASE}/releases/{mine['id']}/answer", json=bad).status_code == 422
    ok = {"lines": [{"offer": OFFER, "period": p0, "status": "commit"}]}
    assert other.post(f"{BASE}/releases/{mine['id']}/answer", json=ok).status_code == 404
    assert sup.get(f"{BASE}/releases/{mine['id']}").json()["answers"] == []  # nothing stored

    part = max(2000, asked[p1] // 2)  # the offer's minimum order is 2,000
    assert part < asked[p1]
    answer = {
        "lines": [
            {"offer": OFFER, "period": p0, "status": "commit"},
            {"offer": OFFER, "period": p1, "status": "part", "quantity": part, "note": "one shift"},
        ]
    }
    done = sup.post(f"{BASE}/releases/{mine['id']}/answer", json=answer)
    assert done.status_code == 200, done.text
    assert done.json()["answers"][0]["answered_by"] == "supplier"
    offer = sup.get(f"{BASE}/supply_offers/{OFFER}").json()
    commitments = {c["period"]: c["quantity"] for c in offer["data"]["commitments"]}
    assert commitments == {p0: asked[p0], p1: part}

    status = {(c["offer"], c["period"]): c for c in po.get(f"{BASE}/commitments").json()}
    assert status[(OFFER, p1)]["state"] == "short" and status[(OFFER, p1)]["shortfall"] == asked[p1] - part
    assert status[(OFFER, p0)]["state"] == "covered"
    assert all(c["supplier"] == "AS-MOTORS" for c in sup.get(f"{BASE}/commitments").json())

    # the next plan is held to the commitment
    second = _plan(po)
    assert _ordered(second, OFFER).get(p1, 0) <= part

    trail = po.get(f"{BASE}/audit", params={"section": "releases"}).json()
    actions = {(e["action"], e["username"]) for e in trail}
    assert {("release", "po"), ("answer", "supplier")} <= actions


def test_the_workbook_round_trip(api: dict[str, Api]) -> None:
    po, sup = api["po"], api["supplier"]
    if not po.get(f"{BASE}/releases").json():
        _plan(po)
    rel = po.post(f"{BASE}/releases", json={"supplier": "AS-MOTORS"}).json()[0]
    sheet = sup.get(f"{BASE}/releases/{rel['id']}/workbook")
    assert sheet.status_code == 200
    book = load_workbook(io.BytesIO(sheet.content))
    ws = book["release"]
    header = [c.value for c in ws[1]]
    assert header[:5] == ["offer", "component", "ship_to", "period", "requested"]
    col = {name: i + 1 for i, name in enumerate(header)}
    first = ws.cell(2, col["requested"]).value
    ws.cell(2, col["status"]).value = "propose"
    ws.cell(2, col["committed"]).value = first
    period = ws.cell(2, col["period"]).value
    later = period.replace(month=period.month % 12 + 1, year=period.year + (period.month == 12))
    ws.cell(2, col["proposed_period"]).value = later
    out = io.BytesIO()
    book.save(out)
    files = {"file": ("answer.xlsx", out.getvalue(), "application/octet-stream")}
    done = sup.post(f"{BASE}/releases/{rel['id']}/answer/workbook", files=files)
    assert done.status_code == 200, done.text
    offer_id = ws.cell(2, col["offer"]).value
    offer = sup.get(f"{BASE}/supply_offers/{offer_id}").json()
    commitments = {c["period"]: c["quantity"] for c in offer["data"]["commitments"]}
    assert commitments[period.date().isoformat()] == 0 and commitments[later.date().isoformat()] >= first

    ws.cell(2, col["status"]).value = "maybe"
    out = io.BytesIO()
    book.save(out)
    bad = sup.post(
        f"{BASE}/releases/{rel['id']}/answer/workbook", files={"file": ("a.xlsx", out.getvalue(), "x")}
    )
    assert bad.status_code == 422 and "row 2" in bad.text and "status" in bad.text
    junk = sup.post(f"{BASE}/releases/{rel['id']}/answer/workbook", files={"file": ("a.xlsx", b"not", "x")})
    assert junk.status_code == 422
