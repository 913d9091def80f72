"""Dashboard forms without a browser: a failed save shows its errors and changes nothing."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from coprod.api import create_app
from tests.server.conftest import PASSWORD


def test_record_form_errors_are_shown_and_nothing_changes(seeded: str) -> None:
    client = TestClient(create_app(seeded))
    assert client.post("/login", data={"username": "po", "password": PASSWORD}).status_code == 200
    page = client.get("/p/example/data/lines/UA-KYIV-1")
    version = re.search(r'name="version" value="(\d+)"', page.text)
    assert version is not None
    bad_ref = client.post(
        "/p/example/data/lines/UA-KYIV-1",
        data={"version": version.group(1), "text": "id: UA-KYIV-1\nsite: NOWHERE\nhours_per_period: 9\n"},
    )
    assert bad_ref.status_code == 200 and "unknown site &#39;NOWHERE&#39;" in bad_ref.text
    broken = client.post(
        "/p/example/data/lines/UA-KYIV-1", data={"version": version.group(1), "text": "id: [oops"}
    )
    assert broken.status_code == 200 and "YAML syntax error" in broken.text
    stale = client.post(
        "/p/example/data/lines/UA-KYIV-1",
        data={"version": "0", "text": "id: UA-KYIV-1\nsite: UA-KYIV\nhours_per_period: 9\n"},
    )
    assert stale.status_code == 200 and "not 0: read it again" in stale.text
    again = client.get("/p/example/data/lines/UA-KYIV-1")
    assert (
        f'name="version" value="{version.group(1)}"' in again.text and "hours_per_period: 9" not in again.text
    )


def test_pages_need_a_session_and_a_customer_cannot_start_plans(seeded: str) -> None:
    client = TestClient(create_app(seeded))
    assert client.get("/p/example", follow_redirects=False).headers["location"] == "/login"
    client.post("/login", data={"username": "customer", "password": PASSWORD})
    denied = client.post("/p/example/run")
    assert denied.status_code == 200 and "only the programme office starts plans" in denied.text
