"""The role pages, forms, grids, audit, scenarios and upload preview without a browser:
each role gets its own view and only what it may do; a form error stays beside its field
and changes nothing; an upload keeps the versions of records it does not change."""

from __future__ import annotations

import re
import time

import pytest
from fastapi.testclient import TestClient

from coprod.access import Principal, Role
from coprod.app import programmes, records
from coprod.app.database import transaction
from coprod.io import load_programme
from coprod.io.workbook import programme_workbook
from tests.server.conftest import EXAMPLE, PASSWORD, Api

BASE = "/programmes/example"


def _signed_in(client: TestClient, username: str) -> TestClient:
    fresh = TestClient(client.app)
    assert fresh.post("/login", data={"username": username, "password": PASSWORD}).status_code == 200
    return fresh


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


@pytest.fixture(scope="module")
def planned(client: TestClient, api: dict[str, Api]) -> TestClient:
    started = api["po"].post(f"{BASE}/plans").json()
    for _ in range(600):
        status = api["po"].get(f"{BASE}/plans/{started['number']}").json()["status"]
        if status in ("done", "failed"):
            break
        time.sleep(0.2)
    assert status == "done"
    return client


@pytest.mark.parametrize(
    ("username", "heading", "shown", "hidden"),
    [
        (
            "planner_uk",
            "your lines",
            ["UK-MID-1", "Orders to place"],
            ["NO-RAU-1", "Run a plan", "Cost of the plan"],
        ),
        ("planner_no", "your lines", ["NO-RAU-1"], ["UK-MID-1"]),
        ("supplier", "what is needed from AS-MOTORS", ["MOTOR-2807"], ["EU-MOTORS", "Run a plan"]),
        (
            "customer",
            "the requirements of UA-MOD",
            ["R001", "planned deliveries"],
            ["R-PL-1", "Sites and lines"],
        ),
        ("da", "designs of UA-DB", ["LIC-UK-INT1", "Royalty statements"], ["LIC-UK-SCOUT", "Audit trail"]),
        (
            "po",
            "UA-UK-NO interceptor",
            ["Run a plan", "Late and unmet requirements", "Audit trail", "Cost of the plan", "GBP", "NOK"],
            [],
        ),
    ],
)
def test_each_role_lands_on_its_own_view(
    planned: TestClient, username: str, heading: str, shown: list[str], hidden: list[str]
) -> None:
    html = _signed_in(planned, username).get("/p/example").text
    if username == "po":  # each partner's net in its own currency beside the programme's
        assert re.search(
            r"UK-MFG</td><td>net</td><td class=\"num\">[\d,]+</td><td class=\"num\">GBP [\d,]+", html
        )
    assert heading in html
    for text in shown:
        assert text in html, text
    for text in hidden:
        assert text not in html, text


@pytest.mark.parametrize(
    ("username", "path", "status"),
    [
        ("planner_uk", "/p/example/audit", 403),
        ("auditor", "/p/example/audit", 200),
        ("customer", "/p/example/scenarios", 403),
        ("supplier", "/p/example/grid/requirements", 403),
        ("customer", "/p/example/grid/requirements", 200),
        ("planner_uk", "/p/example/lines/UK-MID-1", 200),
        ("planner_uk", "/p/example/lines/NO-RAU-1", 404),
        ("customer", "/p/example/lines/UK-MID-1", 404),
        ("planner_uk", "/p/example/data", 200),
        ("customer", "/p/example/data?section=lines", 403),
        ("customer", "/p/example/late", 200),
    ],
)
def test_pages_answer_each_role_as_its_rules_say(
    planned: TestClient, username: str, path: str, status: int
) -> None:
    response = _signed_in(planned, username).get(path)
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"].startswith("text/html")


def test_the_late_page_lists_every_late_row_and_exports_them(
    planned: TestClient, api: dict[str, Api]
) -> None:
    number = api["po"].get(f"{BASE}/plans").json()[-1]["number"]
    late = api["po"].get(f"{BASE}/plans/{number}/late").json()
    page = _signed_in(planned, "po")
    html = page.get("/p/example/late").text
    assert html.count('href="/p/example/requirements/') == len(late)  # all rows, none cut off
    rows = page.get("/p/example/download/late.csv").text.strip().splitlines()
    assert len(rows) == len(late) + 1 and rows[0].startswith("id,customer,item")


