"""Exchange rates as records on the API (issue 11): everyone reads them, only the programme
office writes them; a rate that breaks the programme is refused naming record and field."""

from __future__ import annotations

from tests.server.conftest import Api

BASE = "/programmes/example"


def test_every_role_reads_the_rates_and_only_the_office_writes(api: dict[str, Api]) -> None:
    for user in ("po", "da", "planner_uk", "supplier", "customer", "auditor"):
        page = api[user].get(f"{BASE}/exchange_rates")
        assert page.status_code == 200, (user, page.text)
        assert {item["key"] for item in page.json()["items"]} >= {"GBP@2026-01-01", "NOK@2026-07-01"}
    one = api["customer"].get(f"{BASE}/exchange_rates/GBP@2026-01-01").json()
    assert one["data"] == {"currency": "GBP", "valid_from": "2026-01-01", "rate": 1.15}
    assert one["partner"] is None
    rate = {"currency": "UAH", "valid_from": "2027-06-01", "rate": 0.0192}
    for user in ("da", "planner_uk", "supplier", "customer", "auditor"):
        assert api[user].post(f"{BASE}/exchange_rates", json={"data": rate}).status_code == 403, user
    po = api["po"]
    r = po.post(f"{BASE}/exchange_rates", json={"data": rate})
    assert r.status_code == 201, r.text
    assert r.json()["key"] == "UAH@2027-06-01"
    assert po.delete(f"{BASE}/exchange_rates/UAH@2027-06-01", params={"version": 1}).status_code == 204


def test_bad_rates_are_422_naming_the_field(api: dict[str, Api]) -> None:
    po = api["po"]
    r = po.post(
        f"{BASE}/exchange_rates", json={"data": {"currency": "GBP", "valid_from": "2026-02-01", "rate": -1}}
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"].endswith("rate")
    dup = {"currency": "GBP", "valid_from": "2026-01-01", "rate": 1.2}
    r = po.post(f"{BASE}/exchange_rates", json={"data": dup})
    assert r.status_code == 409, r.text
    # a supply offer in a currency without a rate is refused, naming its currency field
    offer = po.get(f"{BASE}/supply_offers/FC-F7/UA-DB/UA-LVIV").json()
    r = po.put(
        f"{BASE}/supply_offers/FC-F7/UA-DB/UA-LVIV",
        json={"version": offer["version"], "data": {**offer["data"], "currency": "USD"}},
    )
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "currency" and "USD" in r.json()["errors"][0]["message"]
