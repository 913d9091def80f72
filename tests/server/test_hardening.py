"""Holes an attacker or an odd client found, each closed: names in paths and headers, plan
numbers beyond 64 bits, derived ownership after a site changes hands, costs hidden from
roles without cost access (objective values included), diffs for every role, filters and
sorts on fields that do not exist, users of partners that do not exist."""

from __future__ import annotations

import io
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from coprod.access import Principal, Role
from coprod.api import create_app
from coprod.io import load_programme
from coprod.io.workbook import programme_from_workbook, programme_workbook
from coprod.storage.db import session_scope
from coprod.storage.records import RecordStore
from tests.server.conftest import EXAMPLE, PASSWORD, Api

BASE = "/programmes/example"
COST_KEYS = {"objective", "lp_objective", "lp_service", "unit_weight", "costs"}


def _plan(api: dict[str, Api]) -> int:
    import time

    po = api["po"]
    number: int = po.post(f"{BASE}/plans").json()["number"]
    for _ in range(1200):
        status = po.get(f"{BASE}/plans/{number}").json()["status"]
        if status in ("done", "failed"):
            assert status == "done"
            return number
        time.sleep(0.05)
    raise AssertionError("the plan did not finish")


def _own_programme(url: str) -> str:
    """A copy of the example under a fresh name, for tests that change records."""
    name = f"hole-{uuid.uuid4().hex[:8]}"
    with session_scope(url) as session:
        RecordStore(session).import_programme(load_programme(EXAMPLE), name, "pytest")
    return name


