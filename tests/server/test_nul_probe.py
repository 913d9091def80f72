"""Text holding NUL, which PostgreSQL can neither store nor compare, wherever a request puts
text: the path, a search, a filter, a body. Never a 500; a record holding it is refused the
same way on SQLite and PostgreSQL (storage/db.py), and nothing is stored."""

from __future__ import annotations

import pytest

from tests.server.conftest import Api

PATHS = [
    "/programmes/ex%00ample",
    "/programmes/example/supply_offers?search=%00",
    "/programmes/example/supply_offers?where=component%3D%00",
    "/programmes/example/supply_offers/%00",
    "/programmes/example/requirements?sort=%00",
]


@pytest.mark.parametrize("path", PATHS)
def test_nul_in_a_request_is_never_a_server_error(api: dict[str, Api], path: str) -> None:
    answer = api["po"].get(path)
    assert answer.status_code < 500, (path, answer.status_code, answer.text[:300])


def test_a_record_holding_nul_is_refused_and_nothing_is_stored(api: dict[str, Api]) -> None:
    po = api["po"]
    before = po.get("/programmes/example/partners?limit=500").json()["total"]
    body = {"id": "NULCO", "name": "Nul\u0000Co", "country": "UA", "role": "supplier"}
    answer = po.post("/programmes/example/partners", json=body)
    assert answer.status_code == 422, answer.text[:300]
    assert answer.json()["errors"], answer.text[:300]  # the field is named
    assert po.get("/programmes/example/partners?limit=500").json()["total"] == before
    assert po.get("/programmes/example/partners/NULCO").status_code == 404
