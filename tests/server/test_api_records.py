"""The REST API on a real database: auth, CRUD with versions, validation, audit."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from coprod.api import create_app
from tests.server.conftest import Api

BASE = "/programmes/example"


def test_login_wrong_password_and_rate_limit(seeded: str) -> None:
    client = TestClient(create_app(seeded))  # its own login limiter
    for _ in range(5):
        r = client.post("/auth/token", json={"username": "po", "password": "wrong"})
        assert r.status_code == 401 and r.headers["content-type"].startswith("application/problem+json")
    r = client.post("/auth/token", json={"username": "po", "password": "wrong"})
    assert r.status_code == 429 and "too many failed logins" in r.json()["detail"]
    assert client.get("/me").status_code == 401
    assert client.get("/me", headers={"Authorization": "Bearer nonsense"}).status_code == 401


def test_me_and_users(api: dict[str, Api]) -> None:
    assert api["planner_uk"].get("/me").json() == {
        "username": "planner_uk",
        "partner": "UK-MFG",
        "role": "site-planner",
    }
    assert api["planner_uk"].get("/users").status_code == 403
    assert {u["username"] for u in api["po"].get("/users").json()} >= {"po", "customer"}
    r = api["po"].post(
        "/users",
        json={
            "username": "newbie",
            "partner": "UK-MFG",
            "role": "site-planner",
            "password": "long enough pw",
        },
    )
    assert r.status_code == 201
    assert (
        api["po"]
        .post(
            "/users",
            json={
                "username": "newbie",
                "partner": "UK-MFG",
                "role": "site-planner",
                "password": "long enough pw",
            },
        )
        .status_code
        == 409
    )


def _requirement(**changes: Any) -> dict[str, Any]:
    return {
        "id": "R-API-1",
        "customer": "UA-MOD",
        "destination": "UA-DEPOT-E",
        "item": "INT-1",
        "quantity": 120,
        "due": "2026-10-01",
        "priority": 1,
        **changes,
    }


def test_create_update_delete_with_versions_and_audit(api: dict[str, Api]) -> None:
    po = api["po"]
    r = po.post(f"{BASE}/requirements", json={"data": _requirement()})
    assert r.status_code == 201, r.text
    created = r.json()
    assert (created["key"], created["version"], created["partner"]) == ("R-API-1", 1, "UA-MOD")
    r = po.put(f"{BASE}/requirements/R-API-1", json={"version": 1, "data": _requirement(quantity=150)})
    assert r.status_code == 200 and r.json()["version"] == 2 and r.json()["data"]["quantity"] == 150
    stale = po.put(f"{BASE}/requirements/R-API-1", json={"version": 1, "data": _requirement(quantity=99)})
    assert stale.status_code == 409 and "version 2" in stale.json()["detail"]
    assert po.get(f"{BASE}/requirements/R-API-1").json()["data"]["quantity"] == 150  # nothing changed
    assert po.delete(f"{BASE}/requirements/R-API-1", params={"version": 1}).status_code == 409
    assert po.delete(f"{BASE}/requirements/R-API-1", params={"version": 2}).status_code == 204
    assert po.get(f"{BASE}/requirements/R-API-1").status_code == 404
    trail = po.get(f"{BASE}/audit", params={"key": "R-API-1"}).json()
    assert [e["action"] for e in trail] == ["create", "update", "delete"]
    assert trail[1]["before"]["quantity"] == 120 and trail[1]["after"]["quantity"] == 150
    assert trail[0]["username"] == "po" and trail[2]["after"] is None
    assert api["customer"].get(f"{BASE}/audit").status_code == 403


def test_bad_input_is_422_naming_the_field_and_changes_nothing(api: dict[str, Api]) -> None:
    po = api["po"]
    r = po.post(f"{BASE}/requirements", json={"data": _requirement(quantity=-4)})
    assert r.status_code == 422
    assert any(e["field"].endswith("quantity") for e in r.json()["errors"])
    r = po.post(f"{BASE}/requirements", json={"data": _requirement(destination="ATLANTIS")})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "destination" and "ATLANTIS" in r.json()["errors"][0]["message"]
    assert po.get(f"{BASE}/requirements/R-API-1").status_code == 404
    # deleting a site still used by lines, stock and lanes is refused
    site = po.get(f"{BASE}/sites/NO-RAUFOSS").json()
    r = po.delete(f"{BASE}/sites/NO-RAUFOSS", params={"version": site["version"]})
    assert r.status_code == 409 and "still referenced" in r.json()["detail"]
    assert po.get("/programmes/nope/lines").status_code == 404
    assert po.get(f"{BASE}/gizmos").status_code == 404


def test_list_filters_and_paging(api: dict[str, Api]) -> None:
    po = api["po"]
    page = po.get(f"{BASE}/requirements", params={"where": "item=INT-1", "limit": 5, "offset": 2}).json()
    assert page["total"] == 18 and len(page["items"]) == 5 and page["offset"] == 2
    assert all(item["data"]["item"] == "INT-1" for item in page["items"])
    assert po.get(f"{BASE}/requirements", params={"where": "oops"}).status_code == 422


def test_export_is_the_imported_programme(api: dict[str, Api]) -> None:
    from pathlib import Path

    from coprod.io import load_programme

    exported = api["auditor"].get(f"{BASE}/export")
    assert exported.status_code == 200
    original = load_programme(Path(__file__).parents[2] / "examples" / "uk-ua-interceptors.yaml")
    assert exported.json()["calendar"]["periods"] == original.calendar.periods
    assert len(exported.json()["requirements"]) >= len(original.requirements)
    assert api["planner_uk"].get(f"{BASE}/export").status_code == 403


def test_an_expired_token_is_refused(seeded: str, monkeypatch: Any) -> None:
    monkeypatch.setenv("COPROD_TOKEN_HOURS", "-1")  # tokens born expired
    client = TestClient(create_app(seeded))
    token = client.post("/auth/token", json={"username": "auditor", "password": "correct horse battery"})
    assert token.status_code == 200
    me = client.get("/me", headers={"Authorization": f"Bearer {token.json()['access_token']}"})
    assert me.status_code == 401 and "expired" in me.json()["detail"]


def test_openapi_page_needs_no_cdn(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200 and "/swagger/swagger-ui-bundle.js" in page.text
    assert "http://" not in page.text and "https://" not in page.text  # nothing fetched from elsewhere
    assert client.get("/swagger/swagger-ui-bundle.js").status_code == 200