def test_a_form_error_is_shown_beside_its_field_and_a_save_needs_the_review(planned: TestClient) -> None:
    page = _signed_in(planned, "customer")
    form = page.get("/p/example/data/requirements/R002").text
    version = re.search(r'name="version" value="(\d+)"', form)
    now = re.search(r'name="quantity" type="number"[^>]* value="(\d+)"', form)
    assert version is not None and now is not None
    wanted = str(int(now.group(1)) + 5)
    fields = {
        "csrf": _csrf(form),
        "version": version.group(1),
        "id": "R002",
        "customer": "UA-MOD",
        "destination": "UA-DEPOT-W",
        "item": "INT-1-B2",
        "due": "2026-01-01",
        "priority": "1",
    }
    bad = page.post("/p/example/data/requirements/R002", data={**fields, "quantity": "0"}).text
    assert 'id="f-quantity-err"' in bad and "greater than or equal to 1" in bad
    review = page.post("/p/example/data/requirements/R002", data={**fields, "quantity": wanted}).text
    assert 'id="review"' in review and wanted in review
    unchanged = page.get("/p/example/data/requirements/R002").text
    assert f'value="{now.group(1)}"' in unchanged  # reviewing saved nothing
    saved = page.post(
        "/p/example/data/requirements/R002", data={**fields, "quantity": wanted, "confirm": "1"}
    )
    assert saved.status_code == 200 and 'id="saved"' in saved.text and f'value="{wanted}"' in saved.text
    stale = page.post("/p/example/data/requirements/R002", data={**fields, "quantity": "370", "confirm": "1"})
    assert "read it again" in stale.text  # the version it was loaded at is gone


def test_a_grid_saves_all_rows_or_none(planned: TestClient) -> None:
    page = _signed_in(planned, "customer")
    html = page.get("/p/example/grid/requirements").text
    versions = dict(re.findall(r'name="v:([^"]+)" value="(\d+)"', html))
    assert "R-PL-1" not in versions  # another customer's requirement is not in the grid
    data = {
        "csrf": _csrf(html),
        "v:R009": versions["R009"],
        "q:R009": "541",
        "d:R009": "2026-03-01",
        "v:R010": versions["R010"],
        "q:R010": "x",
        "d:R010": "2026-03-01",
    }
    refused = page.post("/p/example/grid/requirements", data=data).text
    assert "Nothing was saved" in refused and "not a whole number" in refused
    with_r009 = page.get("/p/example/data/requirements/R009").text
    assert 'value="540"' in with_r009
    data["q:R010"] = "360"
    saved = page.post("/p/example/grid/requirements", data=data).text
    assert (
        "requirements R009: quantity 540 → 541" in saved
        and "R010" not in saved.split("grid-saved")[1].split("</ul>")[0]
    )


def test_an_upload_is_previewed_and_keeps_versions(private_database_url: str) -> None:
    office = Principal("po", "UA-DB", Role.PROGRAMME_OFFICE)
    p = load_programme(EXAMPLE)
    with transaction(private_database_url) as tx:
        programmes.import_programme(tx, office, "up", p, replace=False)
    changed = p.model_copy(
        update={
            "lines": tuple(
                ln.model_copy(update={"hours_per_period": 1.0}) if ln.id == "UK-MID-2" else ln
                for ln in p.lines
            )
        }
    )
    body = programme_workbook(changed)
    with transaction(private_database_url) as tx:
        with pytest.raises(Exception, match="cannot upload"):
            programmes.preview_upload(tx, Principal("c", "UA-MOD", Role.CUSTOMER), "up", "up.xlsx", body)
        preview = programmes.preview_upload(tx, office, "up", "up.xlsx", body)
        assert preview.exists and [c.text for c in preview.changes] == [
            "lines UK-MID-2: hours_per_period 2,600 → 1"
        ]
        programmes.confirm_upload(tx, office, "up", preview.token)
    with transaction(private_database_url) as tx:
        line = records.get_record(tx, office, "up", "lines", "UK-MID-2")
        other = records.get_record(tx, office, "up", "lines", "UK-MID-1")
        assert (line.version, line.data["hours_per_period"], other.version) == (2, 1.0, 1)


def test_the_plans_page_says_when_an_explanation_is_still_coming(planned: TestClient, seeded: str) -> None:
    from sqlalchemy import select, update

    from coprod.storage.tables import PlanVersion, ProgrammeRow

    page = f"/p/{BASE.rsplit('/', 1)[-1]}/plans"
    po = _signed_in(planned, "po")
    with transaction(seeded) as tx:
        row = tx.scalar(select(ProgrammeRow).where(ProgrammeRow.name == "example"))
        assert row is not None
        latest = tx.scalar(
            select(PlanVersion).where(PlanVersion.programme_id == row.id).order_by(PlanVersion.number.desc())
        )
        assert latest is not None and latest.status == "done"
        vid, was = latest.id, latest.explanation
    assert "explaining" not in po.get(page).text
    try:
        marks = (("pending", "explaining: why late and idle follow"), ("interrupted", "plan again"))
        for mark, words in marks:
            with transaction(seeded) as tx:
                tx.execute(update(PlanVersion).where(PlanVersion.id == vid).values(explanation=mark))
            html = po.get(page).text
            assert words in html, mark
    finally:
        with transaction(seeded) as tx:
            tx.execute(update(PlanVersion).where(PlanVersion.id == vid).values(explanation=was))
