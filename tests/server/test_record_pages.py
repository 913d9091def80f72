"""Pages of records sorted, filtered and scoped in SQL, on SQLite and PostgreSQL: each page is
the slice of one reference order (the sort fields, then the file order), whichever end the
store reads it from; the indexes of migration 0009 serve the sorts; counts follow writes."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from coprod.access import Principal, Role
from coprod.api import create_app
from coprod.app.records import filterable_fields, list_records, parse_query
from coprod.generate import generate
from coprod.storage.db import session_scope
from coprod.storage.records import RecordStore, json_field_sql
from coprod.storage.users import UserStore
from tests.server.conftest import PASSWORD, Api

NAME = "s"
OFFICE = Principal("office", "DA", Role.PROGRAMME_OFFICE)


@pytest.fixture(scope="module")
def url(private_database_url: str) -> str:
    """Generated S (138 supply offers: lead times with many ties, available_from all null)."""
    with session_scope(private_database_url) as session:
        RecordStore(session).import_programme(generate("S", 1), NAME, "pytest")
        UserStore(session).add("office", "DA", "programme-office", PASSWORD)
    return private_database_url


def _stored(url: str, section: str) -> list[dict[str, Any]]:
    """(key, partner, party, data) of every record, in file order."""
    with session_scope(url) as s:
        rows = s.execute(
            text(
                "SELECT key, partner, party, data, position FROM records WHERE section = :s ORDER BY position"
            ),
            {"s": section},
        ).all()
    import json

    return [
        {"key": k, "partner": p, "party": q, "data": d if isinstance(d, dict) else json.loads(d)}
        for k, p, q, d, _ in rows
    ]


def _reference(url: str, recs: list[dict[str, Any]], sort: list[tuple[str, bool]]) -> list[str]:
    """Keys in the order the API promises: by each sort field (a missing value, null, first
    ascending on SQLite and last on PostgreSQL, as each database orders NULL), ties in file
    order. Sorting by the last field first, stably, gives the order of all of them."""
    nulls_first = url.startswith("sqlite")
    out = list(recs)
    for field, descending in reversed(sort):

        def value(r: dict[str, Any], field: str = field) -> tuple[int, Any]:
            v = r["data"].get(field)
            if v is None:
                return (0 if nulls_first else 2, 0)
            return (1, v)

        out.sort(key=value, reverse=descending)
    return [r["key"] for r in out]


def _page(url: str, who: Principal, section: str, sort: str | None, limit: int, offset: int, where=()) -> Any:
    with session_scope(url) as s:
        return list_records(s, who, NAME, section, parse_query(section, list(where), sort, limit, offset))


SORTS = ["lead_time", "-lead_time", "unit_price", "-unit_price", "supplier", "-component,lead_time",
         "available_from", "-available_from", "currency,-min_order"]  # fmt: skip


@pytest.mark.parametrize("sort", SORTS)
def test_every_page_is_a_slice_of_the_reference_order(url: str, sort: str) -> None:
    recs = _stored(url, "supply_offers")
    fields = [(f.lstrip("-"), f.startswith("-")) for f in sort.split(",")]
    expected = _reference(url, recs, fields)
    assert len(expected) == 138 and len(set(expected)) == 138
    # pages of 7 from both ends (a page past the middle is read backwards): each record once
    keys: list[str] = []
    for offset in range(0, 140, 7):
        page = _page(url, OFFICE, "supply_offers", sort, 7, offset)
        assert page.total == 138 and page.offset == offset and page.limit == 7
        keys += [r.key for r in page.items]
    assert keys == expected
    # odd bounds: the last record, a page running past the end, one past the end
    assert [r.key for r in _page(url, OFFICE, "supply_offers", sort, 1, 137).items] == expected[-1:]
    assert [r.key for r in _page(url, OFFICE, "supply_offers", sort, 100, 90).items] == expected[90:]
    assert [r.key for r in _page(url, OFFICE, "supply_offers", sort, 50, 70).items] == expected[70:120]
    assert _page(url, OFFICE, "supply_offers", sort, 10, 138).items == []


def test_ties_keep_the_file_order(url: str) -> None:
    """lead_time 1 is shared by 40 offers: in either direction they come in file order."""
    recs = _stored(url, "supply_offers")
    ones = [r["key"] for r in recs if r["data"]["lead_time"] == 1]
    assert len(ones) == 40
    up = [r.key for r in _page(url, OFFICE, "supply_offers", "lead_time", 1000, 0).items]
    down = [r.key for r in _page(url, OFFICE, "supply_offers", "-lead_time", 1000, 0).items]
    assert up[:40] == ones and down[-40:] == ones
    # read from the far end (offset past the middle), the ties are still in file order
    tail = [r.key for r in _page(url, OFFICE, "supply_offers", "-lead_time", 30, 108).items]
    assert tail == ones[10:]


def test_filters_and_scope_with_a_sort(url: str) -> None:
    recs = _stored(url, "supply_offers")
    supplier = recs[0]["data"]["supplier"]
    mine = [r for r in recs if r["data"]["supplier"] == supplier]
    expected = _reference(url, mine, [("unit_price", True)])
    page = _page(url, OFFICE, "supply_offers", "-unit_price", 5, 3, where=[f"supplier={supplier}"])
    assert page.total == len(mine) and [r.key for r in page.items] == expected[3:8]
    lead = _page(url, OFFICE, "supply_offers", None, 1000, 0, where=["lead_time=8", "currency=EUR"])
    assert [r.key for r in lead.items] == [
        r["key"] for r in recs if r["data"]["lead_time"] == 8 and r["data"]["currency"] == "EUR"
    ]
    # a site planner reads the offers shipped to its sites (party) or its own (partner)
    party = next(r["party"] for r in recs if r["party"] not in (None, "DA", r["partner"]))
    planner = Principal("p", party, Role.SITE_PLANNER)
    visible = [r for r in recs if party in (r["partner"], r["party"])]
    assert 0 < len(visible) < len(recs)
    expected = _reference(url, visible, [("lead_time", True)])
    keys = []
    for offset in range(0, len(visible), 4):
        page = _page(url, planner, "supply_offers", "-lead_time", 4, offset)
        assert page.total == len(visible)
        keys += [r.key for r in page.items]
    assert keys == expected


def test_a_count_follows_the_programme_version(url: str) -> None:
    """Totals are kept per programme version: a record created makes the next page count it."""
    before = _page(url, OFFICE, "requirements", "-quantity", 5, 0)
    first = _stored(url, "requirements")[0]["data"]
    with session_scope(url) as s:
        store = RecordStore(s)
        store.create(
            store.programme(NAME), "requirements", {**first, "id": "R-NEW", "quantity": 10**6}, OFFICE
        )
    after = _page(url, OFFICE, "requirements", "-quantity", 5, 0)
    assert after.total == before.total + 1 and after.items[0].key == "R-NEW"
    with session_scope(url) as s:
        store = RecordStore(s)
        rec = store.get(store.programme(NAME), "requirements", "R-NEW", OFFICE)
        store.delete(store.programme(NAME), "requirements", "R-NEW", rec.version, OFFICE)
    again = _page(url, OFFICE, "requirements", "-quantity", 5, 0)
    assert again.total == before.total and [r.key for r in again.items] == [r.key for r in before.items]


def _plan(url: str, sql: str) -> str:
    with session_scope(url) as s:
        if url.startswith("sqlite"):
            return " ".join(str(r[-1]) for r in s.execute(text("EXPLAIN QUERY PLAN " + sql)))
        # a table this small is cheaper to sort: ask whether the index can serve at all
        s.execute(text("SET LOCAL enable_seqscan = off"))
        s.execute(text("SET LOCAL enable_sort = off"))
        s.execute(text("SET LOCAL enable_incremental_sort = off"))
        return " ".join(str(r[0]) for r in s.execute(text("EXPLAIN " + sql)))


@pytest.mark.parametrize("section", ["supply_offers", "requirements"])
def test_the_sql_of_a_sort_is_served_by_its_index(url: str, section: str) -> None:
    """The literal expression the store writes is the one 0009 indexed: a sorted page in
    either direction (and read from the far end) is an index scan, not a sort."""
    dialect = "sqlite" if url.startswith("sqlite") else "postgresql"
    short = {"supply_offers": "offer", "requirements": "req"}[section]
    for field, kind in filterable_fields(section).items():
        value = json_field_sql(dialect, field, kind)
        base = f"SELECT * FROM records WHERE programme_id = 1 AND section = '{section}'"
        for order, index in (
            (f"{value}, position, id", f"ix_{short}_{field} "),
            (f"{value} DESC, position DESC, id DESC", f"ix_{short}_{field} "),
            (f"{value} DESC, position, id", f"ix_{short}_{field}_desc"),
            (f"{value}, position DESC, id DESC", f"ix_{short}_{field}_desc"),
        ):
            plan = _plan(url, f"{base} ORDER BY {order} LIMIT 10") + " "
            assert index in plan and "TEMP B-TREE" not in plan and "Sort" not in plan, (order, plan)


def test_api_pages_keep_their_shape(url: str) -> None:
    with TestClient(create_app(url)) as client:
        office = Api(client, "office")
        r = office.get(
            f"/programmes/{NAME}/supply_offers", params={"sort": "-lead_time", "limit": 3, "offset": 136}
        )
        assert r.status_code == 200
        body = r.json()
        assert list(body) == ["items", "total", "limit", "offset"]
        assert (body["total"], body["limit"], body["offset"], len(body["items"])) == (138, 3, 136, 2)
        assert list(body["items"][0]) == ["key", "version", "partner", "data", "withheld"]
        expected = _reference(url, _stored(url, "supply_offers"), [("lead_time", True)])
        assert [i["key"] for i in body["items"]] == expected[136:]
        assert office.get(f"/programmes/{NAME}/supply_offers", params={"sort": "nope"}).status_code == 422
        assert office.get("/programmes/missing/supply_offers").status_code == 404