# ---- numbers and names --------------------------------------------------------------
@pytest.mark.parametrize("number", [2**64, 2**63, 2**31, -1, 0])
def test_plan_numbers_out_of_range_are_422_not_500(api: dict[str, Api], number: int) -> None:
    po = api["po"]
    for path in (f"{BASE}/plans/{number}", f"{BASE}/plans/{number}/results", f"{BASE}/plans/1/diff/{number}"):
        response = po.get(path)
        assert response.status_code == 422, (path, response.status_code, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")


def test_record_pages_refuse_offsets_and_versions_beyond_range(api: dict[str, Api]) -> None:
    po = api["po"]
    assert po.get(f"{BASE}/requirements", params={"offset": 2**64}).status_code == 422
    assert po.delete(f"{BASE}/requirements/R001", params={"version": 2**64}).status_code == 422


@pytest.mark.parametrize("bad", ["../../x", "a\r\nSet-Cookie: x=1", "x" * 10_000, "", ".hidden", "a/b"])
def test_dashboard_upload_refuses_unsafe_names_and_stores_nothing(seeded: str, bad: str) -> None:
    client = TestClient(create_app(seeded))
    client.post("/login", data={"username": "po", "password": PASSWORD})
    page = client.get("/upload").text
    csrf = page.split('name="csrf" value="')[1].split('"')[0]
    before = client.get("/programmes", headers=_bearer(client)).json()
    sent = client.post(
        "/upload",
        data={"name": bad, "csrf": csrf},
        files={"file": ("p.yaml", EXAMPLE.read_bytes(), "application/yaml")},
        follow_redirects=False,
    )
    assert sent.status_code == 200 and "programme name" in sent.text, sent.text[:500]
    assert client.get("/programmes", headers=_bearer(client)).json() == before


def _bearer(client: TestClient) -> dict[str, str]:
    token = client.post("/auth/token", json={"username": "po", "password": PASSWORD}).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def test_api_import_refuses_unsafe_names(api: dict[str, Api]) -> None:
    body = {"name": "../etc", "programme": load_programme(EXAMPLE).model_dump(mode="json", by_alias=True)}
    assert api["po"].post("/programmes", json=body).status_code == 422


def test_downloads_have_safe_content_disposition(seeded: str) -> None:
    client = TestClient(create_app(seeded))
    client.post("/login", data={"username": "po", "password": PASSWORD})
    got = client.get("/p/example/download/programme.xlsx")
    assert got.status_code == 200
    assert got.headers["content-disposition"] == 'attachment; filename="example.xlsx"'


# ---- workbooks ----------------------------------------------------------------------
def _retitle(book: bytes, old: str, new: str) -> bytes:
    """The workbook with one sheet's title rewritten in its XML (what a crafted file holds;
    spreadsheet programs would not let a user type such a title)."""
    src, out = zipfile.ZipFile(io.BytesIO(book)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = data.replace(f'name="{old}"'.encode(), f'name="{new}"'.encode())
            dst.writestr(item, data)
    return out.getvalue()


def test_a_sheet_title_never_becomes_a_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    monkeypatch.setattr(tempfile, "tempdir", str(deep))
    book = _retitle(programme_workbook(load_programme(EXAMPLE)), "stock", "../../stock")
    programme = programme_from_workbook(book, "crafted.xlsx")  # the crafted sheet is not a layout sheet
    assert not list(tmp_path.rglob("stock.csv")), "a file was written outside the temporary folder"
    assert programme.stock == ()  # its rows were not read either


def test_workbook_sheets_match_by_name_case_and_misspellings_are_named() -> None:
    book = programme_workbook(load_programme(EXAMPLE))
    relabelled = programme_from_workbook(_retitle(book, "requirements", "Requirements"), "w.xlsx")
    assert len(relabelled.requirements) == len(load_programme(EXAMPLE).requirements)
    from coprod.errors import ProgrammeInvalid

    with pytest.raises(ProgrammeInvalid) as caught:
        programme_from_workbook(_retitle(book, "requirements", "requirments"), "w.xlsx")
    assert any("did you mean 'requirements'" in str(p) for p in caught.value.problems)


# ---- ownership follows a site -------------------------------------------------------
def test_a_site_handed_to_another_partner_takes_its_lines_and_stock(seeded: str, api: dict[str, Api]) -> None:
    name = _own_programme(seeded)
    base = f"/programmes/{name}"
    po, uk, no = api["po"], api["planner_uk"], api["planner_no"]
    site = po.get(f"{base}/sites/NO-RAUFOSS").json()
    lines = [ln["key"] for ln in po.get(f"{base}/lines", params={"where": "site=NO-RAUFOSS"}).json()["items"]]
    assert lines and no.get(f"{base}/lines/{lines[0]}").status_code == 200
    assert uk.get(f"{base}/lines/{lines[0]}").status_code == 404
    handed = {"version": site["version"], "data": {**site["data"], "partner": "UK-MFG"}}
    moved = po.put(f"{base}/sites/NO-RAUFOSS", json=handed)
    assert moved.status_code == 200, moved.text
    assert no.get(f"{base}/lines/{lines[0]}").status_code == 404  # the old owner no longer sees it
    line = uk.get(f"{base}/lines/{lines[0]}")
    assert line.status_code == 200 and line.json()["partner"] == "UK-MFG"
    stock = uk.get(f"{base}/stock", params={"where": "site=NO-RAUFOSS"}).json()
    assert stock["total"] > 0 and all(s["partner"] == "UK-MFG" for s in stock["items"])
    assert no.get(f"{base}/stock", params={"where": "site=NO-RAUFOSS"}).json()["total"] == 0
    routings = uk.get(f"{base}/routings", params={"where": f"line={lines[0]}"}).json()
    assert routings["total"] > 0


# ---- plans: costs and diffs by role -------------------------------------------------
def test_roles_without_cost_access_get_no_objective_values(api: dict[str, Api]) -> None:
    number = _plan(api)
    full = api["po"].get(f"{BASE}/plans/{number}/results").json()
    assert set(full) >= COST_KEYS and "marginal_value" in full["bottlenecks"][0]
    assert set(api["auditor"].get(f"{BASE}/plans/{number}/results").json()) >= COST_KEYS
    for user in ("da", "planner_uk", "planner_no", "supplier", "customer"):
        scoped = api[user].get(f"{BASE}/plans/{number}/results").json()
        assert not COST_KEYS & set(scoped), (user, COST_KEYS & set(scoped))
        assert all("marginal_value" not in b for b in scoped["bottlenecks"]), user
        assert api[user].get(f"{BASE}/plans/{number}/bottlenecks").status_code == 200


def test_every_role_can_diff_the_plans_it_sees(seeded: str, api: dict[str, Api]) -> None:
    first = _plan(api)
    po = api["po"]
    req = po.get(f"{BASE}/requirements/R002").json()
    data: dict[str, Any] = {**req["data"], "quantity": req["data"]["quantity"] + 100}
    changed = po.put(f"{BASE}/requirements/R002", json={"version": req["version"], "data": data})
    assert changed.status_code == 200
    second = _plan(api)
    assert second != first
    for user in ("po", "auditor", "da", "planner_uk", "planner_no", "supplier", "customer"):
        diff = api[user].get(f"{BASE}/plans/{first}/diff/{second}")
        assert diff.status_code == 200, (user, diff.text[:300])
        body = diff.json()
        assert ("cost_change" in body) == (user in ("po", "auditor")), user
    customer = api["customer"].get(f"{BASE}/plans/{first}/diff/{second}").json()
    assert any(r["id"] == "R002" for r in customer["requirements"])  # UA-MOD's own requirement
    planner = api["planner_no"].get(f"{BASE}/plans/{first}/diff/{second}").json()
    assert planner["requirements"] == []  # a site planner sees no requirements


# ---- record lists: filters and sorts --------------------------------------------------
def test_where_and_sort_on_unknown_fields_are_422(api: dict[str, Api]) -> None:
    po = api["po"]
    unknown = po.get(f"{BASE}/requirements", params={"where": "colour=red"})
    assert unknown.status_code == 422 and "colour" in unknown.json()["detail"]
    assert po.get(f"{BASE}/requirements", params={"sort": "-colour"}).status_code == 422
    assert po.get(f"{BASE}/requirements", params={"where": "quantity=lots"}).status_code == 422
    assert po.get(f"{BASE}/designs", params={"sort": "revisions"}).status_code == 422  # a list


def test_where_and_sort_run_on_typed_fields(api: dict[str, Api]) -> None:
    po = api["po"]
    everything = po.get(f"{BASE}/requirements", params={"limit": 1000}).json()["items"]
    by_qty = po.get(f"{BASE}/requirements", params={"sort": "-quantity,id", "limit": 1000}).json()["items"]
    expected = sorted(everything, key=lambda r: (-r["data"]["quantity"], r["data"]["id"]))
    assert [r["key"] for r in by_qty] == [r["key"] for r in expected]
    qty = everything[0]["data"]["quantity"]
    same = po.get(f"{BASE}/requirements", params={"where": f"quantity={qty}", "limit": 1000}).json()
    assert same["total"] == sum(r["data"]["quantity"] == qty for r in everything) and same["total"] >= 1
    page = po.get(f"{BASE}/requirements", params={"sort": "due", "limit": 5, "offset": 5}).json()
    ordered = sorted(everything, key=lambda r: (r["data"]["due"], everything.index(r)))
    assert [r["key"] for r in page["items"]] == [r["key"] for r in ordered[5:10]]
    assert page["total"] == len(everything)
    # scoping still applies under a filter
    mine = api["customer"].get(f"{BASE}/requirements", params={"where": "customer=PL-MOD"}).json()
    assert mine["total"] == 0


# ---- users --------------------------------------------------------------------------
def test_users_of_unknown_partners_are_refused(api: dict[str, Api]) -> None:
    body = {"username": "ghost", "partner": "NOPE", "role": "site-planner", "password": "long enough pw"}
    refused = api["po"].post("/users", json=body)
    assert refused.status_code == 422 and "NOPE" in refused.json()["detail"]
    assert all(u["username"] != "ghost" for u in api["po"].get("/users").json())
    assert api["planner_uk"].post("/users", json={**body, "partner": "UK-MFG"}).status_code == 403


def test_principal_roles_are_enums_and_office_may_everything() -> None:
    office = Principal("x", "UA-DB", Role.PROGRAMME_OFFICE)
    assert office.sees_everything
    assert not Principal("y", "UK-MFG", Role.SITE_PLANNER).sees_everything


@pytest.mark.parametrize("username", ["\u0000", "po\u0000", "p o", "../po", "x" * 64 + "\u0000"])
def test_a_username_no_user_can_have_is_a_wrong_login_not_an_error(seeded: str, username: str) -> None:
    # PostgreSQL cannot compare a text holding NUL: such a login must be refused before the
    # database, as any wrong login is (schemathesis found the 500), on the API and the form
    client = TestClient(create_app(seeded))
    answer = client.post("/auth/token", json={"username": username[:64], "password": PASSWORD})
    assert answer.status_code == 401, answer.text
    page = client.post("/login", data={"username": username, "password": PASSWORD}, follow_redirects=False)
    assert page.status_code == 200 and "Wrong username or password" in page.text
    assert client.post("/auth/token", json={"username": "po", "password": PASSWORD}).status_code == 200
