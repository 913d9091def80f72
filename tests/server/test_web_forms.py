"""Dashboard forms without a browser: a failed save shows its errors and changes nothing;
a form without the page's token is refused."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from coprod.api import create_app
from tests.server.conftest import PASSWORD

LINE = "/p/example/data/lines/UA-KYIV-1"


def _field(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]+)"', html)
    assert found is not None, name
    return found.group(1)


def test_record_form_errors_are_shown_and_nothing_changes(seeded: str) -> None:
    client = TestClient(create_app(seeded))
    assert client.post("/login", data={"username": "po", "password": PASSWORD}).status_code == 200
    page = client.get(LINE).text
    version, csrf = _field(page, "version"), _field(page, "csrf")
    good = {"version": version, "id": "UA-KYIV-1", "site": "UA-KYIV", "hours_per_period": "9"}
    forged = client.post(LINE, data={**good, "confirm": "1"})
    assert forged.status_code == 200 and "Form expired" in forged.text  # no token: refused
    bad_ref = client.post(LINE, data={**good, "csrf": csrf, "site": "NOWHERE", "confirm": "1"})
    assert bad_ref.status_code == 200 and "unknown site &#39;NOWHERE&#39;" in bad_ref.text
    broken = client.post(LINE, data={**good, "csrf": csrf, "exceptions": "- [oops", "confirm": "1"})
    assert broken.status_code == 200 and 'id="f-exceptions-err"' in broken.text and "not YAML" in broken.text
    stale = client.post(LINE, data={**good, "csrf": csrf, "version": "0", "confirm": "1"})
    assert stale.status_code == 200 and "not 0: read it again" in stale.text
    again = client.get(LINE).text
    assert _field(again, "version") == version and 'value="9"' not in again


def test_pages_need_a_session_and_a_customer_cannot_start_plans(seeded: str) -> None:
    client = TestClient(create_app(seeded))
    assert client.get("/p/example", follow_redirects=False).headers["location"] == "/login"
    client.post("/login", data={"username": "customer", "password": PASSWORD})
    csrf = _field(client.get("/p/example").text, "csrf")
    denied = client.post("/p/example/run", data={"csrf": csrf})
    assert denied.status_code == 200 and "the customer role cannot start plans" in denied.text


def test_errors_on_pages_are_pages_with_a_way_back(seeded: str) -> None:
    client = TestClient(create_app(seeded))
    client.post("/login", data={"username": "planner_uk", "password": PASSWORD})
    missing = client.get("/p/no-such-programme")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
    assert "no programme named" in missing.text and "Go back" in missing.text
    hidden = client.get("/p/example/data/lines/NO-RAU-1")  # another partner's line
    assert hidden.status_code == 404 and "Go back" in hidden.text and "NO-RAU-1" in hidden.text
    bad = client.get("/p/example/diff", params={"a": 2**64, "b": 1})
    assert bad.status_code == 422 and "text/html" in bad.headers["content-type"]
    assert "Programme overview" in bad.text
    api = client.get("/programmes/no-such-programme/plans")  # the API still answers problems
    assert api.headers["content-type"].startswith("application/problem+json")
