"""Export-controlled technical records through every entry point: the REST API (one record
and lists), the dashboard's record page and the export; reads are in the audit trail
(docs/access.md, "Export-controlled records")."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from coprod.api import create_app
from tests.server.conftest import PASSWORD, Api

BASE = "/programmes/example"
SECURE_FC = {
    "id": "SEC-FC",
    "name": "Secure flight controller module",
    "bom": [{"item": "FC-H7", "qty": 1}],
    "export_control": {"classification": "ML11.a", "partners": ["UA-DB"]},
}
SECURE_DESIGN = {
    "id": "SEC-1",
    "owner": "UA-DB",
    "revisions": [
        {
            "revision": 1,
            "effective_from": "2026-01-01",
            "bom": [{"item": "FRAME-10", "qty": 1}],
            "note": "secret",
            "export_control": {"classification": "ML10", "countries": ["GB"]},
        }
    ],
}
# who reads the technical records in full: the programme office and auditors, the allowed
# partner (UA-DB, the owner), the allowed country (GB: UK-MFG); everyone else: withheld
COMPONENT_READERS = {
    "po": True,
    "auditor": True,
    "da": True,
    "planner_uk": False,
    "planner_no": False,
    "supplier": False,
}
DESIGN_READERS = {"po": True, "auditor": True, "planner_uk": True, "planner_no": False, "customer": False}


@pytest.fixture(scope="module")
def controlled(api: dict[str, Api]) -> Iterator[None]:
    po = api["po"]
    made = []
    for section, data in (("components", SECURE_FC), ("designs", SECURE_DESIGN)):
        r = po.post(f"{BASE}/{section}", json={"data": data})
        assert r.status_code == 201, r.text
        made.append((section, data["id"], r.json()["version"]))
    yield
    for section, key, version in reversed(made):
        assert po.delete(f"{BASE}/{section}/{key}", params={"version": version}).status_code == 204


@pytest.mark.parametrize("username", sorted(COMPONENT_READERS))
def test_controlled_component_bom_only_for_allowed_partners(
    api: dict[str, Api], controlled: None, username: str
) -> None:
    r = api[username].get(f"{BASE}/components/SEC-FC")
    assert r.status_code == 200
    body = r.json()
    if COMPONENT_READERS[username]:
        assert body["data"]["bom"] == [{"item": "FC-H7", "qty": 1.0, "yield": 1.0}] and body["withheld"] == []
    else:
        assert body["data"]["bom"] == [] and body["withheld"] == ["SEC-FC"]
    listed = api[username].get(f"{BASE}/components", params={"where": "id=SEC-FC"}).json()["items"]
    assert [(x["data"]["bom"] != [], x["withheld"]) for x in listed] == [
        (COMPONENT_READERS[username], [] if COMPONENT_READERS[username] else ["SEC-FC"])
    ]


@pytest.mark.parametrize("username", sorted(DESIGN_READERS))
def test_controlled_revision_only_for_allowed_partners(
    api: dict[str, Api], controlled: None, username: str
) -> None:
    body = api[username].get(f"{BASE}/designs/SEC-1").json()
    (rev,) = body["data"]["revisions"]
    if DESIGN_READERS[username]:
        assert rev["bom"] and rev["note"] == "secret" and body["withheld"] == []
    else:
        assert rev["bom"] == [] and rev["note"] == "" and body["withheld"] == ["SEC-1 revision 1"]


def test_reads_of_controlled_records_are_audited(api: dict[str, Api], controlled: None) -> None:
    api["planner_uk"].get(f"{BASE}/designs/SEC-1")
    api["planner_no"].get(f"{BASE}/designs/SEC-1")  # withheld: not a read of the records
    trail = api["auditor"].get(f"{BASE}/audit", params={"key": "SEC-1"}).json()
    readers = {e["username"] for e in trail if e["action"] == "read-controlled"}
    assert "planner_uk" in readers and "planner_no" not in readers
    entry = next(e for e in trail if e["action"] == "read-controlled" and e["username"] == "planner_uk")
    assert entry["after"] == {"items": ["SEC-1 revision 1"]}


def test_export_is_an_audited_read(api: dict[str, Api], controlled: None) -> None:
    assert api["auditor"].get(f"{BASE}/export").status_code == 200
    trail = api["po"].get(f"{BASE}/audit", params={"key": "SEC-FC"}).json()
    assert any(e["action"] == "read-controlled" and e["username"] == "auditor" for e in trail)


def test_dashboard_record_page_withholds_the_bom(seeded: str, api: dict[str, Api], controlled: None) -> None:
    for username, sees in (("planner_no", False), ("da", True)):
        client = TestClient(create_app(seeded))
        assert client.post("/login", data={"username": username, "password": PASSWORD}).status_code == 200
        page = client.get("/p/example/data/components/SEC-FC")
        assert page.status_code == 200
        assert ("FC-H7" in page.text) is sees, username
